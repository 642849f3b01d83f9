//! Rules for signing up and signing in: registration of an organization with its
//! first admin, password login, and the token pair every sign-in ends with.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{password, store, tokens};
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::extract::ClientInfo;
use crate::organizations::{self, Organization, Settings};
use crate::users::{self, Role, User};
use crate::validate::{self, Errors};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterRequest {
    pub organization_name: String,
    pub name: String,
    pub email: String,
    pub password: String,
    pub phone_number: Option<String>,
    /// IANA timezone of the organization; UTC when absent.
    pub timezone: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// What every successful sign-in answers.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub user: User,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<Organization>,
}

/// Starts a refresh family for `user` and signs an access token.
pub async fn issue_pair(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    user: &User,
) -> AppResult<(String, String)> {
    let now = state.clock.now();
    let refresh = tokens::random_token(32);
    let family = crate::id::new_id_at(now.timestamp());
    let lifetime = chrono::Duration::from_std(state.config.refresh_family_lifetime)
        .unwrap_or(chrono::Duration::days(30));
    store::start_family(
        conn,
        &family,
        &user.id,
        &user.organization_id,
        &tokens::sha256_hex(&refresh),
        now.timestamp_millis(),
        (now + lifetime).timestamp_millis(),
    )
    .await?;
    let access = state.keys.issue(
        &user.id,
        &user.organization_id,
        user.role.as_str(),
        &family,
        now,
    );
    Ok((access, refresh))
}

pub async fn register(
    state: &AppState,
    client: &ClientInfo,
    req: RegisterRequest,
) -> AppResult<TokenPair> {
    let mut errors = Errors::default();
    let org_name = errors.take(validate::name(
        "organizationName",
        &req.organization_name,
        200,
    ));
    let mut settings = Settings::default();
    if let Some(tz) = &req.timezone {
        if errors
            .take(organizations::service::parse_timezone("timezone", tz))
            .is_some()
        {
            settings.timezone = tz.clone();
        }
    }
    if let Some(e) = password::check_new("password", &req.password) {
        errors.push(e);
    }
    let new_user = match users::service::check_new_user(
        &req.name,
        &req.email,
        "admin",
        None,
        req.phone_number.as_deref(),
    ) {
        Ok(u) => Some(u),
        Err(errs) => {
            errors.0.extend(errs);
            None
        }
    };
    errors.finish()?;
    let (Some(org_name), Some(mut new_user)) = (org_name, new_user) else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "validated fields missing"
        )));
    };
    new_user.password_hash = Some(password::hash(SecretString::from(req.password)).await?);

    let now = state.clock.now();
    let now_ms = now.timestamp_millis();
    let org_id = crate::id::new_id_at(now.timestamp());
    let user_id = crate::id::new_id_at(now.timestamp());
    let mut tx = state.db.pool().begin().await?;
    organizations::store::insert(
        &mut tx,
        &org_id,
        &org_name,
        &settings,
        state.config.free_plan_max_users,
        now_ms,
    )
    .await?;
    users::store::claim_seats(&mut tx, &org_id, 1).await?;
    users::store::insert(&mut tx, &org_id, &user_id, &new_user, now_ms)
        .await
        .map_err(users::service::taken_conflict)?;
    crate::audit::record(
        &mut tx,
        &org_id,
        Some(&user_id),
        "organization_registered",
        "organization",
        Some(&org_id),
        serde_json::json!({"name": org_name}),
        client,
        now_ms,
    )
    .await?;
    let user = User {
        id: user_id.clone(),
        email: new_user.email.clone(),
        name: new_user.name.clone(),
        phone_number: new_user.phone_number.clone(),
        role: Role::Admin,
        department: None,
        organization_id: org_id.clone(),
        is_active: true,
        profile_image_url: None,
        created_at: crate::time::from_millis(now_ms),
        updated_at: crate::time::from_millis(now_ms),
        last_login_at: None,
    };
    let (access, refresh) = issue_pair(state, &mut tx, &user).await?;
    tx.commit().await?;
    Ok(TokenPair {
        access_token: access,
        refresh_token: refresh,
        expires_in: state.keys.access_ttl_secs,
        organization: Some(organizations::service::get(state, &org_id).await?),
        user,
    })
}

fn bad_credentials() -> AppError {
    AppError::Unauthorized(
        "invalid_credentials",
        "email or password is incorrect".into(),
    )
}

pub async fn login(
    state: &AppState,
    client: &ClientInfo,
    req: LoginRequest,
) -> AppResult<TokenPair> {
    let limits = &state.config.rate_limits;
    let per_ip = crate::ratelimit::Limit::new(limits.login_per_ip, 5 * 60);
    let per_account = crate::ratelimit::Limit::new(limits.login_per_account, 15 * 60);
    if let Err(refused) =
        super::sessions::limit(state, "login", client, &req.email, per_ip, per_account).await
    {
        audit_lockout(state, client, &req.email).await?;
        return Err(refused);
    }
    // An address that cannot be valid cannot match a user; answer like a wrong password
    // (after the same work) so the response tells nothing.
    let email = validate::email("email", &req.email).ok();
    let found = match &email {
        Some(e) => users::store::find_by_email(&state.db, e).await?,
        None => None,
    };
    let (row, hash) = match found {
        Some((row, hash)) => (Some(row), hash),
        None => (None, None),
    };
    let ok = password::verify(SecretString::from(req.password), hash).await?;
    let now_ms = state.clock.now().timestamp_millis();
    let row = match row {
        Some(row) if ok && row.is_active != 0 => row,
        other => {
            if let Some(row) = other {
                let mut conn = state.db.pool().acquire().await?;
                crate::audit::record(
                    &mut conn,
                    &row.organization_id,
                    Some(&row.id),
                    "login_failed",
                    "user",
                    Some(&row.id),
                    serde_json::json!({}),
                    client,
                    now_ms,
                )
                .await?;
            }
            return Err(bad_credentials());
        }
    };
    sign_in(state, client, User::from(row), "password").await
}

/// Completes a sign-in (password or OTP): records it on the user and in the audit
/// log, and starts a new refresh family.
pub async fn sign_in(
    state: &AppState,
    client: &ClientInfo,
    mut user: User,
    method: &str,
) -> AppResult<TokenPair> {
    let now_ms = state.clock.now().timestamp_millis();
    users::store::touch_last_login(&state.db, &user.organization_id, &user.id, now_ms).await?;
    user.last_login_at = Some(crate::time::from_millis(now_ms));
    let mut tx = state.db.pool().begin().await?;
    let (access, refresh) = issue_pair(state, &mut tx, &user).await?;
    crate::audit::record(
        &mut tx,
        &user.organization_id,
        Some(&user.id),
        "login",
        "user",
        Some(&user.id),
        serde_json::json!({"method": method}),
        client,
        now_ms,
    )
    .await?;
    tx.commit().await?;
    Ok(TokenPair {
        access_token: access,
        refresh_token: refresh,
        expires_in: state.keys.access_ttl_secs,
        user,
        organization: None,
    })
}

/// Records a refused burst of sign-ins against an account that exists.
async fn audit_lockout(state: &AppState, client: &ClientInfo, email: &str) -> AppResult<()> {
    let Ok(email) = validate::email("email", email) else {
        return Ok(());
    };
    if let Some((row, _)) = users::store::find_by_email(&state.db, &email).await? {
        let now_ms = state.clock.now().timestamp_millis();
        let mut conn = state.db.pool().acquire().await?;
        crate::audit::record(
            &mut conn,
            &row.organization_id,
            Some(&row.id),
            "login_rate_limited",
            "user",
            Some(&row.id),
            serde_json::json!({}),
            client,
            now_ms,
        )
        .await?;
    }
    Ok(())
}
