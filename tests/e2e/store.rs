//! The store on both engines: one alert per event and recipient however often the event is
//! written, leases that keep two dispatchers apart, and no identifier in clear.

use crate::helpers::*;
use hlidac::store::{stable_id, AlertState, Commit, Finish, NewEvent, ObservationWrite};

async fn store_semantics(engine: Engine) {
    let Some(t) = TestApp::spawn(engine, crate::timeline::scenario(), morning("2026-05-01")).await
    else {
        return;
    };
    let s = &t.app.store;
    let event = NewEvent {
        id: stable_id(&["test", "1"]),
        tenant_id: "lhota".into(),
        source_id: "agenda".into(),
        kind: "submission.status_changed".into(),
        record_key: "S-1".into(),
        person_hash: t.app.person_hash(JANA),
        payload: serde_json::json!({"key": "S-1"}),
        expires_at: None,
        dry_run: false,
    };
    assert_eq!(
        s.insert_events(std::slice::from_ref(&event), 1000)
            .await
            .expect("insert"),
        1
    );
    assert_eq!(
        s.insert_events(std::slice::from_ref(&event), 2000)
            .await
            .expect("insert"),
        0,
        "deduplicated"
    );
    assert_eq!(s.alerts().await.expect("alerts").len(), 1);

    // A claimed alert is not claimed again until its lease runs out.
    let first = s.claim_due(5000, 65_000, 10).await.expect("claim");
    assert_eq!(first.len(), 1);
    assert!(s
        .claim_due(6000, 66_000, 10)
        .await
        .expect("claim")
        .is_empty());
    assert_eq!(s.requeue_expired_leases(60_000).await.expect("sweep"), 0);
    assert_eq!(s.requeue_expired_leases(70_000).await.expect("sweep"), 1);
    let second = s.claim_due(70_000, 130_000, 10).await.expect("claim");
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].attempts, 2);
    // The first dispatcher's late result no longer counts.
    let sent = Finish::new(AlertState::Sent, None);
    assert!(!s
        .finish_alert(&first[0], &sent, 5000, 71_000)
        .await
        .expect("finish"));
    assert!(s
        .finish_alert(&second[0], &sent, 70_000, 71_000)
        .await
        .expect("finish"));
    assert_eq!(s.alerts().await.expect("alerts")[0].state, "sent");
}

test_on_each_engine!(store_semantics: store_semantics_on_sqlite, store_semantics_on_postgres);

/// Every text value in the database, to search for what must not be there.
async fn all_text(t: &TestApp) -> String {
    use sqlx::{Column, Row};
    let mut out = String::new();
    for table in [
        "tenants",
        "citizens",
        "contacts",
        "subscriptions",
        "sources",
        "observations",
        "events",
        "outbox",
        "delivery_attempts",
    ] {
        let rows = sqlx::query(&format!("SELECT * FROM {table}"))
            .fetch_all(t.app.store.pool())
            .await
            .expect("select");
        for row in rows {
            for col in row.columns() {
                if let Ok(Some(v)) = row.try_get::<Option<String>, _>(col.ordinal()) {
                    out.push_str(&v);
                    out.push('\n');
                }
            }
        }
    }
    out
}

async fn no_identifier_in_clear(engine: Engine) {
    let Some(mut t) =
        TestApp::spawn(engine, crate::timeline::scenario(), morning("2026-05-01")).await
    else {
        return;
    };
    assert_eq!(t.cycle().await.len(), 2);
    let text = all_text(&t).await;
    assert!(text.contains("MULH 12/2026"), "the dump reads the tables");
    for secret in [JANA, PETR, JANA_MAIL, PETR_MAIL] {
        assert!(!text.contains(secret), "{secret} is stored in clear");
    }
}

test_on_each_engine!(no_identifier_in_clear: no_identifier_or_address_is_stored_in_clear_on_sqlite, no_identifier_or_address_is_stored_in_clear_on_postgres);

/// The start of a minute, for the login counts.
const MINUTE: i64 = 30_000_000 * 60_000;

/// The test town with no records at its source.
async fn quiet_town(engine: Engine) -> Option<TestApp> {
    TestApp::spawn(
        engine,
        hlidac_sim::Scenario::default(),
        morning("2026-05-01"),
    )
    .await
}

/// Login attempts are counted by the minute: a burst of them, as a client refused for its
/// rate can send, grows a count and adds no rows; the report reads the same sums.
async fn logins_are_counted_by_the_minute(engine: Engine) {
    let Some(t) = quiet_town(engine).await else {
        return;
    };
    let s = &t.app.store;
    let minute = MINUTE;
    for i in 0..300 {
        let outcome = if i % 3 == 0 {
            "success"
        } else {
            "rate_limited"
        };
        s.record_login("lhota", "nia", outcome, minute + i * 100)
            .await
            .expect("record");
    }
    s.record_login("lhota", "nia", "success", minute + 60_000)
        .await
        .expect("record");
    s.record_login("other", "-", "rate_limited", minute + 5)
        .await
        .expect("record");
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_counts")
        .fetch_one(s.pool())
        .await
        .expect("count");
    assert_eq!(rows, 4, "one row per tenant, IdP, outcome and minute");
    let got = |rows: Vec<hlidac::store::LoginRow>| {
        rows.into_iter()
            .map(|r| (r.idp, r.outcome, r.count))
            .collect::<Vec<_>>()
    };
    let all = s.login_rows(None, 0, i64::MAX).await.expect("rows");
    assert_eq!(
        got(all),
        [
            ("-".into(), "rate_limited".into(), 1),
            ("nia".into(), "rate_limited".into(), 200),
            ("nia".into(), "success".into(), 101),
        ]
    );
    // A period is read by the minute the attempts fell in.
    let first = s
        .login_rows(Some("lhota"), minute, minute + 60_000)
        .await
        .expect("rows");
    assert_eq!(
        got(first),
        [
            ("nia".into(), "rate_limited".into(), 200),
            ("nia".into(), "success".into(), 100),
        ]
    );
}

test_on_each_engine!(logins_are_counted_by_the_minute: logins_are_counted_by_the_minute_on_sqlite, logins_are_counted_by_the_minute_on_postgres);

/// Jana's citizen id in the test town.
async fn jana_in(t: &TestApp) -> String {
    jana_in_by(t, &t.app.person_hash(JANA)).await
}

/// Jana's citizen id, found by the keyed hash of her reference.
async fn jana_in_by(t: &TestApp, person_hash: &str) -> String {
    t.app
        .store
        .citizen_of_person("lhota", person_hash)
        .await
        .expect("db")
        .expect("Jana")
}

/// An event about Jana: its id, (source, kind, record key) and payload.
fn about_jana(
    t: &TestApp,
    id: String,
    (source, kind, key): (&str, &str, &str),
    payload: serde_json::Value,
) -> NewEvent {
    NewEvent {
        id,
        tenant_id: "lhota".into(),
        source_id: source.into(),
        kind: kind.into(),
        record_key: key.into(),
        person_hash: t.app.person_hash(JANA),
        payload,
        expires_at: None,
        dry_run: false,
    }
}

/// A citizen erased while one of their own reminders is being sent: the reminder's alert
/// is deleted with them, and the dispatcher's result, which has no row left to belong to,
/// is dropped instead of failing the whole batch again and again.
async fn an_alert_erased_while_sent_is_finished_without_a_trace(engine: Engine) {
    let Some(t) = quiet_town(engine).await else {
        return;
    };
    let s = &t.app.store;
    let jana = jana_in(&t).await;
    let reminder = about_jana(
        &t,
        stable_id(&["lhota", "reminder-1", "personal"]),
        ("personal", "personal.reminder", "reminder-1"),
        serde_json::json!({"key": "reminder-1", "date": "2026-05-01"}),
    );
    assert_eq!(s.insert_events(&[reminder], 1000).await.expect("insert"), 1);
    let claimed = s.claim_due(5000, 65_000, 10).await.expect("claim");
    assert_eq!(claimed.len(), 1);
    assert!(s.remove_citizen(&jana, 6000).await.expect("erase"));
    let sent = Finish::new(AlertState::Sent, None);
    assert!(
        !s.finish_alert(&claimed[0], &sent, 5000, 7000)
            .await
            .expect("the batch is recorded"),
        "nothing is left to move"
    );
    assert!(s.alerts().await.expect("alerts").is_empty());
}

test_on_each_engine!(an_alert_erased_while_sent_is_finished_without_a_trace: an_alert_erased_while_sent_is_finished_without_a_trace_on_sqlite, an_alert_erased_while_sent_is_finished_without_a_trace_on_postgres);

/// Erasing a person keeps an alert made of their records for the report, its event emptied
/// and under a new id (the old one is a hash of the record's key).
async fn an_erased_persons_alert_keeps_an_emptied_event(engine: Engine) {
    let Some(t) = quiet_town(engine).await else {
        return;
    };
    let s = &t.app.store;
    let jana = jana_in(&t).await;
    let old = stable_id(&["lhota", "agenda", "S-1", "assigned"]);
    let event = about_jana(
        &t,
        old.clone(),
        ("agenda", "submission.status_changed", "S-1"),
        serde_json::json!({"key": "S-1", "matter": "Žádost"}),
    );
    assert_eq!(s.insert_events(&[event], 1000).await.expect("insert"), 1);
    assert!(s.remove_citizen(&jana, 2000).await.expect("erase"));
    let alerts = s.alerts().await.expect("alerts");
    assert_eq!(alerts.len(), 1, "still counted");
    assert_eq!(alerts[0].state, "suppressed");
    assert_ne!(alerts[0].event_id, old);
    let kept: Vec<(String, String, String, String)> =
        sqlx::query_as("SELECT id, record_key, person_hash, payload FROM events ORDER BY id")
            .fetch_all(s.pool())
            .await
            .expect("events");
    assert_eq!(
        kept,
        [(
            alerts[0].event_id.clone(),
            String::new(),
            String::new(),
            "{}".to_string()
        )]
    );
}

test_on_each_engine!(an_erased_persons_alert_keeps_an_emptied_event: an_erased_persons_alert_keeps_an_emptied_event_on_sqlite, an_erased_persons_alert_keeps_an_emptied_event_on_postgres);

/// A write of a person's records, with an event about it, to the staging area or the poll's
/// own commit.
fn record_of(t: &TestApp, who: &str, key: &str) -> (ObservationWrite, NewEvent) {
    let person_hash = t.app.person_hash(who);
    let write = ObservationWrite {
        kind: "submission",
        record_key: key.into(),
        person_hash: person_hash.clone(),
        content_hash: stable_id(&[key]),
        version: None,
        status: "assigned".into(),
        data: serde_json::json!({"key": key, "matter": "Žádost"}).to_string(),
        due_next: None,
    };
    let event = NewEvent {
        person_hash,
        ..about_jana(
            t,
            stable_id(&["lhota", "agenda", key, "assigned"]),
            ("agenda", "submission.status_changed", key),
            serde_json::json!({"key": key, "matter": "Žádost"}),
        )
    };
    (write, event)
}

/// A poll reads who is enrolled when it starts and commits later. When Jana is erased in
/// between, neither what it staged (before the erasure or after) nor what it commits, nor a rules tick's event, writes
/// anything of hers back; Petr's records are kept.
async fn a_poll_under_way_writes_nothing_of_a_person_erased_meanwhile(engine: Engine) {
    let Some(t) = quiet_town(engine).await else {
        return;
    };
    let s = &t.app.store;
    let (staged_jana, staged_event) = record_of(&t, JANA, "S-1");
    let (jana, jana_event) = record_of(&t, JANA, "S-2");
    let (petr, petr_event) = record_of(&t, PETR, "S-3");
    s.stage_poll(
        "poll-1",
        "lhota",
        "agenda",
        &[staged_jana],
        &[staged_event],
        0,
        1000,
    )
    .await
    .expect("stage");
    assert!(s
        .remove_citizen(&jana_in(&t).await, 2000)
        .await
        .expect("erase"));
    let (staged_late, staged_late_event) = record_of(&t, JANA, "S-6");
    s.stage_poll(
        "poll-1",
        "lhota",
        "agenda",
        &[staged_late],
        &[staged_late_event],
        1,
        2500,
    )
    .await
    .expect("stage");
    let left = records_in(&t, "staged_observations").await;
    assert_eq!(left, [], "a poll that stops here leaves nothing of Jana");
    let snapshot = Commit::Snapshot {
        records: 3,
        cursor: None,
        staged: Some("poll-1"),
    };
    s.commit_poll(
        "lhota",
        "agenda",
        &[jana, petr],
        &[jana_event, petr_event],
        &[],
        &[],
        snapshot,
        3000,
    )
    .await
    .expect("commit");
    let (_, reminder) = record_of(&t, JANA, "S-4");
    s.commit_rules("lhota", &[], "2026-05-01", &[reminder], 4000)
        .await
        .expect("rules");
    let (_, late) = record_of(&t, JANA, "S-5");
    s.insert_events(&[late], 5000).await.expect("insert");
    let whose = |table: &str| format!("SELECT person_hash, record_key FROM {table} ORDER BY 2");
    let petrs = vec![(t.app.person_hash(PETR), "S-3".to_string())];
    for table in ["observations", "events"] {
        let rows: Vec<(String, String)> = sqlx::query_as(&whose(table))
            .fetch_all(s.pool())
            .await
            .expect("rows");
        assert_eq!(rows, petrs, "{table}: only Petr's");
    }
    assert_eq!(s.staged_rows(None).await.expect("staged"), 0);
}

test_on_each_engine!(a_poll_under_way_writes_nothing_of_a_person_erased_meanwhile: a_poll_under_way_writes_nothing_of_a_person_erased_meanwhile_on_sqlite, a_poll_under_way_writes_nothing_of_a_person_erased_meanwhile_on_postgres);

/// A transaction holding the lock a write of the town's records takes on PostgreSQL
/// (shared), or an erasure's (exclusive), taken by hand, after which it runs `sql` with
/// `value` as `$1`.
async fn held_open(
    t: &TestApp,
    exclusive: bool,
    sql: &str,
    value: &str,
) -> sqlx::Transaction<'static, sqlx::Any> {
    let function = if exclusive {
        "pg_advisory_xact_lock"
    } else {
        "pg_advisory_xact_lock_shared"
    };
    let lock = format!("SELECT {function}(hashtext('hlidac enrolment'), hashtext('lhota'))");
    let mut tx = t.app.store.pool().begin().await.expect("begin");
    sqlx::query(&lock).execute(&mut *tx).await.expect("lock");
    let q = sqlx::query(sql).bind(value.to_string());
    q.execute(&mut *tx).await.expect("statement");
    tx
}

/// Jana's and Petr's (person hash, record key) pairs in a table.
async fn records_in(t: &TestApp, table: &str) -> Vec<(String, String)> {
    let sql =
        format!("SELECT person_hash, record_key FROM {table} WHERE record_key <> '' ORDER BY 2");
    sqlx::query_as(&sql)
        .fetch_all(t.app.store.pool())
        .await
        .expect("rows")
}

/// On PostgreSQL an erasure waits for a write of the tenant's records that is under way,
/// and then deletes what it wrote.
#[tokio::test]
async fn an_erasure_waits_for_a_write_under_way_on_postgres() {
    let Some(t) = quiet_town(Engine::Postgres).await else {
        return;
    };
    let jana = jana_in(&t).await;
    let write = held_open(
        &t,
        false,
        "INSERT INTO observations (tenant_id, source_id, kind, record_key, person_hash,
            content_hash, version, status, data, first_seen_at, updated_at, due_next)
         VALUES ('lhota', 'agenda', 'submission', 'S-1', $1, 'h', NULL, 'assigned', '{}', 1, 1, NULL)",
        &t.app.person_hash(JANA),
    )
    .await;
    let store = t.app.store.clone();
    let erasure = tokio::spawn(async move { store.remove_citizen(&jana, 2000).await });
    // Time for an erasure that did not wait to be over before the write commits.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    write.commit().await.expect("commit");
    assert!(erasure.await.expect("task").expect("erase"));
    assert_eq!(records_in(&t, "observations").await, []);
}

/// On PostgreSQL a poll's commit waits for an erasure under way, and then writes nothing
/// of the erased person.
#[tokio::test]
async fn a_poll_commit_waits_for_an_erasure_under_way_on_postgres() {
    let Some(t) = quiet_town(Engine::Postgres).await else {
        return;
    };
    let jana = jana_in(&t).await;
    let erasure = held_open(&t, true, "DELETE FROM citizens WHERE id = $1", &jana).await;
    let (write, event) = record_of(&t, JANA, "S-1");
    let store = t.app.store.clone();
    let poll = tokio::spawn(async move {
        let commit = Commit::Snapshot {
            records: 1,
            cursor: None,
            staged: None,
        };
        (store.commit_poll(
            "lhota",
            "agenda",
            &[write],
            &[event],
            &[],
            &[],
            commit,
            3000,
        ))
        .await
    });
    // Time for a commit that did not wait to be over before the erasure commits.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    erasure.commit().await.expect("commit");
    poll.await.expect("task").expect("poll");
    assert_eq!(records_in(&t, "observations").await, []);
    assert_eq!(records_in(&t, "events").await, []);
}

/// A relinked person's records move to the new reference: a write still naming the old
/// one drops only what it wrote, and an erasure afterwards leaves nothing of either.
async fn a_relinked_persons_records_move_with_them(engine: Engine) {
    let Some(t) = quiet_town(engine).await else {
        return;
    };
    let s = &t.app.store;
    let (write, event) = record_of(&t, JANA, "S-1");
    let push = Commit::Push;
    s.commit_poll("lhota", "agenda", &[write], &[event], &[], &[], push, 1000)
        .await
        .expect("commit");
    let new = t.app.person_hash("CZ-0001-JANA");
    let sealed = t.app.crypto.seal("CZ-0001-JANA");
    assert!(s
        .relink_person("lhota", &t.app.person_hash(JANA), &new, &sealed)
        .await
        .expect("relink"));
    let moved = vec![(new.clone(), "S-1".to_string())];
    assert_eq!(records_in(&t, "observations").await, moved);
    let (_, late) = record_of(&t, JANA, "S-2");
    s.commit_rules("lhota", &[], "2026-05-01", &[late], 2000)
        .await
        .expect("rules");
    assert_eq!(records_in(&t, "observations").await, moved, "kept");
    assert_eq!(records_in(&t, "events").await, moved, "S-2 dropped");
    assert!(s
        .remove_citizen(&jana_in_by(&t, &new).await, 3000)
        .await
        .expect("erase"));
    assert_eq!(records_in(&t, "observations").await, []);
    assert_eq!(records_in(&t, "events").await, []);
}

test_on_each_engine!(a_relinked_persons_records_move_with_them: a_relinked_persons_records_move_with_them_on_sqlite, a_relinked_persons_records_move_with_them_on_postgres);

/// A person's records in several places go together or not at all: when one of them
/// cannot be removed (a trigger refuses it), none is.
async fn an_erasure_that_fails_anywhere_removes_nothing(engine: Engine) {
    let Some(t) = quiet_town(engine).await else {
        return;
    };
    let s = &t.app.store;
    let jana = jana_in(&t).await;
    let petr = jana_in_by(&t, &t.app.person_hash(PETR)).await;
    // The second removal is refused, whichever goes first.
    let refuse: &[&str] = match engine {
        Engine::Sqlite => &["CREATE TRIGGER keep_one BEFORE DELETE ON citizens
            WHEN (SELECT COUNT(*) FROM citizens) < 2 BEGIN SELECT RAISE(ABORT, 'refused'); END"],
        Engine::Postgres => &[
            "CREATE FUNCTION keep_one() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                IF (SELECT COUNT(*) FROM citizens) < 2 THEN RAISE EXCEPTION 'refused'; END IF;
                RETURN OLD; END $$",
            "CREATE TRIGGER keep_one BEFORE DELETE ON citizens
                FOR EACH ROW EXECUTE FUNCTION keep_one()",
        ],
    };
    for sql in refuse {
        sqlx::query(sql).execute(s.pool()).await.expect("trigger");
    }
    assert!(s.remove_citizens(&[&jana, &petr], 1000).await.is_err());
    for kept in [&jana, &petr] {
        assert!(s.citizen(kept).await.expect("db").is_some(), "{kept} kept");
    }
    let drop = match engine {
        Engine::Sqlite => "DROP TRIGGER keep_one",
        Engine::Postgres => "DROP TRIGGER keep_one ON citizens",
    };
    sqlx::query(drop).execute(s.pool()).await.expect("drop");
    assert_eq!(
        s.remove_citizens(&[&jana, &petr], 2000)
            .await
            .expect("erase"),
        2
    );
    assert!(s.citizen(&jana).await.expect("db").is_none());
}

test_on_each_engine!(an_erasure_that_fails_anywhere_removes_nothing: an_erasure_that_fails_anywhere_removes_nothing_on_sqlite, an_erasure_that_fails_anywhere_removes_nothing_on_postgres);

/// Migration 0019 folds the login rows of a database that had them into counts by the
/// minute: the schema as it stood at 0018, rows written the old way, then the rest.
async fn old_login_rows_are_folded_into_minutes(engine: Engine) {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(url) = fresh_database(engine, dir.path()).await else {
        return;
    };
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.expect("connect");
    let all = sqlx::migrate!();
    let upto = |last: i64| sqlx::migrate::Migrator {
        migrations: all
            .iter()
            .filter(|m| m.version <= last)
            .cloned()
            .collect::<Vec<_>>()
            .into(),
        ..sqlx::migrate::Migrator::DEFAULT
    };
    upto(18).run(&pool).await.expect("up to 0018");
    let minute = MINUTE;
    for (id, outcome, at) in [
        ("a", "success", minute + 123),
        ("b", "success", minute + 59_999),
        ("c", "success", minute + 60_000),
        ("d", "rate_limited", minute + 1),
    ] {
        sqlx::query(
            "INSERT INTO logins (id, tenant_id, idp, outcome, at) VALUES ($1, 'lhota', 'nia', $2, $3)",
        )
        .bind(id)
        .bind(outcome)
        .bind(at)
        .execute(&pool)
        .await
        .expect("old row");
    }
    upto(i64::MAX).run(&pool).await.expect("the rest");
    let rows: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT outcome, at, n FROM login_counts ORDER BY at, outcome")
            .fetch_all(&pool)
            .await
            .expect("counts");
    assert_eq!(
        rows,
        [
            ("rate_limited".to_string(), minute, 1),
            ("success".to_string(), minute, 2),
            ("success".to_string(), minute + 60_000, 1),
        ]
    );
    pool.close().await;
}

test_on_each_engine!(old_login_rows_are_folded_into_minutes: old_login_rows_are_folded_into_minutes_on_sqlite, old_login_rows_are_folded_into_minutes_on_postgres);
