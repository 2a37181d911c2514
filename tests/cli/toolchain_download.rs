//! `toolchain-download-fails` against the REAL cmd/go (Go 1.21.13, 1.22.10 and 1.25.5), with no
//! network needed: in a module whose go.mod asks for go 1.99.0, each configuration below is
//! given to the real `go version` (which tries to switch toolchains) and to `go-env-doctor
//! check`. The prediction must agree with what Go does: an error exactly when Go answers
//! "toolchain not available", quoting that line; otherwise the download notice. Configurations
//! with a real proxy URL point at a closed local port, so Go fails fast with a network error —
//! a download it did attempt, which is what `toolchain-will-download` predicts. (`…|off` after
//! such a proxy is left out: `|` falls through on any error, so the closed port would turn an
//! attempted download into `off`'s answer — a network failure, not the configuration. A
//! `file://` proxy is predicted to serve the toolchain — a mirror usually does — while one that
//! lacks it answers "toolchain not available" at run time; the rules do not look inside it.)
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use crate::support;
use serde_json::Value;
use std::process::{Command, Stdio};

const VERSIONS: &[&str] = &["1.21.13", "1.22.10", "1.25.5"];

/// Go env file lines, each a configuration.
const CONFIGS: &[&str] = &[
    "GOPROXY=off",
    "GOPROXY=direct",
    "GOPROXY=direct,off",
    "GOPROXY=off,http://127.0.0.1:9",
    "GOPROXY=http://127.0.0.1:9,direct",
    "GOPROXY=direct,http://127.0.0.1:9",
    "GOPROXY=direct|http://127.0.0.1:9",
    "GOPRIVATE=*",
    "GOPRIVATE=golang.org",
    "GOPRIVATE=corp.example.com,golang.org/toolchain",
    "GOPRIVATE=corp.example.com",
    "GONOPROXY=golang.org/*",
    "GONOPROXY=golang.org/x",
    "GOSUMDB=off",
];

#[test]
fn predictions_agree_with_the_real_go_for_every_configuration() {
    let mut checked = 0;
    for version in VERSIONS {
        for config in CONFIGS {
            let dir = tempfile::Builder::new()
                .prefix("geddownload-")
                .tempdir_in("/tmp")
                .unwrap();
            let root = dir.path().canonicalize().unwrap();
            let home = root.join("home");
            let ws = root.join("ws");
            std::fs::create_dir_all(home.join(".config/go")).unwrap();
            std::fs::create_dir_all(&ws).unwrap();
            std::fs::write(ws.join("go.mod"), "module example.com/m\n\ngo 1.99.0\n").unwrap();
            let mut lines = format!("{config}\n");
            if !config.starts_with("GOPROXY") {
                // The proxy stays reachable-looking but closed: no real network traffic.
                lines.push_str("GOPROXY=http://127.0.0.1:9,direct\n");
            }
            std::fs::write(home.join(".config/go/env"), &lines).unwrap();
            std::fs::write(root.join("user-settings.json"), "{}\n").unwrap();
            let goroot = support::goroot(version);
            let path = format!("{}:/usr/bin:/bin", goroot.join("bin").display());
            let env = [
                ("HOME", home.display().to_string()),
                ("PATH", path),
                (
                    "GO_ENV_DOCTOR_USER_SETTINGS",
                    root.join("user-settings.json").display().to_string(),
                ),
            ];

            let go = Command::new(support::go_binary(version))
                .arg("version")
                .env_clear()
                .envs(env.iter().map(|(k, v)| (*k, v)))
                .current_dir(&ws)
                .stdin(Stdio::null())
                .output()
                .unwrap();
            let go_err = String::from_utf8_lossy(&go.stderr).into_owned();
            let not_available = go_err
                .lines()
                .find(|l| l.ends_with("toolchain not available"))
                .map(str::to_string);
            assert!(
                go_err.contains("go: downloading go1.99.0"),
                "Go {version} with {config:?} did not try to switch: {go_err}"
            );

            let ours = Command::new(support::bin())
                .args(["check", "ws", "--no-shell", "--format", "json"])
                .env_clear()
                .envs(env.iter().map(|(k, v)| (*k, v)))
                .current_dir(&root)
                .stdin(Stdio::null())
                .output()
                .unwrap();
            let report: Value = serde_json::from_slice(&ours.stdout).unwrap_or_else(|e| {
                panic!(
                    "{e}: {}\n{}",
                    String::from_utf8_lossy(&ours.stdout),
                    String::from_utf8_lossy(&ours.stderr)
                )
            });
            let codes: Vec<&str> = report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|f| f["code"].as_str())
                .filter(|c| c.starts_with("toolchain-"))
                .collect();
            match &not_available {
                Some(line) => {
                    assert_eq!(
                        codes,
                        ["toolchain-download-fails"],
                        "Go {version} with {config:?} says {line:?}"
                    );
                    let message = report["findings"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|f| f["code"] == "toolchain-download-fails")
                        .and_then(|f| f["message"].as_str())
                        .unwrap();
                    assert!(
                        message.contains(&format!("it fails with \"{line}\"")),
                        "Go {version} with {config:?}: Go's own words {line:?} in {message}"
                    );
                }
                None => assert_eq!(
                    codes,
                    ["toolchain-will-download"],
                    "Go {version} with {config:?} attempted the download: {go_err}"
                ),
            }
            checked += 1;
        }
    }
    eprintln!("{checked} configurations agreed with the real Go");
    assert_eq!(checked, VERSIONS.len() * CONFIGS.len());
}
