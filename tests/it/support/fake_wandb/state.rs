//! The fake server's data and its GraphQL operations, validated the way W&B validates them.

use super::strict::{check_document, check_input, check_variables};
use base64::Engine;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Duration;
use wbauto::model::integration::webhook_name_ok;
use wbauto::model::{Integration, IntegrationKind};
use wbauto::wire::saved::{StoredTrigger, integration_json, is_mutation_event, trigger_json};

/// A fault to inject into the next matching request.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer normally, but after a delay.
    Latency(Duration),
    /// Answer with this HTTP status and a GraphQL error body.
    Status(u16),
    /// Answer 429 with `Retry-After: secs`.
    TooMany { retry_after: u32 },
    /// Answer 200 with a body that is not JSON.
    MalformedJson,
    /// Close the connection without answering.
    Drop,
    /// Let this many matching requests through, then inject the fault.
    After(usize, Box<Fault>),
}

/// A request as the fake saw it.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// The operation name declared by the document.
    pub operation: String,
    /// The JSON body.
    pub body: Value,
    /// Headers (lower-cased names).
    pub headers: Vec<(String, String)>,
    /// When it arrived.
    pub at: std::time::Instant,
}

/// Every feature flag the fake knows, all on by default.
pub const FEATURES: &[&str] = &[
    "QUERY_AUTOMATIONS_ON_ENTITY",
    "AUTOMATION_SCOPE_ENTITY",
    "AUTOMATION_EVENT_RUN_METRIC_ZSCORE",
    "AUTOMATION_EVENT_UNLINK_ARTIFACT",
    "AUTOMATION_EVENT_ADD_ARTIFACT_TAG",
    "AUTOMATION_EVENT_REMOVE_ARTIFACT_TAG",
    "AUTOMATION_EVENT_ADD_COLLECTION_TAG",
    "AUTOMATION_EVENT_REMOVE_COLLECTION_TAG",
    "ARTIFACT_REGISTRY_SEARCH",
];

/// An entity.
#[derive(Clone, Debug)]
pub struct Entity {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `user`, `team` or `organization`.
    pub kind: String,
    /// A team's or user's organisation entity.
    pub org: Option<String>,
    /// An organisation entity's organisation name.
    pub org_name: Option<String>,
}

/// A project.
#[derive(Clone, Debug)]
pub struct Project {
    /// Id.
    pub id: String,
    /// Owner.
    pub entity: String,
    /// Name.
    pub name: String,
}

/// An artifact collection.
#[derive(Clone, Debug)]
pub struct Collection {
    /// Id.
    pub id: String,
    /// Project id.
    pub project_id: String,
    /// Name.
    pub name: String,
    /// Portfolio or sequence.
    pub portfolio: bool,
    /// Artifact type.
    pub artifact_type: String,
}

/// A stored trigger: the input it was created from.
#[derive(Clone, Debug)]
pub struct Trigger {
    /// Order of creation.
    pub num: i64,
    /// Scope type.
    pub scope_type: String,
    /// Scope id.
    pub scope_id: String,
    /// Everything else.
    pub stored: StoredTrigger,
}

/// The fake's whole state.
pub struct State {
    /// Entities.
    pub entities: Vec<Entity>,
    /// Projects.
    pub projects: Vec<Project>,
    /// Collections.
    pub collections: Vec<Collection>,
    /// Integrations.
    pub integrations: Vec<Integration>,
    /// Triggers.
    pub triggers: Vec<Trigger>,
    /// Feature flags.
    pub features: BTreeMap<String, bool>,
    /// Faults to inject, first match first.
    pub faults: VecDeque<(Option<String>, Fault)>,
    /// Every request received.
    pub requests: Vec<Recorded>,
    /// The API key the fake accepts.
    pub api_key: String,
    /// The viewer's default entity.
    pub viewer_entity: String,
    /// Runs with their history.
    pub runs: Vec<super::runs::FakeRun>,
    /// When set, a query's answer is kept by its request body (with the authorization it came
    /// with) and given again from memory, as a server with a warm cache would: for timing
    /// clients, not for checking them.
    pub memory: Option<HashMap<Vec<u8>, (String, String)>>,
    /// Automation executions, in the order stored (not newest first).
    pub executions: Vec<super::history::FakeExecution>,
    /// When set, the server is older than automation history: a query of `triggerExecutions`
    /// is answered with this HTTP status and a GraphQL error naming the field.
    pub history_missing: Option<u16>,
    /// When set, history pages go round: the third page's cursor is the first's again.
    pub history_cursors_loop: bool,
    /// When set, `(n, delay)`: a history page starting at or after the `n`th execution of its
    /// connection (a later page) is answered after `delay`, as a slow server answers.
    pub history_delay: Option<(usize, Duration)>,
    next_num: i64,
    clock: i64,
}

/// The outcome of one GraphQL request: HTTP status and body.
pub type Outcome = (u16, Value);

pub(super) fn error(status: u16, message: impl Into<String>) -> Outcome {
    (
        status,
        json!({"errors": [{"message": message.into()}], "data": null}),
    )
}

pub(super) fn bad(message: impl Into<String>) -> Outcome {
    error(400, message)
}

pub(super) fn ok(data: Value) -> Outcome {
    (200, json!({"data": data}))
}

pub(super) fn encode(raw: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(raw)
}

pub(super) fn decode_cursor(cursor: &Value) -> Result<usize, Outcome> {
    match cursor {
        Value::Null => Ok(0),
        Value::String(c) => base64::engine::general_purpose::STANDARD
            .decode(c)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.strip_prefix("cursor:").and_then(|n| n.parse().ok()))
            .ok_or_else(|| bad(format!("invalid cursor {c:?}"))),
        _ => Err(bad("cursor must be a string")),
    }
}

/// The page `cursor` and `perPage` ask of `len` nodes, at most `cap` long: (start, end).
pub(super) fn window(
    len: usize,
    vars: &Map<String, Value>,
    cap: usize,
) -> Result<(usize, usize), Outcome> {
    let start = decode_cursor(vars.get("cursor").unwrap_or(&Value::Null))?.min(len);
    let per_page = vars
        .get("perPage")
        .and_then(Value::as_u64)
        .unwrap_or(50)
        .clamp(1, cap as u64) as usize;
    Ok((start, (start + per_page).min(len)))
}

/// A Relay connection's `pageInfo` for a page ending at `end` of `len` nodes.
pub(super) fn page_info(end: usize, len: usize) -> Value {
    json!({"__typename": "PageInfo", "endCursor": encode(&format!("cursor:{end}")), "hasNextPage": end < len})
}

/// A Relay connection over `nodes` starting at `cursor`.
fn connection(nodes: Vec<Value>, vars: &Map<String, Value>) -> Result<Value, Outcome> {
    let (start, end) = window(nodes.len(), vars, 1000)?;
    let page: Vec<Value> = nodes[start..end]
        .iter()
        .map(|n| json!({"node": n}))
        .collect();
    Ok(json!({"pageInfo": page_info(end, nodes.len()), "edges": page}))
}

const CREATE_KEYS: &[&str] = &[
    "name",
    "description",
    "enabled",
    "scopeType",
    "scopeID",
    "triggeringEventType",
    "eventFilter",
    "triggeredActionType",
    "triggeredActionConfig",
    "clientMutationId",
];
const CREATE_REQUIRED: &[&str] = &[
    "name",
    "enabled",
    "scopeType",
    "scopeID",
    "triggeringEventType",
    "eventFilter",
    "triggeredActionType",
    "triggeredActionConfig",
];
const EVENT_TYPES: &[&str] = &[
    "CREATE_ARTIFACT",
    "LINK_MODEL",
    "UNLINK_ARTIFACT",
    "ADD_ARTIFACT_ALIAS",
    "UPDATE_ARTIFACT_ALIAS",
    "ADD_ARTIFACT_TAG",
    "REMOVE_ARTIFACT_TAG",
    "ADD_COLLECTION_TAG",
    "REMOVE_COLLECTION_TAG",
    "RUN_METRIC",
    "RUN_METRIC_CHANGE",
    "RUN_METRIC_ZSCORE",
    "RUN_STATE",
    "WEAVE_METRIC_THRESHOLD",
];
const GATED_EVENTS: &[&str] = &[
    "UNLINK_ARTIFACT",
    "ADD_ARTIFACT_TAG",
    "REMOVE_ARTIFACT_TAG",
    "ADD_COLLECTION_TAG",
    "REMOVE_COLLECTION_TAG",
    "RUN_METRIC_ZSCORE",
];

fn exact_keys(v: &Value, what: &str, keys: &[&str], required: &[&str]) -> Result<(), String> {
    check_input(v, what, keys, required)
}

fn positive_int(v: &Value, what: &str) -> Result<(), String> {
    match v.as_i64() {
        Some(n) if n >= 1 => Ok(()),
        _ => Err(format!("{what} must be a positive integer")),
    }
}

fn enum_value(v: &Value, what: &str, allowed: &[&str]) -> Result<(), String> {
    match v.as_str() {
        Some(s) if allowed.contains(&s) => Ok(()),
        _ => Err(format!("{what}: {v} is not one of {}", allowed.join(", "))),
    }
}

fn positive_number(v: &Value, what: &str) -> Result<(), String> {
    if v.as_f64().is_some_and(|n| n > 0.0) {
        Ok(())
    } else {
        Err(format!("{what} must be positive"))
    }
}

fn change_dir(v: &Value) -> Result<(), String> {
    enum_value(v, "change_dir", &["INCREASE", "DECREASE", "ANY"])
}

fn agg(v: Option<&Value>) -> Result<(), String> {
    match v {
        None | Some(Value::Null) => Ok(()),
        Some(v) => enum_value(v, "agg_op", &["MAX", "MIN", "AVERAGE"]),
    }
}

/// Checks an `eventFilter` string as W&B would, for the given event type.
fn check_event_filter(event_type: &str, filter: &Value) -> Result<(), String> {
    let text = filter.as_str().ok_or("eventFilter must be a JSON string")?;
    let v: Value =
        serde_json::from_str(text).map_err(|e| format!("eventFilter is not valid JSON: {e}"))?;
    if is_mutation_event(event_type) {
        let ok = v.as_object().is_some_and(|m| m.len() == 1)
            && v["$or"]
                .as_array()
                .is_some_and(|a| a.len() == 1 && a[0].get("$and").is_some_and(Value::is_array));
        return if ok {
            Ok(())
        } else {
            Err("eventFilter must be {\"$or\":[{\"$and\":[...]}]}".into())
        };
    }
    exact_keys(
        &v,
        "eventFilter",
        &[
            "run_filter",
            "run_metric_filter",
            "run_state_filter",
            "metric_filter",
        ],
        &["run_filter"],
    )?;
    let run_filter = v["run_filter"]
        .as_str()
        .ok_or("run_filter must be a JSON string")?;
    let rf: Value = serde_json::from_str(run_filter)
        .map_err(|e| format!("run_filter is not valid JSON: {e}"))?;
    if !rf.get("$and").is_some_and(Value::is_array) {
        return Err("run_filter must be {\"$and\":[...]}".into());
    }
    if !v.get("metric_filter").is_none_or(Value::is_null) {
        return Err("metric_filter is deprecated; send null".into());
    }
    let metric = |key: &str| -> Result<Value, String> {
        let m = v
            .get("run_metric_filter")
            .ok_or("run_metric_filter is required")?;
        exact_keys(m, "RunMetricFilter", &[key], &[key])?;
        Ok(m[key].clone())
    };
    match event_type {
        "RUN_METRIC" => {
            let f = metric("threshold_filter")?;
            exact_keys(
                &f,
                "MetricThresholdFilter",
                &["name", "agg_op", "window_size", "cmp_op", "threshold"],
                &["name", "window_size", "cmp_op", "threshold"],
            )?;
            agg(f.get("agg_op"))?;
            positive_int(&f["window_size"], "window_size")?;
            enum_value(&f["cmp_op"], "cmp_op", &["$gt", "$gte", "$lt", "$lte"])?;
            if !f["threshold"].is_number() {
                return Err("threshold must be a number".into());
            }
        }
        "RUN_METRIC_CHANGE" => {
            let f = metric("change_filter")?;
            let keys = [
                "name",
                "agg_op",
                "current_window_size",
                "prior_window_size",
                "change_type",
                "change_dir",
                "change_amount",
            ];
            exact_keys(
                &f,
                "MetricChangeFilter",
                &keys,
                &[
                    "name",
                    "current_window_size",
                    "prior_window_size",
                    "change_type",
                    "change_dir",
                    "change_amount",
                ],
            )?;
            agg(f.get("agg_op"))?;
            positive_int(&f["current_window_size"], "current_window_size")?;
            positive_int(&f["prior_window_size"], "prior_window_size")?;
            enum_value(&f["change_type"], "change_type", &["ABSOLUTE", "RELATIVE"])?;
            change_dir(&f["change_dir"])?;
            positive_number(&f["change_amount"], "change_amount")?;
        }
        "RUN_METRIC_ZSCORE" => {
            let f = metric("zscore_filter")?;
            exact_keys(
                &f,
                "MetricZScoreFilter",
                &["name", "window_size", "threshold", "change_dir"],
                &["name", "window_size", "threshold", "change_dir"],
            )?;
            positive_int(&f["window_size"], "window_size")?;
            change_dir(&f["change_dir"])?;
            positive_number(&f["threshold"], "threshold")?;
        }
        "RUN_STATE" => {
            let f = v
                .get("run_state_filter")
                .ok_or("run_state_filter is required")?;
            exact_keys(f, "RunStateFilter", &["states"], &["states"])?;
            let states = f["states"]
                .as_array()
                .filter(|s| !s.is_empty())
                .ok_or("states must be a non-empty list")?;
            for s in states {
                enum_value(s, "state", &["RUNNING", "FINISHED", "FAILED"])?;
            }
        }
        other => return Err(format!("{other} automations cannot be created")),
    }
    Ok(())
}

impl State {
    /// An empty server accepting `api_key`, every feature on.
    pub fn new(api_key: &str) -> Self {
        Self {
            entities: Vec::new(),
            projects: Vec::new(),
            collections: Vec::new(),
            integrations: Vec::new(),
            triggers: Vec::new(),
            features: FEATURES.iter().map(|f| (f.to_string(), true)).collect(),
            faults: VecDeque::new(),
            requests: Vec::new(),
            api_key: api_key.to_string(),
            viewer_entity: String::new(),
            runs: Vec::new(),
            memory: None,
            executions: Vec::new(),
            history_missing: None,
            history_cursors_loop: false,
            history_delay: None,
            next_num: 1,
            clock: 0,
        }
    }

    fn num(&mut self) -> i64 {
        self.next_num += 1;
        self.next_num
    }

    fn now(&mut self) -> String {
        self.clock += 1;
        let t = jiff::Timestamp::from_second(1_780_000_000 + self.clock)
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        t.to_string()
    }

    /// Whether a feature is on.
    pub fn feature(&self, name: &str) -> bool {
        self.features.get(name).copied().unwrap_or(false)
    }

    /// Adds an entity.
    pub fn add_entity(&mut self, name: &str, kind: &str) -> String {
        let id = encode(&format!("Entity:{}", self.num()));
        self.entities.push(Entity {
            id: id.clone(),
            name: name.into(),
            kind: kind.into(),
            org: None,
            org_name: None,
        });
        id
    }

    /// Puts a team or user into the organisation whose entity is `org_entity` and whose name
    /// is `org_name`.
    pub fn join_org(&mut self, entity: &str, org_entity: &str, org_name: &str) {
        for e in self.entities.iter_mut() {
            if e.name == entity {
                e.org = Some(org_entity.into());
            }
            if e.name == org_entity {
                e.org_name = Some(org_name.into());
            }
        }
    }

    /// Adds a project.
    pub fn add_project(&mut self, entity: &str, name: &str) -> String {
        let id = encode(&format!("Project:v1:{name}:{entity}"));
        self.projects.push(Project {
            id: id.clone(),
            entity: entity.into(),
            name: name.into(),
        });
        id
    }

    /// Adds a collection to a project.
    pub fn add_collection(
        &mut self,
        project_id: &str,
        name: &str,
        portfolio: bool,
        artifact_type: &str,
    ) -> String {
        let id = encode(&format!("ArtifactCollection:{}", self.num()));
        self.collections.push(Collection {
            id: id.clone(),
            project_id: project_id.into(),
            name: name.into(),
            portfolio,
            artifact_type: artifact_type.into(),
        });
        id
    }

    /// Adds an integration.
    pub fn add_integration(&mut self, entity: &str, kind: IntegrationKind) -> String {
        let id = encode(&format!("Integration:{}", self.num()));
        self.integrations.push(Integration {
            id: id.clone(),
            entity: entity.into(),
            kind,
        });
        id
    }

    /// Stores a trigger input directly (for legacy kinds the API refuses).
    /// Adds `n` copies of the automations there are (named `NAME-k`), for measuring listings.
    pub fn add_copies(&mut self, n: usize) {
        let base: Vec<Trigger> = self.triggers.clone();
        for k in 0..n {
            let mut t = base[k % base.len()].clone();
            t.num = self.num();
            t.stored.id = encode(&format!("Trigger:{}", t.num));
            t.stored.name = format!("{}-{k}", t.stored.name);
            self.triggers.push(t);
        }
    }

    /// Inserts a trigger as given (the demo's legacy automations).
    pub fn insert_raw(&mut self, input: &Value) -> String {
        let num = self.num();
        let id = encode(&format!("Trigger:{num}"));
        let now = self.now();
        self.triggers.push(Trigger {
            num,
            scope_type: input["scopeType"].as_str().unwrap_or_default().into(),
            scope_id: input["scopeID"].as_str().unwrap_or_default().into(),
            stored: StoredTrigger {
                id: id.clone(),
                name: input["name"].as_str().unwrap_or_default().into(),
                description: input["description"].as_str().map(str::to_string),
                enabled: input["enabled"].as_bool().unwrap_or(true),
                created_at: now,
                updated_at: None,
                scope: Value::Null,
                event_type: input["triggeringEventType"]
                    .as_str()
                    .unwrap_or_default()
                    .into(),
                event_filter: input["eventFilter"].as_str().unwrap_or_default().into(),
                action_type: input["triggeredActionType"]
                    .as_str()
                    .unwrap_or_default()
                    .into(),
                action_config: input["triggeredActionConfig"].clone(),
            },
        });
        id
    }

    fn entity_named(&self, name: &str) -> Option<&Entity> {
        self.entities.iter().find(|e| e.name == name)
    }

    /// The scope object W&B returns, with owners; entity scopes need `EntityScopeFields`.
    fn scope_json(&self, scope_id: &str, entity_fields: bool) -> Value {
        if let Some(p) = self.projects.iter().find(|p| p.id == scope_id) {
            return json!({"__typename": "Project", "id": p.id, "name": p.name, "entity": {"name": p.entity}});
        }
        if let Some(c) = self.collections.iter().find(|c| c.id == scope_id) {
            let p = self.projects.iter().find(|p| p.id == c.project_id);
            let typename = if c.portfolio {
                "ArtifactPortfolio"
            } else {
                "ArtifactSequence"
            };
            return json!({"__typename": typename, "id": c.id, "name": c.name,
                          "project": p.map(|p| json!({"name": p.name, "entity": {"name": p.entity}}))});
        }
        match self.entities.iter().find(|e| e.id == scope_id) {
            Some(e) if entity_fields => {
                json!({"__typename": "Entity", "id": e.id, "name": e.name, "entityType": e.kind})
            }
            Some(_) => json!({"__typename": "Entity"}),
            None => Value::Null,
        }
    }

    fn render(&self, t: &Trigger, doc: &str) -> Value {
        let mut stored = t.stored.clone();
        stored.scope = self.scope_json(&t.scope_id, doc.contains("EntityScopeFields"));
        let lookup = |id: &str| {
            self.integrations
                .iter()
                .find(|i| i.id == id)
                .map(integration_json)
        };
        trigger_json(&stored, &lookup)
    }

    fn scope_owner(&self, t: &Trigger) -> Option<&str> {
        if let Some(p) = self.projects.iter().find(|p| p.id == t.scope_id) {
            return Some(&p.entity);
        }
        if let Some(c) = self.collections.iter().find(|c| c.id == t.scope_id) {
            return self
                .projects
                .iter()
                .find(|p| p.id == c.project_id)
                .map(|p| p.entity.as_str());
        }
        self.entities
            .iter()
            .find(|e| e.id == t.scope_id)
            .map(|e| e.name.as_str())
    }

    fn scope_kind(&self, scope_type: &str, scope_id: &str) -> Option<&'static str> {
        match scope_type {
            "PROJECT" => self
                .projects
                .iter()
                .any(|p| p.id == scope_id)
                .then_some("project"),
            "ARTIFACT_COLLECTION" => self
                .collections
                .iter()
                .any(|c| c.id == scope_id)
                .then_some("collection"),
            "ENTITY" => self
                .entities
                .iter()
                .any(|e| e.id == scope_id)
                .then_some("entity"),
            _ => None,
        }
    }

    /// Handles one GraphQL request body (auth already checked).
    pub fn graphql(&mut self, body: &Value) -> Outcome {
        let Some(doc) = body.get("query").and_then(Value::as_str) else {
            return bad("the request has no query");
        };
        let empty = Map::new();
        let vars = match body.get("variables") {
            None | Some(Value::Null) => &empty,
            Some(Value::Object(m)) => m,
            Some(_) => return bad("variables must be an object"),
        };
        if let Err(e) = check_document(doc).and_then(|_| check_variables(doc, vars)) {
            return bad(e);
        }
        let op = wbauto::wire::ops::operation_name(doc)
            .unwrap_or_default()
            .to_string();
        let result = match op.as_str() {
            "ServerFeaturesQuery" => Ok(ok(
                json!({"serverInfo": {"features": self.features.iter().map(|(n, on)| json!({"name": n, "isEnabled": on})).collect::<Vec<_>>()}}),
            )),
            "GetDefaultEntity" => Ok(ok(
                json!({"viewer": {"id": encode("User:1"), "entity": self.viewer_entity}}),
            )),
            "Viewer" => {
                let teams: Vec<Value> = self
                    .entities
                    .iter()
                    .filter(|e| e.kind == "team")
                    .map(|e| json!({"node": {"name": e.name}}))
                    .collect();
                Ok(ok(json!({"viewer": {
                    "id": encode("User:1"),
                    "entity": self.viewer_entity,
                    "teams": {"edges": teams},
                }})))
            }
            "GetEntityAutomations" => self.entity_automations(doc, vars),
            "GetEntityAutomationsLegacy" => self.entity_automations_legacy(doc, vars),
            "CreateAutomation" => self.save(doc, vars, false),
            "UpdateAutomation" => self.save(doc, vars, true),
            "DeleteAutomation" => Ok(self.delete(vars)),
            "IntegrationsByEntity" => self.integrations_by_entity(vars),
            "CreateGenericWebhookIntegration" => Ok(self.create_webhook(vars)),
            "GetProjects" => self.projects_of(vars),
            "GetProject" => Ok(self.project(vars)),
            "ProjectArtifactCollections" => self.collections_of(vars),
            "GetEntity" => Ok(self.entity(vars)),
            "FetchOrgEntityFromEntity" => Ok(self.org_of(vars)),
            "FetchRegistries" => self.registries(vars),
            "Runs" => self.runs_page(vars),
            "Run" => Ok(self.run_node(vars)),
            "RunHistoryKeys" => Ok(self.history_keys(vars)),
            "RunParquetHistory" => self.parquet_history(vars),
            "SampledHistoryPage" => self.sampled_history_page(vars),
            "GetAutomationHistory" => self.automation_history(doc, vars),
            "GetProjectAutomationHistory" => self.project_history(doc, vars),
            "GetCollectionAutomationHistory" => self.collection_history(doc, vars),
            other => Ok(bad(format!("Cannot query operation {other:?}"))),
        };
        result.unwrap_or_else(|e| e)
    }

    pub(super) fn var<'a>(vars: &'a Map<String, Value>, name: &str) -> &'a str {
        vars.get(name).and_then(Value::as_str).unwrap_or_default()
    }

    fn triggers_of(&self, entity: &str) -> Vec<&Trigger> {
        self.triggers
            .iter()
            .filter(|t| self.scope_owner(t) == Some(entity))
            .collect()
    }

    fn entity_automations(&self, doc: &str, vars: &Map<String, Value>) -> Result<Outcome, Outcome> {
        if !self.feature("QUERY_AUTOMATIONS_ON_ENTITY") {
            return Err(bad("Cannot query field \"triggers\" on type \"Entity\""));
        }
        let entity = Self::var(vars, "entity");
        if self.entity_named(entity).is_none() {
            return Ok(ok(json!({"scope": null})));
        }
        let name_filter = match vars.get("filters") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => {
                let f: Value = serde_json::from_str(s)
                    .map_err(|e| bad(format!("filters is not valid JSON: {e}")))?;
                Some(
                    f.get("name")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .ok_or_else(|| bad("filters supports only name"))?,
                )
            }
            Some(_) => return Err(bad("filters must be a JSON string")),
        };
        let nodes = self
            .triggers_of(entity)
            .into_iter()
            .filter(|t| name_filter.as_ref().is_none_or(|n| &t.stored.name == n))
            .map(|t| self.render(t, doc))
            .collect();
        Ok(ok(json!({"scope": {"triggers": connection(nodes, vars)?}})))
    }

    fn entity_automations_legacy(
        &self,
        doc: &str,
        vars: &Map<String, Value>,
    ) -> Result<Outcome, Outcome> {
        let entity = Self::var(vars, "entity");
        if self.entity_named(entity).is_none() {
            return Ok(ok(json!({"scope": null})));
        }
        let nodes = self
            .projects
            .iter()
            .filter(|p| p.entity == entity)
            .map(|p| {
                let collections: Vec<&str> = self
                    .collections
                    .iter()
                    .filter(|c| c.project_id == p.id)
                    .map(|c| c.id.as_str())
                    .collect();
                let triggers: Vec<Value> = self
                    .triggers
                    .iter()
                    .filter(|t| t.scope_id == p.id || collections.contains(&t.scope_id.as_str()))
                    .map(|t| self.render(t, doc))
                    .collect();
                json!({"__typename": "Project", "triggers": triggers})
            })
            .collect();
        Ok(ok(json!({"scope": {"projects": connection(nodes, vars)?}})))
    }

    fn check_trigger_input(&self, input: &Value, update: bool) -> Result<(), Outcome> {
        let (what, keys, required): (&str, Vec<&str>, Vec<&str>) = if update {
            (
                "UpdateFilterTriggerInput",
                [CREATE_KEYS, &["id"]].concat(),
                vec!["id"],
            )
        } else {
            (
                "CreateFilterTriggerInput",
                CREATE_KEYS.to_vec(),
                CREATE_REQUIRED.to_vec(),
            )
        };
        check_input(input, what, &keys, &required).map_err(bad)?;
        let name = input["name"].as_str().unwrap_or_default();
        if name.chars().count() > 255 {
            return Err(bad("name must be at most 255 characters"));
        }
        for (key, allowed) in [
            (
                "scopeType",
                &["PROJECT", "ARTIFACT_COLLECTION", "ENTITY"][..],
            ),
            ("triggeringEventType", EVENT_TYPES),
            (
                "triggeredActionType",
                &[
                    "NOTIFICATION",
                    "GENERIC_WEBHOOK",
                    "NO_OP",
                    "QUEUE_JOB",
                    "PUSH_NOTIFICATION",
                ][..],
            ),
        ] {
            if let Some(v) = input.get(key) {
                enum_value(v, key, allowed)
                    .map_err(|e| bad(format!("Variable \"$input\" got invalid value: {e}")))?;
            }
        }
        Ok(())
    }

    fn check_semantics(&self, input: &Value) -> Result<(), Outcome> {
        let scope_type = input["scopeType"].as_str().unwrap_or_default();
        let scope_id = input["scopeID"].as_str().unwrap_or_default();
        let event_type = input["triggeringEventType"].as_str().unwrap_or_default();
        let Some(kind) = self.scope_kind(scope_type, scope_id) else {
            return Err(error(
                404,
                format!("{scope_type} scope {scope_id} not found"),
            ));
        };
        if kind == "entity" && !self.feature("AUTOMATION_SCOPE_ENTITY") {
            return Err(bad("ENTITY scopes are not supported by this server"));
        }
        if GATED_EVENTS.contains(&event_type)
            && !self.feature(&format!("AUTOMATION_EVENT_{event_type}"))
        {
            return Err(bad(format!(
                "event type {event_type} is not supported by this server"
            )));
        }
        let run_event = event_type.starts_with("RUN_");
        if (event_type == "CREATE_ARTIFACT" && kind != "collection")
            || (run_event && kind == "collection")
        {
            return Err(bad(format!(
                "{event_type} cannot be used with a {scope_type} scope"
            )));
        }
        check_event_filter(event_type, &input["eventFilter"]).map_err(bad)?;
        let action_type = input["triggeredActionType"].as_str().unwrap_or_default();
        let config = &input["triggeredActionConfig"];
        let (key, integration_kind) = match action_type {
            "NOTIFICATION" => ("notificationActionInput", Some(true)),
            "GENERIC_WEBHOOK" => ("genericWebhookActionInput", Some(false)),
            "NO_OP" => ("noOpActionInput", None),
            other => {
                return Err(bad(format!(
                    "{other} actions cannot be assigned to automations"
                )));
            }
        };
        check_input(config, "TriggeredActionConfig", &[key], &[key]).map_err(bad)?;
        let inner = &config[key];
        match action_type {
            "NOTIFICATION" => {
                check_input(
                    inner,
                    "NotificationActionInput",
                    &["integrationID", "title", "message", "severity"],
                    &["integrationID"],
                )
                .map_err(bad)?;
                if let Some(s) = inner.get("severity") {
                    enum_value(s, "severity", &["INFO", "WARN", "ERROR"]).map_err(bad)?;
                }
            }
            "GENERIC_WEBHOOK" => {
                check_input(
                    inner,
                    "GenericWebhookActionInput",
                    &["integrationID", "requestPayload"],
                    &["integrationID"],
                )
                .map_err(bad)?;
                if let Some(p) = inner.get("requestPayload") {
                    let parsed: Option<Value> =
                        p.as_str().and_then(|s| serde_json::from_str(s).ok());
                    if !parsed.is_some_and(|v| v.is_object()) {
                        return Err(bad("requestPayload must be a JSON-encoded object"));
                    }
                }
            }
            _ => check_input(inner, "NoOpTriggeredActionInput", &["noOp"], &[]).map_err(bad)?,
        }
        if let Some(slack) = integration_kind {
            let id = inner["integrationID"].as_str().unwrap_or_default();
            let found = self.integrations.iter().find(|i| i.id == id);
            if found.is_none_or(|i| matches!(i.kind, IntegrationKind::Slack { .. }) != slack) {
                return Err(error(404, format!("integration {id} not found")));
            }
        }
        Ok(())
    }

    fn save(
        &mut self,
        doc: &str,
        vars: &Map<String, Value>,
        update: bool,
    ) -> Result<Outcome, Outcome> {
        let input = vars.get("input").cloned().unwrap_or(Value::Null);
        self.check_trigger_input(&input, update)?;
        let position = if update {
            let id = input["id"].as_str().unwrap_or_default();
            Some(
                self.triggers
                    .iter()
                    .position(|t| t.stored.id == id)
                    .ok_or_else(|| error(404, format!("trigger {id} not found")))?,
            )
        } else {
            None
        };
        let mut merged = match position {
            Some(i) => {
                let t = &self.triggers[i];
                json!({"name": t.stored.name, "description": t.stored.description, "enabled": t.stored.enabled,
                       "scopeType": t.scope_type, "scopeID": t.scope_id, "triggeringEventType": t.stored.event_type,
                       "eventFilter": t.stored.event_filter, "triggeredActionType": t.stored.action_type,
                       "triggeredActionConfig": t.stored.action_config})
            }
            None => json!({}),
        };
        for (k, v) in input.as_object().into_iter().flatten() {
            merged[k] = v.clone();
        }
        self.check_semantics(&merged)?;
        let name = merged["name"].as_str().unwrap_or_default().to_string();
        let taken = self.triggers.iter().enumerate().any(|(i, t)| {
            Some(i) != position
                && t.scope_id == merged["scopeID"].as_str().unwrap_or_default()
                && t.stored.name == name
        });
        if taken {
            return Err(error(
                409,
                format!("a trigger named {name:?} already exists in this scope"),
            ));
        }
        let index = match position {
            Some(i) => {
                let now = self.now();
                let t = &mut self.triggers[i];
                t.scope_type = merged["scopeType"].as_str().unwrap_or_default().into();
                t.scope_id = merged["scopeID"].as_str().unwrap_or_default().into();
                t.stored.name = name;
                t.stored.description = merged["description"].as_str().map(str::to_string);
                t.stored.enabled = merged["enabled"].as_bool().unwrap_or(true);
                t.stored.event_type = merged["triggeringEventType"]
                    .as_str()
                    .unwrap_or_default()
                    .into();
                t.stored.event_filter = merged["eventFilter"].as_str().unwrap_or_default().into();
                t.stored.action_type = merged["triggeredActionType"]
                    .as_str()
                    .unwrap_or_default()
                    .into();
                t.stored.action_config = merged["triggeredActionConfig"].clone();
                t.stored.updated_at = Some(now);
                i
            }
            None => {
                self.insert_raw(&merged);
                self.triggers.len() - 1
            }
        };
        let rendered = self.render(&self.triggers[index], doc);
        Ok(ok(json!({"result": {"trigger": rendered}})))
    }

    fn delete(&mut self, vars: &Map<String, Value>) -> Outcome {
        let id = Self::var(vars, "id").to_string();
        match self.triggers.iter().position(|t| t.stored.id == id) {
            Some(i) => {
                self.triggers.remove(i);
                ok(json!({"result": {"success": true}}))
            }
            None => error(404, format!("trigger {id} not found")),
        }
    }

    fn integrations_by_entity(&self, vars: &Map<String, Value>) -> Result<Outcome, Outcome> {
        let entity = Self::var(vars, "entity");
        if self.entity_named(entity).is_none() {
            return Ok(ok(json!({"entity": null})));
        }
        let mut nodes: Vec<Value> = self
            .integrations
            .iter()
            .filter(|i| i.entity == entity)
            .map(integration_json)
            .collect();
        nodes.push(json!({"__typename": "GitHubOAuthIntegration"}));
        Ok(ok(
            json!({"entity": {"integrations": connection(nodes, vars)?}}),
        ))
    }

    fn create_webhook(&mut self, vars: &Map<String, Value>) -> Outcome {
        let input = vars.get("input").cloned().unwrap_or(Value::Null);
        let keys = [
            "entityName",
            "name",
            "urlEndpoint",
            "secretRef",
            "accessTokenRef",
            "clientMutationId",
        ];
        if let Err(e) = check_input(
            &input,
            "CreateGenericWebhookIntegrationInput",
            &keys,
            &["entityName", "name", "urlEndpoint"],
        ) {
            return bad(e);
        }
        let (entity, name, url) = (
            input["entityName"].as_str().unwrap_or_default(),
            input["name"].as_str().unwrap_or_default(),
            input["urlEndpoint"].as_str().unwrap_or_default(),
        );
        if !webhook_name_ok(name) {
            return bad(format!("invalid integration name {name:?}"));
        }
        if self.entity_named(entity).is_none() {
            return error(404, format!("entity {entity} not found"));
        }
        if self
            .integrations
            .iter()
            .any(|i| i.entity == entity && i.label() == name)
        {
            return error(409, format!("an integration named {name:?} already exists"));
        }
        let kind = IntegrationKind::Webhook {
            name: name.into(),
            url: url.into(),
            secret_ref: input["secretRef"].as_str().map(str::to_string),
            access_token_ref: input["accessTokenRef"].as_str().map(str::to_string),
        };
        let entity = entity.to_string();
        let id = self.add_integration(&entity, kind);
        let created = self
            .integrations
            .iter()
            .find(|i| i.id == id)
            .map(integration_json);
        ok(json!({"result": {"integration": created}}))
    }

    fn project_json(p: &Project) -> Value {
        json!({"__typename": "Project", "id": p.id, "name": p.name, "entityName": p.entity})
    }

    fn projects_of(&self, vars: &Map<String, Value>) -> Result<Outcome, Outcome> {
        let entity = Self::var(vars, "entity");
        let nodes = self
            .projects
            .iter()
            .filter(|p| p.entity == entity)
            .map(Self::project_json)
            .collect();
        Ok(ok(json!({"models": connection(nodes, vars)?})))
    }

    fn project(&self, vars: &Map<String, Value>) -> Outcome {
        let (name, entity) = (Self::var(vars, "name"), Self::var(vars, "entity"));
        ok(
            json!({"project": self.projects.iter().find(|p| p.entity == entity && p.name == name).map(Self::project_json)}),
        )
    }

    fn collections_of(&self, vars: &Map<String, Value>) -> Result<Outcome, Outcome> {
        let (entity, project) = (Self::var(vars, "entity"), Self::var(vars, "project"));
        let Some(p) = self
            .projects
            .iter()
            .find(|p| p.entity == entity && p.name == project)
        else {
            return Ok(ok(json!({"project": null})));
        };
        let nodes = self
            .collections
            .iter()
            .filter(|c| c.project_id == p.id)
            .map(|c| json!({"__typename": if c.portfolio { "ArtifactPortfolio" } else { "ArtifactSequence" }, "id": c.id, "name": c.name, "type": {"name": c.artifact_type}}))
            .collect();
        Ok(ok(
            json!({"project": {"artifactCollections": connection(nodes, vars)?}}),
        ))
    }

    fn org_json(&self, org_entity: &str) -> Value {
        let name = self
            .entity_named(org_entity)
            .and_then(|e| e.org_name.clone());
        json!({"name": name, "orgEntity": {"name": org_entity}})
    }

    fn org_of(&self, vars: &Map<String, Value>) -> Outcome {
        let Some(e) = self.entity_named(Self::var(vars, "entityName")) else {
            return ok(json!({"entity": null}));
        };
        // An organisation's own entity belongs to that organisation.
        let own = e.org_name.is_some().then_some(e.name.as_str());
        let org = e.org.as_deref().or(own).map(|o| self.org_json(o));
        let found = match e.kind.as_str() {
            "user" => {
                json!({"organization": null, "user": {"organizations": org.into_iter().collect::<Vec<_>>()}})
            }
            _ => json!({"organization": org, "user": null}),
        };
        ok(json!({"entity": found}))
    }

    fn registries(&self, vars: &Map<String, Value>) -> Result<Outcome, Outcome> {
        let name = Self::var(vars, "organization");
        let Some(org) = self
            .entities
            .iter()
            .find(|e| e.org_name.as_deref() == Some(name))
        else {
            return Ok(ok(json!({"organization": null})));
        };
        let nodes = self
            .projects
            .iter()
            .filter(|p| p.entity == org.name)
            .map(|p| json!({"__typename": "Project", "id": p.id, "name": p.name}))
            .collect();
        Ok(ok(
            json!({"organization": {"orgEntity": {"name": org.name, "projects": connection(nodes, vars)?}}}),
        ))
    }

    fn entity(&self, vars: &Map<String, Value>) -> Outcome {
        let e = self.entity_named(Self::var(vars, "name"));
        ok(
            json!({"entity": e.map(|e| json!({"__typename": "Entity", "id": e.id, "name": e.name, "entityType": e.kind}))}),
        )
    }
}
