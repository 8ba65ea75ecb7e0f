//! One `hlidac run` per SQLite database. SQLite takes one writer, and two daemons on one
//! file would split the polls and sends between them without a word; PostgreSQL is the
//! way to run several. The lock is an exclusive lock on a file beside the database, held
//! for the life of the process, so a crashed daemon never leaves it behind.

use std::io::{Read, Seek, Write};
use std::path::PathBuf;

/// Held while `hlidac run` uses its SQLite database.
#[derive(Debug)]
pub struct RunLock {
    _file: std::fs::File,
}

/// Takes the lock for the SQLite database at `url` (nothing for PostgreSQL); the error
/// names the process that holds it.
pub fn lock(url: &str) -> Result<Option<RunLock>, String> {
    let Some(db) = super::sqlite_path(url) else {
        return Ok(None);
    };
    let path = PathBuf::from(format!("{db}.run-lock"));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create the database folder {}: {e}", dir.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            let who = if holder.is_empty() {
                "another `hlidac run`".to_string()
            } else {
                format!("another `hlidac run` ({holder})")
            };
            return Err(format!(
                "{who} is already using the SQLite database {db}: one database serves one \
                 `hlidac run`. Stop the other one, or give this one its own state_dir; to run \
                 several instances, use PostgreSQL (database.url)"
            ));
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(format!("cannot lock {}: {e}", path.display()))
        }
    }
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let me = format!("pid {} on {}", std::process::id(), host.trim());
    let _ = file.set_len(0);
    let _ = file.rewind();
    let _ = file.write_all(me.as_bytes());
    Ok(Some(RunLock { _file: file }))
}
