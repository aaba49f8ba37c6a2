//! Commands a group actor runs: each checks its rule in the database, writes
//! the change in one transaction, then fans the signals out.

use actix::prelude::*;

use super::group::GroupActor;
use super::signal::Signal;
use crate::db::groups::{self, Group};
use crate::db::{users, DbConn};
use crate::error::{ApiError, ErrorCode};
use crate::files::Obsolete;
use crate::{ids, views};

fn group_404() -> ApiError {
    ApiError::new(ErrorCode::GroupNotFound)
}

/// The group, or `404 GRPS_404`.
fn load(conn: &mut DbConn, gid: &str) -> Result<Group, ApiError> {
    groups::find(conn, gid)?.ok_or_else(group_404)
}

/// The group if `by` owns it: `404 GRPS_404`, or `refusal` (one of the two
/// `GRPS_OWNER_FEATURE` entries: kick answers `400`, the rest `403`).
fn load_owned(
    conn: &mut DbConn,
    gid: &str,
    by: &str,
    refusal: ErrorCode,
) -> Result<Group, ApiError> {
    let group = load(conn, gid)?;
    if group.owner_id != by {
        return Err(ApiError::new(refusal));
    }
    Ok(group)
}

/// A departed member no longer counts among the group's readers.
fn forget_reader(conn: &mut DbConn, gid: &str, user: &str) -> Result<(), ApiError> {
    let room = crate::db::messages::room_key("group", gid, gid);
    Ok(crate::db::messages::forget_reader(conn, &room, user)?)
}

/// Checks a group name: 1-35 characters after trimming. Returns it trimmed.
pub fn valid_name(raw: &str) -> Result<String, ApiError> {
    let name = crate::text::strip_name_controls(raw);
    let name = name.trim();
    let len = name.chars().count();
    if len == 0 || len > 35 || !crate::text::has_visible(name) {
        return Err(ApiError::new(ErrorCode::GroupNameLength));
    }
    Ok(name.to_string())
}

/// Join through an invite link.
#[derive(Message, Clone)]
#[rtype(result = "Result<Joined, ApiError>")]
pub struct Join {
    pub user: String,
    pub link: String,
}

/// A successful join (or a repeated one).
#[derive(Debug)]
pub struct Joined {
    pub group: Group,
    /// User objects of the members, as the joining user sees them.
    pub members: Vec<serde_json::Value>,
    /// The group's last messages, oldest first (as `isUser` shows them).
    pub messages: Vec<serde_json::Value>,
}

impl Handler<Join> for GroupActor {
    type Result = AtomicResponse<Self, Result<Joined, ApiError>>;

    fn handle(&mut self, msg: Join, _ctx: &mut Self::Context) -> Self::Result {
        // Membership or the group's room object changes.
        self.contexts.clear();
        let gid = self.gid.clone();
        let limit = self.state.config.group_member_limit;
        let user = msg.user.clone();
        self.command(
            move |c| {
                let not_found = || ApiError::new(ErrorCode::InviteNotFound);
                let group = groups::find(c, &gid)?.ok_or_else(not_found)?;
                if group.link != msg.link {
                    return Err(not_found());
                }
                let mut newcomer = None;
                if !groups::is_member(c, &gid, &msg.user)? {
                    if groups::count_members(c, &gid)? >= limit {
                        return Err(ApiError::new(ErrorCode::GroupMemberLimit));
                    }
                    groups::add_member(c, &gid, &msg.user, ids::now_ms())?;
                    newcomer = users::find(c, &msg.user)?;
                }
                let ids = groups::member_ids(c, &gid)?;
                // Built in the write: once it committed, the answer cannot fail.
                let members = views::user_objects(c, &msg.user, &ids)?;
                let room = crate::chat::Room::Group(gid.clone());
                let messages = crate::chat::ops::page(c, &room, None, crate::chat::RECENT)?;
                let joined = Joined {
                    group,
                    members,
                    messages,
                };
                Ok((joined, newcomer))
            },
            move |act, (joined, newcomer), _ctx| {
                if !act.members.contains(&user) {
                    // The database counts them (a new or a repeated join).
                    act.add_member(&user);
                }
                if let Some(new_user) = newcomer {
                    let frame = Signal::new("memberjoin", &user)
                        .field("groupid", act.gid.as_str())
                        .field("user", views::user_object(&new_user, 0))
                        .encode();
                    act.broadcast(&frame, Some(&user));
                }
                joined
            },
        )
    }
}

/// Leave a group; the owner leaving disbands it.
#[derive(Message, Clone)]
#[rtype(result = "Result<(), ApiError>")]
pub struct Leave {
    pub user: String,
}

enum LeaveOutcome {
    Left,
    Disbanded { members: Vec<String> },
}

impl Handler<Leave> for GroupActor {
    type Result = AtomicResponse<Self, Result<(), ApiError>>;

    fn handle(&mut self, msg: Leave, _ctx: &mut Self::Context) -> Self::Result {
        // Membership or the group's room object changes.
        self.contexts.clear();
        let gid = self.gid.clone();
        let user = msg.user.clone();
        let files = self.state.files.clone();
        let stale = user.clone();
        self.command_checked(
            move |c| {
                let group = load(c, &gid)?;
                let mut obsolete = Obsolete::default();
                if group.owner_id == msg.user {
                    let members = groups::member_ids(c, &gid)?;
                    crate::db::messages::delete_room(c, "group", &gid)?;
                    groups::delete(c, &gid)?;
                    // Files go only once the rows are gone for good (after the commit).
                    if let Some(image) = &group.image {
                        obsolete.file(files.group_image(image));
                    }
                    obsolete.dir(files.media_dir("group", &gid));
                    return Ok((LeaveOutcome::Disbanded { members }, obsolete));
                }
                if !groups::remove_member(c, &gid, &msg.user)? {
                    return Err(ApiError::new(ErrorCode::GroupNotMember));
                }
                forget_reader(c, &gid, &msg.user)?;
                Ok((LeaveOutcome::Left, obsolete))
            },
            move |act, outcome, _ctx| match outcome {
                LeaveOutcome::Left => {
                    act.remove_member(&user);
                    let frame = Signal::new("memberleave", &user)
                        .field("groupid", act.gid.as_str())
                        .encode();
                    act.broadcast(&frame, None);
                }
                LeaveOutcome::Disbanded { members } => {
                    let frame = Signal::new("memberkick", &user)
                        .field("groupid", act.gid.as_str())
                        .encode();
                    for member in &members {
                        act.send_to(member, &frame);
                    }
                    act.disbanded();
                }
            },
            move |act, refused, _ctx| {
                if refused.code() == ErrorCode::GroupNotMember && act.members.contains(&stale) {
                    act.remove_member(&stale);
                }
            },
        )
    }
}

/// The owner removes a member.
#[derive(Message, Clone)]
#[rtype(result = "Result<(), ApiError>")]
pub struct Kick {
    pub by: String,
    pub target: String,
}

impl Handler<Kick> for GroupActor {
    type Result = AtomicResponse<Self, Result<(), ApiError>>;

    fn handle(&mut self, msg: Kick, _ctx: &mut Self::Context) -> Self::Result {
        // Membership or the group's room object changes.
        self.contexts.clear();
        let gid = self.gid.clone();
        let Kick { by, target } = msg.clone();
        let stale = target.clone();
        self.command_checked(
            move |c| {
                load_owned(c, &gid, &msg.by, ErrorCode::KickNotOwner)?;
                if msg.target == msg.by {
                    return Err(ApiError::new(ErrorCode::KickSelf));
                }
                if !groups::remove_member(c, &gid, &msg.target)? {
                    return Err(ApiError::new(ErrorCode::FindNotFound));
                }
                forget_reader(c, &gid, &msg.target)?;
                Ok(((), Obsolete::default()))
            },
            move |act, (), _ctx| {
                act.remove_member(&target);
                let key = ids::signal_key();
                let gid = act.gid.as_str();
                let leave = Signal::with_key(&key, "memberleave", &target)
                    .field("groupid", gid)
                    .encode();
                let kick = Signal::with_key(&key, "memberkick", &by)
                    .field("groupid", gid)
                    .encode();
                act.broadcast(&leave, None);
                // Every socket of the kicked user, straight from the hub.
                act.state.hub.send_to_user(&target, &kick);
            },
            move |act, refused, _ctx| {
                // The database does not count them: neither does the fan-out.
                if refused.code() == ErrorCode::FindNotFound && act.members.contains(&stale) {
                    act.remove_member(&stale);
                }
            },
        )
    }
}

/// The owner renames the group.
#[derive(Message, Clone)]
#[rtype(result = "Result<String, ApiError>")]
pub struct Rename {
    pub by: String,
    pub name: String,
}

impl Handler<Rename> for GroupActor {
    type Result = AtomicResponse<Self, Result<String, ApiError>>;

    fn handle(&mut self, msg: Rename, _ctx: &mut Self::Context) -> Self::Result {
        // Membership or the group's room object changes.
        self.contexts.clear();
        let gid = self.gid.clone();
        let cooldown_ms = self.state.config.group_rename_cooldown as i64 * 1000;
        self.command(
            move |c| {
                let group = load_owned(c, &gid, &msg.by, ErrorCode::OwnerFeature)?;
                let name = valid_name(&msg.name)?;
                let now = ids::now_ms();
                if let Some(at) = group.renamed_at {
                    if cooldown_ms > 0 && now < at + cooldown_ms {
                        return Err(ApiError::cooldown(
                            ErrorCode::GroupNameCooldown,
                            at + cooldown_ms,
                        ));
                    }
                }
                groups::set_name(c, &gid, &name, now)?;
                Ok(name)
            },
            |_, name, _| name,
        )
    }
}

/// The owner replaces the invite link; the old one stops working.
#[derive(Message, Clone)]
#[rtype(result = "Result<String, ApiError>")]
pub struct ResetLink {
    pub by: String,
}

impl Handler<ResetLink> for GroupActor {
    type Result = AtomicResponse<Self, Result<String, ApiError>>;

    fn handle(&mut self, msg: ResetLink, _ctx: &mut Self::Context) -> Self::Result {
        // Membership or the group's room object changes.
        self.contexts.clear();
        let gid = self.gid.clone();
        self.command(
            move |c| {
                load_owned(c, &gid, &msg.by, ErrorCode::OwnerFeature)?;
                let link = ids::alphanumeric(groups::LINK_LEN);
                groups::set_link(c, &gid, &link)?;
                Ok(link)
            },
            |_, link, _| link,
        )
    }
}

/// The owner sets the group picture, already written to its file by the
/// caller; the old picture's file goes once this committed.
#[derive(Message, Clone)]
#[rtype(result = "Result<String, ApiError>")]
pub struct SetImage {
    pub by: String,
    /// File name of the new picture.
    pub name: String,
}

impl Handler<SetImage> for GroupActor {
    type Result = AtomicResponse<Self, Result<String, ApiError>>;

    fn handle(&mut self, msg: SetImage, _ctx: &mut Self::Context) -> Self::Result {
        // Membership or the group's room object changes.
        self.contexts.clear();
        let gid = self.gid.clone();
        let files = self.state.files.clone();
        self.command_files(
            move |c| {
                let group = load_owned(c, &gid, &msg.by, ErrorCode::OwnerFeature)?;
                groups::set_image(c, &gid, &msg.name)?;
                let mut obsolete = Obsolete::default();
                if let Some(old) = group.image {
                    obsolete.file(files.group_image(&old));
                }
                Ok((msg.name, obsolete))
            },
            |_, name, _| name,
        )
    }
}
