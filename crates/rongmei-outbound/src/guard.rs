//! Which targets Rongmei may send to. A webhook URL is typed by an admin, but the server sends
//! from inside the network it runs in: a URL naming a private, loopback or link-local address (or
//! a name that resolves to one) would let it reach services that trust that network. Such
//! targets are refused unless the operator allows them.
//!
//! The check runs twice: when an endpoint is saved (a clear refusal for the admin), and inside
//! the client's own name resolution, on the addresses it then connects to — so a name that
//! resolves to a public address at save time and a private one later is still refused.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;

use url::{Host, Url};

use crate::error::OutboundError;

/// Resolves a host name to addresses. The system resolver in service; tests use a stub, so the
/// refusal is proven without sending traffic to private ranges.
pub trait NameResolver: Send + Sync + 'static {
    fn lookup(
        &self,
        host: &str,
    ) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send + '_>>;
}

/// The operating system's resolver.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl NameResolver for SystemResolver {
    fn lookup(
        &self,
        host: &str,
    ) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send + '_>> {
        let host = host.to_string();
        Box::pin(async move {
            Ok(tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .map(|a| a.ip())
                .collect())
        })
    }
}

/// Whether an address is one a public web service cannot have: loopback, private (RFC 1918,
/// unique local), link-local, shared (carrier-grade NAT), unspecified, multicast, broadcast,
/// benchmarking or reserved; IPv4 inside IPv6 is judged as the IPv4 address.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => internal_v6(v6),
    }
}

fn internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240
}

fn internal_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return internal_v4(v4);
    }
    let s = ip.segments();
    // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last 32 bits.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        let [a, b] = s[6].to_be_bytes();
        let [c, d] = s[7].to_be_bytes();
        return internal_v4(Ipv4Addr::new(a, b, c, d));
    }
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated, still routed inside some networks)
        // IPv4-compatible (::a.b.c.d, deprecated)
        || (s[0..6] == [0, 0, 0, 0, 0, 0] && s[6] != 0)
}

/// The rules one client sends by: which targets it may reach, and how it resolves names.
#[derive(Clone)]
pub struct TargetPolicy {
    allow_internal: bool,
    resolver: Arc<dyn NameResolver>,
}

impl TargetPolicy {
    /// `allow_internal`: `RONGMEI_WEBHOOK_ALLOW_PRIVATE=1` (a receiver on the same machine or
    /// network, in tests or behind a firewall).
    pub fn new(allow_internal: bool, resolver: Arc<dyn NameResolver>) -> TargetPolicy {
        TargetPolicy {
            allow_internal,
            resolver,
        }
    }

    pub fn system(allow_internal: bool) -> TargetPolicy {
        TargetPolicy::new(allow_internal, Arc::new(SystemResolver))
    }

    pub fn allows_internal(&self) -> bool {
        self.allow_internal
    }

    /// Checks a target URL as typed: scheme, no credentials, and every address it names or
    /// resolves to.
    pub async fn check(&self, url: &Url) -> Result<(), OutboundError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(OutboundError::BadUrl(format!(
                "只能发送到 http 或 https 地址，{} 不是",
                url.scheme()
            )));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(OutboundError::BadUrl(
                "地址里不能带用户名或密码（签名已证明请求来自本站）".into(),
            ));
        }
        match url.host() {
            None => Err(OutboundError::BadUrl("地址缺少主机名".into())),
            Some(Host::Ipv4(ip)) => self.check_addrs(url.as_str(), &[IpAddr::V4(ip)]),
            Some(Host::Ipv6(ip)) => self.check_addrs(url.as_str(), &[IpAddr::V6(ip)]),
            Some(Host::Domain(name)) => {
                let addrs = self.resolve(name).await?;
                self.check_addrs(name, &addrs)
            }
        }
    }

    async fn resolve(&self, name: &str) -> Result<Vec<IpAddr>, OutboundError> {
        let addrs = self
            .resolver
            .lookup(name)
            .await
            .map_err(|e| OutboundError::Unresolvable(format!("{name}: {e}")))?;
        if addrs.is_empty() {
            return Err(OutboundError::Unresolvable(format!("{name}: 没有地址")));
        }
        Ok(addrs)
    }

    /// Every address must be allowed: a name with one public and one private address could
    /// be connected to either.
    fn check_addrs(&self, what: &str, addrs: &[IpAddr]) -> Result<(), OutboundError> {
        if self.allow_internal {
            return Ok(());
        }
        match addrs.iter().find(|ip| is_internal(**ip)) {
            Some(ip) => Err(OutboundError::InternalTarget(format!(
                "{what} 指向内网、本机或链路本地地址 {ip}，不能发送（如确需发送到内网接收端，请设置 RONGMEI_WEBHOOK_ALLOW_PRIVATE=1）"
            ))),
            None => Ok(()),
        }
    }
}

/// The client's name resolution: the policy's resolver, then the policy's check on every
/// address, so the connection goes only to addresses that passed.
pub(crate) struct GuardedDns(pub(crate) TargetPolicy);

impl reqwest::dns::Resolve for GuardedDns {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.0.clone();
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs = policy.resolve(&host).await?;
            policy.check_addrs(&host, &addrs)?;
            let out: reqwest::dns::Addrs =
                Box::new(addrs.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// Answers from a table; never touches the network.
    struct Stub(HashMap<&'static str, Vec<IpAddr>>);

    impl NameResolver for Stub {
        fn lookup(
            &self,
            host: &str,
        ) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send + '_>> {
            let r =
                self.0.get(host).cloned().ok_or_else(|| {
                    std::io::Error::new(std::io::ErrorKind::NotFound, "no such host")
                });
            Box::pin(async move { r })
        }
    }

    fn stub() -> Arc<Stub> {
        let ip = |s: &str| s.parse::<IpAddr>().expect("address");
        Arc::new(Stub(HashMap::from([
            ("hooks.example.com", vec![ip("93.184.216.34")]),
            ("intranet.example.com", vec![ip("10.1.2.3")]),
            ("metadata.example.com", vec![ip("169.254.169.254")]),
            (
                "split.example.com",
                vec![ip("93.184.216.34"), ip("192.168.1.9")],
            ),
            ("v6-local.example.com", vec![ip("fd00::1")]),
            ("mapped.example.com", vec![ip("::ffff:127.0.0.1")]),
        ])))
    }

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    #[tokio::test]
    async fn names_and_addresses_inside_the_network_are_refused() {
        let policy = TargetPolicy::new(false, stub());
        policy
            .check(&url("https://hooks.example.com/in"))
            .await
            .expect("a public receiver");
        for target in [
            "http://intranet.example.com/hook",
            "http://metadata.example.com/latest/meta-data",
            "http://split.example.com/",
            "http://v6-local.example.com/",
            "http://mapped.example.com/",
            "http://127.0.0.1:8080/",
            "http://[::1]/",
            "http://169.254.169.254/",
            "http://[fe80::1]/",
            "http://0.0.0.0/",
            "http://100.64.0.1/",
        ] {
            let err = policy.check(&url(target)).await.expect_err(target);
            assert!(
                matches!(err, OutboundError::InternalTarget(_)),
                "{target}: {err}"
            );
            assert!(err.to_string().contains("RONGMEI_WEBHOOK_ALLOW_PRIVATE"));
        }
        let allowed = TargetPolicy::new(true, stub());
        allowed
            .check(&url("http://intranet.example.com/hook"))
            .await
            .expect("allowed by the operator");
    }

    #[tokio::test]
    async fn other_schemes_credentials_and_unknown_names_are_refused() {
        let policy = TargetPolicy::new(false, stub());
        for (target, want) in [
            ("ftp://hooks.example.com/", "http"),
            ("https://user:pw@hooks.example.com/", "密码"),
        ] {
            let err = policy.check(&url(target)).await.expect_err(target);
            assert!(err.to_string().contains(want), "{target}: {err}");
        }
        let err = policy
            .check(&url("https://nowhere.example.com/"))
            .await
            .expect_err("unresolvable");
        assert!(matches!(err, OutboundError::Unresolvable(_)));
    }

    #[tokio::test]
    async fn the_client_refuses_a_name_that_turns_private_after_it_was_saved() {
        // The resolver the client connects with applies the policy to what it resolves.
        let dns = GuardedDns(TargetPolicy::new(false, stub()));
        let name: reqwest::dns::Name = "intranet.example.com".parse().expect("name");
        let err = reqwest::dns::Resolve::resolve(&dns, name)
            .await
            .err()
            .expect("refused");
        assert!(err.to_string().contains("10.1.2.3"), "{err}");
        let name: reqwest::dns::Name = "hooks.example.com".parse().expect("name");
        let addrs: Vec<SocketAddr> = reqwest::dns::Resolve::resolve(&dns, name)
            .await
            .expect("public")
            .collect();
        assert_eq!(addrs.len(), 1);
    }

    #[test]
    fn public_addresses_pass() {
        for ip in ["8.8.8.8", "93.184.216.34", "2606:2800:220:1::1"] {
            assert!(!is_internal(ip.parse().expect("ip")), "{ip}");
        }
        for ip in ["64:ff9b::a00:1", "::ffff:10.0.0.1", "fc00::5", "198.18.0.1"] {
            assert!(is_internal(ip.parse().expect("ip")), "{ip}");
        }
    }
}
