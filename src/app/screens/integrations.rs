//! The integrations screen: the entity's Slack channels and webhooks as a table, read again each
//! time it opens.

use super::Page;
use crate::app::ctx::Ctx;
use crate::app::global;
use crate::app::input::Move;
use crate::app::keys::{Group, Input, Mode, Row, defs};
use crate::app::modes::Bound;
use crate::app::msg::Effect;
use crate::app::store::session::RequestKind;
use crate::app::table::{Column, Fetched, LEAD, Prepared, Table, TableRow, cell, fill, fixed};
use crate::app::text::{Doc, TextLine, Tone, spinner};
use crate::backend::BackendError;
use crate::model::{Integration, IntegrationKind};

/// The integrations screen's mode.
pub(crate) const MODE: Mode = Mode::new("integrations", "integrations", Input::Keys, Group::Screen);

/// The integrations' columns.
pub(crate) const COLUMNS: [Column; 6] = [
    LEAD,
    fixed("KIND", 8),
    fill("NAME", 2),
    fill("TARGET", 4),
    fill("SECRETS", 2),
    fill("ID", 2),
];

/// What the integrations screen is told.
#[derive(Clone, Debug)]
pub enum IntegrationsMsg {
    /// A movement of the highlight or the text (line, ends, page, half page).
    Move(Move),
    /// Read it again now.
    Refresh,
    /// Back to the list.
    Back,
    /// The integrations arrived.
    Loaded {
        request: u64,
        result: Result<Vec<Integration>, BackendError>,
    },
}

/// One integration in words, prepared when the list arrives.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Integrated {
    /// `slack` or `webhook`.
    kind: &'static str,
    /// The channel or the webhook's name.
    name: String,
    /// The Slack workspace or the webhook's URL.
    target: String,
    /// Which secrets it refers to, by name (never their values), or the Slack incoming webhook.
    secrets: String,
    /// Its id.
    id: String,
}

impl Integrated {
    /// The row of one integration.
    fn of(integration: &Integration) -> Self {
        let (kind, target, secrets) = match &integration.kind {
            IntegrationKind::Slack {
                team_name,
                webhook_url,
                ..
            } => (
                "slack",
                format!("workspace {team_name}"),
                if webhook_url.is_some() {
                    "incoming webhook".into()
                } else {
                    String::new()
                },
            ),
            IntegrationKind::Webhook {
                url,
                secret_ref,
                access_token_ref,
                ..
            } => {
                let refs: Vec<String> = [
                    secret_ref.as_ref().map(|s| format!("secret {s}")),
                    access_token_ref.as_ref().map(|t| format!("token {t}")),
                ]
                .into_iter()
                .flatten()
                .collect();
                ("webhook", url.clone(), refs.join(", "))
            }
        };
        Self {
            kind,
            name: integration.label().to_string(),
            target,
            secrets,
            id: integration.id.clone(),
        }
    }
}

/// The integrations screen.
#[derive(Debug, Default)]
pub struct IntegrationsScreen {
    /// The integrations.
    loaded: Fetched<Integrated>,
    table: Table,
    rows: Prepared,
    /// What is said instead of the table (loading, failed, none).
    doc: Doc,
}

impl IntegrationsScreen {
    /// Whether the integrations arrived (or failed to).
    pub fn loaded(&self) -> bool {
        self.loaded.state().is_some()
    }

    /// The table and its rows, unless text is shown instead.
    pub(crate) fn table(&self) -> Option<(&Table, &[TableRow<'static>])> {
        (self.doc.lines.is_empty()).then_some((&self.table, self.rows.as_slice()))
    }

    /// What is said instead of the table.
    pub(crate) fn doc(&self) -> &Doc {
        &self.doc
    }

    fn ask(&mut self, ctx: &mut Ctx) {
        self.loaded.reload();
        let request = ctx.session.request(RequestKind::Integrations);
        let entity = ctx.entity().to_string();
        ctx.effect(Effect::ListIntegrations { request, entity });
    }
}

impl Page for IntegrationsScreen {
    type Msg = IntegrationsMsg;
    type Open = ();
    const MODE: Mode = MODE;

    fn keys() -> Vec<(Mode, Vec<Row<Bound>>)> {
        let mut rows = defs::moves(IntegrationsMsg::Move);
        rows.extend(global::reloading(
            IntegrationsMsg::Refresh,
            IntegrationsMsg::Back,
        ));
        vec![(MODE, rows)]
    }

    fn open(_: (), ctx: &mut Ctx) -> Option<Self> {
        let mut screen = Self::default();
        screen.ask(ctx);
        Some(screen)
    }

    fn update(&mut self, msg: IntegrationsMsg, ctx: &mut Ctx) -> bool {
        match msg {
            IntegrationsMsg::Move(by) => {
                self.table.go(by, self.rows.len(), ctx.layout.table_rows())
            }
            IntegrationsMsg::Refresh => self.ask(ctx),
            IntegrationsMsg::Back => ctx.back(),
            IntegrationsMsg::Loaded { request, result } => {
                let newest = ctx.session.is_latest(RequestKind::Integrations, request);
                let rows = result
                    .map(|list| list.iter().map(Integrated::of).collect())
                    .map_err(|e| e.to_string());
                self.loaded.answer(newest, rows);
            }
        }
        true
    }

    fn prepare(&mut self, ctx: &mut Ctx) {
        self.rows = self
            .loaded
            .rows()
            .iter()
            .map(|r| TableRow {
                lead: cell(Tone::Plain, " "),
                cells: vec![
                    cell(Tone::Plain, r.kind),
                    cell(Tone::Plain, r.name.clone()),
                    cell(Tone::Plain, r.target.clone()),
                    cell(Tone::Plain, r.secrets.clone()),
                    cell(Tone::Dim, r.id.clone()),
                ],
                tone: Tone::Plain,
                marked: false,
            })
            .collect();
        self.table.clamp(self.rows.len(), ctx.layout.table_rows());
        self.doc = match self.loaded.state() {
            None => Doc::prose(vec![TextLine::toned(
                Tone::Warn,
                format!("{} loading…", spinner(ctx.frame)),
            )]),
            Some(Err(e)) => Doc::prose(vec![
                TextLine::toned(Tone::Error, format!("could not load the integrations: {e}")),
                TextLine::toned(
                    Tone::Error,
                    format!("{} tries again", ctx.keymap.key(&defs::REFRESH, MODE)),
                ),
            ]),
            Some(Ok([])) => Doc::prose(vec![
                TextLine::toned(
                    Tone::Dim,
                    format!("{} has no Slack or webhook integrations.", ctx.entity()),
                ),
                TextLine::toned(
                    Tone::Dim,
                    "Add one with `wbauto integrations add-webhook NAME URL`.",
                ),
            ]),
            Some(Ok(_)) => Doc::default(),
        };
    }

    fn animated(&self) -> bool {
        self.loaded.state().is_none()
    }
}
