//! The `${...}` variables the payload editor offers (the model's one list per event kind), and a
//! preview of a payload with their sample values.

use crate::model::EventKind;
pub use crate::model::variables::{Variable, for_event};

/// The payload with every known variable replaced by its sample value.
pub fn preview(payload: &str, kind: EventKind) -> String {
    for_event(kind).iter().fold(payload.to_string(), |text, v| {
        text.replace(&v.text(), v.sample)
    })
}
