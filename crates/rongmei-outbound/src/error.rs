//! The one error of outbound requests, in the words the admin reads.

#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    #[error("地址无效：{0}")]
    BadUrl(String),
    #[error("{0}")]
    InternalTarget(String),
    #[error("无法解析主机名：{0}")]
    Unresolvable(String),
    #[error("密钥无效：{0}")]
    BadSecret(String),
    #[error("无法创建 HTTP 客户端：{0}")]
    Client(String),
}
