//! Results of a scenario: counts, errors, latency percentiles; printed as a
//! table (markdown, so the bench script can paste it) or as JSON. Also the
//! progress line on stderr while a scenario runs.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use serde_json::{json, Value};

/// A histogram of microseconds, 1 µs to 1 hour, 3 significant digits.
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("histogram bounds")
}

/// The outcome of one scenario.
#[derive(Debug)]
pub struct Report {
    pub scenario: String,
    /// Parameters as given (for the record).
    pub params: Vec<(String, String)>,
    /// Named numbers: counts and rates.
    pub values: Vec<(String, f64)>,
    /// Named latency distributions in microseconds.
    pub latencies: Vec<(String, Histogram<u64>)>,
    /// Error kind -> count.
    pub errors: BTreeMap<String, u64>,
    /// Remarks, e.g. a limit that was hit.
    pub notes: Vec<String>,
}

impl Report {
    pub fn new(scenario: &str) -> Self {
        Self {
            scenario: scenario.into(),
            params: Vec::new(),
            values: Vec::new(),
            latencies: Vec::new(),
            errors: BTreeMap::new(),
            notes: Vec::new(),
        }
    }

    pub fn param(&mut self, name: &str, value: impl ToString) {
        self.params.push((name.into(), value.to_string()));
    }

    pub fn value(&mut self, name: &str, value: f64) {
        self.values.push((name.into(), value));
    }

    pub fn error(&mut self, kind: &str, n: u64) {
        if n > 0 {
            *self.errors.entry(kind.into()).or_default() += n;
        }
    }

    /// Merges an error tally.
    pub fn errors_from(&mut self, tally: &ErrorTally) {
        for (k, v) in tally.snapshot() {
            self.error(&k, v);
        }
    }

    pub fn total_errors(&self) -> u64 {
        self.errors.values().sum()
    }

    /// A markdown table of everything.
    pub fn table(&self) -> String {
        let mut out = format!("### {}\n\n", self.scenario);
        if !self.params.is_empty() {
            let p: Vec<String> = self
                .params
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            out.push_str(&format!("parameters: `{}`\n\n", p.join(" ")));
        }
        out.push_str("| measure | value |\n|---|---|\n");
        for (k, v) in &self.values {
            out.push_str(&format!("| {k} | {} |\n", fmt_num(*v)));
        }
        out.push_str(&format!("| errors | {} |\n", self.total_errors()));
        for (k, v) in &self.errors {
            out.push_str(&format!("| error: {k} | {v} |\n"));
        }
        if !self.latencies.is_empty() {
            out.push_str(
                "\n| latency (ms) | count | p50 | p90 | p99 | max |\n|---|---|---|---|---|---|\n",
            );
            for (name, h) in &self.latencies {
                let q = |p: f64| ms(h.value_at_quantile(p));
                out.push_str(&format!(
                    "| {name} | {} | {} | {} | {} | {} |\n",
                    h.len(),
                    q(0.5),
                    q(0.9),
                    q(0.99),
                    ms(h.max())
                ));
            }
        }
        for n in &self.notes {
            out.push_str(&format!("\nnote: {n}\n"));
        }
        out
    }

    /// The same as JSON.
    pub fn json(&self) -> Value {
        let lat: serde_json::Map<String, Value> = self
            .latencies
            .iter()
            .map(|(name, h)| {
                let q = |p: f64| h.value_at_quantile(p) as f64 / 1000.0;
                (
                    name.clone(),
                    json!({
                        "count": h.len(),
                        "p50_ms": q(0.5), "p90_ms": q(0.9), "p99_ms": q(0.99),
                        "max_ms": h.max() as f64 / 1000.0,
                    }),
                )
            })
            .collect();
        json!({
            "scenario": self.scenario,
            "params": self.params.iter().cloned().collect::<BTreeMap<_, _>>(),
            "values": self.values.iter().cloned().collect::<BTreeMap<_, _>>(),
            "latency": lat,
            "errors": self.errors,
            "error_total": self.total_errors(),
            "notes": self.notes,
        })
    }
}

fn ms(us: u64) -> String {
    format!("{:.2}", us as f64 / 1000.0)
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.1}")
    }
}

/// Errors by kind, shared by the tasks of a scenario.
#[derive(Debug, Default)]
pub struct ErrorTally {
    kinds: std::sync::Mutex<BTreeMap<String, u64>>,
    total: AtomicU64,
}

impl ErrorTally {
    /// Counts one error of `kind` (a server `msg` or transport error).
    pub fn add(&self, kind: &str) {
        self.total.fetch_add(1, Ordering::Relaxed);
        // Keep kinds short: transport errors carry OS detail.
        let k: String = kind.chars().take(60).collect();
        *self.kinds.lock().expect("tally").entry(k).or_default() += 1;
    }

    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.kinds.lock().expect("tally").clone()
    }
}

/// A once-a-second progress line on stderr while a phase runs.
pub struct Progress {
    quiet: bool,
    done: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl Progress {
    /// Shows `label`, the `count` against `total` and the errors, until finished.
    pub fn start(
        label: &str,
        total: u64,
        count: Arc<AtomicU64>,
        errors: Arc<ErrorTally>,
        quiet: bool,
    ) -> Self {
        let done = Arc::new(AtomicBool::new(false));
        let (d, label) = (done.clone(), label.to_string());
        let task = tokio::spawn(async move {
            if quiet {
                return;
            }
            let start = Instant::now();
            // Bounded: a phase never runs longer than a day.
            for _ in 0..86_400 {
                tokio::time::sleep(Duration::from_secs(1)).await;
                if d.load(Ordering::Relaxed) {
                    break;
                }
                let n = count.load(Ordering::Relaxed);
                let secs = start.elapsed().as_secs_f64();
                eprint!(
                    "\r{label}: {n}/{total} ({:.0}/s) errors {} [{secs:.0}s]   ",
                    n as f64 / secs.max(0.001),
                    errors.total()
                );
            }
        });
        Self { quiet, done, task }
    }

    pub async fn finish(self) {
        self.done.store(true, Ordering::Relaxed);
        let _ = self.task.await;
        if !self.quiet {
            eprintln!();
        }
    }
}
