//! Every start template, saved through the W&B backend on the fake server, sends what the `wandb`
//! SDK sends for the same automation. The template files under tests/fixtures/templates are what
//! the wizard builds (checked here; `WBAUTO_WRITE_TEMPLATES=1` rewrites them) and what
//! tools/sdk_oracle.py gave to the SDK.

use crate::support::fake_wandb;
use crate::support::sdk;

use sdk::{normalized, oracle, with_placeholders};

use fake_wandb::FakeWandb;
use std::path::Path;
use wbauto::backend::Backend;
use wbauto::backend::resolve::prepare;
use wbauto::file::{Format, render, to_value};
use wbauto::model::{ActionKind, ScopeKind};
use wbauto::wizard::{Template, Wizard};

/// The template's automation as a user would finish it in the demo team.
fn finished(t: Template) -> Option<Wizard> {
    if t == Template::Blank {
        return None;
    }
    let mut w = Wizard::new("acme");
    w.start_from(t);
    let a = &mut w.answers;
    a.project = "speech".into();
    if a.scope_kind == ScopeKind::Collection {
        (a.project, a.collection) = ("nlp".into(), "tokenizer".into());
    }
    a.integration = if a.action == ActionKind::Webhook {
        "github-dispatch".into()
    } else {
        "#ml-alerts".into()
    };
    Some(w)
}

fn file_name(t: Template) -> String {
    format!("{t:?}.yaml").to_lowercase()
}

#[test]
fn template_files_are_what_the_wizard_builds() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/templates");
    for t in Template::ALL {
        let Some(w) = finished(t) else { continue };
        let text = render(&to_value(&w.automation(), "acme", false), Format::Yaml);
        let path = dir.join(file_name(t));
        if std::env::var_os("WBAUTO_WRITE_TEMPLATES").is_some() {
            std::fs::write(&path, &text).unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(&path).unwrap_or_default(),
            text,
            "{t:?}: rerun with WBAUTO_WRITE_TEMPLATES=1 and tools/sdk_oracle.py"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_template_saves_what_the_sdk_sends() {
    let oracle = oracle();
    let fake = FakeWandb::demo().await;
    let backend = fake.backend();
    for t in Template::ALL {
        let Some(w) = finished(t) else { continue };
        let kind = w.answers.event;
        if kind.is_local_only() {
            // No SDK equivalent: W&B refuses it before anything is sent, naming the kind.
            let err = prepare(&backend, w.automation(), "acme").await.unwrap_err();
            assert!(
                err.to_string().contains(&format!(
                    "{} runs on wbauto's local engine only",
                    kind.file_name()
                )),
                "{t:?}: {err}"
            );
            continue;
        }
        let automation = prepare(&backend, w.automation(), "acme")
            .await
            .unwrap_or_else(|e| panic!("{t:?}: {e}"));
        backend
            .create_automation(&automation)
            .await
            .unwrap_or_else(|e| panic!("{t:?}: {e}"));
        let input = with_placeholders(
            &fake.variables_of("CreateAutomation").pop().unwrap()["input"],
            &automation,
        );
        let key = format!("templates/{}#0", file_name(t));
        let expected = &oracle["inputs"][&key];
        assert!(
            expected.is_object(),
            "no SDK input for {key}; run tools/sdk_oracle.py"
        );
        assert_eq!(normalized(&input), normalized(expected), "{t:?}");
    }
}
