//! Rongmei's application layer: every use case of the newsroom and the site, with its
//! authorisation, over the store, the search index and the media store. It knows no HTTP; the
//! web crate and the command line are its adapters.

pub mod accounts;
pub mod actor;
pub mod analytics;
pub mod app;
pub mod archive;
pub mod articles;
pub mod background;
pub mod baidu;
pub mod clock;
pub mod config;
pub mod dictionaries;
pub mod error;
pub mod events;
pub mod import;
pub mod knowledge;
pub mod media;
pub mod public;
pub mod search;
pub mod search_log;
pub mod site;
pub mod telemetry;
pub mod views;
pub mod webhooks;
pub mod wordpress;

pub use actor::Actor;
pub use app::App;
pub use config::{Config, DataDir, Overrides};
pub use error::AppError;
