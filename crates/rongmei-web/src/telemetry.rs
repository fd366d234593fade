//! Request metrics, and the Prometheus recorder every metric of the process goes to.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// Histogram buckets in seconds: a cached page answers in well under a millisecond, a rebuild
/// or a slow database in seconds.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process's recorder, installed on first use. `None` only when something else installed
/// a recorder first (an embedding program with its own metrics).
pub fn recorder() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets(&BUCKETS)
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            Some(handle)
        })
        .as_ref()
}

/// `/articles/{id}` as `/articles/:id`: braces inside label values are valid Prometheus text,
/// but some parsers in the wild cut a sample's labels at the first `}`.
fn route_label(pattern: &str) -> String {
    if !pattern.contains('{') {
        return pattern.to_string();
    }
    pattern
        .replace("{*", "*")
        .replace('{', ":")
        .replace('}', "")
}

/// Counts every request by route pattern (never the raw path: ids would make a series each),
/// method and status, and records its latency.
pub async fn track(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| route_label(p.as_str()));
    let method = req.method().as_str().to_string();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!(
        "rongmei_http_requests_total",
        "route" => route.clone(),
        "method" => method,
        "status" => status
    )
    .increment(1);
    metrics::histogram!("rongmei_http_request_duration_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

#[cfg(test)]
mod tests {
    use super::route_label;

    #[test]
    fn route_labels_have_no_braces() {
        assert_eq!(route_label("/articles/{id}"), "/articles/:id");
        assert_eq!(route_label("/media/{*path}"), "/media/*path");
        assert_eq!(route_label("/"), "/");
    }
}
