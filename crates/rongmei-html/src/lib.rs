//! The one HTML sanitiser of Rongmei, and the conversion of sanitised HTML into body blocks.
//!
//! Every path where HTML enters the system (the editor, the JSON API, importers) goes through
//! [`sanitize_fragment`] or [`body_from_html`]; single-line plain fields go through
//! [`sanitize_text_field`]. Sanitising happens in two passes:
//!
//! 1. a paste clean-up ([`paste`]) that walks the parsed tree and rewrites what Microsoft Word and
//!    WeChat paste into plain structure: `<section>`/`<div>` nesting becomes paragraphs, lazy
//!    images get their real `data-src`, `<span style>` wrappers unwrap (or become `<strong>`/`<em>`
//!    when the style says so), Word's `MsoTitle`/`MsoHeadingN` paragraphs become headings, empty
//!    spacer paragraphs go;
//! 2. an [`ammonia`] allow-list, which is the security boundary: even if the clean-up had a bug,
//!    nothing outside the allow-list survives.
//!
//! Plain text fields are stored as text and escaped when rendered, so nothing here escapes them.

pub mod audit;
mod blocks;
mod paste;
mod sanitize;
mod text;
mod urls;
pub mod wechat;

pub use blocks::{body_from_html, image_sources};
#[doc(hidden)]
pub use sanitize::allow_list_only;
pub use sanitize::{Absolutizer, sanitize_fragment};
pub use text::sanitize_text_field;
