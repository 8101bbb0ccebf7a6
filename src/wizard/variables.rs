//! The `${...}` variables a webhook payload can use (wire spec 6.1), and a preview with samples.

use crate::model::EventKind;

/// A payload variable: its text, what it means and a sample value for previews.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Variable {
    /// As written in the payload, e.g. `${event_type}`.
    pub text: &'static str,
    /// What W&B puts there.
    pub(crate) meaning: &'static str,
    /// A sample value.
    pub(crate) sample: &'static str,
}

const ALL_EVENTS: [Variable; 4] = [
    Variable {
        text: "${project_name}",
        meaning: "the project of the change",
        sample: "vision",
    },
    Variable {
        text: "${entity_name}",
        meaning: "the entity (team) of the change",
        sample: "acme",
    },
    Variable {
        text: "${event_type}",
        meaning: "the event that fired",
        sample: "ADD_ARTIFACT_ALIAS",
    },
    Variable {
        text: "${event_author}",
        meaning: "the user who caused it",
        sample: "ada",
    },
];

const ARTIFACT_EVENTS: [Variable; 4] = [
    Variable {
        text: "${artifact_collection_name}",
        meaning: "the collection the version is in",
        sample: "resnet-weights",
    },
    Variable {
        text: "${artifact_version}",
        meaning: "the wandb.Artifact of the version",
        sample: "wandb-artifact://_id/QXJ0aWZhY3Q6NTE3ODg5ODg3",
    },
    Variable {
        text: "${artifact_version_string}",
        meaning: "entity/project/name:alias of the version",
        sample: "acme/vision/resnet-weights:v12",
    },
    Variable {
        text: "${artifact_metadata.KEY}",
        meaning: "a top-level metadata value of the version",
        sample: "0.93",
    },
];

/// The variables valid for an event kind (run events have only the four general ones).
pub fn for_event(kind: EventKind) -> Vec<Variable> {
    let mut out = ALL_EVENTS.to_vec();
    if let EventKind::Artifact(a) = kind {
        out.extend(ARTIFACT_EVENTS);
        use crate::model::ArtifactEvent as A;
        match a {
            A::AddAlias => out.push(Variable {
                text: "${alias}",
                meaning: "the alias that was added",
                sample: "prod",
            }),
            A::AddTag | A::AddCollectionTag => out.push(Variable {
                text: "${tag}",
                meaning: "the tag that was added",
                sample: "gold",
            }),
            _ => {}
        }
    }
    out
}

/// The payload with every known variable replaced by its sample value.
pub fn preview(payload: &str, kind: EventKind) -> String {
    for_event(kind).iter().fold(payload.to_string(), |text, v| {
        text.replace(v.text, v.sample)
    })
}
