//! The people's channels from the newsroom: an article as a WeChat draft and as a Weibo post,
//! as JSON (the contract) and as a page that shows the WeChat version the way its reader does,
//! with a button that copies it, styles and all, for the 公众号 editor.

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use rongmei_app::AppError;
use rongmei_core::Links;
use rongmei_render::channels::{
    WECHAT_TITLE_MAX, WechatRendering, WechatUse, WeiboRendering, wechat, weibo, weibo_length,
};
use serde::Deserialize;

use super::frame::{Frame, page};
use crate::api::openapi::{InputErrors, MemberErrors};
use crate::error::WebResult;
use crate::extract::{ArticleId, Member, PageMember};
use crate::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WechatQuery {
    /// The editor's own title (at most 32 characters) in place of the shortened one.
    title: Option<String>,
}

async fn rendering(
    state: &AppState,
    article: &rongmei_core::Article,
    title: Option<&str>,
) -> Result<WechatRendering, AppError> {
    if let Some(t) = title.map(str::trim).filter(|t| !t.is_empty())
        && t.chars().count() > WECHAT_TITLE_MAX
    {
        return Err(AppError::field(
            "title",
            format!(
                "微信标题最多 {WECHAT_TITLE_MAX} 个字，现在是 {} 个字",
                t.chars().count()
            ),
        ));
    }
    let versions = state.app().wechat_pictures(article).await?;
    let links = state.links();
    let picture = |src: &str, purpose: WechatUse| {
        links.absolute(
            versions
                .get(&(src.to_string(), purpose))
                .map_or(src, String::as_str),
        )
    };
    Ok(wechat(
        article,
        links,
        &state.app().config().site_name,
        title.map(str::trim).filter(|t| !t.is_empty()),
        &picture,
    ))
}

#[utoipa::path(
    get, path = "/api/v1/articles/{id}/renderings/wechat", tag = "channels", security(("bearer" = []), ("session_cookie" = [])),
    params(("id" = i64, Path, minimum = 1, description = "编号"), WechatQuery),
    responses((status = 200, description = "The article as a WeChat official-account draft (`draft/add`)", body = WechatRendering), MemberErrors, InputErrors)
)]
pub async fn api_wechat(
    State(state): State<AppState>,
    ArticleId(id): ArticleId,
    m: Member,
    Query(q): Query<WechatQuery>,
) -> WebResult<Json<WechatRendering>> {
    let article = state.app().article_for_channels(&m.actor, id).await?;
    Ok(Json(rendering(&state, &article, q.title.as_deref()).await?))
}

#[utoipa::path(
    get, path = "/api/v1/articles/{id}/renderings/weibo", tag = "channels", security(("bearer" = []), ("session_cookie" = [])),
    params(("id" = i64, Path, minimum = 1, description = "编号")),
    responses((status = 200, description = "The article as a Weibo post of at most 140", body = WeiboRendering), MemberErrors, InputErrors)
)]
pub async fn api_weibo(
    State(state): State<AppState>,
    ArticleId(id): ArticleId,
    m: Member,
) -> WebResult<Json<WeiboRendering>> {
    let article = state.app().article_for_channels(&m.actor, id).await?;
    Ok(Json(weibo(&article, state.links())))
}

#[derive(Template)]
#[template(path = "newsroom/channels.html")]
struct ChannelsPage<'a> {
    links: &'a Links,
    frame: Frame,
    id: i64,
    article_title: String,
    wechat: WechatRendering,
    weibo: WeiboRendering,
    weibo_count: f64,
    json: String,
}

/// `/newsroom/articles/{id}/channels`: the WeChat version as its reader shows it, with a copy
/// button, the Weibo text with its count, and the contract's JSON.
pub async fn channels_page(
    State(state): State<AppState>,
    ArticleId(id): ArticleId,
    Query(q): Query<WechatQuery>,
    PageMember(m): PageMember,
) -> WebResult<Response> {
    let article = state.app().article_for_channels(&m.actor, id).await?;
    let wechat = rendering(&state, &article, q.title.as_deref()).await?;
    let weibo = weibo(&article, state.links());
    let json =
        serde_json::to_string_pretty(&wechat).map_err(|e| AppError::Internal(e.to_string()))?;
    let view = ChannelsPage {
        links: state.links(),
        frame: Frame::of(&m.session),
        id,
        article_title: article.title,
        weibo_count: weibo_length(&weibo.text),
        wechat,
        weibo,
        json,
    };
    page(StatusCode::OK, &view)
}
