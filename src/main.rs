//! The `kirimin` binary: flags, logging, start, and graceful shutdown on a signal.

use clap::Parser;
use kirimin::Config;
use tracing_subscriber::EnvFilter;

/// Exit code of a start refused because of a flag (as clap uses).
const EXIT_USAGE: u8 = 2;

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    let config = match parse_flags() {
        Ok(config) => config,
        Err(code) => return code,
    };
    init_logging();
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
    if server.state.mailer.is_log() {
        tracing::info!("no SMTP configured: sign-in codes are written to this log");
    }
    wait_for_signal().await;
    tracing::info!("shutting down");
    server.stop().await;
    std::process::ExitCode::SUCCESS
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

/// `RUST_LOG` (default `info`); colours only on a terminal and without `NO_COLOR`.
fn init_logging() {
    use std::io::IsTerminal;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_ansi(!no_color && std::io::stdout().is_terminal())
        .init();
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
