//! Request ids: every request the dashboard makes carries one, and an answer whose id is not the
//! newest of its kind is dropped, so the last thing asked for wins. The newest id is kept per
//! kind in a map, so a new kind of request needs nothing here.

use std::collections::BTreeMap;

/// Fresh ids, and the newest one of each kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Requests<K> {
    next: u64,
    newest: BTreeMap<K, u64>,
}

impl<K: Ord> Default for Requests<K> {
    fn default() -> Self {
        Self {
            next: 1,
            newest: BTreeMap::new(),
        }
    }
}

impl<K: Ord + Copy> Requests<K> {
    /// A fresh id of no kind (its asker keeps it to compare).
    pub(crate) fn fresh(&mut self) -> u64 {
        let id = self.next;
        self.next += 1;
        id
    }

    /// A fresh id that becomes the newest of its kind.
    pub(crate) fn ask(&mut self, kind: K) -> u64 {
        let id = self.fresh();
        self.newest.insert(kind, id);
        id
    }

    /// The newest id of a kind (0 before the first).
    pub(crate) fn newest(&self, kind: K) -> u64 {
        self.newest.get(&kind).copied().unwrap_or(0)
    }

    /// Whether `id` is the newest of its kind.
    pub(crate) fn is_newest(&self, kind: K, id: u64) -> bool {
        self.newest.get(&kind) == Some(&id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// More kinds than the eight there were when the newest ids sat in an array.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
    enum Kind {
        A,
        B,
        C,
        D,
        E,
        F,
        G,
        H,
        I,
        J,
        K,
        L,
    }

    #[test]
    fn any_number_of_kinds_keep_their_newest_id() {
        use Kind::*;
        let all = [A, B, C, D, E, F, G, H, I, J, K, L];
        let mut requests = Requests::default();
        assert!(all.iter().all(|k| requests.newest(*k) == 0));
        let first: Vec<u64> = all.iter().map(|k| requests.ask(*k)).collect();
        let again = requests.ask(L);
        for (kind, id) in all.iter().zip(&first) {
            assert_eq!(requests.is_newest(*kind, *id), *kind != L, "{kind:?}");
        }
        assert!(requests.is_newest(L, again));
        assert_ne!(requests.fresh(), again);
    }
}
