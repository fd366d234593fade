//! The README's promises and the tests that prove them (TESTING.md): every README section and
//! every bold promise has a row, every row names tests, and every test named exists.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A row of the map: section, claim, and the tests (`path::function` or a benchmark's path).
struct Row {
    section: String,
    claim: String,
    tests: Vec<String>,
}

fn rows(map: &str) -> Vec<Row> {
    map.lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Section |"))
        .filter_map(|l| {
            let cells: Vec<&str> = l.trim().trim_matches('|').split(" | ").collect();
            let [section, claim, tests] = cells.as_slice() else {
                return None;
            };
            Some(Row {
                section: section.trim().to_string(),
                claim: claim.trim().to_string(),
                tests: tests
                    .split('`')
                    .skip(1)
                    .step_by(2)
                    .map(str::to_string)
                    .collect(),
            })
        })
        .collect()
}

/// The README's sections and their bold promises (`- **Name**`).
fn promises(readme: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut section = None;
    let mut fenced = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
        }
        if fenced {
            continue;
        }
        if let Some(name) = line.strip_prefix("## ") {
            section = Some(name.trim().to_string());
            out.push((name.trim().to_string(), None));
        } else if let (Some(s), Some(rest)) = (&section, line.strip_prefix("- **"))
            && let Some((name, _)) = rest.split_once("**")
        {
            out.push((s.clone(), Some(name.to_string())));
        }
    }
    out
}

/// Whether `file` holds a test function `name`.
fn has_test(file: &str, name: &str) -> bool {
    let lines: Vec<&str> = file.lines().collect();
    lines.iter().enumerate().any(|(i, l)| {
        let l = l.trim_start();
        (l.starts_with(&format!("fn {name}(")) || l.starts_with(&format!("async fn {name}(")))
            && lines[..i]
                .iter()
                .rev()
                .map(|a| a.trim_start())
                .take_while(|a| a.starts_with("#[") || a.starts_with("//"))
                .any(|a| a.starts_with("#[test]") || a.starts_with("#[tokio::test"))
    })
}

/// Everything wrong with the map against the README, as sentences.
fn problems(readme: &str, map: &str, root: &Path) -> Vec<String> {
    let rows = rows(map);
    let mut out = Vec::new();
    for (section, bold) in promises(readme) {
        let covered = rows.iter().any(|r| {
            r.section == section
                && bold
                    .as_ref()
                    .is_none_or(|b| r.claim.starts_with(&format!("**{b}**")))
        });
        if !covered {
            match bold {
                Some(b) => out.push(format!("README “{section}”, **{b}**: no row in TESTING.md")),
                None => out.push(format!("README section “{section}”: no row in TESTING.md")),
            }
        }
    }
    for r in &rows {
        if r.tests.is_empty() {
            out.push(format!("“{}”: no test named", r.claim));
        }
        for t in &r.tests {
            let (path, function) = match t.split_once("::") {
                Some((p, f)) => (p, Some(f)),
                None => (t.as_str(), None),
            };
            let Ok(text) = std::fs::read_to_string(root.join(path)) else {
                out.push(format!("“{}”: {path} does not exist", r.claim));
                continue;
            };
            if let Some(f) = function
                && !has_test(&text, f)
            {
                out.push(format!("“{}”: {path} has no test {f}", r.claim));
            }
        }
    }
    out
}

#[test]
fn every_promise_of_the_readme_has_a_test_that_exists() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let map = std::fs::read_to_string(root().join("TESTING.md")).expect("TESTING.md");
    assert!(rows(&map).len() >= 30, "the map was read");
    let found = problems(&readme, &map, &root());
    assert!(found.is_empty(), "TESTING.md:\n{}", found.join("\n"));
}

#[test]
fn the_check_finds_an_unmapped_promise_and_a_missing_test() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("t.rs"),
        "#[test]\nfn real() {}\nfn helper() {}\n",
    )
    .expect("write");
    let readme = "# X\n## Mapped\n- **Bold** text\n## Unmapped\n```\n## not a section\n```\n";
    let map = "| Section | Claim | Tests |\n|---|---|---|\n\
               | Mapped | what it says | `t.rs::real` |\n\
               | Mapped | **Bold** claim | `t.rs::helper`, `t.rs::gone`, `nowhere.rs::x` |\n";
    let found = problems(readme, map, dir.path());
    assert_eq!(
        found,
        [
            "README section “Unmapped”: no row in TESTING.md",
            "“**Bold** claim”: t.rs has no test helper",
            "“**Bold** claim”: t.rs has no test gone",
            "“**Bold** claim”: nowhere.rs does not exist",
        ]
    );
}
