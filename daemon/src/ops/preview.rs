//! `hlidac preview --tenant T --at DATE [--source S] [--person REF]`: the alerts that
//! would go out on a day, each with its kind, channel, masked recipient and rendered text,
//! for a municipality trying a service on its own data and for support staff asking why a
//! reminder did (not) come. The sources are read; nothing is stored or sent.

use crate::watch::preview::{preview_events, PreviewScope};
use crate::watch::Watch;
use std::fmt::Write as _;

/// The preview as printed: one block per alert, then a closing line. It reads the sources
/// through the watch service and renders with its dispatch service's templates.
pub async fn preview(
    watch: &Watch,
    tenant_id: &str,
    scope: &PreviewScope<'_>,
) -> anyhow::Result<String> {
    let tenant = watch
        .config
        .tenant(tenant_id)
        .ok_or_else(|| anyhow::anyhow!("no tenant {tenant_id:?} in the config"))?;
    if let Some(s) = scope.source {
        anyhow::ensure!(tenant.source(s).is_some(), "no source {s:?} in {tenant_id}");
    }
    let events = preview_events(watch, tenant, scope).await?;
    let mut out = String::new();
    let mut alerts = 0;
    for e in &events {
        let targets = watch.store.recipients_of(e).await?;
        let rows = watch.store.recipients(&targets).await?;
        for (citizen, channel) in &targets {
            let Some(row) = rows.get(&(citizen.clone(), channel.clone())) else {
                continue;
            };
            let address = watch.crypto.open(&row.address_enc).unwrap_or_default();
            let locale = row.locale.clone().unwrap_or_else(|| tenant.locale.clone());
            let text = crate::notify::preview_message(
                &watch.dispatch,
                tenant,
                citizen,
                &locale,
                channel,
                &e.kind,
                &e.payload,
            )?;
            alerts += 1;
            let _ = writeln!(
                out,
                "== {} {} {} to {} ({}){}",
                scope.at,
                e.kind,
                channel,
                masked(channel, &address),
                e.source_id,
                if row.delivery.as_deref() == Some("daily") {
                    ", in the daily digest"
                } else {
                    ""
                }
            );
            let _ = writeln!(out, "Subject: {}", text.subject);
            for line in text.body.lines() {
                let _ = writeln!(out, "  {line}");
            }
            out.push('\n');
        }
    }
    let _ = writeln!(
        out,
        "{alerts} alert(s) would go out on {} in {tenant_id}; nothing was stored or sent.",
        scope.at
    );
    Ok(out)
}

/// An e-mail address as shown to operators: `j***@lhota.example`.
pub fn mask_email(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

/// An address shown to support staff: `j***@lhota.example`, `+420******456`.
fn masked(channel: &str, address: &str) -> String {
    if channel == "email" {
        return mask_email(address);
    }
    let n = address.chars().count();
    address
        .chars()
        .enumerate()
        .map(|(i, c)| if i < 4 || i + 3 >= n { c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn addresses_are_masked() {
        assert_eq!(
            super::masked("email", "jana@lhota.example"),
            "j***@lhota.example"
        );
        assert_eq!(super::masked("sms", "+420601123456"), "+420******456");
    }
}
