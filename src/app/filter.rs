//! The list filter: `event:` `scope:` `action:` `on:` `off:` terms plus fuzzy words.

use super::store::list::Item;
use memchr::memmem::Finder;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// A parsed filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Query {
    /// Substrings the event summary must contain.
    pub(crate) event: Vec<String>,
    /// Substrings the scope must contain.
    pub(crate) scope: Vec<String>,
    /// Substrings the action summary must contain.
    pub(crate) action: Vec<String>,
    /// `Some(true)` for `on:`, `Some(false)` for `off:`.
    pub(crate) enabled: Option<bool>,
    /// The rest: words found in the row's text or fuzzily in the name.
    pub(crate) fuzzy: String,
}

impl Query {
    /// Parses the filter text.
    pub(crate) fn parse(text: &str) -> Self {
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
    pub(crate) fn is_empty(&self) -> bool {
        *self == Query::default()
    }
}

/// The texts of an item the filter searches: name, description, event, scope, action.
fn searchable(item: &Item) -> [String; 5] {
    let a = &item.saved.automation;
    [
        a.name.clone(),
        a.description.clone().unwrap_or_default(),
        format!("{} {}", a.event.kind().file_name(), item.event),
        item.scope.clone(),
        format!("{} {}", a.action.kind().file_name(), item.action),
    ]
}

/// The set of letters, digits and `-_.` in a text, as bits; `None` for a word with other characters.
/// A fuzzy match needs every character of the word in the name, so a word whose set is not inside
/// the name's cannot match: checked before running the fuzzy matcher.
pub(crate) fn char_set(text: &str) -> Option<u64> {
    let mut bits = 0u64;
    for c in text.chars().map(|c| c.to_ascii_lowercase()) {
        let bit = match c {
            'a'..='z' => c as u32 - 'a' as u32,
            '0'..='9' => 26 + c as u32 - '0' as u32,
            '-' => 36,
            '_' => 37,
            '.' => 38,
            _ => return None,
        };
        bits |= 1 << bit;
    }
    Some(bits)
}

/// The searchable text of every item, lower-cased and stored contiguously in display order, so
/// that a filter keystroke scans memory in order instead of chasing one allocation per row.
#[derive(Clone, Debug, Default)]
pub(crate) struct SearchIndex {
    text: String,
    /// Rows by rank (position in the sorted order).
    rows: Vec<SearchRow>,
    /// Rank of each item index.
    rank: Vec<u32>,
}

#[derive(Clone, Copy, Debug)]
struct SearchRow {
    /// The item's index in `items`.
    item: u32,
    /// Offsets into `text`: name | description | event | scope | action, then the end.
    bounds: [u32; 6],
    enabled: bool,
    name_chars: Option<u64>,
}

impl SearchIndex {
    /// Indexes `items` in the sorted `order` (item indexes).
    pub(crate) fn build(items: &[Item], order: &[usize]) -> Self {
        let mut index = SearchIndex {
            text: String::with_capacity(items.len() * 120),
            rows: Vec::with_capacity(items.len()),
            rank: vec![0; items.len()],
        };
        for (rank, &i) in order.iter().enumerate() {
            let item = &items[i];
            index.rank[i] = rank as u32;
            let a = &item.saved.automation;
            let mut bounds = [0u32; 6];
            for (part, text) in searchable(item).iter().enumerate() {
                bounds[part] = index.text.len() as u32;
                index.text.extend(text.chars().flat_map(char::to_lowercase));
                index.text.push('\u{1f}');
            }
            bounds[5] = index.text.len() as u32;
            index.rows.push(SearchRow {
                item: i as u32,
                bounds,
                enabled: a.enabled,
                name_chars: char_set(&a.name),
            });
        }
        index
    }

    /// The position of an item in the sorted order it was indexed in.
    pub(crate) fn rank_of(&self, item: usize) -> Option<usize> {
        self.rank.get(item).map(|&r| r as usize)
    }

    /// Whether the indexed text of `item` is still what `now` would index (a toggle or a save
    /// that changed no searchable text), so the index can be patched instead of rebuilt.
    pub(crate) fn same_text(&self, item: usize, now: &Item) -> bool {
        let Some(row) = self.rank_of(item).and_then(|r| self.rows.get(r)) else {
            return false;
        };
        let mut stored = self.part(row, 0, 5).chars();
        for text in searchable(now) {
            for c in text.chars().flat_map(char::to_lowercase) {
                if stored.next() != Some(c) {
                    return false;
                }
            }
            if stored.next() != Some('\u{1f}') {
                return false;
            }
        }
        stored.next().is_none()
    }

    /// The ranks of item indexes (for narrowing a view that is in sorted order).
    pub(crate) fn ranks<'a>(&'a self, items: &'a [usize]) -> impl Iterator<Item = usize> + 'a {
        items
            .iter()
            .filter_map(|&i| self.rank.get(i).map(|&r| r as usize))
    }

    /// Patches the enabled flag of one item (a toggle) without rebuilding.
    pub(crate) fn set_enabled(&mut self, item: usize, enabled: bool) {
        if let Some(&rank) = self.rank.get(item)
            && let Some(row) = self.rows.get_mut(rank as usize)
        {
            row.enabled = enabled;
        }
    }

    /// Every rank.
    pub(crate) fn all(&self) -> std::ops::Range<usize> {
        0..self.rows.len()
    }

    fn part(&self, row: &SearchRow, from: usize, to: usize) -> &str {
        &self.text[row.bounds[from] as usize..row.bounds[to] as usize]
    }
}

/// Matches items against a query, reusing the fuzzy matcher's scratch space.
pub(crate) struct Filter {
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

/// Substring searchers built once per keystroke (building one per row costs more than the search).
fn finders(needles: &[String]) -> Vec<Finder<'_>> {
    needles.iter().map(|n| Finder::new(n.as_bytes())).collect()
}

fn contains_all(haystack: &str, finders: &[Finder<'_>]) -> bool {
    finders
        .iter()
        .all(|f| f.find(haystack.as_bytes()).is_some())
}

impl Filter {
    /// Item indexes of the candidate ranks that match `query`, in rank order. Each word must
    /// appear in the row's text, or match the name fuzzily (`lsspk` finds loss-spike).
    pub(crate) fn apply(
        &mut self,
        index: &SearchIndex,
        candidates: impl Iterator<Item = usize>,
        query: &Query,
    ) -> Vec<usize> {
        let words: Vec<(Finder<'static>, Option<u64>, Pattern)> = query
            .fuzzy
            .split_whitespace()
            .map(|w| {
                let lower = w.to_lowercase();
                let pattern = Pattern::parse(&lower, CaseMatching::Ignore, Normalization::Smart);
                (
                    Finder::new(lower.as_bytes()).into_owned(),
                    char_set(&lower),
                    pattern,
                )
            })
            .collect();
        let (event, scope, action) = (
            finders(&query.event),
            finders(&query.scope),
            finders(&query.action),
        );
        candidates
            .filter_map(|rank| index.rows.get(rank))
            .filter(|row| {
                if query.enabled.is_some_and(|on| on != row.enabled)
                    || !contains_all(index.part(row, 2, 3), &event)
                    || !contains_all(index.part(row, 3, 4), &scope)
                    || !contains_all(index.part(row, 4, 5), &action)
                {
                    return false;
                }
                words.iter().all(|(finder, set, pattern)| {
                    finder.find(index.part(row, 0, 5).as_bytes()).is_some()
                        || (set.is_none_or(|w| w & !row.name_chars.unwrap_or(u64::MAX) == 0)
                            && pattern
                                .score(
                                    Utf32Str::new(index.part(row, 0, 1), &mut self.buf),
                                    &mut self.matcher,
                                )
                                .is_some())
                })
            })
            .map(|row| row.item as usize)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn character_sets_prefilter_fuzzy_matches() {
        assert_eq!(char_set("ab"), Some(0b11));
        assert_eq!(char_set("A-1"), Some(1 | 1 << 36 | 1 << 27));
        assert_eq!(char_set("é"), None);
    }

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
