//! Typed change events: each consumer follows the change feed with its own durable cursor and
//! its own retries, so a slow or failing one never holds another back.

pub mod cursor;
pub mod subscriber;
