//! The dashboard's state: the stores, the screen, the stack of modals, toasts and the footer.
//! Changed only by `update`; read by `view`.

use super::ctx::{Ctx, Intent};
use super::keys::Mode;
use super::layout::Layout;
use super::modals::Modal;
use super::modes::{AppKeymap, TOO_SMALL};
use super::screens::Screen;
use super::store::list::{AutomationList, Item, Loading};
use super::store::selection::Selection;
use super::store::session::{BackendOffer, Session};
use super::store::wire::WireCache;
use super::store::writes::Writes;
use crate::config::file::ConfigFile;
use crate::model::Capabilities;
use crate::wizard::draft::Draft;
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
    pub(crate) until: i64,
}

/// The footer: the keys that work now, prepared when the mode changes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Footer {
    /// (key, what it does), in the order shown.
    pub(crate) items: Vec<(String, String)>,
    /// What it was made for, so it is made again only when that changes.
    made_for: Option<(&'static str, bool)>,
}

impl Footer {
    /// The footer's entries: (key, what it does).
    pub fn items(&self) -> &[(String, String)] {
        &self.items
    }

    /// Makes the footer for a mode again if the mode or read-only changed.
    pub(crate) fn refresh(&mut self, keymap: &AppKeymap, mode: Mode, read_only: bool) {
        let key = Some((mode.name(), read_only));
        if self.made_for != key {
            self.made_for = key;
            self.items = keymap.footer(mode, read_only);
        }
    }
}

/// What screens and modals may touch, kept apart from them so both can be borrowed at once.
#[derive(Debug)]
pub(crate) struct Stores {
    pub(crate) session: Session,
    pub(crate) list: AutomationList,
    pub(crate) selection: Selection,
    pub(crate) writes: Writes,
    pub(crate) wire: WireCache,
    pub(crate) keymap: AppKeymap,
    pub(crate) layout: Layout,
    pub(crate) draft: Option<Draft>,
    pub(crate) now: i64,
    pub(crate) frame: usize,
}

impl Stores {
    /// The context a screen or modal handles a message with; its intents go to `queue`.
    pub(crate) fn ctx<'a>(&'a mut self, queue: &'a mut Vec<Intent>) -> Ctx<'a> {
        Ctx {
            session: &mut self.session,
            list: &mut self.list,
            selection: &mut self.selection,
            writes: &mut self.writes,
            draft: &mut self.draft,
            wire: &self.wire,
            keymap: &self.keymap,
            layout: &self.layout,
            now: self.now,
            frame: self.frame,
            queue,
        }
    }
}

/// Everything the dashboard shows.
#[derive(Debug)]
pub struct State {
    pub(crate) stores: Stores,
    pub(crate) screen: Screen,
    /// Modals over the screen, the top one last (it gets the keys).
    pub(crate) modals: Vec<Modal>,
    /// Toasts, oldest first.
    pub(crate) toasts: VecDeque<Toast>,
    pub(crate) footer: Footer,
    /// Seconds between automatic reloads (`None` = off).
    pub(crate) refresh_every: Option<i64>,
    /// Auto-refresh paused.
    pub(crate) paused: bool,
    /// Set when the user quits.
    pub(crate) quit: bool,
    /// Draw without colour (the `mono` theme or `NO_COLOR`).
    pub(crate) mono: bool,
    /// What fired lately and whether a local engine runs; `None` before it is known.
    pub(crate) activity: Option<crate::ops::Activity>,
    /// When to ask for the activity again (stopped on a backend that keeps no history).
    pub(crate) activity_poll: super::poll::Poll,
    /// The second the shown screen was last asked to follow what it shows.
    pub(crate) followed: i64,
}

impl State {
    /// A state for `backends[0]` and `entity` at 80x24, before anything is loaded.
    pub fn new(
        backends: Vec<BackendOffer>,
        entity: String,
        capabilities: Capabilities,
        now: i64,
    ) -> Self {
        let (keymap, _) = super::modes::keymap(&ConfigFile::default());
        let mut state = Self {
            stores: Stores {
                session: Session::new(backends, entity, capabilities),
                list: AutomationList::default(),
                selection: Selection::default(),
                writes: Writes::default(),
                wire: WireCache::default(),
                keymap,
                layout: Layout::new(80, 24),
                draft: None,
                now,
                frame: 0,
            },
            screen: Screen::List(Box::default()),
            modals: Vec::new(),
            toasts: VecDeque::new(),
            footer: Footer::default(),
            refresh_every: None,
            paused: false,
            quit: false,
            mono: false,
            activity: None,
            activity_poll: super::poll::Poll::default(),
            followed: 0,
        };
        super::derive::refresh(&mut state);
        state
    }

    /// Refuses writes from now on, for `reason` (e.g. `--read-only`).
    pub fn set_read_only(&mut self, reason: Option<String>) {
        self.stores.session.set_read_only(reason);
        super::derive::refresh(self);
    }

    /// The wizard's draft, kept to resume.
    pub fn draft(&self) -> Option<&Draft> {
        self.stores.draft.as_ref()
    }

    /// The wizard's draft left from before, offered back by the new-automation key.
    pub(crate) fn offer_draft(&mut self, draft: Option<Draft>) {
        self.stores.draft = draft;
    }

    /// Applies `config.toml` (key remaps, auto-refresh, theme); returns what was wrong with its
    /// `[keys]`.
    pub fn configure(
        &mut self,
        config: &ConfigFile,
        mono: bool,
    ) -> Vec<crate::config::file::ConfigWarning> {
        let (keymap, warnings) = super::modes::keymap(config);
        self.stores.keymap = keymap;
        self.footer = Footer::default();
        self.refresh_every = config.refresh_every();
        self.mono = mono || config.theme == crate::config::file::ThemeName::Mono;
        super::derive::refresh(self);
        warnings
    }

    /// The entity shown.
    pub fn entity(&self) -> &str {
        self.stores.session.entity()
    }

    /// What the backend in use accepts.
    pub(crate) fn capabilities(&self) -> &Capabilities {
        self.stores.session.capabilities()
    }

    /// Why writes are refused, if they are.
    pub(crate) fn read_only(&self) -> Option<&str> {
        self.stores.session.gate().reason()
    }

    /// The session: backends, entity, request ids.
    pub fn session(&self) -> &Session {
        &self.stores.session
    }

    /// The loaded automations and their view.
    pub fn list(&self) -> &AutomationList {
        &self.stores.list
    }

    /// The selection in the list.
    pub fn selection(&self) -> &Selection {
        &self.stores.selection
    }

    /// Writes in flight and undo.
    pub fn writes(&self) -> &Writes {
        &self.stores.writes
    }

    /// The screen shown.
    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    /// The modal on top, if any.
    pub fn modal(&self) -> Option<&Modal> {
        self.modals.last()
    }

    /// Toasts, oldest first.
    pub fn toasts(&self) -> &VecDeque<Toast> {
        &self.toasts
    }

    /// The footer.
    pub fn footer(&self) -> &Footer {
        &self.footer
    }

    /// Whether the user quit.
    pub fn quitting(&self) -> bool {
        self.quit
    }

    /// Whether auto-refresh is paused.
    pub fn paused(&self) -> bool {
        self.paused
    }

    /// The current time (Unix seconds), advanced by ticks; `view` never reads the clock.
    pub fn now(&self) -> i64 {
        self.stores.now
    }

    /// Rows the list shows at once (a page).
    pub fn page_rows(&self) -> usize {
        self.stores.layout.list_rows()
    }

    /// The terminal's size.
    pub fn size(&self) -> (u16, u16) {
        (self.stores.layout.width, self.stores.layout.height)
    }

    /// The mode keys are looked up in: the top modal's, else the screen's.
    pub(crate) fn mode(&self) -> Mode {
        if self.stores.layout.too_small() {
            return TOO_SMALL;
        }
        match self.modals.last() {
            Some(modal) => modal.mode(),
            None => self.screen.mode(),
        }
    }

    /// The selected item, if any.
    pub fn selected_item(&self) -> Option<&Item> {
        self.stores.list.at(self.stores.selection.selected())
    }

    /// The selected automation's id.
    pub fn selected_id(&self) -> Option<String> {
        self.selected_item().map(|i| i.id().to_string())
    }

    /// How far the text on top can scroll at the terminal's size (0 when it does not scroll):
    /// scrolling stops there, so `G` lands on the last page and the next `k` moves at once.
    pub fn scroll_limit(&self) -> u16 {
        let layout = &self.stores.layout;
        match self.modals.last() {
            Some(modal) => modal.scroll_limit(layout),
            None => self.screen.scroll_limit(layout),
        }
    }

    /// Whether something on screen moves by itself (spinners, toasts), so ticks redraw.
    pub(crate) fn animated(&self) -> bool {
        self.stores.writes.any_pending()
            || !self.toasts.is_empty()
            || matches!(
                self.stores.list.loading(),
                Loading::Loading | Loading::FirstPage
            )
            || self.screen.animated()
    }

    /// Shows a toast for `seconds`, keeping the three newest.
    pub(crate) fn toast_for(&mut self, kind: ToastKind, text: impl Into<String>, seconds: i64) {
        self.toasts.push_back(Toast {
            kind,
            text: text.into(),
            until: self.stores.now + seconds,
        });
        while self.toasts.len() > 3 {
            self.toasts.pop_front();
        }
    }
}
