//! The knowledge pages: an entity's page and the index of a kind.

use askama::Template;
use rongmei_app::knowledge::pages::{EntityIndex, EntityPage};
use rongmei_app::site::nav::SiteInfo;
use rongmei_core::EntityKind;

use crate::error::RenderError;
use crate::pages::{Chrome, Renderer};

#[derive(Template)]
#[template(path = "entity.html")]
struct EntityHtml<'a> {
    site: Chrome<'a>,
    p: &'a EntityPage,
    kind: EntityKind,
    /// Other written forms than the name.
    aliases: Vec<&'a str>,
}

#[derive(Template)]
#[template(path = "entities.html")]
struct IndexHtml<'a> {
    site: Chrome<'a>,
    x: &'a EntityIndex,
    /// The three indexes: label, address, whether it is this one.
    tabs: Vec<(&'static str, String, bool)>,
    next: String,
    prev: String,
}

impl Renderer {
    pub fn entity(&self, site: &SiteInfo, p: &EntityPage) -> Result<String, RenderError> {
        Ok(EntityHtml {
            site: self.chrome(site),
            kind: p.entity.kind,
            aliases: p
                .entity
                .aliases
                .iter()
                .map(String::as_str)
                .filter(|a| *a != p.entity.name)
                .collect(),
            p,
        }
        .render()?)
    }

    pub fn entity_index(&self, site: &SiteInfo, x: &EntityIndex) -> Result<String, RenderError> {
        let page_url = |page: i64| {
            let mut pairs = vec![("page", page.to_string())];
            if !x.q.is_empty() {
                pairs.insert(0, ("q", x.q.clone()));
            }
            format!(
                "{}?{}",
                self.links().entities(x.kind),
                serde_urlencoded::to_string(&pairs).unwrap_or_default()
            )
        };
        Ok(IndexHtml {
            site: self.chrome(site),
            tabs: EntityKind::ALL
                .into_iter()
                .map(|k| (k.label(), self.links().entities(k), k == x.kind))
                .collect(),
            next: page_url(x.page + 1),
            prev: page_url(x.page - 1),
            x,
        }
        .render()?)
    }
}
