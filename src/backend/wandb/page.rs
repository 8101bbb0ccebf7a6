//! One page of a Relay connection read straight from an answer's text: the connection is found
//! by its path in one pass, everything beside it is skipped unread, and each node is kept as the
//! text the server sent (decoded later by whoever reads it, and shown as is in the Wire view).

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;

/// One page: its nodes as sent, and the next cursor when there are more pages.
pub(crate) struct Page {
    /// The non-null nodes, in order.
    pub(crate) nodes: Vec<Box<RawValue>>,
    /// The cursor of the next page, if W&B says there is one.
    pub(crate) next: Option<String>,
    /// W&B said there are more pages.
    pub(crate) more: bool,
}

/// What a path through the answer led to.
pub(crate) enum Found {
    /// The connection at the end of the path.
    Page(Page),
    /// The path stopped (a key missing or `null`) after this many of its keys were found.
    Missing(usize),
}

#[derive(Deserialize)]
struct Connection {
    edges: Vec<Option<Edge>>,
    #[serde(rename = "pageInfo")]
    page_info: PageInfo,
}

#[derive(Deserialize)]
struct Edge {
    #[serde(default)]
    node: Option<Box<RawValue>>,
}

#[derive(Deserialize)]
struct PageInfo {
    #[serde(rename = "hasNextPage", default)]
    has_next_page: Option<bool>,
    #[serde(rename = "endCursor", default)]
    end_cursor: Option<String>,
}

/// Follows `path` (object keys) down to a connection. `found` counts the keys of the whole path
/// found so far, this one included (0 for the answer's `data` itself).
struct PathSeed<'p> {
    path: &'p [&'p str],
    found: usize,
}

impl<'de> DeserializeSeed<'de> for PathSeed<'_> {
    type Value = Found;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Found, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for PathSeed<'_> {
    type Value = Found;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object holding a connection")
    }

    fn visit_none<E>(self) -> Result<Found, E> {
        Ok(Found::Missing(self.found.saturating_sub(1)))
    }

    fn visit_unit<E>(self) -> Result<Found, E> {
        Ok(Found::Missing(self.found.saturating_sub(1)))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Found, D::Error> {
        match self.path.split_first() {
            None => {
                let c = Connection::deserialize(d)?;
                let more = c.page_info.has_next_page.unwrap_or(false);
                Ok(Found::Page(Page {
                    nodes: c
                        .edges
                        .into_iter()
                        .flatten()
                        .filter_map(|e| e.node)
                        .collect(),
                    next: c.page_info.end_cursor.filter(|_| more),
                    more,
                }))
            }
            Some(_) => d.deserialize_map(self),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found, A::Error> {
        let Some((key, rest)) = self.path.split_first() else {
            return Err(serde::de::Error::custom(
                "a connection where an object was expected",
            ));
        };
        let mut found = Found::Missing(self.found);
        while let Some(is_key) = map.next_key_seed(KeyIs(key))? {
            if is_key {
                found = map.next_value_seed(PathSeed {
                    path: rest,
                    found: self.found + 1,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// Whether an object's key is the one looked for, read without copying it.
struct KeyIs<'k>(&'k str);

impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyIs<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E>(self, v: &str) -> Result<bool, E> {
        Ok(v == self.0)
    }
}

/// Finds the connection at `path` in an answer's `data` text.
pub(crate) fn at_path(data: &RawValue, path: &[&str]) -> Result<Found, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(data.get());
    let found = de.deserialize_map(PathSeed { path, found: 0 })?;
    de.end()?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_string()).unwrap()
    }

    #[test]
    fn the_connection_is_found_and_the_rest_skipped() {
        let data = raw(
            r#"{"other":{"edges":[]},"scope":{"id":"E1","triggers":{"edges":[{"node":{"id":"a","x":[1,2]}},{"node":null},null],"pageInfo":{"hasNextPage":true,"endCursor":"c1"}}}}"#,
        );
        let Ok(Found::Page(page)) = at_path(&data, &["scope", "triggers"]) else {
            panic!("no page")
        };
        let nodes: Vec<&str> = page.nodes.iter().map(|n| n.get()).collect();
        assert_eq!(nodes, [r#"{"id":"a","x":[1,2]}"#]);
        assert_eq!(page.next.as_deref(), Some("c1"));
    }

    #[test]
    fn a_path_that_stops_says_where() {
        let depth = |text: &str| match at_path(&raw(text), &["scope", "triggers"]) {
            Ok(Found::Missing(d)) => Some(d),
            _ => None,
        };
        assert_eq!(depth(r#"{"scope":null}"#), Some(0));
        assert_eq!(depth(r#"{}"#), Some(0));
        assert_eq!(depth(r#"{"scope":{"triggers":null}}"#), Some(1));
        assert!(at_path(&raw(r#"{"scope":"odd"}"#), &["scope", "triggers"]).is_err());
        assert!(
            at_path(
                &raw(r#"{"scope":{"triggers":{"edges":[]}}}"#),
                &["scope", "triggers"]
            )
            .is_err()
        );
    }

    #[test]
    fn no_cursor_is_kept_on_the_last_page() {
        let data = raw(r#"{"c":{"edges":[],"pageInfo":{"hasNextPage":false,"endCursor":"z"}}}"#);
        let Ok(Found::Page(page)) = at_path(&data, &["c"]) else {
            panic!("no page")
        };
        assert!(page.next.is_none() && !page.more);
    }
}
