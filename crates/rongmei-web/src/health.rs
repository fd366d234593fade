//! Readiness for a balancer: `/readyz` is 503 until this node can answer everything correctly.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

pub async fn readyz(State(state): State<AppState>) -> Response {
    let r = state.app().readiness().await;
    let (status, text) = match (r.database, r.search) {
        (true, true) => (StatusCode::OK, "ready"),
        (false, _) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: the database is unreachable",
        ),
        (true, false) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: the search index is being built or catching up",
        ),
    };
    (status, [(header::CACHE_CONTROL, "no-store")], text).into_response()
}

/// `GET /metrics`: Prometheus text exposition of this process.
pub async fn metrics(State(state): State<AppState>) -> Response {
    state.app().update_gauges().await;
    let Some(handle) = crate::telemetry::recorder() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics are unavailable: another metrics recorder is installed in this process",
        )
            .into_response();
    };
    handle.run_upkeep();
    (
        [
            (
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        handle.render(),
    )
        .into_response()
}
