//! Messages to people outside the app: email over SMTP and SMS through the
//! organization's provider webhook.

pub mod mail;
pub mod sms;

pub use mail::Mailer;
pub use sms::SmsSender;
