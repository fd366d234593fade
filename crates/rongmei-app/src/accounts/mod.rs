//! Newsroom accounts: password hashing, sign-in with its limits, sessions, and account changes.

pub mod limiter;
pub mod passwords;
pub mod sessions;
pub mod users;
