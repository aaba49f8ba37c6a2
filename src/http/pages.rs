//! The web client's pages and assets, embedded in the binary at compile time.
//!
//! Assets come from a fixed table, so a request can only ever name one of
//! these files: anything else (including `..` tricks) is a 404 envelope.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::ApiError;

const APP_HTML: &str = include_str!("../../static/index.html");
const INVITE_HTML: &str = include_str!("../../static/invite.html");
/// The service worker: shows push notifications. Served at the root so that
/// its scope covers the whole site.
const SERVICE_WORKER: &str = include_str!("../../static/sw.js");
const NOT_FOUND_HTML: &str = include_str!("../../static/404.html");
const FAVICON: &[u8] = include_bytes!("../../static/favicon.ico");

/// Content-Security-Policy of the pages: scripts and styles only from this
/// origin (no inline script), images also from data/blob URLs (previews),
/// WebSocket connections to the socket host handed out by `isUser`.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data: blob:; connect-src 'self' ws: wss:; object-src 'none'; \
base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// Every asset of the web client: `(path under /app/assets/, content, MIME type)`.
const ASSETS: &[(&str, &str, &str)] = &[
    ("app.css", include_str!("../../static/app.css"), CSS),
    ("js/api.js", include_str!("../../static/js/api.js"), JS),
    ("js/dom.js", include_str!("../../static/js/dom.js"), JS),
    ("js/state.js", include_str!("../../static/js/state.js"), JS),
    (
        "js/socket.js",
        include_str!("../../static/js/socket.js"),
        JS,
    ),
    (
        "js/signin.js",
        include_str!("../../static/js/signin.js"),
        JS,
    ),
    (
        "js/chatlist.js",
        include_str!("../../static/js/chatlist.js"),
        JS,
    ),
    (
        "js/chatview.js",
        include_str!("../../static/js/chatview.js"),
        JS,
    ),
    (
        "js/message.js",
        include_str!("../../static/js/message.js"),
        JS,
    ),
    ("js/group.js", include_str!("../../static/js/group.js"), JS),
    (
        "js/profile.js",
        include_str!("../../static/js/profile.js"),
        JS,
    ),
    (
        "js/signals.js",
        include_str!("../../static/js/signals.js"),
        JS,
    ),
    (
        "js/global.js",
        include_str!("../../static/js/global.js"),
        JS,
    ),
    ("js/links.js", include_str!("../../static/js/links.js"), JS),
    (
        "js/joindialog.js",
        include_str!("../../static/js/joindialog.js"),
        JS,
    ),
    (
        "js/userpanel.js",
        include_str!("../../static/js/userpanel.js"),
        JS,
    ),
    ("js/posts.js", include_str!("../../static/js/posts.js"), JS),
    (
        "js/postcard.js",
        include_str!("../../static/js/postcard.js"),
        JS,
    ),
    (
        "js/comments.js",
        include_str!("../../static/js/comments.js"),
        JS,
    ),
    (
        "js/newpost.js",
        include_str!("../../static/js/newpost.js"),
        JS,
    ),
    ("js/call.js", include_str!("../../static/js/call.js"), JS),
    (
        "js/callview.js",
        include_str!("../../static/js/callview.js"),
        JS,
    ),
    ("js/push.js", include_str!("../../static/js/push.js"), JS),
    ("js/main.js", include_str!("../../static/js/main.js"), JS),
    (
        "js/invite.js",
        include_str!("../../static/js/invite.js"),
        JS,
    ),
];

fn html(body: &'static str) -> HttpResponse {
    html_with(HttpResponse::Ok(), body)
}

fn html_with(mut builder: actix_web::HttpResponseBuilder, body: &'static str) -> HttpResponse {
    builder
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .body(body)
}

/// Looks an asset up by its exact path.
fn find_asset(path: &str) -> Option<(&'static str, &'static str)> {
    ASSETS
        .iter()
        .find(|(p, _, _)| *p == path)
        .map(|(_, body, mime)| (*body, *mime))
}

/// `/app`: the web client.
pub async fn app() -> HttpResponse {
    html(APP_HTML)
}

/// `/app/assets/{path}`: one embedded asset, or a 404 (page or envelope).
pub async fn asset(req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let Some((body, mime)) = find_asset(&path) else {
        if wants_html(&req) {
            return Ok(not_found_page());
        }
        return Err(ApiError::not_found());
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, mime))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(body))
}

/// `/sw.js`: the service worker.
pub async fn service_worker() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            "application/javascript; charset=utf-8",
        ))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(SERVICE_WORKER)
}

/// `/invite/{link}` for a browser.
pub fn invite_page() -> HttpResponse {
    html(INVITE_HTML)
}

/// `/favicon.ico`: the small icon of the web client.
pub async fn favicon() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "image/x-icon"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(FAVICON)
}

/// Whether a request comes from a browser navigating to a page: it accepts
/// `text/html` and does not ask for JSON (API clients keep the envelope).
pub fn wants_html(req: &HttpRequest) -> bool {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    accept.contains("text/html") && !accept.contains("application/json")
}

/// The small HTML "not found" page (status 404) for browsers.
pub fn not_found_page() -> HttpResponse {
    html_with(HttpResponse::NotFound(), NOT_FOUND_HTML)
}

/// `/` without a WebSocket upgrade: to the web client.
pub fn to_app() -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, "/app"))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_assets_are_found() {
        assert!(find_asset("js/main.js").is_some());
        assert!(find_asset("app.css").is_some());
        assert!(find_asset("../index.html").is_none());
        assert!(find_asset("js/../app.css").is_none());
        assert!(find_asset("").is_none());
        assert!(find_asset("/etc/passwd").is_none());
    }

    /// Every module a script imports (`from './x.js'`) is in the table, so a
    /// new file cannot be forgotten there.
    #[test]
    fn every_imported_module_is_an_asset() {
        for (path, body, _) in ASSETS.iter().filter(|(p, _, _)| p.ends_with(".js")) {
            for part in body.split("from './").skip(1) {
                let Some(name) = part.split('\'').next() else {
                    continue;
                };
                let wanted = format!("js/{name}");
                assert!(find_asset(&wanted).is_some(), "{path} imports {wanted}");
            }
        }
        // the entry points of the pages, too
        for page in [APP_HTML, INVITE_HTML] {
            for part in page.split("src=\"/app/assets/").skip(1) {
                let name = part.split('"').next().unwrap_or_default();
                assert!(find_asset(name).is_some(), "a page loads {name}");
            }
        }
    }

    #[test]
    fn every_asset_has_content_and_a_type() {
        for (path, body, mime) in ASSETS {
            assert!(!body.is_empty(), "{path} is empty");
            assert!(mime.contains('/'), "{path} has no MIME type");
        }
    }
}
