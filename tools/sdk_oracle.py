"""Records what the official `wandb` SDK sends for wbauto's example automation files.

The SDK is the oracle for wbauto's wire encoding: this script translates each automation of
examples/automations/ and of tests/fixtures/templates/ (the wizard's start templates) into
`wandb.automations` objects (with placeholder ids) and writes the
`CreateFilterTriggerInput` the SDK builds for it to tests/fixtures/sdk_inputs.json. The Rust test
`tests/sdk_equivalence.rs` checks that wbauto sends the same input, so CI never needs the SDK.

Run it from the repository root with the SDK installed (outside the repository):

    python3 -m venv /tmp/sdk && /tmp/sdk/bin/pip install wandb pyyaml
    /tmp/sdk/bin/python tools/sdk_oracle.py

Placeholders: scope ids are "SCOPE:<kind>:<path>", integration ids "INTEGRATION:<label>".
"""

import json
import pathlib
import sys

import yaml
import wandb
from wandb.automations import (
    DoNothing,
    OnAddArtifactAlias,
    OnAddArtifactTag,
    OnAddCollectionTag,
    OnCreateArtifact,
    OnLinkArtifact,
    OnRemoveArtifactTag,
    OnRemoveCollectionTag,
    OnRunMetric,
    OnRunState,
    OnUnlinkArtifact,
    SendNotification,
    SendWebhook,
)
from wandb.automations._inputs import prepare_to_create
from wandb.automations.scopes import OrgScope, ProjectScope, RegistryScope, TeamScope, _ArtifactSequenceScope

ROOT = pathlib.Path(__file__).resolve().parent.parent
AGG = {"avg": "AVERAGE", "min": "MIN", "max": "MAX"}
CMP = {">": "$gt", ">=": "$gte", "<": "$lt", "<=": "$lte"}
ARTIFACT_EVENTS = {
    "create_artifact": OnCreateArtifact,
    "link_artifact": OnLinkArtifact,
    "unlink_artifact": OnUnlinkArtifact,
    "add_artifact_alias": OnAddArtifactAlias,
    "add_artifact_tag": OnAddArtifactTag,
    "remove_artifact_tag": OnRemoveArtifactTag,
    "add_collection_tag": OnAddCollectionTag,
    "remove_collection_tag": OnRemoveCollectionTag,
}


def scope_of(spec):
    ((kind, path),) = spec.items()
    parts = path.split("/")
    sid = f"SCOPE:{kind}:{path}"
    if kind == "project":
        return ProjectScope.model_validate({"__typename": "Project", "id": sid, "name": parts[1]})
    if kind == "registry":
        return RegistryScope.model_validate({"__typename": "Project", "id": sid, "full_name": "wandb-registry-" + parts[1]})
    if kind == "collection":
        return _ArtifactSequenceScope.model_validate({"__typename": "ArtifactSequence", "id": sid, "name": parts[2]})
    if kind == "team":
        return TeamScope.model_validate({"__typename": "Entity", "id": sid, "name": path, "entityType": "team"})
    return OrgScope.model_validate({"__typename": "Entity", "id": sid, "name": path, "entityType": "organization"})


def put(target, key, source, name, convert=lambda v: v):
    if name in source and source[name] is not None:
        target[key] = convert(source[name])


def metric_filter(ev):
    inner = {"name": ev["metric"]}
    t = ev["type"]
    if t == "run_metric_threshold":
        put(inner, "agg_op", ev, "agg", AGG.get)
        put(inner, "window_size", ev, "window")
        inner["cmp_op"] = CMP[ev["cmp"]]
        inner["threshold"] = ev["threshold"]
        return {"threshold_filter": inner}
    if t == "run_metric_change":
        put(inner, "agg_op", ev, "agg", AGG.get)
        put(inner, "current_window_size", ev, "window")
        put(inner, "prior_window_size", ev, "prior_window")
        inner["change_type"] = ev["change"].upper()
        inner["change_dir"] = ev["direction"].upper()
        inner["change_amount"] = ev["amount"]
        return {"change_filter": inner}
    put(inner, "window_size", ev, "window")
    put(inner, "threshold", ev, "threshold")
    put(inner, "change_dir", ev, "direction", str.upper)
    return {"zscore_filter": inner}


def event_of(ev, scope):
    t = ev["type"]
    if t.startswith("run_metric"):
        f = {"run_metric_filter": metric_filter(ev)}
        put(f, "run_filter", ev, "run_filter")
        return OnRunMetric(scope=scope, filter=f)
    if t == "run_state":
        # wbauto reads "crashed" as failed; the SDK has no such string.
        states = ["failed" if s.lower() == "crashed" else s for s in ev["states"]]
        f = {"run_state_filter": {"states": states}}
        put(f, "run_filter", ev, "run_filter")
        return OnRunState(scope=scope, filter=f)
    kwargs = {"scope": scope}
    put(kwargs, "filter", ev, "filter")
    return ARTIFACT_EVENTS[t](**kwargs)


def integration_id(ref):
    label = ref.split("/", 1)[1] if "/" in ref else ref
    return f"INTEGRATION:{label}"


def action_of(ac):
    if ac["type"] == "slack":
        kwargs = {"integration_id": integration_id(ac["integration"])}
        for k in ("title", "message", "severity"):
            put(kwargs, k, ac, k)
        return SendNotification(**kwargs)
    if ac["type"] == "webhook":
        kwargs = {"integration_id": integration_id(ac["integration"])}
        put(kwargs, "request_payload", ac, "payload")
        return SendWebhook(**kwargs)
    return DoNothing()


def sdk_input(a):
    event = event_of(a["event"], scope_of(a["scope"]))
    kwargs = {"name": a["name"]}
    put(kwargs, "description", a, "description")
    put(kwargs, "enabled", a, "enabled")
    return prepare_to_create(event >> action_of(a["action"]), **kwargs).model_dump()


# Events only wbauto's local engine fires; the SDK cannot express them.
LOCAL_ONLY = {"run_stalled", "run_metric_nonfinite"}


def main():
    out = {"sdk_version": wandb.__version__, "inputs": {}}
    sources = [("", ROOT / "examples" / "automations"), ("templates/", ROOT / "tests" / "fixtures" / "templates")]
    for prefix, folder in sources:
        for path in sorted(folder.iterdir()):
            doc = json.loads(path.read_text()) if path.suffix == ".json" else yaml.safe_load(path.read_text())
            for i, a in enumerate(doc if isinstance(doc, list) else [doc]):
                if a["event"]["type"] in LOCAL_ONLY:
                    continue  # no wandb.automations equivalent: W&B has no such event
                out["inputs"][f"{prefix}{path.name}#{i}"] = sdk_input(a)
    target = ROOT / "tests" / "fixtures" / "sdk_inputs.json"
    target.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {len(out['inputs'])} inputs from wandb {wandb.__version__} to {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
