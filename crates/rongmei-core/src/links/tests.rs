use super::*;

#[test]
fn entity_pages_encode_the_name_as_one_segment() {
    let l = Links::new("https://news.example.edu.cn/").expect("base");
    assert_eq!(
        l.entity(crate::entity::EntityKind::Person, "成进"),
        "/people/%E6%88%90%E8%BF%9B"
    );
    assert_eq!(
        l.entity_page(crate::entity::EntityKind::Organization, "a/b c", 2),
        "/organizations/a%2Fb%20c?page=2"
    );
    assert_eq!(l.entities(crate::entity::EntityKind::Place), "/places");
}

#[test]
fn absolute_urls_start_with_the_base_whatever_its_form() {
    let l = Links::new("https://news.example.edu.cn/").expect("base");
    assert_eq!(l.base(), "https://news.example.edu.cn");
    assert_eq!(l.article(7), "/articles/7");
    assert_eq!(l.article_url(7), "https://news.example.edu.cn/articles/7");
    assert_eq!(
        l.absolute("/media/ab/c.jpg"),
        "https://news.example.edu.cn/media/ab/c.jpg"
    );
    assert_eq!(l.absolute("https://other/x.png"), "https://other/x.png");
    assert_eq!(
        l.absolute("//cdn.example/x.png"),
        "https://cdn.example/x.png"
    );
}

#[test]
fn a_base_with_a_path_prefixes_every_path_once() {
    let l = Links::new("https://www.example.edu.cn/news").expect("base");
    assert_eq!(l.article(7), "/news/articles/7");
    assert_eq!(
        l.article_url(7),
        "https://www.example.edu.cn/news/articles/7"
    );
    assert_eq!(l.home(), "/news/");
    assert_eq!(
        l.absolute(&l.column("xin-wen")),
        "https://www.example.edu.cn/news/columns/xin-wen"
    );
    assert_eq!(
        l.absolute("/media/a.jpg"),
        "https://www.example.edu.cn/news/media/a.jpg"
    );
}

#[test]
fn bad_bases_are_refused() {
    for bad in [
        "news.example.edu.cn",
        "ftp://x",
        "https://x/?a=1",
        "/relative",
    ] {
        assert!(Links::new(bad).is_err(), "{bad}");
    }
}

#[test]
fn query_parts_are_encoded() {
    let l = Links::new("http://127.0.0.1:8080").expect("base");
    assert_eq!(
        l.newsroom_login(Some("/newsroom/articles/1?x=1&y=2")),
        "/newsroom/login?next=%2Fnewsroom%2Farticles%2F1%3Fx%3D1%26y%3D2"
    );
    assert_eq!(l.column_page("xin-wen", 1), "/columns/xin-wen");
    assert_eq!(l.column_page("xin-wen", 3), "/columns/xin-wen/page/3");
    assert_eq!(l.column("a b/c"), "/columns/a%20b%2Fc");
    assert!(l.is_newsroom_path("/newsroom/articles/1"));
    assert!(!l.is_newsroom_path("//evil.example/newsroom"));
    assert!(!l.is_newsroom_path("/newsroom\\..\\x"));
}

/// The university's news site served under `/news` by the main site's proxy.
fn under_news() -> Links {
    Links::new("https://www.xjtu.edu.cn/news/").expect("base")
}

/// A news site on its own host.
fn own_host() -> Links {
    Links::new("https://news.xjtu.edu.cn").expect("base")
}

#[test]
fn each_feed_format_has_its_file_name_and_media_type() {
    let named: Vec<(&str, &str)> = FeedFormat::ALL
        .into_iter()
        .map(|f| (f.file_name(), f.content_type()))
        .collect();
    assert_eq!(
        named,
        [
            ("feed.xml", "application/rss+xml; charset=utf-8"),
            ("atom.xml", "application/atom+xml; charset=utf-8"),
            ("feed.json", "application/feed+json; charset=utf-8"),
        ]
    );
}

#[test]
fn the_base_keeps_its_path_without_the_trailing_slash() {
    let l = under_news();
    assert_eq!(l.base(), "https://www.xjtu.edu.cn/news");
    assert_eq!(l.prefix(), "/news");
    let l = own_host();
    assert_eq!(l.base(), "https://news.xjtu.edu.cn");
    assert_eq!(l.prefix(), "");
    let l = Links::new("  http://127.0.0.1:8080/  ").expect("base");
    assert_eq!(l.base(), "http://127.0.0.1:8080");
}

#[test]
fn bases_that_are_not_web_addresses_are_refused_with_the_reason() {
    assert_eq!(
        Links::new("news.xjtu.edu.cn"),
        Err(LinkError::NotAbsolute("news.xjtu.edu.cn".into()))
    );
    assert_eq!(
        Links::new("mailto:news@xjtu.edu.cn"),
        Err(LinkError::NotAbsolute("mailto:news@xjtu.edu.cn".into()))
    );
    assert_eq!(
        Links::new("https://news.xjtu.edu.cn/#top"),
        Err(LinkError::HasQuery("https://news.xjtu.edu.cn/#top".into()))
    );
}

#[test]
fn absolute_urls_keep_what_is_already_absolute() {
    let l = under_news();
    assert_eq!(
        l.absolute("http://old.xjtu.edu.cn/images/1.jpg"),
        "http://old.xjtu.edu.cn/images/1.jpg"
    );
    assert_eq!(
        l.absolute("https://mmbiz.qpic.cn/x.png"),
        "https://mmbiz.qpic.cn/x.png"
    );
    let http = Links::new("http://127.0.0.1:8080").expect("base");
    assert_eq!(
        http.absolute("//cdn.xjtu.edu.cn/a.png"),
        "http://cdn.xjtu.edu.cn/a.png"
    );
}

#[test]
fn a_path_that_merely_starts_like_the_prefix_still_gets_it() {
    let l = under_news();
    // `/newsroom` is not under `/news`: the prefix is a whole segment.
    assert_eq!(
        l.absolute("/newsroom/login"),
        "https://www.xjtu.edu.cn/news/newsroom/login"
    );
    assert_eq!(l.absolute("/news"), "https://www.xjtu.edu.cn/news");
    assert_eq!(
        l.absolute(&l.newsroom()),
        "https://www.xjtu.edu.cn/news/newsroom"
    );
    assert_eq!(
        own_host().absolute("/media/ab/abcdef.jpg"),
        "https://news.xjtu.edu.cn/media/ab/abcdef.jpg"
    );
}

#[test]
fn public_pages_live_under_the_base_path() {
    let l = under_news();
    assert_eq!(l.home(), "/news/");
    assert_eq!(l.article(42), "/news/articles/42");
    assert_eq!(l.column("zong-he-xin-wen"), "/news/columns/zong-he-xin-wen");
    assert_eq!(
        l.column_url("zong-he-xin-wen"),
        "https://www.xjtu.edu.cn/news/columns/zong-he-xin-wen"
    );
    assert_eq!(l.column_page("xue-shu", 1), "/news/columns/xue-shu");
    assert_eq!(l.column_page("xue-shu", 0), "/news/columns/xue-shu");
    assert_eq!(l.column_page("xue-shu", 2), "/news/columns/xue-shu/page/2");
    assert_eq!(l.media("ab/abcdef.jpg"), "/news/media/ab/abcdef.jpg");
    assert_eq!(l.stylesheet("3f2a"), "/news/static/site.css?v=3f2a");
    assert_eq!(l.suggest_script("3f2a"), "/news/static/suggest.js?v=3f2a");
}

#[test]
fn specials_have_a_page_a_feed_and_a_place_in_the_newsroom() {
    let l = under_news();
    assert_eq!(l.special("er-shi-da"), "/news/specials/er-shi-da");
    assert_eq!(
        l.special_url("er-shi-da"),
        "https://www.xjtu.edu.cn/news/specials/er-shi-da"
    );
    assert_eq!(
        l.special_feed(FeedFormat::Atom, "er-shi-da"),
        "/news/specials/er-shi-da/atom.xml"
    );
    assert_eq!(l.special("西迁"), "/news/specials/%E8%A5%BF%E8%BF%81");
    assert_eq!(l.api_specials(), "/news/api/v1/specials");
    assert_eq!(l.newsroom_specials(), "/news/newsroom/specials");
}

#[test]
fn entities_have_an_index_pages_and_newsroom_corrections() {
    let l = under_news();
    assert_eq!(
        l.entity(crate::entity::EntityKind::Place, "兴庆校区"),
        "/news/places/%E5%85%B4%E5%BA%86%E6%A0%A1%E5%8C%BA"
    );
    assert_eq!(
        l.entity_page(crate::entity::EntityKind::Person, "王树国", 1),
        l.entity(crate::entity::EntityKind::Person, "王树国")
    );
    assert_eq!(
        l.entity_page(crate::entity::EntityKind::Person, "王树国", 3),
        "/news/people/%E7%8E%8B%E6%A0%91%E5%9B%BD?page=3"
    );
    assert_eq!(
        l.entities(crate::entity::EntityKind::Organization),
        "/news/organizations"
    );
    assert_eq!(l.newsroom_entity_actions(), "/news/newsroom/entities");
    assert_eq!(
        l.newsroom_entities(42),
        "/news/newsroom/articles/42/entities"
    );
}

#[test]
fn search_takes_an_encoded_query_or_none() {
    let l = under_news();
    assert_eq!(l.search(""), "/news/search");
    assert_eq!(
        l.search("q=%E8%A5%BF%E8%BF%81&page=2"),
        "/news/search?q=%E8%A5%BF%E8%BF%81&page=2"
    );
    assert_eq!(l.api_search_suggest(), "/news/api/v1/search/suggest");
}

#[test]
fn site_feeds_and_column_feeds_use_the_contract_file_names() {
    let l = under_news();
    assert_eq!(l.feed_rss(), "/news/feed.xml");
    assert_eq!(l.feed_atom(), "/news/atom.xml");
    assert_eq!(l.feed_json(), "/news/feed.json");
    assert_eq!(l.feed(FeedFormat::Json, None), l.feed_json());
    assert_eq!(
        l.column_feed_rss("xue-shu"),
        "/news/columns/xue-shu/feed.xml"
    );
    assert_eq!(
        l.column_feed_atom("xue-shu"),
        "/news/columns/xue-shu/atom.xml"
    );
    assert_eq!(
        l.column_feed_json("xue-shu"),
        "/news/columns/xue-shu/feed.json"
    );
    assert_eq!(
        l.feed(FeedFormat::Rss, Some("xue-shu")),
        l.column_feed_rss("xue-shu")
    );
    assert_eq!(
        l.feed_url(FeedFormat::Atom, None),
        "https://www.xjtu.edu.cn/news/atom.xml"
    );
    assert_eq!(
        l.feed_url(FeedFormat::Json, Some("xue-shu")),
        "https://www.xjtu.edu.cn/news/columns/xue-shu/feed.json"
    );
}

#[test]
fn crawlers_find_the_sitemaps_and_stay_out_of_the_private_parts() {
    let l = under_news();
    assert_eq!(l.sitemap(), "/news/sitemap.xml");
    assert_eq!(l.sitemap_url(), "https://www.xjtu.edu.cn/news/sitemap.xml");
    assert_eq!(l.sitemap_child(2), "/news/sitemaps/2.xml");
    assert_eq!(
        l.news_sitemap_url(),
        "https://www.xjtu.edu.cn/news/sitemap-news.xml"
    );
    assert_eq!(
        l.private_prefixes(),
        ["/news/newsroom", "/news/admin/", "/news/api/"]
    );
}

#[test]
fn the_api_lives_under_the_base_path() {
    let l = under_news();
    assert_eq!(l.api_articles(), "/news/api/v1/articles");
    assert_eq!(l.api_article(42), "/news/api/v1/articles/42");
    assert_eq!(
        l.api_newsroom_article(42),
        "/news/api/v1/newsroom/articles/42"
    );
    assert_eq!(
        l.api_dictionary("sensitive"),
        "/news/api/v1/dictionaries/sensitive"
    );
    assert_eq!(l.openapi(), "/news/api/openapi.json");
}

#[test]
fn a_static_export_talks_to_the_live_server_when_given_one() {
    let l = under_news();
    let live = Some("https://news.xjtu.edu.cn/");
    assert_eq!(l.search_on(live), "https://news.xjtu.edu.cn/search");
    assert_eq!(l.search_on(None), "/news/search");
    assert_eq!(
        l.api_articles_on(live),
        "https://news.xjtu.edu.cn/api/v1/articles"
    );
    assert_eq!(l.api_articles_on(None), "/news/api/v1/articles");
    assert_eq!(
        l.api_views(42, live),
        "https://news.xjtu.edu.cn/api/v1/articles/42/views"
    );
    assert_eq!(l.api_views(42, None), "/news/api/v1/articles/42/views");
}

#[test]
fn the_newsroom_pages_live_under_the_base_path() {
    let l = under_news();
    for (got, want) in [
        (l.newsroom(), "/news/newsroom"),
        (l.newsroom_login(None), "/news/newsroom/login"),
        (l.newsroom_logout(), "/news/newsroom/logout"),
        (l.newsroom_queue(), "/news/newsroom/queue"),
        (l.newsroom_users(), "/news/newsroom/users"),
        (l.newsroom_user(5), "/news/newsroom/users/5"),
        (l.newsroom_api_docs(), "/news/newsroom/api"),
        (l.newsroom_webhooks(), "/news/newsroom/webhooks"),
        (l.newsroom_webhook(3), "/news/newsroom/webhooks/3"),
        (
            l.newsroom_webhook_action(3),
            "/news/newsroom/webhooks/3/actions",
        ),
        (l.newsroom_dictionaries(), "/news/newsroom/dictionaries"),
        (
            l.newsroom_dictionary("expressions"),
            "/news/newsroom/dictionaries/expressions",
        ),
        (l.newsroom_password(), "/news/newsroom/password"),
        (l.newsroom_script(), "/news/newsroom/editor.js"),
        (l.newsroom_new_article(), "/news/newsroom/articles/new"),
        (l.newsroom_articles(), "/news/newsroom/articles"),
        (l.newsroom_article(42), "/news/newsroom/articles/42"),
        (l.newsroom_edit(42), "/news/newsroom/articles/42/edit"),
        (l.newsroom_actions(42), "/news/newsroom/articles/42/actions"),
        (
            l.newsroom_comments(42),
            "/news/newsroom/articles/42/comments",
        ),
        (l.newsroom_images(42), "/news/newsroom/articles/42/images"),
        (l.newsroom_preview(42), "/news/newsroom/articles/42/preview"),
        (
            l.newsroom_channels(42),
            "/news/newsroom/articles/42/channels",
        ),
        (
            l.newsroom_history(42, None),
            "/news/newsroom/articles/42/history",
        ),
        (
            l.newsroom_history(42, Some((3, 5))),
            "/news/newsroom/articles/42/history?from=3&to=5",
        ),
    ] {
        assert_eq!(got, want);
    }
}

#[test]
fn the_audit_log_filters_by_article_and_by_person() {
    let l = under_news();
    assert_eq!(l.newsroom_audit(None, None), "/news/newsroom/audit");
    assert_eq!(
        l.newsroom_audit(Some(42), None),
        "/news/newsroom/audit?article=42"
    );
    assert_eq!(
        l.newsroom_audit(None, Some("reporter.zhang")),
        "/news/newsroom/audit?user=reporter.zhang"
    );
    assert_eq!(
        l.newsroom_audit(Some(42), Some("a&b")),
        "/news/newsroom/audit?article=42&user=a%26b"
    );
}

#[test]
fn analytics_pages_are_admin_pages() {
    let l = under_news();
    assert_eq!(l.analytics(), "/news/admin/analytics");
    assert_eq!(l.analytics_article(42), "/news/admin/analytics/articles/42");
    assert_eq!(l.analytics_csv(), "/news/admin/analytics/views.csv");
}

#[test]
fn only_the_newsroom_s_own_pages_are_safe_to_return_to_after_sign_in() {
    let l = under_news();
    assert!(l.is_newsroom_path("/news/newsroom/articles/42/edit"));
    assert!(!l.is_newsroom_path("/news/articles/42"));
    assert!(!l.is_newsroom_path("/newsroom/queue"));
    assert!(!l.is_newsroom_path("/news/newsroom/x?next=https://evil.example"));
    assert!(!l.is_newsroom_path("/news/newsroom\\evil"));
    let root = own_host();
    assert!(!root.is_newsroom_path("//evil.example/newsroom"));
    assert!(!root.is_newsroom_path("/articles/42"));
}
