//! `GET /openapi.json`: the OpenAPI 3.1 document of the HTTP API.
//!
//! Built from code, not written by hand: request bodies are the schemas
//! `utoipa` derives from the very types the handlers deserialise, every
//! error answer lists the `msg`s of the error catalogue ([`ErrorCode`]) the
//! endpoint can give, and the endpoints are the table in
//! [`endpoints`](super::endpoints), which a test compares with the routes.

use std::sync::OnceLock;

use actix_web::{web, HttpResponse};
use serde_json::{json, Map, Value};
use utoipa::openapi::path::ParameterIn;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{IntoParams, PartialSchema};

use super::endpoints::{self, Answer, Endpoint};
use crate::error_catalogue::ErrorCode;

/// The schema of a field that takes a string or a number (ids and codes
/// existing clients send either way).
pub fn string_or_number() -> Schema {
    OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::String))
        .item(ObjectBuilder::new().schema_type(Type::Number))
        .into()
}

/// An array of any items (badges).
pub fn any_array() -> Schema {
    utoipa::openapi::schema::ArrayBuilder::new().into()
}

/// The JSON schema `utoipa` derives for a type.
pub fn schema_of<T: PartialSchema>() -> Value {
    let schema: RefOr<Schema> = T::schema();
    serde_json::to_value(schema).unwrap_or_else(|_| json!({}))
}

/// The query parameters `utoipa` derives for a query type.
pub fn params_of<T: IntoParams>() -> Vec<Value> {
    T::into_params(|| Some(ParameterIn::Query))
        .into_iter()
        .filter_map(|p| serde_json::to_value(p).ok())
        .collect()
}

/// The errors every endpoint of this kind can answer, besides its own.
fn common_errors(e: &Endpoint) -> Vec<ErrorCode> {
    let mut codes = vec![ErrorCode::TooManyRequests, ErrorCode::Internal];
    if e.session {
        codes.push(ErrorCode::Unauthorized);
    }
    if e.body.is_some() {
        codes.extend([
            ErrorCode::BadRequest,
            ErrorCode::RequestTimeout,
            ErrorCode::ContentTooLarge,
        ]);
    }
    if e.path.contains('{') {
        // A parameter that holds an encoded `/` makes the path unknown.
        codes.push(ErrorCode::NotFound);
    }
    codes
}

/// The envelope of a success: `ok`, `code`, `msg` and, where given, `data`.
fn ok_envelope(data: Option<Value>) -> Value {
    let mut properties = json!({
        "ok": { "const": true },
        "code": { "const": 200 },
        "msg": { "const": "OK" },
    });
    let mut required = vec!["ok", "code", "msg"];
    if let Some(data) = data {
        properties["data"] = data;
        required.push("data");
    }
    json!({ "type": "object", "properties": properties, "required": required })
}

/// The envelope of a refusal with `status`: one of `msgs`, optional `data`.
fn error_envelope(status: u16, msgs: &[&str]) -> Value {
    json!({
        "type": "object",
        "properties": {
            "ok": { "const": false },
            "code": { "const": status },
            "msg": { "enum": msgs },
            "data": { "type": "object" },
        },
        "required": ["ok", "code", "msg"],
    })
}

/// JSON content with `schema`.
fn json_content(schema: Value) -> Value {
    json!({ "application/json": { "schema": schema } })
}

/// The success answer of an endpoint.
fn success(answer: &Answer) -> (String, Value) {
    let (status, description, content) = match answer {
        Answer::Ok => ("200", "done", json_content(ok_envelope(None))),
        Answer::Data(data) => ("200", "done", json_content(ok_envelope(Some(data())))),
        Answer::Html => (
            "200",
            "an HTML page",
            json!({ "text/html": { "schema": { "type": "string" } } }),
        ),
        Answer::HtmlOrData(data) => {
            let mut content = json_content(ok_envelope(Some(data())));
            content["text/html"] = json!({ "schema": { "type": "string" } });
            (
                "200",
                "JSON with `Accept: application/json`, else a page",
                content,
            )
        }
        Answer::Bytes(mime) => (
            "200",
            "the file",
            json!({ *mime: { "schema": { "type": "string", "format": "binary" } } }),
        ),
        Answer::Document => (
            "200",
            "this document",
            json!({ "application/json": { "schema": { "type": "object" } } }),
        ),
        Answer::Redirect => ("302", "to `/app`", json!(null)),
    };
    let mut response = json!({ "description": description });
    if !content.is_null() {
        response["content"] = content;
    }
    (status.to_string(), response)
}

/// Every catalogue entry `e` can answer: its own and the common ones.
pub fn errors_of(e: &Endpoint) -> Vec<ErrorCode> {
    let mut codes = common_errors(e);
    codes.extend_from_slice(e.errors);
    codes
}

/// One operation of the document.
fn operation(e: &Endpoint) -> Value {
    let mut responses = Map::new();
    let (status, ok) = success(&e.answer);
    responses.insert(status, ok);
    let codes = errors_of(e);
    let mut statuses: Vec<u16> = codes.iter().map(|c| c.status()).collect();
    statuses.sort_unstable();
    statuses.dedup();
    for status in statuses {
        let mut msgs: Vec<&str> = codes
            .iter()
            .filter(|c| c.status() == status)
            .map(|c| c.msg())
            .collect();
        msgs.sort_unstable();
        msgs.dedup();
        let mut content = json_content(error_envelope(status, &msgs));
        if e.html_errors && status == 404 {
            content["text/html"] = json!({ "schema": { "type": "string" } });
        }
        responses.insert(
            status.to_string(),
            json!({ "description": msgs.join(", "), "content": content }),
        );
    }
    let mut parameters: Vec<Value> = path_params(e.path)
        .map(|name| {
            json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } })
        })
        .collect();
    parameters.extend((e.query)());
    let mut op = json!({
        "summary": e.summary,
        "operationId": operation_id(e),
        "tags": [e.tag],
        "responses": responses,
    });
    if !parameters.is_empty() {
        op["parameters"] = Value::Array(parameters);
    }
    if let Some(body) = e.body {
        op["requestBody"] = json!({ "required": true, "content": json_content(body()) });
    }
    if e.session {
        op["security"] = json!([{ "session": [] }]);
    }
    op
}

/// The names of `{...}` segments of a path.
pub fn path_params(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
}

/// `post_x_group_create` for `POST /x/group/create`.
fn operation_id(e: &Endpoint) -> String {
    let mut id = e.method.to_string();
    for c in e.path.chars() {
        id.push(if c.is_ascii_alphanumeric() { c } else { '_' });
    }
    id
}

/// Builds the whole document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for e in endpoints::ALL {
        let item = paths.entry(e.path.to_string()).or_insert_with(|| json!({}));
        item[e.method] = operation(e);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Kirimin API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The HTTP API of kirimin. Every JSON answer is the envelope \
                `{ok, code, msg, data?}`; clients branch on `msg`. WebSocket signals are \
                described in docs/API.md.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "session": { "type": "apiKey", "in": "cookie", "name": crate::auth::session::COOKIE },
            },
        },
    })
}

/// The `msg`s a document lists for `method path` answering `status` (for
/// tests that compare real answers with it).
pub fn error_msgs(doc: &Value, method: &str, path: &str, status: u16) -> Vec<String> {
    let answer = &doc["paths"][path][method]["responses"][status.to_string()];
    answer["content"]["application/json"]["schema"]["properties"]["msg"]["enum"]
        .as_array()
        .map(|msgs| {
            msgs.iter()
                .filter_map(|m| m.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// The document, built once.
fn cached() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| document().to_string())
}

/// `GET /openapi.json`.
async fn serve() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(cached())
}

/// Registers `/openapi.json`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/openapi.json", web::get().to(serve));
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use super::document;
    use crate::error_catalogue::ErrorCode;

    /// `(status, msg)` of every error answer in the document.
    fn documented_errors(doc: &Value) -> BTreeSet<(u16, String)> {
        let mut found = BTreeSet::new();
        for item in doc["paths"].as_object().expect("paths").values() {
            for op in item.as_object().expect("path item").values() {
                for (status, answer) in op["responses"].as_object().expect("responses") {
                    let schema = &answer["content"]["application/json"]["schema"];
                    for msg in schema["properties"]["msg"]["enum"]
                        .as_array()
                        .into_iter()
                        .flatten()
                    {
                        let status = status.parse().expect("a numeric status");
                        found.insert((status, msg.as_str().expect("msg").to_string()));
                    }
                }
            }
        }
        found
    }

    #[test]
    fn every_catalogue_entry_is_an_answer_of_some_endpoint() {
        let found = documented_errors(&document());
        let missing: Vec<_> = ErrorCode::ALL
            .iter()
            // Routes are matched by method too: another method on a known
            // path answers 404, so no endpoint answers 405.
            .filter(|c| **c != ErrorCode::MethodNotAllowed)
            // Written by the connection's framing guard before any route.
            .filter(|c| **c != ErrorCode::HeadersTooLarge)
            .filter(|c| !found.contains(&(c.status(), c.msg().to_string())))
            .collect();
        assert!(missing.is_empty(), "no endpoint answers {missing:?}");
    }

    #[test]
    fn the_kick_documents_the_seed_errors_with_their_statuses() {
        let doc = document();
        let msgs = |status| super::error_msgs(&doc, "post", "/x/group/kick/{gid}/{uid}", status);
        assert!(msgs(400).contains(&"GRPS_OWNER_FEATURE".to_string()));
        assert!(msgs(400).contains(&"GRPS_KICK_SELF".to_string()));
        assert!(msgs(404).contains(&"GRPS_404".to_string()));
        assert!(msgs(404).contains(&"FIND_NOTFOUND".to_string()));
        assert!(msgs(401).contains(&"UNAUTHORIZED".to_string()));
        assert!(msgs(403).is_empty(), "a kick never answers 403");
        assert_eq!(doc["openapi"], "3.1.0");
    }
}
