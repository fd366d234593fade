//! The nginx settings written beside the pages: the live site's URLs answered from the files
//! (`/articles/7` from `articles/7/index.html`), feeds with their own types, the 404 page, and
//! the export's own bookkeeping kept out of reach.

use std::path::Path;

use rongmei_core::{FeedFormat, Links};

/// Beside the manifest; hidden from readers by its own rules.
pub const NGINX_FILE: &str = ".rongmei-nginx.conf";

/// Settings for inside a `server { }` block serving the export folder `root`.
pub fn settings(root: &Path, links: &Links, api_base: Option<&str>) -> String {
    let prefix = links.prefix();
    let mut out = format!(
        "# Written by `rongmei export site`: include inside a server {{ }} block, e.g.\n\
         #   server {{ listen 80; server_name news.example.edu.cn; include {root}/{NGINX_FILE}; }}\n\
         root {root};\n\
         index index.html;\n\
         charset utf-8;\n\
         # Pages, feeds and the stylesheet shrink to a quarter; pictures are compressed already.\n\
         gzip on;\n\
         gzip_vary on;\n\
         gzip_types text/css text/plain application/xml application/json application/rss+xml application/atom+xml application/feed+json;\n\
         location {prefix}/ {{\n    try_files $uri $uri/index.html =404;\n}}\n\
         # The manifest and these settings.\n\
         location ~ /\\. {{\n    return 404;\n}}\n\
         error_page 404 {prefix}/404.html;\n\
         # Pictures are named by their content: they never change.\n\
         location ^~ {prefix}/media/ {{\n    add_header Cache-Control \"{media}\";\n    try_files $uri =404;\n}}\n\
         location ^~ {prefix}/static/ {{\n    expires 1d;\n    try_files $uri =404;\n}}\n",
        root = root.display(),
        media = rongmei_media::CACHE_CONTROL,
    );
    for format in FeedFormat::ALL {
        let name = format.file_name().replace('.', "\\.");
        out.push_str(&format!(
            "location ~ /{name}$ {{\n    types {{ }}\n    default_type \"{}\";\n    try_files $uri =404;\n}}\n",
            format.content_type()
        ));
    }
    if api_base.is_none() {
        out.push_str(&format!(
            "# Pages count views at {prefix}/api/v1/articles/{{id}}/views on this host, and search at\n\
             # {prefix}/search: pass both to the live server (or export with --api-base URL).\n\
             # location ^~ {prefix}/api/ {{ proxy_pass http://127.0.0.1:8080; }}\n\
             # location = {prefix}/search {{ proxy_pass http://127.0.0.1:8080; }}\n"
        ));
    }
    out
}
