//! The newsroom's article use cases: writing, the review workflow, comments, images, and what a
//! member may read.

pub mod input;
pub mod reads;
pub mod write;
