//! Email through a real SMTP conversation (`SMTP_URL`, e.g. `smtp://127.0.0.1:2525`
//! or `smtps://user:pass@host`), from `MAIL_FROM`, with plain-text and HTML bodies.
//! Without `SMTP_URL` there is no mailer, and features that need one say so.

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::error::AppError;

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// One email: the same words as plain text and as HTML.
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Mailer {
    /// A mailer for `smtp_url`, or `None` (logged) when mail is not configured.
    pub fn from_config(smtp_url: Option<&str>, from: &str) -> anyhow::Result<Option<Mailer>> {
        let Some(url) = smtp_url else {
            tracing::warn!("SMTP_URL is not set: password reset and email codes are unavailable");
            return Ok(None);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("SMTP_URL is not usable: {e}"))?
            .timeout(Some(std::time::Duration::from_secs(10)))
            .build();
        let from = from
            .parse()
            .map_err(|e| anyhow::anyhow!("MAIL_FROM is not a mailbox: {e}"))?;
        Ok(Some(Mailer { transport, from }))
    }

    pub async fn send(&self, email: Email) -> anyhow::Result<()> {
        let message = Message::builder()
            .from(self.from.clone())
            .to(email.to.parse()?)
            .subject(email.subject)
            .multipart(MultiPart::alternative_plain_html(email.text, email.html))?;
        self.transport.send(message).await?;
        Ok(())
    }
}

/// The error for features that need mail when none is configured.
pub fn not_configured() -> AppError {
    AppError::Unavailable(
        "mail_not_configured",
        "email is not configured on this server (SMTP_URL)".into(),
    )
}

/// The email that carries a one-time code.
pub fn code_email(to: &str, purpose: &str, code: &str, minutes: i64) -> Email {
    let (subject, intro) = match purpose {
        "reset" => (
            "Your Rollcall password reset code",
            "Use this code to set a new password",
        ),
        _ => ("Your Rollcall sign-in code", "Use this code to sign in"),
    };
    Email {
        to: to.to_string(),
        subject: subject.to_string(),
        text: format!(
            "{intro}: {code}\n\nIt expires in {minutes} minutes and works once. \
             If you did not ask for it, ignore this email."
        ),
        html: format!(
            "<p>{intro}:</p><p style=\"font-size:24px;font-weight:bold;letter-spacing:4px\">{code}</p>\
             <p>It expires in {minutes} minutes and works once. If you did not ask for it, ignore this email.</p>"
        ),
    }
}
