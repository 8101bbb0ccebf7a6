//! The GraphQL documents wbauto sends (wire spec section 2), with the SDK's fragment stripping.
//!
//! Two deliberate differences from the SDK: `scope` and `action` also select `__typename` (so an
//! unknown action type parses instead of breaking the page), and scope objects select their owner
//! (`entity { name }`, `project { name entity { name } }`) so a listing can name every scope.
//! `QueueJobActionFields` is always left out, as the SDK does; `EntityScopeFields` is kept only
//! when the server has `AUTOMATION_SCOPE_ENTITY`.

/// Operation name of the server-features query (sent with its name, like W&B's core does).
pub(crate) const SERVER_FEATURES_NAME: &str = "ServerFeaturesQuery";

/// `ServerFeaturesQuery` (2.11.1).
pub const SERVER_FEATURES: &str = "query ServerFeaturesQuery {\n  serverInfo {\n    features {\n      name\n      isEnabled\n    }\n  }\n}\n";

/// `GetDefaultEntity` (2.10.2).
pub const DEFAULT_ENTITY: &str =
    "query GetDefaultEntity {\n  viewer {\n    id\n    entity\n  }\n}\n";

/// `Viewer` (2.10.1), the teams part: the viewer's own entity and its teams.
pub const VIEWER_TEAMS: &str = "query Viewer {\n  viewer {\n    id\n    entity\n    teams {\n      edges {\n        node {\n          name\n        }\n      }\n    }\n  }\n}\n";

/// The `PageInfoFields` fragment the SDK pages with.
pub(crate) const PAGE_INFO: &str =
    "fragment PageInfoFields on PageInfo {\n  endCursor\n  hasNextPage\n}\n";

fn trigger_fragments(entity_scope: bool) -> String {
    let entity_spread = if entity_scope {
        "    ...EntityScopeFields\n"
    } else {
        ""
    };
    let entity_fragment = if entity_scope {
        "fragment EntityScopeFields on Entity {\n  __typename\n  id\n  name\n  entityType\n}\n\n"
    } else {
        ""
    };
    format!(
        "fragment ArtifactPortfolioScopeFields on ArtifactPortfolio {{\n  __typename\n  id\n  name\n  project {{\n    name\n    entity {{\n      name\n    }}\n  }}\n}}\n\n\
fragment ArtifactSequenceScopeFields on ArtifactSequence {{\n  __typename\n  id\n  name\n  project {{\n    name\n    entity {{\n      name\n    }}\n  }}\n}}\n\n\
{entity_fragment}\
fragment FilterEventFields on FilterEventTriggeringCondition {{\n  __typename\n  eventType\n  filter\n}}\n\n\
fragment GenericWebhookActionFields on GenericWebhookTriggeredAction {{\n  __typename\n  integration {{\n    ...WebhookIntegrationFields\n  }}\n  requestPayload\n}}\n\n\
fragment NoOpActionFields on NoOpTriggeredAction {{\n  __typename\n  noOp\n}}\n\n\
fragment NotificationActionFields on NotificationTriggeredAction {{\n  __typename\n  integration {{\n    ...SlackIntegrationFields\n  }}\n  title\n  message\n  severity\n}}\n\n\
fragment ProjectScopeFields on Project {{\n  __typename\n  id\n  name\n  entity {{\n    name\n  }}\n}}\n\n\
fragment SlackIntegrationFields on SlackIntegration {{\n  __typename\n  id\n  teamName\n  channelName\n}}\n\n\
fragment TriggerFields on Trigger {{\n  __typename\n  id\n  createdAt\n  updatedAt\n  name\n  description\n  enabled\n  scope {{\n    __typename\n    ...ProjectScopeFields\n    ...ArtifactPortfolioScopeFields\n    ...ArtifactSequenceScopeFields\n{entity_spread}  }}\n  event: triggeringCondition {{\n    ...FilterEventFields\n  }}\n  action: triggeredAction {{\n    __typename\n    ...NotificationActionFields\n    ...GenericWebhookActionFields\n    ...NoOpActionFields\n  }}\n}}\n\n\
fragment WebhookIntegrationFields on GenericWebhookIntegration {{\n  __typename\n  id\n  name\n  urlEndpoint\n}}\n"
    )
}

/// `GetEntityAutomations` (2.1): an entity's triggers, paginated.
pub fn entity_automations(entity_scope: bool) -> String {
    format!(
        "query GetEntityAutomations($entity: String!, $cursor: String, $perPage: Int, $order: String, $filters: JSONString) {{\n  scope: entity(name: $entity) {{\n    triggers(after: $cursor, first: $perPage, order: $order, filters: $filters) {{\n      pageInfo {{\n        ...PageInfoFields\n      }}\n      edges {{\n        node {{\n          ...TriggerFields\n        }}\n      }}\n    }}\n  }}\n}}\n\n{PAGE_INFO}\n{}",
        trigger_fragments(entity_scope)
    )
}

/// `GetEntityAutomationsLegacy` (2.3): walks an entity's projects, for servers before v0.83.0.
pub fn entity_automations_legacy(entity_scope: bool) -> String {
    format!(
        "query GetEntityAutomationsLegacy($entity: String!, $cursor: String, $perPage: Int) {{\n  scope: entity(name: $entity) {{\n    projects(after: $cursor, first: $perPage) {{\n      pageInfo {{\n        ...PageInfoFields\n      }}\n      edges {{\n        node {{\n          ...ProjectTriggersFields\n        }}\n      }}\n    }}\n  }}\n}}\n\n{PAGE_INFO}\nfragment ProjectTriggersFields on Project {{\n  __typename\n  triggers {{\n    ...TriggerFields\n  }}\n}}\n\n{}",
        trigger_fragments(entity_scope)
    )
}

/// `CreateAutomation` (2.5).
pub fn create_automation(entity_scope: bool) -> String {
    format!(
        "mutation CreateAutomation($input: CreateFilterTriggerInput!) {{\n  result: createFilterTrigger(input: $input) {{\n    trigger {{\n      ...TriggerFields\n    }}\n  }}\n}}\n\n{}",
        trigger_fragments(entity_scope)
    )
}

/// `UpdateAutomation` (2.6).
pub fn update_automation(entity_scope: bool) -> String {
    format!(
        "mutation UpdateAutomation($input: UpdateFilterTriggerInput!) {{\n  result: updateFilterTrigger(input: $input) {{\n    trigger {{\n      ...TriggerFields\n    }}\n  }}\n}}\n\n{}",
        trigger_fragments(entity_scope)
    )
}

/// `DeleteAutomation` (2.7).
pub const DELETE_AUTOMATION: &str = "mutation DeleteAutomation($id: ID!) {\n  result: deleteTrigger(input: {triggerID: $id}) {\n    success\n  }\n}\n";

/// `IntegrationsByEntity` (2.8).
pub const INTEGRATIONS_BY_ENTITY: &str = "query IntegrationsByEntity($entity: String!, $cursor: String, $perPage: Int) {\n  entity(name: $entity) {\n    integrations(after: $cursor, first: $perPage) {\n      pageInfo {\n        ...PageInfoFields\n      }\n      edges {\n        node {\n          __typename\n          ...SlackIntegrationFields\n          ...WebhookIntegrationFields\n        }\n      }\n    }\n  }\n}\n\nfragment PageInfoFields on PageInfo {\n  endCursor\n  hasNextPage\n}\n\nfragment SlackIntegrationFields on SlackIntegration {\n  __typename\n  id\n  teamName\n  channelName\n}\n\nfragment WebhookIntegrationFields on GenericWebhookIntegration {\n  __typename\n  id\n  name\n  urlEndpoint\n}\n";

/// `CreateGenericWebhookIntegration` (2.9).
pub const CREATE_WEBHOOK_INTEGRATION: &str = "mutation CreateGenericWebhookIntegration($input: CreateGenericWebhookIntegrationInput!) {\n  result: createGenericWebhookIntegration(input: $input) {\n    integration {\n      __typename\n      ...WebhookIntegrationFields\n    }\n  }\n}\n\nfragment WebhookIntegrationFields on GenericWebhookIntegration {\n  __typename\n  id\n  name\n  urlEndpoint\n}\n";

/// An entity's projects (2.10.4, with only the fields wbauto uses).
pub const PROJECTS: &str = "query GetProjects($entity: String, $cursor: String, $perPage: Int = 50) {\n  models(entityName: $entity, after: $cursor, first: $perPage) {\n    pageInfo {\n      endCursor\n      hasNextPage\n    }\n    edges {\n      node {\n        __typename\n        id\n        name\n        entityName\n      }\n    }\n  }\n}\n";

/// One project by name (2.10.5, with only the fields wbauto uses).
pub const PROJECT: &str = "query GetProject($name: String!, $entity: String!) {\n  project(name: $name, entityName: $entity) {\n    __typename\n    id\n    name\n    entityName\n  }\n}\n";

/// A project's artifact collections (2.10.6, with only the fields wbauto uses).
pub const PROJECT_COLLECTIONS: &str = "query ProjectArtifactCollections($entity: String!, $project: String!, $cursor: String, $perPage: Int) {\n  project(entityName: $entity, name: $project) {\n    artifactCollections(after: $cursor, first: $perPage) {\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n      edges {\n        node {\n          __typename\n          id\n          name\n          type: defaultArtifactType {\n            name\n          }\n        }\n      }\n    }\n  }\n}\n";

/// An entity by name: its id and kind (the fields of `EntityScopeFields`).
pub const ENTITY: &str = "query GetEntity($name: String!) {\n  entity(name: $name) {\n    __typename\n    id\n    name\n    entityType\n  }\n}\n";

/// The organisation of an entity (2.10.8): set for a team, a list for a personal entity.
pub const ORG_OF_ENTITY: &str = "query FetchOrgEntityFromEntity($entityName: String!) {\n  entity(name: $entityName) {\n    organization {\n      name\n      orgEntity {\n        name\n      }\n    }\n    user {\n      organizations {\n        name\n        orgEntity {\n          name\n        }\n      }\n    }\n  }\n}\n";

/// An organisation's registries (2.10.7, with only the fields wbauto uses).
pub const REGISTRIES: &str = "query FetchRegistries($organization: String!, $cursor: String, $perPage: Int) {\n  organization(name: $organization) {\n    orgEntity {\n      name\n      projects(after: $cursor, first: $perPage) {\n        pageInfo {\n          endCursor\n          hasNextPage\n        }\n        edges {\n          node {\n            __typename\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n}\n";

/// The operation name declared by a document (`query GetProjects(` → `GetProjects`).
pub fn operation_name(document: &str) -> Option<&str> {
    // The SDK's raw documents may start with a `#graphql` comment line.
    let mut text = document.trim_start();
    while let Some(comment) = text.strip_prefix('#') {
        text = comment
            .split_once('\n')
            .map_or("", |(_, rest)| rest)
            .trim_start();
    }
    let rest = text
        .strip_prefix("query ")
        .or_else(|| text.strip_prefix("mutation "))?;
    let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
    Some(&rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_job_fields_are_always_stripped_and_entity_scope_only_with_the_feature() {
        for doc in [
            entity_automations(false),
            create_automation(false),
            update_automation(false),
            entity_automations_legacy(false),
        ] {
            assert!(!doc.contains("QueueJob"));
            assert!(!doc.contains("EntityScopeFields"));
            assert!(doc.contains("action: triggeredAction {\n    __typename"));
        }
        let with = entity_automations(true);
        assert_eq!(
            with.matches("EntityScopeFields").count(),
            2,
            "one spread and one definition"
        );
        assert_eq!(operation_name(&with), Some("GetEntityAutomations"));
        assert_eq!(operation_name(DELETE_AUTOMATION), Some("DeleteAutomation"));
    }
}
