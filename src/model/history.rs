//! What fired: one execution history for both backends (W&B's records and the local engine's),
//! the query that selects from it, and the selection itself (dedup, newest first, filters,
//! limit). Pure: no IO; `history --json` writes [`Execution`] as it is.

use jiff::Timestamp;
use serde::{Serialize, Serializer};
use serde_json::Value;
use std::fmt;

/// An execution's state in the local engine's words. W&B's `PENDING`, `FINISHED` and `FAILED`
/// map to `in_progress`, `success` and `failed`; any other state is kept as its own lower-case
/// name, never dropped or mapped to a known one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Decided, not finished yet (W&B: `PENDING`).
    InProgress,
    /// Delivered (W&B: `FINISHED`).
    Success,
    /// Not delivered (W&B: `FAILED`).
    Failed,
    /// Decided not to deliver (the local engine's 24-hour rule and rate limit).
    Skipped,
    /// A state wbauto does not know, by its lower-case name (never one of the names above).
    Other(String),
}

impl Status {
    /// The status by its local name, any case; an unknown name is kept as [`Status::Other`].
    pub fn named(name: &str) -> Status {
        let lower = name.trim().to_lowercase();
        match lower.as_str() {
            "in_progress" => Status::InProgress,
            "success" => Status::Success,
            "failed" => Status::Failed,
            "skipped" => Status::Skipped,
            _ => Status::Other(lower),
        }
    }

    /// The status of a W&B `TriggerExecutionState`.
    pub fn from_wandb(state: &str) -> Status {
        match state {
            "PENDING" => Status::InProgress,
            "FINISHED" => Status::Success,
            "FAILED" => Status::Failed,
            other => Status::named(other),
        }
    }

    /// The statuses a filter accepts, by name.
    pub const KNOWN: [&'static str; 4] = ["in_progress", "success", "failed", "skipped"];

    /// The status of a known name (any case), or `None` for a name that is not one.
    pub fn known(name: &str) -> Option<Status> {
        match Status::named(name) {
            Status::Other(_) => None,
            known => Some(known),
        }
    }

    /// The name `history --json` writes.
    pub fn as_str(&self) -> &str {
        match self {
            Status::InProgress => "in_progress",
            Status::Success => "success",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::Other(name) => name,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Status {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Which backend recorded an execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// W&B's own records (`triggerExecutions`).
    Wandb,
    /// The local engine's database.
    Local,
}

/// The action as it was when the automation fired (it may have been edited since).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FiredAction {
    /// A Slack message.
    Slack {
        /// The Slack workspace.
        team: Option<String>,
        /// The channel, with its `#`.
        channel: Option<String>,
        /// The message's title.
        title: Option<String>,
        /// The message's text.
        text: Option<String>,
        /// `INFO`, `WARN` or `ERROR`.
        severity: Option<String>,
        /// Where the title links to.
        title_url: Option<String>,
    },
    /// A webhook POST.
    Webhook {
        /// The webhook integration's name.
        name: Option<String>,
        /// Where it posts.
        url: Option<String>,
        /// The payload template (variables not filled in).
        payload: Option<String>,
    },
    /// Nothing sent.
    NoOp,
    /// A job put on a Launch queue.
    QueueJob {
        /// The job's run spec (JSON, or the text W&B sent when it is not JSON).
        run_spec: Option<Value>,
        /// The queue priority.
        priority: Option<i64>,
    },
    /// An action wbauto does not know, by W&B's name for it.
    Other {
        /// W&B's name (a GraphQL type or an action type).
        name: String,
    },
}

/// One execution of an automation, from either backend. Every field W&B or the engine may not
/// know is an `Option`, written as `null`, so `history --json` has the same keys on both.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Execution {
    /// Its id (W&B's execution id; the local delivery id).
    pub id: Option<String>,
    /// The automation's id; `None` when the automation was deleted since.
    pub automation_id: Option<String>,
    /// The automation's name when it fired (it may have been renamed since).
    pub automation_name: Option<String>,
    /// W&B's name of the event, e.g. `RUN_METRIC`.
    pub event_type: Option<String>,
    /// How it ended, or that it has not yet.
    pub status: Status,
    /// When it fired.
    pub created_at: Option<Timestamp>,
    /// When it ended (the local engine records this; W&B does not say).
    pub finished_at: Option<Timestamp>,
    /// The run, for run events: its id, as the event names it or as found from the display
    /// name the event gave.
    pub run: Option<String>,
    /// The run's display name, where it is known.
    pub run_name: Option<String>,
    /// `ENTITY/PROJECT` the event happened in.
    pub project: Option<String>,
    /// The artifact collection, for artifact events.
    pub collection: Option<String>,
    /// The artifact version, e.g. `v3`.
    pub version: Option<String>,
    /// The alias added, for alias events.
    pub alias: Option<String>,
    /// The tag, for tag events.
    pub tag: Option<String>,
    /// The metric, for metric events.
    pub metric: Option<String>,
    /// The metric's values the server judged (NaN is written as `null`).
    pub metric_values: Option<Vec<f64>>,
    /// The run's new state, for run-state events.
    pub run_state: Option<String>,
    /// The artifact version's metadata: JSON, or W&B's text when it is not JSON.
    pub artifact_metadata: Option<Value>,
    /// The step, for metric events (local engine).
    pub step: Option<i64>,
    /// What made it fire: the value compared and the window (local engine).
    pub trigger: Option<Value>,
    /// The action as it was when it fired.
    pub action: Option<FiredAction>,
    /// The HTTP status the receiver answered.
    pub response_status: Option<i64>,
    /// The receiver's answer, whole (a view cuts it for display).
    pub response_body: Option<String>,
    /// What went wrong, or why it was skipped.
    pub error: Option<String>,
    /// The queued run's id, for a Launch queue action.
    pub queue_item: Option<String>,
    /// Delivery attempts made (local engine).
    pub attempts: Option<i64>,
    /// Whether it was a test fire (local engine).
    pub test: Option<bool>,
    /// The request sent, secrets masked (local engine).
    pub request: Option<Value>,
    /// Which backend recorded it.
    pub source: Source,
    /// What could not be read of it (a row is shown with what is known).
    pub notes: Vec<String>,
}

impl Execution {
    /// An execution recorded by `source` of which nothing is known yet.
    pub fn unknown(source: Source, status: Status) -> Execution {
        Execution {
            id: None,
            automation_id: None,
            automation_name: None,
            event_type: None,
            status,
            created_at: None,
            finished_at: None,
            run: None,
            run_name: None,
            project: None,
            collection: None,
            version: None,
            alias: None,
            tag: None,
            metric: None,
            metric_values: None,
            run_state: None,
            artifact_metadata: None,
            step: None,
            trigger: None,
            action: None,
            response_status: None,
            response_body: None,
            error: None,
            queue_item: None,
            attempts: None,
            test: None,
            request: None,
            source,
            notes: Vec::new(),
        }
    }

    /// Whether it was a test fire (never counted as a real firing).
    pub fn is_test(&self) -> bool {
        self.test == Some(true)
    }

    /// The run as people know it: `sweep-2 (co76bz39)` where both the display name and the id
    /// are known, else whichever is.
    pub fn run_shown(&self) -> Option<String> {
        match (&self.run_name, &self.run) {
            (Some(name), Some(id)) if name != id => Some(format!("{name} ({id})")),
            (name, id) => name.clone().or_else(|| id.clone()),
        }
    }

    /// What it fired on: the run, else the collection with its version, else the project.
    pub fn subject(&self) -> String {
        if let Some(run) = self.run_shown() {
            return run;
        }
        match (&self.collection, &self.version) {
            (Some(c), Some(v)) => format!("{c}:{v}"),
            (Some(c), None) => c.clone(),
            _ => self.project.clone().unwrap_or_default(),
        }
    }

    /// Its outcome in a few words: what went wrong, else the HTTP status, else `queued ID` for
    /// a Launch job, else `no-op` for a success that sent nothing.
    pub fn outcome(&self) -> String {
        match (&self.error, self.response_status, &self.queue_item) {
            (Some(e), _, _) => e.clone(),
            (None, Some(s), _) => format!("HTTP {s}"),
            (None, None, Some(q)) => format!("queued {q}"),
            (None, None, None) if self.status == Status::Success => "no-op".into(),
            _ => String::new(),
        }
    }

    /// Whether it names `run` (its id or its display name).
    pub fn on_run(&self, run: &str) -> bool {
        self.run.as_deref() == Some(run) || self.run_name.as_deref() == Some(run)
    }
}

/// Whose history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HistoryScope {
    /// One automation, by its id.
    Automation {
        /// The automation's id.
        id: String,
    },
    /// A project, with the automations of its artifact collections.
    Project {
        /// Owning entity.
        entity: String,
        /// Project name (`wandb-registry-NAME` for a registry).
        project: String,
    },
    /// One artifact collection.
    Collection {
        /// Owning entity.
        entity: String,
        /// Project name.
        project: String,
        /// Collection name.
        collection: String,
    },
    /// Every project of an entity that holds automations, and its entity-wide automations.
    Entity {
        /// The entity.
        entity: String,
    },
}

/// What to list: a scope, then filters and a limit applied to the whole history, newest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryQuery {
    /// Whose history.
    pub scope: HistoryScope,
    /// Only this automation: its id, or its name when it fired.
    pub automation: Option<String>,
    /// Only this status.
    pub status: Option<Status>,
    /// Only executions at or after this time.
    pub since: Option<Timestamp>,
    /// Only executions on this run (its id or its display name).
    pub run: Option<String>,
    /// Only the newest real execution of each automation (test fires left out), as the list's
    /// LAST column shows them.
    pub newest_each: bool,
    /// At most this many, the newest; `None` for all.
    pub limit: Option<usize>,
}

/// The executions a query selected, and what its filters left out (so an empty answer can say
/// what the filters excluded instead of "nothing fired yet").
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// Newest first, at most the query's limit.
    pub executions: Vec<Execution>,
    /// How many matched the filters before the limit.
    pub matched: usize,
    /// How many were read in the scope, once each.
    pub total: usize,
    /// How many passed every filter but `since`: older ones.
    pub older: usize,
    /// How many passed every filter but the status: other statuses.
    pub other_status: usize,
}

impl HistoryQuery {
    /// The whole history of `scope`.
    pub fn of(scope: HistoryScope) -> HistoryQuery {
        HistoryQuery {
            scope,
            automation: None,
            status: None,
            since: None,
            run: None,
            newest_each: false,
            limit: None,
        }
    }

    /// Whether an execution passes the filters (an execution of unknown time is never "since").
    pub fn matches(&self, e: &Execution) -> bool {
        self.others_match(e) && self.status_matches(e) && self.since_matches(e)
    }

    /// The automation and run filters.
    fn others_match(&self, e: &Execution) -> bool {
        let automation = self.automation.as_deref().is_none_or(|a| {
            e.automation_id.as_deref() == Some(a) || e.automation_name.as_deref() == Some(a)
        });
        let run = self.run.as_deref().is_none_or(|r| e.on_run(r));
        automation && run && (!self.newest_each || !e.is_test())
    }

    fn status_matches(&self, e: &Execution) -> bool {
        self.status.as_ref().is_none_or(|s| *s == e.status)
    }

    fn since_matches(&self, e: &Execution) -> bool {
        self.since
            .is_none_or(|since| e.created_at.is_some_and(|t| t >= since))
    }

    /// Everything read, once each (by id), newest first, filtered (the newest of each
    /// automation only, when asked), then cut to the limit; with what the filters left out.
    pub fn select(&self, read: Vec<Execution>) -> History {
        let (chosen, mut history) = self.choose(&read);
        let mut read: Vec<Option<Execution>> = read.into_iter().map(Some).collect();
        history.executions = chosen.iter().filter_map(|i| read[*i].take()).collect();
        history
    }

    /// The same selection of executions still being read, copying only the ones selected (a
    /// long history is reported many times while it is read).
    pub fn select_copy(&self, read: &[Execution]) -> History {
        let (chosen, mut history) = self.choose(read);
        history.executions = chosen.iter().map(|i| read[*i].clone()).collect();
        history
    }

    /// The positions in `read` that `select` keeps, in its order, and the counts of what the
    /// filters left out (the executions left empty).
    fn choose(&self, read: &[Execution]) -> (Vec<usize>, History) {
        let mut order: Vec<usize> = (0..read.len()).collect();
        order.sort_by(|a, b| newer_first(&read[*a], &read[*b]));
        order.dedup_by(|a, b| read[*a].id.is_some() && read[*a].id == read[*b].id);
        let total = order.len();
        let (mut older, mut other_status) = (0, 0);
        order.retain(|i| {
            let e = &read[*i];
            let (others, status, since) = (
                self.others_match(e),
                self.status_matches(e),
                self.since_matches(e),
            );
            older += usize::from(others && status && !since);
            other_status += usize::from(others && since && !status);
            others && status && since
        });
        if self.newest_each {
            let mut seen = std::collections::HashSet::new();
            order.retain(|i| seen.insert(read[*i].automation_id.as_deref()));
        }
        let matched = order.len();
        order.truncate(self.limit.unwrap_or(usize::MAX));
        let counts = History {
            executions: Vec::new(),
            matched,
            total,
            older,
            other_status,
        };
        (order, counts)
    }
}

/// Newest first: by time (unknown times last), then by id, so equal times keep one order.
fn newer_first(a: &Execution, b: &Execution) -> std::cmp::Ordering {
    b.created_at
        .cmp(&a.created_at)
        .then_with(|| b.id.cmp(&a.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(id: &str, time: &str, status: Status) -> Execution {
        Execution {
            id: Some(id.into()),
            automation_id: Some(format!("A-{id}")),
            automation_name: Some(format!("name-{id}")),
            created_at: time.parse().ok(),
            ..Execution::unknown(Source::Wandb, status)
        }
    }

    #[test]
    fn wandb_states_take_the_local_names_and_unknown_ones_keep_theirs() {
        assert_eq!(Status::from_wandb("PENDING"), Status::InProgress);
        assert_eq!(Status::from_wandb("FINISHED"), Status::Success);
        assert_eq!(Status::from_wandb("FAILED"), Status::Failed);
        let cancelled = Status::from_wandb("CANCELLED");
        assert_eq!(cancelled, Status::Other("cancelled".into()));
        assert_eq!(cancelled.as_str(), "cancelled");
        assert_eq!(Status::named("Skipped"), Status::Skipped);
        assert_eq!(
            serde_json::to_string(&Status::InProgress).unwrap(),
            "\"in_progress\""
        );
    }

    #[test]
    fn the_json_has_every_key_with_null_where_unknown() {
        let e = at("x", "2026-01-02T03:04:05Z", Status::Success);
        let json = serde_json::to_value(&e).unwrap();
        let keys = json.as_object().unwrap();
        assert_eq!(keys.len(), 30, "{keys:?}");
        for unknown in [
            "run",
            "metric_values",
            "action",
            "attempts",
            "test",
            "request",
        ] {
            assert!(keys[unknown].is_null(), "{unknown} is written as null");
        }
        assert_eq!(json["created_at"], "2026-01-02T03:04:05Z");
        assert_eq!(json["source"], "wandb");
        let slack = FiredAction::Slack {
            team: Some("acme-ml".into()),
            channel: Some("#oncall".into()),
            title: None,
            text: None,
            severity: Some("ERROR".into()),
            title_url: None,
        };
        let slack = serde_json::to_value(slack).unwrap();
        assert_eq!(slack["type"], "slack");
        assert_eq!(slack["channel"], "#oncall");
    }

    #[test]
    fn selecting_dedups_sorts_filters_and_limits() {
        let read = vec![
            at("b", "2026-01-02T00:00:00Z", Status::Failed),
            at("a", "2026-01-01T00:00:00Z", Status::Success),
            at("c", "2026-01-03T00:00:00Z", Status::Success),
            at("b", "2026-01-02T00:00:00Z", Status::Failed),
            Execution::unknown(Source::Wandb, Status::Other("odd".into())),
        ];
        let all = HistoryQuery::of(HistoryScope::Entity {
            entity: "acme".into(),
        });
        let ids = |h: &History| -> Vec<Option<String>> {
            h.executions.iter().map(|e| e.id.clone()).collect()
        };
        let everything = all.select(read.clone());
        assert_eq!(
            ids(&everything),
            [Some("c".into()), Some("b".into()), Some("a".into()), None]
        );
        let limited = HistoryQuery {
            limit: Some(1),
            status: Some(Status::Success),
            ..all.clone()
        }
        .select(read.clone());
        assert_eq!(ids(&limited), [Some("c".to_string())]);
        assert_eq!(limited.matched, 2);
        let since = HistoryQuery {
            since: "2026-01-02T00:00:00Z".parse().ok(),
            ..all.clone()
        }
        .select(read.clone());
        assert_eq!(ids(&since), [Some("c".into()), Some("b".into())]);
        for wanted in ["A-a", "name-a"] {
            let one = HistoryQuery {
                automation: Some(wanted.into()),
                ..all.clone()
            }
            .select(read.clone());
            assert_eq!(ids(&one), [Some("a".to_string())], "{wanted}");
        }
    }

    #[test]
    fn a_selection_of_what_is_still_read_is_the_same_selection_copied() {
        let read = vec![
            at("a", "2026-01-01T00:00:00Z", Status::Success),
            at("c", "2026-01-03T00:00:00Z", Status::Failed),
            at("c", "2026-01-03T00:00:00Z", Status::Failed),
            at("b", "2026-01-02T00:00:00Z", Status::Success),
        ];
        let mut query = HistoryQuery::of(HistoryScope::Entity {
            entity: "acme".into(),
        });
        query.status = Some(Status::Success);
        query.limit = Some(1);
        let copied = query.select_copy(&read);
        assert_eq!(copied, query.select(read));
        assert_eq!(copied.executions[0].id.as_deref(), Some("b"));
        assert_eq!((copied.total, copied.matched), (3, 2));
    }

    #[test]
    fn a_status_filter_takes_the_known_names_only() {
        assert_eq!(Status::known("FAILED"), Some(Status::Failed));
        assert_eq!(Status::known("in_progress"), Some(Status::InProgress));
        assert_eq!(Status::known("faild"), None);
        assert_eq!(Status::known("cancelled"), None);
    }

    #[test]
    fn a_run_is_shown_by_its_display_name_with_its_id() {
        let mut e = at("x", "2026-01-02T03:04:05Z", Status::Success);
        assert_eq!(e.run_shown(), None);
        e.run = Some("co76bz39".into());
        assert_eq!(e.run_shown().as_deref(), Some("co76bz39"));
        e.run_name = Some("sweep-2".into());
        assert_eq!(e.run_shown().as_deref(), Some("sweep-2 (co76bz39)"));
        assert!(e.on_run("sweep-2") && e.on_run("co76bz39") && !e.on_run("sweep-3"));
        e.run_name = Some("co76bz39".into());
        assert_eq!(e.run_shown().as_deref(), Some("co76bz39"), "not said twice");
    }

    #[test]
    fn the_newest_of_each_automation_leaves_test_fires_out() {
        let mut test = at("t", "2026-01-04T00:00:00Z", Status::Success);
        test.automation_id = Some("A-a".into());
        test.test = Some(true);
        let mut older = at("o", "2026-01-01T00:00:00Z", Status::Skipped);
        older.automation_id = Some("A-a".into());
        let newer = at("b", "2026-01-02T00:00:00Z", Status::Failed);
        let query = HistoryQuery {
            newest_each: true,
            ..HistoryQuery::of(HistoryScope::Entity {
                entity: "acme".into(),
            })
        };
        let h = query.select(vec![older, test, newer]);
        let got: Vec<(Option<&str>, &str)> = h
            .executions
            .iter()
            .map(|e| (e.automation_id.as_deref(), e.status.as_str()))
            .collect();
        assert_eq!(
            got,
            [(Some("A-b"), "failed"), (Some("A-a"), "skipped")],
            "the test fire of A-a is never its last firing"
        );
    }

    #[test]
    fn an_empty_selection_says_what_the_filters_left_out() {
        let read = vec![
            at("a", "2026-01-01T00:00:00Z", Status::Success),
            at("b", "2026-01-02T00:00:00Z", Status::Success),
            at("c", "2026-01-03T00:00:00Z", Status::Skipped),
        ];
        let all = HistoryQuery::of(HistoryScope::Entity {
            entity: "acme".into(),
        });
        let recent = HistoryQuery {
            since: "2026-01-05T00:00:00Z".parse().ok(),
            ..all.clone()
        }
        .select(read.clone());
        assert_eq!((recent.matched, recent.older, recent.total), (0, 3, 3));
        let failed = HistoryQuery {
            status: Some(Status::Failed),
            ..all
        }
        .select(read);
        assert_eq!(
            (failed.matched, failed.other_status, failed.older),
            (0, 3, 0)
        );
    }
}
