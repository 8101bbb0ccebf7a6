//! Text that fits where it is drawn: toasts whole and inside the box under them, help's key
//! column and its one bottom edge, the wizard's discard box, long lines scrolled sideways, the
//! footer that says `? more`, the sort at 80 columns and every list column from 100.

use crate::support::dashboard::render;
use crate::support::dashboard::{Overlay, ch, demo_state, key, overlay};
use crate::ui_snapshots::load_activity;
use crate::wizard_screen::open;
use crossterm::event::KeyCode;
use wbauto::app::update;

/// The text inside every toast box on the screen, each box's rows joined with spaces.
fn toast_texts(screen: &str) -> Vec<String> {
    let rows: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let mut out = Vec::new();
    for (y, row) in rows.iter().enumerate() {
        let line: String = row.iter().collect();
        let Some(at) = line.find("┌ ✓ ") else {
            continue;
        };
        let x = line[..at].chars().count();
        let right = x + row[x..].iter().position(|c| *c == '┐').unwrap();
        let mut words = Vec::new();
        for below in &rows[y + 1..] {
            if below[x] == '└' {
                break;
            }
            words.push(below[x + 1..right].iter().collect::<String>());
        }
        out.push(
            words
                .join(" ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    out
}

#[tokio::test]
async fn stacked_toasts_are_shown_whole_and_inside_the_detail_pane() {
    // The detail pane's top edge: beside the list at 160 columns, below it at 80.
    for (w, h, top) in [(160, 48, 1), (80, 24, 16)] {
        let mut s = demo_state(w, h).await;
        update(&mut s, ch('c'));
        update(&mut s, ch('C'));
        let texts: Vec<String> = s.toasts().iter().map(|t| t.text.clone()).collect();
        assert_eq!(texts.len(), 2);
        let screen = render(&s);
        assert_eq!(toast_texts(&screen), texts, "{screen}");
        // The box under them keeps its right edge and its bottom edge.
        let rows: Vec<&str> = screen.lines().collect();
        for row in &rows[top + 1..rows.len() - 2] {
            assert!(row.ends_with("│\""), "{row}\n{screen}");
        }
        let bottom = rows[rows.len() - 2];
        assert!(bottom.ends_with("────┘\""), "{bottom}\n{screen}");
    }
}

#[tokio::test]
async fn help_starts_with_the_screens_keys_and_never_runs_keys_into_words() {
    let mut s = demo_state(160, 48).await;
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, ch('?'));
    let lines = crate::support::dashboard::help_lines(&s);
    assert_eq!(lines[2], "detail — keys here", "{lines:#?}");
    let at = |text: &str| lines.iter().position(|l| l.contains(text)).unwrap();
    assert!(at("[next_tab]") < at("[filter]"), "{lines:#?}");
    let buttons = lines
        .iter()
        .find(|l| l.contains("[switch_button]"))
        .unwrap();
    assert!(
        buttons.starts_with("tab backtab ← → move between the buttons"),
        "{buttons}"
    );
    assert!(!lines.iter().any(|l| l.contains("→move")), "{lines:#?}");
    // From the list, the list's keys come first.
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, ch('q'));
    update(&mut s, ch('?'));
    assert_eq!(
        crate::support::dashboard::help_lines(&s)[2],
        "list — keys here"
    );
}

#[tokio::test]
async fn help_at_80_columns_has_one_bottom_edge() {
    let mut s = demo_state(80, 24).await;
    update(&mut s, ch('?'));
    assert!(matches!(overlay(&s), Overlay::Help { .. }));
    let screen = render(&s);
    let edges = screen
        .lines()
        .filter(|l| l.starts_with("\"└") && l.ends_with("┘\""))
        .count();
    assert_eq!(edges, 1, "{screen}");
}

#[tokio::test]
async fn the_discard_box_says_every_choice_in_full() {
    for (w, h) in [(80, 24), (60, 15)] {
        let mut s = demo_state(w, h).await;
        // Two toasts still up never cover it.
        update(&mut s, ch('c'));
        update(&mut s, ch('C'));
        open(&mut s);
        update(&mut s, key(KeyCode::Enter));
        update(&mut s, key(KeyCode::Esc));
        let screen = render(&s);
        for words in [
            "Discard your answers?",
            "esc or d  discard them",
            "keep them as a draft for later",
            "any other key goes back to the wizard",
        ] {
            assert!(screen.contains(words), "{words}: {screen}");
        }
    }
}

#[tokio::test]
async fn long_lines_scroll_sideways_and_the_filter_is_decoded() {
    let mut s = demo_state(120, 40).await;
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, key(KeyCode::Tab));
    let screen = render(&s);
    assert!(screen.contains("h/l: more to the right ▸"), "{screen}");
    assert!(
        !screen.contains("\"change_dir\\\\\\\":\\\\\\\"DECREASE"),
        "{screen}"
    );
    update(&mut s, ch('G'));
    let screen = render(&s);
    assert!(
        screen.contains("event.filter, the JSON W&B keeps inside that string, decoded:")
            && screen.contains("\"change_dir\": \"DECREASE\""),
        "{screen}"
    );
    update(&mut s, ch('g'));
    for _ in 0..4 {
        update(&mut s, ch('l'));
    }
    let screen = render(&s);
    assert!(screen.contains("◂ more to the left (h/l)"), "{screen}");
    assert!(
        screen.contains("DECREASE"),
        "the end of the filter line: {screen}"
    );
    update(&mut s, key(KeyCode::Left));
    assert!(render(&s).contains("◂ h/l ▸"));
    // The Python tab scrolls too; a tab starts at the first column.
    update(&mut s, key(KeyCode::Tab));
    assert!(render(&s).contains("h/l: more to the right ▸") || !render(&s).contains("◂"));
    // The raw view (y) likewise.
    update(&mut s, ch('q'));
    update(&mut s, ch('y'));
    assert!(matches!(overlay(&s), Overlay::Raw { .. }));
    update(&mut s, ch('l'));
    assert!(render(&s).contains("◂ h/l ▸"), "{}", render(&s));
}

#[tokio::test]
async fn the_footer_says_more_when_keys_are_left_out_and_the_sort_shows_at_80() {
    let mut s = demo_state(80, 24).await;
    let screen = render(&s);
    let footer = screen.lines().last().unwrap();
    assert!(footer.contains("? more"), "{footer}");
    assert!(screen.lines().next().unwrap().contains("↑name"), "{screen}");
    update(&mut s, ch('S'));
    assert!(render(&s).lines().next().unwrap().contains("↓name"));
    let wide = render(&demo_state(200, 40).await);
    assert!(wide.lines().last().unwrap().contains("? help"), "{wide}");
}

#[tokio::test]
async fn every_list_column_shows_from_100_columns() {
    for width in [100, 110, 119, 120] {
        let mut s = demo_state(width, 30).await;
        load_activity(&mut s, false);
        let screen = render(&s);
        let titles = screen.lines().nth(1).unwrap();
        for column in ["NAME", "EVENT", "SCOPE", "ACTION", "LAST", "UPD"] {
            assert!(titles.contains(column), "{width}: {column}: {titles}");
        }
    }
}

#[tokio::test]
async fn the_header_keeps_its_age_at_60_columns() {
    let s = demo_state(60, 15).await;
    let screen = render(&s);
    let header = screen.lines().next().unwrap();
    assert!(header.contains("↑name │ 0s ago"), "{header}");
    assert!(!header.contains("local.db"), "{header}");
    let wide = render(&demo_state(80, 24).await);
    assert!(wide.lines().next().unwrap().contains("local local.db"));
}
