//! Comparing what wbauto sent with what the `wandb` SDK sends (tests/fixtures/sdk_inputs.json).

use serde_json::Value;
use wbauto::model::Automation;

/// The recorded SDK inputs, by `file#index` (templates as `templates/file#0`).
pub fn oracle() -> Value {
    serde_json::from_str(include_str!("../../fixtures/sdk_inputs.json"))
        .expect("the SDK fixture is JSON")
}

/// An input with its JSON-in-JSON strings parsed, so that inputs compare by meaning.
pub fn normalized(input: &Value) -> Value {
    let mut v = input.clone();
    let parse = |s: &Value| {
        serde_json::from_str::<Value>(s.as_str().unwrap_or("null")).unwrap_or(Value::Null)
    };
    let mut filter = parse(&v["eventFilter"]);
    if filter.get("run_filter").is_some() {
        filter["run_filter"] = parse(&filter["run_filter"]);
    }
    v["eventFilter"] = filter;
    if let Some(config) = v["triggeredActionConfig"].get_mut("genericWebhookActionInput")
        && config.get("requestPayload").is_some()
    {
        config["requestPayload"] = parse(&config["requestPayload"]);
    }
    v
}

/// A sent input with the ids replaced by the oracle's placeholders for `automation`.
pub fn with_placeholders(input: &Value, automation: &Automation) -> Value {
    let mut input = input.clone();
    let path = &automation.scope.path;
    input["scopeID"] = format!("SCOPE:{}:{}", path.kind().file_key(), path.path()).into();
    if let (Some(config), Some(i)) = (
        input["triggeredActionConfig"]
            .as_object_mut()
            .and_then(|c| c.values_mut().next()),
        automation.action.integration(),
    ) {
        config["integrationID"] = format!(
            "INTEGRATION:{}",
            i.label.rsplit('/').next().unwrap_or(&i.label)
        )
        .into();
    }
    input
}
