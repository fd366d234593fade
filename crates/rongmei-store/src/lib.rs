//! Rongmei's data layer: one API over SQLite (embedded default) and PostgreSQL (several nodes).
//!
//! Queries go through sqlx's `Any` driver so both backends share one SQL text; where the two
//! dialects differ the SQL avoids the difference (integer times, a `sort_key` column instead of
//! `NULLS LAST`, `CASE` instead of `MAX`/`GREATEST`). Each backend has its own migrations folder.

mod archive;
mod archive_merge;
mod articles;
mod audit;
mod columns;
mod db;
mod events;
mod import;
mod knowledge;
mod knowledge_reads;
mod listing;
mod newsroom;
mod search_log;
mod shared;
mod sitemaps;
mod specials;
pub mod testing;
mod users;
mod views;
mod webhooks;

pub use archive::{ARCHIVE_TABLES, ArchiveTable, Restore};
pub use archive_merge::{Merge, MergeReport};
pub use articles::{ArticleSummary, Page, PictureArticle};
pub use audit::{AuditEntry, AuditFilter};
pub use db::{Backend, Result, Store, StoreError};
pub use events::NewEvent;
pub use import::{ImportStats, Importer};
pub use knowledge::{Correction, ExtractionSource, NewDate, NewMention};
pub use knowledge_reads::{
    DatedMention, EntityCount, EntityRecord, Mention, RoleSpan, TimelineEntry,
};
pub use listing::ListedArticle;
pub use newsroom::{ArticleMeta, Draft, NewsroomItem, Revision, SCHEDULER_LOCK, Transition};
pub use search_log::{QueryCounts, SearchCount, SearchDay};
pub use shared::{Editor, RebuildReport, SIGNAL_DICTIONARIES, SIGNAL_REINDEX, StoredDictionary};
pub use sitemaps::SitemapArticle;
pub use specials::SpecialInput;
pub use users::{AttackedLogin, NewUser, Session, SignInFailures, UserRecord};
pub use views::{ChannelViews, ColumnViews, StatRow, TopArticle, ViewBatch, Visit};
pub use webhooks::{
    AttemptOutcome, DeliveryState, NewDelivery, WebhookAttempt, WebhookDelivery, WebhookEndpoint,
};
