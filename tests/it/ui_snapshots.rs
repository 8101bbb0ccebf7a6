//! Snapshots of every screen at 80x24 and 160x48, with the demo data and with errors.

use crate::support::dashboard;
use wbauto::app::screens::detail::DetailMsg;
use wbauto::app::screens::history::HistoryMsg;
use wbauto::app::screens::integrations::IntegrationsMsg;
use wbauto::app::screens::runs::RunsMsg;

use crossterm::event::KeyCode;
use dashboard::{NOW, ch, demo_state, key, render, typed};
use wbauto::app::msg::{Effect, Msg, SaveKind};
use wbauto::app::store::session::RequestKind;
use wbauto::app::{State, update};
use wbauto::backend::BackendError;
use wbauto::model::history::{Execution, History, HistoryQuery, HistoryScope, Source, Status};
use wbauto::model::{Integration, IntegrationKind};
use wbauto::ops::LastFired;

/// Snapshots a screen at both sizes; `setup` brings the state to it.
async fn both(name: &str, setup: impl Fn(&mut State)) {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut state = demo_state(w, h).await;
        setup(&mut state);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(&state));
    }
}

#[tokio::test]
async fn list() {
    both("list", |s| {
        update(s, ch('j'));
        update(s, ch('j'));
    })
    .await;
}

#[tokio::test]
async fn list_at_100_columns_stacks_the_detail_pane() {
    let mut state = demo_state(100, 30).await;
    update(&mut state, ch('G'));
    insta::assert_snapshot!("list_100x30", render(&state));
}

#[tokio::test]
async fn filtering() {
    both("filter", |s| {
        update(s, ch('/'));
        typed(s, "event:metric loss");
    })
    .await;
}

#[tokio::test]
async fn nothing_matches() {
    both("filter_empty", |s| {
        update(s, ch('/'));
        typed(s, "zzzz");
        update(s, key(KeyCode::Enter));
    })
    .await;
}

#[tokio::test]
async fn marks_and_sort() {
    both("marks", |s| {
        update(s, ch('s'));
        update(s, ch(' '));
        update(s, ch(' '));
        update(s, ch('S'));
    })
    .await;
}

#[tokio::test]
async fn detail_tabs() {
    for (i, tab) in ["overview", "wire", "python"].iter().enumerate() {
        both(&format!("detail_{tab}"), |s| {
            typed(s, "jjjjjjj");
            update(s, key(KeyCode::Enter));
            for _ in 0..i {
                update(s, key(KeyCode::Tab));
            }
        })
        .await;
    }
}

#[tokio::test]
async fn a_local_only_automation_in_words_and_without_python() {
    for (i, tab) in ["overview", "wire", "python"].iter().enumerate() {
        both(&format!("stalled_detail_{tab}"), |s| {
            update(s, ch('G'));
            update(s, key(KeyCode::Enter));
            for _ in 0..i {
                update(s, key(KeyCode::Tab));
            }
        })
        .await;
    }
}

#[tokio::test]
async fn raw_view() {
    both("raw", |s| {
        update(s, ch('y'));
    })
    .await;
}

#[tokio::test]
async fn help_and_palette() {
    both("help", |s| {
        update(s, ch('?'));
    })
    .await;
    both("help_filtered", |s| {
        update(s, ch('?'));
        typed(s, "copy");
    })
    .await;
    both("palette", |s| {
        update(s, ch(':'));
        typed(s, "de");
    })
    .await;
}

#[tokio::test]
async fn confirmations() {
    both("delete_one", |s| {
        update(s, ch('D'));
    })
    .await;
    both("delete_marked", |s| {
        typed(s, "   ");
        update(s, ch('D'));
        typed(s, "3");
    })
    .await;
    both("toggle_marked", |s| {
        typed(s, "  ");
        update(s, ch('t'));
        update(s, key(KeyCode::Tab));
    })
    .await;
}

#[tokio::test]
async fn edit_review_and_edit_error() {
    both("edit_review", |s| {
        let id = s.selected_item().unwrap().id().to_string();
        let text =
            wbauto::app::rows::file_text(&s.selected_item().unwrap().saved.automation, "acme")
                .replace("window: 30", "window: 50")
                .replace("enabled: true", "enabled: false");
        update(
            s,
            Msg::Edited {
                id,
                result: Ok(text),
            },
        );
    })
    .await;
    both("edit_error", |s| {
        let id = s.selected_item().unwrap().id().to_string();
        update(
            s,
            Msg::Edited {
                id,
                result: Ok("name: x\nwindow: -1\n".into()),
            },
        );
    })
    .await;
}

#[tokio::test]
async fn integrations() {
    both("integrations", |s| {
        update(s, ch('i'));
        let request = s
            .session()
            .latest(wbauto::app::store::session::RequestKind::Integrations);
        let list = vec![
            Integration {
                id: "SW50ZWdyYXRpb246MQ==".into(),
                entity: "acme".into(),
                kind: IntegrationKind::Slack {
                    team_name: "acme-ml".into(),
                    channel: "#ml-alerts".into(),
                    webhook_url: Some("https://hooks.slack.com/x".into()),
                },
            },
            Integration {
                id: "SW50ZWdyYXRpb246Mw==".into(),
                entity: "acme".into(),
                kind: IntegrationKind::Webhook {
                    name: "github-dispatch".into(),
                    url: "https://api.github.com/repos/acme/deploy/dispatches".into(),
                    secret_ref: None,
                    access_token_ref: Some("GITHUB_TOKEN".into()),
                },
            },
        ];
        update(
            s,
            Msg::from(IntegrationsMsg::Loaded {
                request,
                result: Ok(list),
            }),
        );
    })
    .await;
    both("integrations_loading", |s| {
        update(s, ch('i'));
    })
    .await;
}

#[tokio::test]
async fn switch() {
    both("switch", |s| {
        update(s, ch('@'));
        // The box asks the backend chosen which entities it knows, and lists them.
        let effects = update(s, key(KeyCode::Tab));
        let request = s.session().latest(RequestKind::Entities);
        assert!(
            effects.contains(&Effect::LoadEntities {
                request,
                backend: 1
            }),
            "{effects:?}"
        );
        let names = ["acme", "ada", "vision-lab"].map(String::from).to_vec();
        update(
            s,
            Msg::EntitiesLoaded {
                request,
                backend: 1,
                result: Ok(names),
            },
        );
    })
    .await;
}

#[tokio::test]
async fn errors() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut s = dashboard::connected_state(w, h, wbauto::model::Capabilities::everything());
        let request = s.session().latest(RequestKind::List);
        update(&mut s, Msg::Listed { request, result: Err(BackendError::Network("cannot reach W&B at https://api.wandb.ai: no answer in time; gave up after 6 attempt(s) in 60.0s".into())) });
        insta::assert_snapshot!(format!("load_failed_{w}x{h}"), render(&s));
    }
    both("toggle_failed", |s| {
        let effects = update(s, ch('t'));
        assert_eq!(effects.len(), 1);
        let id = s.selected_item().unwrap().id().to_string();
        update(s, Msg::Saved { id, kind: SaveKind::Toggle, result: Err(BackendError::Server("W&B at https://api.wandb.ai keeps failing (HTTP 500: injected failure); gave up after 4 attempt(s) in 2.1s".into())) });
    })
    .await;
    both("toggle_in_flight", |s| {
        update(s, ch('t'));
    })
    .await;
    both("read_only", |s| {
        s.set_read_only(Some("--read-only".into()));
        update(s, ch('D'));
    })
    .await;
}

#[tokio::test]
async fn loading_and_too_small() {
    let mut state = dashboard::connected_state(80, 24, wbauto::model::Capabilities::everything());
    insta::assert_snapshot!("loading_80x24", render(&state));
    update(&mut state, Msg::Resize(59, 20));
    insta::assert_snapshot!("too_small_59x20", render(&state));
    assert_eq!(state.now(), NOW);
}

/// Executions as the local engine records them, at fixed times before `NOW`.
fn executions(s: &State) -> Vec<Execution> {
    let items = s.list().items();
    let at = |ago: i64| jiff::Timestamp::from_second(NOW - ago).ok();
    let row = |i: usize, status: &str, ago: i64, error: Option<&str>, http: Option<i64>| {
        let a = &items[i].saved.automation;
        Execution {
            id: Some(format!("exe_{i:024}")),
            automation_id: a.id.clone(),
            automation_name: Some(a.name.clone()),
            event_type: Some(a.event.wire_type().to_string()),
            created_at: at(ago),
            finished_at: at(ago - 1),
            run: Some("3kx9q2".into()),
            run_name: Some("sweep-7".into()),
            project: Some("acme/vision".into()),
            step: Some(42),
            trigger: Some(serde_json::json!({"value": 0.71, "values": [0.61, 0.7, 0.82]})),
            attempts: Some(if status == "failed" { 5 } else { 1 }),
            response_status: http,
            response_body: http.map(|_| "{\"ok\":true}".to_string()),
            error: error.map(str::to_string),
            test: Some(false),
            request: Some(
                serde_json::json!({"method": "POST", "url": "https://hooks.example/x", "headers": {"Authorization": "Bearer ••••"}, "body": {"run": "sweep-7"}}),
            ),
            ..Execution::unknown(Source::Local, Status::named(status))
        }
    };
    vec![
        row(0, "success", 120, None, Some(200)),
        row(
            1,
            "failed",
            900,
            Some("HTTP 503; gave up after 5 attempt(s)"),
            Some(503),
        ),
        row(
            2,
            "skipped",
            3_600,
            Some("rate limit: at most 10 per minute (burst 10) for this automation"),
            None,
        ),
        row(0, "in_progress", 30, None, None),
    ]
}

/// The executions as a backend answers them.
fn history_of(rows: Vec<Execution>) -> History {
    HistoryQuery::of(HistoryScope::Entity {
        entity: "acme".into(),
    })
    .select(rows)
}

fn load_history(s: &mut State) {
    let request = s
        .session()
        .latest(wbauto::app::store::session::RequestKind::History);
    let rows = history_of(executions(s));
    let msg = match s.screen() {
        wbauto::app::screens::Screen::Detail(_) => Msg::from(DetailMsg::History {
            request,
            result: Ok(rows),
        }),
        _ => Msg::from(HistoryMsg::Loaded {
            request,
            result: Ok(rows),
        }),
    };
    update(s, msg);
}

pub(crate) fn load_activity(s: &mut State, running: bool) {
    update(s, Msg::Tick(NOW + 3));
    let request = s
        .session()
        .latest(wbauto::app::store::session::RequestKind::Activity);
    let latest = executions(s)
        .into_iter()
        .take(3)
        .map(|e| {
            let at = e.created_at.unwrap().as_second();
            (
                e.automation_id.unwrap(),
                LastFired {
                    status: e.status,
                    at,
                },
            )
        })
        .collect();
    let activity = wbauto::ops::Activity {
        latest,
        engine_running: running,
    };
    update(
        s,
        Msg::ActivityLoaded {
            request,
            result: Ok(activity),
        },
    );
}

#[tokio::test]
async fn history_screen() {
    both("history_loading", |s| {
        update(s, ch('h'));
    })
    .await;
    both("history", |s| {
        update(s, ch('h'));
        load_history(s);
        update(s, ch('j'));
    })
    .await;
    both("history_reading", |s| {
        update(s, ch('h'));
        let request = s
            .session()
            .latest(wbauto::app::store::session::RequestKind::History);
        let so_far = history_of(executions(s));
        update(s, Msg::from(HistoryMsg::Reading { request, so_far }));
    })
    .await;
    both("history_failed_only", |s| {
        update(s, ch('h'));
        load_history(s);
        update(s, ch('f'));
        update(s, ch('f'));
    })
    .await;
    both("history_open", |s| {
        update(s, ch('h'));
        load_history(s);
        update(s, ch('j'));
        update(s, key(KeyCode::Enter));
    })
    .await;
    both("history_empty", |s| {
        update(s, ch('h'));
        let request = s
            .session()
            .latest(wbauto::app::store::session::RequestKind::History);
        update(
            s,
            Msg::from(HistoryMsg::Loaded {
                request,
                result: Ok(History::default()),
            }),
        );
    })
    .await;
}

#[tokio::test]
async fn detail_history_tab() {
    both("detail_history", |s| {
        update(s, key(KeyCode::Enter));
        for _ in 0..3 {
            update(s, key(KeyCode::Tab));
        }
        load_history(s);
    })
    .await;
}

#[tokio::test]
async fn last_column_and_running_engine() {
    both("list_last", |s| load_activity(s, true)).await;
}

#[tokio::test]
async fn test_fire_confirmation() {
    both("test_fire", |s| {
        let event = wbauto::engine::event::EngineEvent::from_json(&serde_json::json!({"type": "run_state", "project": "acme/vision", "run": "sample-run", "state": "failed"})).unwrap();
        let shown = serde_json::json!({"method": "POST", "url": "http://127.0.0.1:9000/hook", "headers": {"Content-Type": "application/json", "Authorization": "Bearer ••••", "X-Wandb-Signature": "••••"}, "body": {"run": "sample-run"}});
        let test = wbauto::ops::TestFire {
            id: "exe_0".into(),
            shown: Ok(serde_json::to_string_pretty(&shown).unwrap().lines().map(str::to_string).collect()),
            event,
            request: None,
        };
        let id = s.selected_id().unwrap();
        update(s, Msg::TestPrepared { id, name: "accuracy-anomaly".into(), result: Ok(test) });
    })
    .await;
}

#[tokio::test]
async fn runs_screen() {
    let runs = |s: &State| {
        let firings = executions(s)
            .into_iter()
            .take(2)
            .map(|e| wbauto::engine::history::Execution {
                id: e.id.unwrap(),
                automation_id: e.automation_id.unwrap(),
                automation_name: e.automation_name.unwrap(),
                event_type: e.event_type.unwrap(),
                status: e.status.to_string(),
                created_at: e.created_at.unwrap().to_string(),
                finished_at: e.finished_at.map(|t| t.to_string()),
                run: e.run,
                project: e.project,
                step: e.step,
                collection: None,
                trigger: e.trigger,
                attempts: e.attempts.unwrap(),
                response_status: e.response_status,
                response_body: e.response_body,
                error: e.error,
                test: false,
                request: e.request,
            })
            .collect::<Vec<_>>();
        vec![
            wbauto::ops::KnownRun {
                name: "sweep-8".into(),
                project: "acme/vision".into(),
                state: "running".into(),
                last_step: Some(1234),
                last_time: Some(NOW - 20),
                log: Some(
                    "/data/wandb/offline-run-20261126_115500-mul00001/run-mul00001.wandb".into(),
                ),
                firings,
            },
            wbauto::ops::KnownRun {
                name: "sweep-2".into(),
                project: "acme/vision".into(),
                state: "failed".into(),
                last_step: Some(2),
                last_time: Some(NOW - 7_200),
                log: Some(
                    "/data/wandb/offline-run-20261126_095500-exc00001/run-exc00001.wandb".into(),
                ),
                firings: Vec::new(),
            },
        ]
    };
    both("runs_loading", |s| {
        update(s, ch('r'));
    })
    .await;
    both("runs", |s| {
        update(s, ch('r'));
        let request = s
            .session()
            .latest(wbauto::app::store::session::RequestKind::Runs);
        let rows = runs(s);
        update(
            s,
            Msg::from(RunsMsg::Loaded {
                request,
                result: Ok(rows),
            }),
        );
        update(s, key(KeyCode::Enter));
    })
    .await;
}
