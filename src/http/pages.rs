//! The web client's pages, embedded in the binary.

use actix_web::http::header;
use actix_web::HttpResponse;

const APP_HTML: &str = include_str!("../../static/index.html");
const INVITE_HTML: &str = include_str!("../../static/invite.html");

fn html(body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(body)
}

/// `/app`: the web client.
pub async fn app() -> HttpResponse {
    html(APP_HTML)
}

/// `/invite/{link}` for a browser.
pub fn invite_page() -> HttpResponse {
    html(INVITE_HTML)
}

/// `/` without a WebSocket upgrade: to the web client.
pub fn to_app() -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, "/app"))
        .finish()
}
