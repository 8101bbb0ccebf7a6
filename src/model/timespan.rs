//! Lengths of time as automation files write them: `90s`, `30m`, `1h30m`, `2d`.

use std::fmt;

/// The shortest stall bound accepted: the SDK writes its log only every ~15 s.
pub(crate) const MIN_STALL_SECS: u64 = 60;

/// The longest stall bound accepted (30 days).
pub(crate) const MAX_STALL_SECS: u64 = 30 * DAY;

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;

/// The units, largest first, as written after a number.
const UNITS: [(char, u64); 4] = [('d', DAY), ('h', HOUR), ('m', MINUTE), ('s', 1)];

/// A length of time in whole seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeSpan {
    secs: u64,
}

impl TimeSpan {
    /// A span of `secs` seconds.
    pub fn from_secs(secs: u64) -> Self {
        Self { secs }
    }

    /// Its length in seconds.
    pub fn secs(self) -> u64 {
        self.secs
    }

    /// Reads `30m`, `1h30m`, `90s` or `2d`: numbers each followed by a unit (`d`, `h`, `m`,
    /// `s`), largest unit first, each unit at most once. The error says what was wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        let example = "write it as a number and a unit (s, m, h or d), e.g. 30m or 1h30m";
        let t = text.trim();
        if t.is_empty() {
            return Err(format!("the duration is empty; {example}"));
        }
        if t.starts_with('-') {
            return Err(format!("{t:?} is negative; a duration is at least 1m"));
        }
        let mut secs: u64 = 0;
        let mut smallest_used = u64::MAX;
        let mut digits = String::new();
        for c in t.chars() {
            if c.is_ascii_digit() {
                digits.push(c);
                continue;
            }
            let Some((_, size)) = UNITS.iter().find(|(u, _)| *u == c.to_ascii_lowercase()) else {
                return Err(format!(
                    "{t:?} is not a duration: {c:?} is not a unit; {example}"
                ));
            };
            if digits.is_empty() {
                return Err(format!(
                    "{t:?} is not a duration: a number must come before {c:?}; {example}"
                ));
            }
            if *size >= smallest_used {
                return Err(format!(
                    "{t:?} is not a duration: write each unit once, largest first (e.g. 1h30m)"
                ));
            }
            smallest_used = *size;
            let part = digits
                .parse::<u64>()
                .ok()
                .and_then(|n| n.checked_mul(*size))
                .and_then(|n| n.checked_add(secs));
            secs =
                part.ok_or_else(|| format!("{t:?} is far too long; a duration is at most 30d"))?;
            digits.clear();
        }
        if !digits.is_empty() {
            return Err(format!("{t:?} has no unit after {digits}; {example}"));
        }
        Ok(Self { secs })
    }
}

impl fmt::Display for TimeSpan {
    /// The file form, largest unit first: `1h30m`, `2d`, `0s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.secs == 0 {
            return f.write_str("0s");
        }
        let mut left = self.secs;
        for (unit, size) in UNITS {
            if left >= size {
                write!(f, "{}{unit}", left / size)?;
                left %= size;
            }
        }
        Ok(())
    }
}

/// A span in plain words for sentences: `30 minutes`, `1 hour 30 minutes`, `1 second`.
pub(crate) fn words(secs: u64) -> String {
    if secs == 0 {
        return "0 seconds".to_string();
    }
    let names = [
        (DAY, "day"),
        (HOUR, "hour"),
        (MINUTE, "minute"),
        (1, "second"),
    ];
    let mut left = secs;
    let mut parts = Vec::new();
    for (size, name) in names {
        let n = left / size;
        if n > 0 {
            parts.push(format!("{n} {name}{}", if n == 1 { "" } else { "s" }));
            left %= size;
        }
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_and_write_in_the_file_form() {
        let cases = [
            ("30m", 1800),
            ("1h30m", 5400),
            ("90s", 90),
            ("2d", 2 * DAY),
            ("1d2h3m4s", DAY + 2 * HOUR + 3 * MINUTE + 4),
            (" 5M ", 300),
            ("0m", 0),
        ];
        for (text, secs) in cases {
            assert_eq!(
                TimeSpan::parse(text).map(TimeSpan::secs),
                Ok(secs),
                "{text}"
            );
        }
        assert_eq!(TimeSpan::from_secs(5400).to_string(), "1h30m");
        assert_eq!(TimeSpan::from_secs(90).to_string(), "1m30s");
        assert_eq!(TimeSpan::from_secs(0).to_string(), "0s");
        assert_eq!(words(5400), "1 hour 30 minutes");
        assert_eq!(words(61), "1 minute 1 second");
    }

    #[test]
    fn bad_spans_say_what_is_wrong() {
        let err = |t: &str| TimeSpan::parse(t).unwrap_err();
        assert!(err("-5m").contains("negative"), "{}", err("-5m"));
        assert!(err("30").contains("no unit"), "{}", err("30"));
        assert!(err("30x").contains("not a unit"), "{}", err("30x"));
        assert!(err("m").contains("number must come before"), "{}", err("m"));
        assert!(err("30m1h").contains("largest first"), "{}", err("30m1h"));
        assert!(err("1m1m").contains("largest first"), "{}", err("1m1m"));
        assert!(err("").contains("empty"), "{}", err(""));
        assert!(err("99999999999999999999d").contains("too long"));
    }
}
