//! Every example in config/ loads, and `hlidac check-config` reports all mistakes at once.

use crate::helpers::{hlidac_with_config, repo_root};
use hlidac::config::Overrides;
use hlidac::settings::load;

#[test]
fn every_file_in_config_loads() {
    let dir = repo_root().join("config");
    let mut loaded = 0;
    for entry in std::fs::read_dir(&dir).expect("config dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            let config = load(&path, &Overrides::default()).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                !config.tenants.is_empty(),
                "{} has a tenant",
                path.display()
            );
            loaded += 1;
        }
    }
    assert!(loaded >= 2, "found {loaded} example configs");
}

fn check_config(path: &std::path::Path) -> (i32, String, String) {
    let out = hlidac_with_config(path)
        .arg("check-config")
        .env_remove("HLIDAC_LOG")
        .output()
        .expect("run hlidac");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn check_config_accepts_the_demo() {
    let (code, stdout, stderr) = check_config(&repo_root().join("config/demo.toml"));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("ok (1 tenant(s), 1 source(s))"), "{stdout}");
}

#[test]
fn check_config_prints_all_three_mistakes_with_their_key_paths() {
    let demo = std::fs::read_to_string(repo_root().join("config/demo.toml")).expect("demo");
    let broken = demo
        .replace(
            "schedule = \"*/5 * * * * *\"",
            "schedule = \"every five seconds\"",
        )
        .replace(
            "time_zone = \"Europe/Prague\"",
            "time_zone = \"Europe/Lhota\"",
        )
        .replace(
            "listen = \"127.0.0.1:8480\"",
            "listen = \"127.0.0.1:8480\"\nlisen = \"typo\"",
        );
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("broken.toml");
    std::fs::write(&path, broken).expect("write");
    let (code, _, stderr) = check_config(&path);
    assert_eq!(code, 78, "{stderr}");
    assert!(stderr.contains("3 errors"), "{stderr}");
    for needle in [
        "tenant[0].source[0].schedule",
        "tenant[0].time_zone",
        "web",
        "lisen",
        "hint:",
    ] {
        assert!(stderr.contains(needle), "{needle:?} missing in:\n{stderr}");
    }
}

#[test]
fn a_missing_config_file_is_a_clear_error() {
    let (code, _, stderr) = check_config(std::path::Path::new("/nonexistent/hlidac.toml"));
    assert_eq!(code, 78);
    assert!(stderr.contains("cannot read the config file"), "{stderr}");
}
