//! Where a problem's path (`[1].event.threshold`, `event.states[0]`) sits in a file's text, as a
//! 1-based line and column, so a message can point at it. JSON is read as the YAML it also is.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

/// A document node with the location of every value below it.
enum Node {
    Leaf,
    List(Vec<Spanned<Node>>),
    Map(Vec<(String, Spanned<Node>)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Node, E> {
        Ok(Node::Leaf)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Node, E> {
        Ok(Node::Leaf)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Node, E> {
        Ok(Node::Leaf)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Node, E> {
        Ok(Node::Leaf)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Node, E> {
        Ok(Node::Leaf)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Leaf)
    }
    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Leaf)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<KeyText, Spanned<Node>>()? {
            entries.push((key.0, value));
        }
        Ok(Node::Map(entries))
    }
}

/// A mapping key as text, whatever scalar it was written as.
struct KeyText(String);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = KeyText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<KeyText, E> {
                Ok(KeyText(String::new()))
            }
        }
        d.deserialize_any(KeyVisitor)
    }
}

/// One step of a problem path: a key or a list index.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn steps(path: &str) -> Vec<Step<'_>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, mut rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            out.push(Step::Key(key));
        }
        while let Some((index, after)) = rest.split_once(']') {
            if let Ok(i) = index.parse() {
                out.push(Step::Index(i));
            }
            rest = after.strip_prefix('[').unwrap_or("");
        }
    }
    out
}

/// The line and column (1-based) of the deepest part of `path` present in `text`; `None` when
/// the text cannot be read or the path's first step is not there.
pub(crate) fn locate(text: &str, path: &str) -> Option<(usize, usize)> {
    let root: Spanned<Node> = serde_saphyr::from_str(text).ok()?;
    let mut here = &root;
    let mut found = None;
    for step in steps(path) {
        let next = match (&here.value, step) {
            (Node::Map(entries), Step::Key(k)) => {
                entries.iter().find(|(n, _)| n == k).map(|e| &e.1)
            }
            (Node::List(items), Step::Index(i)) => items.get(i),
            _ => None,
        };
        let Some(next) = next else { break };
        here = next;
        found = Some(here);
    }
    let at = found.unwrap_or(&root).referenced;
    (at.line() > 0).then(|| (at.line() as usize, at.column() as usize))
}

#[cfg(test)]
mod tests {
    use super::locate;

    #[test]
    fn finds_keys_and_items_in_yaml_and_json() {
        let yaml = "- name: a\n  event:\n    type: run_metric_threshold\n    threshold: x\n- name: b\n  event:\n    states: [finished, bogus]\n";
        assert_eq!(locate(yaml, "[0].event.threshold"), Some((4, 16)));
        assert_eq!(locate(yaml, "[1].event.states[1]"), Some((7, 24)));
        // A missing key points at the nearest part that is there.
        assert_eq!(locate(yaml, "[1].action"), Some((5, 3)));
        let json = "{\n  \"name\": \"a\",\n  \"event\": {\"threshold\": \"x\"}\n}";
        assert_eq!(locate(json, "event.threshold"), Some((3, 26)));
        assert_eq!(locate("- [unclosed", "x"), None);
    }
}
