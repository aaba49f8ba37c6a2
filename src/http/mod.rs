//! The HTTP API: one module per area, plus the body extractor and middleware.

pub mod account;
pub mod auth;
pub mod file;
pub mod group;
pub mod guard;
pub mod invite;
pub mod json;
pub mod pages;
pub mod profile;
pub mod push;
pub mod room;
pub mod ws;

use actix_web::{web, HttpResponse};

use crate::error::ApiError;

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "ok": true, "code": 200, "msg": "OK" }))
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found())
}

/// Registers every route of the server.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
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
    ws::routes(cfg);
}

/// Handler for unknown paths.
pub fn default_service() -> actix_web::Route {
    web::to(not_found)
}
