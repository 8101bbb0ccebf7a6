//! The fields each step shows, derived from the answers (conditional fields appear and disappear),
//! and how a key edits them. Pure: the picker options come in as [`PickerChoices`].

use super::{Step, Template, Wizard};
use crate::model::{
    ActionKind, Agg, Capabilities, ChangeType, Cmp, Direction, EventKind, Feature, RunState,
    ScopeKind, Severity,
};

/// What the backend offered for the pickers (empty while loading).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PickerChoices {
    /// Project names of the entity.
    pub projects: Vec<String>,
    /// Registry names (without `wandb-registry-`) and their org entity.
    pub registries: Vec<(String, String)>,
    /// Collection names of the chosen project.
    pub collections: Vec<String>,
    /// Slack channels.
    pub slack: Vec<String>,
    /// Webhook names.
    pub webhooks: Vec<String>,
}

/// How a field is edited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// One line of text (suggestions, if any, cycle with the choose keys).
    Text { suggestions: Vec<String> },
    /// One of several; each option greyed with a reason when it cannot be picked.
    Select {
        options: Vec<(String, Option<String>)>,
        selected: usize,
    },
    /// Several of several.
    Multi {
        options: Vec<String>,
        chosen: Vec<bool>,
    },
    /// On or off.
    Toggle(bool),
    /// Several lines (the webhook payload).
    Area,
}

/// One field of a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Field {
    /// The answer it edits, also the problem path it shows errors for.
    pub(crate) key: &'static str,
    /// Its label.
    pub(crate) label: &'static str,
    /// How it is edited.
    pub(crate) kind: Kind,
    /// The text of a text field.
    pub(crate) text: String,
    /// A line of help, without keys: the dashboard writes the keys of [`Field::keys`] from its
    /// key table.
    pub(crate) help: &'static str,
    /// Which keys the help should name.
    pub(crate) keys: FieldKeys,
}

/// The keys a field's help names (their key depends on the user's key table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FieldKeys {
    /// None.
    None,
    /// Previous / next choice.
    Choose,
    /// Moving between choices and picking them.
    Pick,
    /// Flipping a switch.
    Flip,
    /// The payload editor's variable menu.
    Payload,
}

fn text(key: &'static str, label: &'static str, value: &str, help: &'static str) -> Field {
    Field {
        key,
        label,
        kind: Kind::Text {
            suggestions: Vec::new(),
        },
        text: value.to_string(),
        help,
        keys: FieldKeys::None,
    }
}

fn picker(
    key: &'static str,
    label: &'static str,
    value: &str,
    suggestions: &[String],
    help: &'static str,
) -> Field {
    Field {
        key,
        label,
        kind: Kind::Text {
            suggestions: suggestions.to_vec(),
        },
        text: value.to_string(),
        help,
        keys: FieldKeys::Choose,
    }
}

fn select<T: PartialEq + Copy>(
    key: &'static str,
    label: &'static str,
    options: &[(T, String, Option<String>)],
    current: T,
    help: &'static str,
) -> Field {
    let selected = options
        .iter()
        .position(|(v, _, _)| *v == current)
        .unwrap_or(0);
    let options = options
        .iter()
        .map(|(_, l, r)| (l.clone(), r.clone()))
        .collect();
    Field {
        key,
        label,
        kind: Kind::Select { options, selected },
        text: String::new(),
        help,
        keys: FieldKeys::None,
    }
}

fn plain<T: Copy>(values: &[T], label: impl Fn(T) -> String) -> Vec<(T, String, Option<String>)> {
    values.iter().map(|v| (*v, label(*v), None)).collect()
}

/// The fields of the wizard's current step.
pub(crate) fn fields(w: &Wizard, options: &PickerChoices, caps: &Capabilities) -> Vec<Field> {
    let a = &w.answers;
    match w.step {
        Step::Start => {
            let templates: Vec<(usize, String, Option<String>)> = Template::ALL
                .iter()
                .enumerate()
                .map(|(i, t)| (i, t.title().to_string(), None))
                .collect();
            vec![select(
                "template",
                "start from",
                &templates,
                0,
                "a template fills the later steps; everything stays editable",
            )]
        }
        Step::Scope => {
            let kinds: Vec<(ScopeKind, String, Option<String>)> = ScopeKind::ALL
                .iter()
                .map(|k| {
                    (
                        *k,
                        k.file_key().to_string(),
                        caps.supports(Feature::Scope(*k)).err().map(str::to_string),
                    )
                })
                .collect();
            let mut out = vec![
                select(
                    "scope.kind",
                    "scope",
                    &kinds,
                    a.scope_kind,
                    "where the automation watches: a project, a registry, a collection, a team or an organisation",
                ),
                text(
                    "scope.entity",
                    "entity",
                    &a.entity,
                    "the team (or the organisation's entity for registries and org scopes)",
                ),
            ];
            match a.scope_kind {
                ScopeKind::Project => out.push(picker(
                    "scope.project",
                    "project",
                    &a.project,
                    &options.projects,
                    "pick one of the entity's projects",
                )),
                ScopeKind::Collection => {
                    out.push(picker(
                        "scope.project",
                        "project",
                        &a.project,
                        &options.projects,
                        "pick the project that holds the collection",
                    ));
                    out.push(picker(
                        "scope.collection",
                        "collection",
                        &a.collection,
                        &options.collections,
                        "pick an artifact collection",
                    ));
                }
                ScopeKind::Registry => {
                    let names: Vec<String> = options
                        .registries
                        .iter()
                        .map(|(name, _)| name.clone())
                        .collect();
                    out.push(picker(
                        "scope.registry",
                        "registry",
                        &a.registry,
                        &names,
                        "pick a registry of the organisation",
                    ));
                }
                ScopeKind::Team | ScopeKind::Org => {}
            }
            out
        }
        Step::Event => {
            let choices: Vec<(EventKind, String, Option<String>)> = w
                .event_choices(caps)
                .into_iter()
                .map(|c| (c.value, c.value.short().to_string(), c.unavailable))
                .collect();
            vec![select(
                "event.type",
                "when",
                &choices,
                a.event,
                "what happens in the project; greyed ones do not fit this scope or backend",
            )]
        }
        Step::Condition => condition_fields(w, caps),
        Step::Action => {
            let choices: Vec<(ActionKind, String, Option<String>)> = w
                .action_choices(caps)
                .into_iter()
                .map(|c| {
                    let label = match c.value {
                        ActionKind::Slack => "post to Slack",
                        ActionKind::Webhook => "call a webhook",
                        _ => "do nothing (to test the event)",
                    };
                    (c.value, label.to_string(), c.unavailable)
                })
                .collect();
            let mut out = vec![select(
                "action.type",
                "then",
                &choices,
                a.action,
                "what W&B does when it fires",
            )];
            match a.action {
                ActionKind::Slack => {
                    out.push(picker(
                        "action.integration",
                        "channel",
                        &a.integration,
                        &options.slack,
                        "pick a Slack channel connected to the team",
                    ));
                    out.push(text(
                        "action.title",
                        "title",
                        &a.title,
                        "the message's title",
                    ));
                    out.push(text("action.message", "message", &a.message, "the message"));
                    out.push(select(
                        "action.severity",
                        "severity",
                        &plain(&Severity::ALL, |s| s.file_name().to_string()),
                        a.severity,
                        "info, warn or error",
                    ));
                }
                ActionKind::Webhook => {
                    out.push(picker(
                        "action.integration",
                        "webhook",
                        &a.integration,
                        &options.webhooks,
                        "pick a webhook integration",
                    ));
                    out.push(Field {
                        key: "action.payload",
                        label: "payload",
                        kind: Kind::Area,
                        text: a.payload.clone(),
                        help: "JSON sent to the webhook; enter adds a line",
                        keys: FieldKeys::Payload,
                    });
                }
                _ => {}
            }
            out
        }
        Step::Details => vec![
            text(
                "name",
                "name",
                &a.name,
                "unique in its scope, up to 255 characters",
            ),
            text(
                "description",
                "description",
                &a.description,
                "optional: what it is for",
            ),
            Field {
                key: "enabled",
                label: "enabled",
                kind: Kind::Toggle(a.enabled),
                text: String::new(),
                help: "turns it on or off",
                keys: FieldKeys::Flip,
            },
        ],
        Step::Review => Vec::new(),
    }
}

fn condition_fields(w: &Wizard, caps: &Capabilities) -> Vec<Field> {
    let a = &w.answers;
    let aggs: Vec<(Option<Agg>, String, Option<String>)> =
        std::iter::once((None, "latest value".to_string(), None))
            .chain(Agg::ALL.iter().map(|g| {
                (
                    Some(*g),
                    g.file_name().to_string(),
                    caps.supports(Feature::Aggregation(*g))
                        .err()
                        .map(str::to_string),
                )
            }))
            .collect();
    let cmps: Vec<(Cmp, String, Option<String>)> = Cmp::ALL
        .iter()
        .map(|c| {
            (
                *c,
                c.symbol().to_string(),
                caps.supports(Feature::Comparator(*c))
                    .err()
                    .map(str::to_string),
            )
        })
        .collect();
    let directions = plain(&Direction::ALL, |d| d.file_name().to_string());
    let metric = text(
        "event.metric",
        "metric",
        &a.metric,
        "the metric's key as logged with wandb.log, e.g. loss",
    );
    let run_name = text(
        "event.run_filter",
        "run name",
        &a.run_name,
        "optional regular expression on the run's name, e.g. ^sweep-",
    );
    let window = text(
        "event.window",
        "window",
        &a.window,
        "how many logged values",
    );
    match a.event {
        EventKind::MetricThreshold => {
            let mut out = vec![
                metric,
                select(
                    "event.agg",
                    "of",
                    &aggs,
                    a.agg,
                    "aggregate the last values, or take the latest",
                ),
            ];
            if a.agg.is_some() {
                out.push(window);
            }
            out.push(select(
                "event.cmp",
                "is",
                &cmps,
                a.cmp,
                "greyed comparators are local only",
            ));
            out.push(text(
                "event.threshold",
                "threshold",
                &a.threshold,
                "a number; 85 stays an integer, 0.5 a float",
            ));
            out.push(run_name);
            out
        }
        EventKind::MetricChange => vec![
            metric,
            select(
                "event.agg",
                "of",
                &aggs,
                a.agg,
                "aggregate each window, or take the latest value",
            ),
            window,
            text(
                "event.prior_window",
                "prior window",
                &a.prior_window,
                "values before the window to compare with (default: the window)",
            ),
            select(
                "event.direction",
                "direction",
                &directions,
                a.direction,
                "rises, falls or either",
            ),
            select(
                "event.change",
                "change",
                &plain(&ChangeType::ALL, |c| c.file_name().to_string()),
                a.change,
                "absolute difference or relative (0.25 = 25%)",
            ),
            text("event.amount", "by at least", &a.amount, "a number above 0"),
            run_name,
        ],
        EventKind::MetricZScore => vec![
            metric,
            window,
            text(
                "event.threshold",
                "z-score above",
                &a.zscore,
                "standard deviations from the mean, above 0 (3.0 by default)",
            ),
            select(
                "event.direction",
                "direction",
                &directions,
                a.direction,
                "above, below or either side",
            ),
            run_name,
        ],
        EventKind::RunState => vec![
            Field {
                key: "event.states",
                label: "run is",
                kind: Kind::Multi {
                    options: RunState::ALL
                        .iter()
                        .map(|s| s.file_name().to_string())
                        .collect(),
                    chosen: RunState::ALL.iter().map(|s| a.states.contains(s)).collect(),
                },
                text: String::new(),
                help: "a crashed run counts as failed",
                keys: FieldKeys::Pick,
            },
            run_name,
        ],
        EventKind::Artifact(kind) => {
            let label = if matches!(
                kind,
                crate::model::ArtifactEvent::AddTag
                    | crate::model::ArtifactEvent::RemoveTag
                    | crate::model::ArtifactEvent::AddCollectionTag
                    | crate::model::ArtifactEvent::RemoveCollectionTag
            ) {
                "tag matches"
            } else {
                "alias matches"
            };
            vec![text(
                "event.filter",
                label,
                &a.artifact_pattern,
                "optional regular expression, e.g. ^prod$; empty = every event",
            )]
        }
        EventKind::RunStalled => {
            let mut out = vec![
                text(
                    "event.after",
                    "no step for",
                    &a.after,
                    "how long without a logged step is stuck: 30m, 1h30m (s m h d; 1m to 30d)",
                ),
                Field {
                    key: "event.adaptive",
                    label: "adaptive",
                    kind: Kind::Toggle(a.adaptive),
                    text: String::new(),
                    help: "stretch the bound to the run's own pace between steps",
                    keys: FieldKeys::Flip,
                },
            ];
            if a.adaptive {
                out.push(text(
                    "event.factor",
                    "times its pace",
                    &a.factor,
                    "at least this many times the run's median gap (1 or more; 5 by default)",
                ));
            }
            out.push(run_name);
            out
        }
        EventKind::MetricNonfinite => vec![
            text(
                "event.metric",
                "metric",
                &a.metric,
                "a key as logged with wandb.log (loss), or a glob (train/*)",
            ),
            run_name,
        ],
        EventKind::Raw => Vec::new(),
    }
}

fn cycle<T: Copy + PartialEq>(
    values: &[T],
    current: T,
    forward: bool,
    allowed: impl Fn(T) -> bool,
) -> T {
    let n = values.len();
    let start = values.iter().position(|v| *v == current).unwrap_or(0);
    (1..=n)
        .map(|step| {
            values[if forward {
                (start + step) % n
            } else {
                (start + n * 2 - step) % n
            }]
        })
        .find(|v| allowed(*v))
        .unwrap_or(current)
}

/// Moves a choice field to the next (or previous) option that can be picked; text fields with
/// suggestions take the next suggestion. `cursor` is the highlighted option of a multi-select.
pub(crate) fn change(
    w: &mut Wizard,
    key: &str,
    forward: bool,
    options: &PickerChoices,
    caps: &Capabilities,
    cursor: &mut usize,
) -> Option<Template> {
    let a = &mut w.answers;
    let ok = |f: Feature| caps.supports(f).is_ok();
    let suggest = |list: &[String], current: &str| -> Option<String> {
        if list.is_empty() {
            return None;
        }
        let i = list.iter().position(|s| s == current);
        let n = list.len();
        Some(
            list[match (i, forward) {
                (None, true) => 0,
                (None, false) => n - 1,
                (Some(i), true) => (i + 1) % n,
                (Some(i), false) => (i + n - 1) % n,
            }]
            .clone(),
        )
    };
    match key {
        "template" => {
            *cursor = if forward {
                (*cursor + 1) % Template::ALL.len()
            } else {
                (*cursor + Template::ALL.len() - 1) % Template::ALL.len()
            };
            return Some(Template::ALL[*cursor]);
        }
        "scope.kind" => {
            a.scope_kind = cycle(&ScopeKind::ALL, a.scope_kind, forward, |k| {
                ok(Feature::Scope(k))
            })
        }
        "scope.project" => {
            a.project = suggest(&options.projects, &a.project).unwrap_or(a.project.clone())
        }
        "scope.collection" => {
            a.collection =
                suggest(&options.collections, &a.collection).unwrap_or(a.collection.clone())
        }
        "scope.registry" => {
            let names: Vec<String> = options.registries.iter().map(|(n, _)| n.clone()).collect();
            if let Some(name) = suggest(&names, &a.registry) {
                a.entity = options
                    .registries
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, e)| e.clone())
                    .unwrap_or(a.entity.clone());
                a.registry = name;
            }
        }
        "event.type" => {
            let allowed: Vec<EventKind> = w
                .event_choices(caps)
                .into_iter()
                .filter(|c| c.unavailable.is_none())
                .map(|c| c.value)
                .collect();
            let all = EventKind::creatable();
            let current = w.answers.event;
            w.answers.event = cycle(&all, current, forward, |k| allowed.contains(&k));
        }
        "event.agg" => {
            let values: Vec<Option<Agg>> = std::iter::once(None)
                .chain(Agg::ALL.iter().map(|g| Some(*g)))
                .collect();
            a.agg = cycle(&values, a.agg, forward, |g| {
                g.is_none_or(|g| ok(Feature::Aggregation(g)))
            });
        }
        "event.cmp" => a.cmp = cycle(&Cmp::ALL, a.cmp, forward, |c| ok(Feature::Comparator(c))),
        "event.direction" => a.direction = cycle(&Direction::ALL, a.direction, forward, |_| true),
        "event.change" => a.change = cycle(&ChangeType::ALL, a.change, forward, |_| true),
        "event.states" => {
            *cursor = if forward {
                (*cursor + 1) % 3
            } else {
                (*cursor + 2) % 3
            }
        }
        "action.type" => {
            a.action = cycle(&ActionKind::CREATABLE, a.action, forward, |k| {
                ok(Feature::Action(k))
            });
            // A Slack channel is no webhook (nor the other way round): an integration the new
            // kind does not offer is cleared, never carried over.
            let offered = match a.action {
                ActionKind::Slack => &options.slack,
                _ => &options.webhooks,
            };
            if !offered.contains(&a.integration) {
                a.integration.clear();
            }
        }
        "action.severity" => a.severity = cycle(&Severity::ALL, a.severity, forward, |_| true),
        "action.integration" => {
            let list = if a.action == ActionKind::Slack {
                &options.slack
            } else {
                &options.webhooks
            };
            a.integration = suggest(list, &a.integration).unwrap_or(a.integration.clone());
        }
        "enabled" => a.enabled = !a.enabled,
        "event.adaptive" => a.adaptive = !a.adaptive,
        _ => {}
    }
    None
}

/// Toggles the highlighted option of a multi-select (or a toggle).
pub(crate) fn toggle(w: &mut Wizard, key: &str, cursor: usize) {
    match key {
        "event.states" => {
            let state = RunState::ALL[cursor.min(2)];
            if !w.answers.states.remove(&state) {
                w.answers.states.insert(state);
            }
        }
        "enabled" => w.answers.enabled = !w.answers.enabled,
        "event.adaptive" => w.answers.adaptive = !w.answers.adaptive,
        _ => {}
    }
}

/// The text answer a text field edits.
pub(crate) fn text_mut<'a>(w: &'a mut Wizard, key: &str) -> Option<&'a mut String> {
    let a = &mut w.answers;
    Some(match key {
        "scope.entity" => &mut a.entity,
        "scope.project" => &mut a.project,
        "scope.collection" => &mut a.collection,
        "scope.registry" => &mut a.registry,
        "event.metric" => &mut a.metric,
        "event.window" => &mut a.window,
        "event.prior_window" => &mut a.prior_window,
        "event.threshold" if a.event == EventKind::MetricZScore => &mut a.zscore,
        "event.threshold" => &mut a.threshold,
        "event.amount" => &mut a.amount,
        "event.after" => &mut a.after,
        "event.factor" => &mut a.factor,
        "event.run_filter" => &mut a.run_name,
        "event.filter" => &mut a.artifact_pattern,
        "action.integration" => &mut a.integration,
        "action.title" => &mut a.title,
        "action.message" => &mut a.message,
        "action.payload" => &mut a.payload,
        "name" => &mut a.name,
        "description" => &mut a.description,
        _ => return None,
    })
}
