//! go-env-doctor resolves GOTOOLCHAIN from its layers instead of asking `go env GOTOOLCHAIN`
//! (one process fewer per side). This suite holds that resolution to real Go: in every layer
//! case, the value in the report equals what `go env GOTOOLCHAIN` prints, and the origin names
//! the layer it came from.

use crate::support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

struct Case {
    name: &'static str,
    os_env: &'static [(&'static str, &'static str)],
    env_file: Option<&'static str>,
    origin: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "go.env default",
        os_env: &[],
        env_file: None,
        origin: "goroot-go.env",
    },
    Case {
        name: "env file",
        os_env: &[],
        env_file: Some("GOTOOLCHAIN=local\n"),
        origin: "env-file",
    },
    Case {
        name: "empty env-file line",
        os_env: &[],
        env_file: Some("GOTOOLCHAIN=\n"),
        origin: "env-file",
    },
    Case {
        name: "OS env beats env file",
        os_env: &[("GOTOOLCHAIN", "path")],
        env_file: Some("GOTOOLCHAIN=local\n"),
        origin: "os-env",
    },
    Case {
        name: "empty OS env counts as unset",
        os_env: &[("GOTOOLCHAIN", "")],
        env_file: Some("GOTOOLCHAIN=go1.22.10+auto\n"),
        origin: "env-file",
    },
    Case {
        name: "GOENV=off skips the env file",
        os_env: &[("GOENV", "off")],
        env_file: Some("GOTOOLCHAIN=local\n"),
        origin: "goroot-go.env",
    },
];

fn run_case(version: &str, case: &Case) {
    let root = tempfile::tempdir().expect("tempdir");
    let home = root.path().join("home");
    let ws = root.path().join("ws");
    std::fs::create_dir_all(home.join(".config/go")).expect("mkdir");
    std::fs::create_dir_all(&ws).expect("mkdir");
    std::fs::write(ws.join("go.mod"), "module example.com/x\n\ngo 1.21\n").expect("go.mod");
    if let Some(text) = case.env_file {
        std::fs::write(home.join(".config/go/env"), text).expect("env file");
    }
    let goroot = support::goroot(version);
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    env.insert("HOME".into(), home.display().to_string());
    env.insert(
        "PATH".into(),
        format!("{}/bin:/usr/bin:/bin", goroot.display()),
    );
    for (k, v) in case.os_env {
        env.insert((*k).into(), (*v).into());
    }

    let real = Command::new(goroot.join("bin/go"))
        .args(["env", "GOTOOLCHAIN"])
        .env_clear()
        .envs(&env)
        .current_dir(&ws)
        .stdin(Stdio::null())
        .output()
        .expect("run real go");
    assert!(
        real.status.success(),
        "{}: real go failed: {}",
        case.name,
        String::from_utf8_lossy(&real.stderr)
    );
    let real = String::from_utf8_lossy(&real.stdout).trim().to_string();

    let ours = Command::new(support::bin())
        .args([
            "check",
            &ws.display().to_string(),
            "--no-shell",
            "--format",
            "json",
        ])
        .env_clear()
        .envs(&env)
        .env("GO_ENV_DOCTOR_USER_SETTINGS", root.path().join("none.json"))
        .current_dir(&ws)
        .stdin(Stdio::null())
        .output()
        .expect("run go-env-doctor");
    let report: serde_json::Value = serde_json::from_slice(&ours.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: report is not JSON ({e}): {}",
            case.name,
            String::from_utf8_lossy(&ours.stdout)
        )
    });
    let entry = &report["sides"]["editor"]["env"]["GOTOOLCHAIN"];
    assert_eq!(
        entry["value"].as_str(),
        Some(real.as_str()),
        "go{version}, {}: report says {entry}, `go env GOTOOLCHAIN` says {real:?}",
        case.name
    );
    assert_eq!(
        entry["origin"], case.origin,
        "go{version}, {}: {entry}",
        case.name
    );
    if case.origin == "goroot-go.env" {
        let path = entry["path"].as_str().map(Path::new);
        assert_eq!(
            path,
            Some(goroot.join("go.env").as_path()),
            "{}: {entry}",
            case.name
        );
    }
}

#[test]
fn gotoolchain_from_layers_matches_real_go_1_21() {
    for case in CASES {
        run_case("1.21.13", case);
    }
}

#[test]
fn gotoolchain_from_layers_matches_real_go_1_25() {
    for case in CASES {
        run_case("1.25.5", case);
    }
}
