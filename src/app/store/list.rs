//! The loaded automations and everything derived from them: the id index, the sorted order, the
//! filtered view, the search index and the counts. Fields are private so the derived parts can
//! never disagree with the items: every change goes through a method that patches or rebuilds
//! them together, and [`AutomationList::clear`] clears all of them.

use crate::app::filter::{Filter, Query, SearchIndex};
use crate::backend::{Listing, SavedAutomation, Unreadable};
use crate::model::summary::row_cells;
use crate::ops::LastFired;
use std::cmp::Ordering;
use std::collections::HashMap;

/// One loaded automation with the text its row shows, computed once when loaded.
#[derive(Clone, Debug)]
pub struct Item {
    /// The automation and its stored JSON.
    pub saved: SavedAutomation,
    /// Event cell, e.g. `avg(loss)[5] > 0.5`.
    pub(crate) event: String,
    /// Scope cell, e.g. `project acme/vision`.
    pub(crate) scope: String,
    /// Action cell, e.g. `slack #ml-alerts`.
    pub(crate) action: String,
    /// Last change (or creation) in Unix seconds, for sorting and "3d ago".
    pub(crate) changed: i64,
}

fn seconds(stamp: Option<&str>) -> Option<i64> {
    stamp?
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_second())
}

impl Item {
    /// Builds an item and its cached text.
    pub(crate) fn new(saved: SavedAutomation) -> Self {
        let a = &saved.automation;
        let cells = row_cells(a);
        let changed = seconds(a.updated_at.as_deref())
            .or_else(|| seconds(a.created_at.as_deref()))
            .unwrap_or(0);
        Self {
            event: cells.event,
            scope: cells.scope,
            action: cells.action,
            changed,
            saved,
        }
    }

    /// The automation's id (every saved automation has one).
    pub fn id(&self) -> &str {
        self.saved.automation.id.as_deref().unwrap_or_default()
    }

    /// Whether it is enabled.
    pub(crate) fn enabled(&self) -> bool {
        self.saved.automation.enabled
    }
}

/// Columns the list can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    /// By name.
    Name,
    /// By last change, newest first.
    Updated,
    /// By the last real firing, newest first (never fired last).
    Last,
    /// By event kind.
    Event,
    /// By scope.
    Scope,
    /// Enabled first.
    State,
}

impl SortKey {
    /// The next column.
    pub(crate) fn next(self) -> Self {
        match self {
            SortKey::Name => SortKey::Updated,
            SortKey::Updated => SortKey::Last,
            SortKey::Last => SortKey::Event,
            SortKey::Event => SortKey::Scope,
            SortKey::Scope => SortKey::State,
            SortKey::State => SortKey::Name,
        }
    }

    /// Its label.
    pub(crate) fn label(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Updated => "updated",
            SortKey::Last => "last fired",
            SortKey::Event => "event",
            SortKey::Scope => "scope",
            SortKey::State => "state",
        }
    }

    fn compare(self, x: &Item, y: &Item, last: &HashMap<String, LastFired>) -> Ordering {
        let (a, b) = (&x.saved.automation, &y.saved.automation);
        let fired = |i: &Item| last.get(i.id()).map(|l| l.at);
        let ord = match self {
            SortKey::Name => a.name.cmp(&b.name),
            SortKey::Updated => y.changed.cmp(&x.changed),
            SortKey::Last => fired(y).cmp(&fired(x)),
            SortKey::Event => x.event.cmp(&y.event),
            SortKey::Scope => x.scope.cmp(&y.scope),
            SortKey::State => b.enabled.cmp(&a.enabled),
        };
        ord.then_with(|| a.name.cmp(&b.name))
    }
}

/// How the list was last loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Loading {
    /// Waiting for the first answer.
    Loading,
    /// The first page is shown; the whole listing is on its way.
    FirstPage,
    /// Loaded (and perhaps refreshing in the background).
    Ready,
    /// The last load failed.
    Failed(String),
}

/// The automation list store.
#[derive(Debug)]
pub struct AutomationList {
    items: Vec<Item>,
    unreadable: Vec<Unreadable>,
    /// Item index by id.
    index: HashMap<String, usize>,
    /// Item indexes, sorted.
    order: Vec<usize>,
    /// `order` filtered: the rows shown.
    view: Vec<usize>,
    search: SearchIndex,
    disabled: usize,
    sort: SortKey,
    reverse: bool,
    filter: String,
    matcher: Filter,
    loading: Loading,
    loaded_at: Option<i64>,
    /// The last real firing of each automation, by id (the LAST column).
    last: HashMap<String, LastFired>,
}

impl Default for AutomationList {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            unreadable: Vec::new(),
            index: HashMap::new(),
            order: Vec::new(),
            view: Vec::new(),
            search: SearchIndex::default(),
            disabled: 0,
            sort: SortKey::Name,
            reverse: false,
            filter: String::new(),
            matcher: Filter::default(),
            loading: Loading::Loading,
            loaded_at: None,
            last: HashMap::new(),
        }
    }
}

impl AutomationList {
    /// Every loaded automation, in load order.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// How many are loaded.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether none are loaded.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// How many are disabled.
    pub fn disabled(&self) -> usize {
        self.disabled
    }

    /// Automations the backend returned but that could not be read.
    pub(crate) fn unreadable(&self) -> &[Unreadable] {
        &self.unreadable
    }

    /// The item of an id.
    pub fn get(&self, id: &str) -> Option<&Item> {
        self.index.get(id).map(|&i| &self.items[i])
    }

    /// Whether an id is loaded.
    pub(crate) fn contains(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    /// How many rows the view shows.
    pub fn view_len(&self) -> usize {
        self.view.len()
    }

    /// The item at a view position.
    pub(crate) fn at(&self, position: usize) -> Option<&Item> {
        self.view.get(position).map(|&i| &self.items[i])
    }

    /// The items of view positions `from..to` (clamped), for drawing the visible slice.
    pub fn rows(&self, from: usize, to: usize) -> impl Iterator<Item = &Item> {
        let to = to.min(self.view.len());
        self.view[from.min(to)..to].iter().map(|&i| &self.items[i])
    }

    /// The view position of an id, if it is shown.
    pub(crate) fn position(&self, id: &str) -> Option<usize> {
        let i = *self.index.get(id)?;
        self.view.iter().position(|&v| v == i)
    }

    /// The filter text in force.
    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// The sort column.
    pub fn sort(&self) -> SortKey {
        self.sort
    }

    /// Whether the sort is reversed.
    pub fn reverse(&self) -> bool {
        self.reverse
    }

    /// The last real firing of an automation, if it fired.
    pub(crate) fn last(&self, id: &str) -> Option<&LastFired> {
        self.last.get(id)
    }

    /// Whether anything fired (the LAST column is shown then).
    pub(crate) fn any_fired(&self) -> bool {
        !self.last.is_empty()
    }

    /// What fired last on each automation; the list moves its rows when sorted by it.
    pub fn set_last(&mut self, last: HashMap<String, LastFired>) {
        if self.last == last {
            return;
        }
        self.last = last;
        if self.sort == SortKey::Last {
            self.resort();
            self.reindex();
        }
    }

    /// How the last load went.
    pub fn loading(&self) -> &Loading {
        &self.loading
    }

    /// When the list was last loaded or refused (Unix seconds).
    pub(crate) fn loaded_at(&self) -> Option<i64> {
        self.loaded_at
    }

    /// Replaces everything with a listing; `optimistic` gives the `enabled` of a toggle still in
    /// flight, which wins over the listing's value.
    pub fn replace(
        &mut self,
        listing: Listing,
        now: i64,
        optimistic: impl Fn(&str) -> Option<bool>,
    ) {
        self.items = listing
            .automations
            .into_iter()
            .map(|mut saved| {
                let id = saved.automation.id.as_deref().unwrap_or_default();
                if let Some(enabled) = optimistic(id) {
                    saved.automation.enabled = enabled;
                }
                Item::new(saved)
            })
            .collect();
        self.unreadable = listing.unreadable;
        self.loading = Loading::Ready;
        self.loaded_at = Some(now);
        self.rebuild();
    }

    /// Shows the first page of a listing while the rest loads.
    pub(crate) fn first_page(
        &mut self,
        listing: Listing,
        now: i64,
        optimistic: impl Fn(&str) -> Option<bool>,
    ) {
        self.replace(listing, now, optimistic);
        self.loading = Loading::FirstPage;
    }

    /// Records a failed load (the items loaded before stay).
    pub(crate) fn failed(&mut self, error: String, now: i64) {
        self.loading = Loading::Failed(error);
        self.loaded_at = Some(now);
    }

    /// Forgets everything (a switch of entity or backend): items and every derived part.
    pub(crate) fn clear(&mut self) {
        let (sort, reverse, filter) = (self.sort, self.reverse, std::mem::take(&mut self.filter));
        *self = Self {
            sort,
            reverse,
            filter,
            ..Self::default()
        };
    }

    /// Adds or replaces one automation, moving only its row.
    pub fn upsert(&mut self, saved: SavedAutomation) {
        let item = Item::new(saved);
        let id = item.id().to_string();
        match self.index.get(&id).copied() {
            Some(i) => {
                self.disabled = self.disabled + usize::from(!item.enabled())
                    - usize::from(!self.items[i].enabled());
                let enabled = item.enabled();
                let same_text = self.search.same_text(i, &item);
                self.items[i] = item;
                if same_text && self.still_in_place(i) {
                    // A toggle's answer or a save that moved nothing: patch, do not rebuild.
                    self.search.set_enabled(i, enabled);
                    self.refilter();
                    return;
                }
                self.order.retain(|&o| o != i);
                self.insert_sorted(i);
            }
            None => {
                let i = self.items.len();
                self.disabled += usize::from(!item.enabled());
                self.items.push(item);
                self.index.insert(id, i);
                self.insert_sorted(i);
            }
        }
        self.reindex();
    }

    /// Sets `enabled` of one automation (an optimistic toggle or its rollback) without a re-sort:
    /// the row moves only when the list is sorted by state.
    pub fn set_enabled(&mut self, id: &str, enabled: bool) {
        let Some(&i) = self.index.get(id) else {
            return;
        };
        if self.items[i].enabled() == enabled {
            return;
        }
        self.items[i].saved.automation.enabled = enabled;
        if enabled {
            self.disabled -= 1;
        } else {
            self.disabled += 1;
        }
        if self.sort == SortKey::State {
            self.order.retain(|&o| o != i);
            self.insert_sorted(i);
            self.reindex();
        } else {
            self.search.set_enabled(i, enabled);
            self.refilter();
        }
    }

    /// Removes one automation.
    pub fn remove(&mut self, id: &str) -> Option<Item> {
        let i = self.index.remove(id)?;
        let item = self.items.remove(i);
        self.disabled -= usize::from(!item.enabled());
        self.order.retain(|&o| o != i);
        for o in &mut self.order {
            if *o > i {
                *o -= 1;
            }
        }
        for v in self.index.values_mut() {
            if *v > i {
                *v -= 1;
            }
        }
        self.reindex();
        Some(item)
    }

    /// Sorts by another column or direction.
    pub fn set_sort(&mut self, sort: SortKey, reverse: bool) {
        self.sort = sort;
        self.reverse = reverse;
        self.resort();
        self.reindex();
    }

    /// Sets the filter text: more plain text narrows the current view; anything else filters
    /// the sorted order again.
    pub fn set_filter(&mut self, text: &str) {
        let before = std::mem::replace(&mut self.filter, text.to_string());
        if text.starts_with(&before) && !before.is_empty() && !text.contains(':') {
            let query = Query::parse(&self.filter);
            let current = std::mem::take(&mut self.view);
            self.view = self
                .matcher
                .apply(&self.search, self.search.ranks(&current), &query);
        } else {
            self.refilter();
        }
    }

    /// Ids of the view positions `from..=to`.
    pub(crate) fn ids_between(&self, from: usize, to: usize) -> Vec<String> {
        let last = self.view.len().saturating_sub(1);
        if self.view.is_empty() {
            return Vec::new();
        }
        self.view[from.min(last)..=to.min(last)]
            .iter()
            .map(|&i| self.items[i].id().to_string())
            .collect()
    }

    /// Whether item `i` still sorts between its neighbours in `order`.
    fn still_in_place(&self, i: usize) -> bool {
        let Some(at) = self
            .search
            .rank_of(i)
            .filter(|&r| self.order.get(r) == Some(&i))
        else {
            return false;
        };
        let before = |a: usize, b: usize| {
            let ord = self
                .sort
                .compare(&self.items[a], &self.items[b], &self.last);
            if self.reverse {
                ord != Ordering::Less
            } else {
                ord != Ordering::Greater
            }
        };
        let left = at == 0 || before(self.order[at - 1], i);
        let right = at + 1 >= self.order.len() || before(i, self.order[at + 1]);
        left && right
    }

    fn insert_sorted(&mut self, i: usize) {
        let (items, key, reverse, last) = (&self.items, self.sort, self.reverse, &self.last);
        let at = self.order.partition_point(|&o| {
            let ord = key.compare(&items[o], &items[i], last);
            if reverse {
                ord == Ordering::Greater
            } else {
                ord != Ordering::Greater
            }
        });
        self.order.insert(at, i);
    }

    fn rebuild(&mut self) {
        self.index = self
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| (item.id().to_string(), i))
            .collect();
        self.disabled = self.items.iter().filter(|i| !i.enabled()).count();
        self.resort();
        self.reindex();
    }

    fn resort(&mut self) {
        let (items, key, last) = (&self.items, self.sort, &self.last);
        let mut order: Vec<usize> = (0..items.len()).collect();
        order.sort_by(|&a, &b| key.compare(&items[a], &items[b], last));
        if self.reverse {
            order.reverse();
        }
        self.order = order;
    }

    /// Rebuilds the search index in the current order, then the view.
    fn reindex(&mut self) {
        self.search = SearchIndex::build(&self.items, &self.order);
        self.refilter();
    }

    fn refilter(&mut self) {
        let query = Query::parse(&self.filter);
        self.view = if query.is_empty() {
            self.order.clone()
        } else {
            self.matcher.apply(&self.search, self.search.all(), &query)
        };
    }
}
