//! The list filter: `event:` `scope:` `action:` `on:` `off:` terms plus fuzzy words.

use super::state::Item;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// A parsed filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    /// Substrings the event summary must contain.
    pub event: Vec<String>,
    /// Substrings the scope must contain.
    pub scope: Vec<String>,
    /// Substrings the action summary must contain.
    pub action: Vec<String>,
    /// `Some(true)` for `on:`, `Some(false)` for `off:`.
    pub enabled: Option<bool>,
    /// The rest: words found in the row's text or fuzzily in the name.
    pub fuzzy: String,
}

impl Query {
    /// Parses the filter text.
    pub fn parse(text: &str) -> Self {
        let mut q = Query::default();
        let mut words = Vec::new();
        for word in text.split_whitespace() {
            let lower = word.to_lowercase();
            match lower.split_once(':') {
                Some(("on", "")) => q.enabled = Some(true),
                Some(("off", "")) => q.enabled = Some(false),
                Some(("event", v)) if !v.is_empty() => q.event.push(v.to_string()),
                Some(("scope", v)) if !v.is_empty() => q.scope.push(v.to_string()),
                Some(("action", v)) if !v.is_empty() => q.action.push(v.to_string()),
                _ => words.push(word),
            }
        }
        q.fuzzy = words.join(" ");
        q
    }

    /// Whether nothing is filtered.
    pub fn is_empty(&self) -> bool {
        *self == Query::default()
    }
}

/// Matches items against a query, reusing the fuzzy matcher's scratch space.
pub struct Filter {
    matcher: Matcher,
    buf: Vec<char>,
}

impl Default for Filter {
    fn default() -> Self {
        Self {
            matcher: Matcher::new(Config::DEFAULT),
            buf: Vec::new(),
        }
    }
}

impl std::fmt::Debug for Filter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Filter")
    }
}

fn contains_all(haystack: &str, needles: &[String]) -> bool {
    needles.iter().all(|n| haystack.contains(n.as_str()))
}

impl Filter {
    /// Indexes (into `items`) of the `candidates` that match `query`, in candidate order. Each
    /// word must appear in the row's text, or match the name fuzzily (`lsspk` finds loss-spike).
    pub fn apply(
        &mut self,
        items: &[Item],
        candidates: impl Iterator<Item = usize>,
        query: &Query,
    ) -> Vec<usize> {
        let words: Vec<(String, Pattern)> = query
            .fuzzy
            .split_whitespace()
            .map(|w| {
                (
                    w.to_lowercase(),
                    Pattern::parse(w, CaseMatching::Smart, Normalization::Smart),
                )
            })
            .collect();
        candidates
            .filter(|&i| {
                let item = &items[i];
                let a = &item.saved.automation;
                if query.enabled.is_some_and(|on| on != a.enabled)
                    || !contains_all(&item.lower.event, &query.event)
                    || !contains_all(&item.lower.scope, &query.scope)
                    || !contains_all(&item.lower.action, &query.action)
                {
                    return false;
                }
                words.iter().all(|(lower, pattern)| {
                    item.lower.all.contains(lower.as_str())
                        || pattern
                            .score(Utf32Str::new(&a.name, &mut self.buf), &mut self.matcher)
                            .is_some()
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_and_words_are_split() {
        let q = Query::parse("loss event:Metric scope:vision on: action:slack spike");
        assert_eq!(q.event, ["metric"]);
        assert_eq!(q.scope, ["vision"]);
        assert_eq!(q.action, ["slack"]);
        assert_eq!(q.enabled, Some(true));
        assert_eq!(q.fuzzy, "loss spike");
        assert!(Query::parse("  ").is_empty());
        assert_eq!(
            Query::parse("event:").fuzzy,
            "event:",
            "an empty term is a word"
        );
    }
}
