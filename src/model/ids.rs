//! W&B's global ids: base64 of `Type:...`, e.g. `VHJpZ2dlcjoxMDE=` is `Trigger:101`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Encodes a global id such as `Trigger:101`.
pub(crate) fn encode(raw: &str) -> String {
    STANDARD.encode(raw)
}

/// Decodes a global id; `None` if it is not base64 of UTF-8 text.
pub(crate) fn decode(id: &str) -> Option<String> {
    STANDARD
        .decode(id)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
}

/// Whether a command-line argument is an automation id (base64 of `Trigger:<digits>`).
pub(crate) fn is_trigger_id(arg: &str) -> bool {
    decode(arg)
        .and_then(|raw| {
            raw.strip_prefix("Trigger:")
                .map(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigger_ids_round_trip_and_names_are_not_ids() {
        assert_eq!(encode("Trigger:12345"), "VHJpZ2dlcjoxMjM0NQ==");
        assert!(is_trigger_id("VHJpZ2dlcjoxMjM0NQ=="));
        assert!(!is_trigger_id("loss-spike"));
        assert!(!is_trigger_id(&encode("Project:1")));
        assert!(!is_trigger_id(&encode("Trigger:")));
    }
}
