//! Webhooks: admins register endpoints for events of the change feed; each event becomes one
//! delivery per endpoint in a queue in the database, sent by whichever node holds it, retried
//! for about three days, and logged attempt by attempt.

pub mod dispatch;
pub mod endpoints;
pub mod events;
pub mod fanout;
pub mod sender;
