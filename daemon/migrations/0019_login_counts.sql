-- Logins counted by the minute: one row per tenant, IdP, outcome and minute, whose count
-- grows. Attempts refused for their rate are counted too, so a flood of them adds to a
-- count instead of adding a row each (the IdP and tenant are configured names or "-").
CREATE TABLE login_counts (
    tenant_id  TEXT NOT NULL,
    idp        TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    -- The minute's start, in milliseconds.
    at         BIGINT NOT NULL,
    n          BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, idp, outcome, at)
);
INSERT INTO login_counts (tenant_id, idp, outcome, at, n)
    SELECT tenant_id, idp, outcome, (at / 60000) * 60000, COUNT(*) FROM logins
    GROUP BY tenant_id, idp, outcome, (at / 60000) * 60000;
DROP TABLE logins;
