//! Rongmei over HTTP: adapters from requests to the application's use cases and back — the
//! public site, the newsroom's pages, the JSON API, and the caching headers that let a reverse
//! proxy or CDN do its job. No rule of the newsroom lives here.

pub mod analytics;
pub mod api;
pub mod client;
pub mod error;
pub mod extract;
pub mod health;
pub mod http_cache;
pub mod layers;
pub mod newsroom;
pub mod routes;
pub mod server;
pub mod site;
pub mod state;
pub mod telemetry;

pub use routes::router;
pub use server::serve;
pub use state::AppState;
