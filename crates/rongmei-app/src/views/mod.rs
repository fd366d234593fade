//! View counting (浏览次数): the exact counter and the signed tokens that let cached pages count.

pub mod counter;
pub mod tokens;
