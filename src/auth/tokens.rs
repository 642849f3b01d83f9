//! Access tokens (HS256 JWTs, short-lived) and refresh tokens (opaque random strings,
//! stored only as SHA-256 hashes).

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Config;

/// What an access token says.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// The organization id.
    pub org: String,
    pub role: String,
    pub jti: String,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    /// Always "access": nothing else is ever accepted where an access token is due.
    pub typ: String,
    /// The refresh family (sign-in) this token belongs to: revoking the family
    /// (logout, refresh reuse) ends its access tokens too.
    pub fam: String,
    /// Issued-at in milliseconds: a session revoked at an instant ends every token
    /// issued before it, even within the same second.
    pub ims: i64,
}

/// Signing and checking keys, built once from the config.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    pub access_ttl_secs: i64,
}

impl TokenKeys {
    pub fn new(config: &Config) -> Self {
        let secret = config.jwt_secret.expose_secret().as_bytes();
        // The algorithm is pinned: a token naming any other (or `none`) fails.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[config.jwt_issuer.as_str()]);
        validation.set_audience(&[config.jwt_audience.as_str()]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = 5;
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
            access_ttl_secs: config.access_token_ttl.as_secs() as i64,
        }
    }

    /// Signs an access token for a user's sign-in (`family`), issued at `now`.
    pub fn issue(
        &self,
        user_id: &str,
        org_id: &str,
        role: &str,
        family: &str,
        now: DateTime<Utc>,
    ) -> String {
        let iat = now.timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            org: org_id.to_string(),
            role: role.to_string(),
            jti: random_token(16),
            iat,
            exp: iat + self.access_ttl_secs,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            typ: "access".into(),
            fam: family.to_string(),
            ims: now.timestamp_millis(),
        };
        // HS256 signing of a plain struct cannot fail.
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .unwrap_or_default()
    }

    /// Checks signature, algorithm, issuer, audience, expiry (against `now`) and type.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Option<Claims> {
        let mut validation = self.validation.clone();
        // Expiry is checked below against the server's clock, not the OS clock.
        validation.validate_exp = false;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).ok()?;
        let claims = data.claims;
        if claims.typ != "access" || self.expired(claims.exp, now) {
            return None;
        }
        Some(claims)
    }

    /// Whether an access token expiring at `exp` (seconds) is past it at `now`.
    pub fn expired(&self, exp: i64, now: DateTime<Utc>) -> bool {
        exp + (self.validation.leeway as i64) < now.timestamp()
    }
}

/// `bytes` random bytes from the OS CSPRNG, URL-safe base64 without padding.
pub fn random_token(bytes: usize) -> String {
    use base64::Engine;
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// The stored form of a refresh token or one-time code.
pub fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}
