//! How the wizard's commands and typed keys move it: fields, choices, steps, the payload editor
//! and its variable menu, the draft, and the picker choices arriving.

use super::{WizardMsg, WizardScreen};
use crate::app::ctx::Ctx;
use crate::app::input::Move;
use crate::app::input::edit_line;
use crate::app::msg::Effect;
use crate::app::text::Doc;
use crate::backend::BackendError;
use crate::model::validate::Problem;
use crate::model::{Automation, Capabilities, ScopeKind};
use crate::wizard::draft::Draft;
use crate::wizard::fields::{Kind, PickerChoices, change, fields, text_mut, toggle};
use crate::wizard::template::free_name;
use crate::wizard::variables::for_event;
use crate::wizard::{Step, Template, Wizard};
use crossterm::event::KeyEvent;
use ratatui_textarea::{CursorMove, TextArea};

/// The webhook payload's text area: cursor movement, selection, word jumps and undo come from
/// ratatui-textarea; the text is mirrored into the answers after every key.
#[derive(Clone, Debug)]
pub(super) struct PayloadEditor(TextArea<'static>);

impl PayloadEditor {
    /// An editor holding `text`.
    fn new(text: &str) -> Self {
        let mut area = TextArea::new(text.lines().map(str::to_string).collect());
        area.move_cursor(CursorMove::Bottom);
        area.move_cursor(CursorMove::End);
        Self(area)
    }

    /// Its text.
    fn text(&self) -> String {
        self.0.lines().join("\n")
    }

    /// The cursor as (line, column).
    pub(super) fn cursor(&self) -> (usize, usize) {
        let c = self.0.cursor();
        (c.0, c.1)
    }
}

/// Where the picker choices stand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum OptionsState {
    /// Loading (request id).
    Loading(u64),
    /// Loaded.
    Ready,
    /// Failed; the retry key asks again.
    Failed(String),
}

/// What a key did to the wizard.
pub(super) enum Outcome {
    /// Stay.
    Stay,
    /// Close the wizard; `discard` forgets the draft, else it is kept to resume.
    Close { discard: bool },
    /// Save this automation (resolved on save); `edit` = update instead of create.
    Save {
        automation: Box<Automation>,
        edit: bool,
    },
}

/// The review's rows: one per step to jump back to, then Save.
pub(super) const REVIEW_ROWS: [Step; 5] = [
    Step::Scope,
    Step::Event,
    Step::Condition,
    Step::Action,
    Step::Details,
];

/// Whether a problem belongs under a field (`event.threshold` under `event.threshold`, `scope`
/// under the scope kind, `action.integration` under the integration picker...).
pub(super) fn problem_matches(problem: &Problem, key: &str) -> bool {
    problem.path == key
        || (problem.path == "scope" && key == "scope.kind")
        || (problem.path == "action.type" && key == "action.type")
        || (problem.path == "event.run_filter" && key == "event.run_filter")
}

impl WizardScreen {
    /// A screen around a wizard, loading the picker choices with request `request`.
    pub(super) fn new(wizard: Wizard, request: u64, taken: Vec<String>) -> Self {
        let payload = PayloadEditor::new(&wizard.answers.payload);
        Self {
            wizard,
            taken,
            focus: 0,
            cursor: 0,
            options: PickerChoices::default(),
            options_state: OptionsState::Loading(request),
            collections_request: None,
            saving: false,
            payload_focused: false,
            confirm_discard: false,
            review_scroll: 0,
            dirty: false,
            resume: None,
            last_draft: String::new(),
            payload,
            variables: None,
            doc: Doc::default(),
            scroll: 0,
            chrome: super::Chrome::default(),
            rows: Vec::new(),
            focus_lines: 0..0,
            stale: true,
            preview: Box::default(),
        }
    }

    fn count(&self, caps: &Capabilities) -> usize {
        match self.wizard.step {
            Step::Review => REVIEW_ROWS.len() + 1,
            _ => fields(&self.wizard, &self.options, caps).len().max(1),
        }
    }

    fn go(&mut self, step: Step) {
        self.wizard.step = step;
        self.focus = 0;
        self.cursor = 0;
    }

    fn next_step(&mut self, caps: &Capabilities) {
        if self.wizard.next(caps) {
            self.focus = 0;
            self.cursor = 0;
        } else {
            self.focus_problem(caps);
        }
    }

    /// Focuses the first field of the step that has a problem, so what is typed next goes
    /// there (the first field when none has).
    pub(super) fn focus_problem(&mut self, caps: &Capabilities) {
        let keys: Vec<&str> = fields(&self.wizard, &self.options, caps)
            .iter()
            .map(|f| f.key)
            .collect();
        self.focus = self
            .wizard
            .errors
            .iter()
            .find_map(|p| keys.iter().position(|k| problem_matches(p, k)))
            .unwrap_or(0);
        self.cursor = 0;
        self.after_move(caps);
    }

    /// Problems refused a save: back to the step and field of the first, focused.
    pub(super) fn refused(&mut self, problems: Vec<Problem>, caps: &Capabilities) {
        self.wizard.show_problems(problems);
        self.focus_problem(caps);
    }

    /// Drops the messages under a field that its answer no longer earns (the edit fixed them);
    /// new ones wait until the field is left.
    fn drop_fixed(&mut self, key: &str, caps: &Capabilities) {
        let now = self.wizard.problems(self.wizard.step, caps);
        self.wizard
            .errors
            .retain(|p| !problem_matches(p, key) || now.contains(p));
    }

    /// Runs a command; `None` when it does not take it (the key goes on as text).
    pub(super) fn command(&mut self, msg: WizardMsg, ctx: &mut Ctx) -> Option<Outcome> {
        use WizardMsg as W;
        if self.confirm_discard {
            return Some(match msg {
                W::DiscardAnswers => Outcome::Close { discard: true },
                W::KeepDraft => Outcome::Close { discard: false },
                _ => {
                    self.confirm_discard = false;
                    Outcome::Stay
                }
            });
        }
        if self.saving {
            return Some(Outcome::Stay);
        }
        if let Some(selected) = self.variables {
            let vars = for_event(self.wizard.answers.event);
            match msg {
                W::Move(Move::Down) => self.variables = Some((selected + 1) % vars.len()),
                W::Move(Move::Up) => {
                    self.variables = Some((selected + vars.len() - 1) % vars.len())
                }
                W::Insert => {
                    self.payload
                        .0
                        .insert_str(vars[selected.min(vars.len() - 1)].text());
                    self.wizard.answers.payload = self.payload.text();
                    self.dirty = true;
                    self.variables = None;
                }
                _ => return None,
            }
            return Some(Outcome::Stay);
        }
        let caps = ctx.capabilities().clone();
        let list = fields(&self.wizard, &self.options, &caps);
        let focused = list.get(self.focus).cloned();
        let count = self.count(&caps);
        match msg {
            W::Close if self.dirty => self.confirm_discard = true,
            W::Close => return Some(Outcome::Close { discard: false }),
            W::Retry => {
                let id = ctx.session.request_id();
                self.options_state = OptionsState::Loading(id);
                let entity = ctx.entity().to_string();
                ctx.effect(Effect::LoadOptions {
                    request: id,
                    entity,
                });
            }
            W::Review => {
                self.go(Step::Review);
                self.wizard.errors = self.wizard.problems(Step::Review, &caps);
            }
            W::NextStep => self.next_step(&caps),
            W::PrevStep => {
                self.wizard.back();
                self.focus = 0;
            }
            W::Move(by @ (Move::Down | Move::Up)) if self.wizard.step == Step::Start => {
                let n = self.start_options();
                self.cursor = if by == Move::Down {
                    (self.cursor + 1) % n
                } else {
                    (self.cursor + n - 1) % n
                };
            }
            W::ScrollDown | W::ScrollUp | W::Move(Move::Top | Move::Bottom) => {
                let by: isize = match msg {
                    W::ScrollDown => 1,
                    W::ScrollUp => -1,
                    W::Move(Move::Top) => -100_000,
                    _ => 100_000,
                };
                self.review_scroll =
                    (self.review_scroll as isize + by).clamp(0, u16::MAX as isize) as u16;
            }
            W::NextField | W::PrevField => {
                if let Some(f) = &focused {
                    self.check_field(f.key, &caps);
                }
                self.focus = if matches!(msg, W::NextField) {
                    (self.focus + 1) % count
                } else {
                    (self.focus + count - 1) % count
                };
            }
            W::Next => match (self.wizard.step, &focused) {
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
                            let name = &mut self.wizard.answers.name;
                            *name = free_name(name, &self.taken);
                        }
                    }
                    self.dirty = true;
                    self.focus = 0;
                    self.cursor = 0;
                }
                (Step::Review, _) if self.focus < REVIEW_ROWS.len() => {
                    self.go(REVIEW_ROWS[self.focus])
                }
                (Step::Review, _) => {
                    let problems = self.wizard.problems(Step::Review, &caps);
                    if problems.is_empty() {
                        self.saving = true;
                        return Some(Outcome::Save {
                            automation: Box::new(self.wizard.automation()),
                            edit: self.wizard.editing.is_some(),
                        });
                    }
                    self.refused(problems, &caps);
                }
                _ if self.focus + 1 >= count => self.next_step(&caps),
                _ => self.focus += 1,
            },
            W::ChooseNext | W::ChoosePrev => {
                let f = focused.as_ref()?;
                let before = (
                    self.wizard.answers.scope_kind,
                    self.wizard.answers.project.clone(),
                );
                let template = change(
                    &mut self.wizard,
                    f.key,
                    matches!(msg, W::ChooseNext),
                    &self.options,
                    &caps,
                    &mut self.cursor,
                );
                if template.is_none() {
                    self.dirty = true;
                }
                self.drop_fixed(f.key, &caps);
                self.collections_if_needed(before, ctx);
            }
            W::Pick => {
                let f = focused
                    .as_ref()
                    .filter(|f| matches!(f.kind, Kind::Multi { .. } | Kind::Toggle(_)))?;
                toggle(&mut self.wizard, f.key, self.cursor);
                self.dirty = true;
                self.drop_fixed(f.key, &caps);
            }
            W::Variables => self.variables = Some(0),
            _ => return None,
        }
        self.after_move(&caps);
        Some(Outcome::Stay)
    }

    /// A key no command took: text for the focused field or the payload editor; any key closes
    /// the variable menu and the "discard?" question.
    pub(super) fn typed(&mut self, key: &KeyEvent, ctx: &mut Ctx) -> Outcome {
        if self.confirm_discard {
            self.confirm_discard = false;
            return Outcome::Stay;
        }
        if self.saving {
            return Outcome::Stay;
        }
        if self.variables.is_some() {
            self.variables = None;
            return Outcome::Stay;
        }
        let caps = ctx.capabilities().clone();
        let list = fields(&self.wizard, &self.options, &caps);
        let Some(focused) = list.get(self.focus).cloned() else {
            return Outcome::Stay;
        };
        if focused.kind == Kind::Area {
            self.payload.0.input(*key);
            self.wizard.answers.payload = self.payload.text();
            self.dirty = true;
            self.drop_fixed(focused.key, &caps);
            return Outcome::Stay;
        }
        let before = (
            self.wizard.answers.scope_kind,
            self.wizard.answers.project.clone(),
        );
        let edited = text_mut(&mut self.wizard, focused.key).is_some_and(|t| edit_line(t, key));
        if edited {
            self.dirty = true;
            let a = &mut self.wizard.answers;
            match focused.key {
                "action.title" => a.title_follows = false,
                "name" => a.name_follows = false,
                _ => {}
            }
            self.drop_fixed(focused.key, &caps);
            self.collections_if_needed(before, ctx);
        }
        Outcome::Stay
    }

    /// Keeps the payload editor in step with the answers and notes whether it has the focus.
    pub(super) fn after_move(&mut self, caps: &Capabilities) {
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
    pub(super) fn start_options(&self) -> usize {
        Template::ALL.len() + usize::from(self.resume.is_some())
    }

    /// The draft of the answers when they changed since the last one saved (new automations only).
    pub(super) fn draft_if_changed(&mut self, now: i64) -> Option<Draft> {
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

    /// Asks for a project's collections when a collection scope's project was just chosen.
    fn collections_if_needed(&mut self, before: (ScopeKind, String), ctx: &mut Ctx) {
        let a = &self.wizard.answers;
        let changed = (a.scope_kind, a.project.clone()) != before;
        if !changed
            || a.scope_kind != ScopeKind::Collection
            || !self.options.projects.contains(&a.project)
        {
            return;
        }
        let id = ctx.session.request_id();
        self.collections_request = Some(id);
        self.options.collections.clear();
        let entity = if a.entity.trim().is_empty() {
            ctx.entity().to_string()
        } else {
            a.entity.trim().to_string()
        };
        let project = a.project.clone();
        ctx.effect(Effect::LoadCollections {
            request: id,
            entity,
            project,
        });
    }

    /// The picker choices arrived (only the newest request's answer counts).
    pub(super) fn options_arrived(
        &mut self,
        request: u64,
        result: Result<PickerChoices, BackendError>,
    ) {
        if self.options_state != OptionsState::Loading(request) {
            return;
        }
        self.stale = true;
        match result {
            Ok(options) => {
                let collections = std::mem::take(&mut self.options.collections);
                self.options = options;
                self.options.collections = collections;
                self.options_state = OptionsState::Ready;
            }
            Err(e) => self.options_state = OptionsState::Failed(e.to_string()),
        }
    }

    /// A project's collections arrived.
    pub(super) fn collections_arrived(
        &mut self,
        request: u64,
        result: Result<Vec<String>, BackendError>,
    ) {
        if self.collections_request != Some(request) {
            return;
        }
        self.stale = true;
        self.collections_request = None;
        match result {
            Ok(names) => self.options.collections = names,
            Err(e) => self.options_state = OptionsState::Failed(e.to_string()),
        }
    }
}
