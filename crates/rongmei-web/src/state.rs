//! What every handler holds: the application, the renderer and this node's page cache.

use std::sync::Arc;

use rongmei_app::App;
use rongmei_core::Links;
use rongmei_render::Renderer;

use crate::site::cache::PageCache;

/// Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    app: App,
    render: Renderer,
    pages: Arc<PageCache>,
}

impl AppState {
    /// Wraps the application for HTTP; the page cache hears of every change the app sees.
    pub fn new(app: App) -> AppState {
        let pages = Arc::new(PageCache::new());
        let cache = pages.clone();
        app.on_change(move |id| cache.invalidate(id));
        AppState {
            inner: Arc::new(Inner {
                render: Renderer::new(app.links().clone()),
                app,
                pages,
            }),
        }
    }

    pub fn app(&self) -> &App {
        &self.inner.app
    }

    pub fn render(&self) -> &Renderer {
        &self.inner.render
    }

    pub fn links(&self) -> &Links {
        self.inner.app.links()
    }

    pub fn pages(&self) -> &PageCache {
        &self.inner.pages
    }

    /// Whether a loopback proxy's `X-Forwarded-*` headers are believed.
    pub fn trust_proxy(&self) -> bool {
        self.inner.app.config().trust_proxy
    }

    pub fn admin_token(&self) -> Option<&str> {
        self.inner.app.config().admin_token.as_deref()
    }
}
