//! The newsroom (采编审发) over HTTP: its pages (server-rendered, working without JavaScript)
//! and its JSON API. Every rule lives in the application crate; these are adapters.

pub mod accounts;
pub mod api_accounts;
pub mod api_articles;
pub mod api_docs;
pub mod api_tools;
pub mod audit;
pub mod channels;
pub mod desk;
pub mod dictionaries;
pub mod editor;
pub mod frame;
pub mod history;
pub mod knowledge;
pub mod media;
pub mod signin;
pub mod specials;
pub mod webhooks;
pub mod workspace;
