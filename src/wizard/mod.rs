//! The creation wizard's state machine: steps, answers, validation and the automation they make.
//! Pure: options reach it as data, nothing here talks to a backend or draws.

pub(crate) mod answers;
pub mod draft;
pub mod fields;
pub(crate) mod template;
pub mod variables;

use crate::model::expr::Expr;
use crate::model::scope::REGISTRY_PREFIX;
use crate::model::summary::{action_sentence, event_sentence};
use crate::model::validate::{MAX_NAME_CHARS, scopes_for};
use crate::model::{
    Action, ActionKind, ArtifactEvent, Automation, Capabilities, Event, EventKind, Feature,
    IntegrationRef, MetricCondition, Problem, Scope, ScopeKind, ScopePath, TimeSpan, validate,
};
pub use answers::Answers;
use serde_json::{Number, Value};
pub use template::Template;

/// The wizard's steps, in order.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Step {
    /// Pick a template.
    Start,
    /// Where it applies.
    Scope,
    /// What happens.
    Event,
    /// The condition on it.
    Condition,
    /// What to do.
    Action,
    /// Name, description, enabled.
    Details,
    /// Check and save.
    Review,
}

impl Step {
    /// Every step, in order.
    pub(crate) const ALL: [Step; 7] = [
        Step::Start,
        Step::Scope,
        Step::Event,
        Step::Condition,
        Step::Action,
        Step::Details,
        Step::Review,
    ];

    /// Its title.
    pub fn title(self) -> &'static str {
        match self {
            Step::Start => "Start",
            Step::Scope => "Scope",
            Step::Event => "Event",
            Step::Condition => "Condition",
            Step::Action => "Action",
            Step::Details => "Details",
            Step::Review => "Review",
        }
    }

    /// Its number (0 to 6).
    pub(crate) fn number(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// The next step.
    pub(crate) fn next(self) -> Step {
        Step::ALL
            .get(self.number() + 1)
            .copied()
            .unwrap_or(Step::Review)
    }

    /// The previous step.
    pub(crate) fn previous(self) -> Step {
        Step::ALL[self.number().saturating_sub(1)]
    }
}

/// The step a problem's field belongs to (for errors from validation and from the server).
pub fn step_of(path: &str) -> Step {
    let head = path.split('.').next().unwrap_or_default();
    match (head, path) {
        ("scope", _) => Step::Scope,
        (_, "event.type") => Step::Event,
        ("event", _) => Step::Condition,
        ("action", _) => Step::Action,
        _ => Step::Details,
    }
}

/// An option of a choice, greyed with the reason when it cannot be picked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice<T> {
    /// The value.
    pub value: T,
    /// Why it cannot be picked, if it cannot.
    pub unavailable: Option<String>,
}

/// Parses a typed number, keeping integers integers.
pub(crate) fn parse_number(text: &str) -> Option<Number> {
    let t = text.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Some(Number::from(i));
    }
    t.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .and_then(Number::from_f64)
}

fn window(text: &str) -> i64 {
    text.trim().parse::<i64>().unwrap_or(0)
}

/// The wizard: where the user is and what they answered.
#[derive(Clone, Debug, PartialEq)]
pub struct Wizard {
    /// The current step.
    pub step: Step,
    /// The answers.
    pub answers: Answers,
    /// The automation being edited (its id and stamp), or `None` when creating.
    pub editing: Option<Automation>,
    /// Problems by field path, shown under their fields.
    pub errors: Vec<Problem>,
}

impl Wizard {
    /// A new wizard at the start step.
    pub fn new(entity: &str) -> Self {
        Self {
            step: Step::Start,
            answers: Answers::blank(entity),
            editing: None,
            errors: Vec::new(),
        }
    }

    /// Applies a template and moves to the scope step.
    pub fn start_from(&mut self, template: Template) {
        let entity = self.answers.entity.clone();
        self.answers = template.answers(&entity);
        self.step = Step::Scope;
        self.errors.clear();
    }

    /// A wizard pre-filled from an automation: to edit it (`edit`), or as a new copy with a fresh
    /// name. Read-only kinds cannot be loaded; the error says why.
    pub fn from_automation(a: &Automation, edit: bool, taken: &[String]) -> Result<Self, String> {
        if let Some(reason) = a.read_only_reason() {
            return Err(format!("{} cannot be edited: {reason}", a.name));
        }
        let mut answers = Answers::blank(a.scope.path.entity());
        fill_scope(&mut answers, &a.scope.path);
        fill_event(&mut answers, &a.event);
        fill_action(&mut answers, &a.action);
        answers.description = a.description.clone().unwrap_or_default();
        answers.enabled = a.enabled;
        answers.name = if edit {
            a.name.clone()
        } else {
            fresh_name(&a.name, taken)
        };
        Ok(Self {
            step: Step::Scope,
            answers,
            editing: edit.then(|| a.clone()),
            errors: Vec::new(),
        })
    }

    /// The scope path the answers describe.
    pub(crate) fn scope_path(&self) -> ScopePath {
        let a = &self.answers;
        let entity = a.entity.trim().to_string();
        match a.scope_kind {
            ScopeKind::Project => ScopePath::Project {
                entity,
                project: a.project.trim().to_string(),
            },
            ScopeKind::Registry => ScopePath::Registry {
                entity,
                registry: a
                    .registry
                    .trim()
                    .trim_start_matches(REGISTRY_PREFIX)
                    .to_string(),
            },
            ScopeKind::Collection => ScopePath::Collection {
                entity,
                project: a.project.trim().to_string(),
                collection: a.collection.trim().to_string(),
            },
            ScopeKind::Team => ScopePath::Team { entity },
            ScopeKind::Org => ScopePath::Org { entity },
        }
    }

    fn filter(&self) -> Option<Expr> {
        let a = &self.answers;
        let (field, pattern) = match a.event {
            k if k.is_run_event() => ("display_name", &a.run_name),
            EventKind::Artifact(
                ArtifactEvent::AddTag
                | ArtifactEvent::RemoveTag
                | ArtifactEvent::AddCollectionTag
                | ArtifactEvent::RemoveCollectionTag,
            ) => ("tag", &a.artifact_pattern),
            _ => ("alias", &a.artifact_pattern),
        };
        let pattern = pattern.trim();
        if pattern.is_empty() {
            return a.kept_filter.clone();
        }
        Some(Expr::field(
            field,
            "$regex",
            Value::String(pattern.to_string()),
        ))
    }

    /// The event the answers describe (numbers that do not parse become 0 and fail validation).
    pub(crate) fn event(&self) -> Event {
        let a = &self.answers;
        let number = |t: &str| parse_number(t).unwrap_or_else(|| Number::from(0));
        let condition = |kind| match kind {
            EventKind::MetricChange => Some(MetricCondition::Change {
                metric: a.metric.trim().to_string(),
                agg: a.agg,
                window: window(&a.window),
                prior_window: if a.prior_window.trim().is_empty() {
                    window(&a.window)
                } else {
                    window(&a.prior_window)
                },
                direction: a.direction,
                change: a.change,
                amount: number(&a.amount),
            }),
            EventKind::MetricZScore => Some(MetricCondition::ZScore {
                metric: a.metric.trim().to_string(),
                window: window(&a.window),
                threshold: parse_number(&a.zscore).unwrap_or_else(|| Number::from(0)),
                direction: a.direction,
            }),
            EventKind::MetricThreshold => Some(MetricCondition::Threshold {
                metric: a.metric.trim().to_string(),
                agg: a.agg,
                window: window(&a.window),
                cmp: a.cmp,
                threshold: number(&a.threshold),
            }),
            _ => None,
        };
        match a.event {
            EventKind::RunState => Event::RunState {
                run_filter: self.filter(),
                states: a.states.iter().copied().collect(),
            },
            EventKind::Artifact(kind) => Event::Artifact {
                kind,
                filter: self.filter(),
            },
            // A duration that does not parse becomes 0 and fails validation.
            EventKind::RunStalled => Event::RunStalled {
                run_filter: self.filter(),
                after: TimeSpan::parse(&a.after).unwrap_or(TimeSpan::from_secs(0)),
                adaptive: a.adaptive,
                factor: number(&a.factor),
            },
            EventKind::MetricNonfinite => Event::RunMetricNonfinite {
                run_filter: self.filter(),
                metric: a.metric.trim().to_string(),
            },
            kind => match condition(kind) {
                Some(condition) => Event::RunMetric {
                    run_filter: self.filter(),
                    condition,
                },
                None => Event::Raw {
                    event_type: kind.wire_name().into(),
                    filter: String::new(),
                },
            },
        }
    }

    /// The action the answers describe.
    pub(crate) fn action(&self) -> Action {
        let a = &self.answers;
        let integration = IntegrationRef::named(a.integration.trim());
        match a.action {
            ActionKind::Slack => Action::Slack {
                integration,
                title: a.title.clone(),
                message: a.message.clone(),
                severity: a.severity,
            },
            ActionKind::Webhook => Action::Webhook {
                integration,
                payload: match serde_json::from_str::<Value>(&a.payload) {
                    Ok(Value::Object(m)) => Some(m),
                    _ => None,
                },
            },
            _ => Action::NoOp,
        }
    }

    /// The automation the answers describe (unresolved: paths and names, not ids).
    pub fn automation(&self) -> Automation {
        let a = &self.answers;
        let editing = self.editing.as_ref();
        Automation {
            id: editing.and_then(|e| e.id.clone()),
            name: a.name.trim().to_string(),
            description: (!a.description.trim().is_empty())
                .then(|| a.description.clone())
                .or_else(|| editing.map(|_| String::new())),
            enabled: a.enabled,
            scope: Scope::unresolved(self.scope_path()),
            event: self.event(),
            action: self.action(),
            created_at: editing.and_then(|e| e.created_at.clone()),
            updated_at: editing.and_then(|e| e.updated_at.clone()),
        }
    }

    /// A sentence of what will fire and what will happen, for the condition step and review.
    pub fn sentence(&self) -> String {
        format!(
            "fires when {}; then {}",
            event_sentence(&self.event()),
            action_sentence(&self.action())
        )
    }

    /// The problems of one step: typed text that does not parse, plus the model's rules and the
    /// backend's capabilities for that step's fields.
    pub fn problems(&self, step: Step, caps: &Capabilities) -> Vec<Problem> {
        let a = &self.answers;
        let mut out = Vec::new();
        let kind = a.event;
        match step {
            Step::Scope => {
                let needs_project =
                    matches!(a.scope_kind, ScopeKind::Project | ScopeKind::Collection);
                if a.entity.trim().is_empty() {
                    out.push(Problem::new(
                        "scope.entity",
                        "name the entity (team or organisation) the scope belongs to",
                    ));
                }
                if needs_project && a.project.trim().is_empty() {
                    out.push(Problem::new("scope.project", "pick a project"));
                }
                if a.scope_kind == ScopeKind::Collection && a.collection.trim().is_empty() {
                    out.push(Problem::new(
                        "scope.collection",
                        "pick an artifact collection",
                    ));
                }
                if a.scope_kind == ScopeKind::Registry && a.registry.trim().is_empty() {
                    out.push(Problem::new("scope.registry", "pick a registry"));
                }
                if let Err(reason) = caps.supports(Feature::Scope(a.scope_kind)) {
                    out.push(Problem::new("scope", reason.to_string()));
                }
            }
            Step::Event => {
                if let Some(reason) = self
                    .event_choices(caps)
                    .into_iter()
                    .find(|c| c.value == kind)
                    .and_then(|c| c.unavailable)
                {
                    out.push(Problem::new("event.type", reason));
                }
            }
            Step::Condition => {
                if kind.is_run_event()
                    && !matches!(kind, EventKind::RunState | EventKind::RunStalled)
                    && a.metric.trim().is_empty()
                {
                    out.push(Problem::new(
                        "event.metric",
                        "name the metric to watch, as logged with wandb.log (e.g. loss)",
                    ));
                }
                let int_field = |path: &str, text: &str, out: &mut Vec<Problem>| {
                    if text.trim().parse::<i64>().map_or(true, |n| n < 1) {
                        out.push(Problem::new(path, format!("a window counts logged values: a whole number of 1 or more (got {:?})", text.trim())));
                    }
                };
                let num_field = |path: &str, text: &str, positive: bool, out: &mut Vec<Problem>| {
                    match parse_number(text) {
                        None => out.push(Problem::new(
                            path,
                            format!("type a number (got {:?})", text.trim()),
                        )),
                        Some(n) if positive && n.as_f64().is_none_or(|f| f <= 0.0) => {
                            out.push(Problem::new(path, "must be above 0"))
                        }
                        Some(_) => {}
                    }
                };
                match kind {
                    EventKind::MetricThreshold => {
                        int_field("event.window", &a.window, &mut out);
                        num_field("event.threshold", &a.threshold, false, &mut out);
                        caps_check(caps, Feature::Comparator(a.cmp), "event.cmp", &mut out);
                        if let Some(agg) = a.agg {
                            caps_check(caps, Feature::Aggregation(agg), "event.agg", &mut out);
                        }
                    }
                    EventKind::MetricChange => {
                        int_field("event.window", &a.window, &mut out);
                        if !a.prior_window.trim().is_empty() {
                            int_field("event.prior_window", &a.prior_window, &mut out);
                        }
                        num_field("event.amount", &a.amount, true, &mut out);
                        if let Some(agg) = a.agg {
                            caps_check(caps, Feature::Aggregation(agg), "event.agg", &mut out);
                        }
                    }
                    EventKind::MetricZScore => {
                        int_field("event.window", &a.window, &mut out);
                        num_field("event.threshold", &a.zscore, true, &mut out);
                    }
                    EventKind::RunState if a.states.is_empty() => {
                        out.push(Problem::new(
                            "event.states",
                            "pick at least one run state: running, finished or failed",
                        ));
                    }
                    EventKind::RunStalled => {
                        if let Err(message) = TimeSpan::parse(&a.after) {
                            out.push(Problem::new("event.after", message));
                        }
                        if a.adaptive {
                            num_field("event.factor", &a.factor, true, &mut out);
                        }
                    }
                    _ => {}
                }
                let model = [
                    "event.run_filter",
                    "event.filter",
                    "event.after",
                    "event.factor",
                ];
                for p in self.model_problems(&model) {
                    if !out.iter().any(|q| q.path == p.path) {
                        out.push(p);
                    }
                }
            }
            Step::Action => {
                if matches!(a.action, ActionKind::Slack | ActionKind::Webhook)
                    && a.integration.trim().is_empty()
                {
                    let what = if a.action == ActionKind::Slack {
                        "a Slack channel"
                    } else {
                        "a webhook"
                    };
                    out.push(Problem::new("action.integration", format!("pick {what}")));
                }
                if a.action == ActionKind::Webhook && !a.payload.trim().is_empty() {
                    match serde_json::from_str::<Value>(&a.payload) {
                        Ok(Value::Object(_)) => {}
                        Ok(_) => out.push(Problem::new(
                            "action.payload",
                            "the payload must be a JSON object ({...})",
                        )),
                        Err(e) => out.push(Problem::new(
                            "action.payload",
                            format!(
                                "not valid JSON: line {}, column {}: {e}",
                                e.line(),
                                e.column()
                            ),
                        )),
                    }
                }
                if out.iter().all(|p| p.path != "action.payload") {
                    out.extend(self.model_problems(&["action.payload"]));
                }
                caps_check(caps, Feature::Action(a.action), "action.type", &mut out);
            }
            Step::Details => {
                let chars = a.name.trim().chars().count();
                if chars == 0 {
                    out.push(Problem::new(
                        "name",
                        "give the automation a name (unique in its scope)",
                    ));
                } else if chars > MAX_NAME_CHARS {
                    out.push(Problem::new("name", format!("the name is {chars} characters long; W&B accepts at most {MAX_NAME_CHARS}")));
                }
            }
            Step::Start => {}
            Step::Review => {
                for s in [
                    Step::Scope,
                    Step::Event,
                    Step::Condition,
                    Step::Action,
                    Step::Details,
                ] {
                    out.extend(self.problems(s, caps));
                }
                if out.is_empty() {
                    let automation = self.automation();
                    out.extend(validate(&automation));
                    out.extend(caps.check(&automation));
                }
            }
        }
        out
    }

    /// The model's problems with the automation the answers describe, at these paths only (a
    /// run-name pattern that is not a regular expression, a payload variable the event lacks).
    fn model_problems(&self, paths: &[&str]) -> Vec<Problem> {
        validate(&self.automation())
            .into_iter()
            .filter(|p| paths.contains(&p.path.as_str()))
            .collect()
    }

    /// Validates the current step; on success moves to the next one.
    pub fn next(&mut self, caps: &Capabilities) -> bool {
        self.errors = self.problems(self.step, caps);
        if self.errors.is_empty() {
            self.step = self.step.next();
            true
        } else {
            false
        }
    }

    /// After an edit: a title and a name still the template's follow what the condition now
    /// watches (the name kept free of `taken`); typed ones stay as typed.
    pub(crate) fn follow(&mut self, before: &Answers, taken: &[String]) {
        let a = &mut self.answers;
        if a.title_follows
            && let Some(title) = template::suggested_title(a)
            && template::suggested_title(before).as_ref() != Some(&title)
        {
            a.title = title;
        }
        if a.name_follows
            && let Some(name) = template::suggested_name(a)
            && template::suggested_name(before).as_ref() != Some(&name)
        {
            a.name = template::free_name(&name, taken);
        }
    }

    /// Goes back one step (nothing is lost).
    pub fn back(&mut self) {
        self.step = self.step.previous();
        self.errors.clear();
    }

    /// Puts problems (e.g. from the server on save) under their fields and jumps to the first
    /// step they concern.
    pub fn show_problems(&mut self, problems: Vec<Problem>) {
        if let Some(first) = problems.iter().map(|p| step_of(&p.path)).min() {
            self.step = first;
        }
        self.errors = problems;
    }

    /// Event kinds for the chosen scope, greyed with the reason when not allowed here.
    pub fn event_choices(&self, caps: &Capabilities) -> Vec<Choice<EventKind>> {
        EventKind::creatable()
            .into_iter()
            .map(|kind| {
                let scope = self.answers.scope_kind;
                let unavailable = if !scopes_for(kind).contains(&scope) {
                    let allowed: Vec<&str> =
                        scopes_for(kind).iter().map(|k| k.file_key()).collect();
                    Some(format!("needs a {} scope", allowed.join(" or ")))
                } else {
                    caps.supports(Feature::Event(kind))
                        .err()
                        .map(str::to_string)
                };
                Choice {
                    value: kind,
                    unavailable,
                }
            })
            .collect()
    }

    /// Action kinds, greyed with the reason when the backend cannot take them.
    pub(crate) fn action_choices(&self, caps: &Capabilities) -> Vec<Choice<ActionKind>> {
        ActionKind::CREATABLE
            .into_iter()
            .map(|kind| Choice {
                value: kind,
                unavailable: caps
                    .supports(Feature::Action(kind))
                    .err()
                    .map(str::to_string),
            })
            .collect()
    }
}

fn caps_check(caps: &Capabilities, feature: Feature, path: &str, out: &mut Vec<Problem>) {
    if let Err(reason) = caps.supports(feature) {
        out.push(Problem::new(path, reason.to_string()));
    }
}

fn fill_scope(a: &mut Answers, path: &ScopePath) {
    a.scope_kind = path.kind();
    match path {
        ScopePath::Project { project, .. } => a.project = project.clone(),
        ScopePath::Registry { registry, .. } => a.registry = registry.clone(),
        ScopePath::Collection {
            project,
            collection,
            ..
        } => {
            a.project = project.clone();
            a.collection = collection.clone();
        }
        ScopePath::Team { .. } | ScopePath::Org { .. } => {}
    }
}

/// The pattern of a filter that is one `$regex` on one field; anything else is kept whole.
fn split_filter(filter: Option<&Expr>) -> (String, Option<Expr>) {
    match filter {
        Some(Expr::Field { ops, .. }) if ops.len() == 1 && ops[0].0 == "$regex" => {
            (ops[0].1.as_str().unwrap_or_default().to_string(), None)
        }
        other => (String::new(), other.cloned()),
    }
}

fn fill_event(a: &mut Answers, event: &Event) {
    a.event = event.kind();
    (a.run_name, a.kept_filter) = split_filter(event.run_filter());
    match event {
        Event::RunMetric { condition, .. } => match condition {
            MetricCondition::Threshold {
                metric,
                agg,
                window,
                cmp,
                threshold,
            } => {
                (a.metric, a.agg, a.window, a.cmp, a.threshold) = (
                    metric.clone(),
                    *agg,
                    window.to_string(),
                    *cmp,
                    threshold.to_string(),
                );
            }
            MetricCondition::Change {
                metric,
                agg,
                window,
                prior_window,
                direction,
                change,
                amount,
            } => {
                (a.metric, a.agg, a.window, a.prior_window) = (
                    metric.clone(),
                    *agg,
                    window.to_string(),
                    prior_window.to_string(),
                );
                (a.direction, a.change, a.amount) = (*direction, *change, amount.to_string());
            }
            MetricCondition::ZScore {
                metric,
                window,
                threshold,
                direction,
            } => {
                (a.metric, a.window, a.zscore, a.direction) = (
                    metric.clone(),
                    window.to_string(),
                    threshold.to_string(),
                    *direction,
                );
            }
        },
        Event::RunState { states, .. } => a.states = states.iter().copied().collect(),
        Event::Artifact { filter, .. } => {
            (a.artifact_pattern, a.kept_filter) = split_filter(filter.as_ref())
        }
        Event::RunStalled {
            after,
            adaptive,
            factor,
            ..
        } => {
            (a.after, a.adaptive, a.factor) = (after.to_string(), *adaptive, factor.to_string());
        }
        Event::RunMetricNonfinite { metric, .. } => a.metric = metric.clone(),
        Event::Raw { .. } => {}
    }
}

fn fill_action(a: &mut Answers, action: &Action) {
    a.action = action.kind();
    if let Some(i) = action.integration() {
        a.integration = i.label.clone();
    }
    match action {
        Action::Slack {
            title,
            message,
            severity,
            ..
        } => (a.title, a.message, a.severity) = (title.clone(), message.clone(), *severity),
        Action::Webhook {
            payload: Some(p), ..
        } => {
            a.payload = serde_json::to_string_pretty(&Value::Object(p.clone())).unwrap_or_default()
        }
        _ => {}
    }
}

/// `name-copy`, `name-copy-2`, ... : the first not in `taken`.
pub fn fresh_name(name: &str, taken: &[String]) -> String {
    template::free_name(&format!("{name}-copy"), taken)
}
