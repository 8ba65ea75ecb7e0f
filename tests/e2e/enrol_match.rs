//! `hlidac citizen add --match key=value…`: an operator enrols a person found through the
//! tenant's registry source, with the same call as an eID login, without knowing the
//! person reference; the person's fees then reach the address given. Nothing of the
//! identity is printed; an unknown person or a malformed match enrols no one.

use crate::helpers::*;
use hlidac_adapters::RegistryPerson;
use hlidac_sim::{RegistryEntry, Scenario};
use std::path::Path;

const VESNA: &str = "RS-REG-0042";
const VESNA_MAIL: &str = "vesna@lhota.example";
const UMCN: &str = "0203985715001";

fn scenario() -> Scenario {
    let mut identity = serde_json::Map::new();
    identity.insert("scheme".into(), "rs-umcn".into());
    identity.insert("identifier".into(), UMCN.into());
    Scenario {
        receivables: vec![fee("R-42", VESNA, "Komunalna taksa", 120000, "2026-05-31")],
        registry: vec![RegistryEntry {
            identity,
            person: RegistryPerson {
                person_ref: VESNA.into(),
                documents: Vec::new(),
            },
        }],
        ..Scenario::default()
    }
}

fn citizen_add(config: &Path, matching: &[&str]) -> (bool, String) {
    let mut cmd = hlidac_command();
    cmd.arg("--config")
        .arg(config)
        .args(["citizen", "add", "--tenant", "lhota", "--email", VESNA_MAIL])
        .env_remove("HLIDAC_PERSON_REF");
    for m in matching {
        cmd.args(["--match", m]);
    }
    let out = cmd.output().expect("citizen add");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_enrols_a_person_found_in_the_registry() {
    let mut t = TestApp::on_sqlite_with(scenario(), morning("2026-05-01"), |c| {
        with_registry_source(c, "")
    })
    .await;
    let config = t.dir.path().join("hlidac.toml");
    std::fs::write(&config, &t.config).expect("write the config");
    let citizens = || async {
        t.app
            .store
            .list_citizens(Some("lhota"))
            .await
            .expect("list")
            .len()
    };
    let before = citizens().await;

    let known = format!("identifier={UMCN}");
    for (bad, why) in [
        (
            vec![
                "scheme=rs-umcn".to_string(),
                "identifier=0101990710000".into(),
            ],
            "does not know this person",
        ),
        (
            vec!["scheme=rs-umcn".into()],
            "--match identifier=… is missing",
        ),
        (
            vec!["scheme=rs-umcn".into(), known.clone(), "jmbg=1".into()],
            "the registry matches on",
        ),
        (
            vec!["scheme=rs-umcn".into(), "scheme=bg-egn".into()],
            "is given twice",
        ),
    ] {
        let config = config.clone();
        let (ok, out) = tokio::task::spawn_blocking(move || {
            let bad: Vec<&str> = bad.iter().map(String::as_str).collect();
            citizen_add(&config, &bad)
        })
        .await
        .expect("join");
        assert!(!ok && out.contains(why), "{why}: {out}");
    }
    assert_eq!(
        citizens().await,
        before,
        "no one enrolled by a failed match"
    );

    let config2 = config.clone();
    let (ok, out) = tokio::task::spawn_blocking(move || {
        citizen_add(
            &config2,
            &["scheme=rs-umcn", &known, "family_name=Petrović"],
        )
    })
    .await
    .expect("join");
    assert!(ok, "{out}");
    assert!(
        out.contains("the registry of lhota knows the person"),
        "{out}"
    );
    assert!(
        !out.contains(UMCN) && !out.contains(VESNA),
        "an identifier printed: {out}"
    );
    assert_eq!(citizens().await, before + 1);
    assert!(t.sim.calls("registry") >= 2, "the registry was asked");

    // The person's fee reaches the address given: the person reference came from the
    // registry.
    let mails = t.cycle().await;
    let m = mails
        .iter()
        .find(|m| m.to.contains(VESNA_MAIL))
        .unwrap_or_else(|| panic!("no mail to the enrolled person: {mails:?}"));
    assert!(m.subject.contains("Komunalna taksa"), "{}", m.subject);
}
