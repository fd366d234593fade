//! Running the server: the routes plus the node's background work, and a graceful stop that
//! writes every counted view.

use std::net::SocketAddr;

use tokio::net::TcpListener;

use crate::routes::router;
use crate::state::AppState;

/// Serves until `shutdown` resolves, then writes every counted view before returning.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let background = state.app().spawn_background();
    let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    background.stop().await;
    result
}
