//! Uploaded files: data-URL decoding, type sniffing, and where files live on disk.

use std::path::{Path, PathBuf};

use base64::Engine;

use crate::error::{ApiError, ErrorCode};

/// Largest decoded file (2.5 MiB).
pub const MAX_FILE_BYTES: usize = 2_621_440;

/// Image formats accepted for profile and group pictures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Jpeg,
    Gif,
    Webp,
}

impl ImageKind {
    /// Recognises an image by its first bytes.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(Self::Gif)
        } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else {
            None
        }
    }

    /// File name extension.
    pub fn ext(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::Gif => "gif",
            Self::Webp => "webp",
        }
    }
}

/// Decodes a data URL (`data:<type>;base64,<data>`) or bare base64.
/// Over [`MAX_FILE_BYTES`]: `413 ACC_FILE_LIMIT`; not base64: `bad`.
pub fn decode_data_url(input: &str, bad: ApiError) -> Result<Vec<u8>, ApiError> {
    let payload = match input.strip_prefix("data:") {
        Some(rest) => {
            let (meta, data) = rest.split_once(',').ok_or_else(|| bad.clone())?;
            if !meta.ends_with(";base64") {
                return Err(bad);
            }
            data
        }
        None => input,
    };
    let payload = payload.trim();
    // Four base64 characters carry three bytes: refuse early without decoding.
    if payload.len() / 4 * 3 > MAX_FILE_BYTES + 3 {
        return Err(file_limit());
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(payload)
        .map_err(|_| bad)?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(file_limit());
    }
    Ok(bytes)
}

/// `413 ACC_FILE_LIMIT`.
pub fn file_limit() -> ApiError {
    ApiError::new(ErrorCode::FileLimit)
}

/// Decodes and checks an image data URL: `400 BAD_IMAGE` unless PNG, JPEG, GIF or WebP.
pub fn decode_image(input: &str) -> Result<(Vec<u8>, ImageKind), ApiError> {
    let bad = ApiError::new(ErrorCode::BadImage);
    let bytes = decode_data_url(input, bad.clone())?;
    let kind = ImageKind::sniff(&bytes).ok_or(bad)?;
    Ok((bytes, kind))
}

/// Whether a client-supplied file name is safe to look up: no separators, no `..`.
pub fn is_safe_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && !name.contains('/')
        && !name.contains('\\')
        && !name.contains("..")
        && !name.contains('\0')
}

/// A fresh server-generated file name with `ext`.
pub fn generated_name(ext: &str) -> String {
    format!("{}.{}", crate::ids::random_hex(12), ext)
}

/// Content type of a stored file, by its extension.
pub fn content_type(name: &str) -> &'static str {
    match name
        .rsplit('.')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
        .as_str()
    {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "ogg" | "oga" => "audio/ogg",
        "wav" => "audio/wav",
        "m4a" => "audio/mp4",
        "pdf" => "application/pdf",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The folders uploaded files live in, under the data dir.
#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

impl FileStore {
    /// Files under `data_dir/files`.
    pub fn new(data_dir: &Path) -> Self {
        Self {
            root: data_dir.join("files"),
        }
    }

    /// Path of a group picture.
    pub fn group_image(&self, name: &str) -> PathBuf {
        self.root.join("group").join(name)
    }

    /// Path of a profile picture.
    pub fn user_image(&self, name: &str) -> PathBuf {
        self.root.join("user").join(name)
    }

    /// Path of a post's image.
    pub fn post_image(&self, name: &str) -> PathBuf {
        self.root.join("post").join(name)
    }

    /// Folder of one chat's media.
    pub fn media_dir(&self, roomtype: &str, room: &str) -> PathBuf {
        self.root.join("media").join(roomtype).join(room)
    }

    /// Writes a file, creating its folder. Blocking.
    pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, bytes)
    }

    /// Removes a file if it exists. Blocking.
    pub fn remove(path: &Path) {
        if let Err(e) = std::fs::remove_file(path) {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!("cannot remove {}: {e}", path.display());
            }
        }
    }
}

/// Files and folders a write makes obsolete. They are removed only once the
/// write committed (a failed write leaves them as they were), and never
/// while the database write lock is held.
#[derive(Debug, Default)]
pub struct Obsolete {
    files: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
}

impl Obsolete {
    /// Marks a file for removal after the commit.
    pub fn file(&mut self, path: PathBuf) {
        self.files.push(path);
    }

    /// Marks a folder (and everything in it) for removal after the commit.
    pub fn dir(&mut self, path: PathBuf) {
        self.dirs.push(path);
    }

    /// Removes everything marked. Blocking.
    pub fn remove_now(self) {
        for path in &self.files {
            FileStore::remove(path);
        }
        for dir in &self.dirs {
            if let Err(e) = std::fs::remove_dir_all(dir) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!("cannot remove {}: {e}", dir.display());
                }
            }
        }
    }

    /// Removes everything marked, on the blocking pool; call after the commit.
    pub async fn remove(self) {
        if self.files.is_empty() && self.dirs.is_empty() {
            return;
        }
        if let Err(e) = actix_web::web::block(move || self.remove_now()).await {
            tracing::warn!("obsolete files not removed: {e}");
        }
    }
}

/// Removes a file written for a write that then failed, on the blocking pool.
pub async fn discard(path: Option<PathBuf>) {
    if let Some(path) = path {
        if let Err(e) = actix_web::web::block(move || FileStore::remove(&path)).await {
            tracing::warn!("a failed write's file not removed: {e}");
        }
    }
}
