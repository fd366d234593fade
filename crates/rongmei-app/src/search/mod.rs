//! Search: keeping this node's index in step with the change feed, and answering queries.

pub mod indexer;
pub mod online;
pub mod query;
pub mod suggest;
