//! The dashboard's state: loaded automations, the cached view, selection, overlays and toasts.

use super::filter::{Filter, Query, SearchIndex};
use super::keys::{Context, Keymap};
use crate::backend::{BackendInfo, SavedAutomation, Unreadable};
use crate::model::summary::{action_short, event_short};
use crate::model::{Automation, Capabilities, Integration};
use std::collections::{BTreeSet, HashMap, VecDeque};

/// One loaded automation with the text its row shows, computed once when loaded.
#[derive(Clone, Debug)]
pub struct Item {
    /// The automation and its stored JSON.
    pub saved: SavedAutomation,
    /// Row cells (without state and time).
    pub event: String,
    /// Scope, e.g. `project acme/vision`.
    pub scope: String,
    /// Action, e.g. `slack #ml-alerts`.
    pub action: String,
    /// Last change (or creation) in Unix seconds, for sorting and "3d ago".
    pub changed: i64,
}

fn seconds(stamp: Option<&str>) -> Option<i64> {
    stamp?
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_second())
}

impl Item {
    /// Builds an item and its cached text.
    pub fn new(saved: SavedAutomation) -> Self {
        let a = &saved.automation;
        let event = event_short(&a.event);
        let scope = a.scope.path.to_string();
        let mut action = action_short(&a.action);
        if !a.is_editable() {
            action.push_str(" (read-only)");
        }
        let changed = seconds(a.updated_at.as_deref())
            .or_else(|| seconds(a.created_at.as_deref()))
            .unwrap_or(0);
        Self {
            saved,
            event,
            scope,
            action,
            changed,
        }
    }

    /// The automation's id (every saved automation has one).
    pub fn id(&self) -> &str {
        self.saved.automation.id.as_deref().unwrap_or_default()
    }
}

/// Columns the list can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    /// By name.
    Name,
    /// By last change, newest first.
    Updated,
    /// By event kind.
    Event,
    /// By scope.
    Scope,
    /// Enabled first.
    State,
}

impl SortKey {
    /// The next column.
    pub fn next(self) -> Self {
        match self {
            SortKey::Name => SortKey::Updated,
            SortKey::Updated => SortKey::Event,
            SortKey::Event => SortKey::Scope,
            SortKey::Scope => SortKey::State,
            SortKey::State => SortKey::Name,
        }
    }

    /// Its label.
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Updated => "updated",
            SortKey::Event => "event",
            SortKey::Scope => "scope",
            SortKey::State => "state",
        }
    }
}

/// The tabs of the full detail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DetailTab {
    /// Plain words.
    Overview,
    /// The JSON as stored.
    Wire,
    /// The same automation as `wandb.automations` code.
    Python,
}

impl DetailTab {
    /// Every tab, in order.
    pub const ALL: [DetailTab; 3] = [DetailTab::Overview, DetailTab::Wire, DetailTab::Python];

    /// Its title.
    pub fn title(self) -> &'static str {
        match self {
            DetailTab::Overview => "Overview",
            DetailTab::Wire => "Wire",
            DetailTab::Python => "Python",
        }
    }
}

/// A line of a diff between two automation files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiffLine {
    /// Unchanged.
    Same(String),
    /// Removed.
    Removed(String),
    /// Added.
    Added(String),
}

/// What a confirmation is about.
#[derive(Clone, Debug, PartialEq)]
pub enum Confirm {
    /// Delete these automations (ids and names). More than one needs the count typed.
    Delete {
        ids: Vec<String>,
        names: Vec<String>,
        typed: String,
    },
    /// Enable or disable these automations.
    Toggle {
        ids: Vec<String>,
        names: Vec<String>,
    },
    /// Save an automation edited as a file.
    SaveEdit {
        before: Box<Automation>,
        after: Box<Automation>,
        text: String,
        diff: Vec<DiffLine>,
    },
}

/// What covers the list, if anything.
#[derive(Clone, Debug, PartialEq)]
pub enum Overlay {
    /// Nothing: the list.
    None,
    /// The full detail of the selected automation.
    Detail { tab: DetailTab, scroll: u16 },
    /// The stored JSON of the selected automation.
    Raw { scroll: u16 },
    /// The integrations of the entity.
    Integrations { selected: usize },
    /// Help, filtered by what is typed.
    Help { filter: String, scroll: u16 },
    /// The command palette.
    Palette { input: String, selected: usize },
    /// A question; `yes` says which button has focus (Cancel by default).
    Confirm { what: Confirm, yes: bool },
    /// An automation file that did not validate, kept so nothing typed is lost.
    EditError {
        id: String,
        text: String,
        message: String,
    },
    /// Switching entity or backend.
    Switch { input: String, backend: usize },
    /// The creation wizard.
    Wizard(Box<super::wizard_screen::WizardScreen>),
}

/// Kinds of toast.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToastKind {
    /// Something worked.
    Info,
    /// Something did not.
    Error,
}

/// A short message shown over the screen for a few seconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toast {
    /// Info or error.
    pub kind: ToastKind,
    /// The text.
    pub text: String,
    /// When it disappears (Unix seconds).
    pub until: i64,
}

/// A write in flight, so the row can show a spinner and roll back.
#[derive(Clone, Debug, PartialEq)]
pub enum Pending {
    /// Enabled was flipped optimistically; this is the automation before.
    Toggle(Box<Automation>),
    /// An edit is being saved.
    Save,
    /// A delete is in flight.
    Delete,
}

/// How to undo a change.
#[derive(Clone, Debug, PartialEq)]
pub enum Undo {
    /// Put this content back (by id).
    Restore {
        label: String,
        before: Box<Automation>,
    },
    /// Create this deleted automation again.
    Recreate {
        label: String,
        deleted: Box<Automation>,
    },
}

/// How the list was last loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Loading {
    /// Waiting for the first answer.
    Loading,
    /// Loaded (and perhaps refreshing in the background).
    Ready,
    /// The last load failed.
    Failed(String),
}

/// A backend the dashboard can switch to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendChoice {
    /// Which and where.
    pub info: BackendInfo,
    /// Its default entity, if known.
    pub entity: Option<String>,
}

/// Everything the dashboard shows. Changed only by `update`; read by `view`.
#[derive(Debug)]
pub struct State {
    /// Backends available; `backend` indexes the one in use.
    pub backends: Vec<BackendChoice>,
    /// The backend in use.
    pub backend: usize,
    /// What the backend in use accepts.
    pub capabilities: Capabilities,
    /// The entity shown.
    pub entity: String,
    /// Why writes are refused, if they are.
    pub read_only: Option<String>,
    /// Loaded automations.
    pub items: Vec<Item>,
    /// Automations that could not be read.
    pub unreadable: Vec<Unreadable>,
    /// Indexes into `items`, sorted; recomputed only when items or the sort change.
    pub order: Vec<usize>,
    /// `order` filtered: the rows shown. Recomputed only when data, filter or sort change.
    pub view: Vec<usize>,
    /// How many automations are disabled (counted when items change, not per frame).
    pub disabled: usize,
    /// The filter's index of `items`, rebuilt when items change.
    pub search: SearchIndex,
    /// Selected position in `view`.
    pub selected: usize,
    /// First visible position in `view`.
    pub offset: usize,
    /// The filter text in force.
    pub filter: String,
    /// Whether the filter is being typed, and the text to restore on Esc.
    pub filter_editing: Option<String>,
    /// Sort column and direction.
    pub sort: SortKey,
    /// Reverse the sort.
    pub reverse: bool,
    /// Marked ids.
    pub marks: BTreeSet<String>,
    /// Where a range mark started (position in `view`).
    pub range_from: Option<usize>,
    /// Writes in flight, by automation id.
    pub pending: HashMap<String, Pending>,
    /// What covers the list.
    pub overlay: Overlay,
    /// Toasts, oldest first.
    pub toasts: VecDeque<Toast>,
    /// Load state.
    pub loading: Loading,
    /// When the list was last loaded (Unix seconds).
    pub loaded_at: Option<i64>,
    /// The current time (Unix seconds), advanced by ticks; `view` never reads the clock.
    pub now: i64,
    /// Animation frame for spinners.
    pub frame: usize,
    /// Changes that can be undone, newest last.
    pub undo: Vec<Undo>,
    /// Integrations of the entity, once loaded.
    pub integrations: Option<Result<Vec<Integration>, String>>,
    /// The id of the newest list request; older answers are dropped.
    pub list_request: u64,
    /// The id of the newest integrations request.
    pub integrations_request: u64,
    /// The next request id.
    pub next_request: u64,
    /// Terminal size.
    pub width: u16,
    /// Terminal size.
    pub height: u16,
    /// The key table.
    pub keymap: Keymap,
    /// Seconds between automatic reloads (`None` = off).
    pub refresh_every: Option<i64>,
    /// Auto-refresh paused with `p`.
    pub paused: bool,
    /// Set when the user quits.
    pub quit: bool,
    /// The fuzzy matcher.
    pub matcher: Filter,
    /// Draw without colour (the `mono` theme or `NO_COLOR`).
    pub mono: bool,
    /// A wizard in progress kept from before, offered back by `n`.
    pub draft: Option<crate::wizard::draft::Draft>,
}

impl State {
    /// A state for `backends[0]` and `entity`, before anything is loaded.
    pub fn new(
        backends: Vec<BackendChoice>,
        entity: String,
        capabilities: Capabilities,
        now: i64,
    ) -> Self {
        Self {
            backends,
            backend: 0,
            capabilities,
            entity,
            read_only: None,
            items: Vec::new(),
            unreadable: Vec::new(),
            order: Vec::new(),
            view: Vec::new(),
            disabled: 0,
            search: SearchIndex::default(),
            selected: 0,
            offset: 0,
            filter: String::new(),
            filter_editing: None,
            sort: SortKey::Name,
            reverse: false,
            marks: BTreeSet::new(),
            range_from: None,
            pending: HashMap::new(),
            overlay: Overlay::None,
            toasts: VecDeque::new(),
            loading: Loading::Loading,
            loaded_at: None,
            now,
            frame: 0,
            undo: Vec::new(),
            integrations: None,
            list_request: 0,
            integrations_request: 0,
            next_request: 1,
            width: 80,
            height: 24,
            keymap: Keymap::default(),
            refresh_every: None,
            paused: false,
            quit: false,
            matcher: Filter::default(),
            mono: false,
            draft: None,
        }
    }

    /// The backend in use.
    pub fn backend_info(&self) -> &BackendInfo {
        &self.backends[self.backend.min(self.backends.len().saturating_sub(1))].info
    }

    /// The context keys are looked up in.
    pub fn context(&self) -> Context {
        match self.overlay {
            Overlay::Detail { .. } => Context::Detail,
            Overlay::Raw { .. } => Context::Raw,
            Overlay::Integrations { .. } => Context::Integrations,
            _ => Context::List,
        }
    }

    /// The selected item, if any.
    pub fn selected_item(&self) -> Option<&Item> {
        self.view
            .get(self.selected)
            .and_then(|&i| self.items.get(i))
    }

    /// The position of an item id in `items`.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.items.iter().position(|i| i.id() == id)
    }

    /// Rows the list shows at once (the list area's height minus its header).
    pub fn page_rows(&self) -> usize {
        super::layout::list_rows(self.width, self.height).max(1)
    }

    /// Recomputes the sorted order and the view after items or the sort changed, keeping the
    /// selection on the same id.
    pub fn recompute(&mut self) {
        let keep = self.selected_item().map(|i| i.id().to_string());
        self.recompute_keeping(keep.as_deref());
    }

    /// [`State::recompute`], selecting `id` if it is still shown.
    pub fn recompute_keeping(&mut self, id: Option<&str>) {
        self.resort();
        let keep = id.and_then(|id| self.index_of(id));
        self.filter_order(keep);
    }

    /// Recomputes the view after only the filter changed: the cached order is filtered again.
    pub fn refilter(&mut self) {
        let keep = self.view.get(self.selected).copied();
        self.filter_order(keep);
    }

    fn resort(&mut self) {
        let items = &self.items;
        let key = self.sort;
        let mut order: Vec<usize> = (0..items.len()).collect();
        order.sort_by(|&a, &b| {
            let (x, y) = (&items[a], &items[b]);
            let ord = match key {
                SortKey::Name => x.saved.automation.name.cmp(&y.saved.automation.name),
                SortKey::Updated => y.changed.cmp(&x.changed),
                SortKey::Event => x.event.cmp(&y.event),
                SortKey::Scope => x.scope.cmp(&y.scope),
                SortKey::State => y.saved.automation.enabled.cmp(&x.saved.automation.enabled),
            };
            ord.then_with(|| x.saved.automation.name.cmp(&y.saved.automation.name))
        });
        if self.reverse {
            order.reverse();
        }
        self.order = order;
        self.disabled = items.iter().filter(|i| !i.saved.automation.enabled).count();
        self.search = SearchIndex::build(items, &self.order);
    }

    /// Filters the cached order into the view; `keep` is the item index to keep selected.
    fn filter_order(&mut self, keep: Option<usize>) {
        let query = Query::parse(&self.filter);
        self.view = if query.is_empty() {
            self.order.clone()
        } else {
            self.matcher.apply(&self.search, self.search.all(), &query)
        };
        self.selected = keep
            .and_then(|k| self.view.iter().position(|&i| i == k))
            .unwrap_or(self.selected);
        self.clamp_selection();
    }

    /// Narrows the view to the rows of the current view that still match (typing more filter text).
    pub fn narrow(&mut self) {
        let query = Query::parse(&self.filter);
        let keep = self.view.get(self.selected).copied();
        let current = std::mem::take(&mut self.view);
        self.view = self
            .matcher
            .apply(&self.search, self.search.ranks(&current), &query);
        self.selected = keep
            .and_then(|k| self.view.iter().position(|&i| i == k))
            .unwrap_or(0);
        self.clamp_selection();
    }

    /// Keeps the selection and the scroll offset inside the view.
    pub fn clamp_selection(&mut self) {
        self.selected = self.selected.min(self.view.len().saturating_sub(1));
        let rows = self.page_rows();
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + rows {
            self.offset = self.selected + 1 - rows;
        }
        self.offset = self.offset.min(self.view.len().saturating_sub(rows));
    }

    /// Shows a toast for four seconds.
    pub fn toast(&mut self, kind: ToastKind, text: impl Into<String>) {
        self.toasts.push_back(Toast {
            kind,
            text: text.into(),
            until: self.now + 4,
        });
        while self.toasts.len() > 3 {
            self.toasts.pop_front();
        }
    }

    /// A fresh request id.
    pub fn request_id(&mut self) -> u64 {
        let id = self.next_request;
        self.next_request += 1;
        id
    }
}
