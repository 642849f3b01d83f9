//! Password hashing with argon2id at OWASP's parameters (m = 19 MiB, t = 2, p = 1),
//! always run on a few dedicated threads so hashing never stalls the async threads.

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

/// The most common passwords of 8 characters or more, one per line.
const COMMON: &str = include_str!("../../assets/common-passwords.txt");

fn is_common(password: &str) -> bool {
    static SET: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    let set = SET.get_or_init(|| {
        COMMON
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    });
    set.contains(password.to_lowercase().as_str())
}

/// Checks a new password: its length (counted in characters) and that it is not one
/// of the most common passwords. Composition rules are deliberately absent
/// (NIST SP 800-63B).
pub fn check_new(field: &str, password: &str) -> Option<FieldError> {
    let n = password.chars().count();
    let problem = if n < MIN_LEN {
        format!("must be at least {MIN_LEN} characters")
    } else if n > MAX_LEN {
        format!("must be at most {MAX_LEN} characters")
    } else if is_common(password) {
        "is one of the most common passwords; choose another".to_string()
    } else {
        return None;
    };
    Some(FieldError::new(field, problem))
}

type Job = Box<dyn FnOnce() + Send>;

/// Argon2 takes 19 MiB per hash. On tokio's blocking pool every thread that ever
/// hashed kept its own malloc arena: a burst of 256 sign-ins left the server at
/// ~1.6 GB resident (measured in the check-in benchmark's setup). A fixed set of
/// hashing threads, one per core, bounds that memory and the CPU hashing may take.
fn hashing_queue() -> &'static std::sync::Mutex<std::sync::mpsc::Sender<Job>> {
    static QUEUE: std::sync::OnceLock<std::sync::Mutex<std::sync::mpsc::Sender<Job>>> =
        std::sync::OnceLock::new();
    QUEUE.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        for i in 0..threads {
            let rx = rx.clone();
            let _ = std::thread::Builder::new()
                .name(format!("password-hash-{i}"))
                .spawn(move || loop {
                    let job = match rx.lock() {
                        Ok(guard) => guard.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                });
        }
        std::sync::Mutex::new(tx)
    })
}

/// Runs `work` on a hashing thread and waits for it without blocking the runtime.
async fn on_hashing_threads<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = tx.send(work());
    });
    hashing_queue()
        .lock()
        .map_err(|_| anyhow::anyhow!("hashing threads unavailable"))?
        .send(job)
        .map_err(|_| anyhow::anyhow!("hashing threads stopped"))?;
    Ok(rx.await?)
}

/// Hashes a password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`).
pub async fn hash(password: SecretString) -> anyhow::Result<String> {
    on_hashing_threads(move || {
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
    on_hashing_threads(move || {
        // Without a stored hash the dummy is checked only to spend the same time;
        // its answer is never used, so no password opens an account that has none.
        let has_hash = stored.is_some();
        let stored = stored.unwrap_or_else(|| dummy_hash().to_string());
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
        let ok = hasher()
            .verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok();
        Ok(ok && has_hash)
    })
    .await?
}

/// The password behind the timing dummy (tests use it to prove it opens nothing).
pub const DUMMY_PASSWORD: &[u8] = b"no user has this password";

fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        hasher()
            .hash_password(DUMMY_PASSWORD, &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::check_new;

    #[test]
    fn common_and_badly_sized_passwords_are_refused() {
        for bad in ["password", "PASSWORD1", "baseball", "short", "iloveyou"] {
            assert!(check_new("p", bad).is_some(), "{bad} accepted");
        }
        assert!(check_new("p", &"x".repeat(129)).is_some());
        assert!(check_new("p", "a long enough password").is_none());
        assert!(
            check_new("p", "ünïcödé✓").is_none(),
            "characters, not bytes, are counted"
        );
    }
}
