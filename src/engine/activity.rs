//! What the engine did, said once: each batch taken, execution decided and delivery outcome
//! goes to the journal (a line) and to the metrics (a count).

use super::Report;
use super::journal::{Decided, Delivered, Format, Journal, Line};
use super::metrics::{Metrics, Source};

/// The journal and the metrics, told together.
pub(crate) struct Activity {
    /// The lines.
    pub journal: Journal,
    /// The counts.
    pub metrics: Metrics,
}

impl Default for Activity {
    /// Says nothing and counts for no one (the dashboard's and the CLI's engine).
    fn default() -> Self {
        Self::new(Journal::to(Format::Text, true, Box::new(|_| {})))
    }
}

impl Activity {
    /// Lines to `journal`, counts kept.
    pub(crate) fn new(journal: Journal) -> Self {
        Self {
            journal,
            metrics: Metrics::default(),
        }
    }

    /// A batch of events from `source` was evaluated (said when it held any).
    pub(crate) fn taken(&self, source: Source, report: &Report) {
        self.metrics.evaluated(report.events);
        if source == Source::RunLog {
            self.metrics.taken(source, report.events);
        }
        if report.events > 0 {
            self.journal.say(&Line::Taken { source, report });
        }
    }

    /// An execution was decided.
    pub(crate) fn decided(&self, d: &Decided) {
        self.metrics.execution(d.status);
        self.journal.say(&Line::Decided(d));
    }

    /// A delivery attempt ended.
    pub(crate) fn delivered(&self, d: &Delivered) {
        self.metrics.delivery(d.outcome, d.took);
        self.journal.say(&Line::Delivered(d));
    }

    /// A notice.
    pub(crate) fn notice(&self, message: &str) {
        self.journal.say(&Line::Notice(message));
    }

    /// A warning.
    pub(crate) fn warn(&self, message: &str) {
        self.journal.say(&Line::Warning(message));
    }
}
