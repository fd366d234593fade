//! The public site: pages rendered on the server, feeds, search, and view counting.

pub mod cache;
pub mod feeds;
pub mod pages;
pub mod search;
pub mod views;
