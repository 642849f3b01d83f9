//! The User document as clients see it, its role, and the row it is read from.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::time::{from_millis, rfc3339_ms, rfc3339_ms_opt};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Employee,
    Student,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Employee => "employee",
            Role::Student => "student",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "admin" => Some(Role::Admin),
            "employee" => Some(Role::Employee),
            "student" => Some(Role::Student),
            _ => None,
        }
    }
}

/// A user. Never carries a password hash or any other secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[serde(rename = "_id")]
    #[schema(example = "6564a1f0c2a4b3d2e1f00001")]
    pub id: String,
    pub email: String,
    pub name: String,
    pub phone_number: Option<String>,
    pub role: Role,
    pub department: Option<String>,
    pub organization_id: String,
    pub is_active: bool,
    pub profile_image_url: Option<String>,
    #[serde(with = "rfc3339_ms")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    #[serde(with = "rfc3339_ms")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: DateTime<Utc>,
    #[serde(with = "rfc3339_ms_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_login_at: Option<DateTime<Utc>>,
}

/// The columns a `User` is read from (`USER_COLUMNS`).
#[derive(sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub organization_id: String,
    pub email: String,
    pub name: String,
    pub phone_number: Option<String>,
    pub role: String,
    pub department: Option<String>,
    pub is_active: i64,
    pub profile_image_url: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_login_at: Option<i64>,
}

pub const USER_COLUMNS: &str = "id, organization_id, email, name, phone_number, role, department, \
     is_active, profile_image_url, created_at, updated_at, last_login_at";

impl From<UserRow> for User {
    fn from(r: UserRow) -> User {
        User {
            id: r.id,
            email: r.email,
            name: r.name,
            phone_number: r.phone_number,
            role: Role::parse(&r.role).unwrap_or(Role::Employee),
            department: r.department,
            organization_id: r.organization_id,
            is_active: r.is_active != 0,
            profile_image_url: r.profile_image_url,
            created_at: from_millis(r.created_at),
            updated_at: from_millis(r.updated_at),
            last_login_at: r.last_login_at.map(from_millis),
        }
    }
}

/// A validated new user, ready to insert.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub phone_number: Option<String>,
    pub role: Role,
    pub department: Option<String>,
    pub password_hash: Option<String>,
}
