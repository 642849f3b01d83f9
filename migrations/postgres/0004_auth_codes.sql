-- One-time codes: password reset and OTP sign-in. Only a keyed hash of each code is
-- kept; a code dies when used, when it expires, or after too many wrong tries.
CREATE TABLE one_time_codes (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    -- 'reset' or 'otp'
    purpose TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX one_time_codes_user ON one_time_codes (user_id, purpose, created_at);
CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);
