//! Real settings files (the TinyGo ones of the real corpus) checked end to end with a real Go,
//! and the GOFLAGS fix verified by running the real `go version` under the fixed value.
//!
//! The corpus is read at run time, never copied into the repository: from
//! `$GO_ENV_DOCTOR_REAL_CORPUS`, else `<repo>/../shared/real-corpus`, else
//! `/work/shared/real-corpus`.

use crate::support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The real-corpus directory; fails (never skips) with where it looked when there is none.
fn real_corpus() -> PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut tried = Vec::new();
    let candidates = std::env::var_os("GO_ENV_DOCTOR_REAL_CORPUS")
        .map(PathBuf::from)
        .into_iter()
        .chain([
            repo.join("../shared/real-corpus"),
            PathBuf::from("/work/shared/real-corpus"),
        ]);
    for c in candidates {
        if c.join("vscode-settings").is_dir() {
            return c;
        }
        tried.push(c.display().to_string());
    }
    panic!(
        "the real corpus was not found (tried {}); set GO_ENV_DOCTOR_REAL_CORPUS to its directory",
        tried.join(", ")
    );
}

/// The corpus settings files the TinyGo extension wrote (a cached GOROOT in toolsEnvVars).
fn tinygo_files() -> Vec<PathBuf> {
    let dir = real_corpus().join("vscode-settings");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            std::fs::read_to_string(p).is_ok_and(|t| {
                t.lines().any(|l| {
                    !l.trim_start().starts_with("//")
                        && (l.contains("/tinygo/goroot-") || l.contains("\\\\tinygo\\\\goroot-"))
                })
            })
        })
        .collect();
    out.sort();
    out
}

/// A temp workspace with `settings` as `.vscode/settings.json` and a go.mod.
fn workspace(settings: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = dir.path().join("w");
    std::fs::create_dir_all(ws.join(".vscode")).expect("mkdir");
    std::fs::create_dir_all(dir.path().join("home")).expect("mkdir");
    std::fs::write(ws.join(".vscode/settings.json"), settings).expect("write");
    std::fs::write(ws.join("go.mod"), "module example.com/x\n\ngo 1.22\n").expect("write");
    dir
}

fn go_env(dir: &Path) -> Vec<(String, String)> {
    let bin = support::goroot("1.22.10").join("bin");
    vec![
        ("HOME".into(), dir.join("home").display().to_string()),
        ("PATH".into(), format!("{}:/usr/bin:/bin", bin.display())),
        ("GOTOOLCHAIN".into(), "local".into()),
    ]
}

fn check(dir: &Path) -> Value {
    let out = Command::new(support::bin())
        .args(["check", "--no-shell", "--format", "json"])
        .arg(dir.join("w"))
        .env_clear()
        .envs(go_env(dir))
        .output()
        .expect("run go-env-doctor");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn findings(report: &Value) -> Vec<Value> {
    report["findings"].as_array().cloned().unwrap_or_default()
}

#[test]
fn tinygo_corpus_files_are_recognised_and_never_undone() {
    let files = tinygo_files();
    assert_eq!(files.len(), 5, "TinyGo files in the corpus: {files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read");
        let dir = workspace(&text);
        let report = check(dir.path());
        let fs = findings(&report);
        let codes: Vec<&str> = fs.iter().filter_map(|f| f["code"].as_str()).collect();
        for wrong in ["goroot-mismatch", "goflags-invalid", "go-version-mismatch"] {
            assert!(!codes.contains(&wrong), "{}: {codes:?}", file.display());
        }
        // The cached roots of other machines do not exist here: goroot-missing, saying how
        // to get the root back, with no fix that would undo the TinyGo setup.
        let missing = fs
            .iter()
            .find(|f| f["code"] == "goroot-missing")
            .unwrap_or_else(|| panic!("{}: {codes:?}", file.display()));
        let msg = missing["message"].as_str().unwrap_or_default();
        assert!(msg.contains("`tinygo` recreates"), "{msg}");
        for f in &fs {
            for fix in f["fixes"].as_array().into_iter().flatten() {
                let key = fix["key"].as_str().unwrap_or_default();
                assert!(
                    !key.ends_with(".GOROOT") && !key.ends_with(".GOFLAGS"),
                    "{}: {} offers {fix}",
                    file.display(),
                    f["code"]
                );
            }
        }
        // The TinyGo target tags are said to be what they are.
        let info = fs
            .iter()
            .find(|f| f["code"] == "tinygo-managed")
            .unwrap_or_else(|| panic!("{}: {codes:?}", file.display()));
        assert_eq!(info["severity"], "info");
        assert!(info["message"]
            .as_str()
            .unwrap_or_default()
            .contains("build tags"));
    }
}

/// The GOFLAGS a fix leaves in the settings (`None`: the member is removed).
fn goflags_after(fix: &Value) -> Option<String> {
    match fix["kind"].as_str() {
        Some("set-setting") => fix["value"].as_str().map(String::from),
        Some("remove-setting") => None,
        other => panic!("unexpected fix kind {other:?}: {fix}"),
    }
}

#[test]
fn goflags_fix_of_a_real_file_makes_go_work() {
    let file = real_corpus().join("vscode-settings/021.json");
    let original = std::fs::read_to_string(&file).expect("read 021.json");
    // The file as it is, and with a flag go does accept in front of the TinyGo ones.
    let with_mod = original.replace("\"-no-debug", "\"-mod=mod -no-debug");
    assert_ne!(original, with_mod);
    for text in [original, with_mod] {
        let dir = workspace(&text);
        let report = check(dir.path());
        let fs = findings(&report);
        let f = fs
            .iter()
            .find(|f| f["code"] == "goflags-invalid")
            .unwrap_or_else(|| panic!("{fs:#?}"));
        let fixes = f["fixes"].as_array().cloned().unwrap_or_default();
        assert!(!fixes.is_empty(), "{f}");
        // Every offered fix, the preferred one first, really makes `go` work.
        for fix in &fixes {
            let goflags = goflags_after(fix);
            let mut go = Command::new(support::go_binary("1.22.10"));
            go.arg("version").env_clear().envs(go_env(dir.path()));
            if let Some(v) = &goflags {
                go.env("GOFLAGS", v);
            }
            let out = go.output().expect("run go version");
            assert!(
                out.status.success(),
                "GOFLAGS={goflags:?} after {fix}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        // And the value as it is really fails, as the finding says.
        let out = Command::new(support::go_binary("1.22.10"))
            .arg("version")
            .env_clear()
            .envs(go_env(dir.path()))
            .env(
                "GOFLAGS",
                "-no-debug -panic=trap -scheduler=none -gc=leaking -opt=z",
            )
            .output()
            .expect("run go version");
        assert!(String::from_utf8_lossy(&out.stderr).contains("unknown flag -no-debug"));
    }
}
