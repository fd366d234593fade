//! The shape of the code, checked: no module of a crate imports (directly or through others) a
//! module that imports it back; no source file grows past 700 lines; the application layer
//! knows no HTTP; and the command line adds users, reindexes and imports without the web crate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

const MAX_LINES: usize = 700;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn crates() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(workspace().join("crates"))
        .expect("crates folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    v.sort();
    v
}

/// `src/a/b.rs` and `src/a/b/mod.rs` are `["a", "b"]`; `lib.rs` and `main.rs` the root.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("inside src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|s| s.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// Every path a file names that starts with `crate`, `self`, `super` or a child module of the
/// module it is in, made absolute.
struct Refs<'m> {
    /// The module the code being visited is in (a file's module, plus inline modules).
    here: Vec<String>,
    modules: &'m BTreeSet<Vec<String>>,
    found: Vec<Vec<String>>,
}

impl Refs<'_> {
    fn resolve(&mut self, segments: &[String]) {
        let mut at = self.here.clone();
        let mut rest = segments;
        match rest.first().map(String::as_str) {
            Some("crate") => {
                at.clear();
                rest = &rest[1..];
            }
            Some("self") => rest = &rest[1..],
            Some("super") => {
                while rest.first().map(String::as_str) == Some("super") {
                    at.pop();
                    rest = &rest[1..];
                }
            }
            Some(first) => {
                let mut child = at.clone();
                child.push(first.to_string());
                if !self.modules.contains(&child) {
                    return;
                }
            }
            None => return,
        }
        at.extend(rest.iter().cloned());
        self.found.push(at);
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                prefix.push(n.ident.to_string());
                let p = prefix.clone();
                self.resolve(&p);
                prefix.pop();
            }
            syn::UseTree::Rename(r) => {
                prefix.push(r.ident.to_string());
                let p = prefix.clone();
                self.resolve(&p);
                prefix.pop();
            }
            syn::UseTree::Glob(_) => {
                let p = prefix.clone();
                self.resolve(&p);
            }
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix, t);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Refs<'_> {
    fn visit_path(&mut self, p: &'ast syn::Path) {
        let segs: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        self.resolve(&segs);
        syn::visit::visit_path(self, p);
    }

    // `pub(crate)` names no module to depend on.
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &u.tree);
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if m.content.is_some() {
            self.here.push(m.ident.to_string());
            syn::visit::visit_item_mod(self, m);
            self.here.pop();
        }
    }
}

/// The cycles among one crate's modules (file granularity), as readable chains.
fn module_cycles(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(src, f)).collect();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read source");
        let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let here = module_of(src, f);
        let mut refs = Refs {
            here: here.clone(),
            modules: &modules,
            found: Vec::new(),
        };
        refs.visit_file(&ast);
        for r in refs.found {
            // The longest module the path lies in.
            let target = (0..=r.len())
                .rev()
                .map(|n| r[..n].to_vec())
                .find(|m| modules.contains(m))
                .unwrap_or_default();
            if target != here {
                edges.entry(here.clone()).or_default().insert(target);
            }
        }
    }
    let name = |m: &Vec<String>| {
        if m.is_empty() {
            "crate".to_string()
        } else {
            m.join("::")
        }
    };
    let mut cycles = Vec::new();
    for start in &modules {
        // Is `start` reachable from itself?
        let mut stack: Vec<(Vec<String>, Vec<Vec<String>>)> = vec![(start.clone(), vec![])];
        let mut seen = BTreeSet::new();
        while let Some((m, trail)) = stack.pop() {
            for next in edges.get(&m).into_iter().flatten() {
                let mut t = trail.clone();
                t.push(m.clone());
                if next == start {
                    cycles.push(
                        t.iter()
                            .chain(std::iter::once(start))
                            .map(name)
                            .collect::<Vec<_>>()
                            .join(" → "),
                    );
                    stack.clear();
                    break;
                }
                if seen.insert(next.clone()) {
                    stack.push((next.clone(), t));
                }
            }
        }
    }
    cycles
}

#[test]
fn no_module_imports_a_module_that_imports_it_back() {
    let mut all = Vec::new();
    for krate in crates() {
        for c in module_cycles(&krate.join("src")) {
            all.push(format!(
                "{}: {c}",
                krate.file_name().unwrap_or_default().to_string_lossy()
            ));
        }
    }
    assert!(all.is_empty(), "module cycles:\n{}", all.join("\n"));
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let dir = tempfile::tempdir().expect("dir");
    let src = dir.path();
    std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\n").expect("write");
    std::fs::write(src.join("a.rs"), "use crate::b::B;\npub struct A;\n").expect("write");
    std::fs::write(src.join("b.rs"), "pub struct B(super::a::A);\n").expect("write");
    let cycles = module_cycles(src);
    assert!(cycles.iter().any(|c| c.contains("a → b → a")), "{cycles:?}");
    std::fs::write(src.join("b.rs"), "pub struct B;\n").expect("write");
    assert!(module_cycles(src).is_empty());
}

#[test]
fn no_source_file_is_longer_than_700_lines() {
    let mut files = Vec::new();
    for krate in crates() {
        for dir in ["src", "tests", "benches", "examples"] {
            rust_files(&krate.join(dir), &mut files);
        }
    }
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).ok()?.lines().count();
            (n > MAX_LINES).then(|| format!("{} ({n} lines)", f.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "split these by feature:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_application_layer_knows_no_http() {
    let manifest = std::fs::read_to_string(workspace().join("crates/rongmei-app/Cargo.toml"))
        .expect("rongmei-app manifest");
    for forbidden in [
        "axum",
        "askama",
        "tower",
        "hyper",
        "rongmei-web",
        "rongmei-render",
    ] {
        assert!(
            !manifest
                .lines()
                .any(|l| l.trim_start().starts_with(forbidden) && l.contains('=')),
            "rongmei-app must not depend on {forbidden}"
        );
    }
}

#[test]
fn the_command_line_adds_users_reindexes_and_imports_without_the_web_crate() {
    let mut checked = 0;
    for file in ["main.rs", "import.rs"] {
        let path = workspace().join("crates/rongmei/src").join(file);
        let text = std::fs::read_to_string(&path).expect("source");
        let ast = syn::parse_file(&text).expect("parse");
        for item in &ast.items {
            if let syn::Item::Fn(f) = item {
                let name = f.sig.ident.to_string();
                if ["user_add", "reindex", "import"].contains(&name.as_str()) {
                    let body = quote_of(f);
                    assert!(!body.contains("rongmei_web"), "`{name}` uses the web crate");
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 3, "user_add, reindex and import are found");
}

fn quote_of(f: &syn::ItemFn) -> String {
    struct Paths(Vec<String>);
    impl<'ast> Visit<'ast> for Paths {
        fn visit_path(&mut self, p: &'ast syn::Path) {
            self.0
                .extend(p.segments.iter().map(|s| s.ident.to_string()));
            syn::visit::visit_path(self, p);
        }
    }
    let mut p = Paths(Vec::new());
    p.visit_item_fn(f);
    p.0.join(" ")
}
