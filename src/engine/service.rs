//! Running under systemd (`Type=notify`): readiness once the endpoint listens, `STOPPING=1`
//! when asked to stop, and the watchdog kept fed only while the evaluator goes round, so an
//! evaluator that hangs gets the service restarted. Outside systemd (no `NOTIFY_SOCKET`) every
//! call does nothing.

use sd_notify::NotifyState;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// When the evaluator last went round (Unix milliseconds).
#[derive(Default)]
pub(crate) struct Heartbeat(AtomicI64);

impl Heartbeat {
    /// The evaluator went round now.
    pub(crate) fn beat(&self) {
        self.0.store(super::now_ms(), Ordering::Relaxed);
    }

    fn within(&self, period: Duration) -> bool {
        let age = super::now_ms() - self.0.load(Ordering::Relaxed);
        age <= i64::try_from(period.as_millis()).unwrap_or(i64::MAX)
    }
}

fn tell(states: &[NotifyState<'_>]) {
    if let Err(e) = sd_notify::notify(states) {
        tracing::warn!(error = %e, "cannot notify the service manager");
    }
}

/// The engine is ready: it listens and evaluates.
pub(crate) fn ready(status: &str) {
    tell(&[NotifyState::Ready, NotifyState::Status(status)]);
}

/// The engine is stopping.
pub(crate) fn stopping() {
    tell(&[NotifyState::Stopping]);
}

/// Feeds the watchdog (when systemd set one) at half its period while the evaluator's
/// `heartbeat` is younger than the period; runs until aborted.
pub(crate) async fn feed_watchdog(heartbeat: Arc<Heartbeat>) {
    let Some(period) = sd_notify::watchdog_enabled() else {
        return;
    };
    let mut tick = tokio::time::interval(period / 2);
    loop {
        tick.tick().await;
        if heartbeat.within(period) {
            tell(&[NotifyState::Watchdog]);
        }
    }
}
