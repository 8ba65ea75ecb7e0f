//! End-to-end tests of hlidac against real peers: an SMTP server (aiosmtpd), the
//! municipality simulator over HTTP, SQLite and a throw-away PostgreSQL cluster.
//!
//! `scripts/test` starts PostgreSQL and sets `HLIDAC_TEST_PG_URL`; without it the
//! PostgreSQL variants are skipped (and fail when `HLIDAC_TEST_REQUIRE_PEERS` is set).

mod adapter_check;
mod admin;
mod bench_dispatch;
mod bench_push;
mod bench_scale;
mod bounce;
mod browser;
mod calendar;
mod capabilities;
mod citizen;
mod config_files;
mod countries;
mod crash;
mod daemon;
mod delivery;
mod dkim;
mod eid;
mod enrol_match;
mod exec;
mod failover;
mod fallback;
mod faults;
mod held;
mod helpers;
mod hostile;
mod hostile_cases;
mod hostile_forms;
mod hostile_shapes;
mod hostile_wire;
mod http_layers;
mod ingest;
mod instalments;
mod logforge;
mod outage_db;
mod outage_disk;
mod outage_smtp;
mod phone;
mod postfix;
mod preview;
mod protocol;
mod reference_server;
mod registry_events;
mod restart;
mod scale;
mod slow_relay;
mod sms;
mod staging;
mod store;
mod systemd;
mod tenants;
mod timeline;
mod unsubscribe;
mod withdrawn;
mod xmlsec;
mod xmlsec_c14n;
mod xmlsec_dsig;
mod xmlsec_mutate;
