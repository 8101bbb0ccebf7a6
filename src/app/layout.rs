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
