//! The wizard as a screen of the dashboard: the pure wizard plus focus, picker choices, the
//! state of saving, and the step's text prepared for the view (`text`). Its modes are the start
//! step, a step's fields, the payload editor, the variable menu, the Review and the "discard?"
//! question; a key no row takes goes to the focused text field or the payload.

mod preview;
mod steps;
mod text;

pub(crate) use preview::CHART_ROWS;
pub(crate) use text::Chrome;

use super::Page;
use crate::app::ctx::{Ctx, WizardStart};
use crate::app::input::Move;
use crate::app::keys::{Group, Input, Mode, Row, commands, defs, row};
use crate::app::layout::Layout;
use crate::app::modes::Bound;
use crate::app::msg::Effect;
use crate::app::state::ToastKind;
use crate::app::store::writes::Undo;
use crate::app::text::Doc;
use crate::backend::{BackendError, SavedAutomation};
use crate::model::validate::Problem;
use crate::wizard::draft::Draft;
use crate::wizard::fields::PickerChoices;
use crate::wizard::{Step, Wizard};
use crossterm::event::KeyEvent;
use preview::Preview;
use steps::{OptionsState, Outcome, PayloadEditor};

/// The start step: choosing a template or the draft.
pub(crate) const START: Mode =
    Mode::new("wizard_start", "wizard: start", Input::Keys, Group::Wizard);
/// A step's fields (text fields take what no row takes).
pub(crate) const FIELDS: Mode = Mode::new(
    "wizard_fields",
    "wizard: fields",
    Input::Keys,
    Group::Wizard,
);
/// The webhook payload editor (it takes every key but navigation).
pub(crate) const PAYLOAD: Mode = Mode::new(
    "wizard_payload",
    "wizard: payload editor",
    Input::Editor,
    Group::Wizard,
);
/// The `${...}` variable menu of the payload editor.
pub(crate) const VARIABLES: Mode = Mode::new(
    "wizard_variables",
    "wizard: variable menu",
    Input::Menu { moving: "choose" },
    Group::Wizard,
);
/// The Review.
pub(crate) const REVIEW: Mode = Mode::new(
    "wizard_review",
    "wizard: review",
    Input::Keys,
    Group::Wizard,
);
/// "Discard your answers?"
pub(crate) const DISCARD: Mode = Mode::new(
    "wizard_discard",
    "wizard: discard?",
    Input::Keys,
    Group::Wizard,
);

commands! {
    NEXT_FIELD: "next_field" ["tab", "down"] footer reads "next field" "next field (Review: next row)";
    PREV_FIELD: "prev_field" ["backtab", "up"] listed reads "prev field" "previous field (Review: previous row)";
    CHOOSE_PREV: "choose_prev" ["left"] listed reads "choose" "previous choice";
    CHOOSE_NEXT: "choose_next" ["right"] footer reads "choose" "next choice";
    PICK: "pick" ["space"] listed reads "pick" "pick a choice / flip a switch";
    NEXT: "wizard_next" ["enter"] footer reads "next" "next (Review: go to the step / save)";
    NEXT_STEP: "next_step" ["pgdn", "ctrl-n"] footer reads "next step" "next step";
    PREV_STEP: "prev_step" ["pgup", "ctrl-p"] footer reads "back" "previous step";
    REVIEW_KEY: "review" ["ctrl-s"] footer reads "review" "go to Review";
    RETRY: "retry_choices" ["ctrl-r"] listed reads "retry" "load the choices again";
    VARIABLES_KEY: "variables" ["ctrl-v"] footer reads "variable" "insert a ${variable}";
    INSERT: "insert_variable" ["enter"] footer reads "insert" "insert the highlighted variable";
    SCROLL_DOWN: "scroll_down" ["j"] footer reads "scroll" "scroll the Review down";
    SCROLL_UP: "scroll_up" ["k"] listed reads "scroll up" "scroll the Review up";
    CLOSE: "close_wizard" ["esc"] footer reads "close" "close the wizard";
    DISCARD_ANSWERS: "discard_answers" ["esc", "d"] footer reads "discard" "throw the answers away";
    KEEP_DRAFT: "keep_draft" ["s"] footer reads "keep draft" "keep the answers as a draft";
}

/// What the wizard is told: its commands, and the answers it asked for.
#[derive(Clone, Debug)]
pub enum WizardMsg {
    /// A movement of the highlight or the text (line, ends, page, half page).
    Move(Move),
    /// The next field (Review: the next row).
    NextField,
    /// The previous field.
    PrevField,
    /// The previous choice of a picker.
    ChoosePrev,
    /// The next choice of a picker.
    ChooseNext,
    /// Pick or unpick a choice, or flip a switch.
    Pick,
    /// Next field, next step; on Review, go to the row's step or save.
    Next,
    /// The next step.
    NextStep,
    /// The previous step.
    PrevStep,
    /// Jump to Review.
    Review,
    /// Load the pickers' choices again.
    Retry,
    /// Open the `${...}` variable menu.
    Variables,
    /// Insert the highlighted variable.
    Insert,
    /// Scroll the Review down a row.
    ScrollDown,
    /// Scroll the Review up a row.
    ScrollUp,
    /// Close the wizard (asks first when something was answered).
    Close,
    /// Throw the answers away.
    DiscardAnswers,
    /// Close keeping the answers as a draft.
    KeepDraft,
    /// The picker choices arrived.
    Options {
        request: u64,
        result: Result<PickerChoices, BackendError>,
    },
    /// A project's collections arrived.
    Collections {
        request: u64,
        result: Result<Vec<String>, BackendError>,
    },
    /// The automation was saved (or not).
    Saved {
        edit: bool,
        result: Box<Result<SavedAutomation, BackendError>>,
    },
    /// The scope's recent runs arrived, for the live verdict.
    PreviewLoaded {
        request: u64,
        result: Result<crate::ops::backtest::Histories, String>,
    },
    /// The condition judged over them.
    PreviewJudged {
        request: u64,
        result: Result<Vec<crate::engine::backtest::Verdict>, String>,
    },
}

/// The wizard screen.
#[derive(Debug)]
pub struct WizardScreen {
    wizard: Wizard,
    /// The names of the automations listed, which a template's name keeps clear of.
    taken: Vec<String>,
    /// The focused field (or review row).
    focus: usize,
    /// The highlighted option of a multi-select, the template or the next `${variable}`.
    cursor: usize,
    options: PickerChoices,
    options_state: OptionsState,
    /// The collections request in flight, if any.
    collections_request: Option<u64>,
    /// A save is in flight.
    saving: bool,
    /// The focused field is the payload editor (kept with the focus).
    payload_focused: bool,
    /// Esc was pressed with unsaved answers: asking whether to discard.
    confirm_discard: bool,
    /// Rows the Review is scrolled down, kept within its text when prepared.
    review_scroll: u16,
    /// Anything was answered since the wizard opened.
    dirty: bool,
    /// A draft to offer on the start step (new automations only).
    resume: Option<Draft>,
    /// The draft text last saved, so unchanged answers are not written again.
    last_draft: String,
    payload: PayloadEditor,
    /// The `${...}` variable menu, open with its highlighted entry.
    variables: Option<usize>,
    /// The step's text, prepared after every change.
    doc: Doc,
    /// The first row of the step shown (the focused field in sight; on Review, scrolled).
    scroll: usize,
    /// The rail of steps, the box's title and hints, prepared with the text.
    chrome: Chrome,
    /// Rows each line of `doc` takes at the terminal's width.
    rows: Vec<usize>,
    /// The lines of `doc` that belong to the focused field.
    focus_lines: std::ops::Range<usize>,
    /// Something changed since `doc` was made.
    stale: bool,
    /// The Condition step's live verdict over recent runs.
    preview: Box<Preview>,
}

impl WizardScreen {
    /// The wizard itself.
    pub fn wizard(&self) -> &Wizard {
        &self.wizard
    }

    /// Whether a save is in flight.
    pub fn saving(&self) -> bool {
        self.saving
    }

    /// The focused field (or Review row).
    pub fn focus(&self) -> usize {
        self.focus
    }

    /// The highlighted entry of the `${...}` variable menu, when it is open.
    pub fn variables(&self) -> Option<usize> {
        self.variables
    }

    /// Rows the Review is scrolled down.
    pub fn review_scroll(&self) -> u16 {
        self.review_scroll
    }

    /// Whether it asks "discard your answers?".
    pub fn confirm_discard(&self) -> bool {
        self.confirm_discard
    }

    /// The step's text.
    pub(crate) fn doc(&self) -> &Doc {
        &self.doc
    }

    /// The first row of the step shown.
    pub(crate) fn scroll(&self) -> usize {
        self.scroll
    }

    /// The rail, titles and the "discard?" box.
    pub(crate) fn chrome(&self) -> &Chrome {
        &self.chrome
    }

    /// The live verdict's chart, when the box has room for it.
    pub(crate) fn chart(&self, height: u16) -> Option<&crate::app::chart::Chart> {
        self.preview
            .chart
            .as_ref()
            .filter(|_| self.chart_rows(height) > 0)
    }

    /// Rows under the step's text kept for the live verdict's chart, in a box `height` rows
    /// high: on the Condition step, when there is a chart and room for it.
    pub(crate) fn chart_rows(&self, height: u16) -> u16 {
        let shown = self.wizard.step == Step::Condition && self.preview.chart.is_some();
        if shown && height >= 2 * CHART_ROWS {
            CHART_ROWS
        } else {
            0
        }
    }

    /// Carries out what a key decided: drafts, closing, saving.
    fn settle(&mut self, outcome: Outcome, ctx: &mut Ctx) {
        match outcome {
            Outcome::Stay => {
                self.preview_effects(ctx);
                if let Some(draft) = self.draft_if_changed(ctx.now) {
                    ctx.effect(Effect::SaveDraft {
                        text: draft.to_text(),
                    });
                    *ctx.draft = Some(draft);
                }
            }
            Outcome::Close { discard } => {
                ctx.back();
                if discard && ctx.draft.take().is_some() {
                    ctx.effect(Effect::ClearDraft);
                } else if ctx.draft.is_some() {
                    let key = ctx.keymap.key(&defs::NEW, START);
                    ctx.toast(
                        ToastKind::Info,
                        format!("kept as a draft: {key} resumes it"),
                    );
                }
            }
            Outcome::Save { automation, edit } => {
                let entity = ctx.entity().to_string();
                ctx.effect(Effect::SaveWizard {
                    automation,
                    entity,
                    edit,
                });
            }
        }
    }

    /// The live verdict's requests after the answers changed (on the Condition step only).
    fn preview_effects(&mut self, ctx: &mut Ctx) {
        if self.wizard.step != Step::Condition {
            return;
        }
        let a = self.wizard.automation();
        let valid = self
            .wizard
            .problems(Step::Condition, ctx.capabilities())
            .is_empty();
        let typing_metric =
            crate::wizard::fields::fields(&self.wizard, &self.options, ctx.capabilities())
                .get(self.focus)
                .is_some_and(|f| f.key == "event.metric");
        let before = self.preview.lines.clone();
        let effects = self
            .preview
            .effects(&a, valid, typing_metric, &mut || ctx.session.request_id());
        self.stale |= self.preview.lines != before;
        for e in effects {
            ctx.effect(e);
        }
    }

    /// The wizard's automation was saved, or the server's objections go back to their fields.
    fn saved(&mut self, edit: bool, result: Result<SavedAutomation, BackendError>, ctx: &mut Ctx) {
        self.saving = false;
        self.stale = true;
        match result {
            Ok(saved) => {
                let name = saved.automation.name.clone();
                let id = saved.automation.id.clone();
                ctx.back();
                if let (true, Some(before)) = (edit, self.wizard.editing.clone()) {
                    let action = ctx.writes.action();
                    let undo = Undo::Restore {
                        label: format!("edit of {name}"),
                        before: Box::new(before),
                    };
                    ctx.writes.push_undo(action, undo);
                }
                ctx.change_list_keeping(id.as_deref(), |list| list.upsert(saved));
                let verb = if edit { "saved" } else { "created" };
                ctx.toast(ToastKind::Info, format!("{verb} {name}"));
                if !edit && ctx.draft.take().is_some() {
                    ctx.effect(Effect::ClearDraft);
                }
            }
            Err(BackendError::Invalid(problems)) => self.refused(problems, ctx.capabilities()),
            Err(BackendError::Conflict(message)) => {
                self.refused(vec![Problem::new("name", message)], ctx.capabilities())
            }
            Err(BackendError::NotFound(message)) => {
                self.refused(vec![Problem::new("scope", message)], ctx.capabilities())
            }
            Err(e) => ctx.toast(ToastKind::Error, format!("not saved: {e}")),
        }
    }
}

impl Page for WizardScreen {
    type Msg = WizardMsg;
    type Open = WizardStart;
    const MODE: Mode = START;

    fn keys() -> Vec<(Mode, Vec<Row<Bound>>)> {
        use WizardMsg as W;
        let close = || row(&CLOSE, W::Close);
        let start = vec![
            row(&defs::DOWN, W::Move(Move::Down)),
            row(&defs::UP, W::Move(Move::Up)),
            row(&NEXT, W::Next),
            row(&NEXT_STEP, W::NextStep),
            row(&REVIEW_KEY, W::Review),
            row(&RETRY, W::Retry),
            close(),
        ];
        let fields = vec![
            row(&NEXT_FIELD, W::NextField),
            row(&PREV_FIELD, W::PrevField),
            row(&CHOOSE_PREV, W::ChoosePrev),
            row(&CHOOSE_NEXT, W::ChooseNext),
            row(&PICK, W::Pick),
            row(&NEXT, W::Next),
            row(&NEXT_STEP, W::NextStep),
            row(&PREV_STEP, W::PrevStep),
            row(&REVIEW_KEY, W::Review),
            row(&RETRY, W::Retry),
            close(),
        ];
        let payload = vec![
            row(&NEXT_FIELD, W::NextField),
            row(&PREV_FIELD, W::PrevField),
            row(&NEXT_STEP, W::NextStep),
            row(&PREV_STEP, W::PrevStep),
            row(&REVIEW_KEY, W::Review),
            row(&RETRY, W::Retry),
            row(&VARIABLES_KEY, W::Variables),
            close(),
        ];
        let variables = vec![
            row(&defs::DOWN, W::Move(Move::Down)),
            row(&defs::UP, W::Move(Move::Up)),
            row(&INSERT, W::Insert),
        ];
        let review = vec![
            row(&defs::TOP, W::Move(Move::Top)),
            row(&defs::BOTTOM, W::Move(Move::Bottom)),
            row(&NEXT_FIELD, W::NextField),
            row(&PREV_FIELD, W::PrevField),
            row(&NEXT, W::Next),
            row(&PREV_STEP, W::PrevStep),
            row(&SCROLL_DOWN, W::ScrollDown),
            row(&SCROLL_UP, W::ScrollUp),
            close(),
        ];
        let discard = vec![
            row(&DISCARD_ANSWERS, W::DiscardAnswers),
            row(&KEEP_DRAFT, W::KeepDraft),
        ];
        vec![
            (START, start),
            (FIELDS, fields),
            (PAYLOAD, payload),
            (VARIABLES, variables),
            (REVIEW, review),
            (DISCARD, discard),
        ]
    }

    fn open(start: WizardStart, ctx: &mut Ctx) -> Option<Self> {
        if ctx.refused("creating or editing") {
            return None;
        }
        let taken: Vec<String> = ctx
            .list
            .items()
            .iter()
            .map(|i| i.saved.automation.name.clone())
            .collect();
        let wizard = match (start, ctx.selected_item()) {
            (WizardStart::New, _) => Ok(Wizard::new(ctx.entity())),
            (_, Some(item)) => {
                let edit = start == WizardStart::Edit;
                Wizard::from_automation(&item.saved.automation, edit, &taken)
            }
            (_, None) => return None,
        };
        match wizard {
            Ok(wizard) => {
                let request = ctx.session.request_id();
                let mut screen = Self::new(wizard, request, taken);
                if start == WizardStart::New {
                    screen.resume = ctx.draft.clone();
                }
                let entity = ctx.entity().to_string();
                ctx.effect(Effect::LoadOptions { request, entity });
                Some(screen)
            }
            Err(message) => {
                ctx.toast(ToastKind::Error, message);
                None
            }
        }
    }

    fn mode(&self) -> Mode {
        if self.confirm_discard {
            return DISCARD;
        }
        if self.variables.is_some() {
            return VARIABLES;
        }
        match self.wizard.step {
            Step::Start => START,
            Step::Review => REVIEW,
            _ if self.payload_focused => PAYLOAD,
            _ => FIELDS,
        }
    }

    fn update(&mut self, msg: WizardMsg, ctx: &mut Ctx) -> bool {
        match msg {
            WizardMsg::Options { request, result } => self.options_arrived(request, result),
            WizardMsg::Collections { request, result } => self.collections_arrived(request, result),
            WizardMsg::Saved { edit, result } => self.saved(edit, *result, ctx),
            WizardMsg::PreviewLoaded { request, result } => {
                if self.preview.loaded(request, result) {
                    self.preview_effects(ctx);
                }
            }
            WizardMsg::PreviewJudged { request, result } => {
                if self.preview.judged(request, result) {
                    let a = self.wizard.automation();
                    let valid = self
                        .wizard
                        .problems(Step::Condition, ctx.capabilities())
                        .is_empty();
                    self.preview.prepare(&a, valid);
                    self.stale = true;
                }
            }
            command => {
                let step = self.wizard.step;
                let scrolls = matches!(
                    command,
                    WizardMsg::ScrollDown
                        | WizardMsg::ScrollUp
                        | WizardMsg::Move(Move::Top | Move::Bottom)
                );
                let before = self.wizard.answers.clone();
                let Some(outcome) = self.command(command, ctx) else {
                    return false;
                };
                if step != Step::Start {
                    self.wizard.follow(&before, &self.taken);
                }
                if self.wizard.step != step {
                    self.review_scroll = 0;
                }
                self.stale |= !scrolls;
                self.settle(outcome, ctx);
            }
        }
        true
    }

    fn on_text(&mut self, key: &KeyEvent, ctx: &mut Ctx) {
        let before = self.wizard.answers.clone();
        let outcome = self.typed(key, ctx);
        self.wizard.follow(&before, &self.taken);
        self.after_move(ctx.capabilities());
        self.stale = true;
        self.settle(outcome, ctx);
    }

    fn prepare(&mut self, ctx: &mut Ctx) {
        self.prepare_text(ctx);
    }

    fn on_tick(&mut self) {
        self.stale |= self.animated();
    }

    fn on_resize(&mut self) {
        self.stale = true;
    }

    fn animated(&self) -> bool {
        self.saving || matches!(self.options_state, OptionsState::Loading(_))
    }

    fn scroll_limit(&self, layout: &Layout) -> u16 {
        let height = layout.wizard.text.height;
        let height = height - self.chart_rows(height);
        let total: usize = self.rows.iter().sum();
        u16::try_from(total.saturating_sub(usize::from(height))).unwrap_or(u16::MAX)
    }
}
