//! Confirmation boxes: delete, toggle several, save an edited file.

use super::{boxed, buttons, centered, input_line};
use crate::app::ctx::Confirm;
use crate::app::diff::DiffLine;
use crate::app::modals::confirm::ConfirmModal;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

/// Draws a confirmation.
pub(crate) fn draw(modal: &ConfirmModal, theme: Theme, frame: &mut Frame, body: Rect) {
    let (what, yes) = (modal.what(), modal.yes());
    let list = |names: &[String]| {
        let mut lines: Vec<Line<'static>> = names
            .iter()
            .take(8)
            .map(|n| Line::raw(format!("  • {n}")))
            .collect();
        if names.len() > 8 {
            lines.push(Line::raw(format!("  … and {} more", names.len() - 8)));
        }
        lines
    };
    match what {
        Confirm::Delete { names, ids } => {
            let mut lines = vec![Line::styled(
                format!(
                    "Delete {} automation(s)? This cannot be undone on W&B once you quit.",
                    ids.len()
                ),
                theme.error(),
            )];
            lines.extend(list(names));
            lines.push(Line::raw(""));
            if ids.len() > 1 {
                lines.push(input_line(
                    theme,
                    &format!("type {} to confirm:", ids.len()),
                    modal.typed(),
                ));
                lines.push(Line::raw(""));
            }
            lines.push(buttons(theme, "Cancel", "Delete", yes));
            let height = lines.len() as u16 + 2;
            boxed(frame, theme, centered(body, 72, height), "delete", lines);
        }
        Confirm::Toggle { names, ids } => {
            let mut lines = vec![Line::raw(format!(
                "Enable or disable {} automations (each flips)?",
                ids.len()
            ))];
            lines.extend(list(names));
            lines.push(Line::raw(""));
            lines.push(buttons(theme, "Cancel", "Toggle", yes));
            let height = lines.len() as u16 + 2;
            boxed(frame, theme, centered(body, 64, height), "toggle", lines);
        }
        Confirm::TestFire { name, test, .. } => {
            let (intro, shown, sendable) = match &test.shown {
                Ok(lines) => (
                    format!("Send a test of {name}? This is the request:"),
                    lines.clone(),
                    true,
                ),
                Err(why) => (
                    format!("A test of {name} cannot be sent:"),
                    why.lines().map(str::to_string).collect(),
                    false,
                ),
            };
            let mut lines = vec![Line::raw(intro), Line::raw("")];
            let room = body.height.saturating_sub(7) as usize;
            lines.extend(shown.iter().take(room).map(|l| Line::raw(l.clone())));
            if shown.len() > room {
                lines.push(Line::styled(
                    format!("… {} more line(s)", shown.len() - room),
                    theme.dim(),
                ));
            }
            lines.push(Line::raw(""));
            lines.push(if sendable {
                buttons(theme, "Cancel", "Send", yes)
            } else {
                buttons(theme, "Close", "Close", yes)
            });
            let height = (lines.len() as u16 + 2).min(body.height);
            boxed(frame, theme, centered(body, 90, height), "test fire", lines);
        }
        Confirm::SaveEdit { after, diff, .. } => {
            let mut lines = vec![
                Line::raw(format!("Save these changes to {}?", after.name)),
                Line::raw(""),
            ];
            let changed: Vec<&DiffLine> = diff
                .iter()
                .filter(|d| !matches!(d, DiffLine::Same(_)))
                .collect();
            for d in changed.iter().take(body.height.saturating_sub(8) as usize) {
                lines.push(match d {
                    DiffLine::Added(l) => Line::styled(format!("+ {l}"), theme.added()),
                    DiffLine::Removed(l) => Line::styled(format!("- {l}"), theme.removed()),
                    DiffLine::Same(l) => Line::raw(format!("  {l}")),
                });
            }
            lines.push(Line::raw(""));
            lines.push(buttons(theme, "Cancel", "Save", yes));
            let height = (lines.len() as u16 + 2).min(body.height);
            boxed(
                frame,
                theme,
                centered(body, 90, height),
                "review edit",
                lines,
            );
        }
    }
}
