//! Rules for users: who may create, read, change and delete whom, seats of the plan,
//! and the audit trail of each change.

use secrecy::SecretString;
use serde::Deserialize;
use utoipa::ToSchema;

use super::model::{NewUser, Role, User};
use super::store::{self, Changes, ListFilter};
use crate::app::AppState;
use crate::auth::{password, Session};
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::{ClientInfo, Page, Paged};
use crate::store::is_unique_violation;
use crate::validate::{self, Errors};

/// `POST /users` (admin).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateUser {
    pub name: String,
    pub email: String,
    pub role: String,
    pub department: Option<String>,
    pub phone_number: Option<String>,
    /// Optional: without one the user signs in by OTP or sets one by password reset.
    pub password: Option<String>,
}

/// `PUT /users/:id`. A user may change their own `name` and `phoneNumber`; the rest
/// is an admin's.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateUser {
    pub name: Option<String>,
    /// `null` or an empty string clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone_number: Option<Option<String>>,
    pub role: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub department: Option<Option<String>>,
    pub is_active: Option<bool>,
}

/// Tells a field set to `null` (Some(None)) from a field left out (None).
fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Validates a new user's fields (shared by create, register and bulk import).
pub fn check_new_user(
    name: &str,
    email: &str,
    role: &str,
    department: Option<&str>,
    phone: Option<&str>,
) -> Result<NewUser, Vec<FieldError>> {
    let mut errors = Errors::default();
    let name = errors.take(validate::name("name", name, 100));
    let email = errors.take(validate::email("email", email));
    let role = errors.take(
        Role::parse(role)
            .ok_or_else(|| FieldError::new("role", "must be one of admin, employee, student")),
    );
    let department = errors.take(validate::optional_text("department", department, 100));
    let phone_number = match phone.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => errors.take(validate::phone("phoneNumber", p)).map(Some),
        None => Some(None),
    };
    match (name, email, role, department, phone_number) {
        (Some(name), Some(email), Some(role), Some(department), Some(phone_number))
            if errors.0.is_empty() =>
        {
            Ok(NewUser {
                email,
                name,
                phone_number,
                role,
                department,
                password_hash: None,
            })
        }
        _ => Err(errors.0),
    }
}

/// Maps a unique violation on insert or update to the field it concerns.
pub fn taken_conflict(e: sqlx::Error) -> AppError {
    if is_unique_violation(&e) {
        let msg = e.to_string();
        if msg.contains("phone") {
            AppError::Conflict(
                "phone_taken",
                "a user with this phone number already exists".into(),
            )
        } else {
            AppError::Conflict(
                "email_taken",
                "a user with this email already exists".into(),
            )
        }
    } else {
        e.into()
    }
}

pub fn seats_exhausted() -> AppError {
    AppError::Conflict(
        "user_limit_reached",
        "the organization's plan allows no more users (subscription.maxUsers)".into(),
    )
}

pub async fn create(
    state: &AppState,
    admin: &Session,
    client: &ClientInfo,
    input: CreateUser,
) -> AppResult<User> {
    let mut new = check_new_user(
        &input.name,
        &input.email,
        &input.role,
        input.department.as_deref(),
        input.phone_number.as_deref(),
    )
    .map_err(AppError::Validation)?;
    if let Some(p) = input.password {
        if let Some(e) = password::check_new("password", &p) {
            return Err(AppError::Validation(vec![e]));
        }
        new.password_hash = Some(password::hash(SecretString::from(p)).await?);
    }
    let now = state.clock.now();
    let id = crate::id::new_id_at(now.timestamp());
    let mut tx = state.db.pool().begin().await?;
    if !store::claim_seats(&mut tx, &admin.org_id, 1).await? {
        return Err(seats_exhausted());
    }
    store::insert(&mut tx, &admin.org_id, &id, &new, now.timestamp_millis())
        .await
        .map_err(taken_conflict)?;
    crate::audit::record(
        &mut tx,
        &admin.org_id,
        Some(&admin.user_id),
        "user_created",
        "user",
        Some(&id),
        serde_json::json!({"email": new.email, "role": new.role.as_str()}),
        client,
        now.timestamp_millis(),
    )
    .await?;
    tx.commit().await?;
    get(state, &admin.org_id, &id).await
}

pub async fn get(state: &AppState, org_id: &str, id: &str) -> AppResult<User> {
    store::get(&state.db, org_id, id)
        .await?
        .map(User::from)
        .ok_or(AppError::NotFound("user"))
}

/// A user as the caller may see them: admins see anyone in the organization,
/// others only themselves.
pub async fn get_visible(state: &AppState, session: &Session, id: &str) -> AppResult<User> {
    if !session.is_admin() && session.user_id != id {
        return Err(AppError::Forbidden(
            "you may only view your own profile".into(),
        ));
    }
    get(state, &session.org_id, id).await
}

pub async fn list(
    state: &AppState,
    org_id: &str,
    filter: ListFilter,
    page: Page,
) -> AppResult<Paged<User>> {
    let (rows, total) = store::list(&state.db, org_id, &filter, page.limit, page.offset()).await?;
    Ok(Paged::new(
        rows.into_iter().map(User::from).collect(),
        page,
        total,
    ))
}

pub async fn update(
    state: &AppState,
    session: &Session,
    client: &ClientInfo,
    id: &str,
    input: UpdateUser,
) -> AppResult<User> {
    let is_self = session.user_id == id;
    if !session.is_admin() {
        if !is_self {
            return Err(AppError::Forbidden(
                "you may only change your own profile".into(),
            ));
        }
        if input.role.is_some() || input.department.is_some() || input.is_active.is_some() {
            return Err(AppError::Forbidden(
                "only an admin may change role, department or isActive".into(),
            ));
        }
    }
    let before = get(state, &session.org_id, id).await?;
    let mut errors = Errors::default();
    let mut changes = Changes::default();
    if let Some(n) = &input.name {
        changes.name = errors.take(validate::name("name", n, 100));
    }
    if let Some(p) = &input.phone_number {
        changes.phone_number = match p.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => errors.take(validate::phone("phoneNumber", p)).map(Some),
            None => Some(None),
        };
    }
    if let Some(r) = &input.role {
        let role = errors.take(
            Role::parse(r)
                .ok_or_else(|| FieldError::new("role", "must be one of admin, employee, student")),
        );
        changes.role = role.map(|r| r.as_str().to_string());
    }
    if let Some(d) = &input.department {
        changes.department = errors.take(validate::optional_text("department", d.as_deref(), 100));
    }
    changes.is_active = input.is_active;
    errors.finish()?;
    if is_self
        && (changes.role.as_deref().is_some_and(|r| r != "admin")
            || changes.is_active == Some(false))
    {
        // An organization must not lose its admin by accident.
        return Err(AppError::Conflict(
            "cannot_demote_self",
            "an admin may not demote or deactivate themselves".into(),
        ));
    }
    let now_ms = state.clock.now().timestamp_millis();
    let mut tx = state.db.pool().begin().await?;
    let found = store::update(&mut tx, &session.org_id, id, &changes, now_ms)
        .await
        .map_err(taken_conflict)?;
    if !found {
        return Err(AppError::NotFound("user"));
    }
    if changes.is_active == Some(false) {
        // Deactivation ends every sign-in, refresh tokens included.
        crate::auth::store::revoke_user_sessions(&mut tx, &session.org_id, id, now_ms).await?;
    }
    let status_changed = changes.is_active.filter(|a| *a != before.is_active);
    crate::audit::record(
        &mut tx,
        &session.org_id,
        Some(&session.user_id),
        "user_updated",
        "user",
        Some(id),
        serde_json::json!({
            "before": {"name": before.name, "phoneNumber": before.phone_number, "role": before.role,
                       "department": before.department, "isActive": before.is_active},
            "changes": serde_json::json!({"name": changes.name, "phoneNumber": changes.phone_number,
                       "role": changes.role, "department": changes.department, "isActive": changes.is_active}),
        }),
        client,
        now_ms,
    )
    .await?;
    tx.commit().await?;
    // Role and activation are read with the session: forget what was cached.
    state.sessions.forget_user(id);
    if let Some(active) = status_changed {
        state
            .realtime
            .user_status(&session.org_id, id, active)
            .await;
    }
    if before.role == Role::Admin && changes.role.as_deref().is_some_and(|r| r != "admin") {
        // A demoted admin's open sockets stop receiving the organization's feeds now.
        state.realtime.revoke_admin_rooms(&session.org_id, id).await;
    }
    get(state, &session.org_id, id).await
}

pub async fn delete(
    state: &AppState,
    admin: &Session,
    client: &ClientInfo,
    id: &str,
) -> AppResult<()> {
    if admin.user_id == id {
        return Err(AppError::Conflict(
            "cannot_delete_self",
            "an admin may not delete themselves".into(),
        ));
    }
    let now_ms = state.clock.now().timestamp_millis();
    let mut tx = state.db.pool().begin().await?;
    if !store::soft_delete(&mut tx, &admin.org_id, id, now_ms).await? {
        return Err(AppError::NotFound("user"));
    }
    store::release_seat(&mut tx, &admin.org_id).await?;
    crate::audit::record(
        &mut tx,
        &admin.org_id,
        Some(&admin.user_id),
        "user_deleted",
        "user",
        Some(id),
        serde_json::json!({}),
        client,
        now_ms,
    )
    .await?;
    tx.commit().await?;
    state.sessions.forget_user(id);
    state.realtime.user_status(&admin.org_id, id, false).await;
    Ok(())
}
