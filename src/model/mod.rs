//! The domain, pure: automations, scopes, events, filters, actions, integrations, validation and
//! plain-words summaries. No IO and no knowledge of how W&B nests things on the wire.

pub(crate) mod action;
pub(crate) mod automation;
pub(crate) mod capabilities;
pub(crate) mod event;
pub mod expr;
pub mod history;
pub(crate) mod ids;
pub mod integration;
pub(crate) mod scope;
pub(crate) mod summary;
pub mod timespan;
pub mod validate;
pub mod variables;

pub use action::{Action, ActionKind, IntegrationRef, Severity};
pub use automation::Automation;
pub use capabilities::{Capabilities, Feature};
pub use event::{
    Agg, ArtifactEvent, ChangeType, Cmp, Direction, Event, EventKind, MetricCondition, RunState,
};
pub use expr::Expr;
pub use integration::{Integration, IntegrationKind};
pub use scope::{Scope, ScopeKind, ScopePath};
pub use timespan::TimeSpan;
pub use validate::{Problem, validate};
