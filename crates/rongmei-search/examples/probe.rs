//! Prints results for queries against the seed plus the corpus: `cargo run --example probe -- 西迁精神 ...`
#[path = "../tests/common/mod.rs"]
mod common;

use rongmei_search::{SearchConfig, SearchIndex, SearchQuery};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tmp = tempfile::tempdir()?;
    let idx = SearchIndex::open(&SearchConfig {
        index_dir: tmp.path().to_path_buf(),
        ..SearchConfig::default()
    })?;
    let mut docs = common::corpus().unwrap_or_default();
    docs.push(common::seed());
    idx.rebuild(&mut docs.into_iter(), &|_| {})?;
    for q in std::env::args().skip(1) {
        let r = idx.search(&SearchQuery {
            q: q.clone(),
            limit: 5,
            ..SearchQuery::default()
        })?;
        println!("== {q}: total {} in {:.2} ms", r.total, r.took_ms);
        for h in r.hits {
            println!(
                "  [{}] {:.2} {}\n      {}",
                h.id, h.score, h.title_html, h.snippet_html
            );
        }
    }
    Ok(())
}
