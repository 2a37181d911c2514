//! The `go` probes of one check are shared by their inputs: when the editor and the login shell
//! run the same `go` with the same Go settings (the healthy, common case) `go env` runs once,
//! and any difference cmd/go would see — another binary, another GOFLAGS, another HOME — runs it
//! again. Real Go toolchains; what is counted is how many probes started `go`.

use crate::support;

use go_env_doctor::facts::go::{probe, Runs};
use go_env_doctor::model::CommandResult;
use std::collections::BTreeMap;
use std::path::Path;

const GO122: &str = "1.22.10";
const GO121: &str = "1.21.13";

struct World {
    _dir: tempfile::TempDir,
    ws: std::path::PathBuf,
    env: BTreeMap<String, String>,
}

fn world(version: &str) -> World {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(&home).expect("mkdir");
    std::fs::create_dir_all(&ws).expect("mkdir");
    std::fs::write(ws.join("go.mod"), "module example.com/x\n\ngo 1.21\n").expect("go.mod");
    let env: BTreeMap<String, String> = [
        ("HOME".to_string(), home.display().to_string()),
        (
            "PATH".to_string(),
            format!("{}/bin:/usr/bin:/bin", support::goroot(version).display()),
        ),
    ]
    .into();
    World { _dir: dir, ws, env }
}

fn gopath(r: &go_env_doctor::facts::go::GoRun) -> String {
    match &r.env_json {
        CommandResult::Ok { value, .. } => value.get("GOPATH").cloned().unwrap_or_default(),
        other => panic!("go env failed: {other:?}"),
    }
}

fn go_env(r: &go_env_doctor::facts::go::GoRun, key: &str) -> String {
    match &r.env_json {
        CommandResult::Ok { value, .. } => value.get(key).cloned().unwrap_or_default(),
        other => panic!("go env failed: {other:?}"),
    }
}

#[test]
fn two_sides_with_the_same_inputs_run_go_once_and_agree() {
    let w = world(GO122);
    let go = support::go_binary(GO122);
    let runs = Runs::default();
    // The shell side usually adds noise the editor does not have: other PATH entries, prompt
    // variables. cmd/go reads none of it.
    let mut shell_env = w.env.clone();
    shell_env.insert("PATH".into(), format!("/opt/none:{}", w.env["PATH"]));
    shell_env.insert("PS1".into(), "$ ".into());
    // A shell sets PWD; cmd/go reads it (os.Getwd), but here it names the real path anyway.
    shell_env.insert("PWD".into(), w.ws.display().to_string());
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| probe(&runs, &go, &w.env, &w.ws, None));
        let b = s.spawn(|| probe(&runs, &go, &shell_env, &w.ws, None));
        (a.join().expect("editor"), b.join().expect("shell"))
    });
    assert_eq!(runs.started(), 1, "go ran once for both sides");
    assert_eq!(go_env(&a, "GOVERSION"), "go1.22.10");
    assert_eq!(a.env_json, b.env_json);
    assert!(gopath(&a).ends_with("home/go"), "{}", gopath(&a));
}

#[test]
fn anything_cmd_go_reads_makes_a_second_run() {
    let w = world(GO122);
    let go = support::go_binary(GO122);
    let runs = Runs::default();
    let base = probe(&runs, &go, &w.env, &w.ws, None);

    let mut flags = w.env.clone();
    flags.insert("GOFLAGS".into(), "-mod=mod".into());
    let with_flags = probe(&runs, &go, &flags, &w.ws, None);
    assert_eq!(runs.started(), 2);
    assert_eq!(go_env(&with_flags, "GOFLAGS"), "-mod=mod");
    assert_eq!(go_env(&base, "GOFLAGS"), "");
    // GOFLAGS set: `go version` runs too, for the errors `go env` hides.
    assert!(with_flags.version.is_some() && base.version.is_none());

    let mut other_home = w.env.clone();
    other_home.insert("HOME".into(), w.ws.display().to_string());
    let moved = probe(&runs, &go, &other_home, &w.ws, None);
    assert_eq!(runs.started(), 3);
    assert_eq!(gopath(&moved), w.ws.join("go").display().to_string());

    let older = support::go_binary(GO121);
    let r = probe(&runs, &older, &w.env, &w.ws, None);
    assert_eq!(runs.started(), 4);
    assert_eq!(go_env(&r, "GOVERSION"), "go1.21.13");

    // PWD spelling the folder through a symlink: os.Getwd keeps that spelling, so GOMOD
    // differs and go runs again.
    let link = w.ws.with_file_name("ws-link");
    std::os::unix::fs::symlink(&w.ws, &link).expect("symlink");
    let mut linked = w.env.clone();
    linked.insert("PWD".into(), link.display().to_string());
    let via_link = probe(&runs, &go, &linked, &w.ws, None);
    assert_eq!(runs.started(), 5);
    assert_eq!(
        go_env(&via_link, "GOMOD"),
        link.join("go.mod").display().to_string()
    );
    assert_eq!(
        go_env(&base, "GOMOD"),
        std::fs::canonicalize(&w.ws)
            .expect("canonical")
            .join("go.mod")
            .display()
            .to_string()
    );

    // Asking again with the first inputs reuses the first run.
    let again = probe(&runs, &go, &w.env, Path::new(&w.ws), None);
    assert_eq!(runs.started(), 5);
    assert_eq!(again.env_json, base.env_json);
}
