//! The wizard's state machine, without a terminal: every event × action reaches Review and builds a
//! valid automation, every validation rule refuses bad input with its message, templates, editing.

use crate::support::dashboard;

use wbauto::backend::wandb::features::Features;
use wbauto::file::{read::from_document, to_value};
use wbauto::model::{
    ActionKind, ArtifactEvent, Capabilities, EventKind, RunState, ScopeKind, validate,
};
use wbauto::wizard::{Step, Template, Wizard, step_of};

fn everything() -> Capabilities {
    Capabilities::everything()
}

/// Fills in what a user would pick for `event` and `action` on top of `w`'s answers.
fn complete(w: &mut Wizard, event: EventKind, action: ActionKind) {
    let a = &mut w.answers;
    a.scope_kind = match event {
        EventKind::Artifact(ArtifactEvent::Create) => ScopeKind::Collection,
        k if k.is_run_event() => ScopeKind::Project,
        _ => ScopeKind::Registry,
    };
    (a.project, a.collection, a.registry) =
        ("vision".into(), "resnet-weights".into(), "model".into());
    a.event = event;
    (a.metric, a.window, a.threshold, a.amount, a.zscore) = (
        "loss".into(),
        "5".into(),
        "85".into(),
        "0.25".into(),
        "2.5".into(),
    );
    a.states.insert(RunState::Finished);
    a.run_name = "^sweep-".into();
    a.artifact_pattern = "^prod$".into();
    a.action = action;
    a.integration = if action == ActionKind::Slack {
        "#ml-alerts".into()
    } else {
        "ci-deploy".into()
    };
    a.payload = r#"{"v": "${event_type}", "n": 1}"#.into();
    a.name = format!("{}-{}", event.file_name(), action.file_name());
}

fn walk_to_review(w: &mut Wizard, caps: &Capabilities) {
    w.step = Step::Scope;
    while w.step != Step::Review {
        let at = w.step;
        assert!(w.next(caps), "stuck at {at:?}: {:?}", w.errors);
    }
}

#[test]
fn every_event_with_every_action_reaches_review_and_builds_a_valid_automation() {
    let caps = everything();
    for event in EventKind::creatable() {
        for action in ActionKind::CREATABLE {
            let mut w = Wizard::new("acme");
            complete(&mut w, event, action);
            walk_to_review(&mut w, &caps);
            assert!(
                w.problems(Step::Review, &caps).is_empty(),
                "{event:?} {action:?}: {:?}",
                w.errors
            );
            let a = w.automation();
            assert!(
                validate(&a).is_empty(),
                "{event:?} {action:?}: {:?}",
                validate(&a)
            );
            assert_eq!(a.event.kind(), event);
            assert_eq!(a.action.kind(), action);
            // The review's automation file reads back as the same automation.
            let back = from_document(&to_value(&a, "acme", false))
                .unwrap()
                .remove(0);
            assert_eq!(back, a, "{event:?} {action:?}");
            assert!(w.sentence().starts_with("fires when "), "{}", w.sentence());
        }
    }
}

#[test]
fn integers_stay_integers_and_floats_floats() {
    let mut w = Wizard::new("acme");
    complete(&mut w, EventKind::MetricThreshold, ActionKind::NoOp);
    let file = to_value(&w.automation(), "acme", false);
    assert_eq!(file["event"]["threshold"].to_string(), "85");
    w.answers.threshold = "0.5".into();
    assert_eq!(
        to_value(&w.automation(), "acme", false)["event"]["threshold"].to_string(),
        "0.5"
    );
}

#[test]
fn every_template_reaches_review_once_scope_and_integration_are_picked() {
    for t in Template::ALL {
        let mut w = Wizard::new("acme");
        w.start_from(t);
        assert_eq!(w.step, Step::Scope);
        let a = &mut w.answers;
        (a.project, a.collection) = ("vision".into(), "resnet-weights".into());
        if a.integration.is_empty() {
            a.integration = if a.action == ActionKind::Webhook {
                "github-dispatch".into()
            } else {
                "#ml-alerts".into()
            };
        }
        if t == Template::Blank {
            complete(&mut w, EventKind::RunState, ActionKind::Slack);
        }
        walk_to_review(&mut w, &everything());
        let automation = w.automation();
        assert!(
            validate(&automation).is_empty(),
            "{t:?}: {:?}",
            validate(&automation)
        );
    }
    let mut w = Wizard::new("acme");
    w.start_from(Template::ProdAliasWebhook);
    assert_eq!(w.answers.scope_kind, ScopeKind::Collection);
    assert!(
        w.answers.payload.contains("repository") || w.answers.payload.contains("BUILD_AND_DEPLOY")
    );
}

/// Each rule: a change to valid answers, the step it belongs to, the field and a word of the message.
#[test]
fn every_validation_rule_refuses_bad_input_with_its_message() {
    type Change = fn(&mut wbauto::wizard::Answers);
    let cases: Vec<(Change, Step, &str, &str)> = vec![
        (|a| a.entity.clear(), Step::Scope, "scope.entity", "entity"),
        (
            |a| a.project.clear(),
            Step::Scope,
            "scope.project",
            "project",
        ),
        (
            |a| {
                a.scope_kind = ScopeKind::Collection;
                a.collection.clear();
            },
            Step::Scope,
            "scope.collection",
            "collection",
        ),
        (
            |a| {
                a.scope_kind = ScopeKind::Registry;
                a.registry.clear();
            },
            Step::Scope,
            "scope.registry",
            "registry",
        ),
        (
            |a| a.event = EventKind::Artifact(ArtifactEvent::Create),
            Step::Event,
            "event.type",
            "needs a collection scope",
        ),
        (
            |a| a.metric = " ".into(),
            Step::Condition,
            "event.metric",
            "metric",
        ),
        (
            |a| a.window = "0".into(),
            Step::Condition,
            "event.window",
            "1 or more",
        ),
        (
            |a| a.window = "five".into(),
            Step::Condition,
            "event.window",
            "whole number",
        ),
        (
            |a| a.threshold = "abc".into(),
            Step::Condition,
            "event.threshold",
            "type a number",
        ),
        (
            |a| {
                a.event = EventKind::MetricChange;
                a.amount = "0".into();
            },
            Step::Condition,
            "event.amount",
            "above 0",
        ),
        (
            |a| {
                a.event = EventKind::MetricChange;
                a.prior_window = "-2".into();
            },
            Step::Condition,
            "event.prior_window",
            "1 or more",
        ),
        (
            |a| {
                a.event = EventKind::MetricZScore;
                a.zscore = "-1".into();
            },
            Step::Condition,
            "event.threshold",
            "above 0",
        ),
        (
            |a| {
                a.event = EventKind::RunState;
                a.states.clear();
            },
            Step::Condition,
            "event.states",
            "at least one",
        ),
        (
            |a| a.integration.clear(),
            Step::Action,
            "action.integration",
            "Slack channel",
        ),
        (
            |a| {
                a.action = ActionKind::Webhook;
                a.payload = "{\"a\": ".into();
            },
            Step::Action,
            "action.payload",
            "not valid JSON",
        ),
        (
            |a| {
                a.action = ActionKind::Webhook;
                a.payload = "[1]".into();
            },
            Step::Action,
            "action.payload",
            "JSON object",
        ),
        (|a| a.name = "  ".into(), Step::Details, "name", "name"),
        (
            |a| a.name = "n".repeat(256),
            Step::Details,
            "name",
            "at most 255",
        ),
    ];
    for (change, step, path, word) in cases {
        let mut w = Wizard::new("acme");
        complete(&mut w, EventKind::MetricThreshold, ActionKind::Slack);
        change(&mut w.answers);
        w.step = step;
        assert!(!w.next(&everything()), "{path} should refuse");
        assert_eq!(w.step, step, "{path}: the step does not advance");
        let problem = w
            .errors
            .iter()
            .find(|p| p.path == path)
            .unwrap_or_else(|| panic!("{path}: {:?}", w.errors));
        assert!(
            problem.message.contains(word),
            "{path}: {}",
            problem.message
        );
        assert_eq!(
            step_of(path),
            if path == "event.type" {
                Step::Event
            } else {
                step
            }
        );
        let all = w.problems(Step::Review, &everything());
        assert!(
            all.iter().any(|p| p.path == path),
            "review re-checks {path}"
        );
    }
}

#[test]
fn what_the_backend_cannot_accept_is_greyed_with_the_reason() {
    let caps = Features::default().capabilities();
    let mut w = Wizard::new("acme");
    complete(&mut w, EventKind::MetricThreshold, ActionKind::Slack);
    let zscore = w
        .event_choices(&caps)
        .into_iter()
        .find(|c| c.value == EventKind::MetricZScore)
        .unwrap();
    assert!(
        zscore
            .unavailable
            .unwrap()
            .contains("AUTOMATION_EVENT_RUN_METRIC_ZSCORE")
    );
    let create = w
        .event_choices(&caps)
        .into_iter()
        .find(|c| c.value == EventKind::Artifact(ArtifactEvent::Create))
        .unwrap();
    assert_eq!(
        create.unavailable.as_deref(),
        Some("needs a collection scope")
    );
    w.answers.cmp = wbauto::model::Cmp::Eq;
    w.answers.agg = Some(wbauto::model::Agg::Sum);
    w.step = Step::Condition;
    assert!(!w.next(&caps));
    let paths: Vec<&str> = w.errors.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["event.cmp", "event.agg"]);
    w.answers.scope_kind = ScopeKind::Team;
    assert!(
        w.problems(Step::Scope, &caps)[0]
            .message
            .contains("AUTOMATION_SCOPE_ENTITY")
    );
}

#[test]
fn back_keeps_answers_and_server_errors_jump_to_their_step() {
    let mut w = Wizard::new("acme");
    complete(&mut w, EventKind::MetricThreshold, ActionKind::Slack);
    walk_to_review(&mut w, &everything());
    w.back();
    assert_eq!(w.step, Step::Details);
    assert_eq!(w.answers.metric, "loss");
    w.step = Step::Review;
    w.show_problems(vec![
        wbauto::model::Problem::new("action.integration", "no Slack integration named \"#x\""),
        wbauto::model::Problem::new("name", "taken"),
    ]);
    assert_eq!(w.step, Step::Action, "the first step concerned");
    assert_eq!(w.errors.len(), 2);
}

#[tokio::test]
async fn editing_and_duplicating_demo_automations_round_trips() {
    let listing = dashboard::demo_listing().await;
    let names: Vec<String> = listing
        .automations
        .iter()
        .map(|s| s.automation.name.clone())
        .collect();
    for saved in &listing.automations {
        let a = &saved.automation;
        match Wizard::from_automation(a, true, &names) {
            Err(message) => {
                assert!(a.read_only_reason().is_some(), "{message}");
                assert!(message.contains("cannot be edited"), "{message}");
            }
            Ok(w) => {
                let mut expected = a.clone();
                if let Some(i) = expected.action.integration_mut() {
                    *i = wbauto::model::IntegrationRef::named(&i.label);
                }
                expected.scope.id = None;
                let mut rebuilt = w.automation();
                if expected.description.is_none() {
                    rebuilt.description = None;
                }
                assert_eq!(rebuilt, expected, "{}", a.name);
                let copy = Wizard::from_automation(a, false, &names).unwrap();
                assert_eq!(copy.answers.name, format!("{}-copy", a.name));
                assert!(copy.editing.is_none() && copy.automation().id.is_none());
            }
        }
    }
    assert_eq!(
        wbauto::wizard::fresh_name("a", &["a-copy".into(), "a-copy-2".into()]),
        "a-copy-3"
    );
}

#[test]
fn payload_variables_fit_the_event_and_preview_with_samples() {
    use wbauto::wizard::variables::{for_event, preview};
    let alias = for_event(EventKind::Artifact(ArtifactEvent::AddAlias));
    assert!(
        alias.iter().any(|v| v.text() == "${alias}")
            && alias
                .iter()
                .any(|v| v.text() == "${artifact_version_string}")
    );
    let run = for_event(EventKind::RunState);
    let names: Vec<&str> = run.iter().map(|v| v.name).collect();
    assert!(
        names.contains(&"run_name") && !names.iter().any(|n| n.starts_with("artifact")),
        "run events have the general and the run's variables: {names:?}"
    );
    assert_eq!(
        preview(r#"{"by": "${event_author}"}"#, EventKind::RunState),
        r#"{"by": "ada"}"#
    );
}
