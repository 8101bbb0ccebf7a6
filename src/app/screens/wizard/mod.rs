//! The wizard as a screen of the dashboard: the pure wizard plus focus, picker options, the
//! state of saving, and the step's text prepared for the view (`text`). Commands of the wizard's
//! contexts are answered here; a key none takes goes to the focused text field or payload.

pub mod preview;
pub mod text;

use super::super::keys::{Action, Context};
use super::super::msg::Effect;
use super::super::state::{State, ToastKind};
use super::super::text::Doc;
use super::Screen;
use crate::backend::BackendError;
use crate::model::validate::Problem;
use crate::model::{Automation, Capabilities, ScopeKind};
use crate::wizard::draft::Draft;
use crate::wizard::fields::{Kind, Options, change, fields, text_mut, toggle};
use crate::wizard::variables::for_event;
use crate::wizard::{Step, Template, Wizard};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::{CursorMove, TextArea};

/// The webhook payload's text area: cursor movement, selection, word jumps and undo come from
/// ratatui-textarea; the text is mirrored into the answers after every key.
#[derive(Clone, Debug)]
pub struct PayloadEditor(pub TextArea<'static>);

impl PayloadEditor {
    /// An editor holding `text`.
    pub fn new(text: &str) -> Self {
        let mut area = TextArea::new(text.lines().map(str::to_string).collect());
        area.move_cursor(CursorMove::Bottom);
        area.move_cursor(CursorMove::End);
        Self(area)
    }

    /// Its text.
    pub fn text(&self) -> String {
        self.0.lines().join("\n")
    }

    /// The cursor as (line, column).
    pub fn cursor(&self) -> (usize, usize) {
        let c = self.0.cursor();
        (c.0, c.1)
    }
}

impl PartialEq for PayloadEditor {
    fn eq(&self, other: &Self) -> bool {
        self.0.lines() == other.0.lines() && self.cursor() == other.cursor()
    }
}

/// Where the picker options stand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OptionsState {
    /// Loading (request id).
    Loading(u64),
    /// Loaded.
    Ready,
    /// Failed; ctrl-r retries.
    Failed(String),
}

/// The wizard screen.
#[derive(Clone, Debug, PartialEq)]
pub struct WizardScreen {
    /// The wizard itself.
    pub wizard: Wizard,
    /// The focused field (or review row).
    pub focus: usize,
    /// The highlighted option of a multi-select, the template or the next `${variable}`.
    pub cursor: usize,
    /// Picker options.
    pub options: Options,
    /// Their state.
    pub options_state: OptionsState,
    /// The collections request in flight, if any.
    pub collections_request: Option<u64>,
    /// A save is in flight.
    pub saving: bool,
    /// The focused field is the payload editor (kept with the focus).
    pub payload_focused: bool,
    /// Esc was pressed with unsaved answers: asking whether to discard.
    pub confirm_discard: bool,
    /// Rows the Review is scrolled down (`j`/`k`), kept within its text by `update`.
    pub review_scroll: u16,
    /// Anything was answered since the wizard opened.
    pub dirty: bool,
    /// A draft to offer on the start step (new automations only).
    pub resume: Option<Draft>,
    /// The draft text last saved, so unchanged answers are not written again.
    pub last_draft: String,
    /// The webhook payload editor.
    pub payload: PayloadEditor,
    /// The `${...}` variable menu, open with its highlighted entry.
    pub variables: Option<usize>,
    /// The step's text, prepared after every change.
    pub doc: Doc,
    /// The first row of the step shown (the focused field in sight; on Review, scrolled).
    pub scroll: usize,
    /// The rail of steps, the box's title and hints, prepared with the text.
    pub chrome: text::Chrome,
    /// Rows each line of `doc` takes at the terminal's width.
    pub rows: Vec<usize>,
    /// The lines of `doc` that belong to the focused field.
    pub focus_lines: std::ops::Range<usize>,
    /// Something changed since `doc` was made.
    pub stale: bool,
    /// The Condition step's live verdict over recent runs.
    pub preview: Box<preview::Preview>,
}

/// What a key did to the wizard screen.
pub enum Outcome {
    /// Stay, with these effects.
    Stay(Vec<Effect>),
    /// Close the wizard; `discard` forgets the draft, else it is kept to resume.
    Close { discard: bool },
    /// Save this automation (resolved on save); `edit` = update instead of create.
    Save {
        automation: Box<Automation>,
        edit: bool,
    },
}

impl WizardScreen {
    /// A screen around a wizard, loading options with request `request`.
    pub fn new(wizard: Wizard, request: u64) -> Self {
        let wizard_payload = wizard.answers.payload.clone();
        Self {
            wizard,
            focus: 0,
            cursor: 0,
            options: Options::default(),
            options_state: OptionsState::Loading(request),
            collections_request: None,
            saving: false,
            payload_focused: false,
            confirm_discard: false,
            review_scroll: 0,
            dirty: false,
            resume: None,
            last_draft: String::new(),
            payload: PayloadEditor::new(&wizard_payload),
            variables: None,
            doc: Doc::default(),
            scroll: 0,
            chrome: text::Chrome::default(),
            rows: Vec::new(),
            focus_lines: 0..0,
            stale: true,
            preview: Box::default(),
        }
    }

    /// Rows under the step's text kept for the live verdict's chart, in a box `height` rows
    /// high: on the Condition step, when there is a chart and room for it.
    pub fn chart_rows(&self, height: u16) -> u16 {
        let shown = self.wizard.step == Step::Condition && self.preview.chart.is_some();
        if shown && height >= 2 * preview::CHART_ROWS {
            preview::CHART_ROWS
        } else {
            0
        }
    }

    /// The context its keys are looked up in.
    pub fn context(&self) -> Context {
        if self.confirm_discard {
            return Context::WizardDiscard;
        }
        if self.variables.is_some() {
            return Context::WizardVariables;
        }
        match self.wizard.step {
            Step::Start => Context::WizardStart,
            Step::Review => Context::WizardReview,
            _ if self.payload_focused => Context::WizardPayload,
            _ => Context::WizardFields,
        }
    }

    /// Whether a spinner shows (loading choices, saving).
    pub fn animated(&self) -> bool {
        self.saving || matches!(self.options_state, OptionsState::Loading(_))
    }

    /// The review's rows: one per step to jump back to, then Save.
    pub const REVIEW_ROWS: [Step; 5] = [
        Step::Scope,
        Step::Event,
        Step::Condition,
        Step::Action,
        Step::Details,
    ];

    fn count(&self, caps: &Capabilities) -> usize {
        match self.wizard.step {
            Step::Review => Self::REVIEW_ROWS.len() + 1,
            _ => fields(&self.wizard, &self.options, caps).len().max(1),
        }
    }

    fn go(&mut self, step: Step) {
        self.wizard.step = step;
        self.focus = 0;
        self.cursor = 0;
    }

    fn next_step(&mut self, caps: &Capabilities) {
        let before = self.wizard.step;
        if self.wizard.next(caps) {
            self.focus = 0;
            self.cursor = 0;
        } else if let Some(first) = self.wizard.errors.first() {
            // Focus the first field with a problem.
            let keys: Vec<&str> = fields(&self.wizard, &self.options, caps)
                .iter()
                .map(|f| f.key)
                .collect();
            self.focus = keys
                .iter()
                .position(|k| problem_matches(first, k))
                .unwrap_or(self.focus);
            self.wizard.step = before;
        }
    }

    /// Runs a wizard command; `None` when it does not take it (the key goes on as text).
    pub fn on_action(
        &mut self,
        action: Action,
        caps: &Capabilities,
        entity: &str,
        request: &mut dyn FnMut() -> u64,
    ) -> Option<Outcome> {
        use Action as A;
        if self.confirm_discard {
            return Some(match action {
                A::DiscardAnswers => Outcome::Close { discard: true },
                A::KeepDraft => Outcome::Close { discard: false },
                _ => {
                    self.confirm_discard = false;
                    Outcome::Stay(Vec::new())
                }
            });
        }
        if self.saving {
            return Some(Outcome::Stay(Vec::new()));
        }
        if let Some(selected) = self.variables {
            let vars = for_event(self.wizard.answers.event);
            match action {
                A::Down => self.variables = Some((selected + 1) % vars.len()),
                A::Up => self.variables = Some((selected + vars.len() - 1) % vars.len()),
                A::InsertVariable => {
                    self.payload
                        .0
                        .insert_str(vars[selected.min(vars.len() - 1)].text);
                    self.wizard.answers.payload = self.payload.text();
                    self.dirty = true;
                    self.variables = None;
                }
                _ => return None,
            }
            return Some(Outcome::Stay(Vec::new()));
        }
        let list = fields(&self.wizard, &self.options, caps);
        let focused = list.get(self.focus).cloned();
        let count = self.count(caps);
        let mut effects = Vec::new();
        match action {
            A::CloseWizard if self.dirty => self.confirm_discard = true,
            A::CloseWizard => return Some(Outcome::Close { discard: false }),
            A::RetryOptions => {
                let id = request();
                self.options_state = OptionsState::Loading(id);
                effects.push(Effect::LoadOptions {
                    request: id,
                    entity: entity.to_string(),
                });
            }
            A::Review => {
                self.go(Step::Review);
                self.wizard.errors = self.wizard.problems(Step::Review, caps);
            }
            A::NextStep => self.next_step(caps),
            A::PrevStep => {
                self.wizard.back();
                self.focus = 0;
            }
            A::Down | A::Up if self.wizard.step == Step::Start => {
                let n = self.start_options();
                self.cursor = if action == A::Down {
                    (self.cursor + 1) % n
                } else {
                    (self.cursor + n - 1) % n
                };
            }
            A::ScrollDown | A::ScrollUp | A::Top | A::Bottom => {
                let by: isize = match action {
                    A::ScrollDown => 1,
                    A::ScrollUp => -1,
                    A::Top => -100_000,
                    _ => 100_000,
                };
                self.review_scroll =
                    (self.review_scroll as isize + by).clamp(0, u16::MAX as isize) as u16;
            }
            A::NextField | A::PrevField => {
                if let Some(f) = &focused {
                    self.check_field(f.key, caps);
                }
                self.focus = if action == A::NextField {
                    (self.focus + 1) % count
                } else {
                    (self.focus + count - 1) % count
                };
            }
            A::WizardNext => match (self.wizard.step, &focused) {
                (Step::Start, _) => {
                    match (self.cursor, self.resume.clone()) {
                        (0, Some(draft)) => {
                            self.wizard.answers = draft.answers;
                            self.wizard.step = draft.step.max(Step::Scope);
                        }
                        (i, resume) => {
                            let index = if resume.is_some() { i - 1 } else { i };
                            self.wizard
                                .start_from(Template::ALL[index.min(Template::ALL.len() - 1)]);
                        }
                    }
                    self.dirty = true;
                    self.focus = 0;
                    self.cursor = 0;
                }
                (Step::Review, _) if self.focus < Self::REVIEW_ROWS.len() => {
                    self.go(Self::REVIEW_ROWS[self.focus])
                }
                (Step::Review, _) => {
                    let problems = self.wizard.problems(Step::Review, caps);
                    if problems.is_empty() {
                        self.saving = true;
                        return Some(Outcome::Save {
                            automation: Box::new(self.wizard.automation()),
                            edit: self.wizard.editing.is_some(),
                        });
                    }
                    self.wizard.show_problems(problems);
                    self.focus = 0;
                }
                _ if self.focus + 1 >= count => self.next_step(caps),
                _ => self.focus += 1,
            },
            A::ChooseNext | A::ChoosePrev => {
                let f = focused.as_ref()?;
                let before_project = (
                    self.wizard.answers.scope_kind,
                    self.wizard.answers.project.clone(),
                );
                let template = change(
                    &mut self.wizard,
                    f.key,
                    action == A::ChooseNext,
                    &self.options,
                    caps,
                    &mut self.cursor,
                );
                if template.is_none() {
                    self.dirty = true;
                }
                effects.extend(self.collections_if_needed(before_project, entity, request));
            }
            A::Pick => {
                let f = focused
                    .as_ref()
                    .filter(|f| matches!(f.kind, Kind::Multi { .. } | Kind::Toggle(_)))?;
                toggle(&mut self.wizard, f.key, self.cursor);
                self.dirty = true;
            }
            A::Variables => self.variables = Some(0),
            _ => return None,
        }
        self.after_move(caps);
        Some(Outcome::Stay(effects))
    }

    /// A key no command took: text for the focused field or the payload editor; any key closes
    /// the variable menu.
    pub fn on_text(
        &mut self,
        key: KeyEvent,
        caps: &Capabilities,
        entity: &str,
        request: &mut dyn FnMut() -> u64,
    ) -> Outcome {
        if self.confirm_discard {
            self.confirm_discard = false;
            return Outcome::Stay(Vec::new());
        }
        if self.saving {
            return Outcome::Stay(Vec::new());
        }
        if self.variables.is_some() {
            self.variables = None;
            return Outcome::Stay(Vec::new());
        }
        let list = fields(&self.wizard, &self.options, caps);
        let Some(focused) = list.get(self.focus).cloned() else {
            return Outcome::Stay(Vec::new());
        };
        if focused.kind == Kind::Area {
            self.payload.0.input(key);
            self.wizard.answers.payload = self.payload.text();
            self.dirty = true;
            return Outcome::Stay(Vec::new());
        }
        let mut effects = Vec::new();
        let before_project = (
            self.wizard.answers.scope_kind,
            self.wizard.answers.project.clone(),
        );
        match key.code {
            KeyCode::Char(c)
                if !key
                    .modifiers
                    .contains(crossterm::event::KeyModifiers::CONTROL) =>
            {
                if let Some(text) = text_mut(&mut self.wizard, focused.key) {
                    text.push(c);
                    self.dirty = true;
                }
                effects.extend(self.collections_if_needed(before_project, entity, request));
            }
            KeyCode::Backspace => {
                if let Some(text) = text_mut(&mut self.wizard, focused.key) {
                    text.pop();
                    self.dirty = true;
                }
            }
            _ => {}
        }
        Outcome::Stay(effects)
    }

    /// Keeps the payload editor in step with the answers and notes whether it has the focus.
    fn after_move(&mut self, caps: &Capabilities) {
        if self.payload.text() != self.wizard.answers.payload {
            // A template or a resumed draft replaced the payload.
            self.payload = PayloadEditor::new(&self.wizard.answers.payload);
        }
        self.payload_focused = self.wizard.step != Step::Review
            && self.wizard.step != Step::Start
            && fields(&self.wizard, &self.options, caps)
                .get(self.focus)
                .is_some_and(|f| f.kind == Kind::Area);
    }

    /// Validates one field as it is left: its problems replace the ones shown under it.
    fn check_field(&mut self, key: &str, caps: &Capabilities) {
        let problems = self.wizard.problems(self.wizard.step, caps);
        self.wizard.errors.retain(|p| !problem_matches(p, key));
        self.wizard
            .errors
            .extend(problems.into_iter().filter(|p| problem_matches(p, key)));
    }

    /// How many choices the start step offers: the templates, and the draft first if there is one.
    pub fn start_options(&self) -> usize {
        Template::ALL.len() + usize::from(self.resume.is_some())
    }

    /// The draft of the answers when they changed since the last one saved (new automations only).
    pub fn draft_if_changed(&mut self, now: i64) -> Option<Draft> {
        if !self.dirty || self.wizard.editing.is_some() || self.wizard.step == Step::Start {
            return None;
        }
        let draft = Draft {
            step: self.wizard.step,
            answers: self.wizard.answers.clone(),
            saved_at: now,
        };
        let key = serde_json::to_string(&(&draft.step, &draft.answers)).unwrap_or_default();
        if key == self.last_draft {
            return None;
        }
        self.last_draft = key;
        Some(draft)
    }

    fn collections_if_needed(
        &mut self,
        before: (ScopeKind, String),
        entity: &str,
        request: &mut dyn FnMut() -> u64,
    ) -> Option<Effect> {
        let a = &self.wizard.answers;
        let changed = (a.scope_kind, a.project.clone()) != before;
        if !changed
            || a.scope_kind != ScopeKind::Collection
            || !self.options.projects.contains(&a.project)
        {
            return None;
        }
        let id = request();
        self.collections_request = Some(id);
        self.options.collections.clear();
        let owner = if a.entity.trim().is_empty() {
            entity.to_string()
        } else {
            a.entity.trim().to_string()
        };
        Some(Effect::LoadCollections {
            request: id,
            entity: owner,
            project: a.project.clone(),
        })
    }
}

/// Whether a problem belongs under a field (`event.threshold` under `event.threshold`, `scope`
/// under the scope kind, `action.integration` under the integration picker...).
pub fn problem_matches(problem: &Problem, key: &str) -> bool {
    problem.path == key
        || (problem.path == "scope" && key == "scope.kind")
        || (problem.path == "action.type" && key == "action.type")
        || (problem.path == "event.run_filter" && key == "event.run_filter")
}

/// Opens the wizard: new (offering the draft first), or editing / duplicating the selection.
pub fn open(state: &mut State, action: Action) -> Vec<Effect> {
    if super::super::rows::refused(state, "creating or editing") {
        return Vec::new();
    }
    let wizard = match (action, state.selected_item()) {
        (Action::New, _) => Ok(Wizard::new(state.entity())),
        (_, Some(item)) => {
            let taken: Vec<String> = state
                .list
                .items()
                .iter()
                .map(|i| i.saved.automation.name.clone())
                .collect();
            Wizard::from_automation(&item.saved.automation, action == Action::Edit, &taken)
        }
        (_, None) => return Vec::new(),
    };
    match wizard {
        Ok(wizard) => {
            let request = state.session.request_id();
            let mut screen = WizardScreen::new(wizard, request);
            if action == Action::New {
                screen.resume = state.draft.clone();
            }
            screen.prepare(state);
            state.screen = Screen::Wizard(Box::new(screen));
            vec![Effect::LoadOptions {
                request,
                entity: state.entity().to_string(),
            }]
        }
        Err(message) => {
            state.toast(ToastKind::Error, message);
            Vec::new()
        }
    }
}

/// Takes the wizard out of the screen to work on it with the rest of the state.
fn with_wizard<T>(
    state: &mut State,
    work: impl FnOnce(&mut WizardScreen, &mut State) -> T,
) -> Option<T> {
    let Screen::Wizard(mut w) = std::mem::replace(&mut state.screen, Screen::List) else {
        return None;
    };
    let out = work(&mut w, state);
    if matches!(state.screen, Screen::List) {
        state.screen = Screen::Wizard(w);
    }
    Some(out)
}

/// A wizard command, from the registry.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    let outcome = with_wizard(state, |w, state| {
        let (caps, entity) = (state.capabilities().clone(), state.entity().to_string());
        let step = w.wizard.step;
        let outcome = w.on_action(action, &caps, &entity, &mut || state.session.request_id());
        if w.wizard.step != step {
            w.review_scroll = 0;
        }
        let scrolls = matches!(
            action,
            Action::ScrollDown | Action::ScrollUp | Action::Top | Action::Bottom
        );
        w.stale |= !scrolls;
        outcome
    })??;
    Some(settle(state, outcome))
}

/// A key no wizard command took.
pub fn on_text(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(outcome) = with_wizard(state, |w, state| {
        let (caps, entity) = (state.capabilities().clone(), state.entity().to_string());
        let outcome = w.on_text(key, &caps, &entity, &mut || state.session.request_id());
        w.after_move(&caps);
        w.stale = true;
        outcome
    }) else {
        return Vec::new();
    };
    settle(state, outcome)
}

/// The live verdict's requests after the answers changed (on the Condition step only).
fn preview_effects(state: &mut State) -> Vec<Effect> {
    with_wizard(state, |w, state| {
        if w.wizard.step != Step::Condition {
            return Vec::new();
        }
        let a = w.wizard.automation();
        let caps = state.capabilities();
        let valid = w.wizard.problems(Step::Condition, caps).is_empty();
        let typing_metric = fields(&w.wizard, &w.options, caps)
            .get(w.focus)
            .is_some_and(|f| f.key == "event.metric");
        let before = w.preview.lines.clone();
        let effects = w
            .preview
            .effects(&a, valid, typing_metric, &mut || state.session.request_id());
        w.stale |= w.preview.lines != before;
        effects
    })
    .unwrap_or_default()
}

/// The recent runs arrived: the condition is judged over them at once.
pub fn on_preview_loaded(
    state: &mut State,
    request: u64,
    result: Result<preview::Histories, String>,
) -> Vec<Effect> {
    let kept = match &mut state.screen {
        Screen::Wizard(w) => w.preview.loaded(request, result),
        _ => false,
    };
    if kept {
        preview_effects(state)
    } else {
        Vec::new()
    }
}

/// A verdict arrived (the newest request's only).
pub fn on_preview_judged(
    state: &mut State,
    request: u64,
    result: Result<Vec<crate::engine::backtest::Verdict>, String>,
) {
    let caps = state.capabilities().clone();
    if let Screen::Wizard(w) = &mut state.screen
        && w.preview.judged(request, result)
    {
        let a = w.wizard.automation();
        let valid = w.wizard.problems(Step::Condition, &caps).is_empty();
        w.preview.prepare(&a, valid);
        w.stale = true;
    }
}

/// Carries out what a wizard key decided: drafts, closing, saving.
fn settle(state: &mut State, outcome: Outcome) -> Vec<Effect> {
    match outcome {
        Outcome::Stay(mut effects) => {
            effects.extend(preview_effects(state));
            let now = state.now;
            if let Screen::Wizard(w) = &mut state.screen
                && let Some(draft) = w.draft_if_changed(now)
            {
                effects.push(Effect::SaveDraft {
                    text: draft.to_text(),
                });
                state.draft = Some(draft);
            }
            effects
        }
        Outcome::Close { discard } => {
            state.screen = Screen::List;
            if discard && state.draft.take().is_some() {
                return vec![Effect::ClearDraft];
            }
            if state.draft.is_some() {
                let key = state.keymap.key_of(Action::New);
                state.toast(
                    ToastKind::Info,
                    format!("kept as a draft: {key} resumes it"),
                );
            }
            Vec::new()
        }
        Outcome::Save { automation, edit } => vec![Effect::SaveWizard {
            automation,
            entity: state.entity().to_string(),
            edit,
        }],
    }
}

/// The picker options arrived (only the newest request's answer counts).
pub fn on_options(
    state: &mut State,
    request: u64,
    result: Result<crate::wizard::fields::Options, BackendError>,
) {
    if let Screen::Wizard(w) = &mut state.screen
        && w.options_state == OptionsState::Loading(request)
    {
        w.stale = true;
        match result {
            Ok(options) => {
                let collections = std::mem::take(&mut w.options.collections);
                w.options = options;
                w.options.collections = collections;
                w.options_state = OptionsState::Ready;
            }
            Err(e) => w.options_state = OptionsState::Failed(e.to_string()),
        }
    }
}

/// A project's collections arrived.
pub fn on_collections(state: &mut State, request: u64, result: Result<Vec<String>, BackendError>) {
    if let Screen::Wizard(w) = &mut state.screen
        && w.collections_request == Some(request)
    {
        w.stale = true;
        w.collections_request = None;
        match result {
            Ok(names) => w.options.collections = names,
            Err(e) => w.options_state = OptionsState::Failed(e.to_string()),
        }
    }
}

/// The wizard's automation was saved, or the server's objections go back to their fields.
pub fn on_saved(
    state: &mut State,
    edit: bool,
    result: Result<crate::backend::SavedAutomation, BackendError>,
) -> Vec<Effect> {
    let Screen::Wizard(w) = &mut state.screen else {
        return Vec::new();
    };
    w.saving = false;
    w.stale = true;
    match result {
        Ok(saved) => {
            let before = w.wizard.editing.clone();
            let name = saved.automation.name.clone();
            let id = saved.automation.id.clone();
            state.screen = Screen::List;
            if let (true, Some(before)) = (edit, before) {
                state
                    .writes
                    .push_undo(super::super::store::writes::Undo::Restore {
                        label: format!("edit of {name}"),
                        before: Box::new(before),
                    });
            }
            state.change_list_keeping(id.as_deref(), |list| list.upsert(saved));
            let verb = if edit { "saved" } else { "created" };
            state.toast(ToastKind::Info, format!("{verb} {name}"));
            if !edit && state.draft.take().is_some() {
                return vec![Effect::ClearDraft];
            }
        }
        Err(BackendError::Invalid(problems)) => w.wizard.show_problems(problems),
        Err(BackendError::Conflict(message)) => {
            w.wizard.show_problems(vec![Problem::new("name", message)])
        }
        Err(BackendError::NotFound(message)) => {
            w.wizard.show_problems(vec![Problem::new("scope", message)])
        }
        Err(e) => {
            let message = format!("not saved: {e}");
            state.toast(ToastKind::Error, message);
        }
    }
    Vec::new()
}
