//! Protocol 1.1 registry events, read from the registry source's feed: each acts on an
//! enrolled person by the tenant's policy (`deceased = "erase"`, `moved_out = "stop"`,
//! `identifier_changed = "relink"` here), is logged without identifiers, and a person not
//! enrolled is passed over. Nothing before hlidac first listened is acted on.

use crate::helpers::*;
use hlidac_adapters::{RegistryEvent, RegistryEventKind};
use hlidac_sim::{Change, Scenario};

const VESNA: &str = "CZ-0000-VESNA";
const VESNA_NEW: &str = "CZ-0001-VESNA";
const VESNA_MAIL: &str = "vesna@lhota.example";

fn scenario() -> Scenario {
    Scenario {
        receivables: vec![
            fee("R-1", JANA, "Poplatek za odpady", 90000, "2026-05-31"),
            fee("R-2", PETR, "Waste fee", 90000, "2026-05-31"),
            fee("R-3", VESNA, "Poplatek ze psů", 30000, "2026-05-31"),
        ],
        ..Scenario::default()
    }
}

fn event(id: &str, kind: RegistryEventKind, person: &str, new: Option<&str>) -> Change {
    Change::Registry {
        event: RegistryEvent {
            id: id.into(),
            kind,
            person_ref: person.into(),
            new_person_ref: new.map(str::to_string),
            at: None,
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_registry_event_acts_by_the_tenant_s_policy() {
    let logs = capture_logs();
    let mut t = TestApp::on_sqlite_with(scenario(), morning("2026-05-01"), |c| {
        // The tenant's policy table, before its first source.
        let c = c.replacen(
            "[[tenant.source]]",
            "[tenant.registry_events]\ndeceased = \"erase\"\nmoved_out = \"stop\"\n\
             identifier_changed = \"relink\"\n[[tenant.source]]",
            1,
        );
        with_registry_source(c, "schedule = \"*/5 * * * * *\"\n")
    })
    .await;
    t.app
        .enrol("lhota", VESNA, VESNA_MAIL, Some("cs"))
        .await
        .expect("enrol");
    // An event from before hlidac listened: not acted on.
    t.sim
        .apply(event("E-0", RegistryEventKind::Deceased, PETR, None));
    assert_eq!(t.cycle().await.len(), 3, "the three fees");
    let app = t.app.clone();
    let citizens = || async {
        app.store
            .list_citizens(Some("lhota"))
            .await
            .expect("list")
            .len()
    };
    assert_eq!(citizens().await, 3);

    t.sim
        .apply(event("E-1", RegistryEventKind::Deceased, JANA, None));
    t.sim
        .apply(event("E-2", RegistryEventKind::MovedOut, PETR, None));
    t.sim.apply(event(
        "E-3",
        RegistryEventKind::IdentifierChanged,
        VESNA,
        Some(VESNA_NEW),
    ));
    t.sim.apply(event(
        "E-4",
        RegistryEventKind::Deceased,
        "CZ-9999-NOBODY",
        None,
    ));
    // The source now knows Vesna by her new reference, with a new fee; Petr has one too.
    let mut dog = fee("R-3", VESNA_NEW, "Poplatek ze psů", 30000, "2026-05-31");
    dog.version = Some("2".into());
    t.sim.apply(Change::PutReceivable { record: dog });
    t.sim.apply(Change::PutReceivable {
        record: fee("R-4", VESNA_NEW, "Poplatek za odpady", 90000, "2026-06-30"),
    });
    t.sim.apply(Change::PutReceivable {
        record: fee("R-5", PETR, "Parking permit", 120000, "2026-06-30"),
    });
    let mut mails = t.cycle().await;
    mails.extend(t.cycle().await);

    // Deceased, erase: Jana is gone. Moved out, stop: Petr stays, but hears nothing.
    assert_eq!(citizens().await, 2, "Jana erased");
    let janas = t
        .app
        .store
        .person_records("lhota", &t.app.crypto.person_hash(JANA))
        .await
        .expect("db");
    assert!(janas.is_empty(), "her records are kept: {janas:?}");
    let petr = t
        .app
        .store
        .citizen_of_person("lhota", &t.app.crypto.person_hash(PETR))
        .await
        .expect("db")
        .expect("Petr stays enrolled");
    assert!(t
        .app
        .store
        .subscriptions_of(&petr)
        .await
        .expect("db")
        .is_empty());
    // Identifier changed, relink: Vesna's new fee reaches her; nothing else goes.
    expect_mails(&mails, &[(VESNA_MAIL, "Poplatek za odpady")]);
    assert!(t
        .app
        .store
        .citizen_of_person("lhota", &t.app.crypto.person_hash(VESNA_NEW))
        .await
        .expect("db")
        .is_some());

    let log = logs.text();
    let applied = log
        .lines()
        .filter(|l| l.contains("registry event applied"))
        .count();
    assert_eq!(
        applied, 3,
        "one line per event about an enrolled person:\n{log}"
    );
    for id in [JANA, PETR, VESNA, VESNA_NEW] {
        assert!(!log.contains(id), "an identifier in the log");
    }
    // Read again, the feed sends nothing new and changes nothing.
    assert!(t.cycle().await.is_empty());
    assert_eq!(citizens().await, 2);
}
