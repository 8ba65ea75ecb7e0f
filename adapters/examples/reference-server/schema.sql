-- The tables the reference server reads: a municipality's persons, fees and filing
-- records, as a small agenda system might keep them (PostgreSQL 11 or later).
--
--     createdb lhota && psql -v ON_ERROR_STOP=1 -d lhota -f schema.sql
--
-- Your own system has other tables: keep yours and change the queries in server.py, or
-- build views with these names and columns over yours. What the server needs is here:
-- persons and their identifiers (registry matching), fees with instalments and payments
-- (receivables), filing records (submissions), and a change log that triggers fill, so
-- that hlidac can ask "what changed since …" instead of reading everyone.

-- The registry: who a person is, and how an eID login names them.
CREATE TABLE persons (
    person_ref text PRIMARY KEY            -- the reference hlidac knows a citizen by
);

CREATE TABLE person_identifiers (
    scheme        text NOT NULL CHECK (scheme IN ('cz-nia', 'eidas', 'bg-egn', 'rs-umcn', 'oidc')),
    identifier    text NOT NULL,           -- e.g. the NIA's PersonIdentifier CZ/CZ/…
    person_ref    text NOT NULL REFERENCES persons,
    given_name    text,
    family_name   text,
    date_of_birth date,
    PRIMARY KEY (scheme, identifier)
);

CREATE TABLE documents (
    id            bigserial PRIMARY KEY,
    person_ref    text NOT NULL REFERENCES persons,
    kind          text NOT NULL,           -- id_card, passport
    number_masked text,                    -- never the whole number: ****4321
    valid_until   date NOT NULL
);

-- A record's version: a number from one sequence, so that a record deleted and entered
-- again never repeats a version hlidac has seen.
CREATE SEQUENCE record_versions;

-- Fees and local taxes. Money is numeric(12,2), never a float.
CREATE TABLE fees (
    key             text PRIMARY KEY,      -- the receivable's key; never shown to a citizen
    person_ref      text NOT NULL REFERENCES persons,  -- fixed: re-issue under a new key instead
    kind            text NOT NULL,         -- waste_fee, dog_fee, … or the town's own word
    title           text NOT NULL,
    period          text,
    currency        text NOT NULL DEFAULT 'CZK',
    amount_due      numeric(12,2) NOT NULL CHECK (amount_due >= 0),
    due_date        date,                  -- for a fee without instalments
    -- How to pay, in the country's terms; leave what does not apply NULL.
    account         text,                  -- CZ 19-1234567/0100, RS 840-742351843-94
    iban            text,
    bic             text,
    variable_symbol text,
    constant_symbol text,
    specific_symbol text,
    model           text,                  -- RS: 97
    reference       text,                  -- RS poziv na broj, BG основание за плащане
    code            text,                  -- RS šifra plaćanja, BG код за вид плащане
    -- Set by hand when the fee is out of the normal course; NULL: the server computes
    -- open, partially_paid, paid or overdue from the payments and dates.
    status          text CHECK (status IN ('in_enforcement', 'written_off', 'disputed')),
    cancelled       boolean NOT NULL DEFAULT false,  -- cancelled by a decision (a tombstone)
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         bigint NOT NULL DEFAULT nextval('record_versions')  -- new at every change
);
CREATE INDEX fees_person ON fees (person_ref);

CREATE TABLE instalments (
    fee_key  text NOT NULL REFERENCES fees ON DELETE CASCADE,
    no       integer NOT NULL CHECK (no >= 1),
    due_date date NOT NULL,
    amount   numeric(12,2) NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (fee_key, no)
);

-- An instalment is paid when the payments booked to it cover its amount; the fee is paid
-- when all its payments cover amount_due.
CREATE TABLE payments (
    id            bigserial PRIMARY KEY,
    fee_key       text NOT NULL REFERENCES fees ON DELETE CASCADE,
    instalment_no integer,                 -- NULL for a fee without instalments
    amount        numeric(12,2) NOT NULL,
    paid_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_fee ON payments (fee_key);

-- The filing office: what citizens submitted and where it stands.
CREATE TABLE filing_records (
    key                text PRIMARY KEY,
    person_ref         text NOT NULL REFERENCES persons,
    filing_number      text,               -- číslo jednací: what the citizen knows
    case_number        text,               -- spisová značka
    registration_index text,               -- BG регистрационен индекс
    matter             text NOT NULL,
    status             text NOT NULL CHECK (status IN ('received', 'assigned', 'in_progress',
                           'waiting_for_citizen', 'forwarded', 'resolved', 'closed',
                           'cancelled', 'reopened')),
    status_native      text,               -- the system's own word, e.g. NSESSS nevyrizen
    assigned_to        text,
    received_at        timestamptz,
    deadline           date,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    version            bigint NOT NULL DEFAULT nextval('record_versions')
);
CREATE INDEX filing_records_person ON filing_records (person_ref);

-- The change feed: one line per change of a fee (with its instalments and payments) or
-- of a filing record, written by the triggers below. seq is the feed's cursor.
CREATE TABLE change_log (
    seq        bigserial PRIMARY KEY,
    kind       text NOT NULL CHECK (kind IN ('receivable', 'submission')),
    key        text NOT NULL,
    person_ref text NOT NULL,
    deleted    boolean NOT NULL DEFAULT false,  -- the row was deleted: its tombstone
    version    bigint NOT NULL,
    logged_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX change_log_key ON change_log (kind, key);
CREATE INDEX change_log_person ON change_log (kind, person_ref);

-- Every update makes a new version.
CREATE FUNCTION next_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.person_ref <> OLD.person_ref THEN
        RAISE EXCEPTION '% keeps its person; delete it and issue a new one', OLD.key;
    END IF;
    NEW.version := nextval('record_versions');
    NEW.updated_at := now();
    RETURN NEW;
END $$;

-- Every insert, update and delete is logged; a delete with a version of its own.
CREATE FUNCTION log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO change_log (kind, key, person_ref, deleted, version)
        VALUES (TG_ARGV[0], OLD.key, OLD.person_ref, true, nextval('record_versions'));
    ELSE
        INSERT INTO change_log (kind, key, person_ref, version)
        VALUES (TG_ARGV[0], NEW.key, NEW.person_ref, NEW.version);
    END IF;
    RETURN NULL;
END $$;

-- A change to an instalment or a payment is a change of its fee: touch the fee, whose
-- own triggers give it a new version and log it.
CREATE FUNCTION touch_fee() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        UPDATE fees SET updated_at = now() WHERE key = NEW.fee_key;
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.fee_key <> NEW.fee_key) THEN
        UPDATE fees SET updated_at = now() WHERE key = OLD.fee_key;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER fees_version BEFORE UPDATE ON fees
    FOR EACH ROW EXECUTE FUNCTION next_version();
CREATE TRIGGER fees_log AFTER INSERT OR UPDATE OR DELETE ON fees
    FOR EACH ROW EXECUTE FUNCTION log_change('receivable');
CREATE TRIGGER instalments_touch AFTER INSERT OR UPDATE OR DELETE ON instalments
    FOR EACH ROW EXECUTE FUNCTION touch_fee();
CREATE TRIGGER payments_touch AFTER INSERT OR UPDATE OR DELETE ON payments
    FOR EACH ROW EXECUTE FUNCTION touch_fee();
CREATE TRIGGER filing_records_version BEFORE UPDATE ON filing_records
    FOR EACH ROW EXECUTE FUNCTION next_version();
CREATE TRIGGER filing_records_log AFTER INSERT OR UPDATE OR DELETE ON filing_records
    FOR EACH ROW EXECUTE FUNCTION log_change('submission');

-- Run daily (cron, pg_cron): forgets changes older than `keep`, always keeping the newest
-- line so that the log knows where it stands. A cursor from before what is kept is
-- answered 410 Gone, and hlidac then reads everyone's lists once.
CREATE FUNCTION prune_change_log(keep interval) RETURNS void LANGUAGE sql AS $$
    DELETE FROM change_log
    WHERE logged_at < now() - keep AND seq < (SELECT max(seq) FROM change_log);
$$;
