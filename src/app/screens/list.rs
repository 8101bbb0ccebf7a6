//! The list screen: the automations as a table (moving, filtering, sorting, marking) with the
//! detail pane of the selected one, and the commands on the selected or marked rows.

use super::{Open, Page, openers};
use crate::app::ctx::{Ctx, Intent, WizardStart};
use crate::app::describe::overview;
use crate::app::fired::status_glyph;
use crate::app::global::Global;
use crate::app::input::{Move, edit_line};
use crate::app::keys::{Group, Input, Mode, Row, commands, defs, row};
use crate::app::modes::Bound;
use crate::app::rows::{self, RowMsg};
use crate::app::state::ToastKind;
use crate::app::store::list::{AutomationList, Loading};
use crate::app::store::selection::Selection;
use crate::app::store::writes::Writes;
use crate::app::table::{Column, LEAD, Rows, TableRow, cell, fill, fixed};
use crate::app::text::{Doc, TextLine, Tone, ago, spinner};
use crossterm::event::KeyEvent;

/// The list's mode.
pub(crate) const MODE: Mode = Mode::new("list", "list", Input::Keys, Group::Screen);
/// Typing the filter.
pub(crate) const FILTER: Mode = Mode::new(
    "filter",
    "typing a filter",
    Input::Line {
        typing: "to filter (event: scope: action: on: off:)",
        moving: Some("move"),
    },
    Group::Typing,
);

commands! {
    FILTER_KEY: "filter" ["/"] footer reads "filter" "filter (event: scope: action: on: off:)";
    SORT: "sort" ["s"] listed reads "sort" "sort by the next column";
    SORT_REVERSE: "sort_reverse" ["S"] listed reads "reverse" "reverse the sort";
    MARK: "mark" ["space"] listed reads "mark" "mark the row and move down";
    RANGE_MARK: "range_mark" ["v"] listed reads "range" "start / end a range of marks";
    SWITCH: "switch" ["@"] listed reads "switch" "switch entity or backend";
    KEEP_FILTER: "keep_filter" ["enter"] footer reads "keep filter" "keep the filter typed";
    RESTORE_FILTER: "restore_filter" ["esc"] footer reads "restore" "put the filter back as it was";
}

/// What the list is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListMsg {
    /// A movement of the highlight or the text (line, ends, page, half page).
    Move(Move),
    /// Open the highlighted row.
    Open,
    /// Clear the marks, else the filter, else quit.
    Back,
    /// Start typing the filter.
    Filter,
    /// Sort by the next column.
    Sort,
    /// Reverse the sort.
    SortReverse,
    /// Mark the row and move down.
    Mark,
    /// Start or finish a range of marks.
    RangeMark,
    /// A command on the selected or marked automations.
    Row(RowMsg),
    /// Keep the filter typed.
    KeepFilter,
    /// Put the filter back as it was.
    RestoreFilter,
}

/// The list screen: the filter being typed and the detail pane's text.
#[derive(Debug, Default)]
pub struct ListScreen {
    /// While the filter is typed: the text to restore on Esc.
    restore: Option<String>,
    pane: Doc,
    pane_for: Option<(String, Option<String>, bool, i64)>,
    empty: String,
}

impl ListScreen {
    /// Whether the filter is being typed.
    pub fn editing_filter(&self) -> bool {
        self.restore.is_some()
    }

    /// The detail pane's text for the selection.
    pub(crate) fn pane(&self) -> &Doc {
        &self.pane
    }

    /// What the list says when it shows no row (loading, failed, empty, nothing matches).
    pub(crate) fn empty(&self) -> &str {
        &self.empty
    }
}

impl Page for ListScreen {
    type Msg = ListMsg;
    type Open = ();
    const MODE: Mode = MODE;

    fn keys() -> Vec<(Mode, Vec<Row<Bound>>)> {
        let mut list = defs::moves(ListMsg::Move);
        list.extend([
            row(&defs::OPEN, ListMsg::Open),
            rows::keys(ListMsg::Row, &[RowMsg::Toggle]).remove(0),
            row(&FILTER_KEY, ListMsg::Filter),
            row(&SORT, ListMsg::Sort),
            row(&SORT_REVERSE, ListMsg::SortReverse),
            row(&MARK, ListMsg::Mark),
            row(&RANGE_MARK, ListMsg::RangeMark),
            row(&defs::NEW, Global::Open(Open::Wizard(WizardStart::New))),
        ]);
        list.extend(rows::keys(ListMsg::Row, &RowMsg::ALL[1..9]));
        list.extend(openers());
        list.extend(rows::keys(ListMsg::Row, &[RowMsg::TestFire]));
        list.extend([
            row(&SWITCH, Global::Switch),
            row(&defs::REFRESH, Global::Refresh),
            row(&defs::PAUSE, Global::PauseRefresh),
            row(&defs::HELP, Global::Help),
            row(&defs::PALETTE, Global::Palette),
            row(&defs::BACK, ListMsg::Back).labelled("quit"),
        ]);
        let mut filter = defs::up_down(ListMsg::Move);
        filter.extend([
            row(&KEEP_FILTER, ListMsg::KeepFilter),
            row(&RESTORE_FILTER, ListMsg::RestoreFilter),
        ]);
        vec![(MODE, list), (FILTER, filter)]
    }

    fn open(_: (), _: &mut Ctx) -> Option<Self> {
        Some(Self::default())
    }

    fn mode(&self) -> Mode {
        if self.editing_filter() { FILTER } else { MODE }
    }

    fn update(&mut self, msg: ListMsg, ctx: &mut Ctx) -> bool {
        let rows = ctx.layout.list_rows();
        match msg {
            ListMsg::Move(by) => ctx.selection.go(by, ctx.list, rows),
            ListMsg::Open if ctx.selected_item().is_some() => ctx.open(Open::Detail(None)),
            ListMsg::Open => {}
            ListMsg::Back => {
                if ctx.selection.range_from().is_some() || !ctx.selection.marks().is_empty() {
                    ctx.selection.clear_marks();
                } else if !ctx.list.filter().is_empty() {
                    ctx.change_list(|list| list.set_filter(""));
                } else {
                    ctx.intend(Intent::Quit);
                }
            }
            ListMsg::Filter => self.restore = Some(ctx.list.filter().to_string()),
            ListMsg::Sort => {
                let next = ctx.list.sort().next();
                ctx.change_list(|list| list.set_sort(next, false));
            }
            ListMsg::SortReverse => {
                let (sort, reverse) = (ctx.list.sort(), !ctx.list.reverse());
                ctx.change_list(|list| list.set_sort(sort, reverse));
            }
            ListMsg::Mark => {
                if let Some(id) = ctx.selected_id() {
                    ctx.selection.toggle_mark(&id);
                    ctx.selection.go(Move::Down, ctx.list, rows);
                }
            }
            ListMsg::RangeMark => match ctx.selection.toggle_range() {
                None => {
                    let key = ctx.keymap.key(&RANGE_MARK, MODE);
                    ctx.toast(
                        ToastKind::Info,
                        format!("range starts here: move, then {key} again"),
                    );
                }
                Some(from) => {
                    let at = ctx.selection.selected();
                    let ids = ctx.list.ids_between(from.min(at), from.max(at));
                    ctx.selection.mark_all(ids);
                }
            },
            ListMsg::Row(msg) => rows::update(msg, ctx),
            ListMsg::KeepFilter => self.restore = None,
            ListMsg::RestoreFilter => {
                let restore = self.restore.take().unwrap_or_default();
                ctx.change_list(|list| list.set_filter(&restore));
            }
        }
        true
    }

    fn on_text(&mut self, key: &KeyEvent, ctx: &mut Ctx) {
        if !self.editing_filter() {
            return;
        }
        let mut text = ctx.list.filter().to_string();
        if edit_line(&mut text, key) {
            ctx.change_list(|list| list.set_filter(&text));
        }
    }

    fn prepare(&mut self, ctx: &mut Ctx) {
        let key = ctx.selected_item().map(|item| {
            let a = &item.saved.automation;
            (
                item.id().to_string(),
                a.updated_at.clone(),
                a.enabled,
                ctx.now,
            )
        });
        if self.pane_for != key || self.pane.lines.is_empty() {
            self.pane = match ctx.selected_item() {
                Some(item) => Doc::prose(overview(ctx.now, item, false)),
                None => Doc::prose(vec![TextLine::toned(Tone::Dim, "nothing selected")]),
            };
            self.pane_for = key;
        }
        self.empty = if ctx.list.view_len() == 0 {
            empty_text(ctx)
        } else {
            String::new()
        };
    }
}

/// What the list says when it shows no row, naming the keys of the key table in force.
fn empty_text(ctx: &Ctx) -> String {
    let key = |def| ctx.keymap.key(def, MODE);
    match (ctx.list.loading(), ctx.list.is_empty()) {
        (Loading::Loading, _) if !ctx.session.connected() => format!(
            "{} connecting to {}…\n{} quits at any time",
            spinner(ctx.frame),
            ctx.session.backend_label(),
            key(&defs::BACK)
        ),
        (Loading::Loading, _) => format!(
            "{} loading the automations of {}…",
            spinner(ctx.frame),
            ctx.entity()
        ),
        (Loading::Failed(e), true) => format!(
            "could not load the automations of {}:\n{e}\n\n{} tries again; {} switches entity or backend",
            ctx.entity(),
            key(&defs::REFRESH),
            key(&SWITCH)
        ),
        (_, true) => format!("{} has no automations yet.", ctx.entity()),
        (_, false) => format!(
            "nothing matches /{}\n{} clears the filter",
            ctx.list.filter(),
            ctx.keymap
                .keys_in(&defs::BACK, MODE)
                .last()
                .map(ToString::to_string)
                .unwrap_or_default()
        ),
    }
}

/// The list's columns at a width: every one from 64 columns on (the list beside the detail
/// pane at 100 columns; the last real firing's when anything fired), else name, event and
/// action.
pub(crate) fn columns(width: u16, shows_last: bool) -> &'static [Column] {
    const WIDE: [Column; 7] = [
        LEAD,
        fill("NAME", 3),
        fill("EVENT", 3),
        fill("SCOPE", 3),
        fill("ACTION", 2),
        fixed("LAST", 6),
        fixed("UPD", 4),
    ];
    const WIDE_NO_LAST: [Column; 6] = [
        LEAD,
        fill("NAME", 3),
        fill("EVENT", 3),
        fill("SCOPE", 3),
        fill("ACTION", 2),
        fixed("UPD", 4),
    ];
    const NARROW: [Column; 4] = [LEAD, fill("NAME", 3), fill("EVENT", 4), fill("ACTION", 3)];
    match (width >= 64, shows_last) {
        (true, true) => &WIDE,
        (true, false) => &WIDE_NO_LAST,
        (false, _) => &NARROW,
    }
}

/// The automation list's rows for the table painter, made for the rows shown only.
pub(crate) struct ListRows<'a> {
    pub(crate) list: &'a AutomationList,
    pub(crate) selection: &'a Selection,
    pub(crate) writes: &'a Writes,
    pub(crate) columns: &'a [Column],
    pub(crate) now: i64,
    pub(crate) frame: usize,
}

impl Rows for ListRows<'_> {
    fn count(&self) -> usize {
        self.list.view_len()
    }

    fn row(&self, position: usize) -> TableRow<'_> {
        let Some(item) = self.list.at(position) else {
            return TableRow::default();
        };
        let a = &item.saved.automation;
        let lead = if self.writes.pending(item.id()).is_some() {
            cell(Tone::Warn, spinner(self.frame))
        } else if a.enabled {
            cell(Tone::On, "●")
        } else {
            cell(Tone::Off, "○")
        };
        let marked = self.selection.marks().contains(item.id())
            || self
                .selection
                .range()
                .is_some_and(|(lo, hi)| (lo..=hi).contains(&position));
        let cells = self.columns[1..]
            .iter()
            .map(|c| match c.title {
                "NAME" => cell(Tone::Plain, a.name.as_str()),
                "EVENT" => cell(Tone::Plain, item.event.as_str()),
                "SCOPE" => cell(Tone::Plain, item.scope.as_str()),
                "ACTION" => cell(Tone::Plain, item.action.as_str()),
                "UPD" => cell(Tone::Dim, ago(self.now, item.changed)),
                // Never fired: nothing, unlike a skipped firing's `⊘ 1h`.
                _ => match self.list.last(item.id()) {
                    Some(last) => {
                        let (glyph, tone) = status_glyph(&last.status);
                        cell(tone, format!("{glyph} {}", ago(self.now, last.at)))
                    }
                    None => cell(Tone::Dim, ""),
                },
            })
            .collect();
        TableRow {
            lead,
            cells,
            tone: if a.enabled { Tone::Plain } else { Tone::Dim },
            marked,
        }
    }
}
