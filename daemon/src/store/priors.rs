//! What a diff needs to know of the stored records, kept small: the index of a source with
//! 1,000,000 records fits in about 130 MB, because it keeps fingerprints instead of the
//! records, and numbers instead of repeated person hashes and statuses.

use super::{Result, Store};
use sqlx::Row;
use std::collections::HashMap;

/// A 128-bit fingerprint of a text (the first half of its SHA-256).
pub fn fingerprint(text: &str) -> u128 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(text.as_bytes());
    let mut first = [0u8; 16];
    first.copy_from_slice(&digest[..16]);
    u128::from_be_bytes(first)
}

/// An observation's content hash (32 hex digits) as a number.
pub fn content_fingerprint(content_hash: &str) -> u128 {
    u128::from_str_radix(content_hash, 16).unwrap_or_else(|_| fingerprint(content_hash))
}

/// One stored record as the diff sees it.
#[derive(Clone, Copy, Debug)]
pub struct Prior {
    pub content: u128,
    /// The fingerprint of the source's version, when it gave one.
    pub version: Option<u128>,
    status: u16,
    person: u32,
    /// The record came back in the poll under way.
    seen: bool,
}

/// The stored records of one kind of one source, by key.
#[derive(Debug, Default)]
pub struct PriorIndex {
    entries: HashMap<Box<str>, Prior>,
    persons: Vec<Box<str>>,
    person_ids: HashMap<Box<str>, u32>,
    /// Records per person, by person number.
    counts: Vec<u32>,
    statuses: Vec<Box<str>>,
}

impl PriorIndex {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn intern_status(&mut self, status: &str) -> u16 {
        match self.statuses.iter().position(|s| &**s == status) {
            Some(i) => i as u16,
            None => {
                self.statuses.push(status.into());
                (self.statuses.len() - 1) as u16
            }
        }
    }

    fn add(
        &mut self,
        key: &str,
        person_hash: &str,
        content_hash: &str,
        version: Option<&str>,
        status: &str,
    ) {
        let person = match self.person_ids.get(person_hash) {
            Some(&id) => id,
            None => {
                let id = self.persons.len() as u32;
                self.persons.push(person_hash.into());
                self.person_ids.insert(person_hash.into(), id);
                self.counts.push(0);
                id
            }
        };
        self.counts[person as usize] += 1;
        let prior = Prior {
            content: content_fingerprint(content_hash),
            version: version.map(fingerprint),
            status: self.intern_status(status),
            person,
            seen: false,
        };
        self.entries.insert(key.into(), prior);
    }

    /// How many stored records belong to this person.
    pub fn count_of(&self, person_hash: &str) -> usize {
        self.person_ids
            .get(person_hash)
            .map_or(0, |&id| self.counts[id as usize] as usize)
    }

    /// The stored record with this key, marked as seen in the poll under way; the flag
    /// says whether it had been seen already (the key came twice).
    pub fn see(&mut self, key: &str) -> Option<(Prior, bool)> {
        let entry = self.entries.get_mut(key)?;
        let before = entry.seen;
        entry.seen = true;
        Some((*entry, before))
    }

    pub fn get(&self, key: &str) -> Option<Prior> {
        self.entries.get(key).copied()
    }

    pub fn status(&self, prior: &Prior) -> &str {
        &self.statuses[prior.status as usize]
    }

    pub fn person_hash(&self, prior: &Prior) -> &str {
        &self.persons[prior.person as usize]
    }
}

impl Store {
    /// The index of every stored record of one kind of one source. The rows come packed,
    /// many to a result row (one text of unit-separated fields, one record per line),
    /// because handing rows one by one from the database thread cost more than SQLite
    /// itself; pages follow the key order, so memory stays at one batch.
    pub async fn prior_index(&self, tenant: &str, source: &str, kind: &str) -> Result<PriorIndex> {
        const PACK: i64 = 20_000;
        let (concat, sep_unit, sep_line) = match self.backend {
            super::Backend::Sqlite => ("group_concat", "char(31)", "char(30)"),
            super::Backend::Postgres => ("string_agg", "chr(31)", "chr(30)"),
        };
        let sql = format!(
            "SELECT {concat}(line, {sep_line}), max(record_key), count(*) FROM (
                SELECT record_key, record_key || {sep_unit} || person_hash || {sep_unit}
                    || content_hash || {sep_unit} || status || {sep_unit}
                    || coalesce('v' || version, '-') AS line
                FROM observations
                WHERE tenant_id = $1 AND source_id = $2 AND kind = $3 AND record_key > $4
                ORDER BY record_key LIMIT {PACK}) AS page"
        );
        let mut index = PriorIndex::default();
        let mut after = String::new();
        loop {
            let row = sqlx::query(&sql)
                .bind(tenant)
                .bind(source)
                .bind(kind)
                .bind(&after)
                .fetch_one(&self.pool)
                .await?;
            let Some(packed) = row.try_get::<Option<String>, _>(0)? else {
                break;
            };
            for line in packed.split('\u{1e}') {
                let mut f = line.split('\u{1f}');
                let (Some(key), Some(person), Some(content), Some(status), Some(version)) =
                    (f.next(), f.next(), f.next(), f.next(), f.next())
                else {
                    return Err(super::StoreError::Corrupt(format!(
                        "an observation of {tenant}/{source} has fields with control characters"
                    )));
                };
                index.add(key, person, content, version.strip_prefix('v'), status);
            }
            let rows: i64 = row.try_get(2)?;
            after = row.try_get::<String, _>(1)?;
            if rows < PACK {
                break;
            }
        }
        Ok(index)
    }

    /// The index of the stored records with these keys only (a push, a change-feed page).
    pub async fn prior_index_of(
        &self,
        tenant: &str,
        source: &str,
        kind: &str,
        keys: &[&str],
    ) -> Result<PriorIndex> {
        let mut index = PriorIndex::default();
        for chunk in keys.chunks(500) {
            let sql = format!(
                "SELECT record_key, person_hash, content_hash, version, status
                 FROM observations WHERE tenant_id = $1 AND source_id = $2 AND kind = $3
                   AND record_key IN ({})",
                super::marks(4, chunk.len())
            );
            let sql = super::positional(sql, self.backend == super::Backend::Sqlite);
            let mut query = sqlx::query(&sql).bind(tenant).bind(source).bind(kind);
            for key in chunk {
                query = query.bind(*key);
            }
            for r in query.fetch_all(&self.pool).await? {
                index.add(
                    r.try_get::<&str, _>(0)?,
                    r.try_get::<&str, _>(1)?,
                    r.try_get::<&str, _>(2)?,
                    r.try_get::<Option<&str>, _>(3)?,
                    r.try_get::<&str, _>(4)?,
                );
            }
        }
        Ok(index)
    }

    /// The change-feed cursor kept for a source.
    pub async fn change_cursor(&self, tenant: &str, source: &str) -> Result<Option<String>> {
        self.source_cursor(
            "SELECT change_cursor FROM sources WHERE tenant_id = $1 AND source_id = $2",
            tenant,
            source,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_counts_per_person_and_flags_a_key_seen_twice() {
        let mut index = PriorIndex::default();
        let hash = "0123456789abcdef0123456789abcdef";
        index.add("A", "p1", hash, Some("7"), "open");
        index.add("B", "p1", hash, None, "paid");
        index.add("C", "p2", "not-hex", None, "open");
        assert_eq!(index.len(), 3);
        assert_eq!(index.count_of("p1"), 2);
        assert_eq!(index.count_of("p3"), 0);
        let (a, twice) = index.see("A").expect("A is stored");
        assert!(!twice);
        assert_eq!(a.content, 0x0123456789abcdef0123456789abcdef);
        assert_eq!(a.version, Some(fingerprint("7")));
        assert_eq!(index.status(&a), "open");
        assert_eq!(index.person_hash(&a), "p1");
        assert!(index.see("A").expect("A").1, "the second sight is flagged");
        let b = index.get("B").expect("B");
        assert_eq!(index.status(&b), "paid");
        assert_ne!(index.get("C").expect("C").content, 0);
        assert!(index.see("Z").is_none());
    }
}
