//! Every HTTP endpoint of the server, as the OpenAPI document describes it:
//! method, path, request type, answer and the catalogue errors it can give
//! beyond the common ones (see `openapi::common_errors`). A test checks that
//! this table and the registered routes name the same paths.

use serde_json::{json, Value};

use super::openapi::schema_of;
use super::schemas::*;
use super::{account, auth, group, json::Empty, posts, profile, push};
use crate::chat::draft::SendBody;
use crate::error_catalogue::ErrorCode::{self, *};

/// What a success looks like.
pub enum Answer {
    /// The envelope without `data`.
    Ok,
    /// The envelope with `data` of this schema.
    Data(fn() -> Value),
    /// An HTML page.
    Html,
    /// The envelope with `data` for `Accept: application/json`, else a page.
    HtmlOrData(fn() -> Value),
    /// Raw bytes of this media type (range).
    Bytes(&'static str),
    /// The OpenAPI document.
    Document,
    /// `302` to the web client.
    Redirect,
}

/// A query parameter: name, schema, description.
pub type QueryParam = (&'static str, fn() -> Value, &'static str);

/// One endpoint.
pub struct Endpoint {
    /// `get` or `post`.
    pub method: &'static str,
    /// With `{name}` for each path parameter.
    pub path: &'static str,
    pub summary: &'static str,
    pub tag: &'static str,
    /// Needs the session cookie.
    pub session: bool,
    /// The request body's schema.
    pub body: Option<fn() -> Value>,
    /// Query parameters: name, schema, description.
    pub query: &'static [QueryParam],
    pub answer: Answer,
    /// The endpoint's own errors.
    pub errors: &'static [ErrorCode],
    /// A `404` may be the HTML "not found" page (browsers).
    pub html_errors: bool,
}

const fn get(path: &'static str, tag: &'static str, summary: &'static str) -> Endpoint {
    Endpoint {
        method: "get",
        path,
        summary,
        tag,
        session: true,
        body: None,
        query: &[],
        answer: Answer::Ok,
        errors: &[],
        html_errors: false,
    }
}

const fn post(
    path: &'static str,
    tag: &'static str,
    summary: &'static str,
    body: fn() -> Value,
) -> Endpoint {
    Endpoint {
        method: "post",
        body: Some(body),
        ..get(path, tag, summary)
    }
}

impl Endpoint {
    const fn public(self) -> Self {
        Self {
            session: false,
            ..self
        }
    }
    const fn answer(self, answer: Answer) -> Self {
        Self { answer, ..self }
    }
    const fn errors(self, errors: &'static [ErrorCode]) -> Self {
        Self { errors, ..self }
    }
    const fn query(self, query: &'static [QueryParam]) -> Self {
        Self { query, ..self }
    }
    const fn html_errors(self) -> Self {
        Self {
            html_errors: true,
            ..self
        }
    }
}

const PAGE: &[QueryParam] = &[
    ("before", string, "the id of the oldest item already seen"),
    ("limit", integer, "most items"),
];

/// Every endpoint, in the order of docs/API.md.
pub static ALL: &[Endpoint] = &[
    get("/healthz", "server", "The server accepts requests.").public(),
    get("/openapi.json", "server", "This document.")
        .public()
        .answer(Answer::Document),
    get("/app", "web client", "The web client.")
        .public()
        .answer(Answer::Html),
    get(
        "/app/{rest}",
        "web client",
        "The web client at one of its links.",
    )
    .public()
    .answer(Answer::Html),
    get(
        "/app/assets/{path}",
        "web client",
        "An embedded file of the web client.",
    )
    .public()
    .answer(Answer::Bytes("*/*"))
    .html_errors(),
    get("/favicon.ico", "web client", "The icon.")
        .public()
        .answer(Answer::Bytes("image/x-icon")),
    get("/sw.js", "web client", "The service worker.")
        .public()
        .answer(Answer::Bytes("application/javascript")),
    get(
        "/",
        "web client",
        "The web client; with `?id=` a WebSocket upgrade (see docs/API.md).",
    )
    .public()
    .answer(Answer::Html)
    .errors(&[BadRequest, Unauthorized]),
    get(
        "/socket",
        "realtime",
        "The WebSocket upgrade (see docs/API.md for its signals).",
    )
    .query(&[("id", string, "a socket id from isUser")])
    .errors(&[BadRequest]),
    // Signing in.
    post(
        "/x/auth/sign-in",
        "auth",
        "Sends a sign-in code.",
        schema_of::<auth::SignIn>,
    )
    .public()
    .answer(Answer::Data(|| {
        object(json!({ "email": string(), "code": string() }), &["email"])
    }))
    .errors(&[AuthBadEmail, AuthRateLimit]),
    post(
        "/x/auth/verify",
        "auth",
        "Signs in with the code.",
        schema_of::<auth::Verify>,
    )
    .public()
    .answer(Answer::Data(|| {
        object(
            json!({ "user": { "type": "object" }, "first": { "type": "boolean" } }),
            &["user"],
        )
    }))
    .errors(&[AuthBadEmail, AuthWrongCode, AuthExpiredCode, AuthRateLimit]),
    get(
        "/x/auth/isUser",
        "auth",
        "The account, a socket id and every chat.",
    )
    .answer(Answer::Data(|| {
        object(
            json!({
                "me": { "type": "object" }, "socket": { "type": "object" },
                "c": array(chat()), "v": integer(), "publicKey": string(), "peer": any(),
            }),
            &["me", "socket", "c", "v"],
        )
    })),
    get("/x/auth/logout", "auth", "Ends the session.")
        .public()
        .answer(Answer::Redirect),
    // Groups.
    post(
        "/x/group/create",
        "groups",
        "Creates a group.",
        schema_of::<group::Create>,
    )
    .answer(Answer::Data(|| {
        object(
            json!({ "roomid": string(), "group": chat() }),
            &["roomid", "group"],
        )
    }))
    .errors(&[GroupOwnMax, GroupNameLength]),
    get("/invite/{link}", "groups", "The group of an invite link.")
        .public()
        .answer(Answer::HtmlOrData(|| {
            object(
                json!({ "group": room(), "joined": { "type": "boolean" }, "members": integer() }),
                &["group", "joined", "members"],
            )
        }))
        .errors(&[GroupNotFound]),
    post(
        "/x/group/join/{gid}",
        "groups",
        "Joins through the invite link.",
        schema_of::<group::JoinBody>,
    )
    .answer(Answer::Data(chat))
    .errors(&[InviteNotFound, GroupMemberLimit]),
    post(
        "/x/group/leave/{gid}",
        "groups",
        "Leaves (the owner disbands).",
        schema_of::<Empty>,
    )
    .errors(&[GroupNotFound, GroupNotMember]),
    post(
        "/x/group/kick/{gid}/{uid}",
        "groups",
        "The owner removes a member.",
        schema_of::<Empty>,
    )
    .errors(&[GroupNotFound, KickNotOwner, KickSelf, FindNotFound]),
    post(
        "/x/group/reset-link",
        "groups",
        "A new invite link.",
        schema_of::<group::GroupId>,
    )
    .answer(Answer::Data(text))
    .errors(&[GroupNotFound, OwnerFeature]),
    post(
        "/x/group/set-groupname",
        "groups",
        "Renames the group.",
        schema_of::<group::Rename>,
    )
    .answer(Answer::Data(text))
    .errors(&[
        GroupNotFound,
        OwnerFeature,
        GroupNameLength,
        GroupNameCooldown,
    ]),
    post(
        "/x/group/set-img",
        "groups",
        "Sets the group picture.",
        schema_of::<group::SetImg>,
    )
    .answer(Answer::Data(text))
    .errors(&[GroupNotFound, OwnerFeature, FileLimit, BadImage]),
    // Chats.
    post(
        "/x/room/sendMessage/{roomtype}/{id}",
        "chats",
        "Sends a message, or edits one with `edit`.",
        schema_of::<SendBody>,
    )
    .answer(Answer::Data(sent))
    .errors(&[
        Kicked,
        FindNotFound,
        MsgTextRequired,
        MsgTextLength,
        MsgNoFileSent,
        FileLimit,
        RoomTypeNotFound,
        MsgNotFound,
        MsgEditOther,
        MsgNotOwner,
        EditExpired,
    ]),
    post(
        "/x/room/delMessage/{roomtype}/{id}/{mid}",
        "chats",
        "Deletes a message.",
        schema_of::<Empty>,
    )
    .answer(Answer::Data(sent))
    .errors(&[
        Kicked,
        FindNotFound,
        RoomTypeNotFound,
        MsgNotFound,
        MsgNotOwner,
    ]),
    post(
        "/x/room/clear/{roomtype}/{id}",
        "chats",
        "Clears the history.",
        schema_of::<Empty>,
    )
    .errors(&[OwnerFeature, Kicked, FindNotFound, RoomTypeNotFound]),
    get(
        "/x/room/history/{roomtype}/{id}",
        "chats",
        "Older messages, oldest first.",
    )
    .query(PAGE)
    .answer(Answer::Data(|| {
        object(json!({ "m": array(message()) }), &["m"])
    }))
    .errors(&[
        BadRequest,
        Kicked,
        FindNotFound,
        RoomTypeNotFound,
        MsgNotFound,
    ]),
    get(
        "/x/room/get-global",
        "chats",
        "The global room and its last messages.",
    )
    .answer(Answer::Data(chat)),
    // Accounts and friends.
    post(
        "/x/account/set-img",
        "accounts",
        "Sets the profile picture.",
        schema_of::<account::SetImg>,
    )
    .answer(Answer::Data(text))
    .errors(&[FileLimit, BadImage]),
    post(
        "/x/account/set-username",
        "accounts",
        "Sets the username.",
        schema_of::<account::Username>,
    )
    .answer(Answer::Data(text))
    .errors(&[
        UsernameLength,
        UsernameFormat,
        UsernameClaimed,
        UsernameCooldown,
    ]),
    post(
        "/x/account/set-displayname",
        "accounts",
        "Sets the display name.",
        schema_of::<account::Displayname>,
    )
    .answer(Answer::Data(text))
    .errors(&[DisplaynameLength, DisplaynameCooldown]),
    post(
        "/x/account/set-bio",
        "accounts",
        "Sets the bio.",
        schema_of::<account::Bio>,
    )
    .answer(Answer::Data(text))
    .errors(&[BioLength, BioCooldown]),
    post(
        "/x/account/subscribe",
        "accounts",
        "Stores a Web Push subscription.",
        schema_of::<push::Subscribe>,
    )
    .answer(Answer::Data(|| json!({ "type": "object" }))),
    get(
        "/x/profile/search/{query}",
        "friends",
        "Users by id or username part.",
    )
    .answer(Answer::Data(|| {
        object(json!({ "users": array(user()) }), &["users"])
    }))
    .errors(&[FindNotFound]),
    post(
        "/x/profile/addfriend",
        "friends",
        "Asks for friendship.",
        schema_of::<profile::Target>,
    )
    .answer(Answer::Data(with_user))
    .errors(&[UsersNotFound]),
    post(
        "/x/profile/cancelfriend",
        "friends",
        "Takes a request back.",
        schema_of::<profile::Target>,
    )
    .answer(Answer::Data(with_user))
    .errors(&[UsersNotFound]),
    post(
        "/x/profile/acceptfriend",
        "friends",
        "Accepts a request.",
        schema_of::<profile::Target>,
    )
    .answer(Answer::Data(|| {
        object(json!({ "user": user(), "room": room() }), &["user", "room"])
    }))
    .errors(&[UsersNotFound]),
    post(
        "/x/profile/ignorefriend",
        "friends",
        "Declines a request.",
        schema_of::<profile::Target>,
    )
    .answer(Answer::Data(with_user))
    .errors(&[UsersNotFound]),
    post(
        "/x/profile/unfriend",
        "friends",
        "Ends a friendship.",
        schema_of::<profile::Target>,
    )
    .answer(Answer::Data(with_user))
    .errors(&[UsersNotFound]),
    // Files.
    get("/file/user/{name}", "files", "A profile picture.")
        .answer(Answer::Bytes("*/*"))
        .errors(&[BadRequest]),
    get(
        "/file/group/{name}",
        "files",
        "A group picture, to members.",
    )
    .answer(Answer::Bytes("*/*"))
    .errors(&[BadRequest]),
    get(
        "/file/media/{roomtype}/{id}/{name}",
        "files",
        "A file sent in a chat, to its members.",
    )
    .answer(Answer::Bytes("*/*"))
    .errors(&[BadRequest, RoomTypeNotFound]),
    get("/file/post/{id}/{name}", "posts", "The image of a post.")
        .answer(Answer::Bytes("*/*"))
        .errors(&[BadRequest]),
    // Posts.
    get("/x/posts", "posts", "The feed, oldest first.")
        .query(PAGE)
        .answer(Answer::Data(|| array(post_object())))
        .errors(&[BadRequest]),
    post(
        "/x/posts/new-post",
        "posts",
        "Posts an image.",
        schema_of::<posts::NewPost>,
    )
    .answer(Answer::Data(post_object))
    .errors(&[PostNoFile, FileLimit, BadImage, PostTextLength]),
    post(
        "/x/posts/delete-post/{id}",
        "posts",
        "Deletes your post.",
        schema_of::<Empty>,
    )
    .answer(Answer::Data(|| {
        object(json!({ "postid": string() }), &["postid"])
    }))
    .errors(&[PostsNotFound]),
    get(
        "/x/posts/comments/{id}",
        "posts",
        "The comments of a post, oldest first.",
    )
    .answer(Answer::Data(|| array(comment())))
    .errors(&[PostsNotFound]),
    post(
        "/x/posts/comment/add/{id}",
        "posts",
        "Comments on a post.",
        schema_of::<posts::NewComment>,
    )
    .answer(Answer::Data(comment))
    .errors(&[PostsNotFound, CommentLength]),
    post(
        "/x/posts/comment/delete/{id}/{cid}",
        "posts",
        "Deletes your comment.",
        schema_of::<Empty>,
    )
    .errors(&[PostsNotFound, CommentNotFound]),
];

#[cfg(test)]
mod tests {
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
                .is_some_and(|n| n == "metrics.rs" || n == "endpoints.rs")
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
        let (t, p): (Vec<&str>, Vec<&str>) =
            (template.split('/').collect(), path.split('/').collect());
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
}
