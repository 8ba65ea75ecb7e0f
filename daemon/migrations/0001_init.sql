-- hlidac schema, ENGINE. Times are Unix milliseconds (BIGINT); identifiers of persons are
-- keyed hashes (HMAC-SHA-256, hex) and anything that must be read back is AES-GCM sealed.
CREATE TABLE tenants (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE citizens (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    person_hash     TEXT NOT NULL,
    person_ref_enc  TEXT NOT NULL,
    subject_hash    TEXT,
    locale          TEXT,
    created_at      BIGINT NOT NULL,
    UNIQUE (tenant_id, person_hash)
);

CREATE TABLE contacts (
    id           TEXT PRIMARY KEY,
    citizen_id   TEXT NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
    channel      TEXT NOT NULL,
    address_enc  TEXT NOT NULL,
    address_hash TEXT NOT NULL,
    verified_at  BIGINT,
    created_at   BIGINT NOT NULL,
    UNIQUE (citizen_id, channel, address_hash)
);

CREATE TABLE subscriptions (
    citizen_id  TEXT NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
    topic       TEXT NOT NULL,
    channel     TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (citizen_id, topic, channel)
);

CREATE TABLE sources (
    tenant_id             TEXT NOT NULL,
    source_id             TEXT NOT NULL,
    state                 TEXT NOT NULL,
    consecutive_failures  BIGINT NOT NULL DEFAULT 0,
    total_failures        BIGINT NOT NULL DEFAULT 0,
    total_polls           BIGINT NOT NULL DEFAULT 0,
    last_poll_at          BIGINT,
    last_success_at       BIGINT,
    last_error            TEXT,
    record_count          BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, source_id)
);

CREATE TABLE observations (
    tenant_id      TEXT NOT NULL,
    source_id      TEXT NOT NULL,
    kind           TEXT NOT NULL,
    record_key     TEXT NOT NULL,
    person_hash    TEXT NOT NULL,
    content_hash   TEXT NOT NULL,
    version        TEXT,
    status         TEXT NOT NULL,
    data           TEXT NOT NULL,
    first_seen_at  BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, source_id, kind, record_key)
);
CREATE INDEX observations_person ON observations (tenant_id, person_hash);
CREATE INDEX observations_status ON observations (tenant_id, kind, status);

CREATE TABLE events (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    source_id    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    record_key   TEXT NOT NULL,
    person_hash  TEXT NOT NULL,
    payload      TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);

CREATE TABLE outbox (
    id               TEXT PRIMARY KEY,
    dedupe_key       TEXT NOT NULL UNIQUE,
    event_id         TEXT NOT NULL REFERENCES events(id),
    tenant_id        TEXT NOT NULL,
    citizen_id       TEXT NOT NULL,
    channel          TEXT NOT NULL,
    kind             TEXT NOT NULL,
    state            TEXT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    lease_until      BIGINT,
    expires_at       BIGINT,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    sent_at          BIGINT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_citizen ON outbox (citizen_id);

CREATE TABLE delivery_attempts (
    id           TEXT PRIMARY KEY,
    outbox_id    TEXT NOT NULL REFERENCES outbox(id),
    attempt      BIGINT NOT NULL,
    started_at   BIGINT NOT NULL,
    finished_at  BIGINT NOT NULL,
    outcome      TEXT NOT NULL,
    detail       TEXT
);
CREATE INDEX delivery_attempts_outbox ON delivery_attempts (outbox_id);
