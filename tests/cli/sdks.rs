//! `go-env-doctor sdks`: the inventory of a HOME holding REAL Go SDKs the way installers leave
//! them (a golang.org/dl download in `~/sdk`, a goenv version, a toolchain GOTOOLCHAIN
//! downloaded into the module cache), each read statically — the test checks nothing ran by
//! comparing the versions with the real `go version` of each SDK.
#![allow(clippy::unwrap_used)]

use crate::support;
use serde_json::Value;
use std::process::{Command, Stdio};

#[test]
fn sdks_lists_each_real_sdk_with_its_version_and_installer() {
    let dir = tempfile::Builder::new()
        .prefix("gedsdks-")
        .tempdir_in("/tmp")
        .unwrap();
    let home = dir.path().canonicalize().unwrap().join("home");
    std::fs::create_dir_all(home.join("sdk")).unwrap();
    std::fs::create_dir_all(home.join(".goenv/versions")).unwrap();
    std::fs::create_dir_all(home.join("go/pkg/mod/golang.org")).unwrap();
    std::os::unix::fs::symlink(support::goroot("1.25.5"), home.join("sdk/go1.25.5")).unwrap();
    std::os::unix::fs::symlink(
        support::goroot("1.22.10"),
        home.join(".goenv/versions/1.22.10"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        support::goroot("1.21.13"),
        home.join("go/pkg/mod/golang.org/toolchain@v0.0.1-go1.21.13.linux-amd64"),
    )
    .unwrap();
    let run = |format: &str| {
        Command::new(support::bin())
            .args(["sdks", "--format", format])
            .env_clear()
            .env("HOME", &home)
            .env("PATH", "/usr/bin:/bin")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let out = run("json");
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let sdks = json["sdks"].as_array().unwrap();
    let mine: Vec<(&str, &str)> = sdks
        .iter()
        .filter(|s| {
            s["path"]
                .as_str()
                .unwrap()
                .starts_with(home.to_str().unwrap())
        })
        .map(|s| {
            (
                s["version"].as_str().unwrap(),
                s["installer"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        mine,
        [
            ("go1.21.13", "toolchain-download"),
            ("go1.25.5", "golang-dl"),
            ("go1.22.10", "goenv"),
        ]
    );
    for s in sdks {
        // The static version is what the SDK's own `go version` says.
        let go = std::path::Path::new(s["path"].as_str().unwrap()).join("bin/go");
        let real = Command::new(&go)
            .arg("version")
            .env("GOTOOLCHAIN", "local")
            .output()
            .unwrap();
        let real = String::from_utf8_lossy(&real.stdout);
        assert!(
            real.starts_with(&format!("go version {} ", s["version"].as_str().unwrap())),
            "{real} vs {s}"
        );
        assert_eq!(
            s["canonical"].as_str().unwrap(),
            go.parent()
                .unwrap()
                .parent()
                .unwrap()
                .canonicalize()
                .unwrap()
                .to_str()
                .unwrap()
        );
    }
    let human = String::from_utf8(run("human").stdout).unwrap();
    assert!(
        human.contains("go1.25.5   golang.org/dl") && human.contains("~/sdk/go1.25.5 → "),
        "{human}"
    );
}
