//! The checks of `[identity]` and each identity provider: ids, keys and certificates,
//! algorithms, endpoints, and the SAML metadata as far as it can be read at load time.

use super::checks::Checks;
use super::load::{valid_id, Errors};
use super::validate::check_readable;
use super::*;

/// An identity provider's id names it in URLs and logs: valid and unique over SAML and OIDC.
pub(super) fn check_idp_id(
    id: &str,
    path: &str,
    seen: &mut std::collections::HashSet<String>,
    errs: &mut Errors,
) {
    if !valid_id(id) || !seen.insert(id.to_string()) {
        errs.push(
            format!("{path}.id"),
            format!("{id:?} is not a valid, unique id"),
            None,
        );
    }
}

/// eID login: the SP key and certificate, and each identity provider's trust anchors.
pub(super) fn validate_identity(c: &Config, errs: &mut Errors, checks: &dyn Checks) {
    let id = &c.identity;
    let mut ids = std::collections::HashSet::new();
    for (i, idp) in id.saml.iter().enumerate() {
        let p = format!("identity.saml[{i}]");
        check_idp_id(&idp.id, &p, &mut ids, errs);
        if !matches!(
            idp.profile,
            crate::config::Profile::CzNia
                | crate::config::Profile::Eidas
                | crate::config::Profile::BgEauth
        ) {
            errs.push(
                format!("{p}.profile"),
                "is not a SAML profile",
                Some("use cz-nia, eidas or bg-eauth"),
            );
        }
        if idp.signing_cert_files.is_empty() && !idp.has_metadata() {
            errs.push(
                format!("{p}.signing_cert_files"),
                "the identity provider has no signing certificate: without one, a forged response could not be told from a real one",
                Some("list the IdP's signing certificate (PEM), or give its metadata_file or metadata_url"),
            );
        }
        let mut certs_ok = true;
        for (field, files) in [
            ("signing_cert_files", &idp.signing_cert_files),
            (
                "metadata_signing_cert_files",
                &idp.metadata_signing_cert_files,
            ),
        ] {
            for (j, f) in files.iter().enumerate() {
                let key = format!("{p}.{field}[{j}]");
                match std::fs::read(f) {
                    Ok(pem) => {
                        if let Err(e) = checks.certificates(&pem) {
                            errs.push(key, format!("{}: {e}", f.display()), None);
                            certs_ok = false;
                        }
                    }
                    Err(e) => {
                        errs.push(key, format!("cannot read {}: {e}", f.display()), None);
                        certs_ok = false;
                    }
                }
            }
        }
        validate_idp_metadata(idp, &p, certs_ok, errs, checks);
        if idp.sp_type != id.saml[0].sp_type {
            errs.push(
                format!("{p}.sp_type"),
                "differs from identity.saml[0].sp_type: the SP's metadata states one SPType",
                None,
            );
        }
        if !matches!(idp.sp_type.as_str(), "public" | "private") {
            errs.push(
                format!("{p}.sp_type"),
                "must be \"public\" or \"private\"",
                None,
            );
        }
        for (key, u) in [
            ("sso_url", idp.sso_url.as_ref()),
            ("slo_url", idp.slo_url.as_ref()),
        ] {
            if let Some(u) = u {
                if url::Url::parse(u).is_err() {
                    errs.push(format!("{p}.{key}"), format!("{u:?} is not a URL"), None);
                }
            }
        }
        if idp.profile == crate::config::Profile::BgEauth
            && (idp.eauth_service.is_none() || idp.eauth_provider.is_none())
        {
            errs.push(
                format!("{p}.eauth_service"),
                "bg-eauth needs eauth_service and eauth_provider (the RequestedService codes)",
                None,
            );
        }
    }
    if !id.saml.is_empty() {
        for (key, f) in [
            ("identity.key_file", &id.key_file),
            ("identity.cert_file", &id.cert_file),
        ] {
            match f {
                None => errs.push(key, "SAML login needs the SP's key and certificate", Some("make them with `openssl req -x509 -newkey rsa:3072 -nodes -keyout sp.key -out sp.crt -days 1095 -subj /CN=hlidac`")),
                Some(f) => check_readable(f, key, errs),
            }
        }
        if let (Some(k), Some(cert)) = (&id.key_file, &id.cert_file) {
            if let Err(e) = checks.sp_keys(k, cert) {
                errs.push("identity.key_file", e, None);
            }
        }
    }
    for (i, idp) in id.oidc.iter().enumerate() {
        let p = format!("identity.oidc[{i}]");
        check_idp_id(&idp.id, &p, &mut ids, errs);
        if !matches!(
            idp.profile,
            crate::config::Profile::RsEid | crate::config::Profile::GenericOidc
        ) {
            errs.push(
                format!("{p}.profile"),
                "is not an OpenID Connect profile",
                Some("use rs-eid or generic-oidc"),
            );
        }
        if url::Url::parse(&idp.issuer).is_err() {
            errs.push(
                format!("{p}.issuer"),
                format!("{:?} is not a URL", idp.issuer),
                None,
            );
        }
        if let Some(f) = &idp.client_secret_file {
            check_readable(f, &format!("{p}.client_secret_file"), errs);
        }
        if !idp.scopes.iter().any(|s| s == "openid") {
            errs.push(format!("{p}.scopes"), "must include \"openid\"", None);
        }
        if idp.jwks_refresh_secs < 60 {
            errs.push(
                format!("{p}.jwks_refresh_secs"),
                "must be at least 60",
                None,
            );
        }
        if idp.acr_levels.as_ref().is_some_and(|m| m.is_empty()) {
            errs.push(
                format!("{p}.acr_levels"),
                "maps no acr value: every login would have no level",
                Some("name the provider's acr values and their levels, or leave acr_levels out for the eIDAS URIs"),
            );
        }
        if idp
            .acr_values
            .as_deref()
            .is_some_and(|v| v.trim().is_empty())
        {
            errs.push(format!("{p}.acr_values"), "is empty", None);
        }
        if idp.encrypted_id_token {
            match idp.decryption_key_file.as_ref().or(id.key_file.as_ref()) {
                None => errs.push(
                    format!("{p}.decryption_key_file"),
                    "encrypted ID tokens need the RSA key they are encrypted to",
                    Some("set decryption_key_file, or identity.key_file"),
                ),
                Some(f) => {
                    let key = std::fs::read(f)
                        .map_err(|e| format!("{}: {e}", f.display()))
                        .and_then(|pem| {
                            openssl::pkey::PKey::private_key_from_pem(&pem)
                                .map_err(|_| format!("{} is not a PEM private key", f.display()))
                        });
                    match key.map(|k| k.rsa().map(|r| r.size() * 8)) {
                        Ok(Ok(bits)) if bits >= 2048 => {}
                        Ok(Ok(bits)) => errs.push(
                            format!("{p}.decryption_key_file"),
                            format!(
                                "{} is an RSA key of {bits} bits; at least 2048 are needed",
                                f.display()
                            ),
                            None,
                        ),
                        Ok(Err(_)) => errs.push(
                            format!("{p}.decryption_key_file"),
                            format!("{} is not an RSA key", f.display()),
                            None,
                        ),
                        Err(e) => errs.push(format!("{p}.decryption_key_file"), e, None),
                    }
                }
            }
        }
        for a in &idp.algorithms {
            if !checks.oidc_algorithm(a) {
                errs.push(
                    format!("{p}.algorithms"),
                    format!("{a:?} is not accepted"),
                    Some("asymmetric algorithms only: RS256/384/512, PS256/384/512, ES256/384"),
                );
            }
        }
    }
    if id.session_idle_secs == 0 || id.session_max_secs < id.session_idle_secs {
        errs.push(
            "identity.session_max_secs",
            "must be at least session_idle_secs, which must not be 0",
            None,
        );
    }
}

/// An IdP's metadata settings; a metadata file is read and checked as the daemon will.
pub(super) fn validate_idp_metadata(
    idp: &crate::config::SamlIdpConfig,
    p: &str,
    certs_ok: bool,
    errs: &mut Errors,
    checks: &dyn Checks,
) {
    if idp.metadata_file.is_some() && idp.metadata_url.is_some() {
        errs.push(
            format!("{p}.metadata_url"),
            "give metadata_file or metadata_url, not both",
            None,
        );
    }
    if !idp.has_metadata() && idp.sso_url.is_none() {
        errs.push(
            format!("{p}.sso_url"),
            "is needed when the identity provider has no metadata",
            None,
        );
    }
    if idp.metadata_refresh_secs < 60 {
        errs.push(
            format!("{p}.metadata_refresh_secs"),
            "must be at least 60",
            None,
        );
    }
    if let Some(u) = &idp.metadata_url {
        if let Err(e) = checks.oidc_endpoint(u) {
            errs.push(
                format!("{p}.metadata_url"),
                e,
                Some("metadata comes over https (http only on loopback)"),
            );
        }
        if idp.metadata_signing_cert_files.is_empty() {
            errs.push(
                format!("{p}.metadata_signing_cert_files"),
                "metadata fetched over the network must be signed: without a certificate to check it, whoever could change it on the way would choose the keys hlidac trusts",
                Some("list the certificate (PEM) the federation or the IdP signs its metadata with"),
            );
        }
    }
    if let (Some(f), true) = (&idp.metadata_file, certs_ok) {
        let key = format!("{p}.metadata_file");
        match std::fs::read_to_string(f) {
            Ok(text) => {
                // Its validUntil is judged when it is used: an expiring file takes only
                // its IdP out of use, not the whole daemon.
                if let Err(e) = checks.saml_metadata(idp, &text) {
                    errs.push(key, format!("{}: {e}", f.display()), None);
                }
            }
            Err(e) => errs.push(key, format!("cannot read {}: {e}", f.display()), None),
        }
    }
}
