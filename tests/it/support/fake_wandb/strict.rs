//! Strictness like W&B's GraphQL server: unknown fields, arguments and variables are rejected.

use serde_json::{Map, Value};

/// Every field name the W&B schema offers on the types wbauto and the SDK query.
const FIELDS: &[&str] = &[
    "__typename",
    "serverInfo",
    "features",
    "name",
    "isEnabled",
    "viewer",
    "id",
    "entity",
    "username",
    "email",
    "flags",
    "teams",
    "scope",
    "triggers",
    "pageInfo",
    "endCursor",
    "hasNextPage",
    "edges",
    "node",
    "createdAt",
    "updatedAt",
    "description",
    "enabled",
    "triggeringCondition",
    "eventType",
    "filter",
    "triggeredAction",
    "integration",
    "requestPayload",
    "noOp",
    "title",
    "message",
    "severity",
    "teamName",
    "channelName",
    "urlEndpoint",
    "entityType",
    "project",
    "projects",
    "createFilterTrigger",
    "updateFilterTrigger",
    "deleteTrigger",
    "trigger",
    "success",
    "integrations",
    "createGenericWebhookIntegration",
    "models",
    "entityName",
    "artifactCollections",
    "defaultArtifactType",
    "queue",
    "template",
    "isBenchmark",
    "user",
    "organization",
    "orgEntity",
    "organizations",
    "internalId",
    "runCount",
    "readOnly",
    "runs",
    "cursor",
    "projectId",
    "tags",
    "displayName",
    "sweepName",
    "state",
    "group",
    "jobType",
    "commit",
    "heartbeatAt",
    "notes",
    "historyLineCount",
    "run",
    "config",
    "systemMetrics",
    "summaryMetrics",
    "historyKeys",
    "parquetHistory",
    "parquetUrls",
    "liveData",
    "sampledHistory",
    "triggerExecutions",
    "totalCount",
    "triggerID",
    "triggerName",
    "artifactCollection",
    "event",
    "data",
    "action",
    "actionType",
    "result",
    "resultType",
    "runName",
    "projectName",
    "metricName",
    "metricValues",
    "newRunState",
    "artifactMetadata",
    "artifactVersionIndex",
    "artifactCollectionName",
    "alias",
    "tag",
    "text",
    "titleURL",
    "runSpec",
    "priority",
    "error",
    "status",
    "statusCode",
    "body",
    "runQueueItemID",
];

/// Every argument name used on those fields.
const ARGUMENTS: &[&str] = &[
    "name",
    "entityName",
    "after",
    "first",
    "order",
    "filters",
    "input",
    "triggerID",
    "specs",
    "liveKeys",
    "id",
    "projectOnly",
];

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The operation's declared variables: name → required.
pub fn declared_variables(doc: &str) -> Vec<(String, bool)> {
    let Some(open) = doc.find('(') else {
        return Vec::new();
    };
    let brace = doc.find('{').unwrap_or(doc.len());
    if open > brace {
        return Vec::new();
    }
    let close = doc[open..].find(')').map_or(doc.len(), |i| open + i);
    doc[open + 1..close]
        .split('$')
        .skip(1)
        .filter_map(|d| {
            let (name, ty) = d.split_once(':')?;
            let ty = ty
                .split('=')
                .next()
                .unwrap_or_default()
                .trim()
                .trim_end_matches(',');
            Some((name.trim().to_string(), ty.ends_with('!')))
        })
        .collect()
}

/// Rejects selections of fields, and arguments, that W&B does not have.
pub fn check_document(doc: &str) -> Result<(), String> {
    let chars: Vec<char> = doc.chars().collect();
    let (mut braces, mut parens) = (0i32, 0i32);
    let mut i = 0;
    let mut previous = String::new();
    while i < chars.len() {
        let c = chars[i];
        match c {
            // Braces inside arguments are input object literals, not selections.
            '{' | '}' if parens > 0 => {}
            '{' => braces += 1,
            '}' => braces -= 1,
            '(' => parens += 1,
            ')' => parens -= 1,
            '"' => {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    i += 1;
                }
            }
            '.' => previous = "...".into(),
            '$' => {
                while i + 1 < chars.len() && is_ident(chars[i + 1]) {
                    i += 1;
                }
                previous = "$".into();
            }
            c if is_ident(c) => {
                let start = i;
                while i + 1 < chars.len() && is_ident(chars[i + 1]) {
                    i += 1;
                }
                let word: String = chars[start..=i].iter().collect();
                let next = chars[i + 1..].iter().find(|c| !c.is_whitespace()).copied();
                let in_selection = braces > 0 && parens == 0;
                if braces == 0 && parens > 0 {
                    // The operation's variable definitions: types and defaults.
                } else if parens > 0 && next == Some(':') {
                    if !ARGUMENTS.contains(&word.as_str()) {
                        return Err(format!("Unknown argument \"{word}\""));
                    }
                } else if in_selection
                    && previous != "..."
                    && previous != "on"
                    && word != "on"
                    && next != Some(':')
                    && !FIELDS.contains(&word.as_str())
                {
                    return Err(format!("Cannot query field \"{word}\""));
                }
                previous = if previous == "..." && word == "on" {
                    "on".into()
                } else {
                    word
                };
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// Rejects variables the document does not declare and missing required ones.
pub fn check_variables(doc: &str, vars: &Map<String, Value>) -> Result<(), String> {
    let declared = declared_variables(doc);
    if let Some(extra) = vars.keys().find(|k| !declared.iter().any(|(d, _)| d == *k)) {
        return Err(format!(
            "Variable \"${extra}\" is not defined by the operation"
        ));
    }
    for (name, required) in declared {
        if required && vars.get(&name).is_none_or(Value::is_null) {
            return Err(format!(
                "Variable \"${name}\" of required type was not provided"
            ));
        }
    }
    Ok(())
}

/// Rejects keys of an input object that are not in `allowed`, and missing `required` ones.
pub fn check_input(
    input: &Value,
    what: &str,
    allowed: &[&str],
    required: &[&str],
) -> Result<(), String> {
    let obj = input
        .as_object()
        .ok_or_else(|| format!("{what} must be an object"))?;
    if let Some(k) = obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(format!("Field \"{k}\" is not defined by type \"{what}\""));
    }
    if let Some(k) = required
        .iter()
        .find(|k| obj.get(**k).is_none_or(Value::is_null))
    {
        return Err(format!(
            "Field \"{what}.{k}\" of required type was not provided"
        ));
    }
    Ok(())
}

#[test]
fn the_checker_accepts_wbauto_documents_and_catches_typos() {
    use wbauto::wire::ops;
    for doc in [
        ops::entity_automations(true),
        ops::entity_automations_legacy(false),
        ops::create_automation(true),
        ops::update_automation(false),
        ops::DELETE_AUTOMATION.to_string(),
        ops::INTEGRATIONS_BY_ENTITY.to_string(),
        ops::CREATE_WEBHOOK_INTEGRATION.to_string(),
        ops::PROJECTS.to_string(),
        ops::PROJECT.to_string(),
        ops::PROJECT_COLLECTIONS.to_string(),
        ops::ENTITY.to_string(),
        ops::SERVER_FEATURES.to_string(),
        ops::DEFAULT_ENTITY.to_string(),
        ops::VIEWER_TEAMS.to_string(),
        ops::ORG_OF_ENTITY.to_string(),
        ops::REGISTRIES.to_string(),
        wbauto::wire::history::AUTOMATION_HISTORY.to_string(),
        wbauto::wire::history::PROJECT_HISTORY.to_string(),
        wbauto::wire::history::COLLECTION_HISTORY.to_string(),
    ] {
        check_document(&doc).unwrap_or_else(|e| panic!("{e} in\n{doc}"));
    }
    assert!(
        check_document("query X { viewer { idd } }")
            .unwrap_err()
            .contains("idd")
    );
    assert!(
        check_document("query X { entity(nmae: \"a\") { id } }")
            .unwrap_err()
            .contains("nmae")
    );
    assert_eq!(declared_variables(&ops::entity_automations(false)).len(), 5);
}
