//! Confirmation boxes: delete, toggle several, save an edited file.

use super::{boxed, buttons, input_line};
use crate::app::modals::confirm::{Confirm, ConfirmModal, DiffLine};
use crate::ui::centered;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

/// Draws a confirmation.
pub fn draw(modal: &ConfirmModal, theme: Theme, frame: &mut Frame, body: Rect) {
    let (what, yes) = (&modal.what, modal.yes);
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
        Confirm::Delete { names, typed, ids } => {
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
                    typed,
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
