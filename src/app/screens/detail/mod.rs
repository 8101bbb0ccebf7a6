//! The full detail of the selected automation: tabs Overview, Wire, Python, History (what the
//! local engine did with it) and Backtest (would it have fired on recent runs?). The tab's text
//! is prepared here when the automation, the tab or an answer changes.

mod backtest;

pub(crate) use backtest::BacktestView;

use super::Page;
use crate::app::ctx::Ctx;
use crate::app::describe::{overview, status_glyph, wire_lines};
use crate::app::global;
use crate::app::input::{Move, Sideways, scroll};
use crate::app::keys::{Group, Input, Mode, Row, commands, defs, row};
use crate::app::layout::Layout;
use crate::app::modes::Bound;
use crate::app::msg::Effect;
use crate::app::rows::{self, RowMsg};
use crate::app::store::session::RequestKind;
use crate::app::text::{Doc, Piece, TextLine, Tone, ago};
use crate::engine::history::Execution;
use crate::ops::backtest::RunChoice;

/// The detail's mode.
pub(crate) const MODE: Mode = Mode::new("detail", "detail", Input::Keys, Group::Screen);
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
    /// What the local engine did with it.
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
    /// Back to the list.
    Back,
    /// A command on the selected or marked automations.
    Row(RowMsg),
    /// The History tab's executions arrived.
    History {
        request: u64,
        result: Result<Vec<Execution>, String>,
    },
    /// The runs the Backtest tab offers arrived.
    BacktestRuns {
        request: u64,
        result: Result<Vec<RunChoice>, String>,
    },
    /// One run's verdict arrived.
    BacktestJudged {
        request: u64,
        result: Box<Result<crate::engine::backtest::Verdict, String>>,
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
    /// The automation's executions, once the History tab asked for them.
    history: Option<Result<Vec<Execution>, String>>,
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

    fn ask_history(&self, ctx: &mut Ctx) {
        if let Some(automation) = ctx.selected_id() {
            let request = ctx.session.request(RequestKind::History);
            ctx.effect(Effect::LoadAutomationHistory {
                request,
                automation,
            });
        }
    }
}

/// The detail's rows on a tab: every tab takes the same keys; the Backtest tab's footer names
/// its run keys and leaves toggle, edit and delete to help.
fn detail_rows(tab: DetailTab) -> Vec<Row<Bound>> {
    let backtest = tab == DetailTab::Backtest;
    let mut rows = defs::moves(DetailMsg::Move);
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
    type Open = ();
    const MODE: Mode = MODE;

    fn keys() -> Vec<(Mode, Vec<Row<Bound>>)> {
        vec![
            (MODE, detail_rows(DetailTab::Overview)),
            (BACKTEST, detail_rows(DetailTab::Backtest)),
        ]
    }

    fn mode(&self) -> Mode {
        match self.tab {
            DetailTab::Backtest => BACKTEST,
            _ => MODE,
        }
    }

    fn open(_: (), ctx: &mut Ctx) -> Option<Self> {
        ctx.selected_item()?;
        Some(Self {
            tab: DetailTab::Overview,
            scroll: 0,
            sideways: Sideways::default(),
            doc: Doc::default(),
            made_for: None,
            history: None,
            backtest: Box::default(),
        })
    }

    fn update(&mut self, msg: DetailMsg, ctx: &mut Ctx) -> bool {
        match msg {
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
                self.tab = DetailTab::ALL[(i + step) % n];
                self.scroll = 0;
                self.sideways.reset();
                match self.tab {
                    DetailTab::History => self.ask_history(ctx),
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
            DetailMsg::Back => ctx.back(),
            DetailMsg::Row(msg) => rows::update(msg, ctx),
            DetailMsg::History { request, result } => {
                if ctx.session.is_latest(RequestKind::History, request) {
                    self.history = Some(result);
                    self.made_for = None;
                }
            }
            DetailMsg::BacktestRuns { request, result } => {
                if ctx.session.is_latest(RequestKind::BacktestRuns, request) {
                    let any = result.as_ref().is_ok_and(|r| !r.is_empty());
                    self.backtest.runs = Some(result);
                    self.backtest.selected = 0;
                    self.backtest.verdict = None;
                    self.made_for = None;
                    if any {
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
            DetailTab::History => {
                let hint = format!(
                    "it has not fired yet ({} test-fires it; {} shows every automation's history)",
                    ctx.keymap.key(&rows::TEST_FIRE, MODE),
                    ctx.keymap.key(&defs::HISTORY, MODE)
                );
                history_doc(self.history.as_ref(), ctx.now, &hint)
            }
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
        if self.tab == DetailTab::History {
            self.ask_history(ctx);
        }
    }

    fn animated(&self) -> bool {
        self.tab == DetailTab::Backtest && self.backtest.waiting.is_some()
    }

    fn scroll_limit(&self, layout: &Layout) -> u16 {
        self.limit(layout)
    }

    fn shows_selected(&self) -> bool {
        true
    }

    fn shows_wire(&self) -> bool {
        self.tab == DetailTab::Wire
    }
}

/// The History tab: the automation's executions, newest first.
fn history_doc(history: Option<&Result<Vec<Execution>, String>>, now: i64, hint: &str) -> Doc {
    match history {
        None => Doc::prose(vec![TextLine::toned(Tone::Warn, "loading the history…")]),
        Some(Err(e)) => Doc::prose(vec![TextLine::toned(Tone::Error, e.clone())]),
        Some(Ok(rows)) if rows.is_empty() => Doc::prose(vec![TextLine::toned(Tone::Dim, hint)]),
        Some(Ok(rows)) => Doc::code(
            rows.iter()
                .map(|r| {
                    let (glyph, tone) = status_glyph(&r.status);
                    let at = r.decided_at();
                    let what = r.subject();
                    let result = r.outcome();
                    TextLine::new(vec![
                        Piece::new(tone, format!("{glyph} {:<11}", r.status)),
                        Piece::new(Tone::Dim, format!("{:>4} ", ago(now, at))),
                        Piece::plain(format!("{:<18} {what:<22} ", r.event_type)),
                        Piece::new(
                            Tone::Dim,
                            format!("{result}{}", if r.test { " (test)" } else { "" }),
                        ),
                    ])
                })
                .collect(),
        ),
    }
}
