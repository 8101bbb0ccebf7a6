//! Switching entity and backend: the entity typed (the backend's known entities listed under
//! it), the backend chosen with a key.

use super::{Dialog, Reply};
use crate::app::ctx::Ctx;
use crate::app::input::edit_line;
use crate::app::keys::{Group, Input, Mode, Row, commands, defs, row};
use crate::app::modes::Bound;
use crate::app::msg::Effect;
use crate::app::state::ToastKind;
use crate::app::store::session::RequestKind;
use crossterm::event::KeyEvent;

/// The switch box's mode.
pub(crate) const MODE: Mode = Mode::new(
    "switch",
    "switch",
    Input::Line {
        typing: "entity",
        moving: None,
    },
    Group::Box,
);

commands! {
    NEXT_BACKEND: "next_backend" ["tab"] footer reads "next backend" "the next backend";
}

/// What the switch box is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SwitchMsg {
    Run,
    NextBackend,
    Close,
}

/// The switch box.
#[derive(Debug)]
pub struct SwitchModal {
    input: String,
    backend: usize,
    hint: String,
}

impl SwitchModal {
    /// The entity typed.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// The backend chosen (an index of the session's backends).
    pub fn backend(&self) -> usize {
        self.backend
    }

    /// The line above the backends, naming the key that changes it.
    pub(crate) fn hint(&self) -> &str {
        &self.hint
    }
}

/// Asks which entities backend `backend` knows, for the line under the entity.
fn ask_entities(ctx: &mut Ctx, backend: usize) {
    let request = ctx.session.request(RequestKind::Entities);
    ctx.effect(Effect::LoadEntities { request, backend });
}

impl Dialog for SwitchModal {
    type Msg = SwitchMsg;
    type Open = ();
    const MODE: Mode = MODE;

    fn keys() -> Vec<(Mode, Vec<Row<Bound>>)> {
        vec![(
            MODE,
            vec![
                row(&defs::RUN, SwitchMsg::Run),
                row(&NEXT_BACKEND, SwitchMsg::NextBackend),
                row(&defs::CLOSE, SwitchMsg::Close),
            ],
        )]
    }

    fn open(_: (), ctx: &mut Ctx) -> Self {
        let backend = ctx.session.backend();
        ask_entities(ctx, backend);
        Self {
            input: ctx.entity().to_string(),
            backend,
            hint: format!(
                "backend ({} to change):",
                ctx.keymap.key(&NEXT_BACKEND, MODE)
            ),
        }
    }

    fn update(&mut self, msg: SwitchMsg, ctx: &mut Ctx) -> Reply {
        match msg {
            SwitchMsg::Close => Reply::Close,
            SwitchMsg::NextBackend => {
                self.backend = (self.backend + 1) % ctx.session.backends().len().max(1);
                ask_entities(ctx, self.backend);
                Reply::Keep
            }
            SwitchMsg::Run => {
                let entity = self.input.trim().to_string();
                if entity.is_empty() {
                    ctx.toast(ToastKind::Error, "type an entity name");
                    return Reply::Close;
                }
                let request = ctx.session.request(RequestKind::Switch);
                ctx.effect(Effect::Switch {
                    request,
                    backend: self.backend,
                    entity: Some(entity),
                });
                Reply::Close
            }
        }
    }

    fn on_text(&mut self, key: &KeyEvent, _: &mut Ctx) -> Reply {
        edit_line(&mut self.input, key);
        Reply::Keep
    }
}
