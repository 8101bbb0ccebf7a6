//! When to ask again for something that changes by itself (the executions an open history
//! shows, the LAST column): every `min` seconds while answers bring news, twice as long after
//! each answer that brought none, up to `max`; one request at a time; never again once stopped
//! (a server that keeps no history). Pure: the caller says what time it is.

/// Seconds after which a request never answered no longer holds the next one back.
const ANSWER_WAIT: i64 = 60;

/// A poll's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Poll {
    min: i64,
    max: i64,
    /// Seconds between the last answer and the next request.
    every: i64,
    /// When the next request is due (Unix seconds).
    next: i64,
    /// When the request in flight was made.
    asked: Option<i64>,
    stopped: bool,
}

impl Default for Poll {
    fn default() -> Self {
        Self::backing_off(3, 3)
    }
}

impl Poll {
    /// A poll every `min` seconds, backing off to `max` while nothing changes; due at once.
    pub(crate) fn backing_off(min: i64, max: i64) -> Poll {
        Poll {
            min,
            max: max.max(min),
            every: min,
            next: 0,
            asked: None,
            stopped: false,
        }
    }

    /// Whether to ask now.
    pub(crate) fn due(&self, now: i64) -> bool {
        let waiting = self.asked.is_some_and(|at| now < at + ANSWER_WAIT);
        !self.stopped && !waiting && now >= self.next
    }

    /// A request was made.
    pub(crate) fn asked(&mut self, now: i64) {
        self.asked = Some(now);
    }

    /// Its answer came; `news` when it differed from the one before.
    pub(crate) fn answered(&mut self, now: i64, news: bool) {
        self.asked = None;
        self.every = if news {
            self.min
        } else {
            (self.every * 2).min(self.max)
        };
        self.next = now + self.every;
    }

    /// Never ask again.
    pub(crate) fn stop(&mut self) {
        self.stopped = true;
    }

    /// Whether it was stopped.
    pub(crate) fn stopped(&self) -> bool {
        self.stopped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_backs_off_while_nothing_changes_and_comes_back_on_news() {
        let mut p = Poll::backing_off(10, 60);
        assert!(p.due(0));
        p.asked(0);
        assert!(!p.due(5), "one request at a time");
        p.answered(1, false);
        assert!(!p.due(20) && p.due(21), "twice as long after no news");
        for _ in 0..5 {
            p.answered(21, false);
        }
        assert!(!p.due(80) && p.due(81), "never longer than the maximum");
        p.answered(100, true);
        assert!(!p.due(109) && p.due(110), "back to the minimum on news");
    }

    #[test]
    fn a_lost_answer_holds_the_next_request_back_a_minute_only() {
        let mut p = Poll::backing_off(3, 3);
        p.asked(0);
        assert!(!p.due(59));
        assert!(p.due(60));
    }

    #[test]
    fn a_stopped_poll_is_never_due() {
        let mut p = Poll::backing_off(3, 3);
        p.stop();
        assert!(p.stopped() && !p.due(1_000));
    }
}
