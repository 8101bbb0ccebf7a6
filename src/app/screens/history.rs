//! The History screen: what fired, from the backend in use (W&B's records, or the local
//! engine's), newest first, as a table filtered by status and by automation; `enter` opens the
//! highlighted execution in words, and the judge key opens the Backtest tab on its run. It
//! follows new executions while open.

use super::{Open, Page};
use crate::app::ctx::Ctx;
use crate::app::executions::{Answer, Executions, Keys, View};
use crate::app::global;
use crate::app::input::Move;
use crate::app::keys::{Group, Input, Mode, Row, commands, defs, row};
use crate::app::layout::Layout;
use crate::app::modes::Bound;
use crate::app::state::ToastKind;
use crate::backend::BackendKind;
use crate::model::history::{History, HistoryScope};

/// The History screen's mode.
pub(crate) const MODE: Mode = Mode::new("history", "history", Input::Keys, Group::Screen);

commands! {
    BY_AUTOMATION: "by_automation" ["a"] footer reads "this automation" "only this row's automation / all";
}

/// What the History screen is told.
#[derive(Clone, Debug)]
pub enum HistoryMsg {
    /// A movement of the highlight or the text (line, ends, page, half page).
    Move(Move),
    /// Open the highlighted row.
    Open,
    /// Show only the next status (all, success, failed, skipped, in progress).
    CycleStatus,
    /// Only the highlighted row's automation, or all again.
    ByAutomation,
    /// Open the Backtest tab on the highlighted execution's run.
    Judge,
    /// Read it again now.
    Refresh,
    /// Back to the list (an open row closes first).
    Back,
    /// What is read so far of the executions (a long W&B history, page by page).
    Reading { request: u64, so_far: History },
    /// The executions arrived.
    Loaded { request: u64, result: Answer },
}

/// The History screen.
#[derive(Debug)]
pub struct HistoryScreen {
    view: Executions,
}

impl HistoryScreen {
    /// The title: what is shown, and how fresh it is.
    pub(crate) fn title(&self) -> String {
        format!(" history: {} ", self.view.title())
    }

    /// The executions shown.
    pub(crate) fn view(&self) -> &Executions {
        &self.view
    }
}

impl Page for HistoryScreen {
    type Msg = HistoryMsg;
    type Open = ();
    const MODE: Mode = MODE;

    fn keys() -> Vec<(Mode, Vec<Row<Bound>>)> {
        let mut rows = defs::moves(HistoryMsg::Move);
        rows.extend([
            row(&defs::OPEN, HistoryMsg::Open),
            row(&defs::STATUS_FILTER, HistoryMsg::CycleStatus),
            row(&BY_AUTOMATION, HistoryMsg::ByAutomation),
            row(&defs::JUDGE, HistoryMsg::Judge),
        ]);
        rows.extend(global::reloading(HistoryMsg::Refresh, HistoryMsg::Back));
        vec![(MODE, rows)]
    }

    fn open(_: (), ctx: &mut Ctx) -> Option<Self> {
        let scope = HistoryScope::Entity {
            entity: ctx.entity().to_string(),
        };
        Some(Self {
            view: Executions::open(scope, ctx),
        })
    }

    fn update(&mut self, msg: HistoryMsg, ctx: &mut Ctx) -> bool {
        match msg {
            HistoryMsg::Move(by) => {
                let text = ctx.layout.screen.text;
                let rows = ctx.layout.table_rows();
                self.view.go(by, rows, (text.width, text.height));
            }
            HistoryMsg::Open => self.view.toggle_open(),
            HistoryMsg::CycleStatus => self.view.cycle_status(),
            HistoryMsg::ByAutomation => self.view.by_automation(),
            HistoryMsg::Judge => match self.view.focus() {
                Ok(focus) if ctx.select_automation(&focus.automation_id) => {
                    ctx.open(Open::Detail(Some(focus)));
                }
                Ok(_) => ctx.toast(
                    ToastKind::Error,
                    "that automation is not in this entity's list any more; refresh the list",
                ),
                Err(why) => ctx.toast(ToastKind::Info, why),
            },
            HistoryMsg::Refresh => self.view.ask(ctx),
            HistoryMsg::Back => {
                if !self.view.close() {
                    ctx.back();
                }
            }
            HistoryMsg::Reading { request, so_far } => self.view.reading(request, so_far, ctx),
            HistoryMsg::Loaded { request, result } => self.view.answer(request, result, ctx),
        }
        true
    }

    fn prepare(&mut self, ctx: &mut Ctx) {
        let keys = Keys {
            refresh: ctx.keymap.key(&defs::REFRESH, MODE),
            status: ctx.keymap.key(&defs::STATUS_FILTER, MODE),
            judge: ctx.keymap.key(&defs::JUDGE, MODE),
        };
        let empty = match ctx.session.kind() {
            BackendKind::Local => {
                "nothing fired yet. `wbauto emit ...` sends an event (README: Make it fire)"
                    .to_string()
            }
            BackendKind::Wandb => format!(
                "W&B has recorded no executions of {}'s automations yet",
                ctx.entity()
            ),
        };
        let view = View {
            rows: ctx.layout.table_rows(),
            empty: &empty,
            keys: &keys,
        };
        self.view.prepare(ctx, view);
    }

    fn follow(&mut self, ctx: &mut Ctx) {
        self.view.follow(ctx);
    }

    fn scroll_limit(&self, layout: &Layout) -> u16 {
        let text = layout.screen.text;
        self.view.scroll_limit(text.width, text.height)
    }
}
