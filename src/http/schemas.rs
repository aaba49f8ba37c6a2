//! JSON schemas of the answers' `data`, for the OpenAPI document. The
//! handlers build their answers with `json!`, so these are written out here;
//! schemathesis checks every answer of the live server against them.

use serde_json::{json, Value};

use super::openapi::schema_of;

pub fn any() -> Value {
    json!({})
}
pub fn string() -> Value {
    json!({ "type": "string" })
}
pub fn integer() -> Value {
    json!({ "type": "integer" })
}
pub fn nullable_string() -> Value {
    json!({ "type": ["string", "null"] })
}
pub fn object(props: Value, required: &[&str]) -> Value {
    json!({ "type": "object", "properties": props, "required": required })
}
pub fn array(items: Value) -> Value {
    json!({ "type": "array", "items": items })
}
/// The public user object, derived from the type that serialises it.
pub fn user() -> Value {
    schema_of::<crate::views::UserView<'static>>()
}
pub fn room() -> Value {
    object(
        json!({
            "id": string(), "long": string(), "short": string(),
            "image": nullable_string(), "badges": { "type": "array" },
            "type": { "enum": ["group", "user"] },
        }),
        &["id", "type"],
    )
}
/// The message object, derived from the type that serialises it.
pub fn message() -> Value {
    schema_of::<crate::views::MessageView<'static>>()
}
/// `isUser`'s `me`: the account as its owner sees it.
pub fn account() -> Value {
    object(
        json!({
            "id": string(), "username": string(), "displayname": string(),
            "email": array(object(
                json!({ "email": string(), "provider": { "const": "kirimin" } }),
                &["email", "provider"],
            )),
            "image": nullable_string(), "bio": nullable_string(),
            "badges": { "type": "array" }, "req": array(user()),
        }),
        &["id", "email", "username", "displayname", "badges", "req"],
    )
}
/// `verify`'s `user`.
pub fn signed_in() -> Value {
    let data = object(
        json!({ "provider": { "const": "kirimin" }, "email": string(), "id": string() }),
        &["provider", "email", "id"],
    );
    object(json!({ "id": string(), "data": data }), &["id", "data"])
}
pub fn text() -> Value {
    object(json!({ "text": string() }), &["text"])
}
pub fn chat() -> Value {
    object(
        json!({ "u": array(user()), "m": array(message()), "r": room() }),
        &["u", "m", "r"],
    )
}
pub fn sent() -> Value {
    object(
        json!({ "chat": message(), "roomdata": room(), "users": array(user()) }),
        &["chat", "roomdata", "users"],
    )
}
pub fn post_object() -> Value {
    object(
        json!({
            "id": string(), "user": user(), "ts": integer(), "img": string(),
            "likes": integer(), "comments": integer(), "text": string(),
            "liked": { "type": "boolean" },
        }),
        &["id", "user", "ts", "img", "likes", "comments", "liked"],
    )
}
pub fn comment() -> Value {
    object(
        json!({ "id": string(), "user": user(), "text": string(), "ts": integer() }),
        &["id", "user", "text", "ts"],
    )
}
pub fn with_user() -> Value {
    object(json!({ "user": user() }), &["user"])
}
