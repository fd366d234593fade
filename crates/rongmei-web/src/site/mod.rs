//! The public site: pages rendered on the server, feeds, sitemaps, search, and view counting.

pub mod cache;
pub mod entities;
pub mod feeds;
pub mod pages;
pub mod search;
pub mod sitemaps;
pub mod views;
