-- Organizations, users, sessions and the audit log.
-- Instants are BIGINT UTC milliseconds; flags are BIGINT 0/1; nested documents are JSON text.

CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    domain TEXT,
    settings TEXT NOT NULL,
    plan TEXT NOT NULL,
    max_users BIGINT NOT NULL,
    user_count BIGINT NOT NULL DEFAULT 0,
    expires_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX organizations_domain ON organizations (domain) WHERE domain IS NOT NULL;

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    email TEXT NOT NULL,
    password_hash TEXT,
    name TEXT NOT NULL,
    phone_number TEXT,
    role TEXT NOT NULL,
    department TEXT,
    is_active BIGINT NOT NULL DEFAULT 1,
    profile_image_url TEXT,
    -- Access tokens issued before this instant are dead (password change, deactivation).
    tokens_valid_after BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_login_at BIGINT,
    deleted_at BIGINT
);
CREATE UNIQUE INDEX users_email ON users (email) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX users_phone ON users (phone_number) WHERE deleted_at IS NULL AND phone_number IS NOT NULL;
CREATE INDEX users_org_role ON users (organization_id, role);
CREATE INDEX users_org_name ON users (organization_id, name);

-- A login starts a refresh family; each refresh rotates to a new token in it.
CREATE TABLE refresh_families (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX refresh_families_user ON refresh_families (user_id);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    family_id TEXT NOT NULL REFERENCES refresh_families (id),
    created_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

-- Access tokens revoked before their expiry (logout), by jti, kept until they expire.
CREATE TABLE revoked_tokens (
    jti TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);

CREATE TABLE audit_logs (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    user_id TEXT,
    action TEXT NOT NULL,
    resource TEXT NOT NULL,
    resource_id TEXT,
    metadata TEXT NOT NULL,
    ip_address TEXT,
    user_agent TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX audit_logs_org_created ON audit_logs (organization_id, created_at);
CREATE INDEX audit_logs_org_action ON audit_logs (organization_id, action, created_at);
