//! A wizard in progress, kept so that a crash, a dropped SSH session or closing the wizard loses
//! nothing: the answers as typed (invalid ones too) and the step.

use super::{Answers, Step};
use serde::{Deserialize, Serialize};

/// A saved wizard in progress.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// The step the user was on.
    pub step: Step,
    /// The answers as typed.
    pub answers: Answers,
    /// When it was saved (Unix seconds).
    pub(crate) saved_at: i64,
}

impl Draft {
    /// The draft as JSON text.
    pub(crate) fn to_text(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a draft; the error says why it cannot be used.
    pub fn from_text(text: &str) -> Result<Draft, String> {
        serde_json::from_str(text)
            .map_err(|e| format!("the saved wizard draft cannot be read ({e}); it was set aside"))
    }

    /// A short label for the resume option.
    pub(crate) fn label(&self) -> String {
        let name = if self.answers.name.trim().is_empty() {
            "unnamed".to_string()
        } else {
            self.answers.name.clone()
        };
        format!("Resume the draft: {name} (at {})", self.step.title())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_round_trip_with_invalid_text_and_kept_filters() {
        let mut answers = Answers::blank("acme");
        answers.threshold = "not a number yet".into();
        answers.kept_filter = Some(crate::model::Expr::field(
            "tag",
            "$in",
            serde_json::json!(["a", "b"]),
        ));
        answers.states.insert(crate::model::RunState::Failed);
        let draft = Draft {
            step: Step::Condition,
            answers,
            saved_at: 7,
        };
        assert_eq!(Draft::from_text(&draft.to_text()).unwrap(), draft);
        assert!(
            Draft::from_text("{")
                .unwrap_err()
                .contains("cannot be read")
        );
    }
}
