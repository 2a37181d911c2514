//! The module structure the code promises (see the README's Development section): data flows
//! one way, from `model` up to the front ends, with no module cycles.
//!
//! Read from the source (code only, comments stripped): every `crate::<module>` a top-level
//! module names is a dependency.
//!
//! Also the layout of the test binaries themselves (docs/ARCHITECTURE.md, *Tests*).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src").flatten() {
        let p = entry.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Top-level module → the top-level modules its code names.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).expect("under src");
        let first = rel
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or_default();
        let top = first.trim_end_matches(".rs").to_string();
        if top == "lib" || top == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read source");
        let deps = out.entry(top.clone()).or_default();
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or("");
            let mut rest = code;
            while let Some(at) = rest.find("crate::") {
                rest = &rest[at + "crate::".len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if !name.is_empty() && name != top {
                    deps.insert(name);
                }
            }
        }
    }
    out
}

/// A cycle through `start`, if there is one.
fn cycle_from(
    g: &BTreeMap<String, BTreeSet<String>>,
    node: &str,
    path: &mut Vec<String>,
    done: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    if let Some(i) = path.iter().position(|p| p == node) {
        let mut c = path[i..].to_vec();
        c.push(node.to_string());
        return Some(c);
    }
    if done.contains(node) {
        return None;
    }
    path.push(node.to_string());
    for next in g.get(node).into_iter().flatten() {
        if let Some(c) = cycle_from(g, next, path, done) {
            return Some(c);
        }
    }
    path.pop();
    done.insert(node.to_string());
    None
}

#[test]
fn there_is_no_module_cycle() {
    let g = graph();
    let mut done = BTreeSet::new();
    for node in g.keys() {
        if let Some(c) = cycle_from(&g, node, &mut Vec::new(), &mut done) {
            panic!("module cycle: {}\ngraph: {g:#?}", c.join(" -> "));
        }
    }
}

#[test]
fn each_layer_depends_only_on_the_layers_below_it() {
    let g = graph();
    // What every layer above the Go-env core may use.
    const BELOW: &[&str] = &["model", "settings", "goenv", "goport", "redact"];
    let allowed: &[(&str, Vec<&str>)] = &[
        ("model", vec![]),
        ("redact", vec![]),
        ("goport", vec![]),
        ("settings", vec!["model", "goport"]),
        ("catalogue", vec!["model"]),
        ("goenv", vec!["model", "settings", "goport"]),
        // IO; never judges.
        ("facts", [BELOW, &["print_env"]].concat()),
        // Pure; never does IO.
        ("rules", [BELOW, &["catalogue"]].concat()),
        ("report", [BELOW, &["catalogue"]].concat()),
        // Runs fixes (IO) for both front ends.
        ("fixes", [BELOW, &["facts", "rules"]].concat()),
        (
            "lsp",
            [BELOW, &["catalogue", "facts", "fixes", "rules", "report"]].concat(),
        ),
    ];
    for (module, may) in allowed {
        let deps = g.get(*module).cloned().unwrap_or_default();
        // `test_support` holds unit-test helpers, compiled only under cfg(test): no layer.
        let extra: Vec<&String> = deps
            .iter()
            .filter(|d| !may.contains(&d.as_str()) && d.as_str() != "test_support")
            .collect();
        assert!(
            extra.is_empty(),
            "{module} depends on {extra:?}, which it must not (allowed: {may:?})"
        );
    }
}

#[test]
fn only_the_language_server_knows_lsp_types() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    for file in files {
        let rel = file.strip_prefix(&src).expect("under src");
        if rel.starts_with("lsp") {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read source");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            assert!(
                !code.contains("lsp_types::") && !code.contains("tower_lsp_server::"),
                "{}:{}: LSP types outside server/src/lsp: {line}",
                rel.display(),
                n + 1
            );
        }
    }
}

/// Every process is started by `facts` (its own process group, bounded output, a deadline,
/// cancellation, and the trust gate before any `go`): a front end or the fix executors that
/// spawned a child themselves would bypass all of that.
#[test]
fn only_facts_starts_processes() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    for file in files {
        let rel = file.strip_prefix(&src).expect("under src");
        if rel.starts_with("facts") {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read source");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            assert!(
                !code.contains("process::Command") && !code.contains("Command::new("),
                "{}:{}: a process started outside server/src/facts: {line}",
                rel.display(),
                n + 1
            );
        }
    }
}

/// The test binaries (docs/ARCHITECTURE.md, *Tests*): each `[[test]]` of server/Cargo.toml is a
/// `tests/<name>/main.rs`, and every other `.rs` file of that directory is one of its `mod`s —
/// a file that no `main.rs` declares would never be compiled, its tests silently gone.
#[test]
fn every_test_file_belongs_to_a_test_binary() {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests");
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .expect("read server/Cargo.toml");
    let binaries: Vec<String> = manifest
        .lines()
        .filter_map(|l| l.strip_prefix("path = \"../tests/"))
        .filter_map(|l| l.strip_suffix("/main.rs\""))
        .map(str::to_string)
        .collect();
    let declared_tests = manifest.matches("[[test]]").count();
    assert_eq!(
        binaries.len(),
        declared_tests,
        "every [[test]] is a tests/<name>/main.rs: {binaries:?}"
    );
    // Directories that are no binary: the shared support modules.
    const SUPPORT: &[&str] = &["support", "fuzz_support"];
    for entry in std::fs::read_dir(&tests).expect("read tests/").flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if path.is_dir() {
            assert!(
                binaries.contains(&name) || SUPPORT.contains(&name.as_str()),
                "tests/{name}/ is neither a test binary in server/Cargo.toml nor a support module"
            );
        } else {
            assert!(
                path.extension().is_none_or(|e| e != "rs"),
                "tests/{name}: a test file belongs in a layer's directory (tests/<layer>/)"
            );
        }
    }
    for binary in &binaries {
        let dir = tests.join(binary);
        let main = std::fs::read_to_string(dir.join("main.rs")).expect("read main.rs");
        for entry in std::fs::read_dir(&dir)
            .expect("read the binary's directory")
            .flatten()
        {
            let file = entry.file_name().to_string_lossy().to_string();
            let Some(module) = file.strip_suffix(".rs") else {
                continue;
            };
            if module == "main" {
                continue;
            }
            assert!(
                main.lines().any(|l| l.trim() == format!("mod {module};")),
                "tests/{binary}/{file} is not declared in tests/{binary}/main.rs (`mod {module};`)"
            );
        }
    }
}
