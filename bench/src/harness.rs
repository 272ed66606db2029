//! Side-by-side measurement: every implementation of a workload runs once per round, in an order
//! that rotates between rounds, after one warm-up round; medians, then ratios of medians.
//!
//! Interleaving matters on shared 2-core machines: a multi-threaded figure swings by ±40 % from
//! one minute to the next, so only figures taken in the same rounds are compared.

use std::time::{Duration, Instant};

use serde::Serialize;

/// One line of results.json: weft against one anchor.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub id: String,
    pub workload: String,
    pub weft: f64,
    pub anchor: f64,
    pub anchor_name: String,
    pub unit: String,
    /// weft / anchor for times (lower is better); anchor / weft is never used, so a ratio
    /// below 1 always means weft is faster.
    pub ratio: f64,
    /// The goal from BENCH-GOALS.md, as text: "≤ 1.05×" bounds the ratio, "≤ 100 µs" bounds
    /// weft's own figure, "reference" is a line to read, not a goal.
    pub goal: String,
}

/// One implementation of a workload: returns the time of the part being measured.
pub struct Impl<'a> {
    pub name: String,
    run: Box<dyn FnMut() -> Duration + 'a>,
}

impl<'a> Impl<'a> {
    pub fn new(name: impl Into<String>, run: impl FnMut() -> Duration + 'a) -> Self {
        Impl {
            name: name.into(),
            run: Box::new(run),
        }
    }

    /// Times the whole closure.
    pub fn timed(name: impl Into<String>, mut f: impl FnMut() + 'a) -> Self {
        Impl::new(name, move || {
            let start = Instant::now();
            f();
            start.elapsed()
        })
    }
}

pub struct Settings {
    pub rounds: usize,
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Runs `impls` side by side and returns each one's median, divided by `per` (items per round)
/// and expressed in `unit_scale` units per second (1e9 for ns).
pub fn measure(settings: &Settings, impls: &mut [Impl<'_>], per: f64, unit_scale: f64) -> Vec<f64> {
    let n = impls.len();
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); n];
    for round in 0..=settings.rounds {
        for k in 0..n {
            let i = (round + k) % n;
            let took = (impls[i].run)();
            if round > 0 {
                samples[i].push(took.as_secs_f64() * unit_scale / per);
            }
        }
    }
    samples.iter_mut().map(|s| median(s)).collect()
}

/// Measures weft (the first impl) against every other impl and prints one row per anchor.
#[allow(clippy::too_many_arguments)]
pub fn compare(
    settings: &Settings,
    id: &str,
    workload: &str,
    unit: &str,
    per: f64,
    unit_scale: f64,
    goals: &[&str],
    mut impls: Vec<Impl<'_>>,
) -> Vec<Row> {
    let medians = measure(settings, &mut impls, per, unit_scale);
    let weft = medians[0];
    let rows: Vec<Row> = impls
        .iter()
        .zip(&medians)
        .skip(1)
        .enumerate()
        .map(|(k, (anchor, &value))| Row {
            id: id.to_string(),
            workload: workload.to_string(),
            weft,
            anchor: value,
            anchor_name: anchor.name.clone(),
            unit: unit.to_string(),
            ratio: weft / value,
            goal: goals.get(k).copied().unwrap_or("reference").to_string(),
        })
        .collect();
    rows.iter().for_each(print);
    rows
}

/// Prints one row as a line of the run's log.
pub fn print(row: &Row) {
    println!(
        "{:4} {:<58} weft {:>10.1} {:<9} {:<38} {:>10.1}  ratio {:>5.2}  (goal {})",
        row.id, row.workload, row.weft, row.unit, row.anchor_name, row.anchor, row.ratio, row.goal
    );
}
