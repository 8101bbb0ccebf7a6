//! What a screen or a modal may touch while it handles a message ([`Ctx`]: the session, the
//! automation list, the selection, writes in flight, the wizard's draft; the key table, the
//! layout and the stored JSON to read), and the intents it queues for `update` to carry out:
//! opening a screen, pushing a modal, a toast, an effect. Screens and modals never reach each
//! other; they queue intents.

use super::diff::DiffLine;
use super::layout::Layout;
use super::modals;
use super::modes::{AppKeymap, Bound};
use super::msg::Effect;
use super::screens;
use super::state::ToastKind;
use super::store::list::{AutomationList, Item};
use super::store::selection::Selection;
use super::store::session::Session;
use super::store::wire::WireCache;
use super::store::writes::Writes;
use crate::model::{Automation, Capabilities};
use crate::wizard::draft::Draft;

/// Something `update` is asked to do on behalf of a screen or modal.
#[derive(Debug)]
pub(crate) enum Intent {
    /// Show a screen in place of the one shown.
    Open(screens::Open),
    /// Put a modal on top.
    Push(modals::Open),
    /// A toast for some seconds.
    Toast(ToastKind, String, i64),
    /// Ask the outside world.
    Effect(Effect),
    /// Run a command of the key table as if its key was pressed on the screen.
    Press(Bound),
    /// Quit the dashboard.
    Quit,
}

/// What a confirmation box carries out on "yes".
#[derive(Clone, Debug, PartialEq)]
pub enum Confirm {
    /// Delete these automations (ids and names). More than one needs the count typed.
    Delete {
        ids: Vec<String>,
        names: Vec<String>,
    },
    /// Enable or disable these automations.
    Toggle {
        ids: Vec<String>,
        names: Vec<String>,
    },
    /// Send a test fire, whose request the box shows.
    TestFire {
        id: String,
        name: String,
        test: Box<crate::ops::TestFire>,
    },
    /// Save an automation edited as a file.
    SaveEdit {
        before: Box<Automation>,
        after: Box<Automation>,
        text: String,
        diff: Vec<DiffLine>,
    },
}

/// An automation edited as a file that was not saved: the text is kept, to open again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsaved {
    /// The automation's id.
    pub id: String,
    /// The text as the user left it.
    pub text: String,
    /// Why it was not saved.
    pub message: String,
}

/// How the wizard opens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum WizardStart {
    /// A new automation (a draft left before is offered first).
    #[default]
    New,
    /// The selected automation, to change it.
    Edit,
    /// A copy of the selected automation under a fresh name.
    Duplicate,
}

/// What a screen or modal may touch.
pub(crate) struct Ctx<'a> {
    pub(crate) session: &'a mut Session,
    pub(crate) list: &'a mut AutomationList,
    pub(crate) selection: &'a mut Selection,
    pub(crate) writes: &'a mut Writes,
    pub(crate) draft: &'a mut Option<Draft>,
    pub(crate) wire: &'a WireCache,
    pub(crate) keymap: &'a AppKeymap,
    pub(crate) layout: &'a Layout,
    pub(crate) now: i64,
    pub(crate) frame: usize,
    pub(crate) queue: &'a mut Vec<Intent>,
}

impl Ctx<'_> {
    /// Queues an intent.
    pub(crate) fn intend(&mut self, intent: Intent) {
        self.queue.push(intent);
    }

    /// Asks the outside world.
    pub(crate) fn effect(&mut self, effect: Effect) {
        self.intend(Intent::Effect(effect));
    }

    /// A toast for four seconds.
    pub(crate) fn toast(&mut self, kind: ToastKind, text: impl Into<String>) {
        self.intend(Intent::Toast(kind, text.into(), 4));
    }

    /// Shows a screen.
    pub(crate) fn open(&mut self, screen: screens::Open) {
        self.intend(Intent::Open(screen));
    }

    /// Back to the list.
    pub(crate) fn back(&mut self) {
        self.open(screens::Open::List(()));
    }

    /// Puts a modal on top.
    pub(crate) fn push(&mut self, modal: modals::Open) {
        self.intend(Intent::Push(modal));
    }

    /// The entity shown.
    pub(crate) fn entity(&self) -> &str {
        self.session.entity()
    }

    /// What the backend in use accepts.
    pub(crate) fn capabilities(&self) -> &Capabilities {
        self.session.capabilities()
    }

    /// `true` (and a toast saying so) when writes are refused; `what` names the change.
    pub(crate) fn refused(&mut self, what: &str) -> bool {
        match self.session.gate().check(what) {
            Ok(()) => false,
            Err(message) => {
                self.toast(ToastKind::Error, message);
                true
            }
        }
    }

    /// The selected automation, if any.
    pub(crate) fn selected_item(&self) -> Option<&Item> {
        self.list.at(self.selection.selected())
    }

    /// The selected automation's id.
    pub(crate) fn selected_id(&self) -> Option<String> {
        self.selected_item().map(|i| i.id().to_string())
    }

    /// Selects the automation `id` in the list (clearing a filter that hides it); `false` when
    /// the list does not hold it.
    pub(crate) fn select_automation(&mut self, id: &str) -> bool {
        if !self.list.contains(id) {
            return false;
        }
        if self.list.position(id).is_none() {
            self.list.set_filter("");
        }
        self.change_list_keeping(Some(id), |_| {});
        true
    }

    /// Runs a change of the list, keeping the selection on the same automation.
    pub(crate) fn change_list(&mut self, change: impl FnOnce(&mut AutomationList)) {
        let keep = self.selected_id();
        self.change_list_keeping(keep.as_deref(), change);
    }

    /// Runs a change of the list, then selects `id` if it is shown.
    pub(crate) fn change_list_keeping(
        &mut self,
        id: Option<&str>,
        change: impl FnOnce(&mut AutomationList),
    ) {
        change(self.list);
        self.selection.keep(id, self.list, self.layout.list_rows());
    }
}
