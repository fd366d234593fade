//! `rongmei`: one binary that runs the whole newsroom.

mod backup;
mod database;
mod import;
mod knowledge;
mod progress;
mod signals;
mod site_export;
mod wordpress;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use rongmei_app::accounts::users::{UserInput, add_user};
use rongmei_app::{Actor, App, Config, Overrides};
use rongmei_import::Record;
use rongmei_web::AppState;

use crate::database::connect;
use crate::progress::Progress;
use crate::signals::shutdown_signal;
use crate::wordpress::ImportOptions;

#[derive(Parser)]
#[command(
    name = "rongmei",
    version,
    about = "Rongmei (融媒): a converged-media newsroom and news site",
    after_help = "Every setting may also come from the environment (RONGMEI_DATA, RONGMEI_DATABASE_URL, \
RONGMEI_LISTEN, RONGMEI_TRUST_PROXY, RONGMEI_ADMIN_TOKEN, RONGMEI_BASE_URL, RONGMEI_SITE_NAME, RONGMEI_VIEWS_PER_ADDRESS) or from \
a TOML file given with --config; flags beat the environment, which beats the file."
)]
struct Cli {
    /// A TOML file with any of the settings below (data, database, listen, trust_proxy,
    /// admin_token, base_url, site_name, views_per_address).
    #[arg(long, global = true, env = "RONGMEI_CONFIG")]
    config: Option<PathBuf>,
    /// Data folder: SQLite file, search index, media [default: ./rongmei-data].
    #[arg(long, global = true)]
    data: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST:PORT/DB (default: SQLite in the data folder).
    #[arg(long, global = true)]
    database: Option<String>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, global = true)]
    listen: Option<String>,
    /// Trust the left-most X-Forwarded-For when the peer is loopback (a local reverse proxy).
    #[arg(long, global = true)]
    trust_proxy: bool,
    /// Token that opens the analytics pages (/admin/analytics); closed when unset.
    #[arg(long, global = true)]
    admin_token: Option<String>,
    /// The site's public address; every absolute link starts with it [default: http:// + the listen address].
    #[arg(long, global = true)]
    base_url: Option<String>,
    /// The site's name in page titles and headers [default: 融媒新闻网].
    #[arg(long, global = true)]
    site_name: Option<String>,
    /// Views one client address adds to one article per 30 minutes (readers behind one campus
    /// address count up to this; more only adds to the raw count); 0 = no ceiling [default: 20].
    #[arg(long, global = true)]
    views_per_address: Option<u32>,
    /// Let webhooks reach private, loopback and link-local addresses (a receiver inside this
    /// network); also RONGMEI_WEBHOOK_ALLOW_PRIVATE=1.
    #[arg(long, global = true)]
    webhook_allow_private: bool,
    /// Log lines on standard error: `text` for people, `json` (one object a line) for collectors.
    #[arg(long, global = true, env = "RONGMEI_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

impl Cli {
    fn config(&self) -> Result<Config> {
        let flags = Overrides {
            data: self.data.clone(),
            database: self.database.clone(),
            listen: self.listen.clone(),
            trust_proxy: self.trust_proxy.then_some(true),
            admin_token: self.admin_token.clone(),
            base_url: self.base_url.clone(),
            site_name: self.site_name.clone(),
            views_per_address: self.views_per_address,
            webhook_allow_private: self.webhook_allow_private.then_some(true),
            // Only drills shorten the retry schedule: RONGMEI_WEBHOOK_RETRY_SCALE or the file.
            webhook_retry_scale: None,
            // Baidu's push is set in the environment or the file (a token is not a flag).
            ..Overrides::default()
        };
        Ok(Config::load(self.config.as_deref(), &flags)?)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run the site, the API and the newsroom.
    Serve {
        /// Import the bundled demo articles (the seed article among them) into an empty database first.
        #[arg(long)]
        demo: bool,
    },
    /// Import legacy archives: .txt (seed format), .jsonl and WordPress exports (.xml), or
    /// folders of them.
    Import {
        #[arg(required_unless_present = "pages")]
        paths: Vec<PathBuf>,
        /// A folder of saved article pages of a site-group (站群) site, as `wget --mirror`
        /// leaves it.
        #[arg(long)]
        pages: Option<PathBuf>,
        /// How to read the saved pages: `vsb` (博达), `dede` (织梦), or a TOML file of CSS
        /// selectors (see the README).
        #[arg(long, default_value = "vsb")]
        profile: String,
        /// Show what would be imported (counts per kind, every warning, every article) and
        /// write nothing.
        #[arg(long)]
        dry_run: bool,
        /// WordPress: the `wp-content/uploads` folder. Linked files go into the media store and
        /// the links point at them; without it links stay absolute and are listed.
        #[arg(long)]
        media: Option<PathBuf>,
        /// WordPress: where to write the nginx redirect map of old permalinks
        /// [default: DATA/wordpress-redirects.map].
        #[arg(long)]
        redirects: Option<PathBuf>,
        /// A Rongmei archive into a database that has content: its articles (with revisions,
        /// tags, view series and audit lines) join under new ids; the same archive twice adds
        /// nothing.
        #[arg(long)]
        merge: bool,
    },
    /// Write everything out.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Rebuild the search index from the database. With a server running on this data folder (or
    /// with --nodes) every running node rebuilds beside the index it answers from, then swaps.
    Reindex {
        /// Ask the running nodes to rebuild instead of building this data folder's index.
        #[arg(long)]
        nodes: bool,
    },
    /// Publication-check dictionaries (sensitive.txt, expressions.txt), kept in the database.
    #[command(subcommand)]
    Dictionaries(DictionariesCommand),
    /// Newsroom accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Knowledge: the people, organisations, places and dates in the articles.
    #[command(subcommand)]
    Knowledge(KnowledgeCommand),
}

#[derive(Subcommand)]
enum KnowledgeCommand {
    /// Extract what is missing or out of date (a running server does this for every change;
    /// this does the whole archive at once, with a progress bar). Editors' corrections stay.
    Extract {
        /// Read every article again, not only those not read yet.
        #[arg(long)]
        all: bool,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// One file with every article and revision, column, special, account, audit line, view
    /// series, dictionary, webhook and media file: the backup. `rongmei import FILE` restores it
    /// into an empty database (SQLite or PostgreSQL). Safe while servers run (one snapshot).
    Archive {
        file: PathBuf,
        /// Include password hashes, the view-token key and webhook secrets (a full backup;
        /// keep the file as safe as the database).
        #[arg(long)]
        with_secrets: bool,
    },
    /// The public site as static files for nginx or a CDN, at the live site's URLs (links from
    /// --base-url), with nginx settings beside them (DIR/.rongmei-nginx.conf). A second run
    /// writes only what changed and deletes what was retracted.
    Site {
        dir: PathBuf,
        /// The live server that answers search, the API and the article pages' view counts,
        /// e.g. https://news.example.edu.cn [default: the static host itself, which passes
        /// /api/ and /search on to the live server].
        #[arg(long, env = "RONGMEI_API_BASE")]
        api_base: Option<String>,
        /// Render every page again, even those whose sources did not change.
        #[arg(long)]
        full: bool,
        /// Keep running: export again after every change to an article, and every --refresh.
        #[arg(long)]
        watch: bool,
        /// With --watch, export at least this often (seconds) for what changes without an
        /// article event (specials, column names, the most-read list).
        #[arg(long, default_value_t = 300)]
        refresh: u64,
        /// Print every file written or deleted.
        #[arg(long)]
        list_changes: bool,
    },
}

#[derive(Subcommand)]
enum DictionariesCommand {
    /// Write both dictionaries into DIR as sensitive.txt and expressions.txt.
    Export { dir: PathBuf },
    /// Replace the dictionaries with the files found in DIR (checked line by line first); every
    /// running node applies them within two seconds.
    Import { dir: PathBuf },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add an account; the password is read from the first line of standard input.
    Add {
        login: String,
        /// reporter, reviewer1 (初审), reviewer2 (复审), chief (终审) or admin; several separated by commas.
        #[arg(long)]
        role: String,
        /// The name shown in the newsroom and on bylines (defaults to the login).
        #[arg(long)]
        name: Option<String>,
    },
}

const DEMO_SEED: &str = include_str!("../../../fixtures/seed/000_110ea0537603b210.txt");
const DEMO_JSONL: &str = include_str!("../../../fixtures/demo/demo.jsonl");

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Json => logs.json().init(),
        LogFormat::Text => logs.with_ansi(std::io::stderr().is_terminal()).init(),
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    let config = cli.config()?;
    config
        .data
        .create()
        .with_context(|| format!("creating the data folder {}", config.data.root().display()))?;
    match cli.command {
        Command::Serve { demo } => serve(config, demo).await,
        Command::Import {
            ref paths,
            ref pages,
            ref profile,
            dry_run,
            ref media,
            ref redirects,
            merge,
        } => {
            let options = ImportOptions {
                pages: pages.clone(),
                profile: profile.clone(),
                dry_run,
                media: media.clone(),
                redirects: redirects.clone(),
                merge,
            };
            import::import(&config, paths, &options).await
        }
        Command::Export(ExportCommand::Archive {
            ref file,
            with_secrets,
        }) => {
            let store = connect(&config.database).await?;
            backup::export_archive(store, &config, file, with_secrets).await
        }
        Command::Export(ExportCommand::Site {
            ref dir,
            ref api_base,
            full,
            watch,
            refresh,
            list_changes,
        }) => {
            let how = site_export::SiteExport {
                dir: dir.clone(),
                api_base: api_base.clone(),
                full,
                watch,
                refresh: std::time::Duration::from_secs(refresh.max(1)),
                list_changes,
            };
            site_export::export_site(config, how).await
        }
        Command::Reindex { nodes } => reindex(&config, nodes).await,
        Command::Knowledge(KnowledgeCommand::Extract { all }) => {
            knowledge::extract(config, all).await
        }
        Command::Dictionaries(ref command) => dictionaries(&config, command).await,
        Command::User(UserCommand::Add {
            ref login,
            ref role,
            ref name,
        }) => user_add(&config.database, login, role, name.as_deref()).await,
    }
}

async fn user_add(url: &str, login: &str, role: &str, name: Option<&str>) -> Result<()> {
    let mut password = String::new();
    std::io::stdin()
        .read_line(&mut password)
        .context("reading the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']);
    if password.is_empty() {
        bail!("no password given: write it as the first line of standard input");
    }
    let store = connect(url).await?;
    let input = UserInput {
        login: login.to_string(),
        name: name.map(str::to_string),
        role: role.to_string(),
        password: password.to_string(),
    };
    let user = add_user(&store, &Actor::command_line(), &input).await?;
    store.close().await;
    println!(
        "added user {} ({}) with roles {}",
        user.login,
        user.name,
        rongmei_core::Role::join(&user.roles)
    );
    Ok(())
}

/// Accounts for trying the newsroom on a demo site, one per role, all with the same password.
const DEMO_PASSWORD: &str = "rongmei-demo";
const DEMO_USERS: &[(&str, &str, &str)] = &[
    ("reporter", "reporter", "记者小王"),
    ("reviewer1", "reviewer1", "初审编辑"),
    ("reviewer2", "reviewer2", "复审编辑"),
    ("chief", "chief", "总编辑"),
    ("admin", "admin", "管理员"),
];

async fn serve(mut config: Config, demo: bool) -> Result<()> {
    let store = connect(&config.database).await?;
    if demo {
        if store.count_articles().await? == 0 {
            let records = demo_records()?;
            let stats = store
                .import(
                    &records
                        .iter()
                        .map(|r| r.article.clone())
                        .collect::<Vec<_>>(),
                    &|_| {},
                )
                .await?;
            tracing::info!(imported = stats.imported, "demo articles imported");
        } else {
            tracing::info!("database not empty: demo articles not imported again");
        }
        if store.count_users().await? == 0 {
            for (login, role, name) in DEMO_USERS {
                let input = UserInput {
                    login: login.to_string(),
                    name: Some(name.to_string()),
                    role: role.to_string(),
                    password: DEMO_PASSWORD.to_string(),
                };
                add_user(&store, &Actor::command_line(), &input)
                    .await
                    .with_context(|| format!("creating demo user {login}"))?;
            }
            println!(
                "Demo newsroom accounts (password {DEMO_PASSWORD}): {}",
                DEMO_USERS
                    .iter()
                    .map(|u| u.0)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    if store.count_users().await? == 0 {
        tracing::info!(
            "no newsroom accounts yet: add one with `echo PASSWORD | rongmei user add LOGIN --role admin`"
        );
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    config.bound_to(listener.local_addr()?);
    let index = rongmei_app::app::open_search(&config.data).with_context(|| {
        format!(
            "opening the search index in {}",
            config.data.search_index().display()
        )
    })?;
    let app = App::open(config, store.clone(), index)
        .await
        .context("preparing the site")?;
    let state = AppState::new(app);
    println!("Rongmei is serving on http://{}", listener.local_addr()?);
    rongmei_web::serve(listener, state, shutdown_signal())
        .await
        .context("serving HTTP")?;
    store.close().await;
    tracing::info!("stopped; all counted views written");
    Ok(())
}

async fn reindex(config: &Config, nodes: bool) -> Result<()> {
    let store = connect(&config.database).await?;
    if !nodes {
        let total = store.count_published().await?.max(0) as u64;
        let bar = Arc::new(Progress::new(
            "indexing",
            total,
            std::io::stderr().is_terminal(),
        ));
        let progress = bar.clone();
        let started = std::time::Instant::now();
        match rongmei_app::import::reindex(&store, &config.data, Arc::new(move |n| progress.set(n)))
            .await
        {
            Ok(n) => {
                bar.finish();
                let secs = started.elapsed().as_secs_f64();
                store.close().await;
                println!(
                    "indexed {n} articles in {secs:.1} s ({:.0} articles/s)",
                    n as f64 / secs.max(1e-9)
                );
                return Ok(());
            }
            Err(rongmei_app::import::ReindexError::Locked) => {
                bar.finish();
                eprintln!(
                    "a running server holds this data folder's index; asking the running nodes to rebuild"
                );
            }
            Err(e) => return Err(e.into()),
        }
    }
    let reports = rongmei_app::import::reindex_running_nodes(&store, |r| {
        println!("{}: rebuilt with {} articles", r.node, r.documents)
    })
    .await?;
    store.close().await;
    println!("{} node(s) rebuilt their search index", reports.len());
    Ok(())
}

async fn dictionaries(config: &Config, command: &DictionariesCommand) -> Result<()> {
    let store = connect(&config.database).await?;
    match command {
        DictionariesCommand::Export { dir } => {
            rongmei_app::dictionaries::export_dictionaries(&store, dir).await?;
            println!(
                "wrote sensitive.txt and expressions.txt to {}",
                dir.display()
            );
        }
        DictionariesCommand::Import { dir } => {
            let saved = rongmei_app::dictionaries::import_dictionaries(&store, dir).await?;
            for (kind, s) in saved {
                println!(
                    "{}: {} entries ({} added, {} removed)",
                    kind.name(),
                    s.entries,
                    s.added,
                    s.removed
                );
            }
        }
    }
    store.close().await;
    Ok(())
}

fn demo_records() -> Result<Vec<Record>> {
    let mut records = Vec::new();
    let seed = rongmei_import::parse_txt(Path::new("demo/seed.txt"), DEMO_SEED)?;
    records.push(Record {
        file: PathBuf::from("demo/seed.txt"),
        line: 1,
        article: seed,
    });
    records.extend(rongmei_import::parse_jsonl(
        Path::new("demo/demo.jsonl"),
        DEMO_JSONL,
    )?);
    Ok(records)
}
