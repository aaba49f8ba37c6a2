//! The HTTP API: one module per area, plus the body extractor and middleware.

pub mod account;
pub mod auth;
pub mod endpoints;
pub mod file;
pub mod framing;
pub mod group;
pub mod guard;
pub mod invite;
pub mod json;
pub mod metrics;
pub mod openapi;
pub mod pages;
pub mod posts;
pub mod profile;
pub mod push;
pub mod room;
pub mod schemas;
pub mod upgrade;
pub mod ws;

use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::ApiError;

/// `200` once the server accepts requests. On PostgreSQL (which other nodes
/// may share) `data.database` also says whether the database answers now.
async fn healthz(state: web::Data<crate::state::AppState>) -> HttpResponse {
    let mut body = serde_json::json!({ "ok": true, "code": 200, "msg": "OK" });
    if crate::db::is_postgres_url(&state.config.database_url()) {
        let pool = state.pool.clone();
        let reachable = web::block(move || {
            pool.get_timeout(std::time::Duration::from_secs(2))
                .is_ok_and(|mut conn| crate::db::reachable(&mut conn))
        })
        .await
        .unwrap_or(false);
        body["data"] = serde_json::json!({ "database": reachable });
    }
    HttpResponse::Ok().json(body)
}

/// Unknown paths: a small HTML page for a browser opening a page (GET with
/// `Accept: text/html`), the `404 NOT_FOUND` envelope for everyone else.
async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let page = matches!(*req.method(), Method::GET | Method::HEAD);
    if page && pages::wants_html(&req) {
        return Ok(pages::not_found_page());
    }
    Err(ApiError::not_found())
}

/// Registers every route of the server.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/favicon.ico", web::get().to(pages::favicon))
        .route("/app", web::get().to(pages::app))
        .route("/app/assets/{path:.*}", web::get().to(pages::asset))
        .route("/app/{rest:.*}", web::get().to(pages::app))
        .route("/sw.js", web::get().to(pages::service_worker));
    auth::routes(cfg);
    account::routes(cfg);
    profile::routes(cfg);
    push::routes(cfg);
    group::routes(cfg);
    room::routes(cfg);
    invite::routes(cfg);
    file::routes(cfg);
    posts::routes(cfg);
    ws::routes(cfg);
    openapi::routes(cfg);
}

/// Handler for unknown paths.
pub fn default_service() -> actix_web::Route {
    web::to(not_found)
}
