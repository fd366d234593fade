//! Requests Rongmei sends to other servers. The queues, retries and logs live in the
//! application; this crate only knows how to send one request safely and what came back.

mod baidu;
mod error;
mod guard;
mod webhook;

pub use baidu::{BaiduPusher, BaiduTarget, MAX_URLS as BAIDU_MAX_URLS, PushError, PushReply};
pub use error::OutboundError;
pub use guard::{NameResolver, SystemResolver, TargetPolicy, is_internal};
pub use webhook::{Sent, WebhookSender, new_secret, validate_secret};
