//! The two migration folders describe one schema: the same files, the same statements,
//! word for word, apart from the opening comment of the first that names its engine. A
//! migration added to one folder and forgotten in the other fails here, not on a state
//! data centre's PostgreSQL.

use std::path::Path;

fn folder(engine: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(engine);
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("file name")
                .to_string();
            let text = std::fs::read_to_string(&path).expect("read migration");
            (name, text)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn the_sqlite_and_postgresql_migrations_are_the_same_schema() {
    let sqlite = folder("sqlite");
    let postgres = folder("postgres");
    let names = |f: &[(String, String)]| f.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&sqlite), names(&postgres), "the same migrations");
    for ((name, a), (_, b)) in sqlite.iter().zip(&postgres) {
        let a = a.replacen("SQLite", "ENGINE", 1);
        let b = b.replacen("PostgreSQL", "ENGINE", 1);
        assert_eq!(a, b, "{name} differs between the engines");
    }
}
