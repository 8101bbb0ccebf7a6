//! The wizard as a screen of the dashboard: the pure wizard plus focus, picker options and the
//! state of saving. Keys are handled here; `update` routes them.

use super::msg::Effect;
use crate::model::validate::Problem;
use crate::model::{Automation, Capabilities, ScopeKind};
use crate::wizard::draft::Draft;
use crate::wizard::fields::{Kind, Options, change, fields, text_mut, toggle};
use crate::wizard::variables::for_event;
use crate::wizard::{Step, Template, Wizard};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
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
            confirm_discard: false,
            review_scroll: 0,
            dirty: false,
            resume: None,
            last_draft: String::new(),
            payload: PayloadEditor::new(&wizard_payload),
            variables: None,
        }
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

    /// Handles a key; `request` gives fresh request ids for option loads.
    pub fn key(
        &mut self,
        key: KeyEvent,
        caps: &Capabilities,
        entity: &str,
        request: &mut dyn FnMut() -> u64,
    ) -> Outcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if self.confirm_discard {
            return match key.code {
                KeyCode::Esc | KeyCode::Char('d') => Outcome::Close { discard: true },
                KeyCode::Char('s') => Outcome::Close { discard: false },
                _ => {
                    self.confirm_discard = false;
                    Outcome::Stay(Vec::new())
                }
            };
        }
        if self.saving {
            return Outcome::Stay(Vec::new());
        }
        if let Some(selected) = self.variables {
            let vars = for_event(self.wizard.answers.event);
            match key.code {
                KeyCode::Down | KeyCode::Char('j') => {
                    self.variables = Some((selected + 1) % vars.len())
                }
                KeyCode::Up | KeyCode::Char('k') => {
                    self.variables = Some((selected + vars.len() - 1) % vars.len())
                }
                KeyCode::Enter => {
                    self.payload
                        .0
                        .insert_str(vars[selected.min(vars.len() - 1)].text);
                    self.wizard.answers.payload = self.payload.text();
                    self.dirty = true;
                    self.variables = None;
                }
                _ => self.variables = None,
            }
            return Outcome::Stay(Vec::new());
        }
        let list = fields(&self.wizard, &self.options, caps);
        let focused = list.get(self.focus).cloned();
        if self.payload.text() != self.wizard.answers.payload {
            // A template or a resumed draft replaced the payload.
            self.payload = PayloadEditor::new(&self.wizard.answers.payload);
        }
        let navigation = matches!(
            key.code,
            KeyCode::Tab | KeyCode::BackTab | KeyCode::Esc | KeyCode::PageDown | KeyCode::PageUp
        ) || (ctrl
            && matches!(key.code, KeyCode::Char('s' | 'n' | 'p' | 'v' | 'r' | 'c')));
        if focused.as_ref().is_some_and(|f| f.kind == Kind::Area) && !navigation {
            self.payload.0.input(key);
            self.wizard.answers.payload = self.payload.text();
            self.dirty = true;
            return Outcome::Stay(Vec::new());
        }
        let count = self.count(caps);
        let mut effects = Vec::new();
        match key.code {
            KeyCode::Esc if self.dirty => self.confirm_discard = true,
            KeyCode::Esc => return Outcome::Close { discard: false },
            KeyCode::Char('r') if ctrl => {
                let id = request();
                self.options_state = OptionsState::Loading(id);
                effects.push(Effect::LoadOptions {
                    request: id,
                    entity: entity.to_string(),
                });
            }
            KeyCode::Char('s') if ctrl => {
                self.go(Step::Review);
                self.wizard.errors = self.wizard.problems(Step::Review, caps);
            }
            KeyCode::Char('n') if ctrl => self.next_step(caps),
            KeyCode::PageDown => self.next_step(caps),
            KeyCode::Char('p') if ctrl => {
                self.wizard.back();
                self.focus = 0;
            }
            KeyCode::PageUp => {
                self.wizard.back();
                self.focus = 0;
            }
            KeyCode::Down | KeyCode::Up | KeyCode::Char('j') | KeyCode::Char('k')
                if self.wizard.step == Step::Start =>
            {
                let n = self.start_options();
                let down = matches!(key.code, KeyCode::Down | KeyCode::Char('j'));
                self.cursor = if down {
                    (self.cursor + 1) % n
                } else {
                    (self.cursor + n - 1) % n
                };
            }
            KeyCode::Tab | KeyCode::Down | KeyCode::BackTab | KeyCode::Up => {
                if let Some(f) = &focused {
                    self.check_field(f.key, caps);
                }
                let forward = matches!(key.code, KeyCode::Tab | KeyCode::Down);
                self.focus = if forward {
                    (self.focus + 1) % count
                } else {
                    (self.focus + count - 1) % count
                };
            }
            KeyCode::Enter => match (self.wizard.step, &focused) {
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
                        return Outcome::Save {
                            automation: Box::new(self.wizard.automation()),
                            edit: self.wizard.editing.is_some(),
                        };
                    }
                    self.wizard.show_problems(problems);
                    self.focus = 0;
                }
                _ if self.focus + 1 >= count => self.next_step(caps),
                _ => self.focus += 1,
            },
            KeyCode::Left | KeyCode::Right => {
                if let Some(f) = &focused {
                    let before_project = (
                        self.wizard.answers.scope_kind,
                        self.wizard.answers.project.clone(),
                    );
                    let template = change(
                        &mut self.wizard,
                        f.key,
                        key.code == KeyCode::Right,
                        &self.options,
                        caps,
                        &mut self.cursor,
                    );
                    if template.is_none() {
                        self.dirty = true;
                    }
                    effects.extend(self.collections_if_needed(before_project, entity, request));
                }
            }
            KeyCode::Char(' ')
                if focused
                    .as_ref()
                    .is_some_and(|f| matches!(f.kind, Kind::Multi { .. } | Kind::Toggle(_))) =>
            {
                if let Some(f) = &focused {
                    toggle(&mut self.wizard, f.key, self.cursor);
                    self.dirty = true;
                }
            }
            KeyCode::Char('v')
                if ctrl && focused.as_ref().is_some_and(|f| f.kind == Kind::Area) =>
            {
                self.variables = Some(0);
            }
            KeyCode::Char(c) if !ctrl => {
                if let Some(f) = &focused {
                    let before_project = (
                        self.wizard.answers.scope_kind,
                        self.wizard.answers.project.clone(),
                    );
                    if let Some(text) = text_mut(&mut self.wizard, f.key) {
                        text.push(c);
                        self.dirty = true;
                    }
                    effects.extend(self.collections_if_needed(before_project, entity, request));
                }
            }
            KeyCode::Backspace => {
                if let Some(text) = focused
                    .as_ref()
                    .and_then(|f| text_mut(&mut self.wizard, f.key))
                {
                    text.pop();
                    self.dirty = true;
                }
            }
            _ => {}
        }
        Outcome::Stay(effects)
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
