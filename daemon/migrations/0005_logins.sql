-- Logins by identity provider and outcome, for the report and metrics. No subject and no
-- personal data: only when, which tenant, which IdP, and how it ended.
CREATE TABLE logins (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    idp        TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX logins_tenant_at ON logins (tenant_id, at);
