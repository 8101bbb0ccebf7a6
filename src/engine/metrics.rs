//! What a running engine counts for `GET /metrics`, in the Prometheus text format
//! (OpenMetrics), through the Prometheus project's own client crate.
//!
//! Labels are fixed, short sets (a source, a status, an outcome): never an automation's or a
//! run's name, so the series stay few and a scrape reveals no names.

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::time::Duration;

/// One label, from a fixed set of values.
type Label = [(&'static str, &'static str); 1];

/// The `Content-Type` of [`Metrics::encode`]'s text.
pub(crate) const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Where events came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// Accepted by `POST /v1/events`.
    Http,
    /// Read from watched run logs.
    RunLog,
    /// Queued for the engine in its inbox (by POSTs, or by `wbauto emit` while it runs).
    Inbox,
    /// Given to `wbauto emit` when no engine ran.
    Emit,
}

impl Source {
    /// Its label value and its name in a log line.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Source::Http => "http",
            Source::RunLog => "runlog",
            Source::Inbox => "inbox",
            Source::Emit => "emit",
        }
    }
}

/// How a delivery attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Delivery {
    /// Sent and answered with a 2xx.
    Delivered,
    /// To be tried again.
    Retried,
    /// Given up on (a final answer, or out of attempts).
    GivenUp,
}

impl Delivery {
    /// Its label value.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Delivery::Delivered => "delivered",
            Delivery::Retried => "retried",
            Delivery::GivenUp => "given_up",
        }
    }
}

/// The engine's metrics, updated by its tasks and encoded on each scrape.
pub(crate) struct Metrics {
    registry: Registry,
    taken: Family<Label, Counter>,
    evaluated: Counter,
    executions: Family<Label, Counter>,
    deliveries: Family<Label, Counter>,
    latency: Histogram,
    outbox_pending: Gauge,
    outbox_oldest: Gauge,
    runs_followed: Gauge,
    lease_held: Gauge,
    degraded: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("wbauto");
        let taken = Family::<Label, Counter>::default();
        let evaluated = Counter::default();
        let executions = Family::<Label, Counter>::default();
        let deliveries = Family::<Label, Counter>::default();
        // 5 ms to about 80 s, doubling.
        let latency = Histogram::new(exponential_buckets(0.005, 2.0, 15));
        let (outbox_pending, outbox_oldest, runs_followed, lease_held, degraded) = (
            Gauge::default(),
            Gauge::default(),
            Gauge::default(),
            Gauge::default(),
            Gauge::default(),
        );
        registry.register(
            "events_taken",
            "Events taken in, by source (http: POST /v1/events; runlog: watched run logs)",
            taken.clone(),
        );
        registry.register(
            "events_evaluated",
            "Events evaluated (from the inbox and from run logs)",
            evaluated.clone(),
        );
        registry.register(
            "executions",
            "Executions decided, by status (queued for delivery, success, skipped, failed)",
            executions.clone(),
        );
        registry.register(
            "deliveries",
            "Delivery attempts, by outcome (delivered, retried, given_up)",
            deliveries.clone(),
        );
        registry.register(
            "delivery_seconds",
            "How long one delivery attempt took, from sending to the answer",
            latency.clone(),
        );
        registry.register(
            "outbox_pending",
            "Deliveries waiting in the outbox",
            outbox_pending.clone(),
        );
        registry.register(
            "outbox_oldest_seconds",
            "Age of the oldest delivery waiting in the outbox (0 when none waits)",
            outbox_oldest.clone(),
        );
        registry.register(
            "runs_followed",
            "Runs in watched run logs that have not ended",
            runs_followed.clone(),
        );
        registry.register(
            "lease_held",
            "1 while this engine holds the evaluator's lease",
            lease_held.clone(),
        );
        registry.register(
            "degraded",
            "1 while GET /v1/health answers degraded",
            degraded.clone(),
        );
        Self {
            registry,
            taken,
            evaluated,
            executions,
            deliveries,
            latency,
            outbox_pending,
            outbox_oldest,
            runs_followed,
            lease_held,
            degraded,
        }
    }
}

fn gauge_value(n: i64) -> i64 {
    n.max(0)
}

impl Metrics {
    /// `n` events taken in from `source`.
    pub(crate) fn taken(&self, source: Source, n: usize) {
        self.taken
            .get_or_create(&[("source", source.name())])
            .inc_by(n as u64);
    }

    /// `n` events evaluated.
    pub(crate) fn evaluated(&self, n: usize) {
        self.evaluated.inc_by(n as u64);
    }

    /// One execution decided with `status` (`queued`, `success`, `skipped`, `failed`).
    pub(crate) fn execution(&self, status: &'static str) {
        self.executions.get_or_create(&[("status", status)]).inc();
    }

    /// One delivery attempt that ended as `outcome` after `took`.
    pub(crate) fn delivery(&self, outcome: Delivery, took: Duration) {
        self.deliveries
            .get_or_create(&[("outcome", outcome.name())])
            .inc();
        self.latency.observe(took.as_secs_f64());
    }

    /// The outbox as last counted.
    pub(crate) fn outbox(&self, pending: i64, oldest_secs: i64) {
        self.outbox_pending.set(gauge_value(pending));
        self.outbox_oldest.set(gauge_value(oldest_secs));
    }

    /// Runs followed that have not ended.
    pub(crate) fn runs_followed(&self, n: usize) {
        self.runs_followed.set(i64::try_from(n).unwrap_or(i64::MAX));
    }

    /// Whether the lease is held.
    pub(crate) fn lease_held(&self, held: bool) {
        self.lease_held.set(i64::from(held));
    }

    /// Whether health answers degraded.
    pub(crate) fn degraded(&self, degraded: bool) {
        self.degraded.set(i64::from(degraded));
    }

    /// Everything, in the text format.
    pub(crate) fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}
