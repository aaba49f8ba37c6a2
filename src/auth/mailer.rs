//! Delivery of sign-in codes: SMTP when configured, otherwise the server log.

use lettre::message::Mailbox;
use lettre::{Message, SmtpTransport, Transport};

use crate::error::{ApiError, ErrorCode};

/// Where sign-in codes go.
pub enum Mailer {
    /// Codes are written to the log.
    Log,
    /// Codes are mailed.
    Smtp {
        transport: Box<SmtpTransport>,
        from: Mailbox,
    },
}

impl Mailer {
    /// SMTP when `url` is given, else the log.
    pub fn new(url: Option<&str>, from: &str) -> Result<Self, String> {
        let Some(url) = url else { return Ok(Self::Log) };
        let transport = SmtpTransport::from_url(url)
            .map_err(|e| format!("bad SMTP URL: {e}"))?
            .build();
        let from = from
            .parse()
            .map_err(|e| format!("bad SMTP sender `{from}`: {e}"))?;
        Ok(Self::Smtp {
            transport: Box::new(transport),
            from,
        })
    }

    /// Sends `code` to `email`. Blocking when SMTP is used: call on the blocking pool.
    pub fn deliver(&self, email: &str, code: &str) -> Result<(), ApiError> {
        match self {
            Self::Log => {
                tracing::info!("sign-in code for {email}: {code}");
                Ok(())
            }
            Self::Smtp { transport, from } => {
                let to: Mailbox = email
                    .parse()
                    .map_err(|_| ApiError::new(ErrorCode::AuthBadEmail))?;
                let mail = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(format!("Your Kirimin code: {code}"))
                    .body(format!(
                        "Your Kirimin sign-in code is {code}.\nIt is valid for 10 minutes.\n"
                    ))
                    .map_err(ApiError::internal)?;
                transport.send(&mail).map_err(ApiError::internal)?;
                Ok(())
            }
        }
    }

    /// True when codes only reach the log.
    pub fn is_log(&self) -> bool {
        matches!(self, Self::Log)
    }
}
