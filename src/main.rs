//! The `kirimin` binary: flags, logging, start, and graceful shutdown on a signal.

use clap::Parser;
use kirimin::Config;

/// Exit code of a start refused because of a flag (as clap uses).
const EXIT_USAGE: u8 = 2;

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    let config = match parse_flags() {
        Ok(config) => config,
        Err(code) => return code,
    };
    kirimin::logging::init();
    let signal = shutdown_signal();
    if config.dev_expose_otp {
        tracing::warn!("!!! --dev-expose-otp is ON: sign-in codes are returned in API responses. Never use this in production. !!!");
    }
    let server = match kirimin::start(config).await {
        Ok(server) => server,
        Err(e) => {
            tracing::error!("{e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    tracing::info!("kirimin listening on http://{}", server.addr);
    log_setup(&server);
    signal.await;
    tracing::info!("shutting down");
    server.stop().await;
    tracing::info!("kirimin stopped");
    std::process::ExitCode::SUCCESS
}

/// Where everything is: data directory, database, web client; and what to fix.
fn log_setup(server: &kirimin::RunningServer) {
    let config = &server.state.config;
    let data_dir = std::path::absolute(&config.data_dir).unwrap_or(config.data_dir.clone());
    tracing::info!("data directory: {}", data_dir.display());
    let db = config.database_url();
    let db_path = std::path::absolute(&db).unwrap_or(db.clone().into());
    match &config.database_url {
        Some(url) if kirimin::db::is_postgres_url(url) => {
            tracing::info!("database: PostgreSQL {}", kirimin::config::redact_url(url))
        }
        Some(url) if url.contains("://") || url.starts_with("file:") => {
            tracing::info!("database: SQLite {}", kirimin::config::redact_url(url))
        }
        _ => tracing::info!("database: SQLite file {}", db_path.display()),
    }
    tracing::info!("web client: http://{}/app", server.state.public_host);
    if config.public_host.is_none() && config.bind.ip().is_unspecified() {
        tracing::warn!(
            "listening on {} without --public-host: clients will be handed `{}` as socket.host and cannot connect; set --public-host to the address clients use",
            config.bind,
            server.state.public_host
        );
    }
    if server.state.mailer.is_log() {
        tracing::info!("no SMTP configured: sign-in codes are written to this log at level INFO");
    }
}

/// Parses and checks the flags. `--help`/`--version` print and end with
/// success; a bad value prints one line naming the flag and ends with 2.
fn parse_flags() -> Result<Config, std::process::ExitCode> {
    let config = match Config::try_parse() {
        Ok(config) => config,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return Err(std::process::ExitCode::SUCCESS);
            }
            let text = e.render().to_string();
            let line = text
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or("invalid arguments");
            let line = line.strip_prefix("error: ").unwrap_or(line);
            eprintln!("kirimin: {line}");
            return Err(std::process::ExitCode::from(EXIT_USAGE));
        }
    };
    if let Err(line) = config.validate() {
        eprintln!("kirimin: {line}");
        return Err(std::process::ExitCode::from(EXIT_USAGE));
    }
    Ok(config)
}

/// Installs the SIGTERM and SIGINT handlers now, so a signal that comes
/// while the server starts is not lost, and returns a future that ends on the
/// first of them.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).ok();
    let mut int = signal(SignalKind::interrupt()).ok();
    async move {
        let term = async {
            match term.as_mut() {
                Some(s) => {
                    s.recv().await;
                }
                None => std::future::pending().await,
            }
        };
        let int = async {
            match int.as_mut() {
                Some(s) => {
                    s.recv().await;
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = term => {}
            _ = int => {}
        }
    }
}
