//! First diagnostics ahead of the login shell's `go` (`facts::collect_speculating`,
//! `facts::go_predict`, the early publish of `lsp::queue`): on a first start the server
//! publishes what the rules make of the predicted `go env` answers as soon as the shell has
//! printed its environment, and publishes again only if the real answers differ. Real bash,
//! real Go 1.22 (the `stdio` scenarios).
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use super::stdio::{Lsp, Scenario};
use crate::support::lsp::{codes, file_uri, has_code};
use serde_json::Value;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

/// The benchmarks' shape: `go` only on the login shell's PATH (the editor was started from a
/// desktop session without it), so the shell's helper runs that `go` while the check goes on;
/// `GOCACHE=off` in the go env file gives the shell side a finding. When both sides run the
/// same `go`, the check runs it once for both and has nothing to predict. The rc file takes
/// 0.3 s, so that the first check has surely taken the shell started at `initialize` before
/// the shell prints its environment (a check that comes after the whole answer has nothing
/// to run ahead of; on a loaded machine an empty profile can be that fast).
fn shell_only_go() -> (Scenario, std::path::PathBuf) {
    let (mut s, env_file) = Scenario::gocache_off();
    s.env.insert("PATH".into(), "/usr/bin:/bin".into());
    super::stdio::append(s.home.join(".bashrc"), "sleep 0.3\n");
    (s, env_file)
}

/// The server's debug log, written to `log`.
fn logged_start(s: &mut Scenario, log: &Path) -> Lsp {
    s.env
        .insert("RUST_LOG".into(), "go_env_doctor=debug".into());
    let file = std::fs::File::create(log).unwrap();
    let mut lsp = Lsp::spawn_with_stderr(s, Stdio::from(file));
    lsp.initialize(s, &["utf-16"]);
    lsp
}

fn read(log: &Path) -> String {
    std::fs::read_to_string(log).unwrap_or_default()
}

/// Every publishDiagnostics of `path` so far, oldest first.
fn publishes(lsp: &Lsp, path: &Path) -> Vec<Vec<Value>> {
    let uri = file_uri(path);
    lsp.log
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .filter(|m| m["params"]["uri"] == uri.as_str())
        .map(|m| {
            m["params"]["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}

/// Handles messages until the first check has ended (its last log line).
fn wait_checked(lsp: &mut Lsp, log: &Path) {
    lsp.serve_until(
        "the first check did not end",
        Duration::from_millis(20),
        || read(log).contains("checked generation=1"),
    );
    // Its publish, if it made one, is on its way.
    lsp.pump(Duration::from_millis(300));
}

/// The go.mod publishes' messages, oldest first (its findings name the shell's `go` version).
fn gomod_messages(lsp: &Lsp, s: &Scenario) -> Vec<Vec<String>> {
    publishes(lsp, &s.folder.join("go.mod"))
        .iter()
        .map(|d| {
            d.iter()
                .map(|x| x["message"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .collect()
}

#[test]
fn the_first_diagnostics_come_from_the_predicted_answer_and_stand() {
    let (mut s, env_file) = shell_only_go();
    let log = s.root.join("server.log");
    let mut lsp = logged_start(&mut s, &log);
    lsp.wait_diagnostics(&env_file, has_code("gocache-off"));
    wait_checked(&mut lsp, &log);
    let text = read(&log);
    let at = |what: &str| text.find(what);
    let (early, confirmed, agreed) = (
        at("published the first analysis"),
        at("answered as predicted"),
        at("the check agrees with what was published first"),
    );
    assert!(
        early.is_some() && confirmed.is_some() && agreed.is_some(),
        "the check did not run ahead of the shell's go, or published again:\n{text}"
    );
    // What was published first is the real thing: the shell's Go 1.22.10 by name.
    let gomod = gomod_messages(&lsp, &s);
    let first = gomod.first().expect("no go.mod diagnostics");
    assert!(
        first.iter().any(|m| m.contains("go1.22.10")),
        "first go.mod diagnostics: {first:?}"
    );
    assert!(lsp.shutdown().success());
}

/// The model wrong on purpose (`GO_ENV_DOCTOR_TEST_MISPREDICT`: the predicted shell `go` says
/// it is Go 1.20.1, older than go.mod's `go 1.21`): what was published from the prediction —
/// a toolchain download that would not happen — is replaced by what the real Go 1.22.10 says,
/// within the same check.
#[test]
fn a_wrong_prediction_is_replaced_by_what_go_answered() {
    let (mut s, env_file) = shell_only_go();
    s.env.insert(
        go_env_doctor::facts::go_predict::MISPREDICT_FOR_TESTS.into(),
        "GOVERSION=go1.20.1".into(),
    );
    let log = s.root.join("server.log");
    let mut lsp = logged_start(&mut s, &log);
    lsp.wait_diagnostics(&env_file, has_code("gocache-off"));
    wait_checked(&mut lsp, &log);
    let gomod = publishes(&lsp, &s.folder.join("go.mod"));
    let first = gomod.first().expect("no go.mod diagnostics");
    let last = gomod.last().expect("no go.mod diagnostics");
    assert!(
        codes(first).contains(&"toolchain-will-download".to_string()),
        "the prediction was not published first: {:?}",
        codes(first)
    );
    assert!(
        !codes(last).contains(&"toolchain-will-download".to_string()),
        "the wrong prediction stands: {:?}",
        codes(last)
    );
    let messages = gomod_messages(&lsp, &s);
    let last_words = messages.last().unwrap();
    assert!(
        last_words.iter().any(|m| m.contains("go1.22.10"))
            && !last_words.iter().any(|m| m.contains("go1.20.1")),
        "last go.mod diagnostics: {last_words:?}"
    );
    let text = read(&log);
    assert!(
        text.contains("answered otherwise than predicted"),
        "the wrong prediction went unnoticed:\n{text}"
    );
    assert!(lsp.shutdown().success());
}

/// A client that shuts the server down as soon as it has the first diagnostics — published
/// ahead of the check's end — still leaves the probes in the persistent cache for the next
/// start (the shutdown waits for the check to write them, as it did when the first
/// diagnostics came at the check's end).
///
/// The server takes the cache's write lock before it publishes ahead of the check's end, so
/// the shutdown this publish prompts always waits; without that it only sometimes would (the
/// check usually ends within milliseconds), so this test can miss that fault on a given run.
#[test]
fn a_shutdown_right_after_the_first_diagnostics_still_keeps_the_probes() {
    let (s, env_file) = shell_only_go();
    let mut lsp = s.start();
    lsp.wait_diagnostics(&env_file, has_code("gocache-off"));
    assert!(lsp.shutdown().success());
    let probes = s.home.join(".cache/go-env-doctor/probes");
    let written: Vec<_> = std::fs::read_dir(&probes)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(
        written
            .iter()
            .any(|p| p.extension().is_some_and(|x| x == "json")),
        "no probe cache file in {}: {written:?}",
        probes.display()
    );
}
