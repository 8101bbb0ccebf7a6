//! The restructured core: a cleared list clears its caches, the newest switch wins, remaps
//! reach modal and wizard keys, help and the palette match alike, the app's wrap measure is
//! ratatui's, and the layers import one way.

use crate::support::dashboard::{ch, ctrl, demo_state, key, typed};
use crossterm::event::KeyCode;
use proptest::prelude::*;
use wbauto::app::modals::Modal;
use wbauto::app::msg::{Effect, Msg};
use wbauto::app::store::session::RequestKind;
use wbauto::app::text::TextLine;
use wbauto::app::update;
use wbauto::config::file::{ConfigFile, Remap};

fn render(state: &wbauto::app::State) -> String {
    let (width, height) = state.size();
    let backend = ratatui::backend::TestBackend::new(width, height);
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
    assert_eq!(s.list().view_len(), 0);
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
    assert_eq!(s.session().latest(RequestKind::Switch), second);
}

#[tokio::test]
async fn remapped_modal_and_wizard_keys_work_and_show_in_footer_and_help() {
    let remap = |action: &str, key: &str| Remap {
        action: action.into(),
        keys: vec![key.into()],
        line: 1,
    };
    let remaps = ConfigFile {
        keys: vec![remap("cancel", "x"), remap("review", "ctrl-f")],
        ..ConfigFile::default()
    };
    let mut s = demo_state(160, 48).await;
    let warnings = s.configure(&remaps, false);
    assert!(warnings.is_empty(), "{warnings:?}");
    update(&mut s, ch('D'));
    assert!(matches!(s.modal(), Some(Modal::Confirm(_))));
    assert!(
        s.footer()
            .items()
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
        s.footer()
            .items()
            .iter()
            .any(|(k, d)| k == "ctrl-f" && d == "review")
    );
    let step = |s: &wbauto::app::State| match s.screen() {
        wbauto::app::screens::Screen::Wizard(w) => w.wizard().step,
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
    s.configure(&remaps, false);
    update(&mut s, ch('?'));
    let text = crate::support::dashboard::help_lines(&s);
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
        let in_palette = palette.names();
        assert!(!in_palette.is_empty(), "{words}");
        // Help lists the list's commands first, under no heading: the same ones match there.
        let mut s = demo_state(160, 48).await;
        update(&mut s, ch('?'));
        typed(&mut s, words);
        let Some(Modal::Help(help)) = s.modal() else {
            panic!("no help")
        };
        let in_help: Vec<String> = help.doc().lines[2..]
            .iter()
            .take_while(|l| !l.pieces.is_empty() && l.pieces.iter().any(|p| !p.text.is_empty()))
            .filter_map(|l| {
                let text: String = l.pieces.iter().map(|p| p.text.as_str()).collect();
                let name = text.rsplit_once('[')?.1.strip_suffix(']')?.to_string();
                Some(name)
            })
            .collect();
        assert_eq!(in_palette, in_help, "{words}");
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
    assert!(!s.writes().any_pending());
    update(&mut s, ch('q'));
    assert!(s.quitting(), "q still quits");
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
        ("engine", &["app", "ui", "cli", "ops", "tui"]),
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

/// No screen or modal reaches another: they queue intents, and only the registries (`mod.rs`)
/// name them all.
#[test]
fn screens_and_modals_do_not_import_each_other() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/app");
    let reference = regex::Regex::new(r"\b(screens|modals)::[a-z_]+").unwrap();
    let mut broken = Vec::new();
    for folder in ["screens", "modals"] {
        let mut stack = vec![root.join(folder)];
        let siblings: Vec<String> = std::fs::read_dir(root.join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().is_some_and(|n| n != "mod.rs"))
            .map(|p| p.file_stem().unwrap().to_string_lossy().to_string())
            .collect();
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            if path.parent() == Some(&root.join(folder)) && path.ends_with("mod.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for line in text.lines() {
                let sibling = siblings.iter().any(|s| {
                    line.contains(&format!("super::{s}::"))
                        || line.contains(&format!("super::{s};"))
                });
                if reference.is_match(line) || (sibling && !line.trim_start().starts_with("//")) {
                    broken.push(format!("{}: {}", path.display(), line.trim()));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "screens or modals reaching each other:\n{}",
        broken.join("\n")
    );
}

/// A list store changed step by step shows what a store built from scratch shows.
mod list_store {
    use proptest::prelude::*;
    use wbauto::app::store::list::{AutomationList, SortKey};
    use wbauto::backend::{Listing, SavedAutomation};

    #[derive(Clone, Debug)]
    enum Op {
        Toggle(usize),
        Rename(usize, String),
        Touch(usize, i64),
        Remove(usize),
        Sort(usize, bool),
        Filter(String),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0usize..12).prop_map(Op::Toggle),
            (0usize..12, "[a-d]{1,3}").prop_map(|(i, n)| Op::Rename(i, n)),
            (0usize..12, 0i64..5).prop_map(|(i, t)| Op::Touch(i, t)),
            (0usize..12).prop_map(Op::Remove),
            (0usize..5, any::<bool>()).prop_map(|(k, r)| Op::Sort(k, r)),
            prop_oneof![
                Just(String::new()),
                Just("a".to_string()),
                Just("on:".to_string()),
                Just("off: b".to_string())
            ]
            .prop_map(Op::Filter),
        ]
    }

    fn listing() -> Listing {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(crate::support::dashboard::demo_listing())
    }

    fn fresh(
        items: &[SavedAutomation],
        sort: SortKey,
        reverse: bool,
        filter: &str,
    ) -> AutomationList {
        let mut list = AutomationList::default();
        list.replace(
            Listing {
                automations: items.to_vec(),
                unreadable: Vec::new(),
            },
            0,
            |_| None,
        );
        list.set_sort(sort, reverse);
        list.set_filter(filter);
        list
    }

    fn ids(list: &AutomationList) -> Vec<String> {
        list.rows(0, usize::MAX)
            .map(|i| i.id().to_string())
            .collect()
    }

    fn names(list: &AutomationList) -> Vec<String> {
        list.rows(0, usize::MAX)
            .map(|i| i.saved.automation.name.clone())
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn patched_equals_rebuilt(ops in proptest::collection::vec(op(), 1..25)) {
            let base = listing();
            let mut items = base.automations.clone();
            let mut list = AutomationList::default();
            list.replace(base, 0, |_| None);
            let sorts = [SortKey::Name, SortKey::Updated, SortKey::Event, SortKey::Scope, SortKey::State];
            for op in ops {
                match op {
                    Op::Toggle(i) if i < items.len() => {
                        let a = &mut items[i].automation;
                        a.enabled = !a.enabled;
                        list.set_enabled(a.id.as_deref().unwrap(), a.enabled);
                    }
                    Op::Rename(i, name) if i < items.len() => {
                        items[i].automation.name = name;
                        list.upsert(items[i].clone());
                    }
                    Op::Touch(i, t) if i < items.len() => {
                        let stamp = jiff::Timestamp::from_second(1_795_000_000 + t * 60).unwrap();
                        items[i].automation.updated_at = Some(stamp.to_string());
                        list.upsert(items[i].clone());
                    }
                    Op::Remove(i) if i < items.len() => {
                        let gone = items.remove(i);
                        list.remove(gone.automation.id.as_deref().unwrap());
                    }
                    Op::Sort(k, r) => list.set_sort(sorts[k], r),
                    Op::Filter(f) => list.set_filter(&f),
                    _ => {}
                }
                let expected = fresh(&items, list.sort(), list.reverse(), list.filter());
                // The same rows, in the same order (rows that tie on the sort key and the name
                // may sit either way, so the order is compared by name).
                prop_assert_eq!(names(&list), names(&expected));
                let (mut shown, mut want) = (ids(&list), ids(&expected));
                shown.sort();
                want.sort();
                prop_assert_eq!(shown, want);
                prop_assert_eq!(list.len(), items.len());
                prop_assert_eq!(list.disabled(), items.iter().filter(|s| !s.automation.enabled).count());
                for s in &items {
                    prop_assert!(list.get(s.automation.id.as_deref().unwrap()).is_some());
                }
            }
        }
    }
}
