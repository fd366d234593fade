//! Progress of long commands: a bar on a terminal, plain log lines otherwise.

use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressStyle};

pub struct Progress {
    bar: Option<ProgressBar>,
    label: &'static str,
    total: AtomicU64,
    /// The last tenth logged when not on a terminal.
    logged: AtomicU64,
}

impl Progress {
    pub fn new(label: &'static str, total: u64, tty: bool) -> Progress {
        let bar = tty.then(|| {
            let bar = ProgressBar::new(total);
            let style =
                ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> ");
            bar.set_style(style);
            bar.set_message(label);
            bar
        });
        Progress {
            bar,
            label,
            total: AtomicU64::new(total),
            logged: AtomicU64::new(0),
        }
    }

    pub fn set(&self, n: u64) {
        match &self.bar {
            Some(b) => b.set_position(n),
            None => {
                let total = self.total.load(Ordering::Relaxed);
                let tenth = (n * 10).checked_div(total).unwrap_or(10);
                if tenth > self.logged.load(Ordering::Relaxed) {
                    self.logged.store(tenth, Ordering::Relaxed);
                    tracing::info!("{}: {n}/{total}", self.label);
                }
            }
        }
    }

    /// For work whose size is learnt once it has begun.
    pub fn set_total(&self, total: u64) {
        if self.total.swap(total, Ordering::Relaxed) != total
            && let Some(b) = &self.bar
        {
            b.set_length(total);
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
