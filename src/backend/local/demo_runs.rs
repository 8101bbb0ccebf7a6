//! The demo team's recorded runs, generated from a fixed formula and seed (the same numbers on
//! every machine; only the dates follow the first start): fine-tuning sweeps in acme/vision,
//! language-model sweeps and releases in acme/nlp, two speech trainings in acme/speech. Their
//! shapes are chosen so that each of the demo's metric automations fires on some runs and only
//! nearly fires on others: a loss spike and a diverging run, a plateau that stays under the
//! threshold, an accuracy collapse and a dip that is not quite one, an overfitting run, a GPU
//! that overheats. Pure.

use super::runs::RecordedRun;
use crate::backend::RunInfo;
use jiff::{SignedDuration, Timestamp};

/// Something added to a curve over `len` logged points from point `at`: all at once, or (a
/// ramp) growing linearly to `height`.
#[derive(Clone, Copy)]
struct Bump {
    at: usize,
    len: usize,
    height: f64,
    ramp: bool,
}

const fn bump(at: usize, len: usize, height: f64) -> Bump {
    Bump {
        at,
        len,
        height,
        ramp: false,
    }
}

const fn ramp(at: usize, len: usize, height: f64) -> Bump {
    Bump {
        at,
        len,
        height,
        ramp: true,
    }
}

/// A metric: from `from` towards `to` (about two thirds of the way after `pace` of the run),
/// with bumps and uniform noise of ± `noise`.
#[derive(Clone, Copy)]
struct Curve {
    metric: &'static str,
    from: f64,
    to: f64,
    pace: f64,
    noise: f64,
    bumps: &'static [Bump],
}

const fn curve(metric: &'static str, from: f64, to: f64, noise: f64) -> Curve {
    Curve {
        metric,
        from,
        to,
        pace: 0.3,
        noise,
        bumps: &[],
    }
}

impl Curve {
    const fn with(self, bumps: &'static [Bump]) -> Curve {
        Curve { bumps, ..self }
    }

    fn at(&self, i: usize, n: usize, noise: &mut Noise) -> f64 {
        let progress = i as f64 / (n.max(2) - 1) as f64;
        let mut v = self.to + (self.from - self.to) * (-progress / self.pace).exp();
        for b in self.bumps {
            if (b.at..b.at + b.len).contains(&i) {
                let share = if b.ramp {
                    (i - b.at + 1) as f64 / b.len as f64
                } else {
                    1.0
                };
                v += b.height * share;
            }
        }
        v += self.noise * noise.next();
        (v * 10_000.0).round() / 10_000.0
    }
}

/// A run to generate.
struct Plan {
    project: &'static str,
    name: &'static str,
    state: &'static str,
    user: &'static str,
    /// How long before the first start its last point was logged, in minutes.
    ended: i64,
    /// Points logged, a point every `every` steps and `secs` seconds.
    points: usize,
    every: i64,
    secs: i64,
    curves: &'static [Curve],
}

/// Uniform noise in [-1, 1] from a seed (SplitMix64): the same numbers everywhere.
struct Noise(u64);

impl Noise {
    fn new(name: &str) -> Noise {
        Noise(name.bytes().fold(0x9e37_79b9_7f4a_7c15, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        }))
    }

    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
}

const VISION: &str = "acme/vision";
const NLP: &str = "acme/nlp";
const SPEECH: &str = "acme/speech";

/// Fine-tuning from pretrained weights: the loss starts under 0.5, so only a spike crosses it.
const LOSS: Curve = curve("loss", 0.42, 0.2, 0.012);
const VAL_LOSS: Curve = curve("val_loss", 0.46, 0.24, 0.01);
const ACCURACY: Curve = curve("val_accuracy", 0.62, 0.91, 0.004);
const LM_LOSS: Curve = curve("loss", 3.1, 1.1, 0.03);
const LM_VAL_LOSS: Curve = curve("val_loss", 3.2, 1.2, 0.01);
const SPEECH_LOSS: Curve = curve("loss", 2.4, 0.6, 0.02);
const GPU: Curve = curve("system.gpu.0.temp", 58.0, 80.0, 1.0);

const PLANS: &[Plan] = &[
    Plan {
        project: VISION,
        name: "sweep-7",
        state: "running",
        user: "ada",
        ended: 4,
        points: 125,
        every: 10,
        secs: 120,
        // A bad batch: the loss spikes at step 1,170 and stays up for a while.
        curves: &[
            LOSS.with(&[bump(117, 7, 0.4)]),
            VAL_LOSS.with(&[bump(118, 6, 0.2)]),
            ACCURACY,
        ],
    },
    Plan {
        project: VISION,
        name: "sweep-6",
        state: "finished",
        user: "ben",
        ended: 5 * 60,
        points: 200,
        every: 10,
        secs: 90,
        // A bump that stays just under the spike threshold.
        curves: &[LOSS.with(&[bump(140, 6, 0.26)]), VAL_LOSS, ACCURACY],
    },
    Plan {
        project: VISION,
        name: "sweep-5",
        state: "failed",
        user: "ada",
        ended: 50,
        points: 90,
        every: 10,
        secs: 150,
        // The learning rate was too high: the loss climbs until the run fails.
        curves: &[
            LOSS.with(&[ramp(68, 22, 0.75)]),
            VAL_LOSS.with(&[ramp(70, 20, 0.6)]),
            ACCURACY.with(&[ramp(70, 20, -0.3)]),
        ],
    },
    Plan {
        project: VISION,
        name: "sweep-4",
        state: "crashed",
        user: "chen",
        ended: 5 * 60 + 21,
        points: 246,
        every: 10,
        secs: 60,
        // Corrupted evaluation data at the last step: accuracy collapses, then the run crashes.
        curves: &[LOSS, VAL_LOSS, ACCURACY.with(&[bump(245, 1, -0.2)])],
    },
    Plan {
        project: VISION,
        name: "sweep-3",
        state: "finished",
        user: "ben",
        ended: 26 * 60,
        points: 200,
        every: 10,
        secs: 90,
        // A dip in accuracy that is not quite an anomaly.
        curves: &[LOSS, VAL_LOSS, ACCURACY.with(&[bump(150, 1, -0.021)])],
    },
    Plan {
        project: VISION,
        name: "baseline-resnet50",
        state: "finished",
        user: "chen",
        ended: 4 * 24 * 60,
        points: 150,
        every: 10,
        secs: 120,
        // A spike on a run whose name the loss-spike automation's filter leaves out.
        curves: &[LOSS.with(&[bump(60, 8, 0.5)]), VAL_LOSS, ACCURACY],
    },
    Plan {
        project: NLP,
        name: "sweep-4",
        state: "running",
        user: "ada",
        ended: 2,
        points: 70,
        every: 20,
        secs: 120,
        curves: &[LM_LOSS, LM_VAL_LOSS],
    },
    Plan {
        project: NLP,
        name: "sweep-3",
        state: "finished",
        user: "chen",
        ended: 16 * 60,
        points: 150,
        every: 20,
        secs: 120,
        // Validation loss creeps up at the end, less than the plateau automation's 5%.
        curves: &[LM_LOSS, LM_VAL_LOSS.with(&[ramp(115, 35, 0.22)])],
    },
    Plan {
        project: NLP,
        name: "sweep-2",
        state: "finished",
        user: "ben",
        ended: 20 * 60,
        points: 120,
        every: 20,
        secs: 180,
        // Overfitting: validation loss turns and climbs while the training loss still falls.
        curves: &[LM_LOSS, LM_VAL_LOSS.with(&[ramp(70, 50, 0.8)])],
    },
    Plan {
        project: NLP,
        name: "release-2",
        state: "finished",
        user: "ada",
        // Its end is the demo day's training-finished delivery.
        ended: 14 * 60 + 6,
        points: 100,
        every: 20,
        secs: 240,
        curves: &[LM_LOSS, LM_VAL_LOSS],
    },
    Plan {
        project: NLP,
        name: "release-3",
        state: "crashed",
        user: "ada",
        ended: 30 * 60,
        points: 40,
        every: 20,
        secs: 240,
        curves: &[LM_LOSS, LM_VAL_LOSS],
    },
    Plan {
        project: NLP,
        name: "sweep-1",
        state: "finished",
        user: "chen",
        ended: 3 * 24 * 60,
        points: 150,
        every: 20,
        secs: 120,
        curves: &[LM_LOSS, LM_VAL_LOSS],
    },
    Plan {
        project: SPEECH,
        name: "train-large",
        state: "running",
        user: "ben",
        ended: 6,
        points: 200,
        every: 2,
        secs: 180,
        // The GPU overheats at step 310.
        curves: &[SPEECH_LOSS, GPU.with(&[bump(155, 9, 8.0)])],
    },
    Plan {
        project: SPEECH,
        name: "train-small",
        state: "finished",
        user: "chen",
        ended: 2 * 24 * 60,
        points: 200,
        every: 2,
        secs: 120,
        // Warm, never hot.
        curves: &[SPEECH_LOSS, GPU.with(&[bump(120, 10, 3.5)])],
    },
];

fn time(first_start: Timestamp, minutes_ago: i64, seconds: i64) -> Timestamp {
    first_start
        .checked_sub(SignedDuration::from_mins(minutes_ago))
        .and_then(|t| t.checked_add(SignedDuration::from_secs(seconds)))
        .unwrap_or(first_start)
}

/// The demo's runs, their last points logged shortly before `first_start`.
pub(crate) fn runs(first_start: Timestamp) -> Vec<RecordedRun> {
    PLANS
        .iter()
        .map(|p| {
            let span = p.secs * (p.points as i64 - 1);
            let created = time(first_start, p.ended, -span);
            let last = time(first_start, p.ended, 0);
            let mut noise = Noise::new(&format!("{}/{}", p.project, p.name));
            let metrics = p
                .curves
                .iter()
                .map(|c| {
                    let points = (0..p.points)
                        .map(|i| {
                            let at = created.as_second() + p.secs * i as i64;
                            (i as i64 * p.every, at, c.at(i, p.points, &mut noise))
                        })
                        .collect();
                    (c.metric.to_string(), points)
                })
                .collect();
            let (entity, project) = p.project.split_once('/').unwrap_or((p.project, ""));
            RecordedRun {
                entity: entity.into(),
                project: project.into(),
                info: RunInfo {
                    id: p.name.into(),
                    display_name: Some(p.name.into()),
                    state: p.state.into(),
                    created_at: Some(created.to_string()),
                    heartbeat_at: Some(last.to_string()),
                    history_rows: Some(p.points as i64),
                    last_step: Some((p.points as i64 - 1) * p.every),
                    user: Some(p.user.into()),
                },
                metrics,
            }
        })
        .collect()
}
