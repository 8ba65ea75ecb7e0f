//! The config loader as `check-config` and `run` use it (`settings::load_str`: TOML, then
//! every check), on a worker's stack: never a crash, whatever the file says.
//!
//! Relative paths in the file resolve under a directory that does not exist, so the
//! files it names are not found. A file that names a device or a kernel file (which may
//! never end, like /dev/zero) or spells a path with a TOML unicode escape is not tried.
#![no_main]

use hlidac::config::Overrides;
use hlidac::settings::load_str;
use hlidac_fuzz::on_worker_stack;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

const NOT_TRIED: &[&str] = &[
    "dev", "proc", "/sys", "sys/", "/run", "run/", "/fd", "fd/", "\\u",
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lower = text.to_ascii_lowercase();
    if NOT_TRIED.iter().any(|w| lower.contains(w)) {
        return;
    }
    on_worker_stack(|| {
        let path = Path::new("/nonexistent/hlidac-fuzz/hlidac.toml");
        let _ = load_str(text, path, &Overrides::default());
    });
});
