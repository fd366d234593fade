//! Domain model and rules of the Rongmei newsroom.
//!
//! Nothing in this crate knows about HTTP or SQL: it defines what an article is, how its body is
//! structured, how titles carry a 【label】, how columns get their slugs, and how times are shown.

pub mod article;
pub mod body;
pub mod channel;
pub mod column;
pub mod entity;
pub mod event;
pub mod links;
pub mod special;
pub mod time;
pub mod user;
pub mod workflow;

pub use article::{Article, ArticleStatus, Byline, NewArticle, label_of_title};
pub use body::{Block, Body};
pub use channel::Channel;
pub use column::{Column, slugify};
pub use entity::{EntityKind, Verdict, clean_entity_name};
pub use event::{ArticleEvent, EventKind};
pub use links::{FeedFormat, LinkError, Links};
pub use special::Special;
pub use time::{SHANGHAI, format_display_time};
pub use user::{Role, User};
pub use workflow::{Action, WorkflowError};

/// The column every article without one lands in; it always exists.
pub const DEFAULT_COLUMN_SLUG: &str = "news";
pub const DEFAULT_COLUMN_NAME: &str = "新闻";
