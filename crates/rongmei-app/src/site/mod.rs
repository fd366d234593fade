//! The public site's data: navigation and the content of its pages.

pub mod listing;
pub mod nav;
pub mod pages;
pub mod specials;
