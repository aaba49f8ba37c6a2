//! Profile edits: each field's rule and cooldown, applied in one transaction.

use crate::db::users::{self, User};
use crate::db::DbConn;
use crate::error::{ApiError, ErrorCode};
use std::path::PathBuf;

use crate::files::{FileStore, ImageKind, Obsolete};

/// Refuses a change made less than `cooldown_s` after the previous one.
fn check_cooldown(
    last: Option<i64>,
    cooldown_s: u64,
    now: i64,
    code: ErrorCode,
) -> Result<(), ApiError> {
    if let Some(at) = last {
        let until = at + cooldown_s as i64 * 1000;
        if cooldown_s > 0 && now < until {
            return Err(ApiError::cooldown(code, until));
        }
    }
    Ok(())
}

fn me(conn: &mut DbConn, id: &str) -> Result<User, ApiError> {
    users::find(conn, id)?.ok_or_else(ApiError::unauthorized)
}

/// Checks a username: 4-20 characters of `a-z A-Z 0-9 _ .`.
pub fn valid_username(raw: &str) -> Result<String, ApiError> {
    let name = raw.trim();
    let len = name.chars().count();
    if !(4..=20).contains(&len) || !crate::text::has_visible(name) {
        return Err(ApiError::new(ErrorCode::UsernameLength));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    {
        return Err(ApiError::new(ErrorCode::UsernameFormat));
    }
    Ok(name.to_string())
}

/// Changes the username; unique case-insensitively (a unique index backs the check).
pub fn set_username(
    conn: &mut DbConn,
    id: &str,
    raw: &str,
    cooldown_s: u64,
    now: i64,
) -> Result<String, ApiError> {
    let name = valid_username(raw)?;
    let user = me(conn, id)?;
    check_cooldown(
        user.username_changed_at,
        cooldown_s,
        now,
        ErrorCode::UsernameCooldown,
    )?;
    if users::username_taken(conn, &name, id)? {
        return Err(ApiError::new(ErrorCode::UsernameClaimed));
    }
    users::set_username(conn, id, &name, now).map_err(|e| {
        if crate::db::is_unique_violation(&e) {
            ApiError::new(ErrorCode::UsernameClaimed)
        } else {
            e.into()
        }
    })?;
    Ok(name)
}

/// Changes the display name: 1-35 characters after trimming.
pub fn set_displayname(
    conn: &mut DbConn,
    id: &str,
    raw: &str,
    cooldown_s: u64,
    now: i64,
) -> Result<String, ApiError> {
    let name = crate::text::strip_name_controls(raw)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let len = name.chars().count();
    if len == 0 || len > 35 || !crate::text::has_visible(&name) {
        return Err(ApiError::new(ErrorCode::DisplaynameLength));
    }
    let user = me(conn, id)?;
    check_cooldown(
        user.displayname_changed_at,
        cooldown_s,
        now,
        ErrorCode::DisplaynameCooldown,
    )?;
    users::set_displayname(conn, id, &name, now)?;
    Ok(name)
}

/// Tidies a bio: new lines kept (at most one blank line in a row), runs of
/// spaces and tabs collapsed to one space, lines and the whole trimmed.
pub fn tidy_bio(raw: &str) -> String {
    let lines: Vec<String> = crate::text::strip_text_controls(raw)
        .split('\n')
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    for line in lines {
        let blank_run = line.is_empty() && out.last().is_some_and(|l| l.is_empty());
        if !blank_run {
            out.push(line);
        }
    }
    out.join("\n").trim().to_string()
}

/// Changes the bio: at most 200 characters after tidying; empty clears it.
pub fn set_bio(
    conn: &mut DbConn,
    id: &str,
    raw: &str,
    cooldown_s: u64,
    now: i64,
) -> Result<String, ApiError> {
    let bio = tidy_bio(raw);
    if bio.chars().count() > 200 {
        return Err(ApiError::new(ErrorCode::BioLength));
    }
    let user = me(conn, id)?;
    check_cooldown(user.bio_changed_at, cooldown_s, now, ErrorCode::BioCooldown)?;
    users::set_bio(conn, id, (!bio.is_empty()).then_some(bio.as_str()), now)?;
    Ok(bio)
}

/// Writes a new profile picture's file before its write, so no file is
/// written under the database write lock. Returns its name and path: remove
/// the file if the write then fails. Blocking.
pub fn stage_image(
    files: &FileStore,
    bytes: &[u8],
    kind: ImageKind,
) -> Result<(String, PathBuf), ApiError> {
    let name = crate::files::generated_name(kind.ext());
    let path = files.user_image(&name);
    FileStore::write(&path, bytes)?;
    Ok((name, path))
}

/// Makes the staged picture `name` the user's; the old one's file is
/// returned as obsolete (removed once this committed).
pub fn set_image(
    conn: &mut DbConn,
    files: &FileStore,
    id: &str,
    name: &str,
) -> Result<Obsolete, ApiError> {
    let user = me(conn, id)?;
    users::set_image(conn, id, name)?;
    let mut obsolete = Obsolete::default();
    if let Some(old) = user.image {
        obsolete.file(files.user_image(&old));
    }
    Ok(obsolete)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bio_keeps_lines_and_collapses_space() {
        assert_eq!(
            tidy_bio("  hello    world \n\n\n\n second\tline  "),
            "hello world\n\nsecond line"
        );
        assert_eq!(tidy_bio("\r\na\r\nb"), "a\nb");
        assert_eq!(tidy_bio("   "), "");
    }

    #[test]
    fn usernames() {
        assert!(valid_username("ab.c_9").is_ok());
        assert_eq!(
            valid_username("abc").unwrap_err().msg(),
            "ACC_FAIL_UNAME_LENGTH"
        );
        assert_eq!(
            valid_username(&"a".repeat(21)).unwrap_err().msg(),
            "ACC_FAIL_UNAME_LENGTH"
        );
        assert_eq!(
            valid_username("bad name").unwrap_err().msg(),
            "ACC_FAIL_UNAME_FORMAT"
        );
        assert_eq!(
            valid_username("ümlaut").unwrap_err().msg(),
            "ACC_FAIL_UNAME_FORMAT"
        );
    }
}
