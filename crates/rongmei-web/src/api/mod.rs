//! The public read side of the JSON API (`/api/v1`), shaped as the outside contract fixes it.

pub mod openapi;
pub mod public;
