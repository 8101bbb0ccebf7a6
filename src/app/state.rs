//! The dashboard's state: the stores, the screen, the stack of modals, toasts and the text
//! prepared for the view. Changed only by `update`; read by `view`.

use super::keys::{Context, Keymap};
use super::layout;
use super::modals::Modal;
use super::screens::Screen;
use super::screens::integrations::IntegrationRow;
use super::store::list::{AutomationList, Item};
use super::store::selection::Selection;
use super::store::session::{BackendChoice, Session};
use super::store::wire::WireCache;
use super::store::writes::Writes;
use super::text::Doc;
use crate::model::Capabilities;
use std::collections::VecDeque;

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

/// The footer: the keys that work now, prepared when the context changes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Footer {
    /// (key, what it does), in the order shown.
    pub items: Vec<(String, String)>,
    /// What it was made for, so it is made again only when that changes.
    made_for: Option<(Context, bool, bool, Option<&'static str>)>,
}

/// Everything the dashboard shows.
#[derive(Debug)]
pub struct State {
    /// Backends, entity, capabilities, the write gate, request ids.
    pub session: Session,
    /// The loaded automations and their view.
    pub list: AutomationList,
    /// The selection in the list.
    pub selection: Selection,
    /// Writes in flight and undo.
    pub writes: Writes,
    /// The screen shown.
    pub screen: Screen,
    /// Modals over the screen, the top one last (it gets the keys).
    pub modals: Vec<Modal>,
    /// Toasts, oldest first.
    pub toasts: VecDeque<Toast>,
    /// The stored JSON of the selected automation, where the listing left it out.
    pub wire: WireCache,
    /// Integrations of the entity, once loaded.
    pub integrations: Option<Result<Vec<IntegrationRow>, String>>,
    /// The current time (Unix seconds), advanced by ticks; `view` never reads the clock.
    pub now: i64,
    /// Animation frame for spinners.
    pub frame: usize,
    /// Terminal size.
    pub width: u16,
    /// Terminal size.
    pub height: u16,
    /// The command registry in force.
    pub keymap: Keymap,
    /// Seconds between automatic reloads (`None` = off).
    pub refresh_every: Option<i64>,
    /// Auto-refresh paused.
    pub paused: bool,
    /// Set when the user quits.
    pub quit: bool,
    /// Draw without colour (the `mono` theme or `NO_COLOR`).
    pub mono: bool,
    /// A wizard in progress kept from before, offered back by `n`.
    pub draft: Option<crate::wizard::draft::Draft>,
    /// The detail pane's text for the selection, prepared when it changes.
    pub pane: Doc,
    /// What the pane was prepared for.
    pub(super) pane_for: Option<PaneKey>,
    /// The footer, prepared when the context changes.
    pub footer: Footer,
    /// What the local engine did lately; `None` before it is known or where there is no engine.
    pub activity: Option<crate::ops::Activity>,
    /// Whether the backend in use has a local engine to ask (`false` once it says it has none).
    pub engine_available: bool,
    /// The second the activity was last asked for.
    pub(super) activity_polled: i64,
}

/// What the pane's text depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct PaneKey {
    pub id: Option<String>,
    pub stamp: Option<String>,
    pub enabled: bool,
    pub now: i64,
}

impl State {
    /// A state for `backends[0]` and `entity`, before anything is loaded.
    pub fn new(
        backends: Vec<BackendChoice>,
        entity: String,
        capabilities: Capabilities,
        now: i64,
    ) -> Self {
        let mut state = Self {
            session: Session::new(backends, entity, capabilities),
            list: AutomationList::default(),
            selection: Selection::default(),
            writes: Writes::default(),
            screen: Screen::List,
            modals: Vec::new(),
            toasts: VecDeque::new(),
            wire: WireCache::default(),
            integrations: None,
            now,
            frame: 0,
            width: 80,
            height: 24,
            keymap: Keymap::default(),
            refresh_every: None,
            paused: false,
            quit: false,
            mono: false,
            draft: None,
            pane: Doc::default(),
            pane_for: None,
            footer: Footer::default(),
            activity: None,
            engine_available: true,
            activity_polled: 0,
        };
        super::derive::refresh(&mut state);
        state
    }

    /// The entity shown.
    pub fn entity(&self) -> &str {
        self.session.entity()
    }

    /// What the backend in use accepts.
    pub fn capabilities(&self) -> &Capabilities {
        self.session.capabilities()
    }

    /// Why writes are refused, if they are.
    pub fn read_only(&self) -> Option<&str> {
        self.session.gate().reason()
    }

    /// The modal on top, if any.
    pub fn modal(&self) -> Option<&Modal> {
        self.modals.last()
    }

    /// Whether the terminal is too small to show anything.
    pub fn too_small(&self) -> bool {
        layout::arrangement(self.width, self.height) == layout::Arrangement::TooSmall
    }

    /// The context keys are looked up in: the top modal's, else the screen's.
    pub fn context(&self) -> Context {
        if self.too_small() {
            return Context::TooSmall;
        }
        if let Some(modal) = self.modals.last() {
            return modal.context();
        }
        if self.selection.editing_filter() {
            return Context::Filter;
        }
        self.screen.context()
    }

    /// The context of the screen under any modal (what the palette offers).
    pub fn screen_context(&self) -> Context {
        self.screen.context()
    }

    /// The selected item, if any.
    pub fn selected_item(&self) -> Option<&Item> {
        self.list.at(self.selection.selected())
    }

    /// The selected automation's id.
    pub fn selected_id(&self) -> Option<String> {
        self.selected_item().map(|i| i.id().to_string())
    }

    /// Rows the list shows at once.
    pub fn page_rows(&self) -> usize {
        layout::list_rows(self.width, self.height).max(1)
    }

    /// Runs a change of the list, keeping the selection on the same automation.
    pub fn change_list(&mut self, change: impl FnOnce(&mut AutomationList)) {
        let keep = self.selected_id();
        self.change_list_keeping(keep.as_deref(), change);
    }

    /// Runs a change of the list, then selects `id` if it is shown.
    pub fn change_list_keeping(
        &mut self,
        id: Option<&str>,
        change: impl FnOnce(&mut AutomationList),
    ) {
        change(&mut self.list);
        let rows = self.page_rows();
        self.selection.keep(id, &self.list, rows);
    }

    /// Selects a view position (clamped).
    pub fn select(&mut self, position: isize) {
        let rows = self.page_rows();
        self.selection.select(position, &self.list, rows);
    }

    /// Shows a toast for four seconds.
    pub fn toast(&mut self, kind: ToastKind, text: impl Into<String>) {
        self.toast_for(kind, text, 4);
    }

    /// Shows a toast for `seconds`.
    pub fn toast_for(&mut self, kind: ToastKind, text: impl Into<String>, seconds: i64) {
        self.toasts.push_back(Toast {
            kind,
            text: text.into(),
            until: self.now + seconds,
        });
        while self.toasts.len() > 3 {
            self.toasts.pop_front();
        }
    }

    /// How far the text on top can scroll at the terminal's size (0 when it does not scroll):
    /// scrolling stops there, so `G` lands on the last page and the next `k` moves at once.
    pub fn scroll_limit(&self) -> u16 {
        let (w, h) = (self.width, self.height);
        if let Some(Modal::Help(m)) = self.modals.last() {
            let (tw, th) = layout::help_text(w, h);
            return m.doc.scroll_room(tw, th);
        }
        match &self.screen {
            Screen::Detail(d) => d.limit_at(w, h),
            Screen::Raw(r) => {
                let (tw, th) = layout::raw_text(w, h);
                r.doc.scroll_room(tw, th)
            }
            Screen::Wizard(wz) => {
                let (_, th) = layout::wizard_text(w, h);
                let th = th - wz.chart_rows(th);
                let total: usize = wz.rows.iter().sum();
                u16::try_from(total.saturating_sub(usize::from(th))).unwrap_or(u16::MAX)
            }
            _ => 0,
        }
    }

    /// The LAST cell of an automation: a status glyph and how long ago, when it has fired.
    pub fn last_execution(&self, id: &str) -> Option<(&str, i64)> {
        self.activity
            .as_ref()?
            .latest
            .get(id)
            .map(|(status, at)| (status.as_str(), *at))
    }

    /// Whether the list shows the LAST column: the local engine has fired something.
    pub fn shows_last(&self) -> bool {
        self.activity.as_ref().is_some_and(|a| !a.latest.is_empty())
    }

    /// Whether something on screen moves by itself (spinners, toasts), so ticks redraw.
    pub fn animated(&self) -> bool {
        self.writes.any_pending()
            || !self.toasts.is_empty()
            || matches!(
                self.list.loading(),
                super::store::list::Loading::Loading | super::store::list::Loading::FirstPage
            )
            || self.screen.animated()
    }
}

impl Footer {
    /// Makes the footer for a context again if it changed.
    /// `typing` overrides what the context says typing does (the count of a delete).
    pub(super) fn refresh(
        &mut self,
        keymap: &Keymap,
        (context, typing): (Context, Option<&'static str>),
        on_list: bool,
        ro: bool,
    ) {
        let key = Some((context, on_list, ro, typing));
        if self.made_for == key {
            return;
        }
        self.made_for = key;
        let mut items: Vec<(String, String)> = typing
            .or(context.typing())
            .map(|t| ("type".to_string(), t.to_string()))
            .into_iter()
            .collect();
        if let Some(label) = context.moving() {
            let last = |action| {
                keymap
                    .keys_in(action, context)
                    .last()
                    .map(ToString::to_string)
            };
            if let (Some(up), Some(down)) = (
                last(super::keys::Action::Up),
                last(super::keys::Action::Down),
            ) {
                items.push((format!("{up}{down}"), label.to_string()));
            }
        }
        let mut seen = Vec::new();
        for b in keymap.in_context(context) {
            if !b.in_footer || (b.writes && ro) || seen.contains(&b.action) {
                continue;
            }
            seen.push(b.action);
            let label = if b.action == super::keys::Action::Back && on_list {
                "quit"
            } else {
                b.short
            };
            if let Some(k) = keymap.keys_in(b.action, context).first() {
                items.push((k.to_string(), label.to_string()));
            }
        }
        self.items = items;
    }
}
