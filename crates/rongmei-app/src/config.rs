//! Site configuration: built-in defaults, then a TOML file, then `RONGMEI_*` environment
//! variables, then command-line flags, each beating the one before; and the one type that knows
//! where things live in the data folder.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use rongmei_core::Links;
use serde::{Deserialize, Deserializer, Serialize};

pub const DEFAULT_SITE_NAME: &str = "融媒新闻网";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA: &str = "./rongmei-data";
/// Views one client address may add to one article in 30 minutes, whatever User-Agents it
/// sends. Campus networks put many readers behind one address, so it is well above what one
/// person does; a site behind one large NAT raises it (0: no ceiling). Requests over it still
/// count in the raw figure.
pub const DEFAULT_VIEWS_PER_ADDRESS: u32 = 20;

/// Environment variables read, by setting name (the database's variable says URL).
const ENV_NAMES: &[(&str, &str)] = &[
    ("RONGMEI_DATA", "data"),
    ("RONGMEI_DATABASE_URL", "database"),
    ("RONGMEI_LISTEN", "listen"),
    ("RONGMEI_TRUST_PROXY", "trust_proxy"),
    ("RONGMEI_ADMIN_TOKEN", "admin_token"),
    ("RONGMEI_BASE_URL", "base_url"),
    ("RONGMEI_SITE_NAME", "site_name"),
    ("RONGMEI_VIEWS_PER_ADDRESS", "views_per_address"),
    ("RONGMEI_WEBHOOK_ALLOW_PRIVATE", "webhook_allow_private"),
    ("RONGMEI_WEBHOOK_RETRY_SCALE", "webhook_retry_scale"),
    ("RONGMEI_BAIDU_PUSH_TOKEN", "baidu_push_token"),
    ("RONGMEI_BAIDU_PUSH_SITE", "baidu_push_site"),
    ("RONGMEI_BAIDU_PUSH_ENDPOINT", "baidu_push_endpoint"),
    ("RONGMEI_BAIDU_PUSH_QUOTA_WAIT", "baidu_push_quota_wait"),
];

/// Baidu's 普通收录 API.
pub const DEFAULT_BAIDU_PUSH_ENDPOINT: &str = "http://data.zz.baidu.com/urls";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("配置有误 (configuration): {0}")]
    Invalid(String),
}

/// Settings given on the command line; `None` leaves the value to the environment, the file or
/// the default.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_proxy: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub views_per_address: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_allow_private: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_retry_scale: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baidu_push_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baidu_push_site: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baidu_push_endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baidu_push_quota_wait: Option<u32>,
}

#[derive(Debug, Deserialize)]
struct Raw {
    #[serde(default)]
    data: Option<PathBuf>,
    #[serde(default)]
    database: Option<String>,
    #[serde(default)]
    listen: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    trust_proxy: bool,
    #[serde(default)]
    admin_token: Option<String>,
    #[serde(default)]
    base_url: Option<String>,
    #[serde(default)]
    site_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_count")]
    views_per_address: Option<u32>,
    #[serde(default, deserialize_with = "lenient_bool")]
    webhook_allow_private: bool,
    #[serde(default, deserialize_with = "lenient_scale")]
    webhook_retry_scale: Option<f64>,
    #[serde(default)]
    baidu_push_token: Option<String>,
    #[serde(default)]
    baidu_push_site: Option<String>,
    #[serde(default)]
    baidu_push_endpoint: Option<String>,
    #[serde(default, deserialize_with = "lenient_count")]
    baidu_push_quota_wait: Option<u32>,
}

/// A positive factor from a file or flag (a number) or from the environment (text).
fn lenient_scale<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum N {
        Num(f64),
        Text(String),
    }
    let n = match Option::<N>::deserialize(d)? {
        None => return Ok(None),
        Some(N::Num(n)) => n,
        Some(N::Text(s)) => s.trim().parse().map_err(|_| {
            serde::de::Error::custom(format!("{s:?} 不是正数 (expected a positive number)"))
        })?,
    };
    if n.is_finite() && n > 0.0 {
        Ok(Some(n))
    } else {
        Err(serde::de::Error::custom(format!(
            "{n} 不是正数 (expected a positive number)"
        )))
    }
}

/// A count from a file or flag (a number) or from the environment (text).
fn lenient_count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum N {
        Int(u32),
        Text(String),
    }
    match Option::<N>::deserialize(d)? {
        None => Ok(None),
        Some(N::Int(n)) => Ok(Some(n)),
        Some(N::Text(s)) => s.trim().parse().map(Some).map_err(|_| {
            serde::de::Error::custom(format!("{s:?} 不是非负整数 (expected a whole number)"))
        }),
    }
}

/// `true`, `1`, `yes`, `on` (any case) from a file, a flag or an environment variable.
fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum B {
        Bool(bool),
        Int(i64),
        Text(String),
    }
    Ok(match B::deserialize(d)? {
        B::Bool(b) => b,
        B::Int(n) => n != 0,
        B::Text(s) => matches!(
            s.trim().to_ascii_lowercase().as_str(),
            "1" | "true" | "yes" | "on"
        ),
    })
}

/// Everything a node is configured with, resolved.
#[derive(Debug, Clone)]
pub struct Config {
    pub data: DataDir,
    /// `sqlite://…` or `postgres://…`.
    pub database: String,
    pub listen: SocketAddr,
    pub trust_proxy: bool,
    /// Opens the analytics pages until newsroom accounts exist; `None` keeps them closed.
    pub admin_token: Option<String>,
    pub site_name: String,
    /// Every absolute URL starts here, whatever `Host` a request carried.
    pub links: Links,
    /// Whether the base URL was configured, rather than derived from the listen address.
    pub base_url_given: bool,
    /// See [`DEFAULT_VIEWS_PER_ADDRESS`]; `None` for no ceiling.
    pub views_per_address: Option<u32>,
    /// Webhooks may be sent to private, loopback and link-local addresses.
    pub webhook_allow_private: bool,
    /// Multiplies the webhook retry schedule (1: about three days); drills and tests shorten it.
    pub webhook_retry_scale: f64,
    /// Baidu's active push, when a token is configured.
    pub baidu_push: Option<BaiduPush>,
    /// The system clock, unless a test sets one.
    pub clock: crate::clock::Clock,
}

/// Where and as what newly published URLs are pushed to Baidu.
#[derive(Debug, Clone)]
pub struct BaiduPush {
    pub endpoint: String,
    /// The site as registered with Baidu: the base URL's host unless given.
    pub site: String,
    pub token: String,
    /// Seconds to wait after Baidu says the day's quota is spent; `None`: until the next
    /// midnight, Beijing time, when Baidu renews it.
    pub quota_wait: Option<u32>,
}

impl Config {
    /// Reads the file (when given), the environment and the flags, in rising precedence.
    pub fn load(file: Option<&Path>, flags: &Overrides) -> Result<Config, ConfigError> {
        let mut fig = Figment::new();
        if let Some(f) = file {
            if !f.is_file() {
                return Err(ConfigError::Invalid(format!(
                    "配置文件 {} 不存在 (no such config file)",
                    f.display()
                )));
            }
            fig = fig.merge(Toml::file(f));
        }
        // Read as plain strings: figment's environment provider would parse `0123` as a number.
        let mut env = figment::value::Dict::new();
        for (var, key) in ENV_NAMES {
            if let Ok(v) = std::env::var(var) {
                env.insert((*key).to_string(), v.into());
            }
        }
        fig = fig.merge(Serialized::defaults(env));
        fig = fig.merge(Serialized::defaults(flags));
        let raw: Raw = fig
            .extract()
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        Config::resolve(raw)
    }

    /// The defaults with these settings: what tests and tools use without files or environment.
    pub fn with(flags: &Overrides) -> Result<Config, ConfigError> {
        let raw: Raw = Figment::new()
            .merge(Serialized::defaults(flags))
            .extract()
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        Config::resolve(raw)
    }

    fn resolve(raw: Raw) -> Result<Config, ConfigError> {
        let data = DataDir::new(raw.data.unwrap_or_else(|| PathBuf::from(DEFAULT_DATA)));
        let listen_text = raw.listen.unwrap_or_else(|| DEFAULT_LISTEN.to_string());
        let listen: SocketAddr = listen_text.trim().parse().map_err(|_| {
            ConfigError::Invalid(format!(
                "listen: {listen_text:?} 不是地址 (expected HOST:PORT, e.g. 127.0.0.1:8080)"
            ))
        })?;
        let given = raw
            .base_url
            .map(|b| b.trim().to_string())
            .filter(|b| !b.is_empty());
        let base_url_given = given.is_some();
        let base = given.unwrap_or_else(|| format!("http://{listen}"));
        let links =
            Links::new(&base).map_err(|e| ConfigError::Invalid(format!("base_url: {e}")))?;
        let site_name = raw
            .site_name
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| DEFAULT_SITE_NAME.to_string());
        Ok(Config {
            database: raw
                .database
                .filter(|d| !d.trim().is_empty())
                .unwrap_or_else(|| data.database_url()),
            data,
            listen,
            trust_proxy: raw.trust_proxy,
            admin_token: raw.admin_token.filter(|t| !t.is_empty()),
            site_name,
            links,
            base_url_given,
            views_per_address: match raw.views_per_address {
                Some(0) => None,
                Some(n) => Some(n),
                None => Some(DEFAULT_VIEWS_PER_ADDRESS),
            },
            webhook_allow_private: raw.webhook_allow_private,
            webhook_retry_scale: raw.webhook_retry_scale.unwrap_or(1.0),
            clock: crate::clock::Clock::system(),
            baidu_push: match raw.baidu_push_token.filter(|t| !t.trim().is_empty()) {
                None => None,
                Some(token) => {
                    let endpoint = raw
                        .baidu_push_endpoint
                        .filter(|e| !e.trim().is_empty())
                        .unwrap_or_else(|| DEFAULT_BAIDU_PUSH_ENDPOINT.to_string());
                    url::Url::parse(&endpoint).map_err(|e| {
                        ConfigError::Invalid(format!("baidu_push_endpoint: {endpoint:?}: {e}"))
                    })?;
                    let site = raw
                        .baidu_push_site
                        .filter(|s| !s.trim().is_empty())
                        .or_else(|| {
                            url::Url::parse(&base)
                                .ok()
                                .and_then(|u| u.host_str().map(str::to_string))
                        })
                        .unwrap_or_default();
                    Some(BaiduPush {
                        endpoint,
                        site,
                        token: token.trim().to_string(),
                        quota_wait: raw.baidu_push_quota_wait,
                    })
                }
            },
        })
    }

    /// Once the listener is bound: without a configured base URL, links use the address really
    /// listened on (`--listen 127.0.0.1:0` picks a free port).
    pub fn bound_to(&mut self, addr: SocketAddr) {
        self.listen = addr;
        if !self.base_url_given
            && let Ok(links) = Links::new(&format!("http://{addr}"))
        {
            self.links = links;
        }
    }
}

/// The layout of a node's data folder; nothing else spells out these names.
#[derive(Debug, Clone)]
pub struct DataDir(PathBuf);

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> DataDir {
        DataDir(root.into())
    }

    pub fn root(&self) -> &Path {
        &self.0
    }

    pub fn create(&self) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.0)
    }

    /// The embedded SQLite database, used when no database URL is configured.
    pub fn database_url(&self) -> String {
        rongmei_store::Store::default_url(&self.0)
    }

    /// The search index in use: `search-index`, or the folder an online rebuild swapped in,
    /// as named in `search-index.current`.
    pub fn search_index(&self) -> PathBuf {
        std::fs::read_to_string(self.search_index_pointer())
            .ok()
            .map(|name| name.trim().to_string())
            .filter(|name| name.starts_with("search-index-") && !name.contains(['/', '\\']))
            .map_or_else(|| self.0.join("search-index"), |name| self.0.join(name))
    }

    /// A fresh folder for an online rebuild, beside the index in use.
    pub fn next_search_index(&self) -> PathBuf {
        self.0.join(format!(
            "search-index-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%3f")
        ))
    }

    /// Makes `dir` (a folder of this data folder) the index in use from now on.
    pub fn use_search_index(&self, dir: &Path) -> std::io::Result<()> {
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| std::io::Error::other("index folder has no name"))?;
        let pointer = self.search_index_pointer();
        let tmp = pointer.with_extension("tmp");
        std::fs::write(&tmp, name)?;
        std::fs::rename(&tmp, &pointer)
    }

    fn search_index_pointer(&self) -> PathBuf {
        self.0.join("search-index.current")
    }

    /// Where this node's search index stands in the change feed.
    pub fn search_position(&self) -> PathBuf {
        self.0.join("search-applied-seq")
    }

    pub fn search_user_dict(&self) -> PathBuf {
        self.0.join("search-user-dict.txt")
    }

    pub fn search_aliases(&self) -> PathBuf {
        self.0.join("search-aliases.txt")
    }

    /// Publication-check dictionaries (sensitive words, 规范表述).
    pub fn dictionaries(&self) -> PathBuf {
        rongmei_checks::dictionary_dir(&self.0)
    }

    /// Uploaded images and their thumbnails.
    pub fn media(&self) -> rongmei_media::MediaStore {
        rongmei_media::MediaStore::new(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_defaults_to_the_listen_address() {
        let c = Config::with(&Overrides {
            listen: Some("127.0.0.1:9090".into()),
            ..Default::default()
        })
        .expect("config");
        assert_eq!(c.links.article_url(5), "http://127.0.0.1:9090/articles/5");
        assert_eq!(c.site_name, DEFAULT_SITE_NAME);
    }

    #[test]
    fn flags_beat_the_file() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("rongmei.toml");
        std::fs::write(
            &file,
            "site_name = \"交大新闻网\"\nbase_url = \"https://news.example.edu.cn\"\ntrust_proxy = true\n",
        )
        .expect("write");
        let c = Config::load(Some(&file), &Overrides::default()).expect("config");
        assert_eq!(c.site_name, "交大新闻网");
        assert!(c.trust_proxy);
        assert_eq!(
            c.links.article_url(1),
            "https://news.example.edu.cn/articles/1"
        );
        let c = Config::load(
            Some(&file),
            &Overrides {
                site_name: Some("另一个站".into()),
                ..Default::default()
            },
        )
        .expect("config");
        assert_eq!(c.site_name, "另一个站");
    }

    #[test]
    // figment's own error type is what `Jail` closures return.
    #[allow(clippy::result_large_err)]
    fn the_environment_beats_the_file_and_flags_beat_the_environment() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "rongmei.toml",
                "site_name = \"文件\"\ndatabase = \"sqlite://file.sqlite\"\nlisten = \"127.0.0.1:7000\"\n",
            )?;
            jail.set_env("RONGMEI_SITE_NAME", "环境");
            jail.set_env(
                "RONGMEI_DATABASE_URL",
                "postgres://postgres@127.0.0.1:5432/x",
            );
            jail.set_env("RONGMEI_TRUST_PROXY", "1");
            jail.set_env("RONGMEI_ADMIN_TOKEN", "0123");
            let file = std::path::Path::new("rongmei.toml");
            let c = Config::load(Some(file), &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(c.site_name, "环境");
            assert_eq!(c.database, "postgres://postgres@127.0.0.1:5432/x");
            assert!(c.trust_proxy);
            assert_eq!(
                c.admin_token.as_deref(),
                Some("0123"),
                "digits stay a string"
            );
            assert_eq!(c.listen.port(), 7000, "the file where nothing else says");
            let flags = Overrides {
                site_name: Some("旗标".into()),
                ..Default::default()
            };
            let c = Config::load(Some(file), &flags).map_err(|e| e.to_string())?;
            assert_eq!(c.site_name, "旗标");
            Ok(())
        });
    }

    #[test]
    fn bad_values_are_named() {
        let e = Config::with(&Overrides {
            base_url: Some("ftp:/nonsense".into()),
            ..Default::default()
        })
        .expect_err("bad base url");
        assert!(e.to_string().contains("base_url"), "{e}");
        let e = Config::with(&Overrides {
            listen: Some("nowhere".into()),
            ..Default::default()
        })
        .expect_err("bad listen");
        assert!(e.to_string().contains("listen"), "{e}");
    }
}
