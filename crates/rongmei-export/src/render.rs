//! One run of the export: each page rendered (or kept, when what it is rendered from has not
//! changed since the last run) and written when its bytes changed.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;
use rongmei_app::App;
use rongmei_app::site::listing::SiteListing;
use rongmei_app::site::nav::SiteInfo;
use rongmei_app::site::pages::ArticleData;
use rongmei_core::{FeedFormat, Links};
use rongmei_render::{Mode, Renderer, SearchView, feeds, sitemaps};
use rongmei_store::ArticleSummary;

use crate::error::ExportError;
use crate::files::{content_hash, page_file, plain_file, write_atomically};
use crate::manifest::{Entry, Manifest};
use crate::media::media_refs;
use crate::options::ExportReport;

/// Articles fetched and rendered together: one query, then every core renders its share while
/// the next batch is read.
const BATCH: usize = 512;

/// What a static page shows where the live page has its count, until the script has asked the
/// live server (a count written into the file would be stale at once and would make every
/// page change on every run).
const VIEWS_PLACEHOLDER: &str = "—";

/// What the rendering threads share.
struct Ctx {
    renderer: Arc<Renderer>,
    site: Arc<SiteInfo>,
    root: PathBuf,
    old: Arc<Manifest>,
}

/// A file rendered and, when its bytes changed, written.
struct Done {
    path: String,
    entry: Entry,
    wrote: bool,
}

struct ArticleJob {
    data: ArticleData,
    token: String,
    path: String,
    source: String,
}

pub(crate) struct Run<'a> {
    pub app: &'a App,
    pub renderer: Arc<Renderer>,
    pub site: Arc<SiteInfo>,
    pub root: PathBuf,
    pub old: Arc<Manifest>,
    pub full: bool,
    pub fingerprint: String,
    pub files: BTreeMap<String, Entry>,
    pub report: ExportReport,
}

/// A hash of what a page is rendered from.
fn source_of(parts: &[&str]) -> String {
    let mut h = blake3::Hasher::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update(b"\0");
    }
    h.finalize().to_hex()[..32].to_string()
}

fn neighbour_key(n: Option<&ArticleSummary>) -> String {
    n.map(|s| format!("{}\0{}", s.id, s.title))
        .unwrap_or_default()
}

/// Hashes `text`, writes it unless the last run wrote the same bytes (and they are still
/// there), and lists the pictures it shows.
fn write_file(
    ctx_root: &std::path::Path,
    old: Option<&Entry>,
    links: &Links,
    path: String,
    text: &str,
    source: Option<String>,
) -> Result<Done, ExportError> {
    let hash = content_hash(text.as_bytes());
    let same = old.is_some_and(|e| e.hash == hash) && ctx_root.join(&path).exists();
    if !same {
        write_atomically(ctx_root, &path, text.as_bytes())
            .map_err(ExportError::io(ctx_root.join(&path)))?;
    }
    Ok(Done {
        entry: Entry {
            hash,
            source,
            media: media_refs(text, links),
        },
        path,
        wrote: !same,
    })
}

/// Renders and writes article pages on every core.
fn render_articles(ctx: &Ctx, jobs: Vec<ArticleJob>) -> Result<Vec<Done>, ExportError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let share = jobs.len().div_ceil(threads).max(1);
    let one = |job: &ArticleJob| -> Result<Done, ExportError> {
        let page = ctx.renderer.article(
            &ctx.site,
            &job.data,
            Mode::Export {
                view_token: &job.token,
            },
        )?;
        let text = page.with_views(VIEWS_PLACEHOLDER);
        write_file(
            &ctx.root,
            ctx.old.files.get(&job.path),
            ctx.renderer.links(),
            job.path.clone(),
            &text,
            Some(job.source.clone()),
        )
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .chunks(share)
            .map(|part| scope.spawn(move || part.iter().map(one).collect::<Result<Vec<_>, _>>()))
            .collect();
        let mut out = Vec::with_capacity(jobs.len());
        for h in handles {
            out.extend(
                h.join()
                    .map_err(|_| ExportError::Worker("a rendering thread panicked".into()))??,
            );
        }
        Ok(out)
    })
}

impl Run<'_> {
    fn links(&self) -> &Links {
        self.renderer.links()
    }

    /// Whether the last run wrote `path` from these same sources: then it stays as it is.
    fn fresh(&self, path: &str, source: &str) -> bool {
        !self.full
            && self
                .old
                .files
                .get(path)
                .is_some_and(|e| e.source.as_deref() == Some(source))
    }

    fn keep(&mut self, path: &str) {
        if let Some(e) = self.old.files.get(path) {
            self.files.insert(path.to_string(), e.clone());
        }
    }

    fn record(&mut self, done: Done) {
        self.report.rendered += 1;
        if done.wrote {
            self.report.written.push(done.path.clone());
        }
        self.files.insert(done.path, done.entry);
    }

    /// Writes one rendered file (a page, a feed, a sitemap).
    fn put(
        &mut self,
        path: Option<String>,
        text: &str,
        source: Option<String>,
    ) -> Result<(), ExportError> {
        let Some(path) = path else {
            return Ok(());
        };
        let done = write_file(
            &self.root,
            self.old.files.get(&path),
            self.links(),
            path,
            text,
            source,
        )?;
        self.record(done);
        Ok(())
    }

    fn ctx(&self) -> Arc<Ctx> {
        Arc::new(Ctx {
            renderer: self.renderer.clone(),
            site: self.site.clone(),
            root: self.root.clone(),
            old: self.old.clone(),
        })
    }

    /// Every published article's page: kept when the article, its neighbours and the site are
    /// as they were; otherwise read, rendered and written, a batch at a time.
    pub async fn articles(
        &mut self,
        listing: &SiteListing,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<(), ExportError> {
        let total = listing.articles().len() as u64;
        let tokens = self.app.view_tokens();
        let mut todo = Vec::new();
        for a in listing.articles() {
            let id = a.summary.id;
            let Some(path) = page_file(&self.links().article(id)) else {
                continue;
            };
            let (newer, older) = listing.neighbours(id);
            let source = source_of(&[
                &self.fingerprint,
                &id.to_string(),
                &a.updated_at.to_string(),
                &tokens.token(id),
                &neighbour_key(newer),
                &neighbour_key(older),
            ]);
            if self.fresh(&path, &source) {
                self.keep(&path);
            } else {
                todo.push((id, path, source));
            }
        }
        let mut done = total - todo.len() as u64;
        progress(done, total);
        let ctx = self.ctx();
        let mut pending: Option<tokio::task::JoinHandle<Result<Vec<Done>, ExportError>>> = None;
        for batch in todo.chunks(BATCH) {
            let ids: Vec<i64> = batch.iter().map(|t| t.0).collect();
            let mut articles: HashMap<i64, rongmei_core::Article> = self
                .app
                .published_articles(&ids)
                .await?
                .into_iter()
                .map(|a| (a.id, a))
                .collect();
            // Retracted since the listing was read: left out, so its page goes.
            let jobs: Vec<ArticleJob> = batch
                .iter()
                .filter_map(|(id, path, source)| {
                    let article = articles.remove(id)?;
                    Some(ArticleJob {
                        data: listing.article_data(article),
                        token: tokens.token(*id),
                        path: path.clone(),
                        source: source.clone(),
                    })
                })
                .collect();
            if let Some(h) = pending.take() {
                done += self.finish(h).await?;
                progress(done, total);
            }
            let ctx = ctx.clone();
            pending = Some(tokio::task::spawn_blocking(move || {
                render_articles(&ctx, jobs)
            }));
        }
        if let Some(h) = pending.take() {
            done += self.finish(h).await?;
            progress(done, total);
        }
        Ok(())
    }

    async fn finish(
        &mut self,
        h: tokio::task::JoinHandle<Result<Vec<Done>, ExportError>>,
    ) -> Result<u64, ExportError> {
        let done = h.await.map_err(|e| ExportError::Worker(e.to_string()))??;
        let n = done.len() as u64;
        for d in done {
            self.record(d);
        }
        Ok(n)
    }

    /// Every page of every column's listing, kept when its articles and the site are unchanged.
    pub fn columns(&mut self, listing: &SiteListing) -> Result<(), ExportError> {
        for data in listing.column_pages() {
            let Some(path) = page_file(&self.links().column_page(&data.column.slug, data.page))
            else {
                tracing::warn!(column = %data.column.slug, "a column slug that cannot be a folder name: not exported");
                continue;
            };
            let mut parts = vec![
                self.fingerprint.clone(),
                data.column.id.to_string(),
                format!("{}/{}/{}", data.page, data.pages, data.total),
            ];
            for a in &data.items {
                parts.push(format!(
                    "{}\0{}\0{:?}\0{:?}",
                    a.id, a.title, a.label, a.published_at
                ));
            }
            let source = source_of(&parts.iter().map(String::as_str).collect::<Vec<_>>());
            if self.fresh(&path, &source) {
                self.keep(&path);
                continue;
            }
            let html = self.renderer.column(&self.site, &data)?;
            self.put(Some(path), &html, Some(source))?;
        }
        Ok(())
    }

    /// The home page, search, 404, stylesheet, robots.txt, sitemaps and feeds: rendered on every
    /// run (each is one query), written when their bytes changed.
    pub async fn singles(
        &mut self,
        links: &Links,
        listing: &SiteListing,
    ) -> Result<(), ExportError> {
        let columns = listing.columns();
        let home = self.app.home_data(&self.site).await?;
        let html = self.renderer.home(&self.site, &home)?;
        self.put(page_file(&links.home()), &html, None)?;
        let search = self.renderer.search(&self.site, &SearchView::default())?;
        self.put(page_file(&links.search("")), &search, None)?;
        let missing = self.renderer.error(
            &self.site,
            "页面不存在",
            "您要找的页面不存在，或者已经撤下。",
        );
        self.put(
            plain_file(&format!("{}/404.html", links.prefix())),
            &missing,
            None,
        )?;
        let css = rongmei_render::assets::CSS;
        self.put(plain_file(&links.stylesheet("")), css, None)?;
        self.put(
            plain_file(&format!("{}/robots.txt", links.prefix())),
            &sitemaps::robots(links),
            None,
        )?;
        let sitemap = self.app.sitemap_data_of(listing.sitemap_articles()).await?;
        let set = sitemaps::build(links, &sitemap, Utc::now());
        self.put(plain_file(&links.sitemap()), &set.root, None)?;
        for (n, child) in set.children.iter().enumerate() {
            self.put(plain_file(&links.sitemap_child(n + 1)), child, None)?;
        }
        self.put(
            plain_file(&format!("{}/sitemap-news.xml", links.prefix())),
            &set.news,
            None,
        )?;
        let mut feeds_of: Vec<Option<String>> = vec![None];
        feeds_of.extend(columns.iter().map(|c| Some(c.slug.clone())));
        for column in feeds_of {
            let data = self.app.feed_data(column.as_deref()).await?;
            for format in FeedFormat::ALL {
                let text = feeds::render(format, links, &data);
                self.put(
                    plain_file(&links.feed(format, column.as_deref())),
                    &text,
                    None,
                )?;
            }
        }
        Ok(())
    }

    /// Each special's page and feeds.
    pub async fn specials(&mut self, links: &Links) -> Result<(), ExportError> {
        for special in self.app.specials().await? {
            let data = self.app.special_data(&special.slug).await?;
            let html = self.renderer.special(&self.site, &data)?;
            self.put(page_file(&links.special(&special.slug)), &html, None)?;
            let feed = self.app.special_feed_data(&special.slug).await?;
            for format in FeedFormat::ALL {
                let text = feeds::render(format, links, &feed);
                self.put(
                    plain_file(&links.special_feed(format, &special.slug)),
                    &text,
                    None,
                )?;
            }
        }
        Ok(())
    }
}
