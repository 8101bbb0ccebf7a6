//! The wizard inside the dashboard: every step drawn at 80x24 and 160x48 (with errors and greyed
//! options), and keys driving it to a saved automation, with server errors sent back to their step.

use crate::support::dashboard;
use wbauto::app::screens::wizard::WizardMsg;

use crate::support::dashboard::{Overlay, overlay, set_filter};
use crossterm::event::KeyCode;
use dashboard::{ch, ctrl, demo_state, key, typed};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use wbauto::app::msg::{Effect, Msg};
use wbauto::app::{State, update};
use wbauto::backend::BackendError;
use wbauto::model::Problem;
use wbauto::wizard::Step;
use wbauto::wizard::fields::PickerChoices;

pub(crate) fn render(state: &State) -> String {
    let mut terminal = Terminal::new(TestBackend::new(state.size().0, state.size().1)).unwrap();
    terminal.draw(|f| wbauto::ui::view(state, f)).unwrap();
    terminal.backend().to_string()
}

pub(crate) fn options() -> PickerChoices {
    PickerChoices {
        projects: vec!["nlp".into(), "speech".into(), "vision".into()],
        registries: vec![
            ("dataset".into(), "acme-corp".into()),
            ("model".into(), "acme-corp".into()),
        ],
        collections: vec![],
        slack: vec!["#ml-alerts".into(), "#oncall".into()],
        webhooks: vec!["ci-deploy".into(), "github-dispatch".into()],
    }
}

/// Opens the wizard and delivers the picker options.
pub(crate) fn open(state: &mut State) {
    let effects = update(state, ch('n'));
    let [Effect::LoadOptions { request, entity }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(entity, "acme");
    update(
        state,
        Msg::from(WizardMsg::Options {
            request: *request,
            result: Ok(options()),
        }),
    );
}

pub(crate) fn wizard(state: &State) -> &wbauto::app::screens::wizard::WizardScreen {
    match state.screen() {
        wbauto::app::screens::Screen::Wizard(w) => w,
        _ => panic!("no wizard: {:?}", overlay(state)),
    }
}

/// Snapshots a wizard screen at both sizes; `setup` brings it there from the opened wizard.
async fn both(name: &str, setup: impl Fn(&mut State)) {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut state = demo_state(w, h).await;
        open(&mut state);
        setup(&mut state);
        insta::assert_snapshot!(format!("wizard_{name}_{w}x{h}"), render(&state));
    }
}

/// From the start step, the "metric threshold to Slack" template through to `step`.
pub(crate) fn threshold_to(state: &mut State, step: Step) {
    update(state, key(KeyCode::Down));
    update(state, key(KeyCode::Enter));
    update(state, key(KeyCode::Tab));
    update(state, key(KeyCode::Tab));
    update(state, key(KeyCode::Right));
    update(state, key(KeyCode::Right));
    while wizard(state).wizard().step < step {
        update(state, key(KeyCode::PageDown));
        if wizard(state).wizard().step == Step::Action {
            update(state, key(KeyCode::Tab));
            update(state, key(KeyCode::Right));
        }
    }
}

#[tokio::test]
async fn every_step_is_drawn() {
    both("start", |_| {}).await;
    for step in [
        Step::Scope,
        Step::Event,
        Step::Condition,
        Step::Action,
        Step::Details,
        Step::Review,
    ] {
        both(&step.title().to_lowercase(), |s| threshold_to(s, step)).await;
    }
}

#[tokio::test]
async fn errors_greyed_options_webhook_payload_and_discard_are_drawn() {
    both("condition_errors", |s| {
        threshold_to(s, Step::Condition);
        update(s, ch('x'));
        for _ in 0..4 {
            update(s, key(KeyCode::Tab));
        }
        update(s, key(KeyCode::Backspace));
        update(s, key(KeyCode::Backspace));
        update(s, key(KeyCode::Backspace));
        typed(s, "abc");
        update(s, key(KeyCode::PageDown));
    })
    .await;
    for (w, h) in [(80, 24), (160, 48)] {
        let caps = wbauto::backend::wandb::features::Features::default().capabilities();
        let mut state = crate::support::dashboard::demo_state_on(w, h, caps).await;
        open(&mut state);
        threshold_to(&mut state, Step::Event);
        insta::assert_snapshot!(format!("wizard_greyed_events_{w}x{h}"), render(&state));
    }
    both("webhook_payload", |s| {
        update(s, ch('k'));
        update(s, ch('k'));
        update(s, key(KeyCode::Enter));
        threshold_to(s, Step::Action);
        update(s, key(KeyCode::Tab));
        update(s, key(KeyCode::Up));
        update(s, key(KeyCode::End));
        typed(s, ",");
    })
    .await;
    both("discard", |s| {
        update(s, key(KeyCode::Enter));
        update(s, key(KeyCode::Esc));
    })
    .await;
}

#[tokio::test]
async fn keys_create_an_automation_and_select_it() {
    let mut s = demo_state(160, 48).await;
    open(&mut s);
    threshold_to(&mut s, Step::Review);
    assert_eq!(
        wizard(&s).wizard().step,
        Step::Review,
        "{:?}",
        wizard(&s).wizard().errors
    );
    update(&mut s, key(KeyCode::BackTab));
    let effects = update(&mut s, key(KeyCode::Enter));
    let [
        Effect::SaveWizard {
            automation,
            edit: false,
            ..
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(automation.name, "loss-threshold");
    assert_eq!(automation.scope.path.to_string(), "project acme/speech");
    assert!(wizard(&s).saving());
    // The server says the name is taken: back to Details with the message under the name.
    update(
        &mut s,
        Msg::from(WizardMsg::Saved {
            edit: false,
            result: Box::new(Err(BackendError::Conflict(
                "the name \"loss-threshold\" is already used".into(),
            ))),
        }),
    );
    let w = wizard(&s);
    assert_eq!(w.wizard().step, Step::Details);
    assert!(w.wizard().errors[0].message.contains("already used"));
    assert!(!w.saving());
    // A missing integration goes back to the Action step.
    update(
        &mut s,
        Msg::from(WizardMsg::Saved {
            edit: false,
            result: Box::new(Err(BackendError::Invalid(vec![Problem::new(
                "action.integration",
                "no Slack integration named \"#x\"",
            )]))),
        }),
    );
    assert_eq!(wizard(&s).wizard().step, Step::Action);
    // Saved: the wizard closes and the new automation is selected.
    let mut saved = s.list().items()[0].saved.clone();
    saved.automation.name = "loss-threshold".into();
    saved.automation.id = Some("VHJpZ2dlcjo5OQ==".into());
    update(
        &mut s,
        Msg::from(WizardMsg::Saved {
            edit: false,
            result: Box::new(Ok(saved)),
        }),
    );
    assert_eq!(overlay(&s), Overlay::None);
    assert_eq!(dashboard::selected(&s), "loss-threshold");
    assert!(
        s.toasts()
            .back()
            .unwrap()
            .text
            .starts_with("created loss-threshold")
    );
}

#[tokio::test]
async fn edit_and_duplicate_open_prefilled_and_read_only_refuses() {
    let mut s = demo_state(160, 48).await;
    let effects = update(&mut s, ch('e'));
    assert!(matches!(effects.as_slice(), [Effect::LoadOptions { .. }]));
    let w = wizard(&s);
    assert_eq!(w.wizard().step, Step::Scope);
    assert_eq!(w.wizard().answers.name, "accuracy-anomaly");
    assert!(w.wizard().editing.is_some());
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(
        overlay(&s),
        Overlay::None,
        "nothing changed: esc closes at once"
    );
    update(&mut s, ch('N'));
    assert_eq!(wizard(&s).wizard().answers.name, "accuracy-anomaly-copy");
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, ch('x'));
    update(&mut s, key(KeyCode::Esc));
    assert!(
        wizard(&s).confirm_discard(),
        "answers changed: esc asks first"
    );
    update(&mut s, key(KeyCode::Enter));
    assert!(!wizard(&s).confirm_discard());
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, ch('d'));
    assert_eq!(overlay(&s), Overlay::None);
    set_filter(&mut s, "nightly");
    assert!(update(&mut s, ch('e')).is_empty());
    assert!(s.toasts().back().unwrap().text.contains("cannot be edited"));
    s.set_read_only(Some("--read-only".into()));
    assert!(update(&mut s, ch('n')).is_empty());
    assert_eq!(overlay(&s), Overlay::None);
}

#[tokio::test]
async fn collections_load_when_a_project_is_picked_and_ctrl_r_retries_options() {
    let mut s = demo_state(160, 48).await;
    let effects = update(&mut s, ch('n'));
    let [Effect::LoadOptions { request, .. }] = effects.as_slice() else {
        panic!()
    };
    update(
        &mut s,
        Msg::from(WizardMsg::Options {
            request: *request,
            result: Err(BackendError::Network("offline".into())),
        }),
    );
    assert!(render(&s).contains("could not load choices (offline)"));
    let effects = update(&mut s, ctrl('r'));
    let [Effect::LoadOptions { request, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    update(
        &mut s,
        Msg::from(WizardMsg::Options {
            request: *request,
            result: Ok(options()),
        }),
    );
    update(&mut s, key(KeyCode::Up));
    update(&mut s, key(KeyCode::Up));
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(
        wizard(&s).wizard().answers.scope_kind,
        wbauto::model::ScopeKind::Collection
    );
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Tab));
    let effects = update(&mut s, key(KeyCode::Right));
    let [
        Effect::LoadCollections {
            project, entity, ..
        },
        Effect::SaveDraft { .. },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!((project.as_str(), entity.as_str()), ("nlp", "acme"));
}

#[tokio::test]
async fn drafts_are_saved_on_change_kept_or_discarded_and_offered_back() {
    let mut s = demo_state(160, 48).await;
    open(&mut s);
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, key(KeyCode::Tab));
    let effects = update(&mut s, ch('x'));
    let [Effect::SaveDraft { text }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    let draft = wbauto::wizard::draft::Draft::from_text(text).unwrap();
    assert_eq!(draft.answers.entity, "acmex");
    assert_eq!(draft.step, Step::Scope);
    assert!(
        update(&mut s, key(KeyCode::Tab)).is_empty(),
        "nothing changed: nothing written"
    );
    // Esc, then s: closed, the draft kept.
    update(&mut s, key(KeyCode::Esc));
    assert!(update(&mut s, ch('s')).is_empty());
    assert_eq!(overlay(&s), Overlay::None);
    assert!(s.draft().is_some());
    assert!(s.toasts().back().unwrap().text.contains("kept as a draft"));
    // n offers it first; enter resumes where it was.
    update(&mut s, ch('n'));
    assert!(
        render(&s).contains("Resume the draft: run-failed (at Scope)"),
        "{}",
        render(&s)
    );
    update(&mut s, key(KeyCode::Enter));
    let w = wizard(&s);
    assert_eq!(
        (w.wizard().step, w.wizard().answers.entity.as_str()),
        (Step::Scope, "acmex")
    );
    // Discarding forgets it.
    update(&mut s, key(KeyCode::Esc));
    let effects = update(&mut s, ch('d'));
    assert_eq!(effects, [Effect::ClearDraft]);
    assert!(s.draft().is_none());
    // Saving forgets it too.
    open(&mut s);
    threshold_to(&mut s, Step::Review);
    assert!(s.draft().is_some());
    update(&mut s, key(KeyCode::BackTab));
    update(&mut s, key(KeyCode::Enter));
    let mut saved = s.list().items()[0].saved.clone();
    saved.automation.name = "loss-threshold".into();
    saved.automation.id = Some("VHJpZ2dlcjo5OQ==".into());
    let effects = update(
        &mut s,
        Msg::from(WizardMsg::Saved {
            edit: false,
            result: Box::new(Ok(saved)),
        }),
    );
    assert_eq!(effects, [Effect::ClearDraft]);
}

#[tokio::test]
async fn a_field_is_checked_when_it_is_left() {
    let mut s = demo_state(160, 48).await;
    open(&mut s);
    threshold_to(&mut s, Step::Condition);
    for _ in 0..4 {
        update(&mut s, key(KeyCode::Tab));
    }
    update(&mut s, key(KeyCode::Backspace));
    update(&mut s, key(KeyCode::Backspace));
    update(&mut s, key(KeyCode::Backspace));
    assert!(
        wizard(&s).wizard().errors.is_empty(),
        "no error while typing"
    );
    update(&mut s, key(KeyCode::Tab));
    let errors = &wizard(&s).wizard().errors;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].path, "event.threshold");
    update(&mut s, key(KeyCode::BackTab));
    typed(&mut s, "2");
    update(&mut s, key(KeyCode::Tab));
    assert!(wizard(&s).wizard().errors.is_empty(), "fixed on leaving");
}

#[tokio::test]
async fn the_payload_is_edited_in_a_text_area() {
    let mut s = demo_state(160, 48).await;
    open(&mut s);
    update(&mut s, ch('k'));
    update(&mut s, ch('k'));
    update(&mut s, key(KeyCode::Enter));
    threshold_to(&mut s, Step::Action);
    update(&mut s, key(KeyCode::Tab));
    let before = wizard(&s).wizard().answers.payload.clone();
    update(&mut s, key(KeyCode::Enter));
    typed(&mut s, "x");
    assert_eq!(
        wizard(&s).wizard().answers.payload,
        format!("{before}\nx"),
        "enter adds a line at the cursor (the end)"
    );
    update(&mut s, key(KeyCode::Backspace));
    update(&mut s, key(KeyCode::Backspace));
    assert_eq!(wizard(&s).wizard().answers.payload, before);
    update(&mut s, ctrl('v'));
    assert_eq!(
        wizard(&s).variables(),
        Some(0),
        "ctrl-v opens the variable menu"
    );
    assert!(
        render(&s).contains("${artifact_version_string}"),
        "the menu lists the event's variables"
    );
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Enter));
    assert!(
        wizard(&s)
            .wizard()
            .answers
            .payload
            .ends_with("}${entity_name}"),
        "enter inserts the chosen variable at the cursor"
    );
    assert_eq!(wizard(&s).variables(), None);
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(wizard(&s).focus(), 0, "tab leaves the text area");
    assert!(
        wizard(&s)
            .wizard()
            .errors
            .iter()
            .any(|p| p.path == "action.payload"),
        "invalid JSON is flagged on leaving"
    );
}

#[tokio::test]
async fn a_long_payload_scrolls_with_its_cursor() {
    let mut s = demo_state(80, 24).await;
    open(&mut s);
    update(&mut s, ch('k'));
    update(&mut s, ch('k'));
    update(&mut s, key(KeyCode::Enter));
    threshold_to(&mut s, Step::Action);
    update(&mut s, key(KeyCode::Tab));
    for _ in 0..30 {
        update(&mut s, key(KeyCode::Enter));
    }
    typed(&mut s, "bottom-line");
    let screen = render(&s);
    assert!(screen.contains("bottom-line▏"), "{screen}");
    assert!(screen.contains("│ ↑ 29 more line(s)"), "{screen}");
    assert!(!screen.contains("↓ more line(s)"), "{screen}");
    assert!(
        screen.contains("▶ payload"),
        "the field's label stays in sight"
    );
    for _ in 0..50 {
        update(&mut s, key(KeyCode::Up));
    }
    let screen = render(&s);
    assert!(screen.contains("│ ▏{"), "{screen}");
    assert!(screen.contains("│ ↓ 29 more line(s)"), "{screen}");
    assert!(!screen.contains("bottom-line"), "{screen}");
}

#[tokio::test]
async fn the_review_scrolls_to_the_wire_input_on_a_small_terminal() {
    let mut s = demo_state(80, 24).await;
    open(&mut s);
    threshold_to(&mut s, Step::Review);
    assert!(!render(&s).contains("CreateFilterTriggerInput"));
    update(&mut s, ch('G'));
    let limit = s.scroll_limit();
    assert!(limit > 0);
    assert_eq!(wizard(&s).review_scroll(), limit);
    let screen = render(&s);
    assert!(screen.contains("↑ more above"), "{screen}");
    assert!(
        screen.contains("\"triggeredActionType\": \"NOTIFICATION\""),
        "{screen}"
    );
    update(&mut s, ch('j'));
    assert_eq!(wizard(&s).review_scroll(), limit, "j at the end stays");
    update(&mut s, ch('k'));
    assert_eq!(wizard(&s).review_scroll(), limit - 1, "k moves at once");
    update(&mut s, ch('g'));
    assert_eq!(wizard(&s).review_scroll(), 0);
    update(&mut s, ch('j'));
    update(&mut s, key(KeyCode::PageUp));
    assert_eq!(wizard(&s).wizard().step, Step::Details);
    assert_eq!(
        wizard(&s).review_scroll(),
        0,
        "leaving the Review resets it"
    );
}

/// Three recent runs of acme/speech: loss decaying from 0.45, `sweep-2` with a spike to 1.05.
fn recent_runs() -> std::sync::Arc<Vec<wbauto::engine::backtest::RunHistory>> {
    use wbauto::engine::event::{EngineEvent, EventBody, RunRef};
    let runs = (1..=3)
        .map(|i| {
            let run = RunRef {
                entity: "acme".into(),
                project: "speech".into(),
                run: format!("r{i}"),
                display_name: Some(format!("sweep-{i}")),
                user: None,
            };
            let events = (0..200)
                .map(|step| {
                    let base = 0.4 / (1.0 + step as f64 / 30.0) + 0.05;
                    let spike = i == 2 && (120..126).contains(&step);
                    EngineEvent {
                        run: None,
                        body: EventBody::Metric {
                            step: Some(step),
                            metrics: vec![("loss".into(), if spike { base + 0.6 } else { base })],
                        },
                        time: Some(1_780_000_000 + i * 100_000 + step * 30),
                    }
                })
                .collect();
            wbauto::engine::backtest::RunHistory {
                run,
                events,
                notes: Vec::new(),
            }
        })
        .collect();
    std::sync::Arc::new(runs)
}

/// Does what the runner does with a JudgePreview effect, and returns its answer.
fn judge(effect: &Effect) -> Msg {
    let Effect::JudgePreview {
        request,
        automation,
        histories,
    } = effect
    else {
        panic!("{effect:?}")
    };
    let options = wbauto::engine::backtest::Options {
        limit: wbauto::engine::eval::RateLimit::default(),
        trace: true,
    };
    Msg::from(WizardMsg::PreviewJudged {
        request: *request,
        result: Ok(wbauto::engine::backtest::backtest(
            automation,
            (**histories).clone(),
            options,
        )),
    })
}

/// Onto the Condition step, the recent runs delivered; the effect that asks for a verdict.
fn condition_with_runs(s: &mut State) -> Effect {
    threshold_to(s, Step::Event);
    let effects = update(s, key(KeyCode::PageDown));
    let Some(Effect::LoadPreview {
        request,
        automation,
    }) = effects
        .iter()
        .find(|e| matches!(e, Effect::LoadPreview { .. }))
    else {
        panic!("{effects:?}")
    };
    assert_eq!(automation.scope.path.to_string(), "project acme/speech");
    let effects = update(
        s,
        Msg::from(WizardMsg::PreviewLoaded {
            request: *request,
            result: Ok(recent_runs()),
        }),
    );
    effects
        .into_iter()
        .find(|e| matches!(e, Effect::JudgePreview { .. }))
        .expect("the condition judged over the runs")
}

#[tokio::test]
async fn the_condition_step_shows_the_live_verdict_with_a_small_chart() {
    both("condition_live_verdict", |s| {
        let judging = condition_with_runs(s);
        update(s, judge(&judging));
    })
    .await;
}

#[tokio::test]
async fn edits_are_judged_again_without_waiting_and_stale_verdicts_are_dropped() {
    let mut s = demo_state(120, 40).await;
    open(&mut s);
    let first = condition_with_runs(&mut s);
    update(&mut s, judge(&first));
    assert!(
        render(&s).contains("would have fired on 1 of the last 3 runs; first: sweep-2 at step 123"),
        "{}",
        render(&s)
    );
    // Raise the threshold: a new judging is asked at once; the screen keeps the old verdict,
    // marked as being judged again.
    for _ in 0..4 {
        update(&mut s, key(KeyCode::Tab));
    }
    for _ in 0..3 {
        update(&mut s, key(KeyCode::Backspace));
    }
    let effects = typed(&mut s, "2");
    let second = effects
        .into_iter()
        .find(|e| matches!(e, Effect::JudgePreview { .. }))
        .expect("a judging of the edit");
    assert!(render(&s).contains("(judging the edit…)"), "{}", render(&s));
    // The verdict of the first request arrives late: dropped.
    update(&mut s, judge(&first));
    assert!(render(&s).contains("(judging the edit…)"));
    update(&mut s, judge(&second));
    let screen = render(&s);
    assert!(
        screen.contains("would have fired on 0 of the last 3 runs"),
        "{screen}"
    );
    assert!(screen.contains("it needed > 2"), "{screen}");
}

#[tokio::test]
async fn a_new_metric_is_read_once_its_field_is_left_not_per_keystroke() {
    let mut s = demo_state(120, 40).await;
    open(&mut s);
    let first = condition_with_runs(&mut s);
    update(&mut s, judge(&first));
    // The focus is on the metric: typing a new one asks for nothing yet.
    for c in "_2".chars() {
        let effects = update(&mut s, ch(c));
        assert!(
            !effects
                .iter()
                .any(|e| matches!(e, Effect::LoadPreview { .. } | Effect::JudgePreview { .. })),
            "{effects:?}"
        );
    }
    assert!(
        render(&s).contains("follows when you leave the metric field"),
        "{}",
        render(&s)
    );
    let effects = update(&mut s, key(KeyCode::Tab));
    let Some(Effect::LoadPreview { automation, .. }) = effects
        .iter()
        .find(|e| matches!(e, Effect::LoadPreview { .. }))
    else {
        panic!("{effects:?}")
    };
    let wbauto::model::Event::RunMetric { condition, .. } = &automation.event else {
        panic!()
    };
    assert_eq!(condition.metric(), "loss_2");
}
