//! The level of assurance of an OpenID Connect login: the `acr` values a provider's
//! `acr_levels` map onto levels (by default the eIDAS URIs), the values a login asks for,
//! the level a returned `acr` gives, and what `check-config` says of a provider configured
//! as asserting its level by other means.

use crate::config::{Loa, OidcIdpConfig, Profile};
use std::collections::BTreeMap;

/// How an OIDC provider's `acr` values map onto levels: its `acr_levels`, by default the
/// eIDAS URIs.
pub fn acr_levels(config: &OidcIdpConfig) -> BTreeMap<String, Loa> {
    config.acr_levels.clone().unwrap_or_else(|| {
        [Loa::Low, Loa::Substantial, Loa::High]
            .into_iter()
            .map(|l| (super::saml::loa_uri(l, Profile::Eidas), l))
            .collect()
    })
}

/// The `acr` values a login asks for: the configured `acr_values`, else every mapped
/// value at or above the municipality's minimum.
pub fn acr_wanted(config: &OidcIdpConfig, min: Loa) -> Vec<String> {
    match &config.acr_values {
        Some(v) => v.split_whitespace().map(str::to_string).collect(),
        None => acr_levels(config)
            .into_iter()
            .filter(|(_, l)| *l >= min)
            .map(|(acr, _)| acr)
            .collect(),
    }
}

/// The level of an OIDC login: the returned `acr` as the provider's `acr_levels` map it.
/// A missing or unknown `acr` is no level, unless the provider is configured as asserting
/// its level otherwise (`loa_asserted_otherwise`): then rs-eid's `ial` claim gives it, or
/// the configured `loa`.
pub fn level_of_login(
    config: &OidcIdpConfig,
    claims: &BTreeMap<String, Vec<String>>,
) -> Option<Loa> {
    let first = |k: &str| claims.get(k).and_then(|v| v.first()).map(String::as_str);
    if let Some(level) = first("acr").and_then(|acr| acr_levels(config).get(acr).copied()) {
        return Some(level);
    }
    if !config.loa_asserted_otherwise {
        return None;
    }
    let ial = match first(&format!("{}ial", super::RS)) {
        Some("1") => Some(Loa::Low),
        Some("2") => Some(Loa::Substantial),
        Some("3") => Some(Loa::High),
        _ => None,
    };
    match config.profile {
        Profile::RsEid => Some(ial.unwrap_or(config.loa)),
        _ => Some(config.loa),
    }
}

/// What `check-config` says of the OpenID Connect providers: each one whose logins are
/// taken at a level it does not state in `acr`.
pub fn config_notes(identity: &crate::config::IdentityConfig) -> Vec<String> {
    identity
        .oidc
        .iter()
        .filter(|o| o.loa_asserted_otherwise)
        .map(|o| {
            let how = if o.profile == crate::config::Profile::RsEid {
                format!("its ial claim, else {:?}", o.loa.as_str())
            } else {
                format!("{:?}", o.loa.as_str())
            };
            format!(
                "identity provider {} is configured as asserting its level of assurance by other means than acr: a login without a known acr is taken at {how}",
                o.id
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_oidc_acr_gives_a_level_only_when_it_is_one() {
        use crate::config::{Loa, OidcIdpConfig};
        let config = |profile: &str, extra: &str| -> OidcIdpConfig {
            toml::from_str(&format!(
                "id = \"p\"\nname = \"p\"\nprofile = \"{profile}\"\nissuer = \"https://op.example\"\nclient_id = \"c\"\n{extra}"
            ))
            .expect("config")
        };
        let claims = |pairs: &[(&str, &str)]| -> BTreeMap<String, Vec<String>> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
                .collect()
        };
        let ial2 = format!("{}ial", crate::identity::RS);
        let eidas_low = [("acr", "http://eidas.europa.eu/LoA/low")];
        let rs = config("rs-eid", "loa = \"high\"");
        assert_eq!(level_of_login(&rs, &claims(&[])), None, "no acr, no level");
        assert_eq!(
            level_of_login(&rs, &claims(&[(&ial2, "3")])),
            None,
            "ial alone is not acr"
        );
        assert_eq!(level_of_login(&rs, &claims(&eidas_low)), Some(Loa::Low));
        assert_eq!(level_of_login(&rs, &claims(&[("acr", "gold")])), None);
        let generic = config("generic-oidc", "loa = \"substantial\"");
        assert_eq!(level_of_login(&generic, &claims(&[("acr", "1")])), None);
        assert_eq!(
            level_of_login(&generic, &claims(&eidas_low)),
            Some(Loa::Low)
        );
        let mapped = config(
            "generic-oidc",
            "acr_levels = { \"1\" = \"low\", \"2\" = \"high\" }",
        );
        assert_eq!(
            level_of_login(&mapped, &claims(&[("acr", "2")])),
            Some(Loa::High)
        );
        assert_eq!(
            level_of_login(&mapped, &claims(&eidas_low)),
            None,
            "the table replaces the eIDAS URIs"
        );
        assert_eq!(acr_wanted(&mapped, Loa::Substantial), vec!["2".to_string()]);
        let otherwise = config("rs-eid", "loa = \"low\"\nloa_asserted_otherwise = true");
        assert_eq!(level_of_login(&otherwise, &claims(&[])), Some(Loa::Low));
        assert_eq!(
            level_of_login(&otherwise, &claims(&[(&ial2, "2")])),
            Some(Loa::Substantial)
        );
        assert_eq!(
            level_of_login(&otherwise, &claims(&eidas_low)),
            Some(Loa::Low),
            "a known acr wins"
        );
    }
}
