//! Sessions after login: the current one behind a cookie, logging out (with SAML single
//! logout where the IdP offers it), and logout started by the identity provider.

use super::login::{Failure, Identity, SessionProfile};

impl Identity {
    /// A LogoutRequest from an IdP: verified, not replayed; the sessions of that NameID
    /// at that IdP end. Returns where to send the browser with the signed LogoutResponse
    /// (None when the IdP names no single logout endpoint to answer at).
    pub async fn idp_logout(&self, raw_query: &str) -> Result<Option<String>, Failure> {
        let now = self.clock.now_ms();
        let sp = self.logins.sp.as_ref().ok_or(Failure::Unknown)?;
        let idps = self.logins.saml(now);
        let request = sp.check_logout_request(&idps, raw_query, now)?;
        let key = self.crypto.hash(
            "logout_request",
            &format!("{}\0{}", request.idp, request.id),
        );
        let idp = idps
            .iter()
            .find(|i| i.config.id == request.idp)
            .ok_or(Failure::Unknown)?;
        let answer = sp
            .logout_response(idp, &request.id, request.relay_state.as_deref(), now)
            .ok();
        let ended = self
            .store
            .end_sessions_of_login(
                &request.idp,
                &self.name_id_hash(&request.idp, &request.name_id),
                &key,
                request.valid_until_ms,
            )
            .await?
            .ok_or_else(|| Failure::Refused("replayed LogoutRequest".into()))?;
        tracing::info!(idp = %request.idp, sessions = ended, "the identity provider logged the citizen out");
        Ok(answer)
    }

    /// The live session behind a cookie, with its sealed profile opened.
    pub async fn current_session(
        &self,
        cookie: &str,
    ) -> Option<(crate::store::SessionRow, SessionProfile)> {
        let now = self.clock.now_ms();
        let idle = self.config.identity.session_idle_secs as i64 * 1000;
        let row = self
            .store
            .session(&self.session_hash(cookie), now, idle)
            .await
            .ok()??;
        let profile = self
            .crypto
            .open(&row.profile_enc)
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default();
        Some((row, profile))
    }

    /// Ends the session at once, without single logout (the citizen's record is gone).
    pub async fn end_session(&self, cookie: &str) {
        let _ = self.store.end_session(&self.session_hash(cookie)).await;
    }

    /// Ends the session; returns where to send the browser for single logout, if the IdP
    /// offers it.
    pub async fn logout(&self, cookie: &str) -> Option<String> {
        let row = self
            .store
            .end_session(&self.session_hash(cookie))
            .await
            .ok()??;
        let profile: SessionProfile = self
            .crypto
            .open(&row.profile_enc)
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok())?;
        let idp = self.logins.saml_idp(&row.idp, self.clock.now_ms())?;
        let sp = self.logins.sp.as_ref()?;
        let (_, url) = sp
            .logout_request(
                &idp,
                profile.name_id.as_deref()?,
                profile.name_id_format.as_deref(),
                profile.session_index.as_deref(),
                &row.tenant_id,
                self.clock.now_ms(),
            )
            .ok()?;
        Some(url)
    }
}
