//! Getting back in: forgotten password (a mailed 6-digit code, then a new password),
//! password change, and OTP sign-in by SMS or email. Unknown and known addresses
//! get the same answers, and every door is rate-limited per IP and per account.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::codes::{self, Purpose};
use super::service::TokenPair;
use super::sessions::limit;
use super::{password, store, Session};
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::extract::ClientInfo;
use crate::notify::mail;
use crate::ratelimit::Limit;
use crate::users::{self, User};
use crate::validate;

const WINDOW: u64 = 15 * 60;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotPasswordRequest {
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResetPasswordRequest {
    pub email: String,
    pub code: String,
    pub new_password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// `{phoneNumber}` or `{email}`; with `code` when verifying.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OtpRequest {
    pub phone_number: Option<String>,
    pub email: Option<String>,
    /// Only for `otp/verify`.
    pub code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    pub message: &'static str,
}

fn invalid_code() -> AppError {
    AppError::Unauthorized(
        "invalid_code",
        "the code is wrong, expired or used up".into(),
    )
}

fn limits(state: &AppState, verify: bool) -> (Limit, Limit) {
    let r = &state.config.rate_limits;
    if verify {
        (
            Limit::new(r.code_verify_per_ip, WINDOW),
            Limit::new(r.code_verify_per_account, WINDOW),
        )
    } else {
        (
            Limit::new(r.code_request_per_ip, WINDOW),
            Limit::new(r.code_request_per_account, WINDOW),
        )
    }
}

async fn active_user_by_email(state: &AppState, email: &str) -> AppResult<Option<User>> {
    let Ok(email) = validate::email("email", email) else {
        return Ok(None);
    };
    Ok(users::store::find_by_email(&state.db, &email)
        .await?
        .map(|(row, _)| User::from(row))
        .filter(|u| u.is_active))
}

async fn active_user_by_phone(state: &AppState, phone: &str) -> AppResult<Option<User>> {
    let Ok(phone) = validate::phone("phoneNumber", phone) else {
        return Ok(None);
    };
    Ok(users::store::find_by_phone(&state.db, &phone)
        .await?
        .map(User::from)
        .filter(|u| u.is_active))
}

/// Mails a code in the background, so the answer takes as long for unknown addresses.
fn mail_code(state: &AppState, to: String, purpose: Purpose, code: String) {
    let Some(mailer) = state.mailer.clone() else {
        return;
    };
    tokio::spawn(async move {
        let email = mail::code_email(&to, purpose.as_str(), &code, purpose.minutes());
        if let Err(e) = mailer.send(email).await {
            tracing::error!(error = %e, purpose = purpose.as_str(), "could not send a code by email");
        }
    });
}

pub async fn forgot_password(
    state: &AppState,
    client: &ClientInfo,
    req: ForgotPasswordRequest,
) -> AppResult<Accepted> {
    let (per_ip, per_account) = limits(state, false);
    limit(state, "code", client, &req.email, per_ip, per_account).await?;
    if state.mailer.is_none() {
        return Err(mail::not_configured());
    }
    if let Some(user) = active_user_by_email(state, &req.email).await? {
        let now_ms = state.clock.now().timestamp_millis();
        let mut tx = state.db.pool().begin().await?;
        let (_, code) = codes::issue(
            state,
            &mut tx,
            &user.organization_id,
            &user.id,
            Purpose::Reset,
        )
        .await?;
        crate::audit::record(
            &mut tx,
            &user.organization_id,
            Some(&user.id),
            "password_reset_requested",
            "user",
            Some(&user.id),
            serde_json::json!({}),
            client,
            now_ms,
        )
        .await?;
        tx.commit().await?;
        mail_code(state, user.email, Purpose::Reset, code);
    }
    Ok(Accepted {
        message: "if an account uses this email, a code is on its way",
    })
}

/// Sets a user's password and ends every session they have.
async fn set_password(
    state: &AppState,
    client: &ClientInfo,
    user: &User,
    new_password: String,
    action: &str,
) -> AppResult<()> {
    let hash = password::hash(SecretString::from(new_password)).await?;
    let now_ms = state.clock.now().timestamp_millis();
    let mut tx = state.db.pool().begin().await?;
    sqlx::query("UPDATE users SET password_hash = $3, updated_at = $4 WHERE organization_id = $1 AND id = $2")
        .bind(&user.organization_id)
        .bind(&user.id)
        .bind(hash)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
    store::revoke_user_sessions(&mut tx, &user.organization_id, &user.id, now_ms).await?;
    crate::audit::record(
        &mut tx,
        &user.organization_id,
        Some(&user.id),
        action,
        "user",
        Some(&user.id),
        serde_json::json!({}),
        client,
        now_ms,
    )
    .await?;
    tx.commit().await?;
    state.sessions.forget_user(&user.id);
    state.realtime.end_user_sockets(&user.id).await;
    Ok(())
}

pub async fn reset_password(
    state: &AppState,
    client: &ClientInfo,
    req: ResetPasswordRequest,
) -> AppResult<()> {
    let (per_ip, per_account) = limits(state, true);
    limit(state, "verify", client, &req.email, per_ip, per_account).await?;
    if let Some(e) = password::check_new("newPassword", &req.new_password) {
        return Err(AppError::Validation(vec![e]));
    }
    let Some(user) = active_user_by_email(state, &req.email).await? else {
        return Err(invalid_code());
    };
    if !codes::redeem(state, &user.id, Purpose::Reset, &req.code).await? {
        return Err(invalid_code());
    }
    set_password(state, client, &user, req.new_password, "password_reset").await
}

pub async fn change_password(
    state: &AppState,
    session: &Session,
    client: &ClientInfo,
    req: ChangePasswordRequest,
) -> AppResult<()> {
    if let Some(e) = password::check_new("newPassword", &req.new_password) {
        return Err(AppError::Validation(vec![e]));
    }
    let user = users::service::get(state, &session.org_id, &session.user_id).await?;
    let stored = users::store::find_by_email(&state.db, &user.email)
        .await?
        .and_then(|(_, h)| h);
    if !password::verify(SecretString::from(req.current_password), stored).await? {
        return Err(AppError::Unauthorized(
            "invalid_credentials",
            "the current password is incorrect".into(),
        ));
    }
    set_password(state, client, &user, req.new_password, "password_changed").await
}

/// The destination an OTP request names: exactly one of phone or email.
enum Destination {
    Phone(String),
    Email(String),
}

fn destination(req: &OtpRequest) -> AppResult<Destination> {
    match (&req.phone_number, &req.email) {
        (Some(p), None) => validate::phone("phoneNumber", p)
            .map(Destination::Phone)
            .map_err(|e| AppError::Validation(vec![e])),
        (None, Some(e)) => validate::email("email", e)
            .map(Destination::Email)
            .map_err(|e| AppError::Validation(vec![e])),
        _ => Err(AppError::validation(
            "phoneNumber",
            "send exactly one of phoneNumber or email",
        )),
    }
}

pub async fn otp_request(
    state: &AppState,
    client: &ClientInfo,
    req: OtpRequest,
) -> AppResult<Accepted> {
    if req.code.is_some() {
        return Err(AppError::validation("code", "is only for otp/verify"));
    }
    let dest = destination(&req)?;
    let (per_ip, per_account) = limits(state, false);
    let account = match &dest {
        Destination::Phone(p) | Destination::Email(p) => p.clone(),
    };
    limit(state, "code", client, &account, per_ip, per_account).await?;
    let user = match &dest {
        Destination::Phone(p) => {
            if state.sms.is_none() {
                return Err(AppError::Unavailable(
                    "sms_not_configured",
                    "SMS is not configured on this server (SMS_WEBHOOK_URL)".into(),
                ));
            }
            active_user_by_phone(state, p).await?
        }
        Destination::Email(e) => {
            if state.mailer.is_none() {
                return Err(mail::not_configured());
            }
            active_user_by_email(state, e).await?
        }
    };
    if let Some(user) = user {
        let now_ms = state.clock.now().timestamp_millis();
        let mut tx = state.db.pool().begin().await?;
        let (id, code) = codes::issue(
            state,
            &mut tx,
            &user.organization_id,
            &user.id,
            Purpose::Otp,
        )
        .await?;
        crate::audit::record(&mut tx, &user.organization_id, Some(&user.id), "otp_requested", "user", Some(&user.id),
            serde_json::json!({"channel": if matches!(dest, Destination::Phone(_)) { "sms" } else { "email" }}), client, now_ms).await?;
        tx.commit().await?;
        match (&dest, &state.sms) {
            (Destination::Phone(phone), Some(sms)) => {
                let message = format!(
                    "Your Rollcall code is {code}. It expires in {} minutes.",
                    Purpose::Otp.minutes()
                );
                if let Err(e) = sms.send(phone, &message).await {
                    tracing::error!(error = %e, "could not send a code by SMS");
                    codes::retire(state, &id).await?;
                    return Err(AppError::BadGateway(
                        "sms_failed",
                        "the SMS provider did not accept the message; try again".into(),
                    ));
                }
            }
            _ => mail_code(state, user.email.clone(), Purpose::Otp, code),
        }
    }
    Ok(Accepted {
        message: "if an account uses this address, a code is on its way",
    })
}

pub async fn otp_verify(
    state: &AppState,
    client: &ClientInfo,
    req: OtpRequest,
) -> AppResult<TokenPair> {
    let dest = destination(&req)?;
    let code = req
        .code
        .clone()
        .ok_or_else(|| AppError::validation("code", "is required"))?;
    let (per_ip, per_account) = limits(state, true);
    let user = match &dest {
        Destination::Phone(p) => {
            limit(state, "verify", client, p, per_ip, per_account).await?;
            active_user_by_phone(state, p).await?
        }
        Destination::Email(e) => {
            limit(state, "verify", client, e, per_ip, per_account).await?;
            active_user_by_email(state, e).await?
        }
    };
    let Some(user) = user else {
        return Err(invalid_code());
    };
    if !codes::redeem(state, &user.id, Purpose::Otp, &code).await? {
        return Err(invalid_code());
    }
    super::service::sign_in(state, client, user, "otp").await
}
