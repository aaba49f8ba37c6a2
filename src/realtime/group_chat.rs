//! Group chat commands of the group actor. Membership is checked against the
//! database inside each command's write, in the actor that also runs kicks,
//! so a member kicked a moment earlier is refused (`403 GRP_KICKED`) and
//! never gets a message through; the actor's member set only says whom to
//! send signals to.

use std::sync::Arc;

use actix::prelude::*;
use serde_json::Value;

use super::group::GroupActor;
use super::signal::{posted_frame, Signal};
use crate::chat::draft::Draft;
use crate::chat::ops::{self, Posted};
use crate::chat::Room;
use crate::db::DbConn;
use crate::error::{ApiError, ErrorCode};
use crate::files::Obsolete;
use crate::ids;

fn kicked() -> ApiError {
    ApiError::new(ErrorCode::Kicked)
}

impl GroupActor {
    /// Runs a chat command of `user`. Membership is decided by the database
    /// inside the write (see `ops::check_access`); the verdict then corrects
    /// this actor's fan-out index: a member it did not know is added, and a
    /// refusal of one it counted makes it read the members again.
    fn chat_command<R, T, W, A>(
        &mut self,
        user: String,
        work: W,
        after: A,
    ) -> AtomicResponse<Self, Result<T, ApiError>>
    where
        R: Send + 'static,
        T: 'static,
        W: FnOnce(&mut DbConn) -> Result<(R, Obsolete), ApiError> + Send + 'static,
        A: FnOnce(&mut Self, R, &mut Context<Self>) -> T + 'static,
    {
        let counted = self.members.contains(&user);
        let refused_user = user.clone();
        self.command_checked(
            work,
            move |act, r, ctx| {
                if !act.members.contains(&user) {
                    act.add_member(&user);
                }
                after(act, r, ctx)
            },
            move |act, e, ctx| {
                if counted && e.code() == ErrorCode::Kicked && act.members.contains(&refused_user) {
                    act.resync(ctx);
                }
            },
        )
    }

    fn room(&self) -> Room {
        Room::Group(self.gid.clone())
    }

    /// Sends a message signal of `kind` to every member but the author.
    fn signal_posted(&mut self, kind: &str, author: &str, posted: &Posted) {
        if let Some(frame) = posted_frame(kind, author, posted) {
            self.broadcast(&frame, Some(author));
        }
    }
}

/// A member posts a message.
#[derive(Message, Clone)]
#[rtype(result = "Result<Value, ApiError>")]
pub struct GroupSend {
    pub user: String,
    pub draft: Arc<Draft>,
}

impl Handler<GroupSend> for GroupActor {
    type Result = AtomicResponse<Self, Result<Value, ApiError>>;

    fn handle(&mut self, msg: GroupSend, _ctx: &mut Self::Context) -> Self::Result {
        let (room, user) = (self.room(), msg.user.clone());
        let contexts = self.contexts.clone();
        self.chat_command(
            msg.user.clone(),
            move |c| {
                let posted = ops::post(
                    c,
                    &room,
                    &msg.user,
                    &msg.draft,
                    ids::now_ms(),
                    Some(&contexts),
                )?;
                Ok((posted, Obsolete::default()))
            },
            move |act, posted, _| {
                act.signal_posted("sendmessage", &user, &posted);
                posted.answer()
            },
        )
    }
}

/// A member edits their message.
#[derive(Message, Clone)]
#[rtype(result = "Result<Value, ApiError>")]
pub struct GroupEdit {
    pub user: String,
    pub id: String,
    pub text: Option<String>,
}

impl Handler<GroupEdit> for GroupActor {
    type Result = AtomicResponse<Self, Result<Value, ApiError>>;

    fn handle(&mut self, msg: GroupEdit, _ctx: &mut Self::Context) -> Self::Result {
        let (room, user) = (self.room(), msg.user.clone());
        self.chat_command(
            msg.user.clone(),
            move |c| {
                let posted = ops::edit(
                    c,
                    &room,
                    &msg.user,
                    &msg.id,
                    msg.text.as_deref(),
                    ids::now_ms(),
                )?;
                Ok((posted, Obsolete::default()))
            },
            move |act, posted, _| {
                act.signal_posted("editmessage", &user, &posted);
                posted.answer()
            },
        )
    }
}

/// A member deletes their message.
#[derive(Message, Clone)]
#[rtype(result = "Result<Value, ApiError>")]
pub struct GroupDelete {
    pub user: String,
    pub id: String,
}

impl Handler<GroupDelete> for GroupActor {
    type Result = AtomicResponse<Self, Result<Value, ApiError>>;

    fn handle(&mut self, msg: GroupDelete, _ctx: &mut Self::Context) -> Self::Result {
        let (room, files, user) = (self.room(), self.state.files.clone(), msg.user.clone());
        self.chat_command(
            msg.user.clone(),
            move |c| ops::delete(c, &files, &room, &msg.user, &msg.id),
            move |act, posted, _| {
                act.signal_posted("deletemessage", &user, &posted);
                posted.answer()
            },
        )
    }
}

/// The owner clears the group's history.
#[derive(Message, Clone)]
#[rtype(result = "Result<(), ApiError>")]
pub struct GroupClear {
    pub user: String,
}

impl Handler<GroupClear> for GroupActor {
    type Result = AtomicResponse<Self, Result<(), ApiError>>;

    fn handle(&mut self, msg: GroupClear, _ctx: &mut Self::Context) -> Self::Result {
        let (room, files, gid, user) = (
            self.room(),
            self.state.files.clone(),
            self.gid.clone(),
            msg.user.clone(),
        );
        self.chat_command(
            msg.user.clone(),
            move |c| {
                ops::check_access(c, &room, &msg.user)?;
                let group = crate::db::groups::find(c, &gid)?.ok_or_else(kicked)?;
                if group.owner_id != msg.user {
                    return Err(ApiError::new(ErrorCode::OwnerFeature));
                }
                Ok(((), ops::clear(c, &files, &room)?))
            },
            move |act, (), _| {
                let frame = Signal::new("clearhistory", &user)
                    .field("roomid", act.gid.as_str())
                    .encode();
                act.broadcast(&frame, Some(&user));
            },
        )
    }
}

/// A member has read everything in the group.
#[derive(Message, Clone)]
#[rtype(result = "Result<(), ApiError>")]
pub struct GroupRead {
    pub user: String,
}

impl Handler<GroupRead> for GroupActor {
    type Result = AtomicResponse<Self, Result<(), ApiError>>;

    fn handle(&mut self, msg: GroupRead, _ctx: &mut Self::Context) -> Self::Result {
        let (room, user) = (self.room(), msg.user.clone());
        self.chat_command(
            msg.user.clone(),
            move |c| Ok((ops::mark_read(c, &room, &msg.user)?, Obsolete::default())),
            move |act, (), _| {
                let frame = Signal::new("readAllMessages", &user)
                    .field("roomid", act.gid.as_str())
                    .encode();
                act.broadcast(&frame, Some(&user));
            },
        )
    }
}
