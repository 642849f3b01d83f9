//! Password hashing with argon2id at OWASP's parameters (m = 19 MiB, t = 2, p = 1),
//! always run on the blocking pool so hashing never stalls the async threads.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};

use crate::error::FieldError;

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 128;

fn hasher() -> Argon2<'static> {
    // Constant parameters that are known to be valid.
    let params = Params::new(19_456, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Checks a new password's length (counted in characters). Composition rules are
/// deliberately absent (NIST SP 800-63B).
pub fn check_new(field: &str, password: &str) -> Option<FieldError> {
    let n = password.chars().count();
    if n < MIN_LEN {
        Some(FieldError::new(
            field,
            format!("must be at least {MIN_LEN} characters"),
        ))
    } else if n > MAX_LEN {
        Some(FieldError::new(
            field,
            format!("must be at most {MAX_LEN} characters"),
        ))
    } else {
        None
    }
}

/// Hashes a password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`).
pub async fn hash(password: SecretString) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        hasher()
            .hash_password(password.expose_secret().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))
    })
    .await?
}

/// Verifies a password against a stored hash. With no hash (unknown user, or a user
/// without a password) it still does the work of one verification, so the answer
/// takes as long either way.
pub async fn verify(password: SecretString, stored: Option<String>) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let stored = stored.unwrap_or_else(|| dummy_hash().to_string());
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
        let ok = hasher()
            .verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok();
        Ok(ok && !stored.is_empty())
    })
    .await?
}

fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        hasher()
            .hash_password(b"no user has this password", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}
