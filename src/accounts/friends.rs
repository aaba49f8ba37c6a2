//! Friend requests: add, cancel, accept, ignore, unfriend. Each is idempotent;
//! only a real change signals the other user.

use serde_json::Value;

use crate::db::friends::{self as rows, FRIENDS, NONE, RECEIVED, SENT};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ErrorCode};
use crate::views;

/// A friend action, named as its endpoint and its signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Add,
    Cancel,
    Accept,
    Ignore,
    Unfriend,
}

impl Action {
    /// The endpoint and signal name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Add => "addfriend",
            Self::Cancel => "cancelfriend",
            Self::Accept => "acceptfriend",
            Self::Ignore => "ignorefriend",
            Self::Unfriend => "unfriend",
        }
    }
}

/// What an action did.
#[derive(Debug)]
pub struct Outcome {
    /// Whether anything changed (and so the other user is signalled).
    pub changed: bool,
    /// The other user as the caller now sees them.
    pub user: Value,
    /// The caller as the other user now sees them.
    pub me_for_them: Value,
    /// For an accept: the one-to-one room object.
    pub room: Option<Value>,
}

fn not_found() -> ApiError {
    ApiError::new(ErrorCode::UsersNotFound)
}

/// Applies `action` of `me` towards `other` in the current transaction.
pub fn apply(
    conn: &mut DbConn,
    me: &str,
    other: &str,
    action: Action,
    now: i64,
) -> Result<Outcome, ApiError> {
    if me == other {
        return Err(not_found());
    }
    let other_user = db::users::find(conn, other)?.ok_or_else(not_found)?;
    let me_user = db::users::find(conn, me)?.ok_or_else(ApiError::unauthorized)?;
    let state = rows::state(conn, me, other)?;
    let changed = match (action, state) {
        (Action::Add, NONE) => rows::insert_request(conn, me, other, now).map(|_| true)?,
        (Action::Add | Action::Accept, RECEIVED) => {
            rows::accept(conn, other, me)?;
            db::direct::ensure(conn, me, other, now)?;
            true
        }
        (Action::Accept, FRIENDS) => false,
        (Action::Accept, _) => return Err(not_found()),
        (Action::Cancel, SENT) => rows::delete(conn, me, other).map(|_| true)?,
        (Action::Ignore, RECEIVED) => rows::delete(conn, other, me).map(|_| true)?,
        (Action::Unfriend, FRIENDS) => {
            rows::delete(conn, me, other)?;
            rows::delete(conn, other, me)?;
            true
        }
        _ => false,
    };
    let mine = rows::state(conn, me, other)?;
    let theirs = rows::state(conn, other, me)?;
    let room = (action == Action::Accept).then(|| views::direct_room(&other_user));
    Ok(Outcome {
        changed,
        user: views::user_object(&other_user, mine),
        me_for_them: views::user_object(&me_user, theirs),
        room,
    })
}
