//! Where everything goes at one terminal size, computed once when the size changes: `update`
//! pages and clamps scrolling with it and the view paints into it, so a box's border is decided
//! here only (its text area is its area less one cell on every side).

/// Below this width or height the dashboard says the terminal is too small.
pub(crate) const MIN_WIDTH: u16 = 60;
/// See [`MIN_WIDTH`].
pub(crate) const MIN_HEIGHT: u16 = 15;
/// From this width on, the detail pane sits beside the list.
const SIDE_BY_SIDE: u16 = 100;
/// From this width on (and below [`SIDE_BY_SIDE`]), the detail pane sits below the list.
const STACKED: u16 = 80;
/// The width of the wizard's step rail.
const WIZARD_RAIL: u16 = 16;
/// The height of the wizard's "discard your answers?" box.
const DISCARD_ROWS: u16 = 7;
/// The widest the help box gets.
const HELP_WIDTH: u16 = 84;
/// The widest a toast gets.
const TOAST_WIDTH: u16 = 72;

/// A rectangle of the terminal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Area {
    pub(crate) x: u16,
    pub(crate) y: u16,
    pub(crate) width: u16,
    pub(crate) height: u16,
}

impl Area {
    /// Whether it shares a cell with `other`.
    fn overlaps(self, other: Area) -> bool {
        self.x < other.x + other.width
            && other.x < self.x + self.width
            && self.y < other.y + other.height
            && other.y < self.y + self.height
    }

    /// Inside a border: one cell less on every side.
    fn inner(self) -> Area {
        Area {
            x: self.x.saturating_add(1),
            y: self.y.saturating_add(1),
            width: self.width.saturating_sub(2),
            height: self.height.saturating_sub(2),
        }
    }

    /// The first `rows` rows, and the rest.
    fn split_top(self, rows: u16) -> (Area, Area) {
        let rows = rows.min(self.height);
        let top = Area {
            height: rows,
            ..self
        };
        let rest = Area {
            y: self.y + rows,
            height: self.height - rows,
            ..self
        };
        (top, rest)
    }

    /// The first `columns` columns, and the rest.
    fn split_left(self, columns: u16) -> (Area, Area) {
        let columns = columns.min(self.width);
        let left = Area {
            width: columns,
            ..self
        };
        let rest = Area {
            x: self.x + columns,
            width: self.width - columns,
            ..self
        };
        (left, rest)
    }

    /// A rectangle of at most `width` x `height`, centred in this one.
    pub(crate) fn centered(self, width: u16, height: u16) -> Area {
        let (w, h) = (width.min(self.width), height.min(self.height));
        Area {
            x: self.x + (self.width - w) / 2,
            y: self.y + (self.height - h) / 2,
            width: w,
            height: h,
        }
    }
}

/// A bordered box and the text area inside its border.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Boxed {
    pub(crate) outer: Area,
    pub(crate) text: Area,
}

impl Boxed {
    fn of(outer: Area) -> Self {
        Self {
            outer,
            text: outer.inner(),
        }
    }
}

/// How the list screen is divided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Arrangement {
    /// Too small to use.
    TooSmall,
    /// The list alone.
    ListOnly,
    /// The list above the detail pane.
    Stacked,
    /// The list beside the detail pane.
    SideBySide,
}

/// Every area of the dashboard at one terminal size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    pub(crate) width: u16,
    pub(crate) height: u16,
    pub(crate) arrangement: Arrangement,
    pub(crate) header: Area,
    pub(crate) body: Area,
    pub(crate) footer: Area,
    /// The automation list (its column titles, then its rows).
    pub(crate) list: Area,
    /// The detail pane beside or below the list, when there is room.
    pub(crate) pane: Option<Boxed>,
    /// The full detail's tab row.
    pub(crate) tabs: Area,
    /// The full detail's box under its tabs.
    pub(crate) detail: Boxed,
    /// A screen that is one box over the body (raw JSON, history, runs, integrations).
    pub(crate) screen: Boxed,
    /// The help box, centred.
    pub(crate) help: Boxed,
    /// The wizard's step rail.
    pub(crate) rail: Area,
    /// The wizard's step box.
    pub(crate) wizard: Boxed,
    /// The wizard's "discard your answers?" box, centred.
    pub(crate) discard: Boxed,
}

impl Layout {
    /// The layout of a `width` x `height` terminal.
    pub(crate) fn new(width: u16, height: u16) -> Self {
        let arrangement = if width < MIN_WIDTH || height < MIN_HEIGHT {
            Arrangement::TooSmall
        } else if width >= SIDE_BY_SIDE {
            Arrangement::SideBySide
        } else if width >= STACKED {
            Arrangement::Stacked
        } else {
            Arrangement::ListOnly
        };
        let all = Area {
            x: 0,
            y: 0,
            width,
            height,
        };
        let (header, rest) = all.split_top(1);
        let (body, footer) = rest.split_top(rest.height.saturating_sub(1));
        let (list, pane) = match arrangement {
            Arrangement::SideBySide => {
                let pane = (body.width * 36 / 100).clamp(36, 64).min(body.width);
                let (list, pane) = body.split_left(body.width - pane);
                (list, Some(Boxed::of(pane)))
            }
            Arrangement::Stacked => {
                let pane = (height.saturating_sub(2) / 3).clamp(6, 10).min(body.height);
                let (list, pane) = body.split_top(body.height - pane);
                (list, Some(Boxed::of(pane)))
            }
            _ => (body, None),
        };
        let (tabs, detail) = body.split_top(1);
        let (rail, wizard) = body.split_left(WIZARD_RAIL);
        // As wide as the terminal, it takes the whole body: a row of the screen left under it
        // would show that row's border as a second bottom edge.
        let help_height = if width <= HELP_WIDTH {
            body.height
        } else {
            body.height.saturating_sub(2)
        };
        let help = body.centered(width.min(HELP_WIDTH), help_height);
        Self {
            width,
            height,
            arrangement,
            header,
            body,
            footer,
            list,
            pane,
            tabs,
            detail: Boxed::of(detail),
            screen: Boxed::of(body),
            help: Boxed::of(help),
            rail,
            wizard: Boxed::of(wizard),
            discard: Boxed::of(body.centered(64, DISCARD_ROWS)),
        }
    }

    /// Where toasts go (their texts newest first): stacked up from the bottom right inside the
    /// body's edge, so a box under them keeps its border; each as wide as its text (at most
    /// [`TOAST_WIDTH`]) and as high as its text wrapped there. Those that do not fit, or would
    /// cover `front` (a box waiting for an answer), are left out until there is room.
    pub(crate) fn toasts<'a>(
        &self,
        texts: impl Iterator<Item = &'a str>,
        front: Option<Area>,
    ) -> Vec<Boxed> {
        let room = self.body.inner();
        let mut bottom = room.y + room.height;
        let mut out = Vec::new();
        for text in texts {
            let line = super::text::TextLine::plain(text);
            let wide = u16::try_from(line.width()).unwrap_or(u16::MAX);
            let width = wide.saturating_add(2).min(room.width).min(TOAST_WIDTH);
            let rows = line.rows(width.saturating_sub(2));
            let height = u16::try_from(rows).unwrap_or(u16::MAX).saturating_add(2);
            if bottom < room.y + height {
                break;
            }
            let area = Area {
                x: room.x + room.width - width,
                y: bottom - height,
                width,
                height,
            };
            if front.is_some_and(|f| f.overlaps(area)) {
                break;
            }
            bottom -= height;
            out.push(Boxed::of(area));
        }
        out
    }

    /// Whether the terminal is too small to show anything.
    pub(crate) fn too_small(&self) -> bool {
        self.arrangement == Arrangement::TooSmall
    }

    /// Rows of automations the list shows at once (under its column titles).
    pub(crate) fn list_rows(&self) -> usize {
        usize::from(self.list.height.saturating_sub(1)).max(1)
    }

    /// Rows a boxed table shows at once (under its column titles).
    pub(crate) fn table_rows(&self) -> usize {
        usize::from(self.screen.text.height.saturating_sub(1)).max(1)
    }
}
