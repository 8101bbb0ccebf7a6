//! What `update` receives (`Msg`) and what it asks the outside world to do (`Effect`).

use super::screens::ScreenMsg;
use super::store::wire::WireKey;
use crate::backend::{BackendError, Listing, SavedAutomation};
use crate::model::{Automation, Capabilities};
use crossterm::event::KeyEvent;

/// Why an automation was saved, so the answer can be handled.
#[derive(Clone, Debug, PartialEq)]
pub enum SaveKind {
    /// A toggle of `enabled`.
    Toggle,
    /// An edit made as a file; `text` is kept so nothing typed is lost on failure.
    Edit {
        before: Box<Automation>,
        text: String,
    },
    /// An undo.
    Undo { label: String },
}

/// An input to `update`.
#[derive(Debug)]
pub enum Msg {
    /// A key was pressed.
    Key(KeyEvent),
    /// The terminal was resized.
    Resize(u16, u16),
    /// Time passed (Unix seconds).
    Tick(i64),
    /// A listing arrived.
    Listed {
        request: u64,
        result: Result<Listing, BackendError>,
    },
    /// The first page of a listing, ahead of the rest (a first load from the local database).
    FirstPage { request: u64, listing: Listing },
    /// The stored JSON of one automation arrived.
    WireLoaded {
        key: WireKey,
        result: Result<String, BackendError>,
    },
    /// An automation was saved (or not).
    Saved {
        id: String,
        kind: SaveKind,
        result: Result<SavedAutomation, BackendError>,
    },
    /// A deleted automation was created again (undo).
    Recreated {
        label: String,
        result: Result<SavedAutomation, BackendError>,
    },
    /// An automation was deleted (or not).
    Deleted {
        id: String,
        result: Result<(), BackendError>,
    },
    /// The editor closed: the file's text, or why it could not run.
    Edited {
        id: String,
        result: Result<String, String>,
    },
    /// The backend or entity was switched (or not).
    Switched {
        request: u64,
        backend: usize,
        entity: String,
        result: Result<Capabilities, BackendError>,
    },
    /// The entities a backend knows (for the switch box), or why not.
    EntitiesLoaded {
        request: u64,
        backend: usize,
        result: Result<Vec<String>, String>,
    },
    /// What fired lately (the LAST column, whether a local engine runs).
    ActivityLoaded {
        request: u64,
        result: Result<crate::ops::Activity, BackendError>,
    },
    /// A test fire was prepared (the request to confirm), or why not.
    TestPrepared {
        id: String,
        name: String,
        result: Result<crate::ops::TestFire, String>,
    },
    /// A test fire was sent (the outcome in words), or failed.
    TestSent {
        name: String,
        result: Result<String, String>,
    },
    /// An answer for the screen that asked (dropped when it is no longer shown).
    Screen(ScreenMsg),
}

/// Something `update` asks the effects runner or the terminal loop to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Load an entity's automations; with `first_page`, the first page is sent ahead where the
    /// backend can give it sooner (nothing is shown yet).
    List {
        request: u64,
        entity: String,
        first_page: bool,
    },
    /// Load an entity's integrations.
    ListIntegrations { request: u64, entity: String },
    /// Load the stored JSON of one automation (the listing left it out).
    LoadWire { key: WireKey },
    /// Set `enabled` on an automation as it was read, reading it again when it changed
    /// elsewhere.
    Toggle {
        read: Box<SavedAutomation>,
        enabled: bool,
        entity: String,
    },
    /// Put back an automation as it was (undo), by its id.
    Update {
        automation: Box<Automation>,
        kind: SaveKind,
    },
    /// Resolve and save an automation written as a file, replacing `id`.
    SaveFile {
        id: String,
        automation: Box<Automation>,
        entity: String,
        kind: SaveKind,
    },
    /// Create an automation again (undo of a delete).
    Recreate {
        automation: Box<Automation>,
        entity: String,
        label: String,
    },
    /// Delete an automation.
    Delete { id: String },
    /// Copy text to the clipboard (OSC 52).
    Copy { text: String },
    /// Open text in `$VISUAL`/`$EDITOR` (the terminal loop suspends the screen).
    Edit { id: String, text: String },
    /// Switch to another backend and/or entity (`None`: the backend's default entity).
    Switch {
        request: u64,
        backend: usize,
        entity: Option<String>,
    },
    /// Load the entities a backend knows (the switch box lists them).
    LoadEntities { request: u64, backend: usize },
    /// Load the wizard's picker options (projects, registries, integrations) of an entity.
    LoadOptions { request: u64, entity: String },
    /// Load a project's collections for the wizard.
    LoadCollections {
        request: u64,
        entity: String,
        project: String,
    },
    /// Keep the wizard in progress (atomically, private to the user).
    SaveDraft { text: String },
    /// Forget the wizard in progress.
    ClearDraft,
    /// Resolve and save the wizard's automation: create it, or update it when `edit`.
    SaveWizard {
        automation: Box<Automation>,
        entity: String,
        edit: bool,
    },
    /// Load what fired lately on the entity (the LAST column) and the local engine's state.
    LoadActivity { request: u64, entity: String },
    /// Load the executions a query selects (the History screen, the detail's History tab).
    LoadHistory {
        request: u64,
        query: crate::model::history::HistoryQuery,
    },
    /// Load an entity's runs: the ones the engine follows and the recorded ones.
    LoadRuns { request: u64, entity: String },
    /// Load the runs a backtest of the automation can judge.
    LoadBacktestRuns {
        request: u64,
        automation: Box<Automation>,
    },
    /// Judge one run for the Backtest tab.
    JudgeRun {
        request: u64,
        automation: Box<Automation>,
        choice: Box<crate::ops::backtest::RunChoice>,
    },
    /// Read the recent runs of the wizard's scope (for its live verdict).
    LoadPreview {
        request: u64,
        automation: Box<Automation>,
    },
    /// Judge the wizard's condition over recent runs, on a worker.
    JudgePreview {
        request: u64,
        automation: Box<Automation>,
        histories: crate::ops::backtest::Histories,
    },
    /// Prepare a test fire of an automation.
    PrepareTest { id: String, name: String },
    /// Send a prepared test fire.
    SendTest {
        id: String,
        name: String,
        test: Box<crate::ops::TestFire>,
    },
}
