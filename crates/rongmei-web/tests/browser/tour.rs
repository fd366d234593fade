//! Every newsroom page at a phone's width and a laptop's: each is checked (see
//! [`Browser::check_page`]) and kept as a screenshot named for the width, e.g.
//! `NN-phone-390-users.png`. Along the way: the draft preview says it is unpublished, links in
//! article text are visible, the audit log names the command line instead of linking to it,
//! and accounts get their roles from checkboxes.

use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::json;

use crate::page::Browser;
use crate::screens::{DESKTOP, PHONE, Screen};
use crate::workflow::COLUMN;

const DRAFT_TITLE: &str = "【校园】预览验收：图书馆延长开放时间";
const LINK_TEXT: &str = "图书馆主页";

/// Walks the newsroom as the reporter and as the admin at both widths; `published` is an
/// article the workflow published.
pub async fn tour(b: &mut Browser, published: i64) {
    b.use_screen(DESKTOP).await;
    b.login("reporter", "tour-login-reporter").await;
    let draft = write_draft(b).await;
    b.logout().await;
    for s in [PHONE, DESKTOP] {
        b.use_screen(s).await;
        as_reporter(b, s, draft, published).await;
        as_admin(b).await;
        knowledge(b, s.name == PHONE.name).await;
        suggestions(b).await;
    }
    roles_from_checkboxes(b).await;
    for s in [PHONE, DESKTOP] {
        b.use_screen(s).await;
        home_with_pictures(b).await;
    }
}

/// Typing in the header's search box offers suggestions; the keyboard moves through them
/// and Enter takes the one chosen: an article opens, anything else is searched.
async fn suggestions(b: &mut Browser) {
    b.goto("/").await;
    let typed = "主题";
    b.wait_visible("header form.search input[name=q]")
        .await
        .send_keys(typed)
        .await
        .expect("type into the search box");
    b.wait_visible("header .suggest li[role=option]").await;
    b.wait_js(
        "the box says its list is open",
        "return document.querySelector('header input[name=q]').getAttribute('aria-expanded') === 'true';",
    )
    .await;
    let input = b.wait_css("header form.search input[name=q]").await;
    input
        .send_keys(&char::from(Key::Down).to_string())
        .await
        .expect("arrow down");
    b.wait_js(
        "ArrowDown selects the first suggestion",
        "var o = document.querySelector('header .suggest li'); \
         return o.getAttribute('aria-selected') === 'true' && \
           document.querySelector('header input[name=q]').getAttribute('aria-activedescendant') === o.id;",
    )
    .await;
    b.check_page("suggestions").await;
    let chosen = b
        .js("return document.querySelector('header .suggest li span').textContent;")
        .await;
    let chosen = chosen.as_str().expect("a suggestion's text").to_string();
    input
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .expect("enter");
    let path = b
        .wait_path("Enter takes the chosen suggestion", |p| {
            p.starts_with("/articles/") || p.starts_with("/search")
        })
        .await;
    if path.starts_with("/search") {
        let q = b
            .js("return document.querySelector('main input[name=q]').value;")
            .await;
        assert_eq!(q.as_str(), Some(chosen.as_str()), "searched for {chosen}");
    }
}

/// The public home page opens with 图片新闻: the published article's picture, loaded, at both
/// widths, without sideways scrolling of the page.
async fn home_with_pictures(b: &mut Browser) {
    b.goto("/").await;
    b.wait_visible(".pictures img").await;
    b.wait_js(
        "the first 图片新闻 picture is loaded",
        "var i = document.querySelector('.pictures img'); return !!i && i.complete && i.naturalWidth > 0;",
    )
    .await;
    b.check_page("home").await;
}

/// A draft whose text links somewhere; the new-article form first refuses to go without a column.
async fn write_draft(b: &mut Browser) -> i64 {
    b.goto("/newsroom/articles/new").await;
    b.wait_visible("#rich").await;
    b.wait_css("#title")
        .await
        .send_keys(DRAFT_TITLE)
        .await
        .expect("type the title");
    b.click("#save").await;
    // The browser keeps the form: the column is required and still at 请选择栏目.
    b.wait_js(
        "saving without a column is stopped at the column",
        "var s = document.querySelector('#column'); return s.validity.valueMissing && s.value === '';",
    )
    .await;
    assert_eq!(b.path().await, "/newsroom/articles/new");
    b.wait_css("#column")
        .await
        .select_by_label(COLUMN)
        .await
        .expect("choose the column");
    // The body goes in as HTML, as a paste would put it, link included.
    let html = format!(
        "<p>本报讯 图书馆自下周起延长开放时间，详见<a href=\"https://lib.example.edu.cn/\">{LINK_TEXT}</a>。</p>"
    );
    b.c.execute(
        "document.querySelector('#rich').innerHTML = arguments[0]; return true;",
        vec![json!(html)],
    )
    .await
    .expect("fill the editor");
    b.click("#save").await;
    let p = b
        .wait_path("the draft's page after saving", |p| {
            p.starts_with("/newsroom/articles/") && p.ends_with("?saved=1")
        })
        .await;
    p.trim_start_matches("/newsroom/articles/")
        .split(['?', '/'])
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("an article id in {p}"))
}

async fn as_reporter(b: &mut Browser, s: Screen, draft: i64, published: i64) {
    b.goto("/newsroom/login").await;
    b.wait_css("#login-submit").await;
    b.check_page("login").await;
    b.login("reporter", &format!("{}-signed-in", s.name)).await;

    b.wait_css("#published").await;
    let badge =
        b.c.find(Locator::Css("#published .status-published"))
            .await
            .expect("a 已发布 badge among the recent articles");
    assert_eq!(badge.text().await.expect("badge text"), "已发布");
    b.check_page("dashboard").await;

    b.goto("/newsroom/articles/new").await;
    b.wait_visible("#rich").await;
    b.check_page("editor").await;

    b.open_article(draft).await;
    b.check_page("article-draft").await;

    b.goto(&format!("/newsroom/articles/{draft}/preview")).await;
    let banner = b.text("#preview-banner").await;
    assert!(banner.contains("预览·未发布"), "{banner}");
    b.wait_js(
        "a link in the article text is coloured and underlined",
        &format!(
            "var a = Array.prototype.find.call(document.querySelectorAll('.body a'), function (x) {{ return x.textContent === {}; }}); \
             if (!a) return false; var cs = getComputedStyle(a), body = getComputedStyle(a.closest('.body')); \
             return cs.textDecorationLine.indexOf('underline') >= 0 && cs.color !== body.color;",
            json!(LINK_TEXT)
        ),
    )
    .await;
    b.check_page("preview-draft").await;

    b.goto(&format!("/newsroom/articles/{published}/preview"))
        .await;
    b.wait_css("article.article").await;
    assert!(
        b.c.find(Locator::Css("#preview-banner")).await.is_err(),
        "a published article's preview has no 未发布 banner"
    );

    b.open_article(published).await;
    b.check_page("article-published").await;

    b.goto(&format!("/newsroom/articles/{published}/history"))
        .await;
    b.wait_css("#revisions").await;
    b.check_page("history").await;

    // The WeChat version, at the phone's width as WeChat shows it, copied with one button.
    b.goto(&format!("/newsroom/articles/{published}/channels"))
        .await;
    b.wait_visible("#wechat-preview").await;
    b.click("#copy-wechat").await;
    b.wait_js(
        "the copy button selects the whole WeChat version and says so",
        "var s = document.getElementById('copy-status').textContent; \
         var sel = window.getSelection().toString(); \
         var title = document.querySelector('#wechat-preview .wechat-title').textContent; \
         return (s.indexOf('已复制') === 0 || s.indexOf('已选中') === 0) && sel.indexOf(title) >= 0;",
    )
    .await;
    b.check_page("channels").await;

    b.goto("/newsroom/queue").await;
    b.wait_css("main h1").await;
    b.check_page("queue").await;

    b.goto("/newsroom/audit").await;
    b.wait_css("#audit").await;
    b.check_page("audit-own").await;

    b.goto("/newsroom/password").await;
    b.wait_css("input[name=current]").await;
    b.check_page("password").await;

    b.goto("/admin/analytics").await;
    let back = b
        .wait_css("#back-to-newsroom")
        .await
        .attr("href")
        .await
        .expect("href")
        .unwrap_or_default();
    assert_eq!(
        back, "/newsroom",
        "the analytics page links back to the newsroom"
    );
    b.check_page("analytics").await;

    b.goto(&format!("/admin/analytics/articles/{published}"))
        .await;
    b.wait_css("#back-to-newsroom").await;
    b.check_page("analytics-article").await;

    b.goto("/newsroom").await;
    b.logout().await;
}

async fn as_admin(b: &mut Browser) {
    let s = b.screen.expect("a screen");
    b.login("admin", &format!("{}-signed-in-admin", s.name))
        .await;

    b.goto("/newsroom/users").await;
    b.wait_css("#users").await;
    let boxes =
        b.c.find_all(Locator::Css(
            "#new-user-roles input[type=checkbox][name=role]",
        ))
        .await
        .expect("role checkboxes");
    assert_eq!(boxes.len(), 5, "one checkbox per role");
    b.check_page("users").await;

    b.goto("/newsroom/dictionaries").await;
    b.wait_css(".nr-dictionary").await;
    b.check_page("dictionaries").await;

    b.goto("/newsroom/audit").await;
    b.wait_css("#audit").await;
    // The test accounts were made on the command line: 命令行, as text, never a link.
    b.wait_js(
        "the command line is named 命令行 and not linked",
        "var cells = Array.prototype.filter.call(document.querySelectorAll('#audit td.actor'), function (td) { \
           return td.textContent.trim() === '命令行'; }); \
         return cells.length > 0 && cells.every(function (td) { return !td.querySelector('a'); }) \
           && !Array.prototype.some.call(document.querySelectorAll('#audit td.actor a'), function (a) { \
             return /^(cli|system:)/.test(a.textContent.trim()); });",
    )
    .await;
    b.check_page("audit-all").await;

    b.logout().await;
}

/// Knowledge: `/people/成进` lists the seed, whose page ends with the names it mentions; the
/// admin sees what extraction found in it with the evidence, and (once) rejects 张玥, who then
/// leaves the list for the 已排除 list.
async fn knowledge(b: &mut Browser, reject: bool) {
    b.goto("/people/%E6%88%90%E8%BF%9B").await;
    b.wait_css(".entity-articles a").await;
    b.check_page("person").await;
    b.click(".entity-articles a").await;
    let path = b
        .wait_path("the seed's page from /people/成进", |p| {
            p.starts_with("/articles/")
        })
        .await;
    let seed: i64 = path
        .trim_start_matches("/articles/")
        .parse()
        .unwrap_or_else(|_| panic!("an article id in {path}"));
    b.wait_visible("aside.entities a.entity").await;
    b.check_page("article-entities").await;

    b.login("admin", "knowledge-login-admin").await;
    b.goto(&format!("/newsroom/articles/{seed}/entities")).await;
    b.wait_css("#mentions").await;
    b.check_page("curation").await;
    if reject {
        b.click("#mentions tr[data-name=张玥] button[value=reject]")
            .await;
        let notice = b.text("#notice").await;
        assert!(notice.contains("已保存"), "{notice}");
        let rejected = b.text("#rejected").await;
        assert!(rejected.contains("张玥"), "{rejected}");
        b.wait_js(
            "张玥 is no longer among the mentions",
            "return !document.querySelector('#mentions tr[data-name=\"张玥\"]');",
        )
        .await;
        b.check_page("curation-rejected").await;
    }
    b.logout().await;
}

/// The add-user form takes roles from checkboxes with Chinese labels; none ticked is refused in
/// Chinese, two ticked make an account with both.
async fn roles_from_checkboxes(b: &mut Browser) {
    b.use_screen(DESKTOP).await;
    b.login("admin", "roles-login-admin").await;
    b.goto("/newsroom/users").await;
    fill_new_user(b).await;
    b.click("form.nr-form button[type=submit]").await;
    let error = b.text("p.error").await;
    assert!(
        error.contains("至少选择一个角色") && !error.contains("role"),
        "no role ticked: {error}"
    );
    b.check_page_allowing("users-no-role", Some("status of 422"))
        .await;

    fill_new_user(b).await;
    for role in ["reviewer1", "reviewer2"] {
        b.click(&format!("#new-user-roles input[value={role}]"))
            .await;
    }
    b.click("form.nr-form button[type=submit]").await;
    let notice = b.text("p.notice").await;
    assert!(notice.contains("已添加用户 zhangsan"), "{notice}");
    b.wait_js(
        "the new account has both roles",
        "return Array.prototype.some.call(document.querySelectorAll('#users tr'), function (tr) { \
           return tr.textContent.indexOf('zhangsan') >= 0 && tr.textContent.indexOf('初审、复审') >= 0; });",
    )
    .await;
    b.check_page("users-added").await;
    b.logout().await;
}

async fn fill_new_user(b: &Browser) {
    for (name, value) in [
        ("login", "zhangsan"),
        ("name", "张三"),
        ("password", "a long enough password"),
    ] {
        b.wait_css(&format!("form.nr-form input[name={name}]"))
            .await
            .send_keys(value)
            .await
            .unwrap_or_else(|e| panic!("type {name}: {e}"));
    }
}
