//! Command-line flags and their environment twins (API.md section 0).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use clap::builder::BoolishValueParser;
use clap::Parser;

/// Token-bucket settings for the request rate limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Tokens added per second.
    pub per_second: f64,
    /// Bucket size: how many requests may come at once.
    pub burst: f64,
}

/// `off`, or `RATE/BURST` (requests per second / bucket size).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimitSetting(pub Option<RateLimit>);

impl FromStr for RateLimitSetting {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("off") {
            return Ok(Self(None));
        }
        let (rate, burst) = s
            .split_once('/')
            .ok_or_else(|| format!("expected `off` or `RATE/BURST`, got `{s}`"))?;
        let per_second: f64 = rate
            .trim()
            .parse()
            .map_err(|_| format!("bad rate `{rate}`"))?;
        let burst: f64 = burst
            .trim()
            .parse()
            .map_err(|_| format!("bad burst `{burst}`"))?;
        if !(per_second > 0.0 && burst >= 1.0) {
            return Err("rate must be > 0 and burst >= 1".into());
        }
        Ok(Self(Some(RateLimit { per_second, burst })))
    }
}

/// A VAPID subject (RFC 8292): a `mailto:` or `https:` URI without spaces.
fn parse_vapid_subject(s: &str) -> Result<String, String> {
    let s = s.trim();
    let rest = s
        .strip_prefix("mailto:")
        .or_else(|| s.strip_prefix("https://"))
        .ok_or("expected a `mailto:` or `https://` URI")?;
    if rest.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("expected a `mailto:` or `https://` URI without spaces".into());
    }
    Ok(s.to_string())
}

/// `--workers`: 1 to 1024 threads.
fn workers(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=1024).contains(&n) => Ok(n),
        _ => Err("expected a number of threads from 1 to 1024".into()),
    }
}

/// `--public-host`: `host` or `host:port`, no scheme, path or spaces.
fn public_host(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() || s.contains("://") || s.contains('/') || s.chars().any(char::is_whitespace) {
        return Err("expected `host:port`, without scheme or path".into());
    }
    Ok(s.to_string())
}

/// Every setting of the server. Each flag has an environment twin.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "kirimin",
    version,
    about = "Realtime chat server speaking the Kirimin API",
    args_override_self = true,
    allow_negative_numbers = true
)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "KIRIMIN_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Directory for the database file and uploaded files.
    #[arg(long, env = "KIRIMIN_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Database URL: an SQLite file (by default `kirimin.db` in the data dir)
    /// or `postgres://...` (builds with the `postgres` feature).
    #[arg(long, env = "KIRIMIN_DATABASE_URL")]
    pub database_url: Option<String>,

    /// Public `host:port` handed to clients as `socket.host`; defaults to the bound address.
    #[arg(long, env = "KIRIMIN_PUBLIC_HOST", value_parser = public_host)]
    pub public_host: Option<String>,

    /// Request rate limit per user (per IP before sign-in): `off` or `RATE/BURST`.
    #[arg(long, env = "KIRIMIN_RATE_LIMIT", default_value = "20/100")]
    pub rate_limit: RateLimitSetting,

    /// Also return the sign-in code in the sign-in response. Development and load tests only.
    #[arg(
        long,
        env = "KIRIMIN_DEV_EXPOSE_OTP",
        num_args = 0..=1,
        default_missing_value = "true",
        default_value = "false",
        value_parser = BoolishValueParser::new()
    )]
    pub dev_expose_otp: bool,

    /// SMTP server for sign-in codes, e.g. `smtps://user:pass@smtp.example.com`. Unset: codes go to the log.
    #[arg(long, env = "KIRIMIN_SMTP_URL")]
    pub smtp_url: Option<String>,

    /// Sender address of sign-in mails.
    #[arg(
        long,
        env = "KIRIMIN_SMTP_FROM",
        default_value = "Kirimin <no-reply@localhost>"
    )]
    pub smtp_from: String,

    /// Milliseconds between WebSocket pings.
    #[arg(long, env = "KIRIMIN_WS_PING_MS", default_value_t = 5_000,
          value_parser = clap::value_parser!(u64).range(10..=3_600_000))]
    pub ws_ping_ms: u64,

    /// Milliseconds without any frame from a client after which its socket is dropped.
    #[arg(long, env = "KIRIMIN_WS_TIMEOUT_MS", default_value_t = 15_000,
          value_parser = clap::value_parser!(u64).range(20..=86_400_000))]
    pub ws_timeout_ms: u64,

    /// Members per group, the owner included.
    #[arg(long, env = "KIRIMIN_GROUP_MEMBER_LIMIT", default_value_t = 10,
          value_parser = clap::value_parser!(i64).range(2..=100_000))]
    pub group_member_limit: i64,

    /// Groups one user may own.
    #[arg(long, env = "KIRIMIN_GROUP_OWN_LIMIT", default_value_t = 2,
          value_parser = clap::value_parser!(i64).range(0..=100_000))]
    pub group_own_limit: i64,

    /// Seconds between two renames of a group (0 turns the cooldown off).
    #[arg(long, env = "KIRIMIN_GROUP_RENAME_COOLDOWN", default_value_t = 900)]
    pub group_rename_cooldown: u64,

    /// Seconds between two username changes (0 turns the cooldown off).
    #[arg(long, env = "KIRIMIN_USERNAME_COOLDOWN", default_value_t = 7 * 24 * 3600)]
    pub username_cooldown: u64,

    /// Seconds between two display-name changes (0 turns the cooldown off).
    #[arg(long, env = "KIRIMIN_DISPLAYNAME_COOLDOWN", default_value_t = 2 * 3600)]
    pub displayname_cooldown: u64,

    /// Seconds between two bio changes (0 turns the cooldown off).
    #[arg(long, env = "KIRIMIN_BIO_COOLDOWN", default_value_t = 180)]
    pub bio_cooldown: u64,

    /// Days a sign-in session lasts.
    #[arg(long, env = "KIRIMIN_SESSION_DAYS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3650))]
    pub session_days: u64,

    /// Contact sent to push services in VAPID tokens: a `mailto:` or `https:` URI.
    #[arg(
        long,
        env = "KIRIMIN_VAPID_SUBJECT",
        default_value = "mailto:admin@localhost",
        value_parser = parse_vapid_subject
    )]
    pub vapid_subject: String,
    /// JSON file with the `RTCConfiguration` (`iceServers`, ...) handed to
    /// clients as `isUser`'s `peer`; read at start. Unset: `peer` is `null`.
    #[arg(long, env = "KIRIMIN_PEER_CONFIG")]
    pub peer_config: Option<PathBuf>,

    /// Seconds a call may ring unanswered before the server ends it (0 = never).
    #[arg(long, env = "KIRIMIN_CALL_RING_TIMEOUT", default_value_t = 60)]
    pub call_ring_timeout: u64,

    /// Milliseconds a client has to send a whole request body; slower ones get `408`.
    #[arg(long, env = "KIRIMIN_REQUEST_TIMEOUT_MS", default_value_t = 60_000,
          value_parser = clap::value_parser!(u64).range(100..=3_600_000))]
    pub request_timeout_ms: u64,

    /// Open connections one IP address may hold (0 = no cap). Behind a
    /// reverse proxy every client shares the proxy's address: raise it or use 0.
    #[arg(long, env = "KIRIMIN_MAX_CONNECTIONS_PER_IP", default_value_t = 256)]
    pub max_connections_per_ip: usize,

    /// Live WebSockets one user may hold (tabs and devices).
    #[arg(long, env = "KIRIMIN_MAX_SOCKETS_PER_USER", default_value_t = 16,
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub max_sockets_per_user: u64,

    /// Address of a separate listener serving Prometheus text at `GET /metrics`;
    /// unset: no metrics listener.
    #[arg(long, env = "KIRIMIN_METRICS_BIND")]
    pub metrics_bind: Option<SocketAddr>,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "KIRIMIN_WORKERS", value_parser = workers)]
    pub workers: Option<usize>,
}

impl Config {
    /// Checks what single flags cannot: one line naming the flag on failure.
    pub fn validate(&self) -> Result<(), String> {
        if self.ws_timeout_ms <= self.ws_ping_ms {
            return Err(format!(
                "--ws-timeout-ms ({}) must be greater than --ws-ping-ms ({})",
                self.ws_timeout_ms, self.ws_ping_ms
            ));
        }
        if let Some(url) = &self.database_url {
            let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
            let postgres = crate::db::is_postgres_url(url);
            if postgres && !cfg!(feature = "postgres") {
                return Err(format!(
                    "--database-url: `{}` is a PostgreSQL URL, but this build has no PostgreSQL support (build with `--features postgres`)",
                    crate::config::redact_url(url)
                ));
            }
            if url.trim().is_empty()
                || (!postgres && scheme.is_some_and(|s| s != "sqlite" && s != "file"))
            {
                return Err(format!(
                    "--database-url: `{}` is neither an SQLite file path nor a postgres:// URL",
                    crate::config::redact_url(url)
                ));
            }
        }
        if self.data_dir.as_os_str().is_empty() {
            return Err("--data-dir must not be empty".into());
        }
        Ok(())
    }

    /// The database URL in force: the flag, or `kirimin.db` in the data dir.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => self
                .data_dir
                .join("kirimin.db")
                .to_string_lossy()
                .into_owned(),
        }
    }

    /// Time a client has to send a request body.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }

    /// Interval between server pings.
    pub fn ws_ping(&self) -> Duration {
        Duration::from_millis(self.ws_ping_ms.max(10))
    }

    /// Silence after which a socket is dropped.
    pub fn ws_timeout(&self) -> Duration {
        Duration::from_millis(self.ws_timeout_ms.max(20))
    }

    /// The JSON of `--peer-config` (`null` when unset). A file that cannot
    /// be read or is not a JSON object is an error naming the flag.
    pub fn load_peer_config(&self) -> Result<serde_json::Value, String> {
        let Some(path) = &self.peer_config else {
            return Ok(serde_json::Value::Null);
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--peer-config {}: cannot read: {e}", path.display()))?;
        match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(value) if value.is_object() => Ok(value),
            Ok(_) => Err(format!(
                "--peer-config {}: not a JSON object (an RTCConfiguration)",
                path.display()
            )),
            Err(e) => Err(format!(
                "--peer-config {}: invalid JSON: {e}",
                path.display()
            )),
        }
    }

    /// Defaults with a given data dir and no environment, for tests and tools.
    pub fn with_data_dir(
        data_dir: impl Into<PathBuf>,
        extra_args: &[&str],
    ) -> Result<Self, clap::Error> {
        let dir: PathBuf = data_dir.into();
        let mut args: Vec<String> = vec![
            "kirimin".into(),
            "--data-dir".into(),
            dir.to_string_lossy().into_owned(),
        ];
        args.extend(extra_args.iter().map(|s| s.to_string()));
        Config::try_parse_from(args)
    }
}

/// A URL with any password replaced by `***`, for logs and errors.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (auth, host) = match rest.split_once('@') {
        Some((auth, host)) if !auth.contains('/') => (auth, host),
        _ => return url.to_string(),
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}
