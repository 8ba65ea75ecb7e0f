//! eID logins at rest: pending login flows (single use), the assertion replay cache,
//! sessions, and the documents the registry reported at the last login. Keys are hashes
//! of random values; anything that must be read back is sealed by the caller.

use super::{args, new_id, run_in, Result, Store};
use crate::crypto::SealedContact;
use sqlx::Row;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FlowRow {
    pub tenant_id: String,
    pub idp: String,
    pub request_id: String,
    pub pending_enc: Option<String>,
    pub expires_at: i64,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionRow {
    pub tenant_id: String,
    pub citizen_id: String,
    pub idp: String,
    pub loa: String,
    pub profile_enc: String,
    pub created_at: i64,
}

/// A session to open. Hashes and sealed values only.
pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub tenant: &'a str,
    pub citizen_id: &'a str,
    pub idp: &'a str,
    pub loa: &'a str,
    pub profile_enc: &'a str,
    /// Keyed hash of (IdP, NameID) for IdP-initiated logout; SAML only.
    pub name_id_hash: Option<&'a str>,
    pub now: i64,
    pub expires_at: i64,
}

/// A document as the registry reported it, ready to store.
pub struct DocumentIn {
    pub doc_key: String,
    pub kind: String,
    pub number_enc: Option<String>,
    pub valid_until: String,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DocumentRow {
    pub citizen_id: String,
    pub person_hash: String,
    pub doc_key: String,
    pub kind: String,
    pub number_enc: Option<String>,
    pub valid_until: String,
    pub first_seen_at: i64,
}

/// What linking writes for a citizen who logged in.
pub struct LinkIn<'a> {
    pub tenant: &'a str,
    pub person_hash: &'a str,
    pub person_ref_enc: &'a str,
    pub subject_hash: &'a str,
    pub locale: &'a str,
    /// Contacts the IdP released, sealed and hashed; stored unverified: nothing is sent to them until the citizen confirms them.
    pub contacts: Vec<SealedContact>,
    pub documents: Vec<DocumentIn>,
}

impl Store {
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_flow(
        &self,
        id_hash: &str,
        tenant: &str,
        idp: &str,
        request_id: &str,
        pending_enc: Option<&str>,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        self.run(
            "INSERT INTO login_flows (id_hash, tenant_id, idp, request_id, pending_enc, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            args![
                id_hash,
                tenant,
                idp,
                request_id,
                pending_enc.map(str::to_string),
                now,
                expires_at,
            ],
        )
        .await?;
        Ok(())
    }

    /// Takes the pending flow that `request_id` answers: it is gone afterwards whatever
    /// the outcome, so a request id answers at most one response. An expired flow is
    /// taken and not returned.
    pub async fn take_flow(
        &self,
        id_hash: &str,
        request_id: &str,
        now: i64,
    ) -> Result<Option<FlowRow>> {
        let flow: Option<FlowRow> = self
            .optional(
                "DELETE FROM login_flows WHERE id_hash = $1 AND request_id = $2
                 RETURNING tenant_id, idp, request_id, pending_enc, expires_at",
                args![id_hash, request_id],
            )
            .await?;
        Ok(flow.filter(|f| f.expires_at > now))
    }

    /// (tenant, IdP) of a live pending flow, left in place.
    pub async fn pending_flow(&self, id_hash: &str, now: i64) -> Result<Option<(String, String)>> {
        self.optional(
            "SELECT tenant_id, idp FROM login_flows WHERE id_hash = $1 AND expires_at > $2",
            args![id_hash, now],
        )
        .await
    }

    pub async fn assertion_seen(&self, assertion_hash: &str, now: i64) -> Result<bool> {
        self.optional::<()>(
            "SELECT 1 AS one FROM saml_replay WHERE assertion_hash = $1 AND expires_at > $2",
            args![assertion_hash, now],
        )
        .await
        .map(|seen| seen.is_some())
    }

    /// Records an assertion id until `expires_at`; false when it was already there.
    pub async fn remember_assertion(&self, assertion_hash: &str, expires_at: i64) -> Result<bool> {
        self.run(
            "INSERT INTO saml_replay (assertion_hash, expires_at) VALUES ($1, $2)
             ON CONFLICT (assertion_hash) DO NOTHING",
            args![assertion_hash, expires_at],
        )
        .await
        .map(|inserted| inserted == 1)
    }

    /// Links a login to a registry person: the citizen is found or enrolled by person hash,
    /// the subject hash, released contacts (unverified) and documents are brought up to
    /// date, all in one transaction. Returns the citizen id.
    pub async fn link_citizen(&self, link: &LinkIn<'_>, now: i64) -> Result<String> {
        let mut tx = self.pool.begin().await?;
        // Two first logins of one person at once: one insert wins, both then read it.
        run_in(
            &mut tx,
            "INSERT INTO citizens (id, tenant_id, person_hash, person_ref_enc, subject_hash, locale, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (tenant_id, person_hash) DO NOTHING",
            args![new_id(), link.tenant, link.person_hash, link.person_ref_enc, link.subject_hash, link.locale, now],
        )
        .await?;
        let id: String =
            sqlx::query("SELECT id FROM citizens WHERE tenant_id = $1 AND person_hash = $2")
                .bind(link.tenant)
                .bind(link.person_hash)
                .fetch_one(&mut *tx)
                .await?
                .try_get("id")?;
        run_in(
            &mut tx,
            "UPDATE citizens SET subject_hash = $1 WHERE id = $2",
            args![link.subject_hash, &id],
        )
        .await?;
        for contact in &link.contacts {
            super::people::insert_contact(&mut tx, &id, contact, None, now).await?;
        }
        // The registry answered for this person, so its list is the whole list.
        let keys: Vec<&str> = link.documents.iter().map(|d| d.doc_key.as_str()).collect();
        let stored = sqlx::query("SELECT doc_key FROM documents WHERE citizen_id = $1")
            .bind(&id)
            .fetch_all(&mut *tx)
            .await?;
        for row in stored {
            let key: String = row.try_get("doc_key")?;
            if !keys.contains(&key.as_str()) {
                run_in(
                    &mut tx,
                    "DELETE FROM documents WHERE citizen_id = $1 AND doc_key = $2",
                    args![&id, &key],
                )
                .await?;
            }
        }
        for d in &link.documents {
            run_in(
                &mut tx,
                "INSERT INTO documents (citizen_id, doc_key, kind, number_enc, valid_until, first_seen_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6)
                 ON CONFLICT (citizen_id, doc_key) DO UPDATE
                 SET kind = excluded.kind, number_enc = excluded.number_enc,
                     valid_until = excluded.valid_until, updated_at = excluded.updated_at",
                args![&id, &d.doc_key, &d.kind, d.number_enc.clone(), &d.valid_until, now],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Documents of a tenant's citizens valid until a day in `[from, to]` (YYYY-MM-DD).
    pub async fn documents_expiring(
        &self,
        tenant: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<DocumentRow>> {
        self.all(
            "SELECT d.citizen_id, c.person_hash, d.doc_key, d.kind, d.number_enc, d.valid_until, d.first_seen_at
             FROM documents d JOIN citizens c ON c.id = d.citizen_id
             WHERE c.tenant_id = $1 AND d.valid_until >= $2 AND d.valid_until <= $3",
            args![tenant, from, to],
        )
        .await
    }

    pub async fn citizen_documents(&self, citizen_id: &str) -> Result<Vec<DocumentRow>> {
        self.all(
            "SELECT d.citizen_id, c.person_hash, d.doc_key, d.kind, d.number_enc, d.valid_until, d.first_seen_at
             FROM documents d JOIN citizens c ON c.id = d.citizen_id
             WHERE d.citizen_id = $1 ORDER BY d.valid_until",
            args![citizen_id],
        )
        .await
    }

    pub async fn create_session(&self, s: &NewSession<'_>) -> Result<()> {
        self.run(
            "INSERT INTO sessions (id_hash, tenant_id, citizen_id, idp, loa, profile_enc, name_id_hash, created_at, last_seen_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)",
            args![
                s.id_hash,
                s.tenant,
                s.citizen_id,
                s.idp,
                s.loa,
                s.profile_enc,
                s.name_id_hash,
                s.now,
                s.expires_at,
            ],
        )
        .await?;
        Ok(())
    }

    /// Ends every session of one IdP login (the IdP logged the citizen out) and remembers
    /// its LogoutRequest (`request_hash`, until `expires_at`), in one transaction; returns
    /// how many sessions there were, or None when the request was seen before.
    pub async fn end_sessions_of_login(
        &self,
        idp: &str,
        name_id_hash: &str,
        request_hash: &str,
        expires_at: i64,
    ) -> Result<Option<u64>> {
        let mut tx = self.pool.begin().await?;
        let fresh = run_in(
            &mut tx,
            "INSERT INTO saml_replay (assertion_hash, expires_at) VALUES ($1, $2)
             ON CONFLICT (assertion_hash) DO NOTHING",
            args![request_hash, expires_at],
        )
        .await?;
        if fresh == 0 {
            return Ok(None);
        }
        let ended = run_in(
            &mut tx,
            "DELETE FROM sessions WHERE idp = $1 AND name_id_hash = $2",
            args![idp, name_id_hash],
        )
        .await?;
        tx.commit().await?;
        Ok(Some(ended))
    }

    /// A live session (not past its absolute end, used within `idle_ms`), touched.
    pub async fn session(
        &self,
        id_hash: &str,
        now: i64,
        idle_ms: i64,
    ) -> Result<Option<SessionRow>> {
        let touched = self
            .run(
                "UPDATE sessions SET last_seen_at = $2
                 WHERE id_hash = $1 AND expires_at > $2 AND last_seen_at > $3",
                args![id_hash, now, now - idle_ms],
            )
            .await?;
        if touched == 0 {
            return Ok(None);
        }
        self.optional(
            "SELECT tenant_id, citizen_id, idp, loa, profile_enc, created_at FROM sessions WHERE id_hash = $1",
            args![id_hash],
        )
        .await
    }

    /// Ends a session; returns it (for single logout) when it existed.
    pub async fn end_session(&self, id_hash: &str) -> Result<Option<SessionRow>> {
        self.optional(
            "DELETE FROM sessions WHERE id_hash = $1
             RETURNING tenant_id, citizen_id, idp, loa, profile_enc, created_at",
            args![id_hash],
        )
        .await
    }

    pub async fn session_count(&self) -> Result<i64> {
        self.value("SELECT COUNT(*) AS n FROM sessions", args![])
            .await
    }

    /// Forgets flows, sessions and replay entries past their end.
    pub async fn purge_identity(&self, now: i64, idle_ms: i64) -> Result<()> {
        self.run("DELETE FROM login_flows WHERE expires_at <= $1", args![now])
            .await?;
        self.run("DELETE FROM saml_replay WHERE expires_at <= $1", args![now])
            .await?;
        self.run(
            "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2",
            args![now, now - idle_ms],
        )
        .await?;
        Ok(())
    }
}
