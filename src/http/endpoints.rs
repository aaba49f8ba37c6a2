//! Every HTTP endpoint of the server, as the OpenAPI document describes it:
//! method, path, request type, answer and the catalogue errors it can give
//! beyond the common ones (see `openapi::common_errors`). A test checks that
//! this table and the registered routes name the same paths.

use serde_json::{json, Value};

use super::openapi::{params_of, schema_of};
use super::schemas::*;
use super::{account, auth, group, json::Empty, posts, profile, push, room};
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

/// The query parameters of an endpoint, as OpenAPI parameter objects.
pub type QueryParams = fn() -> Vec<Value>;

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
    pub query: QueryParams,
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
        query: Vec::new,
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
    const fn query(self, query: QueryParams) -> Self {
        Self { query, ..self }
    }
    const fn html_errors(self) -> Self {
        Self {
            html_errors: true,
            ..self
        }
    }
}

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
    .query(|| {
        vec![json!({
            "name": "id", "in": "query", "required": false,
            "description": "a socket id from isUser", "schema": string(),
        })]
    })
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
            json!({ "user": signed_in(), "first": { "type": "boolean" } }),
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
                "me": account(),
                "socket": object(json!({ "id": string(), "host": string() }), &["id", "host"]),
                "c": array(chat()), "v": integer(), "publicKey": string(), "peer": any(),
            }),
            &["me", "socket", "c", "v", "publicKey", "peer"],
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
    .query(params_of::<room::HistoryQuery>)
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
        .query(params_of::<posts::FeedQuery>)
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
#[path = "endpoints_tests.rs"]
mod tests;
