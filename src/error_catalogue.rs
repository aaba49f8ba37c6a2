//! The error catalogue: every `msg` a client can receive, with its HTTP
//! status, in one table. Handlers name an [`ErrorCode`], never a string, so a
//! status and its `msg` cannot drift apart. `docs/API.md` lists the same
//! table (a test compares the two), and the OpenAPI document takes each
//! endpoint's errors from here.

/// Defines [`ErrorCode`] and its table from one list of
/// `Variant = status, "MSG", "when it is answered"`.
macro_rules! catalogue {
    ($($(#[$doc:meta])* $name:ident = $status:literal, $msg:literal, $when:literal;)+) => {
        /// One refusal or fault of the API: its `msg` and HTTP status.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[$doc])* $name,)+
        }

        impl ErrorCode {
            /// Every entry of the catalogue, in table order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$name,)+];

            /// The contract error string clients branch on.
            pub const fn msg(self) -> &'static str {
                match self {
                    $(ErrorCode::$name => $msg,)+
                }
            }

            /// The HTTP status answered with it (also the envelope's `code`).
            pub const fn status(self) -> u16 {
                match self {
                    $(ErrorCode::$name => $status,)+
                }
            }

            /// A short description of when it is answered.
            pub const fn when(self) -> &'static str {
                match self {
                    $(ErrorCode::$name => $when,)+
                }
            }
        }
    };
}

catalogue! {
    // Transport (every endpoint).
    BadRequest = 400, "BAD_REQUEST", "malformed JSON, a missing or mistyped field, a body that is not an object";
    Unauthorized = 401, "UNAUTHORIZED", "not signed in, or the session ended";
    NotFound = 404, "NOT_FOUND", "unknown path, asset or file";
    MethodNotAllowed = 405, "METHOD_NOT_ALLOWED", "a known path asked with another method";
    RequestTimeout = 408, "REQUEST_TIMEOUT", "the body did not arrive within the request timeout";
    /// Written by the connection's framing guard, not by an endpoint.
    HeadersTooLarge = 431, "HEADERS_TOO_LARGE", "a request head over 128 KB or 96 headers (extension: API.md names no string)";
    ContentTooLarge = 413, "CONTENT_TOO_LARGE", "a body over the endpoint's limit";
    TooManyRequests = 429, "TO_MANY_REQUEST", "too many requests or sockets (with Retry-After)";
    Internal = 500, "ERROR", "a server fault (details only in the log)";
    // Signing in.
    AuthBadEmail = 400, "AUTH_ERR_02", "not an e-mail address";
    AuthWrongCode = 400, "AUTH_ERR_04", "unknown or wrong sign-in code";
    AuthExpiredCode = 400, "AUTH_ERR_05", "the sign-in code expired";
    AuthRateLimit = 429, "AUTH_RATE_LIMIT", "too many codes for one address, or too many wrong tries";
    // Groups.
    GroupOwnMax = 400, "GRPS_OWN_MAX", "the user owns as many groups as allowed";
    GroupNameLength = 400, "GRPS_DNAME_LENGTH", "a group name not 1-35 characters";
    GroupNotFound = 404, "GRPS_404", "no such group or invite link";
    InviteNotFound = 404, "INV_NOT_FOUND_DESC", "a wrong or old invite link";
    GroupMemberLimit = 400, "GRPS_MEMBER_LIMIT", "the group is full";
    GroupNotMember = 400, "GRPS_NOT_MEMBER", "leaving a group one is not in";
    /// Owner-only action by someone else (kick answers [`ErrorCode::KickNotOwner`]).
    OwnerFeature = 403, "GRPS_OWNER_FEATURE", "an owner-only action by someone else";
    /// A kick by someone who is not the owner: `400`, as the seed has it.
    KickNotOwner = 400, "GRPS_OWNER_FEATURE", "a kick by someone who is not the owner";
    KickSelf = 400, "GRPS_KICK_SELF", "the owner kicking themselves";
    GroupNameCooldown = 429, "GRPS_DNAME_COOLDOWN", "renamed too recently (data.timestamp)";
    // Chats and messages.
    FindNotFound = 404, "FIND_NOTFOUND", "no such user, member or search result";
    Kicked = 403, "GRP_KICKED", "not a member of that group";
    MsgTextRequired = 404, "MSG_TEXT_REQUIRED", "a message without text";
    MsgTextLength = 404, "MSG_TEXT_LENGTH", "a message over 500 characters";
    MsgNoFileSent = 404, "MSG_NO_FILE_SENT", "a file message without a usable file";
    FileLimit = 413, "ACC_FILE_LIMIT", "a file over 2.5 MB decoded";
    RoomTypeNotFound = 404, "ROOM_TYPE_NOT_FOUND", "a roomtype other than group or user";
    MsgNotFound = 404, "MSG_NOT_FOUND", "no such message";
    MsgEditOther = 404, "MSG_EDIT_OTHER", "editing a call message";
    MsgNotOwner = 404, "MSG_NOT_OWNER", "editing or deleting another user's message";
    EditExpired = 404, "CONTENT_EDIT_EXPIRED", "editing a message older than 15 minutes";
    BadImage = 400, "BAD_IMAGE", "not a PNG, JPEG, GIF or WebP image";
    // Accounts and friends.
    UsernameLength = 400, "ACC_FAIL_UNAME_LENGTH", "a username not 4-20 characters";
    UsernameFormat = 400, "ACC_FAIL_UNAME_FORMAT", "a username with characters other than a-z A-Z 0-9 _ .";
    UsernameClaimed = 400, "ACC_FAIL_CLAIMED", "a username someone else has";
    UsernameCooldown = 429, "ACC_FAIL_UNAME_COOLDOWN", "username changed too recently (data.timestamp)";
    DisplaynameLength = 400, "ACC_FAIL_DNAME_LENGTH", "a display name not 1-35 characters";
    DisplaynameCooldown = 429, "ACC_FAIL_DNAME_COOLDOWN", "display name changed too recently (data.timestamp)";
    BioLength = 400, "ACC_FAIL_BIO_LENGTH", "a bio over 200 characters";
    BioCooldown = 429, "ACC_FAIL_BIO_COOLDOWN", "bio changed too recently (data.timestamp)";
    UsersNotFound = 404, "USERS_NOT_FOUND", "no such user, or no such friend request";
    // Posts.
    PostNoFile = 400, "POST_NO_FILE", "a post without an image";
    PostTextLength = 400, "POST_TEXT_LENGTH", "a post text over 500 characters";
    PostsNotFound = 404, "POSTS_NOT_FOUND", "no such post, or not the caller's";
    CommentLength = 400, "POST_COMMENT_LENGTH", "a comment empty or over 300 characters";
    CommentNotFound = 404, "CMT_NOT_FOUND", "no such comment, or not the caller's";
}

impl ErrorCode {
    /// The catalogue entry a bare framework status maps to (the envelope
    /// middleware uses it for errors actix produced itself).
    pub fn for_status(status: u16) -> Self {
        match status {
            400 => Self::BadRequest,
            401 => Self::Unauthorized,
            404 => Self::NotFound,
            405 => Self::MethodNotAllowed,
            408 => Self::RequestTimeout,
            413 => Self::ContentTooLarge,
            431 => Self::HeadersTooLarge,
            429 => Self::TooManyRequests,
            _ => Self::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::ErrorCode;

    const API_DOC: &str = include_str!("../docs/API.md");

    /// `(status, msg)` of every row of the "Error catalogue" table in docs/API.md.
    fn documented_table() -> BTreeSet<(u16, String)> {
        let section = API_DOC
            .split("\n## ")
            .find(|s| s.starts_with("Error catalogue"))
            .expect("docs/API.md has an \"## Error catalogue\" section");
        section
            .lines()
            .filter_map(|line| {
                let cells: Vec<&str> = line.split('|').map(str::trim).collect();
                let status = cells.get(1)?.parse::<u16>().ok()?;
                let msg = cells.get(2)?.strip_prefix('`')?.strip_suffix('`')?;
                Some((status, msg.to_string()))
            })
            .collect()
    }

    /// Every `` `NNN MSG` `` named anywhere in docs/API.md.
    fn documented_mentions() -> BTreeSet<(u16, String)> {
        API_DOC
            .split('`')
            .skip(1)
            .step_by(2)
            .filter_map(|span| {
                let (status, msg) = span.split_once(' ')?;
                let status = status.parse::<u16>().ok()?;
                let is_code = !msg.is_empty()
                    && msg
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
                is_code.then(|| (status, msg.to_string()))
            })
            .collect()
    }

    fn catalogue() -> BTreeSet<(u16, String)> {
        ErrorCode::ALL
            .iter()
            .map(|c| (c.status(), c.msg().to_string()))
            .collect()
    }

    #[test]
    fn docs_table_lists_exactly_the_catalogue() {
        let (doc, code) = (documented_table(), catalogue());
        let missing: Vec<_> = code.difference(&doc).collect();
        let unknown: Vec<_> = doc.difference(&code).collect();
        assert!(missing.is_empty(), "not in docs/API.md: {missing:?}");
        assert!(unknown.is_empty(), "in docs/API.md only: {unknown:?}");
    }

    #[test]
    fn every_error_named_in_the_docs_is_in_the_catalogue() {
        let (mentions, code) = (documented_mentions(), catalogue());
        assert!(mentions.len() > 20, "the mentions were not found");
        let unknown: Vec<_> = mentions.difference(&code).collect();
        assert!(
            unknown.is_empty(),
            "docs/API.md names unknown errors: {unknown:?}"
        );
    }

    #[test]
    fn each_status_and_msg_pair_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(
                seen.insert((code.status(), code.msg())),
                "{code:?} repeats {} {}",
                code.status(),
                code.msg()
            );
        }
    }

    #[test]
    fn framework_statuses_map_to_their_entries() {
        assert_eq!(ErrorCode::for_status(405).msg(), "METHOD_NOT_ALLOWED");
        assert_eq!(ErrorCode::for_status(502), ErrorCode::Internal);
        for code in ErrorCode::ALL {
            assert!((400..600).contains(&code.status()), "{code:?}");
        }
    }
}
