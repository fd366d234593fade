//! What every public page carries around its content: the site's name and the column
//! navigation, cached briefly.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use rongmei_core::Column;
use rongmei_store::Store;

use crate::error::AppError;

#[derive(Debug, Clone)]
pub struct SiteInfo {
    pub name: String,
    pub nav: Vec<Column>,
}

/// Columns shown in the navigation bar: the busiest top-level ones.
const NAV_COLUMNS: usize = 10;
const TTL: Duration = Duration::from_secs(10);

pub struct SiteCache {
    name: String,
    cached: RwLock<Option<(Instant, Arc<SiteInfo>)>>,
}

impl SiteCache {
    pub fn new(name: String) -> SiteCache {
        SiteCache {
            name,
            cached: RwLock::new(None),
        }
    }

    pub fn invalidate(&self) {
        if let Ok(mut c) = self.cached.write() {
            *c = None;
        }
    }

    /// Site info without touching the database (for error pages when the database is down).
    pub fn fallback(&self) -> Arc<SiteInfo> {
        match self
            .cached
            .read()
            .ok()
            .and_then(|c| c.as_ref().map(|(_, s)| s.clone()))
        {
            Some(s) => s,
            None => Arc::new(SiteInfo {
                name: self.name.clone(),
                nav: Vec::new(),
            }),
        }
    }

    pub async fn get(&self, store: &Store) -> Result<Arc<SiteInfo>, AppError> {
        if let Ok(c) = self.cached.read()
            && let Some((at, info)) = c.as_ref()
            && at.elapsed() < TTL
        {
            return Ok(info.clone());
        }
        let columns = store.list_columns().await?;
        let counts = store.column_counts().await?;
        let count_of = |id: i64| {
            // A parent column counts its children's articles too.
            counts
                .iter()
                .filter(|(cid, _)| {
                    *cid == id
                        || columns
                            .iter()
                            .any(|c| c.id == *cid && c.parent_id == Some(id))
                })
                .map(|(_, n)| *n)
                .sum::<i64>()
        };
        let mut top: Vec<(i64, Column)> = columns
            .iter()
            .filter(|c| c.parent_id.is_none())
            .map(|c| (count_of(c.id), c.clone()))
            .filter(|(n, _)| *n > 0)
            .collect();
        top.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
        let info = Arc::new(SiteInfo {
            name: self.name.clone(),
            nav: top.into_iter().take(NAV_COLUMNS).map(|(_, c)| c).collect(),
        });
        if let Ok(mut c) = self.cached.write() {
            *c = Some((Instant::now(), info.clone()));
        }
        Ok(info)
    }
}
