//! The checker in force on a node, swapped whole when the dictionaries change.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use arc_swap::ArcSwap;

use crate::checker::Checker;
use crate::dict::{DictError, Dictionaries};

#[derive(Debug, Default)]
struct State {
    /// The version of the texts last loaded, good or bad, so a broken text is parsed once.
    version: Option<i64>,
    last_error: Option<String>,
}

/// Shares the current [`Checker`]; readers never wait for a reload.
#[derive(Debug)]
pub struct CheckerHandle {
    checker: ArcSwap<Checker>,
    state: Mutex<State>,
}

impl CheckerHandle {
    /// A handle over this checker until [`CheckerHandle::load`] puts in another.
    pub fn fixed(checker: Checker) -> CheckerHandle {
        CheckerHandle {
            checker: ArcSwap::from_pointee(checker),
            state: Mutex::new(State::default()),
        }
    }

    /// An empty checker: nothing is flagged until the first [`CheckerHandle::load`].
    pub fn empty() -> CheckerHandle {
        Self::fixed(Checker::empty())
    }

    /// The checker in force: a lock-free load.
    pub fn current(&self) -> Arc<Checker> {
        self.checker.load_full()
    }

    /// The version last given to [`CheckerHandle::load`].
    pub fn version(&self) -> Option<i64> {
        self.lock().version
    }

    /// Puts in a checker built from these texts, known by `version`. When they do not parse the
    /// previous checker stays in force, and the error is returned and kept for
    /// [`CheckerHandle::last_error`].
    pub fn load(&self, version: i64, sensitive: &str, expressions: &str) -> Result<(), DictError> {
        let mut state = self.lock();
        state.version = Some(version);
        match Dictionaries::parse(sensitive, expressions).and_then(|d| Checker::new(&d)) {
            Ok(checker) => {
                tracing::info!(
                    version,
                    entries = checker.len(),
                    "publication check dictionaries loaded"
                );
                self.checker.store(Arc::new(checker));
                state.last_error = None;
                Ok(())
            }
            Err(e) => {
                tracing::warn!(error = %e, "publication check dictionaries not loaded; the previous ones stay in force");
                state.last_error = Some(e.to_string());
                Err(e)
            }
        }
    }

    /// `FILE:LINE: message` of the last failed load, cleared by the next good one.
    pub fn last_error(&self) -> Option<String> {
        self.lock().last_error.clone()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is a pair of plain values, consistent after any panic.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dict::DictionaryKind;

    fn words(h: &CheckerHandle, text: &str) -> Vec<String> {
        h.current()
            .check_fields(&[("body", text)])
            .into_iter()
            .map(|h| h.matched)
            .collect()
    }

    #[test]
    fn checks_with_the_starter_texts() {
        let h = CheckerHandle::empty();
        assert!(h.current().is_empty());
        h.load(
            1,
            DictionaryKind::Sensitive.default_text(),
            DictionaryKind::Expressions.default_text(),
        )
        .expect("load");
        assert_eq!(h.version(), Some(1));
        assert_eq!(words(&h, "其它单位做为代表"), ["其它", "做为"]);
    }

    #[test]
    fn a_new_load_replaces_the_checker() {
        let h = CheckerHandle::empty();
        h.load(1, "甲\tblock\n", "").expect("load");
        assert_eq!(words(&h, "甲乙"), ["甲"]);
        h.load(2, "乙\tblock\n", "甲乙\t丙\n").expect("load");
        assert_eq!(words(&h, "甲乙"), ["甲乙", "乙"]);
    }

    #[test]
    fn a_bad_line_keeps_the_previous_checker() {
        let h = CheckerHandle::empty();
        h.load(1, "甲\tblock\n", "").expect("load");
        let err = h.load(2, "乙\tblock\n丙\tbad\n", "").expect_err("bad line");
        assert_eq!(
            err.to_string(),
            "sensitive.txt:2: 级别应为 block、warn 或 allow，不能是 \"bad\""
        );
        assert_eq!(words(&h, "甲乙丙"), ["甲"]);
        assert_eq!(h.last_error(), Some(err.to_string()));
        assert_eq!(h.version(), Some(2));
        h.load(3, "丙\tblock\n", "").expect("load");
        assert_eq!(words(&h, "甲乙丙"), ["丙"]);
        assert_eq!(h.last_error(), None);
    }

    #[test]
    fn fixed_handles_check_with_their_checker() {
        let h = CheckerHandle::fixed(Checker::new(&Dictionaries::defaults()).expect("checker"));
        assert_eq!(words(&h, "截止到目前"), ["截止到"]);
    }
}
