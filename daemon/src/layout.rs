//! Checks of the source tree's shape, run with the unit tests
//! (`cargo test -p hlidac --lib layout`):
//! - no source file of the daemon, the adapters or the simulator is over 700 lines;
//! - `impl App` appears only in `app.rs`;
//! - the folders of `daemon/src` import each other without a circle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 700;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let p = entry.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn relative(p: &Path) -> String {
    p.strip_prefix(root())
        .expect("under the root")
        .to_string_lossy()
        .into_owned()
}

fn sources(dirs: &[&str]) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for d in dirs {
        rust_files(&root().join(d), &mut files);
    }
    files.sort();
    files
        .iter()
        .map(|p| (relative(p), std::fs::read_to_string(p).expect("read")))
        .collect()
}

/// The folder (or top-level file) of `daemon/src` a path belongs to.
fn folder(rel: &str) -> String {
    let inner = rel.strip_prefix("daemon/src/").expect("daemon/src");
    let first = inner.split('/').next().unwrap_or(inner);
    first.trim_end_matches(".rs").to_string()
}

/// The top-level modules named by `crate::…` paths in `text`, including each name in a
/// `crate::{a, b::c}` group.
fn crate_imports(text: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut found = BTreeSet::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut item_start = Some(0usize);
            for (i, c) in group.char_indices() {
                if let Some(s) = item_start {
                    if !c.is_whitespace() {
                        let name = ident(&group[s.max(i)..]);
                        if !name.is_empty() {
                            found.insert(name);
                        }
                        item_start = None;
                    }
                }
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = Some(i + 1),
                    _ => {}
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

/// Folder → the folders it imports, for `daemon/src`.
fn import_graph() -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeSet<String> = sources(&["daemon/src"])
        .iter()
        .map(|(rel, _)| folder(rel))
        .collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, text) in sources(&["daemon/src"]) {
        let from = folder(&rel);
        // A test module may reach anywhere; only the code that runs forms the graph.
        let code = text
            .split("#[cfg(test)]\nmod tests {")
            .next()
            .unwrap_or(&text);
        // Doc links name a module without depending on it.
        let code: String = code
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for to in crate_imports(&code) {
            if to != from && modules.contains(&to) {
                graph.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    graph
}

/// A circle in `graph`, as the folders along it, if there is one.
fn find_circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut circle = path[at..].to_vec();
            circle.push(node.to_string());
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_source_file_is_over_700_lines() {
    let mut long = Vec::new();
    for (rel, text) in sources(&["daemon/src", "adapters/src", "sim/src"]) {
        let lines = text.lines().count();
        if lines > MAX_LINES {
            long.push(format!("{rel}: {lines} lines"));
        }
    }
    assert!(long.is_empty(), "{long:#?}");
}

#[test]
fn impl_app_is_only_in_app_rs() {
    let wrong: Vec<String> = sources(&["daemon/src"])
        .into_iter()
        .filter(|(rel, text)| {
            rel != "daemon/src/app.rs" && text.lines().any(|l| l.starts_with("impl App"))
        })
        .map(|(rel, _)| rel)
        .collect();
    assert!(wrong.is_empty(), "impl App outside app.rs: {wrong:?}");
}

#[test]
fn the_folders_import_each_other_without_a_circle() {
    if let Some(circle) = find_circle(&import_graph()) {
        panic!("an import circle: {}", circle.join(" → "));
    }
}

#[test]
fn the_import_reader_sees_groups_and_paths() {
    let text = "use crate::{a::B, b, c::{d, e}};\nlet x = crate::f::g();\n";
    let found: Vec<String> = crate_imports(text).into_iter().collect();
    assert_eq!(found, ["a", "b", "c", "f"]);
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a".to_string(), BTreeSet::from(["b".to_string()])),
        ("b".to_string(), BTreeSet::from(["a".to_string()])),
    ]
    .into();
    assert_eq!(
        find_circle(&graph),
        Some(vec!["a".into(), "b".into(), "a".into()])
    );
}
