//! The restructured core: a cleared list clears its caches, the newest switch wins, remaps
//! reach modal and wizard keys, help and the palette match alike, the app's wrap measure is
//! ratatui's, and the layers import one way.

use crate::support::dashboard::{ch, ctrl, demo_state, key, typed};
use crossterm::event::KeyCode;
use proptest::prelude::*;
use std::collections::BTreeMap;
use wbauto::app::keys::{Action, Context, Keymap};
use wbauto::app::modals::Modal;
use wbauto::app::msg::{Effect, Msg};
use wbauto::app::store::session::RequestKind;
use wbauto::app::text::TextLine;
use wbauto::app::update;

fn render(state: &wbauto::app::State) -> String {
    let backend = ratatui::backend::TestBackend::new(state.width, state.height);
    let mut terminal = ratatui::Terminal::new(backend).unwrap();
    terminal.draw(|f| wbauto::ui::view(state, f)).unwrap();
    format!("{:?}", terminal.backend().buffer())
}

fn switch_to(s: &mut wbauto::app::State, entity: &str) -> u64 {
    update(s, ch('@'));
    update(s, ctrl('u'));
    typed(s, entity);
    match update(s, key(KeyCode::Enter)).as_slice() {
        [Effect::Switch { request, .. }] => *request,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn filtering_before_a_switched_list_arrives_does_not_crash() {
    let mut s = demo_state(160, 48).await;
    let request = switch_to(&mut s, "acme-corp");
    update(
        &mut s,
        Msg::Switched {
            request,
            backend: 0,
            entity: "acme-corp".into(),
            result: Ok(Default::default()),
        },
    );
    update(&mut s, ch('/'));
    typed(&mut s, "a");
    assert_eq!(s.list.view_len(), 0);
    assert!(s.selected_item().is_none());
    render(&s);
}

#[tokio::test]
async fn two_quick_switches_end_on_the_one_asked_last() {
    let mut s = demo_state(160, 48).await;
    let first = switch_to(&mut s, "acme-corp");
    let second = switch_to(&mut s, "acme");
    let answer = |request, entity: &str| Msg::Switched {
        request,
        backend: 0,
        entity: entity.into(),
        result: Ok(Default::default()),
    };
    // The answers arrive in the wrong order: the older one is dropped.
    update(&mut s, answer(second, "acme"));
    assert!(update(&mut s, answer(first, "acme-corp")).is_empty());
    assert_eq!(s.entity(), "acme");
    assert_eq!(s.session.latest(RequestKind::Switch), second);
}

#[tokio::test]
async fn remapped_modal_and_wizard_keys_work_and_show_in_footer_and_help() {
    let mut remaps = BTreeMap::new();
    remaps.insert("cancel".to_string(), vec!["x".to_string()]);
    remaps.insert("review".to_string(), vec!["ctrl-f".to_string()]);
    let (keymap, warnings) = Keymap::with_remaps(&remaps);
    assert!(warnings.is_empty(), "{warnings:?}");
    let mut s = demo_state(160, 48).await;
    s.keymap = keymap;
    update(&mut s, ch('D'));
    assert!(matches!(s.modal(), Some(Modal::Confirm(_))));
    assert!(
        s.footer
            .items
            .iter()
            .any(|(k, d)| k == "x" && d == "cancel")
    );
    update(&mut s, key(KeyCode::Esc));
    assert!(s.modal().is_some(), "esc is no longer cancel");
    update(&mut s, ch('x'));
    assert!(s.modal().is_none(), "x cancels");
    // The wizard: the remapped key moves to the next step, and the old one does not.
    update(&mut s, ch('n'));
    update(&mut s, key(KeyCode::Enter));
    assert!(
        s.footer
            .items
            .iter()
            .any(|(k, d)| k == "ctrl-f" && d == "review")
    );
    let step = |s: &wbauto::app::State| match &s.screen {
        wbauto::app::screens::Screen::Wizard(w) => w.wizard.step,
        _ => panic!("no wizard"),
    };
    let before = step(&s);
    update(&mut s, ctrl('s'));
    assert_eq!(step(&s), before, "ctrl-s is no longer review");
    update(&mut s, ctrl('f'));
    assert_eq!(step(&s), wbauto::wizard::Step::Review);
    // Help lists the remapped keys by their names.
    update(&mut s, ctrl('c'));
    let mut s = demo_state(160, 48).await;
    let (keymap, _) = Keymap::with_remaps(&remaps);
    s.keymap = keymap;
    update(&mut s, ch('?'));
    let Some(Modal::Help(help)) = s.modal() else {
        panic!("no help")
    };
    let text: Vec<String> = help
        .doc
        .lines
        .iter()
        .map(|l| l.pieces.iter().map(|p| p.text.as_str()).collect())
        .collect();
    assert!(
        text.iter()
            .any(|l| l.starts_with("x ") && l.contains("[cancel]"))
    );
    assert!(
        text.iter()
            .any(|l| l.starts_with("ctrl-f") && l.contains("[review]"))
    );
}

#[tokio::test]
async fn help_and_the_palette_match_the_same_words_in_any_case() {
    for words in ["slack", "SLACK", "Integr", "undo change", "copy"] {
        let mut s = demo_state(160, 48).await;
        update(&mut s, ch(':'));
        typed(&mut s, words);
        let Some(Modal::Palette(palette)) = s.modal() else {
            panic!("no palette")
        };
        let in_palette = palette.matches.clone();
        assert!(!in_palette.is_empty(), "{words}");
        let list_rows: Vec<Action> = s
            .keymap
            .in_context(Context::List)
            .filter(|b| b.matches(words))
            .map(|b| b.action)
            .collect();
        assert_eq!(in_palette, list_rows, "{words}");
    }
}

#[tokio::test]
async fn keys_do_nothing_while_the_terminal_is_too_small() {
    let mut s = demo_state(160, 48).await;
    update(&mut s, Msg::Resize(40, 10));
    for c in ['t', 'D', 'n', 'E'] {
        assert!(update(&mut s, ch(c)).is_empty(), "{c}");
    }
    assert!(update(&mut s, key(KeyCode::Tab)).is_empty());
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty());
    assert!(s.modal().is_none());
    assert!(!s.writes.any_pending());
    update(&mut s, ch('q'));
    assert!(s.quit, "q still quits");
}

proptest! {
    #[test]
    fn the_wrap_measure_is_ratatuis(text in "[a-z ]{0,12}( [a-zA-Z0-9_./]{0,30}){0,6}", width in 1u16..40) {
        let ours = TextLine::plain(text.clone()).rows(width);
        let theirs = ratatui::widgets::Paragraph::new(text)
            .wrap(ratatui::widgets::Wrap { trim: false })
            .line_count(width);
        prop_assert_eq!(ours, theirs);
    }
}

#[test]
fn layers_import_one_way() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let rules: &[(&str, &[&str])] = &[
        (
            "model",
            &[
                "app", "ui", "backend", "cli", "wire", "engine", "ops", "wizard",
            ],
        ),
        ("wire", &["app", "ui", "backend", "cli", "ops"]),
        ("wizard", &["app", "ui", "backend", "cli"]),
        ("backend", &["app", "ui", "cli", "ops"]),
        ("ops", &["app", "ui", "cli"]),
        ("app", &["ui", "cli", "tui"]),
        ("ui", &["backend", "cli", "ops"]),
    ];
    let mut broken = Vec::new();
    for (layer, forbidden) in rules {
        let mut stack = vec![root.join(layer)];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for line in text.lines() {
                for f in *forbidden {
                    if line.contains(&format!("crate::{f}::"))
                        || line.contains(&format!("crate::{f};"))
                    {
                        broken.push(format!("{}: {}", path.display(), line.trim()));
                    }
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "imports against the layers:\n{}",
        broken.join("\n")
    );
}
