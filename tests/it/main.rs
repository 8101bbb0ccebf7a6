//! The integration tests, one binary so the library and the fake W&B server compile once.

mod support;

mod app_update;
mod backtest;
mod backtest_screen;
mod backtest_wandb;
mod cli;
mod cli_wandb;
mod contract;
mod core;
mod dashboard_wandb;
mod demo_runs;
mod engine;
mod engine_http;
mod engine_lease;
mod engine_trust;
mod evaluator;
mod fitting_text;
mod history_cli;
mod history_wandb;
mod keys;
mod local_backend;
mod local_only;
mod plan_apply;
mod runlog;
mod stalls;
mod tui_e2e;
mod ui_snapshots;
mod wandb_faults;
mod wandb_history;
mod wire_golden;
mod wire_roundtrip;
mod wizard;
mod wizard_answers;
mod wizard_screen;
mod wizard_templates;
