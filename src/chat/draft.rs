//! A message as the client sends it, checked against the contract's rules.

use serde::Deserialize;

use crate::error::{ApiError, ErrorCode};
use crate::files;

/// Longest message text, in characters.
pub const MAX_TEXT: usize = 500;

/// Message types that carry a file.
pub const FILE_TYPES: &[&str] = &["image", "video", "audio", "file", "voice"];

/// The body of `sendMessage`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SendBody {
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub reply: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub filename: Option<String>,
    #[serde(default)]
    pub filesrc: Option<String>,
    #[serde(default)]
    pub edit: Option<String>,
    #[serde(default)]
    pub duration: Option<f64>,
}

/// An uploaded file, decoded.
#[derive(Debug, Clone)]
pub struct Upload {
    pub bytes: Vec<u8>,
    pub ext: String,
}

/// A checked new message.
#[derive(Debug, Clone)]
pub struct Draft {
    pub kind: String,
    pub text: String,
    pub reply: Option<String>,
    /// The decoded file, until [`super::ops::stage_file`] writes it.
    pub file: Option<Upload>,
    /// The stored file's name, once written.
    pub stored: Option<String>,
    pub duration: Option<f64>,
}

/// Checks message text: `MSG_TEXT_REQUIRED` when `required` and blank, `MSG_TEXT_LENGTH` over 500.
pub fn check_text(text: Option<&str>, required: bool) -> Result<String, ApiError> {
    let text = crate::text::strip_text_controls(text.unwrap_or(""));
    let text = text.trim();
    if required && !crate::text::has_visible(text) {
        return Err(ApiError::new(ErrorCode::MsgTextRequired));
    }
    if text.chars().count() > MAX_TEXT {
        return Err(ApiError::new(ErrorCode::MsgTextLength));
    }
    Ok(text.to_string())
}

/// Extension for a stored upload: from the client's file name when it is a
/// short alphanumeric one, else `bin`.
fn extension(filename: Option<&str>) -> String {
    filename
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .filter(|e| !e.is_empty() && e.len() <= 8 && e.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or_else(|| "bin".into())
}

impl Draft {
    /// Checks a new message (not an edit). Decodes the file: call on the blocking pool.
    pub fn from_body(body: SendBody) -> Result<Self, ApiError> {
        let kind = body.kind.unwrap_or_else(|| "text".into());
        if kind == "text" {
            let text = check_text(body.text.as_deref(), true)?;
            return Ok(Self {
                kind,
                text,
                reply: body.reply,
                file: None,
                stored: None,
                duration: None,
            });
        }
        if !FILE_TYPES.contains(&kind.as_str()) {
            return Err(ApiError::bad_request());
        }
        let text = check_text(body.text.as_deref(), false)?;
        let src = body.filesrc.filter(|s| !s.trim().is_empty());
        let src = src.ok_or_else(|| ApiError::new(ErrorCode::MsgNoFileSent))?;
        let bytes = files::decode_data_url(&src, ApiError::new(ErrorCode::MsgNoFileSent))?;
        if bytes.is_empty() {
            return Err(ApiError::new(ErrorCode::MsgNoFileSent));
        }
        let ext = match files::ImageKind::sniff(&bytes) {
            Some(img) if kind == "image" => img.ext().to_string(),
            _ => extension(body.filename.as_deref()),
        };
        let duration = body.duration.filter(|d| d.is_finite() && *d >= 0.0);
        Ok(Self {
            kind,
            text,
            reply: body.reply,
            file: Some(Upload { bytes, ext }),
            stored: None,
            duration,
        })
    }
}
