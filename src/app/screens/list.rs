//! The list screen: moving, filtering, sorting, marking, and opening the other screens. The
//! commands on the selected or marked rows are in `rows` (the detail shares them).

use super::super::keys::Action;
use super::super::msg::Effect;
use super::super::rows;
use super::super::state::{State, ToastKind};
use super::Screen;
use super::detail::DetailScreen;
use crossterm::event::KeyEvent;

/// The list's commands; `None` for those it does not take.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    use Action as A;
    match action {
        _ if super::is_movement(action) => {
            let page = state.page_rows() as isize;
            let to =
                (state.selection.selected() as isize).saturating_add(super::delta(action, page));
            state.select(to);
        }
        A::Open => {
            if let Some(id) = state.selected_id() {
                state.screen = Screen::Detail(DetailScreen::open(state, id));
            }
        }
        A::Back => {
            if state.selection.range_from().is_some() || !state.selection.marks().is_empty() {
                state.selection.clear_marks();
            } else if !state.list.filter().is_empty() {
                state.change_list(|list| list.set_filter(""));
            } else {
                state.quit = true;
            }
        }
        A::Filter => {
            let current = state.list.filter().to_string();
            state.selection.begin_filter(&current);
        }
        A::Sort => {
            let next = state.list.sort().next();
            state.change_list(|list| list.set_sort(next, false));
        }
        A::SortReverse => {
            let (sort, reverse) = (state.list.sort(), !state.list.reverse());
            state.change_list(|list| list.set_sort(sort, reverse));
        }
        A::Mark => {
            if let Some(id) = state.selected_id() {
                state.selection.toggle_mark(&id);
                state.select(state.selection.selected() as isize + 1);
            }
        }
        A::RangeMark => match state.selection.toggle_range() {
            None => {
                let key = state.keymap.key_of(A::RangeMark);
                state.toast(
                    ToastKind::Info,
                    format!("range starts here: move, then {key} again"),
                );
            }
            Some(from) => {
                let at = state.selection.selected();
                let ids = state.list.ids_between(from.min(at), from.max(at));
                state.selection.mark_all(ids);
            }
        },
        A::New => return Some(super::wizard::open(state, action)),
        A::Integrations => {
            state.screen = Screen::Integrations(Default::default());
            if state.integrations.is_none() {
                return Some(vec![super::integrations::request(state)]);
            }
        }
        A::Switch => state.modals.push(super::super::modals::switch::open(state)),
        A::History => return Some(super::history::open(state)),
        A::Runs => return Some(super::runs::open(state)),
        _ => return rows::on_action(state, action),
    }
    Some(Vec::new())
}

/// The commands of the filter being typed.
pub fn on_filter_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    match action {
        Action::KeepFilter => state.selection.keep_filter(),
        Action::RestoreFilter => {
            let restore = state.selection.cancel_filter();
            state.change_list(|list| list.set_filter(&restore));
        }
        Action::Down | Action::Up => {
            let by = if action == Action::Down { 1 } else { -1 };
            state.select(state.selection.selected() as isize + by);
        }
        _ => return None,
    }
    Some(Vec::new())
}

/// Typing the filter.
pub fn on_filter_text(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let mut text = state.list.filter().to_string();
    if edit_line(&mut text, &key) {
        state.change_list(|list| list.set_filter(&text));
    }
    Vec::new()
}

/// Edits a one-line text input; returns whether the key was a text edit.
pub fn edit_line(text: &mut String, key: &KeyEvent) -> bool {
    use crossterm::event::{KeyCode, KeyModifiers};
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char('u') if ctrl => text.clear(),
        KeyCode::Char(c) if !ctrl => text.push(c),
        KeyCode::Backspace => {
            text.pop();
        }
        _ => return false,
    }
    true
}
