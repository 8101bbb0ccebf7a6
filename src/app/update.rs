//! `update`: the only place the dashboard's state changes. Pure: effects are returned, not run.
//! A key is looked up in the key table for the current mode and sent to the top modal, the
//! screen or the dashboard's own commands; a key none takes goes to the mode's text input.
//! Screens and modals queue intents (open a screen, push a modal, toast, effect), carried out
//! here in order; backend answers for a screen go to it, the others are applied in `answers`.

use super::ctx::Intent;
use super::global;
use super::keys::Chord;
use super::layout::Layout;
use super::modals::{Modal, Reply};
use super::modes::{Bound, TOO_SMALL};
use super::msg::{Effect, Msg};
use super::screens::Screen;
use super::state::State;
use super::store::list::Loading;
use super::store::session::RequestKind;
use crossterm::event::{KeyEvent, KeyEventKind};
use std::collections::VecDeque;

/// Seconds between the shown screen's looks at what it follows (each screen's own poll says
/// whether it asks then).
const FOLLOW_EVERY: i64 = 3;

/// Applies a message; returns what must happen outside.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let mut queue = Vec::new();
    match msg {
        Msg::Key(key) if key.kind == KeyEventKind::Press => on_key(state, &key, &mut queue),
        Msg::Key(_) => {}
        Msg::Resize(w, h) => {
            let stores = &mut state.stores;
            stores.layout = Layout::new(w, h);
            let rows = stores.layout.list_rows();
            stores.selection.clamp(&stores.list, rows);
            state.screen.on_resize();
        }
        Msg::Tick(now) => on_tick(state, now, &mut queue),
        Msg::Screen(msg) => {
            let mut ctx = state.stores.ctx(&mut queue);
            state.screen.update(msg, &mut ctx);
        }
        answer => super::answers::apply(state, answer, &mut queue),
    }
    let mut effects = carry_out(state, queue);
    super::derive::refresh(state);
    effects.extend(super::derive::wire_request(state));
    effects
}

/// A new list request; older answers will be dropped.
pub fn list(state: &mut State) -> Effect {
    global::list_request(state)
}

/// Connects to the first backend behind the first frame: settles the entity (its default when
/// `entity` is `None`) and what the backend accepts, then lists.
pub fn connect(state: &mut State, entity: Option<String>) -> Effect {
    global::connect(state, entity)
}

/// A new request for what fired lately (the LAST column) and the local engine's state.
pub(crate) fn activity(state: &mut State) -> Effect {
    state.activity_poll.asked(state.stores.now);
    Effect::LoadActivity {
        request: state.stores.session.request(RequestKind::Activity),
        entity: state.entity().to_string(),
    }
}

/// How often the LAST column is asked for: the local database every 3 s; W&B (a read of every
/// project's history) every 30 s while firings keep coming, backing off to 5 minutes.
pub(crate) fn activity_poll(kind: crate::backend::BackendKind) -> super::poll::Poll {
    match kind {
        crate::backend::BackendKind::Local => super::poll::Poll::backing_off(3, 3),
        crate::backend::BackendKind::Wandb => super::poll::Poll::backing_off(30, 300),
    }
}

fn on_key(state: &mut State, key: &KeyEvent, queue: &mut Vec<Intent>) {
    let mode = state.mode();
    if let Some(bound) = Chord::from_event(key).and_then(|c| state.stores.keymap.lookup(mode, c))
        && dispatch(state, bound, queue)
    {
        return;
    }
    if mode == TOO_SMALL {
        return;
    }
    let mut ctx = state.stores.ctx(queue);
    match state.modals.last_mut() {
        Some(modal) => {
            let reply = modal.on_text(key, &mut ctx);
            settle(&mut state.modals, reply);
        }
        None => state.screen.on_text(key, &mut ctx),
    }
}

/// Closes the modal on top when it said so; whether it took the message.
fn settle(modals: &mut Vec<Modal>, reply: Reply) -> bool {
    match reply {
        Reply::Keep => true,
        Reply::Close => {
            modals.pop();
            true
        }
        Reply::Pass => false,
    }
}

/// Sends what a row of the key table sends; `false` when the screen or modal does not take it.
fn dispatch(state: &mut State, bound: Bound, queue: &mut Vec<Intent>) -> bool {
    match bound {
        Bound::Global(command) => {
            queue.extend(global::intents(state, command));
            true
        }
        Bound::Modal(msg) => {
            let mut ctx = state.stores.ctx(queue);
            match state.modals.last_mut() {
                Some(modal) => {
                    let reply = modal.update(msg, &mut ctx);
                    settle(&mut state.modals, reply)
                }
                None => false,
            }
        }
        Bound::Screen(msg) => {
            let mut ctx = state.stores.ctx(queue);
            state.screen.update(msg, &mut ctx)
        }
    }
}

/// Carries out the intents in order (and those they queue in turn); returns the effects.
fn carry_out(state: &mut State, queue: Vec<Intent>) -> Vec<Effect> {
    let mut queue: VecDeque<Intent> = queue.into();
    let mut effects = Vec::new();
    while let Some(intent) = queue.pop_front() {
        let mut more = Vec::new();
        match intent {
            Intent::Effect(effect) => effects.push(effect),
            Intent::Toast(kind, text, seconds) => state.toast_for(kind, text, seconds),
            Intent::Quit => state.quit = true,
            Intent::Open(open) => {
                let mut ctx = state.stores.ctx(&mut more);
                if let Some(screen) = Screen::open(open, &mut ctx) {
                    state.screen = screen;
                }
            }
            Intent::Push(open) => {
                let mut ctx = state.stores.ctx(&mut more);
                let modal = Modal::open(open, &mut ctx);
                state.modals.push(modal);
            }
            Intent::Press(bound) => {
                dispatch(state, bound, &mut more);
            }
        }
        for (i, intent) in more.into_iter().enumerate() {
            queue.insert(i, intent);
        }
    }
    effects
}

fn on_tick(state: &mut State, now: i64, queue: &mut Vec<Intent>) {
    state.stores.now = now;
    state.stores.frame = state.stores.frame.wrapping_add(1);
    state.toasts.retain(|t| t.until > now);
    state.screen.on_tick();
    let connected = state.stores.session.connected();
    if connected && state.activity_poll.due(now) {
        queue.push(Intent::Effect(activity(state)));
    }
    if connected && now % FOLLOW_EVERY == 0 && now != state.followed {
        state.followed = now;
        let mut ctx = state.stores.ctx(queue);
        state.screen.follow(&mut ctx);
    }
    let due = match (state.refresh_every, state.stores.list.loaded_at()) {
        (Some(every), Some(at)) => !state.paused && now >= at + every,
        _ => false,
    };
    let ready = *state.stores.list.loading() == Loading::Ready;
    if due && !state.stores.writes.any_pending() && ready {
        queue.push(Intent::Effect(global::list_request(state)));
    }
}
