//! Configuration: one value built from the environment (and a `.env` file when the
//! binary starts), passed by value into `app::build`. No globals, so tests build the
//! app from a `Config` of their own.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};

/// Everything the server needs to start.
#[derive(Clone, Debug)]
pub struct Config {
    pub port: u16,
    /// `sqlite://...` or `postgres://...`; the scheme picks the engine.
    pub database_url: String,
    /// Where the SQLite file and the generated JWT secret live.
    pub data_dir: PathBuf,
    pub jwt_secret: SecretString,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_token_ttl: Duration,
    pub refresh_family_lifetime: Duration,
    /// Allowed browser origins; empty means any origin (`*`).
    pub cors_origins: Vec<String>,
    pub max_file_size: usize,
    pub max_json_size: usize,
    pub request_timeout: Duration,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub sms_webhook_url: Option<String>,
    pub redis_url: Option<String>,
    /// The header that carries the client's IP behind a proxy (e.g. `x-forwarded-for`).
    /// Unset: the socket's peer address is the client, and no header is trusted.
    pub trust_proxy: Option<String>,
    /// Seats for organizations on the free plan.
    pub free_plan_max_users: i64,
    /// How often the scheduled jobs (absences, automatic check-out) run; zero: never.
    pub job_interval: Duration,
    pub rate_limits: RateLimits,
    /// How often each socket's token is checked again (expiry, logout, deactivation).
    pub socket_session_check: Duration,
    /// How long a socket may stay connected without authenticating.
    pub socket_auth_timeout: Duration,
}

/// Attempts allowed per window against brute force, per client IP and per account
/// (email or phone), so that neither one address nor many addresses get far.
#[derive(Clone, Debug)]
pub struct RateLimits {
    /// Sign-in attempts per 5 minutes from one IP.
    pub login_per_ip: u32,
    /// Sign-in attempts per 15 minutes against one account.
    pub login_per_account: u32,
    /// Code requests (OTP, password reset) per 15 minutes from one IP.
    pub code_request_per_ip: u32,
    /// Code requests per 15 minutes for one email or phone.
    pub code_request_per_account: u32,
    /// Code checks (OTP verify, password reset) per 15 minutes from one IP.
    pub code_verify_per_ip: u32,
    /// Code checks per 15 minutes for one email or phone.
    pub code_verify_per_account: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            login_per_ip: 30,
            login_per_account: 10,
            code_request_per_ip: 10,
            code_request_per_account: 3,
            code_verify_per_ip: 30,
            code_verify_per_account: 10,
        }
    }
}

/// The smallest JWT secret we accept, in bytes (HS256 wants at least its hash size).
pub const MIN_SECRET_BYTES: usize = 32;

impl Config {
    /// Reads the environment. Creates the data directory, and the JWT secret inside it
    /// when `JWT_SECRET` is unset.
    pub fn from_env() -> anyhow::Result<Config> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let data_dir = PathBuf::from(var("DATA_DIR").unwrap_or_else(|| "./data".into()));
        std::fs::create_dir_all(&data_dir)
            .with_context(|| format!("cannot create data directory {}", data_dir.display()))?;
        let database_url = var("DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}/rollcall.db", data_dir.display()));
        let jwt_secret = match var("JWT_SECRET") {
            Some(s) => s,
            None => load_or_create_secret(&data_dir)?,
        };
        let parse_num = |k: &str, default: u64| -> anyhow::Result<u64> {
            match var(k) {
                Some(v) => v
                    .trim()
                    .parse()
                    .with_context(|| format!("{k} must be a whole number, got {v:?}")),
                None => Ok(default),
            }
        };
        let config = Config {
            port: parse_num("PORT", 3000)? as u16,
            database_url,
            data_dir,
            jwt_secret: SecretString::from(jwt_secret),
            jwt_issuer: var("JWT_ISSUER").unwrap_or_else(|| "rollcall".into()),
            jwt_audience: var("JWT_AUDIENCE").unwrap_or_else(|| "rollcall-app".into()),
            access_token_ttl: Duration::from_secs(parse_num("ACCESS_TOKEN_TTL_SECS", 900)?),
            refresh_family_lifetime: Duration::from_secs(
                parse_num("REFRESH_TOKEN_TTL_DAYS", 30)? * 86_400,
            ),
            cors_origins: var("CORS_ORIGIN")
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty() && s != "*")
                        .collect()
                })
                .unwrap_or_default(),
            max_file_size: parse_num("MAX_FILE_SIZE", 10 * 1024 * 1024)? as usize,
            max_json_size: parse_num("MAX_JSON_SIZE", 1024 * 1024)? as usize,
            request_timeout: Duration::from_secs(parse_num("REQUEST_TIMEOUT_SECS", 30)?),
            smtp_url: var("SMTP_URL"),
            mail_from: var("MAIL_FROM")
                .unwrap_or_else(|| "Rollcall <no-reply@rollcall.local>".into()),
            sms_webhook_url: var("SMS_WEBHOOK_URL"),
            redis_url: var("REDIS_URL"),
            trust_proxy: var("TRUST_PROXY").map(|h| h.to_ascii_lowercase()),
            free_plan_max_users: parse_num("FREE_PLAN_MAX_USERS", 50)? as i64,
            job_interval: Duration::from_secs(parse_num("JOB_INTERVAL_SECS", 60)?),
            socket_session_check: Duration::from_secs(parse_num("SOCKET_SESSION_CHECK_SECS", 30)?),
            socket_auth_timeout: Duration::from_secs(parse_num("SOCKET_AUTH_TIMEOUT_SECS", 30)?),
            rate_limits: {
                let d = RateLimits::default();
                let n = |k: &str, v: u32| parse_num(k, v as u64).map(|x| x as u32);
                RateLimits {
                    login_per_ip: n("RATE_LOGIN_PER_IP", d.login_per_ip)?,
                    login_per_account: n("RATE_LOGIN_PER_ACCOUNT", d.login_per_account)?,
                    code_request_per_ip: n("RATE_CODE_REQUEST_PER_IP", d.code_request_per_ip)?,
                    code_request_per_account: n(
                        "RATE_CODE_REQUEST_PER_ACCOUNT",
                        d.code_request_per_account,
                    )?,
                    code_verify_per_ip: n("RATE_CODE_VERIFY_PER_IP", d.code_verify_per_ip)?,
                    code_verify_per_account: n(
                        "RATE_CODE_VERIFY_PER_ACCOUNT",
                        d.code_verify_per_account,
                    )?,
                }
            },
        };
        config.validate()?;
        Ok(config)
    }

    /// A config for tests and tools: given database and data directory, defaults elsewhere.
    pub fn for_database(database_url: &str, data_dir: &Path) -> Config {
        Config {
            port: 0,
            database_url: database_url.to_string(),
            data_dir: data_dir.to_path_buf(),
            jwt_secret: SecretString::from(hex::encode(random_bytes::<32>())),
            jwt_issuer: "rollcall".into(),
            jwt_audience: "rollcall-app".into(),
            access_token_ttl: Duration::from_secs(900),
            refresh_family_lifetime: Duration::from_secs(30 * 86_400),
            cors_origins: Vec::new(),
            max_file_size: 10 * 1024 * 1024,
            max_json_size: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            smtp_url: None,
            mail_from: "Rollcall <no-reply@rollcall.local>".into(),
            sms_webhook_url: None,
            redis_url: None,
            trust_proxy: None,
            free_plan_max_users: 50,
            // Tests run the jobs at chosen instants with `jobs::run_due`.
            job_interval: Duration::ZERO,
            rate_limits: RateLimits::default(),
            socket_session_check: Duration::from_secs(30),
            socket_auth_timeout: Duration::from_secs(30),
        }
    }

    /// Refuses settings the server cannot run safely with.
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.jwt_secret.expose_secret().len() < MIN_SECRET_BYTES {
            bail!(
                "JWT_SECRET is too short: it must be at least {MIN_SECRET_BYTES} bytes \
                 (unset it to have Rollcall generate one in the data directory)"
            );
        }
        if !(self.database_url.starts_with("sqlite:")
            || self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://"))
        {
            bail!("DATABASE_URL must start with sqlite:, postgres:// or postgresql://");
        }
        Ok(())
    }
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::thread_rng().fill_bytes(&mut b);
    b
}

/// Reads `<data_dir>/jwt_secret`, or makes it once (64 random bytes, hex, mode 0600).
fn load_or_create_secret(data_dir: &Path) -> anyhow::Result<String> {
    let path = data_dir.join("jwt_secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        return Ok(existing.trim().to_string());
    }
    let secret = hex::encode(random_bytes::<64>());
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    use std::io::Write;
    let mut file = options
        .open(&path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(secret.as_bytes())?;
    tracing::info!(path = %path.display(), "generated a JWT secret");
    Ok(secret)
}
