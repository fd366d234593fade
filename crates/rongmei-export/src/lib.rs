//! `rongmei export site DIR`: the public site as static files for nginx or a CDN, at the live
//! site's URLs, rendered by the same renderer as the live pages.
//!
//! Article pages keep counting: their script posts the page's view token to the live server's
//! `POST /api/v1/articles/{id}/views` and shows the count it answers. A manifest of what each
//! file was rendered from and what it holds makes a second run render only the pages whose
//! sources changed, write only the files whose bytes changed, and delete what left the site
//! (a retracted article's page, the pictures only it showed).

mod error;
mod files;
mod manifest;
mod media;
mod nginx;
mod options;
mod render;
mod site;
mod watch;

pub use error::ExportError;
pub use files::{page_file, plain_file};
pub use manifest::{Entry, MANIFEST_FILE, Manifest};
pub use media::media_refs;
pub use nginx::NGINX_FILE;
pub use options::{ExportOptions, ExportReport};
pub use site::{export_site, export_with_progress};
pub use watch::watch;
