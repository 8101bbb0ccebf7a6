//! Screen arrangement by terminal size, shared by `update` (paging) and the renderer.

/// Below this width or height the dashboard says the terminal is too small.
pub const MIN_WIDTH: u16 = 60;
/// See [`MIN_WIDTH`].
pub const MIN_HEIGHT: u16 = 15;
/// From this width on, the detail pane sits beside the list.
pub const SIDE_BY_SIDE: u16 = 100;
/// From this width on (and below [`SIDE_BY_SIDE`]), the detail pane sits below the list.
pub const STACKED: u16 = 80;

/// How the main screen is divided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrangement {
    /// Too small to use.
    TooSmall,
    /// The list alone.
    ListOnly,
    /// The list above a detail pane of this height.
    Stacked(u16),
    /// The list beside a detail pane.
    SideBySide,
}

/// The arrangement for a terminal size.
pub fn arrangement(width: u16, height: u16) -> Arrangement {
    if width < MIN_WIDTH || height < MIN_HEIGHT {
        Arrangement::TooSmall
    } else if width >= SIDE_BY_SIDE {
        Arrangement::SideBySide
    } else if width >= STACKED {
        Arrangement::Stacked((height.saturating_sub(2) / 3).clamp(6, 10))
    } else {
        Arrangement::ListOnly
    }
}

/// Data rows the list shows at once: the body (minus header and footer), minus the detail pane
/// when stacked, minus the column titles.
pub fn list_rows(width: u16, height: u16) -> usize {
    let body = height.saturating_sub(2);
    let list = match arrangement(width, height) {
        Arrangement::Stacked(detail) => body.saturating_sub(detail),
        _ => body,
    };
    list.saturating_sub(1) as usize
}

/// The body's height: the screen less the header and footer rows.
fn body_height(height: u16) -> u16 {
    height.saturating_sub(2)
}

/// The text area of the full detail (inside its box, under the tab row): width, height.
pub fn detail_text(width: u16, height: u16) -> (u16, u16) {
    (
        width.saturating_sub(2),
        body_height(height).saturating_sub(3),
    )
}

/// The text area of the raw view: width, height.
pub fn raw_text(width: u16, height: u16) -> (u16, u16) {
    (
        width.saturating_sub(2),
        body_height(height).saturating_sub(2),
    )
}

/// The help box's size in the body: at most 84 wide, two rows shorter than the body.
pub fn help_box(width: u16, height: u16) -> (u16, u16) {
    let body = body_height(height);
    (width.min(84), body.saturating_sub(2).min(body))
}

/// The text area of the help box: width, height.
pub fn help_text(width: u16, height: u16) -> (u16, u16) {
    let (w, h) = help_box(width, height);
    (w.saturating_sub(2), h.saturating_sub(2))
}

/// The width of the wizard's step rail.
pub const WIZARD_RAIL: u16 = 16;

/// The text area of the wizard's step box: width, height.
pub fn wizard_text(width: u16, height: u16) -> (u16, u16) {
    (
        width.saturating_sub(WIZARD_RAIL + 2),
        body_height(height).saturating_sub(2),
    )
}

/// "12s", "5m", "3h", "4d", "2mo", "1y" since `then` (Unix seconds); "-" when unknown.
pub fn ago(now: i64, then: i64) -> String {
    if then <= 0 {
        return "-".into();
    }
    let s = (now - then).max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h", s / 3600),
        86_400..2_592_000 => format!("{}d", s / 86_400),
        2_592_000..31_536_000 => format!("{}mo", s / 2_592_000),
        _ => format!("{}y", s / 31_536_000),
    }
}
