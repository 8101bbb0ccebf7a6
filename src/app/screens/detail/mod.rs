//! The full detail of the selected automation: tabs Overview, Wire, Python, History (what fired:
//! W&B's records or the local engine's, each execution opened with `enter`, judged in the
//! Backtest tab with the judge key) and Backtest (would it have fired on recent runs, and does
//! that agree with what fired?). The tab's text is prepared here when the automation, the tab or
//! an answer changes.

mod backtest;

pub(crate) use backtest::BacktestView;

use super::Page;
use crate::app::ctx::Ctx;
use crate::app::describe::{overview, wire_lines};
use crate::app::executions::{Answer, Executions, Keys, RunFocus, View};
use crate::app::global;
use crate::app::input::{Move, Sideways, scroll};
use crate::app::keys::{Group, Input, Mode, Row, commands, defs, row};
use crate::app::layout::Layout;
use crate::app::modes::Bound;
use crate::app::msg::Effect;
use crate::app::rows::{self, RowMsg};
use crate::app::store::session::RequestKind;
use crate::app::text::{Doc, TextLine};
use crate::backend::BackendKind;
use crate::model::history::{History, HistoryScope};
use crate::ops::backtest::RunChoice;

/// The detail's mode.
pub(crate) const MODE: Mode = Mode::new("detail", "detail", Input::Keys, Group::Screen);
/// The detail's History tab: the detail's keys, and those of its executions.
pub(crate) const HISTORY_TAB: Mode = Mode::new(
    "detail_history",
    "detail: History tab",
    Input::Keys,
    Group::Screen,
);
/// The detail's Backtest tab: the same keys, its footer naming the run keys.
pub(crate) const BACKTEST: Mode = Mode::new(
    "detail_backtest",
    "detail: Backtest tab",
    Input::Keys,
    Group::Screen,
);

commands! {
    NEXT_TAB: "next_tab" ["tab"] footer reads "next tab" "next tab";
    PREV_TAB: "prev_tab" ["backtab"] listed reads "prev tab" "previous tab";
    NEXT_RUN: "next_run" ["]"] listed reads "older run" "Backtest tab: judge the next (older) run";
    PREV_RUN: "prev_run" ["["] listed reads "newer run" "Backtest tab: judge the previous (newer) run";
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
    /// What fired: W&B's records or the local engine's.
    History,
    /// Would it have fired on recent runs?
    Backtest,
}

impl DetailTab {
    /// Every tab, in order.
    pub(crate) const ALL: [DetailTab; 5] = [
        DetailTab::Overview,
        DetailTab::Wire,
        DetailTab::Python,
        DetailTab::History,
        DetailTab::Backtest,
    ];

    /// Its title.
    pub(crate) fn title(self) -> &'static str {
        match self {
            DetailTab::Overview => "Overview",
            DetailTab::Wire => "Wire",
            DetailTab::Python => "Python",
            DetailTab::History => "History",
            DetailTab::Backtest => "Backtest",
        }
    }
}

/// What the detail is told.
#[derive(Clone, Debug)]
pub enum DetailMsg {
    /// A movement of the highlight or the text (line, ends, page, half page).
    Move(Move),
    /// Half a box left (`-1`) or right (`1`) along long lines (Wire, Python).
    Sideways(isize),
    /// The next tab.
    NextTab,
    /// The previous tab.
    PrevTab,
    /// The Backtest tab's next (older) run.
    NextRun,
    /// The Backtest tab's previous (newer) run.
    PrevRun,
    /// Back to the list (the History tab's open execution closes first).
    Back,
    /// The History tab: open the highlighted execution, or close it.
    OpenExecution,
    /// The History tab: show only the next status.
    CycleStatus,
    /// The History tab: open the Backtest tab on the highlighted execution's run.
    Judge,
    /// A command on the selected or marked automations.
    Row(RowMsg),
    /// The History tab's executions arrived.
    History { request: u64, result: Answer },
    /// The History tab: read the executions again now.
    ReadHistory,
    /// What is read so far of the History tab's executions.
    HistoryReading { request: u64, so_far: History },
    /// The runs the Backtest tab offers arrived.
    BacktestRuns {
        request: u64,
        result: Result<Vec<RunChoice>, String>,
    },
    /// One run's verdict arrived.
    BacktestJudged {
        request: u64,
        result: Box<Result<crate::ops::backtest::Judged, String>>,
    },
}

/// What a tab's text was made for: the automation's id, change stamp and state, the tab, and
/// whether its stored JSON was at hand.
type MadeFor = (String, Option<String>, bool, DetailTab, bool);

/// The full detail screen.
#[derive(Debug)]
pub struct DetailScreen {
    tab: DetailTab,
    scroll: u16,
    sideways: Sideways,
    doc: Doc,
    made_for: Option<MadeFor>,
    /// The automation's executions, while the History tab is shown.
    history: Option<Executions>,
    /// Boxed: it is large and most details never open it.
    backtest: Box<BacktestView>,
}

impl DetailScreen {
    /// The tab shown.
    pub fn tab(&self) -> DetailTab {
        self.tab
    }

    /// Rows scrolled down.
    pub fn scroll(&self) -> u16 {
        self.scroll
    }

    /// The tab's text.
    pub fn doc(&self) -> &Doc {
        &self.doc
    }

    /// How far long lines are scrolled sideways.
    pub(crate) fn sideways(&self) -> &Sideways {
        &self.sideways
    }

    /// The Backtest tab.
    pub(crate) fn backtest(&self) -> &BacktestView {
        &self.backtest
    }

    /// The History tab's executions, while it is shown.
    pub(crate) fn history(&self) -> Option<&Executions> {
        self.history
            .as_ref()
            .filter(|_| self.tab == DetailTab::History)
    }

    fn limit(&self, layout: &Layout) -> u16 {
        let text = layout.detail.text;
        self.doc.scroll_room(text.width, text.height)
    }

    /// Asks for the verdict of the run picked in the Backtest tab (the newest request wins).
    fn judge(&mut self, ctx: &mut Ctx) {
        let a = ctx.selected_item().map(|i| i.saved.automation.clone());
        let (Some(a), Some(choice)) = (a, self.backtest.choice().cloned()) else {
            return;
        };
        let request = ctx.session.request(RequestKind::BacktestJudge);
        ctx.effect(Effect::JudgeRun {
            request,
            automation: Box::new(a),
            choice: Box::new(choice),
        });
    }

    /// Shows a tab, asking for what it shows: the History tab follows the automation's
    /// executions while shown; the Backtest tab asks for its runs once.
    fn show(&mut self, tab: DetailTab, ctx: &mut Ctx) {
        self.tab = tab;
        self.scroll = 0;
        self.sideways.reset();
        self.made_for = None;
        self.history = None;
        match self.tab {
            DetailTab::History => {
                self.history = ctx
                    .selected_id()
                    .map(|id| Executions::open(HistoryScope::Automation { id }, ctx));
            }
            DetailTab::Backtest if self.backtest.runs.is_none() => {
                if let Some(a) = ctx.selected_item().map(|i| i.saved.automation.clone()) {
                    let request = ctx.session.request(RequestKind::BacktestRuns);
                    ctx.effect(Effect::LoadBacktestRuns {
                        request,
                        automation: Box::new(a),
                    });
                }
            }
            _ => {}
        }
    }

    /// Opens the Backtest tab on a run (judged again when the runs are already in).
    fn judge_run(&mut self, focus: RunFocus, ctx: &mut Ctx) {
        let loaded = self.backtest.runs.is_some();
        self.backtest.focus_on(focus);
        self.show(DetailTab::Backtest, ctx);
        if loaded {
            self.judge(ctx);
        }
    }
}

/// The detail's rows on a tab: every tab takes the same keys, the History tab those of its
/// executions too; the Backtest tab's footer names its run keys and leaves toggle, edit and
/// delete to help.
fn detail_rows(tab: DetailTab) -> Vec<Row<Bound>> {
    let backtest = tab == DetailTab::Backtest;
    let mut rows = defs::moves(DetailMsg::Move);
    if tab == DetailTab::History {
        rows.extend([
            row(&defs::OPEN, DetailMsg::OpenExecution),
            row(&defs::STATUS_FILTER, DetailMsg::CycleStatus),
            row(&defs::JUDGE, DetailMsg::Judge),
            row(&defs::REFRESH, DetailMsg::ReadHistory),
        ]);
    }
    rows.extend(defs::sideways(DetailMsg::Sideways));
    rows.extend([
        row(&PREV_RUN, DetailMsg::PrevRun).in_footer(backtest),
        row(&NEXT_RUN, DetailMsg::NextRun).in_footer(backtest),
    ]);
    rows.extend(
        rows::keys(DetailMsg::Row, &RowMsg::ALL)
            .into_iter()
            .map(|r| {
                let shown = r.footer && !backtest;
                r.in_footer(shown)
            }),
    );
    rows.extend([
        row(&NEXT_TAB, DetailMsg::NextTab),
        row(&PREV_TAB, DetailMsg::PrevTab),
    ]);
    rows.extend(global::closing(DetailMsg::Back));
    rows
}

impl Page for DetailScreen {
    type Msg = DetailMsg;
    /// Opened on a run to judge (the Backtest tab), or on the Overview.
    type Open = Option<RunFocus>;
    const MODE: Mode = MODE;

    fn keys() -> Vec<(Mode, Vec<Row<Bound>>)> {
        vec![
            (MODE, detail_rows(DetailTab::Overview)),
            (HISTORY_TAB, detail_rows(DetailTab::History)),
            (BACKTEST, detail_rows(DetailTab::Backtest)),
        ]
    }

    fn mode(&self) -> Mode {
        match self.tab {
            DetailTab::History => HISTORY_TAB,
            DetailTab::Backtest => BACKTEST,
            _ => MODE,
        }
    }

    fn open(focus: Option<RunFocus>, ctx: &mut Ctx) -> Option<Self> {
        ctx.selected_item()?;
        let mut screen = Self {
            tab: DetailTab::Overview,
            scroll: 0,
            sideways: Sideways::default(),
            doc: Doc::default(),
            made_for: None,
            history: None,
            backtest: Box::default(),
        };
        if let Some(focus) = focus {
            screen.judge_run(focus, ctx);
        }
        Some(screen)
    }

    fn update(&mut self, msg: DetailMsg, ctx: &mut Ctx) -> bool {
        match msg {
            DetailMsg::Move(by) if self.tab == DetailTab::History => {
                if let Some(view) = &mut self.history {
                    let text = ctx.layout.detail.text;
                    let rows = usize::from(text.height.saturating_sub(1)).max(1);
                    view.go(by, rows, (text.width, text.height));
                }
            }
            DetailMsg::Move(by) => {
                let page = usize::from(ctx.layout.detail.text.height);
                let limit = self.limit(ctx.layout);
                scroll(&mut self.scroll, by.delta(page), limit);
            }
            DetailMsg::Sideways(way) => {
                let width = ctx.layout.detail.text.width;
                self.sideways.go(way, &self.doc, width);
            }
            DetailMsg::NextTab | DetailMsg::PrevTab => {
                let i = DetailTab::ALL
                    .iter()
                    .position(|t| *t == self.tab)
                    .unwrap_or(0);
                let n = DetailTab::ALL.len();
                let step = if matches!(msg, DetailMsg::NextTab) {
                    1
                } else {
                    n - 1
                };
                self.show(DetailTab::ALL[(i + step) % n], ctx);
            }
            DetailMsg::NextRun | DetailMsg::PrevRun if self.tab == DetailTab::Backtest => {
                let by = if matches!(msg, DetailMsg::NextRun) {
                    1
                } else {
                    -1
                };
                if self.backtest.step(by) {
                    self.made_for = None;
                    self.judge(ctx);
                }
            }
            DetailMsg::NextRun | DetailMsg::PrevRun => {}
            DetailMsg::Back => {
                if !self.history.as_mut().is_some_and(Executions::close) {
                    ctx.back();
                }
            }
            DetailMsg::OpenExecution => {
                if let Some(view) = &mut self.history {
                    view.toggle_open();
                }
            }
            DetailMsg::ReadHistory => {
                if let Some(view) = &mut self.history {
                    view.ask(ctx);
                }
            }
            DetailMsg::CycleStatus => {
                if let Some(view) = &mut self.history {
                    view.cycle_status();
                }
            }
            DetailMsg::Judge => match self.history.as_ref().map(Executions::focus) {
                Some(Ok(focus)) => self.judge_run(focus, ctx),
                Some(Err(why)) => ctx.toast(crate::app::state::ToastKind::Info, why),
                None => {}
            },
            DetailMsg::Row(msg) => rows::update(msg, ctx),
            DetailMsg::History { request, result } => {
                if let Some(view) = &mut self.history {
                    view.answer(request, result, ctx);
                }
            }
            DetailMsg::HistoryReading { request, so_far } => {
                if let Some(view) = &mut self.history {
                    view.reading(request, so_far, ctx);
                }
            }
            DetailMsg::BacktestRuns { request, result } => {
                if ctx.session.is_latest(RequestKind::BacktestRuns, request) {
                    self.backtest.runs_arrived(result);
                    self.made_for = None;
                    if self.backtest.choice().is_some() {
                        self.judge(ctx);
                    }
                }
            }
            DetailMsg::BacktestJudged { request, result } => {
                if ctx.session.is_latest(RequestKind::BacktestJudge, request) {
                    self.backtest.verdict = Some(*result);
                    self.made_for = None;
                }
            }
        }
        true
    }

    fn prepare(&mut self, ctx: &mut Ctx) {
        if let Some(view) = &mut self.history {
            let keys = Keys {
                refresh: ctx.keymap.key(&defs::REFRESH, HISTORY_TAB),
                status: ctx.keymap.key(&defs::STATUS_FILTER, HISTORY_TAB),
                judge: ctx.keymap.key(&defs::JUDGE, HISTORY_TAB),
            };
            let empty = match ctx.session.kind() {
                BackendKind::Local => format!(
                    "it has not fired yet ({} test-fires it; {} shows every automation's history)",
                    ctx.keymap.key(&rows::TEST_FIRE, HISTORY_TAB),
                    ctx.keymap.key(&defs::HISTORY, MODE)
                ),
                BackendKind::Wandb => "W&B has recorded no executions of it yet".to_string(),
            };
            let text = ctx.layout.detail.text;
            let shown = View {
                rows: usize::from(text.height.saturating_sub(1)).max(1),
                empty: &empty,
                keys: &keys,
            };
            view.prepare(ctx, shown);
        }
        let Some(item) = ctx.selected_item() else {
            return;
        };
        let a = &item.saved.automation;
        let key = Some((
            item.id().to_string(),
            a.updated_at.clone(),
            a.enabled,
            self.tab,
            ctx.wire.text(item).is_some(),
        ));
        let keys = defs::sideways_keys(ctx.keymap, MODE);
        let width = ctx.layout.detail.text.width;
        if key == self.made_for {
            self.sideways.prepare(&self.doc, width, &keys);
            return;
        }
        self.made_for = key;
        self.doc = match self.tab {
            DetailTab::Overview => Doc::prose(overview(ctx.now, item, true)),
            DetailTab::Wire => Doc::code(wire_lines(ctx.wire.text(item))),
            DetailTab::Python => Doc::code(
                crate::wire::python::python_code(a)
                    .lines()
                    .map(TextLine::plain)
                    .collect(),
            ),
            DetailTab::History => Doc::default(),
            DetailTab::Backtest => {
                let other = format!(
                    "{} {}",
                    ctx.keymap.key(&PREV_RUN, MODE),
                    ctx.keymap.key(&NEXT_RUN, MODE)
                );
                self.backtest.prepare(a, &other);
                Doc::default()
            }
        };
        self.scroll = self.scroll.min(self.limit(ctx.layout));
        self.sideways.prepare(&self.doc, width, &keys);
    }

    fn follow(&mut self, ctx: &mut Ctx) {
        if let Some(view) = &mut self.history {
            view.follow(ctx);
        }
    }

    fn animated(&self) -> bool {
        self.tab == DetailTab::Backtest && self.backtest.waiting.is_some()
    }

    fn scroll_limit(&self, layout: &Layout) -> u16 {
        match &self.history {
            Some(view) => view.scroll_limit(layout.detail.text.width, layout.detail.text.height),
            None => self.limit(layout),
        }
    }

    fn shows_selected(&self) -> bool {
        true
    }

    fn shows_wire(&self) -> bool {
        self.tab == DetailTab::Wire
    }
}
