//! Tests that need something this machine may lack — `../shared` (the corpus, the WordPress
//! exports, the annotated articles) or an outside tool (Chromium, nginx, xmllint, a Python
//! validator) — say so and skip on a developer's machine. CI sets `RONGMEI_REQUIRE_SHARED=1` and
//! `RONGMEI_REQUIRE_TOOLS=1`: there a skip would hide a missing install behind a green run, so
//! it fails instead.

use std::path::{Path, PathBuf};

/// The shared data folder: `RONGMEI_SHARED` when set, else `../shared` beside the project.
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("RONGMEI_SHARED") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

/// `relative` inside the shared folder (`corpus/articles.jsonl`, `fixtures/wxr/…`), or `None`
/// after saying the caller is skipped. Under `RONGMEI_REQUIRE_SHARED=1` an absent file panics.
pub fn shared(relative: &str) -> Option<PathBuf> {
    let path = shared_dir().join(relative);
    if path.exists() {
        return Some(path);
    }
    let message = format!(
        "skipped: ../shared/{relative} is absent (looked at {}; RONGMEI_SHARED names another folder)",
        path.display()
    );
    require_unless("RONGMEI_REQUIRE_SHARED", &message);
    None
}

/// Says that a check is skipped for want of an outside tool; under `RONGMEI_REQUIRE_TOOLS=1`
/// it panics instead.
pub fn tool_missing(message: &str) {
    require_unless("RONGMEI_REQUIRE_TOOLS", message);
}

fn require_unless(variable: &str, message: &str) {
    assert!(
        !required(variable),
        "{message}, and {variable}=1 forbids skipping"
    );
    eprintln!("{message}");
}

fn required(variable: &str) -> bool {
    std::env::var(variable).as_deref() == Ok("1")
}

#[cfg(test)]
mod tests {
    use super::*;

    // One test touches the environment, so no other test of this crate races it.
    #[test]
    fn an_absent_file_is_a_skip_unless_required() {
        // SAFETY: the only test in this crate that reads or writes the environment.
        unsafe {
            std::env::set_var("RONGMEI_SHARED", "/nonexistent/rongmei-shared");
            std::env::remove_var("RONGMEI_REQUIRE_SHARED");
        }
        assert_eq!(shared_dir(), PathBuf::from("/nonexistent/rongmei-shared"));
        assert_eq!(shared("corpus/articles.jsonl"), None);

        unsafe { std::env::set_var("RONGMEI_REQUIRE_SHARED", "1") };
        let refused = std::panic::catch_unwind(|| shared("corpus/articles.jsonl"));
        assert!(refused.is_err(), "a required absent file must fail");

        let here = std::env::temp_dir();
        std::fs::write(here.join("rongmei-testkit-probe"), b"x").expect("probe");
        unsafe { std::env::set_var("RONGMEI_SHARED", &here) };
        assert_eq!(
            shared("rongmei-testkit-probe"),
            Some(here.join("rongmei-testkit-probe"))
        );

        unsafe { std::env::set_var("RONGMEI_REQUIRE_TOOLS", "1") };
        assert!(std::panic::catch_unwind(|| tool_missing("no chromium")).is_err());
        unsafe {
            std::env::remove_var("RONGMEI_REQUIRE_TOOLS");
            std::env::remove_var("RONGMEI_REQUIRE_SHARED");
            std::env::remove_var("RONGMEI_SHARED");
        }
        tool_missing("no chromium");
    }
}
