//! What a node keeps for extraction: the extractor (rebuilt when editors confirm new names),
//! the alias groups, and the worker's bell.

use std::collections::HashMap;
use std::sync::Arc;

use rongmei_core::EntityKind;
use rongmei_knowledge::Extractor;
use tokio::sync::{Mutex, Notify};

/// An extractor and the confirmed names it was built with.
pub(crate) type BuiltExtractor = (Vec<(EntityKind, String)>, Arc<Extractor>);

/// This node's extractor and the alias groups that give a written form its entity's name.
pub struct KnowledgeState {
    /// The extractor with the names editors had confirmed when it was built.
    pub(crate) extractor: Mutex<Option<BuiltExtractor>>,
    /// Written form → the full name of its alias group (西安交大 → 西安交通大学).
    canonical: HashMap<String, String>,
    /// Held by the one extraction round a node runs at a time.
    pub(crate) round: Mutex<()>,
    pub(crate) bell: Notify,
}

impl KnowledgeState {
    /// `aliases` is the search alias file: one group a line, names separated by `=`.
    pub fn new(aliases: &str) -> KnowledgeState {
        let mut canonical = HashMap::new();
        for line in aliases.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let names: Vec<&str> = line
                .split('=')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .collect();
            // The longest form is the full name (西安交通大学 over 西安交大 and 交大).
            let Some(full) = names.iter().max_by_key(|n| n.chars().count()) else {
                continue;
            };
            for n in &names {
                canonical.insert(n.to_string(), full.to_string());
            }
        }
        KnowledgeState {
            extractor: Mutex::new(None),
            canonical,
            round: Mutex::new(()),
            bell: Notify::new(),
        }
    }

    pub(crate) fn canonical(&self, kind: EntityKind, written: &str) -> String {
        match kind {
            EntityKind::Person => written.to_string(),
            _ => self
                .canonical
                .get(written)
                .cloned()
                .unwrap_or_else(|| written.to_string()),
        }
    }
}
