//! What the wizard does with answers as a newcomer gives them: an integration never carried
//! from Slack to a webhook, patterns and payload variables checked at their own step, messages
//! that go once fixed, refused saves that come back focused on the field, no sentence made up
//! from answers that do not parse, and template titles and names that follow the condition.

use crate::support::dashboard::{ch, ctrl, demo_state, key, typed};
use crate::wizard_screen::{open, render, threshold_to, wizard};
use crossterm::event::KeyCode;
use wbauto::app::msg::{Effect, Msg};
use wbauto::app::screens::wizard::WizardMsg;
use wbauto::app::{State, update};
use wbauto::backend::BackendError;
use wbauto::model::{ActionKind, Problem};
use wbauto::wizard::Step;

/// The focused field's label as drawn (`▶ label` at the left edge of the step's box).
fn focused_label(s: &State) -> String {
    render(s)
        .lines()
        .find_map(|l| l.split_once("││▶ ").map(|(_, r)| r.trim().to_string()))
        .unwrap_or_default()
}

/// Tabs to the field labelled `label` on the current step.
fn focus_field(s: &mut State, label: &str) {
    for _ in 0..12 {
        if focused_label(s).starts_with(label) {
            return;
        }
        update(s, key(KeyCode::Tab));
    }
    panic!("no field {label}: {}", render(s));
}

fn errors(s: &State) -> Vec<String> {
    wizard(s)
        .wizard()
        .errors
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[tokio::test]
async fn switching_slack_to_a_webhook_never_carries_the_channel() {
    let mut s = demo_state(160, 48).await;
    open(&mut s);
    threshold_to(&mut s, Step::Action);
    assert_eq!(wizard(&s).wizard().answers.integration, "#ml-alerts");
    focus_field(&mut s, "then");
    update(&mut s, key(KeyCode::Right));
    let a = &wizard(&s).wizard().answers;
    assert_eq!(a.action, ActionKind::Webhook);
    assert_eq!(a.integration, "", "a Slack channel is no webhook");
    update(&mut s, key(KeyCode::PageDown));
    assert_eq!(wizard(&s).wizard().step, Step::Action, "{:?}", errors(&s));
    assert!(errors(&s).contains(&"action.integration: pick a webhook".to_string()));
    update(&mut s, ctrl('s'));
    let screen = render(&s);
    assert!(!screen.contains("#ml-alerts"), "{screen}");
    // Back to Slack: the channel is one the backend offers again.
    update(&mut s, key(KeyCode::PageUp));
    update(&mut s, key(KeyCode::PageUp));
    focus_field(&mut s, "then");
    update(&mut s, key(KeyCode::Left));
    focus_field(&mut s, "channel");
    update(&mut s, key(KeyCode::Right));
    update(&mut s, key(KeyCode::BackTab));
    update(&mut s, key(KeyCode::Right));
    let a = &wizard(&s).wizard().answers;
    assert_eq!(
        (a.action, a.integration.as_str()),
        (ActionKind::Webhook, "")
    );
}

#[tokio::test]
async fn a_bad_run_name_pattern_is_flagged_at_the_condition_and_a_refused_save_focuses_it() {
    let mut s = demo_state(160, 48).await;
    open(&mut s);
    threshold_to(&mut s, Step::Condition);
    focus_field(&mut s, "run name");
    typed(&mut s, "([");
    update(&mut s, key(KeyCode::PageDown));
    assert_eq!(wizard(&s).wizard().step, Step::Condition);
    assert!(
        errors(&s)
            .iter()
            .any(|e| e.starts_with("event.run_filter: $regex \"([\" is not a valid")),
        "{:?}",
        errors(&s)
    );
    assert!(focused_label(&s).starts_with("run name"), "{}", render(&s));
    // Straight to the Review and save: refused, back at the run name, focused.
    update(&mut s, ctrl('s'));
    update(&mut s, key(KeyCode::BackTab));
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::SaveWizard { .. })),
        "{effects:?}"
    );
    assert_eq!(wizard(&s).wizard().step, Step::Condition);
    assert!(focused_label(&s).starts_with("run name"), "{}", render(&s));
    update(&mut s, key(KeyCode::Backspace));
    update(&mut s, key(KeyCode::Backspace));
    typed(&mut s, "^sweep-");
    assert_eq!(wizard(&s).wizard().answers.run_name, "^sweep-");
    assert!(
        !errors(&s).iter().any(|e| e.starts_with("event.run_filter")),
        "fixed: the message goes at once: {:?}",
        errors(&s)
    );
}

/// Saves from the Review and has the server refuse with `error`.
fn refused(s: &mut State, error: BackendError) {
    update(s, ctrl('s'));
    update(s, key(KeyCode::BackTab));
    let effects = update(s, key(KeyCode::Enter));
    assert!(
        matches!(effects.as_slice(), [Effect::SaveWizard { .. }, ..]),
        "{effects:?}"
    );
    update(
        s,
        Msg::from(WizardMsg::Saved {
            edit: false,
            result: Box::new(Err(error)),
        }),
    );
}

#[tokio::test]
async fn a_refused_save_returns_to_the_field_focused_so_no_key_is_lost() {
    let mut s = demo_state(160, 48).await;
    open(&mut s);
    threshold_to(&mut s, Step::Review);
    refused(
        &mut s,
        BackendError::Conflict("the name \"loss-threshold\" is already used".into()),
    );
    assert_eq!(wizard(&s).wizard().step, Step::Details);
    assert!(focused_label(&s).starts_with("name"), "{}", render(&s));
    typed(&mut s, "-2");
    assert_eq!(wizard(&s).wizard().answers.name, "loss-threshold-2");
    assert!(errors(&s).is_empty(), "the name changed: the message goes");
    refused(
        &mut s,
        BackendError::Invalid(vec![Problem::new(
            "action.integration",
            "no Slack integration named \"#x\"",
        )]),
    );
    assert_eq!(wizard(&s).wizard().step, Step::Action);
    assert!(focused_label(&s).starts_with("channel"), "{}", render(&s));
    update(&mut s, ctrl('u'));
    typed(&mut s, "#oncall");
    assert_eq!(wizard(&s).wizard().answers.integration, "#oncall");
}

#[tokio::test]
async fn messages_go_as_soon_as_the_answer_is_fixed() {
    let mut s = demo_state(160, 48).await;
    open(&mut s);
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, key(KeyCode::PageDown));
    assert!(errors(&s).contains(&"scope.project: pick a project".to_string()));
    assert!(focused_label(&s).starts_with("project"), "{}", render(&s));
    update(&mut s, key(KeyCode::Right));
    assert!(errors(&s).is_empty(), "{:?}", errors(&s));
    assert!(!render(&s).contains("pick a project"));
    // The webhook payload: the old parse error goes once the JSON is fixed.
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, ch('d'));
    open(&mut s);
    update(&mut s, ch('k'));
    update(&mut s, ch('k'));
    update(&mut s, key(KeyCode::Enter));
    threshold_to(&mut s, Step::Action);
    focus_field(&mut s, "payload");
    update(&mut s, key(KeyCode::End));
    typed(&mut s, ",");
    update(&mut s, key(KeyCode::Tab));
    assert!(
        errors(&s).iter().any(|e| e.contains("not valid JSON")),
        "{:?}",
        errors(&s)
    );
    update(&mut s, key(KeyCode::BackTab));
    update(&mut s, key(KeyCode::Backspace));
    let screen = render(&s);
    assert!(screen.contains("✓ valid JSON"), "{screen}");
    assert!(!screen.contains("not valid JSON"), "{screen}");
}

#[tokio::test]
async fn a_threshold_that_is_not_a_number_shows_the_problem_not_a_sentence() {
    let mut s = demo_state(160, 48).await;
    open(&mut s);
    threshold_to(&mut s, Step::Condition);
    focus_field(&mut s, "threshold");
    update(&mut s, ctrl('u'));
    typed(&mut s, "abc");
    let screen = render(&s);
    assert!(
        screen.contains("no sentence yet: threshold: type a number (got \"abc\")"),
        "{screen}"
    );
    assert!(!screen.contains("fires when"), "{screen}");
    assert!(
        !screen.contains("over the last"),
        "no window made up: {screen}"
    );
    update(&mut s, ctrl('s'));
    let screen = render(&s);
    assert!(
        screen.contains("Not ready: 2 step(s) to finish"),
        "{screen}"
    );
    assert!(
        screen.contains("Condition  ✗ type a number (got \"abc\")"),
        "{screen}"
    );
    assert!(!screen.contains("goes above 0"), "{screen}");
}

#[tokio::test]
async fn template_titles_and_names_follow_the_condition_until_typed_and_never_collide() {
    let mut s = demo_state(160, 48).await;
    open(&mut s);
    threshold_to(&mut s, Step::Condition);
    focus_field(&mut s, "metric");
    update(&mut s, ctrl('u'));
    typed(&mut s, "val_acc");
    focus_field(&mut s, "is");
    update(&mut s, key(KeyCode::Right));
    update(&mut s, key(KeyCode::Right));
    focus_field(&mut s, "threshold");
    update(&mut s, ctrl('u'));
    typed(&mut s, "0.8");
    let a = &wizard(&s).wizard().answers;
    assert_eq!(a.name, "val_acc-threshold");
    assert!(render(&s).contains("went below 0.8"), "{}", render(&s));
    // A title typed by the user stays as typed.
    update(&mut s, key(KeyCode::PageDown));
    focus_field(&mut s, "title");
    update(&mut s, ctrl('u'));
    typed(&mut s, "mine");
    update(&mut s, key(KeyCode::PageUp));
    focus_field(&mut s, "threshold");
    typed(&mut s, "5");
    update(&mut s, ctrl('s'));
    let screen = render(&s);
    assert!(screen.contains("title: mine"), "{screen}");
    assert!(screen.contains("name: val_acc-threshold"), "{screen}");
    // The demo has loss-plateau and accuracy-anomaly: the templates suggest a free name.
    for (ups, name) in [(6, "loss-plateau-2"), (5, "accuracy-anomaly-2")] {
        update(&mut s, key(KeyCode::Esc));
        update(&mut s, ch('d'));
        open(&mut s);
        for _ in 0..ups {
            update(&mut s, key(KeyCode::Up));
        }
        update(&mut s, key(KeyCode::Enter));
        assert_eq!(wizard(&s).wizard().answers.name, name);
    }
}

#[tokio::test]
async fn ctrl_u_clears_a_text_field_and_still_pages_up_in_the_list() {
    let mut s = demo_state(160, 48).await;
    update(&mut s, ch('G'));
    let bottom = s.selection().selected();
    update(&mut s, ctrl('u'));
    assert!(
        s.selection().selected() < bottom,
        "half a page up in the list"
    );
    open(&mut s);
    threshold_to(&mut s, Step::Condition);
    focus_field(&mut s, "metric");
    update(&mut s, ctrl('u'));
    assert_eq!(wizard(&s).wizard().answers.metric, "");
}

#[tokio::test]
async fn the_variable_menu_offers_run_name_and_an_unknown_variable_is_flagged() {
    let mut s = demo_state(160, 48).await;
    open(&mut s);
    threshold_to(&mut s, Step::Action);
    focus_field(&mut s, "then");
    update(&mut s, key(KeyCode::Right));
    focus_field(&mut s, "webhook");
    update(&mut s, key(KeyCode::Right));
    focus_field(&mut s, "payload");
    typed(&mut s, "{\"run\": \"");
    update(&mut s, ctrl('v'));
    let screen = render(&s);
    assert!(screen.contains("${run_name}"), "{screen}");
    while !render(&s).contains("▶ ${run_name}") {
        update(&mut s, key(KeyCode::Down));
    }
    update(&mut s, key(KeyCode::Enter));
    typed(&mut s, "\", \"id\": \"${run_id}\"}");
    assert_eq!(
        wizard(&s).wizard().answers.payload,
        "{\"run\": \"${run_name}\", \"id\": \"${run_id}\"}"
    );
    let screen = render(&s);
    assert!(
        screen.contains("⚠ ${run_id} is not a variable of a metric threshold event"),
        "{screen}"
    );
    update(&mut s, key(KeyCode::PageDown));
    assert_eq!(wizard(&s).wizard().step, Step::Action);
    assert!(
        errors(&s)
            .iter()
            .any(|e| e.starts_with("action.payload: ${run_id} is not a variable")),
        "{:?}",
        errors(&s)
    );
}
