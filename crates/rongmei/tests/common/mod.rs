//! Running the `rongmei` binary as a user does.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// Runs `rongmei --data DATA ARGS` against this database and waits for it.
pub fn rongmei_on(data: &Path, database_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rongmei"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env("RONGMEI_DATABASE_URL", database_url)
        .env_remove("RONGMEI_LISTEN")
        .output()
        .expect("run rongmei")
}

/// The last line the command printed on standard output.
pub fn last_line(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or("")
        .to_string()
}
