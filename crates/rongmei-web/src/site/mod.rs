//! The public site: pages rendered on the server, search, and view counting.

pub mod cache;
pub mod pages;
pub mod search;
pub mod views;
