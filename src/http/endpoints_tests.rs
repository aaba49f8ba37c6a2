//! Tests of the endpoint table against the routes and docs/API.md.

use std::collections::BTreeSet;

/// `(method, path)` of every `.route("path", web::method()...)` in
/// src/http, with `{name:regex}` written `{name}` as OpenAPI does.
fn registered_routes() -> BTreeSet<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/http");
    let mut routes = BTreeSet::new();
    for entry in std::fs::read_dir(dir).expect("src/http") {
        let path = entry.expect("entry").path();
        // The metrics listener is not the API port; this file only
        // names routes in its comments.
        if path
            .file_name()
            .is_some_and(|n| n == "metrics.rs" || n == "endpoints.rs" || n == "endpoints_tests.rs")
        {
            continue;
        }
        let source = std::fs::read_to_string(&path).expect("source");
        for call in source.split(".route(").skip(1) {
            let call: String = call.chars().filter(|c| !c.is_whitespace()).collect();
            let Some(rest) = call.strip_prefix('"') else {
                continue;
            };
            let (route, rest) = rest.split_once('"').expect("a closing quote");
            let method = rest
                .strip_prefix(",web::")
                .and_then(|r| r.split_once("()"))
                .map(|(m, _)| m.to_string())
                .expect("web::get() or web::post()");
            let route: String = route
                .split('/')
                .map(|seg| match seg.split_once(':') {
                    Some((name, _)) if seg.starts_with('{') => format!("{name}}}"),
                    _ => seg.to_string(),
                })
                .collect::<Vec<_>>()
                .join("/");
            routes.insert((method, route));
        }
    }
    routes
}

#[test]
fn the_document_names_every_registered_route_and_no_other() {
    let registered = registered_routes();
    assert!(registered.len() > 40, "routes not found: {registered:?}");
    let documented: BTreeSet<(String, String)> = super::ALL
        .iter()
        .map(|e| (e.method.to_string(), e.path.to_string()))
        .collect();
    let undocumented: Vec<_> = registered.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&registered).collect();
    assert!(
        undocumented.is_empty(),
        "not in the document: {undocumented:?}"
    );
    assert!(unrouted.is_empty(), "documented, not routed: {unrouted:?}");
}

/// Whether `path` (from docs/API.md, maybe with concrete ids) is an
/// instance of the endpoint path `template`.
fn matches(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| t.starts_with('{') || t == p)
}

/// `POST /x/profile/{a,b}` written out as one path per name.
fn expand(path: &str) -> Vec<String> {
    match path.split_once('{') {
        Some((head, rest)) if rest.contains(',') => {
            let (names, tail) = rest.split_once('}').expect("a closing brace");
            names
                .split(',')
                .map(|n| format!("{head}{n}{tail}"))
                .collect()
        }
        _ => vec![path.to_string()],
    }
}

#[test]
fn every_error_of_an_endpoint_row_in_the_docs_is_in_its_document() {
    let doc = include_str!("../../docs/API.md");
    let mut rows = 0;
    for line in doc
        .lines()
        .filter(|l| l.starts_with("| `GET ") || l.starts_with("| `POST "))
    {
        let cells: Vec<&str> = line.split(" | ").collect();
        let first = cells[0].trim_start_matches("| `");
        let (method, path) = first.split_once(' ').expect("method and path");
        let path = path.split(['`', '?']).next().expect("a path");
        let errors = cells.last().expect("an errors cell");
        for path in expand(path) {
            let endpoint = super::ALL
                .iter()
                .find(|e| e.method == method.to_lowercase() && matches(e.path, &path))
                .unwrap_or_else(|| panic!("docs/API.md names {method} {path}: no endpoint"));
            let answers = crate::http::openapi::errors_of(endpoint);
            for mention in errors.split('`').skip(1).step_by(2) {
                let Some((status, msg)) = mention.split_once(' ') else {
                    continue;
                };
                let Ok(status) = status.parse::<u16>() else {
                    continue;
                };
                assert!(
                    answers.iter().any(|c| c.status() == status && c.msg() == msg),
                    "docs/API.md: {method} {path} answers {status} {msg}; the document does not say so"
                );
            }
            rows += 1;
        }
    }
    assert!(rows > 30, "only {rows} endpoint rows found in docs/API.md");
}
