//! The `kirimin` binary: flags, logging, start, and graceful shutdown on a signal.

use clap::Parser;
use kirimin::Config;
use tracing_subscriber::EnvFilter;

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let config = Config::parse();
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
