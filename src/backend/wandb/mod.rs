//! The W&B backend: GraphQL over HTTPS, exactly as the `wandb` SDK talks to W&B.

pub mod client;
pub mod features;
mod history;
mod page;
mod runs;

use super::{
    Backend, BackendError, BackendInfo, BackendKind, CollectionInfo, EntityInfo, EntityKind,
    Listing, NewSlack, NewWebhook, ProjectInfo, SavedAutomation, Unreadable,
};
use crate::model::integration::validate_webhook;
use crate::model::{Automation, Capabilities, Integration, Problem};
use crate::wire::encode::{create_input, update_input};
use crate::wire::ops;
use crate::wire::parse::{ParseContext, parse_integration, parse_trigger_json};
use async_trait::async_trait;
use client::{Client, GraphqlRequest};
use features::Features;
use page::Found;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicBool;
use tokio::sync::OnceCell;

/// Page sizes the SDK uses.
const AUTOMATIONS_PER_PAGE: u64 = 50;
const PROJECTS_PER_PAGE: u64 = 200;
/// A listing longer than this many pages is treated as a server fault.
const MAX_PAGES: usize = 10_000;

/// The W&B backend.
pub struct WandbBackend {
    client: Client,
    features: OnceCell<Features>,
    default_entity: OnceCell<String>,
    /// The server said it has no `triggerExecutions`: history is not asked again.
    history_absent: AtomicBool,
}

fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter()
        .try_fold(v, |v, k| v.get(*k))
        .filter(|v| !v.is_null())
}

fn unexpected(what: &str) -> BackendError {
    BackendError::Server(format!(
        "W&B's answer to {what} does not have the expected shape; is --base-url a W&B server?"
    ))
}

/// What the next page of a connection brought.
enum Paged {
    /// Its nodes, as sent.
    Nodes(Vec<Box<RawValue>>),
    /// The first key of the path was null: no such entity or project.
    Missing,
    /// There are no more pages.
    End,
}

/// A connection read one page at a time, following its cursors; a cursor given a second time
/// (pages that go round) stops it with an error.
struct Pager<'a> {
    query: &'a str,
    vars: Value,
    path: &'a [&'a str],
    what: &'a str,
    cursor: Option<String>,
    seen: HashSet<String>,
    pages: usize,
    done: bool,
}

impl<'a> Pager<'a> {
    fn new(query: &'a str, vars: Value, path: &'a [&'a str], per_page: u64, what: &'a str) -> Self {
        let mut vars = vars;
        vars["perPage"] = json!(per_page);
        Self {
            query,
            vars,
            path,
            what,
            cursor: None,
            seen: HashSet::new(),
            pages: 0,
            done: false,
        }
    }

    /// Asks `backend` for the next page.
    async fn next(&mut self, backend: &WandbBackend) -> Result<Paged, BackendError> {
        let what = self.what;
        if self.done {
            return Ok(Paged::End);
        }
        if self.pages == MAX_PAGES {
            return Err(BackendError::Server(format!(
                "{what} has more than {MAX_PAGES} pages; stopping"
            )));
        }
        self.pages += 1;
        let mut v = self.vars.clone();
        v["cursor"] = json!(self.cursor);
        let data = backend
            .client
            .execute_raw(&GraphqlRequest::sdk(self.query, v))
            .await?;
        let page = match page::at_path(&data, self.path).map_err(|_| unexpected(what))? {
            Found::Page(page) => page,
            Found::Missing(0) => return Ok(Paged::Missing),
            Found::Missing(_) => return Err(unexpected(what)),
        };
        if page.more && page.next.is_none() {
            return Err(BackendError::Server(format!(
                "W&B said {what} has more pages but gave no cursor"
            )));
        }
        match page.next {
            Some(next) if !self.seen.insert(next.clone()) => {
                return Err(BackendError::Server(format!(
                    "W&B gave the cursor {next:?} of {what} a second time after {} pages: its pages go round in a circle, so reading stopped; try again later",
                    self.pages
                )));
            }
            Some(next) => self.cursor = Some(next),
            None => self.done = true,
        }
        Ok(Paged::Nodes(page.nodes))
    }
}

fn invalid(message: impl Into<String>) -> BackendError {
    BackendError::Invalid(vec![Problem::new("", message)])
}

/// A project node of the listing for servers without `QUERY_AUTOMATIONS_ON_ENTITY`.
#[derive(Deserialize)]
struct ProjectTriggers {
    #[serde(default)]
    triggers: Option<Vec<Option<Box<RawValue>>>>,
}

/// Decodes nodes that are read field by field (the few, small listings other than automations).
fn values(nodes: Vec<Box<RawValue>>, what: &str) -> Result<Vec<Value>, BackendError> {
    nodes
        .iter()
        .map(|n| serde_json::from_str(n.get()).map_err(|_| unexpected(what)))
        .collect()
}

impl WandbBackend {
    /// A backend talking through `client`.
    pub fn new(client: Client) -> Self {
        Self {
            client,
            features: OnceCell::new(),
            default_entity: OnceCell::new(),
            history_absent: AtomicBool::new(false),
        }
    }

    /// The server's features, asked once per process. A refused key, or a server that cannot be
    /// reached at all, is an error (the operation would only spend a second deadline failing the
    /// same way); another failure means "no features", as in the SDK.
    pub(crate) async fn features(&self) -> Result<&Features, BackendError> {
        self.features
            .get_or_try_init(|| async {
                match self
                    .client
                    .execute(&GraphqlRequest::named(
                        ops::SERVER_FEATURES,
                        ops::SERVER_FEATURES_NAME,
                    ))
                    .await
                {
                    Ok(data) => Ok(Features::from_response(&data)),
                    Err(e @ (BackendError::Auth(_) | BackendError::Network(_))) => Err(e),
                    Err(e) => {
                        tracing::warn!(error = %e, "server features unavailable; assuming none");
                        Ok(Features::default())
                    }
                }
            })
            .await
    }

    /// Walks every page of a connection found at `path` in the answer to `query`; its nodes
    /// are kept as the text W&B sent. `None` when the first key of the path is null (no such
    /// entity or project).
    async fn paginate(
        &self,
        query: &str,
        vars: Value,
        path: &[&str],
        per_page: u64,
        what: &str,
    ) -> Result<Option<Vec<Box<RawValue>>>, BackendError> {
        let mut pager = Pager::new(query, vars, path, per_page, what);
        let mut out = Vec::new();
        loop {
            match pager.next(self).await? {
                Paged::Nodes(nodes) => out.extend(nodes),
                Paged::Missing => return Ok(None),
                Paged::End => return Ok(Some(out)),
            }
        }
    }

    /// An automation of a listing, from the node's text as sent.
    fn listed(node: Box<RawValue>, entity: &str) -> Result<SavedAutomation, Unreadable> {
        let paths = HashMap::new();
        let ctx = ParseContext {
            entity,
            paths: &paths,
        };
        match parse_trigger_json(node.get(), &ctx) {
            Ok(automation) => Ok(SavedAutomation {
                automation,
                wire: Some(Box::<str>::from(node).into()),
            }),
            Err(e) => {
                let v: Value = serde_json::from_str(node.get()).unwrap_or(Value::Null);
                Err(Self::unreadable(&v, e.to_string()))
            }
        }
    }

    fn unreadable(node: &Value, reason: String) -> Unreadable {
        Unreadable {
            id: node.get("id").and_then(Value::as_str).map(str::to_string),
            name: node.get("name").and_then(Value::as_str).map(str::to_string),
            reason,
            wire: node.to_string(),
        }
    }

    /// An automation in a mutation's answer: read as a listed one is.
    fn saved(node: &Value, entity: &str) -> Result<SavedAutomation, Unreadable> {
        let text = RawValue::from_string(node.to_string())
            .map_err(|e| Self::unreadable(node, e.to_string()))?;
        Self::listed(text, entity)
    }

    fn trigger_result(
        data: &Value,
        what: &str,
        entity: &str,
    ) -> Result<SavedAutomation, BackendError> {
        let node = at(data, &["result", "trigger"]).ok_or_else(|| {
            BackendError::Server(format!("W&B answered the {what} with an empty result"))
        })?;
        Self::saved(node, entity).map_err(|u| {
            BackendError::Server(format!(
                "W&B's answer to the {what} cannot be read: {}",
                u.reason
            ))
        })
    }

    async fn check_sendable(&self, a: &Automation) -> Result<bool, BackendError> {
        super::resolve::check(self, a).await?;
        Ok(self.features().await?.entity_scope())
    }

    /// Best effort: refuse an update when the automation (found by its name) changed since read.
    async fn check_unchanged(&self, a: &Automation) -> Result<(), BackendError> {
        if a.is_unread() || !self.features().await?.entity_listing() {
            return Ok(());
        }
        let entity = a.scope.path.entity();
        let vars = json!({"entity": entity, "filters": json!({"name": a.name}).to_string()});
        let nodes = self
            .paginate(
                &ops::entity_automations(self.features().await?.entity_scope()),
                vars,
                &["scope", "triggers"],
                AUTOMATIONS_PER_PAGE,
                "automations",
            )
            .await?
            .unwrap_or_default();
        let current = values(nodes, "automations")?;
        let current = current
            .iter()
            .find(|n| n.get("id").and_then(Value::as_str) == a.id.as_deref());
        if let Some(current) = current {
            let stored = current.get("updatedAt").and_then(Value::as_str);
            if stored != a.updated_at.as_deref() {
                return Err(BackendError::Conflict(format!(
                    "{:?} was changed elsewhere (at {}) since it was read; refresh and try again",
                    a.name,
                    stored.unwrap_or("an unknown time")
                )));
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Backend for WandbBackend {
    fn info(&self) -> BackendInfo {
        BackendInfo {
            kind: BackendKind::Wandb,
            endpoint: self.client.base_url().to_string(),
        }
    }

    async fn capabilities(&self) -> Result<Capabilities, BackendError> {
        Ok(self.features().await?.capabilities())
    }

    async fn default_entity(&self) -> Result<String, BackendError> {
        self.default_entity
            .get_or_try_init(|| async {
                let data = self.client.execute(&GraphqlRequest::sdk(ops::DEFAULT_ENTITY, json!({}))).await?;
                match at(&data, &["viewer"]) {
                    None => Err(BackendError::Auth(format!(
                        "W&B at {} did not accept the API key (no viewer); check WANDB_API_KEY or run `wandb login --relogin`",
                        self.client.base_url()
                    ))),
                    Some(viewer) => viewer
                        .get("entity")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .ok_or_else(|| BackendError::NotFound("your W&B user has no default entity; pass --entity".into())),
                }
            })
            .await
            .cloned()
    }

    async fn entities(&self) -> Result<Vec<String>, BackendError> {
        let request = GraphqlRequest::sdk(ops::VIEWER_TEAMS, json!({}));
        let data = self.client.execute(&request).await?;
        let viewer = at(&data, &["viewer"]);
        let own = viewer.and_then(|v| v.get("entity")).and_then(Value::as_str);
        let teams = viewer
            .and_then(|v| at(v, &["teams", "edges"]))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|edge| at(edge, &["node", "name"]).and_then(Value::as_str));
        let mut names: Vec<String> = Vec::new();
        for name in own.into_iter().chain(teams) {
            if !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
        Ok(names)
    }

    async fn list_automations(&self, entity: &str) -> Result<Listing, BackendError> {
        let features = self.features().await?;
        let vars = json!({"entity": entity});
        let nodes = if features.entity_listing() {
            self.paginate(
                &ops::entity_automations(features.entity_scope()),
                vars,
                &["scope", "triggers"],
                AUTOMATIONS_PER_PAGE,
                "automations",
            )
            .await?
        } else {
            let projects = self
                .paginate(
                    &ops::entity_automations_legacy(features.entity_scope()),
                    vars,
                    &["scope", "projects"],
                    AUTOMATIONS_PER_PAGE,
                    "projects",
                )
                .await?;
            match projects {
                None => None,
                Some(ps) => {
                    let mut triggers = Vec::new();
                    for p in ps {
                        let p: ProjectTriggers =
                            serde_json::from_str(p.get()).map_err(|_| unexpected("projects"))?;
                        triggers.extend(p.triggers.into_iter().flatten().flatten());
                    }
                    Some(triggers)
                }
            }
        };
        let nodes = nodes.ok_or_else(|| {
            BackendError::NotFound(format!("W&B has no entity named {entity}; check --entity"))
        })?;
        let mut listing = Listing::default();
        for node in nodes {
            match Self::listed(node, entity) {
                Ok(s) => listing.automations.push(s),
                Err(u) => listing.unreadable.push(u),
            }
        }
        Ok(listing)
    }

    async fn create_automation(&self, a: &Automation) -> Result<SavedAutomation, BackendError> {
        let entity_scope = self.check_sendable(a).await?;
        let input = create_input(a).map_err(|e| invalid(e.0))?;
        let data = self.client.execute(&GraphqlRequest::sdk(ops::create_automation(entity_scope), json!({"input": input}))).await.map_err(|e| match e {
            BackendError::Conflict(m) => {
                BackendError::Conflict(format!("the name {:?} is already used by another automation in {}; pick another name ({m})", a.name, a.scope.path))
            }
            other => other,
        })?;
        Self::trigger_result(&data, "create", a.scope.path.entity())
    }

    async fn update_automation(&self, a: &Automation) -> Result<SavedAutomation, BackendError> {
        let entity_scope = self.check_sendable(a).await?;
        let input = update_input(a).map_err(|e| invalid(e.0))?;
        self.check_unchanged(a).await?;
        let data = self.client.execute(&GraphqlRequest::sdk(ops::update_automation(entity_scope), json!({"input": input}))).await.map_err(|e| match e {
            BackendError::NotFound(m) => BackendError::NotFound(format!("it was deleted elsewhere (W&B: {m})")),
            BackendError::Conflict(m) => {
                BackendError::Conflict(format!("the name {:?} is already used by another automation in {}; pick another name ({m})", a.name, a.scope.path))
            }
            other => other,
        })?;
        Self::trigger_result(&data, "update", a.scope.path.entity())
    }

    async fn delete_automation(&self, id: &str) -> Result<(), BackendError> {
        let data = self
            .client
            .execute(&GraphqlRequest::sdk(
                ops::DELETE_AUTOMATION,
                json!({"id": id}),
            ))
            .await
            .map_err(|e| match e {
                BackendError::NotFound(m) => BackendError::NotFound(format!(
                    "no automation has the id {id}; it may have been deleted already ({m})"
                )),
                other => other,
            })?;
        match at(&data, &["result", "success"]).and_then(Value::as_bool) {
            Some(true) => Ok(()),
            _ => Err(BackendError::Server(format!(
                "W&B did not delete the automation {id}"
            ))),
        }
    }

    async fn automation_history(
        &self,
        query: &crate::model::history::HistoryQuery,
    ) -> Result<crate::model::history::History, BackendError> {
        self.history(query, None).await
    }

    async fn automation_history_reading(
        &self,
        query: &crate::model::history::HistoryQuery,
        so_far: super::SoFar<'_>,
    ) -> Result<crate::model::history::History, BackendError> {
        self.history(query, Some(so_far)).await
    }

    async fn list_integrations(&self, entity: &str) -> Result<Vec<Integration>, BackendError> {
        let nodes = self
            .paginate(
                ops::INTEGRATIONS_BY_ENTITY,
                json!({"entity": entity}),
                &["entity", "integrations"],
                AUTOMATIONS_PER_PAGE,
                "integrations",
            )
            .await?
            .ok_or_else(|| BackendError::NotFound(format!("W&B has no entity named {entity}")))?;
        Ok(values(nodes, "integrations")?
            .iter()
            .filter_map(|n| parse_integration(n, entity))
            .collect())
    }

    async fn create_webhook_integration(
        &self,
        entity: &str,
        new: &NewWebhook,
    ) -> Result<Integration, BackendError> {
        super::ensure_valid(validate_webhook(&new.name, &new.url))?;
        let mut input = json!({"entityName": entity, "name": new.name, "urlEndpoint": new.url});
        if let Some(s) = &new.secret_ref {
            input["secretRef"] = json!(s);
        }
        if let Some(t) = &new.access_token_ref {
            input["accessTokenRef"] = json!(t);
        }
        let data = self
            .client
            .execute(&GraphqlRequest::sdk(
                ops::CREATE_WEBHOOK_INTEGRATION,
                json!({"input": input}),
            ))
            .await
            .map_err(|e| match e {
                BackendError::Conflict(m) => BackendError::Conflict(format!(
                    "{entity} already has a webhook {} ({m})",
                    new.name
                )),
                other => other,
            })?;
        let node = at(&data, &["result", "integration"])
            .ok_or_else(|| unexpected("the new integration"))?;
        let mut created =
            parse_integration(node, entity).ok_or_else(|| unexpected("the new integration"))?;
        if let crate::model::IntegrationKind::Webhook {
            secret_ref,
            access_token_ref,
            ..
        } = &mut created.kind
        {
            *secret_ref = new.secret_ref.clone();
            *access_token_ref = new.access_token_ref.clone();
        }
        Ok(created)
    }

    async fn create_slack_integration(
        &self,
        _entity: &str,
        _new: &NewSlack,
    ) -> Result<Integration, BackendError> {
        Err(BackendError::Unsupported(features::SLACK_ON_WANDB.into()))
    }

    async fn list_projects(&self, entity: &str) -> Result<Vec<ProjectInfo>, BackendError> {
        let nodes = self
            .paginate(
                ops::PROJECTS,
                json!({"entity": entity}),
                &["models"],
                PROJECTS_PER_PAGE,
                "projects",
            )
            .await?
            .unwrap_or_default();
        let mut projects: Vec<ProjectInfo> = values(nodes, "projects")?
            .iter()
            .filter_map(|n| project_info(n, entity))
            .collect();
        projects.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(projects)
    }

    async fn list_registries(&self, entity: &str) -> Result<Vec<ProjectInfo>, BackendError> {
        if !self
            .features()
            .await?
            .has(features::ARTIFACT_REGISTRY_SEARCH)
        {
            return Err(BackendError::Unsupported(format!(
                "this W&B server cannot list registries (server feature {} is off); write the registry's path instead",
                features::ARTIFACT_REGISTRY_SEARCH
            )));
        }
        let data = self
            .client
            .execute(&GraphqlRequest::sdk(
                ops::ORG_OF_ENTITY,
                json!({"entityName": entity}),
            ))
            .await?;
        let Some(found) = at(&data, &["entity"]) else {
            return Err(BackendError::NotFound(format!(
                "W&B has no entity named {entity}"
            )));
        };
        let orgs: Vec<&Value> = match at(found, &["organization"]) {
            Some(org) => vec![org],
            None => at(found, &["user", "organizations"])
                .and_then(Value::as_array)
                .map(|a| a.iter().collect())
                .unwrap_or_default(),
        };
        let mut out = Vec::new();
        for org in orgs {
            let (Some(name), Some(org_entity)) = (
                org.get("name").and_then(Value::as_str),
                at(org, &["orgEntity", "name"]).and_then(Value::as_str),
            ) else {
                continue;
            };
            let nodes = self
                .paginate(
                    ops::REGISTRIES,
                    json!({"organization": name}),
                    &["organization", "orgEntity", "projects"],
                    100,
                    "registries",
                )
                .await?
                .unwrap_or_default();
            out.extend(
                values(nodes, "registries")?
                    .iter()
                    .filter_map(|n| project_info(n, org_entity))
                    .filter(|p| p.name.starts_with(crate::model::scope::REGISTRY_PREFIX)),
            );
        }
        out.sort_by(|a, b| (&a.entity, &a.name).cmp(&(&b.entity, &b.name)));
        Ok(out)
    }

    async fn list_collections(
        &self,
        entity: &str,
        project: &str,
    ) -> Result<Vec<CollectionInfo>, BackendError> {
        let nodes = self
            .paginate(
                ops::PROJECT_COLLECTIONS,
                json!({"entity": entity, "project": project}),
                &["project", "artifactCollections"],
                AUTOMATIONS_PER_PAGE,
                "collections",
            )
            .await?
            .ok_or_else(|| {
                BackendError::NotFound(format!("there is no project {project} in {entity}"))
            })?;
        let mut collections = values(nodes, "collections")?
            .iter()
            .filter_map(|n| {
                Some(CollectionInfo {
                    id: n.get("id")?.as_str()?.to_string(),
                    name: n.get("name")?.as_str()?.to_string(),
                    portfolio: n.get("__typename").and_then(Value::as_str)
                        == Some("ArtifactPortfolio"),
                    artifact_type: at(n, &["type", "name"])
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                })
            })
            .collect::<Vec<_>>();
        collections.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(collections)
    }

    async fn entity(&self, name: &str) -> Result<Option<EntityInfo>, BackendError> {
        let data = self
            .client
            .execute(&GraphqlRequest::sdk(ops::ENTITY, json!({"name": name})))
            .await?;
        Ok(at(&data, &["entity"]).and_then(|e| {
            Some(EntityInfo {
                id: e.get("id")?.as_str()?.to_string(),
                name: e.get("name")?.as_str()?.to_string(),
                kind: e
                    .get("entityType")
                    .and_then(Value::as_str)
                    .and_then(EntityKind::parse)
                    .unwrap_or(EntityKind::Team),
            })
        }))
    }

    async fn list_runs(
        &self,
        entity: &str,
        project: &str,
        last: usize,
    ) -> Result<Vec<crate::backend::RunInfo>, BackendError> {
        self.newest_runs(entity, project, last).await
    }

    async fn run_info(
        &self,
        entity: &str,
        project: &str,
        run: &str,
    ) -> Result<Option<crate::backend::RunInfo>, BackendError> {
        self.one_run(entity, project, run).await
    }

    async fn run_history(
        &self,
        entity: &str,
        project: &str,
        run: &str,
        metric: &str,
    ) -> Result<crate::backend::RunSeries, BackendError> {
        self.metric_history(entity, project, run, metric).await
    }

    async fn project(&self, entity: &str, name: &str) -> Result<Option<ProjectInfo>, BackendError> {
        let data = self
            .client
            .execute(&GraphqlRequest::sdk(
                ops::PROJECT,
                json!({"name": name, "entity": entity}),
            ))
            .await?;
        Ok(at(&data, &["project"]).and_then(|p| project_info(p, entity)))
    }
}

fn project_info(node: &Value, entity: &str) -> Option<ProjectInfo> {
    Some(ProjectInfo {
        id: node.get("id")?.as_str()?.to_string(),
        entity: node
            .get("entityName")
            .and_then(Value::as_str)
            .unwrap_or(entity)
            .to_string(),
        name: node.get("name")?.as_str()?.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_trigger_keeps_the_text_w_and_b_sent() {
        let sent = r#"{ "id": "VHJpZ2dlcjox", "name": "quiet",  "enabled": true,
            "scope": {"__typename": "Project", "id": "P1", "name": "vision"},
            "event": {"eventType": "RUN_STATE", "filter": "{\"run_filter\":\"{\\\"$and\\\":[]}\",\"run_state_filter\":{\"states\":[\"FAILED\"]}}"},
            "action": {"__typename": "NoOpTriggeredAction", "noOp": true},
            "createdAt": "2026-01-01T00:00:00Z", "updatedAt": null }"#;
        let node = RawValue::from_string(sent.to_string()).unwrap();
        let Ok(saved) = WandbBackend::listed(node, "acme") else {
            panic!("the trigger is readable")
        };
        assert_eq!(saved.wire.as_deref(), Some(sent));
        assert_eq!(saved.automation.name, "quiet");
        assert!(saved.automation.is_editable(), "{:?}", saved.automation);
        assert_eq!(saved.automation.action, crate::model::Action::NoOp);
    }

    #[test]
    fn an_unreadable_trigger_says_why_and_keeps_its_name() {
        let sent = r#"{"id": "VHJpZ2dlcjoy", "name": "odd", "enabled": "yes"}"#;
        let node = RawValue::from_string(sent.to_string()).unwrap();
        let Err(u) = WandbBackend::listed(node, "acme") else {
            panic!("the trigger is not readable")
        };
        assert_eq!(
            (u.id.as_deref(), u.name.as_deref()),
            (Some("VHJpZ2dlcjoy"), Some("odd"))
        );
        assert!(u.reason.contains("cannot be read"), "{}", u.reason);
    }
}
