//! The switch box: the backends on offer and the entity typed.

use super::{boxed, centered, input_line};
use crate::app::State;
use crate::app::modals::switch::SwitchModal;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

/// Paints the switch box.
pub(crate) fn draw(
    state: &State,
    modal: &SwitchModal,
    theme: Theme,
    frame: &mut Frame,
    body: Rect,
) {
    let mut lines = vec![Line::styled(modal.hint().to_string(), theme.dim())];
    for (i, choice) in state.session().choices().enumerate() {
        let (glyph, style) = if i == modal.backend() {
            ("▶ ", theme.selected())
        } else {
            ("  ", theme.dim())
        };
        lines.push(Line::styled(format!("{glyph}{choice}"), style));
    }
    lines.push(Line::raw(""));
    lines.push(input_line(theme, "entity:", modal.input()));
    let known = match state.session().entities() {
        Some((b, Ok(names))) if *b == modal.backend() && !names.is_empty() => known_line(names),
        Some((b, Err(e))) if *b == modal.backend() => format!("cannot list the entities: {e}"),
        Some((b, _)) if *b == modal.backend() => "no entities known".to_string(),
        _ => "known: …".to_string(),
    };
    lines.push(Line::styled(known, theme.dim()));
    let height = lines.len() as u16 + 2;
    boxed(frame, theme, centered(body, 70, height), "switch", lines);
}

/// "known: a, b, c", as many names as fit the box, then how many more.
fn known_line(names: &[String]) -> String {
    const ROOM: usize = 66;
    let mut line = String::from("known:");
    for (i, name) in names.iter().enumerate() {
        let more = names.len() - i;
        let tail = if more > 1 {
            format!(" +{} more", more - 1)
        } else {
            String::new()
        };
        if line.chars().count() + name.chars().count() + 2 + tail.chars().count() > ROOM {
            return format!("{line} +{more} more");
        }
        line.push_str(if i == 0 { " " } else { ", " });
        line.push_str(name);
    }
    line
}
