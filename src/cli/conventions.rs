//! Shell completions and the manual page, both made from the same clap definitions as the
//! command line itself.

use super::context::{entity_for, open_backend, select};
use super::{Cli, CliError, failure};
use crate::config::wandb::Environment;
use clap::CommandFactory;
use roff::{Roff, bold, roman};
use std::io::Write;
use std::time::Duration;

/// Writes the completion script for `shell` to standard output; bash's also completes
/// automation names after the commands that take them (asking `wbauto complete-names`).
pub(crate) fn completions(shell: clap_complete::Shell) {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "wbauto", &mut std::io::stdout());
    if shell == clap_complete::Shell::Bash {
        print!("{}", bash_names(&cmd));
    }
}

/// How long `complete-names` waits for the backend before it prints nothing.
const NAMES_WAIT: Duration = Duration::from_millis(1500);

/// `complete-names`: the automation names of the entity in force, one a line, for completion;
/// nothing (and exit 0) when the backend cannot say within [`NAMES_WAIT`].
pub(crate) async fn complete_names(cli: &Cli) -> Result<(), CliError> {
    let names = async {
        let env = Environment::current();
        let selection = select(cli, &env);
        let (config, _) = crate::config::file::load(crate::config::file::path().as_deref());
        let backend = open_backend(cli, &selection, &env).await.ok()?;
        let entity = entity_for(cli, &selection, &config, backend.as_ref())
            .await
            .ok()?;
        backend.list_automations(&entity).await.ok()
    };
    let Ok(Some(listing)) = tokio::time::timeout(NAMES_WAIT, names).await else {
        return Ok(());
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for saved in &listing.automations {
        // A name with white space or a control character cannot be one completion word.
        let name = &saved.automation.name;
        if !name.chars().any(|c| c.is_whitespace() || c.is_control()) {
            writeln!(out, "{name}").map_err(|e| failure(format!("cannot write: {e}")))?;
        }
    }
    out.flush()
        .map_err(|e| failure(format!("cannot write: {e}")))
}

/// The bash function that completes automation names after the commands whose positional
/// argument is one (`show`, `enable`, `backtest`...), forwarding the options that choose the
/// backend and entity, and hands every other word to clap's completion.
fn bash_names(cmd: &clap::Command) -> String {
    let takes_value =
        |a: &clap::Arg| !a.is_positional() && a.get_num_args().is_some_and(|n| n.takes_values());
    let mut commands = Vec::new();
    let mut valued: Vec<String> = Vec::new();
    let add_valued = |a: &clap::Arg, valued: &mut Vec<String>| {
        let flags = a
            .get_long()
            .map(|l| format!("--{l}"))
            .into_iter()
            .chain(a.get_short().map(|c| format!("-{c}")));
        for flag in flags {
            if !valued.contains(&flag) {
                valued.push(flag);
            }
        }
    };
    for a in cmd.get_arguments().filter(|a| takes_value(a)) {
        add_valued(a, &mut valued);
    }
    for sub in cmd.get_subcommands() {
        let named = sub
            .get_positionals()
            .any(|a| matches!(a.get_id().as_str(), "target" | "targets"));
        if named {
            commands.push(sub.get_name().to_string());
            for a in sub.get_arguments().filter(|a| takes_value(a)) {
                add_valued(a, &mut valued);
            }
        }
    }
    BASH_NAMES
        .replace("@COMMANDS@", &commands.join("|"))
        .replace("@VALUED@", &valued.join("|"))
}

/// The bash wrapper; `@COMMANDS@` and `@VALUED@` are `|`-separated case patterns.
const BASH_NAMES: &str = r#"
_wbauto_names() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
    local i word command="" pick=()
    for (( i = 1; i < COMP_CWORD; i++ )); do
        word="${COMP_WORDS[i]}"
        case "$word" in
            --backend|--entity|--data-dir|--base-url)
                pick+=("$word" "${COMP_WORDS[i+1]}"); (( i++ )) ;;
            @VALUED@) (( i++ )) ;;
            -*) ;;
            *) [[ -z "$command" ]] && command="$word" ;;
        esac
    done
    case "$command" in
        @COMMANDS@)
            case "$prev" in
                @VALUED@) ;;
                *)
                    if [[ "$cur" != -* ]]; then
                        local IFS=$'
'
                        COMPREPLY=( $(compgen -W "$(command wbauto "${pick[@]}" complete-names 2>/dev/null)" -- "$cur") )
                        return 0
                    fi ;;
            esac ;;
    esac
    _wbauto "$@"
}
complete -F _wbauto_names -o bashdefault -o default wbauto
"#;

/// Writes the manual page (roff) to standard output: name, synopsis, description and options
/// of the command, its commands with what each does (their options are in `wbauto COMMAND
/// --help`; there are no separate pages to point to), the exit status and the version.
pub(crate) fn man() -> Result<(), CliError> {
    let out = manual_page().map_err(|e| failure(format!("cannot render the manual page: {e}")))?;
    std::io::stdout()
        .write_all(&out)
        .map_err(|e| failure(format!("cannot write the manual page: {e}")))
}

/// What each exit code means, for the EXIT STATUS section.
const EXIT_STATUS: [(&str, &str); 4] = [
    ("0", "The command did what was asked."),
    (
        "1",
        "It could not: a name or project that does not exist, a file that does not validate, \
         a backend that refused or could not be reached, a delivery that failed. The message on \
         standard error says what and what to do.",
    ),
    (
        "2",
        "The command line is wrong (an unknown option, a missing argument); or, for plan \
         --detailed-exitcode, there are changes to apply.",
    ),
    (
        "128+N",
        "The dashboard was ended by signal N (SIGINT: 130, SIGTERM: 143), after restoring the \
         terminal.",
    ),
];

fn manual_page() -> Result<Vec<u8>, std::io::Error> {
    let cmd = Cli::command();
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    let mut page = Roff::new();
    page.control("SH", ["COMMANDS"]);
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        page.control("TP", []);
        page.text([bold(format!("wbauto {}", sub.get_name()))]);
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        page.text([roman(about)]);
    }
    page.control("PP", []);
    page.text([
        roman("Each command's options: "),
        bold("wbauto COMMAND --help"),
        roman("."),
    ]);
    page.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in EXIT_STATUS {
        page.control("TP", []);
        page.text([bold(code)]);
        page.text([roman(meaning)]);
    }
    page.to_writer(&mut out)?;
    man.render_version_section(&mut out)?;
    Ok(out)
}
