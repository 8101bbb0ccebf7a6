//! The command registry: one table for every context (the list, the detail, each modal, each
//! wizard step and the review). It dispatches keys, and the footer, help and palette are made
//! from it. Every row has a name (used in `config.toml` to remap it) and the contexts it works
//! in; a key that no row of the context takes, or that a row's handler declines, goes on to the
//! context's text input (a filter, a text field, the payload editor).

use crate::config::file::{ConfigFile, ConfigWarning};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::fmt;

/// Where the user is; decides which bindings apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    /// The automation list.
    List,
    /// The full detail of one automation.
    Detail,
    /// The raw JSON view.
    Raw,
    /// The integrations screen.
    Integrations,
    /// The local engine's executions.
    History,
    /// The runs the engine follows.
    Runs,
    /// Typing the list filter.
    Filter,
    /// The help box (typing filters it).
    Help,
    /// The command palette (typing filters it).
    Palette,
    /// A confirmation (typing the count when several are deleted).
    Confirm,
    /// An edited file that was not saved.
    EditError,
    /// Switching entity or backend (typing the entity).
    Switch,
    /// The wizard's first step: choosing a start.
    WizardStart,
    /// A wizard step's fields (text fields take what no row takes).
    WizardFields,
    /// The webhook payload editor (it takes every key but navigation).
    WizardPayload,
    /// The `${...}` variable menu of the payload editor.
    WizardVariables,
    /// The wizard's Review.
    WizardReview,
    /// "Discard your answers?"
    WizardDiscard,
    /// The terminal is too small to show anything: only quitting works.
    TooSmall,
}

impl Context {
    /// Every context, in the order help lists them.
    pub const ALL: [Context; 19] = [
        C::List,
        C::Detail,
        C::Raw,
        C::Integrations,
        C::History,
        C::Runs,
        C::Filter,
        C::Help,
        C::Palette,
        C::Confirm,
        C::EditError,
        C::Switch,
        C::WizardStart,
        C::WizardFields,
        C::WizardPayload,
        C::WizardVariables,
        C::WizardReview,
        C::WizardDiscard,
        C::TooSmall,
    ];

    /// Its heading in help.
    pub fn title(self) -> &'static str {
        match self {
            C::List => "list",
            C::Detail => "detail",
            C::Raw => "raw JSON",
            C::Integrations => "integrations",
            C::History => "history",
            C::Runs => "runs",
            C::Filter => "typing a filter",
            C::Help => "help",
            C::Palette => "palette",
            C::Confirm => "confirmation",
            C::EditError => "edit not saved",
            C::Switch => "switch",
            C::WizardStart => "wizard: start",
            C::WizardFields => "wizard: fields",
            C::WizardPayload => "wizard: payload editor",
            C::WizardVariables => "wizard: variable menu",
            C::WizardReview => "wizard: review",
            C::WizardDiscard => "wizard: discard?",
            C::TooSmall => "terminal too small",
        }
    }

    /// Keys this context's text input keeps for itself, whatever the table says: printable
    /// characters where a line is typed, and the editing keys of the payload editor.
    pub fn reserves(self, chord: Chord) -> bool {
        let printable = matches!(chord.code, KeyCodeKey::Char(_)) && !chord.ctrl;
        match self {
            C::Filter | C::Help | C::Palette | C::Switch => printable,
            C::WizardPayload => {
                printable
                    || matches!(
                        chord.code,
                        KeyCodeKey::Enter
                            | KeyCodeKey::Up
                            | KeyCodeKey::Down
                            | KeyCodeKey::Left
                            | KeyCodeKey::Right
                            | KeyCodeKey::Home
                            | KeyCodeKey::End
                    )
            }
            _ => false,
        }
    }

    /// What moving up and down does here, for footers where the arrows are the only movement
    /// keys (the letters are typed).
    pub fn moving(self) -> Option<&'static str> {
        match self {
            C::Filter => Some("move"),
            C::Help => Some("scroll"),
            C::Palette | C::WizardVariables => Some("choose"),
            _ => None,
        }
    }

    /// What typing does here, for the footer ("type to filter").
    pub fn typing(self) -> Option<&'static str> {
        match self {
            C::Filter => Some("to filter (event: scope: action: on: off:)"),
            C::Help | C::Palette => Some("to filter"),
            C::Switch => Some("entity"),
            _ => None,
        }
    }
}

/// Something the user can do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Move down.
    Down,
    /// Move up.
    Up,
    /// First row.
    Top,
    /// Last row.
    Bottom,
    /// One page down.
    PageDown,
    /// One page up.
    PageUp,
    /// Half a page down.
    HalfDown,
    /// Half a page up.
    HalfUp,
    /// Open the full detail.
    Open,
    /// Back one level; quit from the list.
    Back,
    /// Quit from anywhere.
    Quit,
    /// Filter the list.
    Filter,
    /// Next sort column.
    Sort,
    /// Reverse the sort.
    SortReverse,
    /// Enable or disable.
    Toggle,
    /// Mark the row and move down.
    Mark,
    /// Start or finish a range of marks.
    RangeMark,
    /// A new automation, in the wizard.
    New,
    /// Edit in the wizard.
    Edit,
    /// A copy in the wizard, with a fresh name.
    Duplicate,
    /// Edit as a file in `$VISUAL`/`$EDITOR`.
    EditFile,
    /// Raw JSON view.
    Raw,
    /// Copy the name.
    CopyName,
    /// Copy the automation file as JSON.
    CopyJson,
    /// Delete.
    Delete,
    /// Undo the last change.
    Undo,
    /// The integrations screen.
    Integrations,
    /// Switch entity or backend.
    Switch,
    /// Reload now.
    Refresh,
    /// Pause or resume auto-refresh.
    PauseRefresh,
    /// Help.
    Help,
    /// Command palette.
    Palette,
    /// Next tab of the detail view.
    NextTab,
    /// Previous tab of the detail view.
    PrevTab,
    /// The Backtest tab's next run.
    NextRun,
    /// The Backtest tab's previous run.
    PrevRun,
    /// Keep the filter typed.
    KeepFilter,
    /// Put back the filter as it was.
    RestoreFilter,
    /// Run the highlighted command, or switch.
    Run,
    /// Close a box.
    Close,
    /// The next backend to switch to.
    NextBackend,
    /// Move the focus between a confirmation's buttons.
    SwitchButton,
    /// Press the focused button.
    Choose,
    /// Cancel a confirmation.
    Cancel,
    /// Open an unsaved edit in the editor again.
    EditAgain,
    /// Throw an unsaved edit away.
    Discard,
    /// The wizard's next field (or Review row).
    NextField,
    /// The wizard's previous field.
    PrevField,
    /// The next choice of a picker.
    ChooseNext,
    /// The previous choice of a picker.
    ChoosePrev,
    /// Pick or unpick a choice, or flip a switch.
    Pick,
    /// Next field, next step; on Review, go to the row's step or save.
    WizardNext,
    /// The wizard's next step.
    NextStep,
    /// The wizard's previous step.
    PrevStep,
    /// Jump to Review.
    Review,
    /// Close the wizard (asks first when something was answered).
    CloseWizard,
    /// Load the pickers' choices again.
    RetryOptions,
    /// The `${...}` variable menu.
    Variables,
    /// Insert the highlighted variable.
    InsertVariable,
    /// Scroll the Review down a row.
    ScrollDown,
    /// Scroll the Review up a row.
    ScrollUp,
    /// Throw the wizard's answers away.
    DiscardAnswers,
    /// Close the wizard keeping its answers as a draft.
    KeepDraft,
    /// The local engine's history.
    History,
    /// Test-fire the selected automation.
    TestFire,
    /// The history's next status filter.
    CycleStatus,
    /// The history of the highlighted row's automation only, or of all.
    ByAutomation,
    /// The runs the engine follows through their run logs.
    Runs,
}

/// A key with its modifiers, e.g. `ctrl-r`, `D`, `space`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Chord {
    /// The key.
    pub code: KeyCodeKey,
    /// Control held.
    pub ctrl: bool,
}

/// A hashable, orderable key code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCodeKey {
    /// A character.
    Char(char),
    /// Enter.
    Enter,
    /// Escape.
    Esc,
    /// Tab.
    Tab,
    /// Shift-Tab.
    BackTab,
    /// Arrow up.
    Up,
    /// Arrow down.
    Down,
    /// Arrow left.
    Left,
    /// Arrow right.
    Right,
    /// Page up.
    PageUp,
    /// Page down.
    PageDown,
    /// Home.
    Home,
    /// End.
    End,
}

impl Chord {
    /// A plain key.
    pub const fn key(code: KeyCodeKey) -> Self {
        Self { code, ctrl: false }
    }

    /// A character key.
    pub const fn ch(c: char) -> Self {
        Self::key(KeyCodeKey::Char(c))
    }

    /// Control plus a character.
    pub const fn ctrl(c: char) -> Self {
        Self {
            code: KeyCodeKey::Char(c),
            ctrl: true,
        }
    }

    /// The chord of a key event, if it is one the table can bind.
    pub fn from_event(e: &KeyEvent) -> Option<Self> {
        let ctrl = e.modifiers.contains(KeyModifiers::CONTROL);
        let code = match e.code {
            KeyCode::Char(c) => KeyCodeKey::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
            KeyCode::Enter => KeyCodeKey::Enter,
            KeyCode::Esc => KeyCodeKey::Esc,
            KeyCode::Tab => KeyCodeKey::Tab,
            KeyCode::BackTab => KeyCodeKey::BackTab,
            KeyCode::Up => KeyCodeKey::Up,
            KeyCode::Down => KeyCodeKey::Down,
            KeyCode::Left => KeyCodeKey::Left,
            KeyCode::Right => KeyCodeKey::Right,
            KeyCode::PageUp => KeyCodeKey::PageUp,
            KeyCode::PageDown => KeyCodeKey::PageDown,
            KeyCode::Home => KeyCodeKey::Home,
            KeyCode::End => KeyCodeKey::End,
            _ => return None,
        };
        Some(Self { code, ctrl })
    }

    /// Parses `t`, `D`, `ctrl-r`, `space`, `enter`, `esc`, `tab`, `backtab`, `up`, `down`,
    /// `left`, `right`, `pgup`, `pgdn`, `home`, `end`.
    pub fn parse(s: &str) -> Option<Self> {
        let (ctrl, rest) = match s.strip_prefix("ctrl-") {
            Some(r) => (true, r),
            None => (false, s),
        };
        let code = match rest {
            "space" => KeyCodeKey::Char(' '),
            "enter" => KeyCodeKey::Enter,
            "esc" => KeyCodeKey::Esc,
            "tab" => KeyCodeKey::Tab,
            "backtab" => KeyCodeKey::BackTab,
            "up" => KeyCodeKey::Up,
            "down" => KeyCodeKey::Down,
            "left" => KeyCodeKey::Left,
            "right" => KeyCodeKey::Right,
            "pgup" => KeyCodeKey::PageUp,
            "pgdn" => KeyCodeKey::PageDown,
            "home" => KeyCodeKey::Home,
            "end" => KeyCodeKey::End,
            one if one.chars().count() == 1 => KeyCodeKey::Char(one.chars().next()?),
            _ => return None,
        };
        Some(Self { code, ctrl })
    }
}

impl fmt::Display for Chord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        match self.code {
            KeyCodeKey::Char(' ') => f.write_str("space"),
            KeyCodeKey::Char(c) => write!(f, "{c}"),
            KeyCodeKey::Enter => f.write_str("enter"),
            KeyCodeKey::Esc => f.write_str("esc"),
            KeyCodeKey::Tab => f.write_str("tab"),
            KeyCodeKey::BackTab => f.write_str("backtab"),
            KeyCodeKey::Up => f.write_str("↑"),
            KeyCodeKey::Down => f.write_str("↓"),
            KeyCodeKey::Left => f.write_str("←"),
            KeyCodeKey::Right => f.write_str("→"),
            KeyCodeKey::PageUp => f.write_str("pgup"),
            KeyCodeKey::PageDown => f.write_str("pgdn"),
            KeyCodeKey::Home => f.write_str("home"),
            KeyCodeKey::End => f.write_str("end"),
        }
    }
}

impl Binding {
    /// Whether every word of `needle` (any case) is in its description, name or footer label:
    /// the one matcher of help and the palette.
    pub fn matches(&self, needle: &str) -> bool {
        let haystack = format!("{} {} {}", self.description, self.name, self.short).to_lowercase();
        needle
            .to_lowercase()
            .split_whitespace()
            .all(|word| haystack.contains(word))
    }
}

/// One action's entry in the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    /// The action.
    pub action: Action,
    /// Its name in `config.toml`.
    pub name: &'static str,
    /// What it does, for help and the palette.
    pub description: &'static str,
    /// One or two words for the footer.
    pub short: &'static str,
    /// The keys (first = the one shown in the footer).
    pub keys: Vec<Chord>,
    /// Where it works.
    pub contexts: &'static [Context],
    /// Whether it changes data (refused in read-only mode).
    pub writes: bool,
    /// Whether the footer shows it.
    pub in_footer: bool,
}

use Context as C;
const SCREENS: &[Context] = &[
    C::List,
    C::Detail,
    C::Raw,
    C::Integrations,
    C::History,
    C::Runs,
];
const LISTS: &[Context] = &[C::List, C::Integrations, C::History, C::Runs];
const ROW: &[Context] = &[C::List, C::Detail];
const SCROLL: &[Context] = &[
    C::List,
    C::Detail,
    C::Raw,
    C::Integrations,
    C::History,
    C::Runs,
];
const MOVE: &[Context] = &[
    C::List,
    C::Detail,
    C::Raw,
    C::Integrations,
    C::History,
    C::Runs,
    C::Filter,
    C::Help,
    C::Palette,
    C::WizardStart,
    C::WizardVariables,
];
const ENDS: &[Context] = &[
    C::List,
    C::Detail,
    C::Raw,
    C::Integrations,
    C::History,
    C::Runs,
    C::WizardReview,
];
const STEPS: &[Context] = &[C::WizardStart, C::WizardFields, C::WizardPayload];
const FIELDS: &[Context] = &[C::WizardFields, C::WizardPayload, C::WizardReview];
const WIZARD: &[Context] = &[
    C::WizardStart,
    C::WizardFields,
    C::WizardPayload,
    C::WizardReview,
];
const BOXES: &[Context] = &[C::Help, C::Palette, C::Switch];
const EVERYWHERE: &[Context] = &Context::ALL;

/// How an action shows up: its config name, its description and its footer label.
type Words = (&'static str, &'static str, &'static str);

fn binding(
    action: Action,
    words: Words,
    keys: &[Chord],
    contexts: &'static [Context],
    writes: bool,
    in_footer: bool,
) -> Binding {
    let (name, description, short) = words;
    Binding {
        action,
        name,
        description,
        short,
        keys: keys.to_vec(),
        contexts,
        writes,
        in_footer,
    }
}

/// The default key table.
pub fn defaults() -> Vec<Binding> {
    use Action as A;
    use KeyCodeKey as K;
    let k = Chord::key;
    let c = Chord::ch;
    vec![
        binding(
            A::Down,
            ("down", "move down", "down"),
            &[c('j'), k(K::Down)],
            MOVE,
            false,
            false,
        ),
        binding(
            A::Up,
            ("up", "move up", "up"),
            &[c('k'), k(K::Up)],
            MOVE,
            false,
            false,
        ),
        binding(
            A::Top,
            ("top", "go to the top", "top"),
            &[c('g'), k(K::Home)],
            ENDS,
            false,
            false,
        ),
        binding(
            A::Bottom,
            ("bottom", "go to the bottom", "bottom"),
            &[c('G'), k(K::End)],
            ENDS,
            false,
            false,
        ),
        binding(
            A::PageDown,
            ("page_down", "one page down", "page"),
            &[k(K::PageDown)],
            SCROLL,
            false,
            false,
        ),
        binding(
            A::PageUp,
            ("page_up", "one page up", "page up"),
            &[k(K::PageUp)],
            SCROLL,
            false,
            false,
        ),
        binding(
            A::HalfDown,
            ("half_page_down", "half a page down", "half page"),
            &[Chord::ctrl('d')],
            SCROLL,
            false,
            false,
        ),
        binding(
            A::HalfUp,
            ("half_page_up", "half a page up", "half up"),
            &[Chord::ctrl('u')],
            SCROLL,
            false,
            false,
        ),
        binding(
            A::Open,
            ("open", "open the detail / the execution", "open"),
            &[k(K::Enter)],
            &[C::List, C::History, C::Runs],
            false,
            true,
        ),
        binding(
            A::Toggle,
            ("toggle", "enable / disable (marked rows too)", "toggle"),
            &[c('t')],
            ROW,
            true,
            true,
        ),
        binding(
            A::Filter,
            (
                "filter",
                "filter (event: scope: action: on: off:)",
                "filter",
            ),
            &[c('/')],
            &[C::List],
            false,
            true,
        ),
        binding(
            A::Sort,
            ("sort", "sort by the next column", "sort"),
            &[c('s')],
            &[C::List],
            false,
            false,
        ),
        binding(
            A::SortReverse,
            ("sort_reverse", "reverse the sort", "reverse"),
            &[c('S')],
            &[C::List],
            false,
            false,
        ),
        binding(
            A::Mark,
            ("mark", "mark the row and move down", "mark"),
            &[c(' ')],
            &[C::List],
            false,
            false,
        ),
        binding(
            A::RangeMark,
            ("range_mark", "start / end a range of marks", "range"),
            &[c('v')],
            &[C::List],
            false,
            false,
        ),
        binding(
            A::New,
            ("new", "new automation (wizard)", "new"),
            &[c('n')],
            &[C::List],
            true,
            true,
        ),
        binding(
            A::Edit,
            ("edit", "edit in the wizard", "edit"),
            &[c('e')],
            ROW,
            true,
            true,
        ),
        binding(
            A::Duplicate,
            ("duplicate", "duplicate in the wizard", "copy"),
            &[c('N')],
            ROW,
            true,
            false,
        ),
        binding(
            A::EditFile,
            ("edit_file", "edit as a file in $EDITOR", "edit file"),
            &[c('E')],
            ROW,
            true,
            false,
        ),
        binding(
            A::Raw,
            ("raw", "raw JSON as stored", "raw"),
            &[c('y')],
            ROW,
            false,
            false,
        ),
        binding(
            A::CopyName,
            ("copy_name", "copy the name", "copy"),
            &[c('c')],
            ROW,
            false,
            false,
        ),
        binding(
            A::CopyJson,
            ("copy_json", "copy as a JSON automation file", "copy json"),
            &[c('C')],
            ROW,
            false,
            false,
        ),
        binding(
            A::Delete,
            ("delete", "delete (marked rows too)", "delete"),
            &[c('D')],
            ROW,
            true,
            true,
        ),
        binding(
            A::Undo,
            ("undo", "undo the last change", "undo"),
            &[c('z')],
            &[C::List, C::Detail],
            true,
            false,
        ),
        binding(
            A::Integrations,
            (
                "integrations",
                "Slack and webhook integrations",
                "integrations",
            ),
            &[c('i')],
            &[C::List],
            false,
            true,
        ),
        binding(
            A::Runs,
            ("runs", "the runs followed through their run logs", "runs"),
            &[c('r')],
            &[C::List],
            false,
            false,
        ),
        binding(
            A::History,
            (
                "history",
                "what the local engine fired (history)",
                "history",
            ),
            &[c('h')],
            &[C::List],
            false,
            true,
        ),
        binding(
            A::CycleStatus,
            (
                "status_filter",
                "show only one status (all, success, failed, skipped…)",
                "status",
            ),
            &[c('f')],
            &[C::History],
            false,
            true,
        ),
        binding(
            A::ByAutomation,
            (
                "by_automation",
                "only this row's automation / all",
                "this automation",
            ),
            &[c('a')],
            &[C::History],
            false,
            true,
        ),
        binding(
            A::TestFire,
            (
                "test_fire",
                "test-fire: show the request, send on yes",
                "test",
            ),
            &[c('X')],
            ROW,
            true,
            false,
        ),
        binding(
            A::Switch,
            ("switch", "switch entity or backend", "switch"),
            &[c('@')],
            &[C::List],
            false,
            false,
        ),
        binding(
            A::Refresh,
            ("refresh", "reload now", "refresh"),
            &[Chord::ctrl('r')],
            LISTS,
            false,
            false,
        ),
        binding(
            A::PauseRefresh,
            ("pause_refresh", "pause / resume auto-refresh", "pause"),
            &[c('p')],
            LISTS,
            false,
            false,
        ),
        binding(
            A::NextTab,
            ("next_tab", "next tab", "next tab"),
            &[k(K::Tab)],
            &[C::Detail],
            false,
            true,
        ),
        binding(
            A::PrevTab,
            ("prev_tab", "previous tab", "prev tab"),
            &[k(K::BackTab)],
            &[C::Detail],
            false,
            false,
        ),
        binding(
            A::NextRun,
            ("next_run", "Backtest tab: the next (older) run", "next run"),
            &[c(']')],
            &[C::Detail],
            false,
            false,
        ),
        binding(
            A::PrevRun,
            (
                "prev_run",
                "Backtest tab: the previous (newer) run",
                "prev run",
            ),
            &[c('[')],
            &[C::Detail],
            false,
            false,
        ),
        binding(
            A::Help,
            ("help", "help", "help"),
            &[c('?')],
            SCREENS,
            false,
            true,
        ),
        binding(
            A::Palette,
            ("palette", "command palette", "palette"),
            &[c(':')],
            SCREENS,
            false,
            false,
        ),
        binding(
            A::Back,
            ("back", "back; quit from the list", "back"),
            &[c('q'), k(K::Esc)],
            &[
                C::List,
                C::Detail,
                C::Raw,
                C::Integrations,
                C::History,
                C::Runs,
                C::TooSmall,
            ],
            false,
            true,
        ),
        binding(
            A::Quit,
            ("quit", "quit", "quit"),
            &[Chord::ctrl('c')],
            EVERYWHERE,
            false,
            false,
        ),
        binding(
            A::KeepFilter,
            ("keep_filter", "keep the filter typed", "keep filter"),
            &[k(K::Enter)],
            &[C::Filter],
            false,
            true,
        ),
        binding(
            A::RestoreFilter,
            ("restore_filter", "put the filter back as it was", "restore"),
            &[k(K::Esc)],
            &[C::Filter],
            false,
            true,
        ),
        binding(
            A::Run,
            ("run", "run the highlighted command / switch", "run"),
            &[k(K::Enter)],
            &[C::Palette, C::Switch],
            false,
            true,
        ),
        binding(
            A::NextBackend,
            ("next_backend", "the next backend", "next backend"),
            &[k(K::Tab)],
            &[C::Switch],
            false,
            true,
        ),
        binding(
            A::Close,
            ("close", "close the box", "close"),
            &[k(K::Esc)],
            BOXES,
            false,
            true,
        ),
        binding(
            A::SwitchButton,
            ("switch_button", "move between the buttons", "switch button"),
            &[k(K::Tab), k(K::BackTab), k(K::Left), k(K::Right)],
            &[C::Confirm],
            false,
            true,
        ),
        binding(
            A::Choose,
            ("choose", "press the focused button", "choose"),
            &[k(K::Enter)],
            &[C::Confirm],
            false,
            true,
        ),
        binding(
            A::Cancel,
            ("cancel", "cancel", "cancel"),
            &[k(K::Esc)],
            &[C::Confirm],
            false,
            true,
        ),
        binding(
            A::EditAgain,
            (
                "edit_again",
                "open your text in the editor again",
                "edit again",
            ),
            &[c('e'), k(K::Enter)],
            &[C::EditError],
            false,
            true,
        ),
        binding(
            A::Discard,
            ("discard", "throw the edit away", "discard"),
            &[k(K::Esc), c('q')],
            &[C::EditError],
            false,
            true,
        ),
        binding(
            A::NextField,
            ("next_field", "next field (Review: next row)", "next field"),
            &[k(K::Tab), k(K::Down)],
            FIELDS,
            false,
            true,
        ),
        binding(
            A::PrevField,
            (
                "prev_field",
                "previous field (Review: previous row)",
                "prev field",
            ),
            &[k(K::BackTab), k(K::Up)],
            FIELDS,
            false,
            false,
        ),
        binding(
            A::ChoosePrev,
            ("choose_prev", "previous choice", "choose"),
            &[k(K::Left)],
            &[C::WizardFields],
            false,
            false,
        ),
        binding(
            A::ChooseNext,
            ("choose_next", "next choice", "choose"),
            &[k(K::Right)],
            &[C::WizardFields],
            false,
            true,
        ),
        binding(
            A::Pick,
            ("pick", "pick a choice / flip a switch", "pick"),
            &[c(' ')],
            &[C::WizardFields],
            false,
            false,
        ),
        binding(
            A::WizardNext,
            (
                "wizard_next",
                "next (Review: go to the step / save)",
                "next",
            ),
            &[k(K::Enter)],
            &[C::WizardStart, C::WizardFields, C::WizardReview],
            false,
            true,
        ),
        binding(
            A::NextStep,
            ("next_step", "next step", "next step"),
            &[k(K::PageDown), Chord::ctrl('n')],
            STEPS,
            false,
            true,
        ),
        binding(
            A::PrevStep,
            ("prev_step", "previous step", "back"),
            &[k(K::PageUp), Chord::ctrl('p')],
            &[C::WizardFields, C::WizardPayload, C::WizardReview],
            false,
            true,
        ),
        binding(
            A::Review,
            ("review", "go to Review", "review"),
            &[Chord::ctrl('s')],
            STEPS,
            false,
            true,
        ),
        binding(
            A::RetryOptions,
            ("retry_choices", "load the choices again", "retry"),
            &[Chord::ctrl('r')],
            STEPS,
            false,
            false,
        ),
        binding(
            A::Variables,
            ("variables", "insert a ${variable}", "variable"),
            &[Chord::ctrl('v')],
            &[C::WizardPayload],
            false,
            true,
        ),
        binding(
            A::InsertVariable,
            (
                "insert_variable",
                "insert the highlighted variable",
                "insert",
            ),
            &[k(K::Enter)],
            &[C::WizardVariables],
            false,
            true,
        ),
        binding(
            A::ScrollDown,
            ("scroll_down", "scroll the Review down", "scroll"),
            &[c('j')],
            &[C::WizardReview],
            false,
            true,
        ),
        binding(
            A::ScrollUp,
            ("scroll_up", "scroll the Review up", "scroll up"),
            &[c('k')],
            &[C::WizardReview],
            false,
            false,
        ),
        binding(
            A::CloseWizard,
            ("close_wizard", "close the wizard", "close"),
            &[k(K::Esc)],
            WIZARD,
            false,
            true,
        ),
        binding(
            A::DiscardAnswers,
            ("discard_answers", "throw the answers away", "discard"),
            &[k(K::Esc), c('d')],
            &[C::WizardDiscard],
            false,
            true,
        ),
        binding(
            A::KeepDraft,
            ("keep_draft", "keep the answers as a draft", "keep draft"),
            &[c('s')],
            &[C::WizardDiscard],
            false,
            true,
        ),
    ]
}

/// The key table in force: defaults with the user's remaps applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keymap {
    /// Every binding.
    pub bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        Self {
            bindings: defaults(),
        }
    }
}

impl Keymap {
    /// Applies the remaps of `config.toml`. Unknown names, unparsable keys and keys that would
    /// clash with another action in a shared context are refused; each refusal is a warning
    /// (file, line, key) and that action keeps its default keys.
    pub fn with_remaps(config: &ConfigFile) -> (Self, Vec<ConfigWarning>) {
        let mut map = Self::default();
        let mut warnings = Vec::new();
        for remap in &config.keys {
            let (name, keys) = (&remap.action, &remap.keys);
            let warn = |problem: String, instead: String| {
                config.warning(remap.line, format!("keys.{name}"), problem, instead)
            };
            let Some(index) = map.bindings.iter().position(|b| b.name == name) else {
                let names: Vec<&str> = map.bindings.iter().map(|b| b.name).collect();
                warnings.push(warn(
                    format!("not an action; actions are: {}", names.join(", ")),
                    "ignored".into(),
                ));
                continue;
            };
            let defaults = map.bindings[index]
                .keys
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ");
            let keeping = format!("keeping its default keys ({defaults})");
            let parsed: Option<Vec<Chord>> = keys.iter().map(|k| Chord::parse(k)).collect();
            let Some(chords) = parsed.filter(|c| !c.is_empty()) else {
                warnings.push(warn(format!("{keys:?} has a key wbauto cannot read (use e.g. \"t\", \"ctrl-r\", \"space\", \"pgdn\")"), keeping));
                continue;
            };
            let clash = map.bindings.iter().enumerate().find(|(i, other)| {
                *i != index
                    && other
                        .contexts
                        .iter()
                        .any(|c| map.bindings[index].contexts.contains(c))
                    && other.keys.iter().any(|k| chords.contains(k))
            });
            if let Some((_, other)) = clash {
                warnings.push(warn(format!("would take a key of {}", other.name), keeping));
                continue;
            }
            map.bindings[index].keys = chords;
        }
        (map, warnings)
    }

    /// The action a key triggers in a context (none for a key the context reserves).
    pub fn action(&self, context: Context, chord: Chord) -> Option<Action> {
        if context.reserves(chord) {
            return None;
        }
        self.bindings
            .iter()
            .find(|b| b.contexts.contains(&context) && b.keys.contains(&chord))
            .map(|b| b.action)
    }

    /// The keys of an action that work in a context, as shown to users.
    pub fn keys_in(&self, action: Action, context: Context) -> Vec<Chord> {
        self.bindings
            .iter()
            .filter(|b| b.action == action && b.contexts.contains(&context))
            .flat_map(|b| b.keys.iter().copied())
            .filter(|k| !context.reserves(*k))
            .collect()
    }

    /// The first key of an action in a context, as shown to users ("" when none).
    pub fn key_in(&self, action: Action, context: Context) -> String {
        self.keys_in(action, context)
            .first()
            .map(ToString::to_string)
            .unwrap_or_default()
    }

    /// The binding of an action.
    pub fn binding(&self, action: Action) -> Option<&Binding> {
        self.bindings.iter().find(|b| b.action == action)
    }

    /// The first key of an action, as shown to users.
    pub fn key_of(&self, action: Action) -> String {
        self.binding(action)
            .and_then(|b| b.keys.first())
            .map(ToString::to_string)
            .unwrap_or_default()
    }

    /// Bindings that work in a context, in table order.
    pub fn in_context(&self, context: Context) -> impl Iterator<Item = &Binding> {
        self.bindings
            .iter()
            .filter(move |b| b.contexts.contains(&context))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::file::Remap;

    #[test]
    fn remaps_apply_and_clashes_are_refused() {
        let remap = |action: &str, key: &str| Remap {
            action: action.into(),
            keys: vec![key.into()],
            line: 1,
        };
        let remaps = ConfigFile {
            keys: vec![
                remap("toggle", "T"),
                remap("delete", "j"),
                remap("nonsense", "x"),
                remap("raw", "ctrl-"),
            ],
            ..ConfigFile::default()
        };
        let (map, warnings) = Keymap::with_remaps(&remaps);
        let warnings: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            map.action(Context::List, Chord::ch('T')),
            Some(Action::Toggle)
        );
        assert_eq!(map.action(Context::List, Chord::ch('t')), None);
        assert_eq!(
            map.action(Context::List, Chord::ch('D')),
            Some(Action::Delete),
            "a clashing remap keeps the default"
        );
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("would take a key of down"))
        );
    }

    #[test]
    fn the_default_table_has_no_clashes() {
        let map = Keymap::default();
        for (i, a) in map.bindings.iter().enumerate() {
            for b in &map.bindings[i + 1..] {
                let shared = a.contexts.iter().any(|c| b.contexts.contains(c));
                assert!(
                    !(shared && a.keys.iter().any(|k| b.keys.contains(k))),
                    "{} and {} clash",
                    a.name,
                    b.name
                );
            }
        }
        assert_eq!(Chord::parse("ctrl-r"), Some(Chord::ctrl('r')));
        assert_eq!(Chord::ctrl('r').to_string(), "ctrl-r");
    }
}
