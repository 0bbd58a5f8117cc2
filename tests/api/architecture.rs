//! The module ladder of docs/architecture.md, checked against the code: every module of `src/`
//! is on a rung, and every `crate::` path in it names a module on a lower rung, so no module
//! imports one above it (or beside it) and the modules cannot form an import cycle.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Modules whose folders hold independent units (one per subfolder or file).
const CONTAINERS: [&str; 1] = ["resources"];

/// The rungs of the ladder block in docs/architecture.md, top first: unit → rung (0 = top).
fn ladder() -> BTreeMap<String, usize> {
    let doc = std::fs::read_to_string(repo().join("docs/architecture.md")).expect("docs");
    let block = doc
        .split("```ladder\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("docs/architecture.md has a ```ladder block");
    let mut rungs = BTreeMap::new();
    for (rung, line) in block.lines().enumerate() {
        let units = line.split('#').next().unwrap_or_default();
        for unit in units.split(',').map(str::trim).filter(|u| !u.is_empty()) {
            let previous = rungs.insert(unit.to_string(), rung);
            assert!(previous.is_none(), "`{unit}` is on the ladder twice");
        }
    }
    rungs
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The unit a module path (`["resources", "commitments", "model"]`) belongs to.
fn unit_of(path: &[&str]) -> Option<String> {
    let first = *path.first()?;
    if CONTAINERS.contains(&first) {
        return path.get(1).map(|child| format!("{first}::{child}"));
    }
    Some(first.to_string())
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without its comments (doc comments name modules they do not import).
fn code_of(text: &str) -> String {
    text.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The module paths a file's code names: `crate::a::b` and each branch of `crate::{a, b::c}`.
fn named_paths(code: &str) -> Vec<Vec<String>> {
    let ident = |s: &str| -> Vec<String> {
        let end = s
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(s.len());
        s[..end]
            .split("::")
            .take_while(|part| !part.is_empty())
            .map(str::to_string)
            .collect()
    };
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        let after = &rest[at + "crate::".len()..];
        rest = after;
        if before.is_some_and(|c| c == '$' || c.is_ascii_alphanumeric() || c == '_') {
            continue; // `$crate::` in a macro, or a longer identifier
        }
        if let Some(group) = after.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            paths.extend(group.split(',').map(|branch| ident(branch.trim())));
        } else {
            paths.push(ident(after));
        }
    }
    paths.retain(|p| !p.is_empty());
    paths
}

#[test]
fn no_module_imports_one_above_or_beside_it() {
    let rungs = ladder();
    let src = repo().join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut violations = Vec::new();
    let mut units_seen = 0;
    for file in &files {
        let relative = file.strip_prefix(&src).expect("under src");
        let mut path: Vec<&str> = relative
            .iter()
            .map(|part| part.to_str().expect("UTF-8 path"))
            .collect();
        let last = path.pop().expect("a file name").trim_end_matches(".rs");
        if !matches!(last, "mod" | "lib" | "main") {
            path.push(last);
        }
        let Some(unit) = unit_of(&path) else {
            continue; // lib.rs, main.rs, resources/mod.rs: module declarations only
        };
        let Some(&rung) = rungs.get(&unit) else {
            violations.push(format!(
                "{}: `{unit}` is not on the ladder",
                relative.display()
            ));
            continue;
        };
        units_seen += 1;
        let code = code_of(&std::fs::read_to_string(file).expect("readable"));
        for named in named_paths(&code) {
            let parts: Vec<&str> = named.iter().map(String::as_str).collect();
            let Some(target) = unit_of(&parts) else {
                continue; // `crate::resources` itself: a container, not a unit
            };
            if target == unit {
                continue;
            }
            match rungs.get(&target) {
                Some(&target_rung) if target_rung > rung => {}
                Some(_) => violations.push(format!(
                    "{}: `{unit}` imports `crate::{}`, which is not below it",
                    relative.display(),
                    named.join("::")
                )),
                None => violations.push(format!(
                    "{}: names `crate::{}`, whose module `{target}` is not on the ladder",
                    relative.display(),
                    named.join("::")
                )),
            }
        }
    }
    assert!(units_seen > 50, "only {units_seen} files were checked");
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn the_path_reader_sees_groups_nested_paths_and_skips_macros_and_comments() {
    let code = code_of(
        "use crate::db::{self, DbPool};\nuse crate::resources;\nuse crate::{body::Fields, error};\n\
         // crate::app in a comment\nlet x = $crate::listing::docs::f();\ncrate::metrics::observe();",
    );
    assert_eq!(
        named_paths(&code),
        vec![
            vec!["db".to_string()],
            vec!["resources".to_string()],
            vec!["body".to_string(), "Fields".to_string()],
            vec!["error".to_string()],
            vec!["metrics".to_string(), "observe".to_string()],
        ]
    );
    assert_eq!(
        unit_of(&["resources", "commitments", "model"]).as_deref(),
        Some("resources::commitments")
    );
}
