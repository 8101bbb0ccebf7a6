//! The stored JSON of the selected automation, for the Wire tab and the raw view. W&B's listing
//! carries it; the local database renders it only when a view asks, so a listing of 10,000 never
//! makes 10,000 JSON texts nobody reads.

use super::list::Item;

/// What a JSON text was asked for: the automation's id, its change stamp and its state.
pub type WireKey = (String, Option<String>, bool);

/// The one JSON text asked of the backend, and the one asked for now.
#[derive(Debug, Default)]
pub(crate) struct WireCache {
    asked: Option<WireKey>,
    loaded: Option<(WireKey, Result<String, String>)>,
}

/// The key of an item as it is now.
pub(crate) fn key_of(item: &Item) -> WireKey {
    let a = &item.saved.automation;
    (item.id().to_string(), a.updated_at.clone(), a.enabled)
}

impl WireCache {
    /// The JSON of `item`: its own, the one loaded for it as it is now, or `None` while it loads.
    pub(crate) fn text<'a>(&'a self, item: &'a Item) -> Option<Result<&'a str, &'a str>> {
        if let Some(wire) = &item.saved.wire {
            return Some(Ok(wire));
        }
        match &self.loaded {
            Some((key, result)) if *key == key_of(item) => {
                Some(result.as_deref().map_err(String::as_str))
            }
            _ => None,
        }
    }

    /// Whether the JSON of `key` (an item that carries none) must be asked of the backend: it
    /// was neither loaded nor asked for yet. It then counts as asked.
    pub(crate) fn mark_asked(&mut self, key: WireKey) -> Option<WireKey> {
        let loaded = matches!(&self.loaded, Some((k, _)) if *k == key);
        if loaded || self.asked.as_ref() == Some(&key) {
            return None;
        }
        self.asked = Some(key.clone());
        Some(key)
    }

    /// An answer arrived; one for a key no longer asked for is dropped.
    pub(crate) fn loaded(&mut self, key: WireKey, result: Result<String, String>) {
        if self.asked.as_ref() == Some(&key) {
            self.loaded = Some((key, result));
        }
    }

    /// Forgets everything (another entity or backend).
    pub(crate) fn clear(&mut self) {
        *self = Self::default();
    }
}
