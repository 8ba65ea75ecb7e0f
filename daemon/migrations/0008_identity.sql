-- eID login. Nothing here identifies a person in clear: flows, sessions and the replay
-- cache are keyed by hashes of random values or assertion ids; what must be read back
-- (the OIDC verifier, a session's display name and logout data, document numbers) is
-- AES-GCM sealed.

-- A login started and not yet returned: single-use, bound to the browser's flow cookie.
CREATE TABLE login_flows (
    id_hash     TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    idp         TEXT NOT NULL,
    request_id  TEXT NOT NULL,
    pending_enc TEXT,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX login_flows_expires ON login_flows (expires_at);

-- Assertion ids seen, kept until the assertion could no longer be accepted anyway.
CREATE TABLE saml_replay (
    assertion_hash TEXT PRIMARY KEY,
    expires_at     BIGINT NOT NULL
);
CREATE INDEX saml_replay_expires ON saml_replay (expires_at);

CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    citizen_id   TEXT NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
    idp          TEXT NOT NULL,
    loa          TEXT NOT NULL,
    profile_enc  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_citizen ON sessions (citizen_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- The citizen's documents as the registry reported them at the last login.
CREATE TABLE documents (
    citizen_id    TEXT NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
    doc_key       TEXT NOT NULL,
    kind          TEXT NOT NULL,
    number_enc    TEXT,
    valid_until   TEXT NOT NULL,
    first_seen_at BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (citizen_id, doc_key)
);
CREATE INDEX documents_valid_until ON documents (valid_until);
