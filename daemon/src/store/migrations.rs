//! The schema's migrations: one folder for both engines (the same SQL runs on both),
//! embedded at build time (`daemon/migrations/`). The first file names its engine in its opening comment, as
//! each engine's own copy once did: `ENGINE` there is filled in per engine, so the
//! checksums the databases recorded when the engines had a folder each stay as they were.

use super::Backend;
use futures::future::BoxFuture;
use sqlx::error::BoxDynError;
use sqlx::migrate::{MigrateError, Migration, MigrationSource, Migrator};
use std::borrow::Cow;

/// The word in the first migration's opening comment that names the engine.
const ENGINE: &str = "ENGINE";

/// The migrations as `backend` runs them.
fn migrations(backend: Backend) -> Vec<Migration> {
    let engine = match backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    sqlx::migrate!()
        .iter()
        .map(|m| {
            if m.version != 1 {
                return m.clone();
            }
            Migration::new(
                m.version,
                m.description.clone(),
                m.migration_type,
                Cow::Owned(m.sql.replacen(ENGINE, engine, 1)),
                m.no_tx,
            )
        })
        .collect()
}

/// The embedded migrations of one engine, as sqlx's migrator reads them.
#[derive(Debug)]
struct Embedded(Vec<Migration>);

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> BoxFuture<'static, Result<Vec<Migration>, BoxDynError>> {
        Box::pin(async move { Ok(self.0) })
    }
}

/// The migrator of `backend`.
pub(super) async fn migrator(backend: Backend) -> Result<Migrator, MigrateError> {
    Migrator::new(Embedded(migrations(backend))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checksum(backend: Backend, version: i64) -> String {
        let m = migrations(backend);
        hex::encode(
            &m.iter()
                .find(|m| m.version == version)
                .expect("version")
                .checksum,
        )
    }

    /// The SHA-384 of the files each engine ran before the folders became one: a
    /// database migrated then must find its migrations unchanged.
    #[test]
    fn the_checksums_are_those_the_databases_recorded() {
        assert_eq!(
            checksum(Backend::Sqlite, 1),
            "8e078519fdd036929237d423abf8ad1472bd2b81ae62863b0c319f7949ad6df641ae6f9efc71598c8dba72d0b8e336ef"
        );
        assert_eq!(
            checksum(Backend::Postgres, 1),
            "0600accfbf8d0a88349f45f19a022061ab90c2d034269fac1251c36e6761e71547507951a3ad11e1231dc0d6c68ff4e8"
        );
        for backend in [Backend::Sqlite, Backend::Postgres] {
            assert_eq!(
                checksum(backend, 13),
                "fbe82952dc0ba690ea4037d208060e865b826c641199a421b10299f6f911472906be46ac1c8817da78aff78ca20241ef"
            );
        }
    }
}
