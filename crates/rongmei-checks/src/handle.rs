//! The live checker: editors change the dictionaries while the server runs, and every node picks
//! the change up by itself.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use arc_swap::ArcSwap;

use crate::checker::Checker;
use crate::dict::{DictError, Dictionaries, EXPRESSIONS_FILE, SENSITIVE_FILE};

/// How often [`CheckerHandle::current`] looks at the files by default.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(1);

/// Modification time and size of one file; `None` when it cannot be read.
type Stamp = Option<(SystemTime, u64)>;

#[derive(Debug, Default)]
struct State {
    /// The stamps of the last load attempt, good or bad, so a broken file is parsed once and not
    /// again every second until someone saves it.
    stamps: [Stamp; 2],
    last_error: Option<String>,
}

/// Shares the current [`Checker`] and swaps in a new one when the dictionary files change.
#[derive(Debug)]
pub struct CheckerHandle {
    dir: Option<PathBuf>,
    checker: ArcSwap<Checker>,
    interval_ms: u64,
    started: Instant,
    /// Milliseconds after `started` of the last look at the files: an atomic so readers decide
    /// without a lock whether it is their turn to look.
    last_look: AtomicU64,
    state: Mutex<State>,
}

impl CheckerHandle {
    /// Opens the dictionaries in `dir` (normally `DATA/dictionaries`), writing the starter files
    /// first where they are missing. Fails only when the starter files cannot be written; a
    /// dictionary that does not parse leaves an empty checker in force and its error in
    /// [`CheckerHandle::last_error`], so a typo never keeps the newsroom from starting.
    pub fn open(dir: impl Into<PathBuf>) -> Result<CheckerHandle, DictError> {
        Self::open_with_interval(dir, DEFAULT_INTERVAL)
    }

    /// [`CheckerHandle::open`] with another interval between looks at the files.
    pub fn open_with_interval(
        dir: impl Into<PathBuf>,
        interval: Duration,
    ) -> Result<CheckerHandle, DictError> {
        let dir = dir.into();
        Dictionaries::ensure_defaults(&dir)?;
        let handle = CheckerHandle {
            dir: Some(dir),
            checker: ArcSwap::from_pointee(Checker::empty()),
            interval_ms: u64::try_from(interval.as_millis()).unwrap_or(u64::MAX),
            started: Instant::now(),
            last_look: AtomicU64::new(0),
            state: Mutex::new(State::default()),
        };
        // The error is kept in last_error; the empty checker stands in until the files parse.
        let _ = handle.reload();
        Ok(handle)
    }

    /// A handle over a fixed checker that never looks at files: for tests and tools.
    pub fn fixed(checker: Checker) -> CheckerHandle {
        CheckerHandle {
            dir: None,
            checker: ArcSwap::from_pointee(checker),
            interval_ms: u64::MAX,
            started: Instant::now(),
            last_look: AtomicU64::new(0),
            state: Mutex::new(State::default()),
        }
    }

    /// The folder of the dictionary files, if this handle reads any.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The checker in force. At most once per interval one caller also stats the two files and
    /// reloads them when their time or size changed; all other calls are a lock-free load.
    pub fn current(&self) -> Arc<Checker> {
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let last = self.last_look.load(Ordering::Relaxed);
        if now.saturating_sub(last) >= self.interval_ms
            && self
                .last_look
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            self.reload_if_changed();
        }
        self.checker.load_full()
    }

    /// Reads both files now. On failure the previous checker stays in force and the error is
    /// returned and kept for [`CheckerHandle::last_error`].
    pub fn reload(&self) -> Result<(), DictError> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        let mut state = self.lock();
        let stamps = stamps(dir);
        self.load_into(dir, &mut state, stamps)
    }

    /// `FILE:LINE: message` of the last failed load, cleared by the next good one.
    pub fn last_error(&self) -> Option<String> {
        self.lock().last_error.clone()
    }

    fn reload_if_changed(&self) {
        let Some(dir) = &self.dir else {
            return;
        };
        let mut state = self.lock();
        let stamps = stamps(dir);
        if stamps != state.stamps {
            let _ = self.load_into(dir, &mut state, stamps);
        }
    }

    fn load_into(
        &self,
        dir: &Path,
        state: &mut State,
        stamps: [Stamp; 2],
    ) -> Result<(), DictError> {
        // Stamps are taken before reading: a save that lands during the read then shows up as a
        // change on the next look instead of being missed.
        state.stamps = stamps;
        match Dictionaries::load(dir).and_then(|d| Checker::new(&d)) {
            Ok(checker) => {
                tracing::info!(
                    dir = %dir.display(),
                    entries = checker.len(),
                    "publication check dictionaries loaded"
                );
                self.checker.store(Arc::new(checker));
                state.last_error = None;
                Ok(())
            }
            Err(e) => {
                tracing::warn!(error = %e, "publication check dictionaries not reloaded; the previous ones stay in force");
                state.last_error = Some(e.to_string());
                Err(e)
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is a pair of plain values, consistent after any panic.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn stamps(dir: &Path) -> [Stamp; 2] {
    [SENSITIVE_FILE, EXPRESSIONS_FILE].map(|name| {
        let meta = fs::metadata(dir.join(name)).ok()?;
        Some((meta.modified().ok()?, meta.len()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::File;

    fn write(dir: &Path, name: &str, content: &str, age: u64) {
        let path = dir.join(name);
        fs::write(&path, content).expect("write");
        // Explicit mtimes: some file systems only keep whole seconds, and a test writes faster.
        let t = SystemTime::now() - Duration::from_secs(age);
        File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_modified(t))
            .expect("set mtime");
    }

    fn words(h: &CheckerHandle, text: &str) -> Vec<String> {
        h.current()
            .check_fields(&[("body", text)])
            .into_iter()
            .map(|h| h.matched)
            .collect()
    }

    #[test]
    fn writes_defaults_and_checks_with_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path().join("dictionaries");
        let h = CheckerHandle::open(&d).expect("open");
        assert!(d.join(SENSITIVE_FILE).exists() && d.join(EXPRESSIONS_FILE).exists());
        assert_eq!(h.last_error(), None);
        assert_eq!(words(&h, "其它单位做为代表"), ["其它", "做为"]);
    }

    #[test]
    fn reloads_when_a_file_changes() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), SENSITIVE_FILE, "甲\tblock\n", 100);
        write(dir.path(), EXPRESSIONS_FILE, "", 100);
        let h = CheckerHandle::open_with_interval(dir.path(), Duration::ZERO).expect("open");
        assert_eq!(words(&h, "甲乙"), ["甲"]);
        // Same size: only the time tells.
        write(dir.path(), SENSITIVE_FILE, "乙\tblock\n", 50);
        assert_eq!(words(&h, "甲乙"), ["乙"]);
        write(dir.path(), EXPRESSIONS_FILE, "甲乙\t丙\n", 50);
        assert_eq!(words(&h, "甲乙"), ["甲乙", "乙"]);
    }

    #[test]
    fn looks_at_most_once_per_interval_but_reload_is_immediate() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), SENSITIVE_FILE, "甲\n", 100);
        write(dir.path(), EXPRESSIONS_FILE, "", 100);
        let h =
            CheckerHandle::open_with_interval(dir.path(), Duration::from_secs(3600)).expect("open");
        write(dir.path(), SENSITIVE_FILE, "乙\n", 50);
        assert_eq!(words(&h, "甲乙"), ["甲"]);
        h.reload().expect("reload");
        assert_eq!(words(&h, "甲乙"), ["乙"]);
    }

    #[test]
    fn a_bad_line_keeps_the_previous_checker() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), SENSITIVE_FILE, "甲\tblock\n", 100);
        write(dir.path(), EXPRESSIONS_FILE, "", 100);
        let h = CheckerHandle::open_with_interval(dir.path(), Duration::ZERO).expect("open");
        write(dir.path(), SENSITIVE_FILE, "乙\tblock\n丙\tbad\n", 50);
        assert_eq!(words(&h, "甲乙丙"), ["甲"]);
        let err = h.last_error().expect("error recorded");
        assert!(
            err.ends_with("sensitive.txt:2: severity must be block, warn or allow, not \"bad\""),
            "{err}"
        );
        // Still broken and unchanged: not parsed again, error still there.
        assert_eq!(words(&h, "甲乙丙"), ["甲"]);
        assert!(h.last_error().is_some());
        assert!(h.reload().is_err());
        // A missing file is an error too, and the old list stays.
        write(dir.path(), SENSITIVE_FILE, "乙\tblock\n", 40);
        fs::remove_file(dir.path().join(EXPRESSIONS_FILE)).expect("rm");
        assert_eq!(words(&h, "甲乙丙"), ["甲"]);
        assert!(h.last_error().is_some_and(|e| e.contains(EXPRESSIONS_FILE)));
        write(dir.path(), EXPRESSIONS_FILE, "", 10);
        write(dir.path(), SENSITIVE_FILE, "丙\tblock\n", 10);
        assert_eq!(words(&h, "甲乙丙"), ["丙"]);
        assert_eq!(h.last_error(), None);
    }

    #[test]
    fn a_broken_file_at_start_gives_an_empty_checker_and_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), SENSITIVE_FILE, "甲\tblock\n", 100);
        write(dir.path(), EXPRESSIONS_FILE, "其它\n", 100);
        let h = CheckerHandle::open(dir.path()).expect("open");
        assert!(h.current().is_empty());
        assert!(
            h.last_error()
                .is_some_and(|e| e.contains("expressions.txt:1:"))
        );
    }

    #[test]
    fn fixed_handles_never_read_files() {
        let h = CheckerHandle::fixed(Checker::new(&Dictionaries::defaults()).expect("checker"));
        assert!(h.dir().is_none());
        assert!(h.reload().is_ok());
        assert_eq!(words(&h, "截止到目前"), ["截止到"]);
    }
}
