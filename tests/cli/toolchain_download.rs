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

/// A module proxy on a local port serving one fake toolchain module (`go` and the checksum
/// database never see a real one): what a real proxy would answer up to the checksum check,
/// which is where GOSUMDB decides. Plain HTTP/1.0, one request per connection, files only.
struct ServedProxy {
    url: String,
    root: std::path::PathBuf,
}

impl ServedProxy {
    fn start(root: &std::path::Path) -> ServedProxy {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let dir = root.to_path_buf();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut line = String::new();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                // Drain the headers.
                let mut h = String::new();
                while reader.read_line(&mut h).is_ok_and(|n| n > 2) {
                    h.clear();
                }
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                let file = dir.join(path.trim_start_matches('/'));
                let reply = match std::fs::read(&file).ok().filter(|_| !path.contains("..")) {
                    Some(body) => {
                        let mut r = format!(
                            "HTTP/1.0 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        )
                        .into_bytes();
                        r.extend(body);
                        r
                    }
                    None => {
                        b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .to_vec()
                    }
                };
                let _ = stream.write_all(&reply);
            }
        });
        ServedProxy {
            url,
            root: root.to_path_buf(),
        }
    }
}

/// Write the proxy files of the fake toolchain go1.99.0 for this machine under `root`.
fn fake_toolchain(root: &std::path::Path) {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    let version = format!("v0.0.1-go1.99.0.linux-{arch}");
    let dir = root.join("golang.org/toolchain/@v");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("list"), format!("{version}\n")).unwrap();
    std::fs::write(
        dir.join(format!("{version}.info")),
        format!("{{\"Version\":\"{version}\"}}"),
    )
    .unwrap();
    std::fs::write(
        dir.join(format!("{version}.mod")),
        "module golang.org/toolchain\n",
    )
    .unwrap();
    let prefix = format!("golang.org/toolchain@{version}/");
    let go_mod = format!("{prefix}go.mod");
    let go_bin = format!("{prefix}bin/go");
    std::fs::write(
        dir.join(format!("{version}.zip")),
        support::modproxy::stored_zip(&[
            (&go_mod, b"module golang.org/toolchain\n"),
            (&go_bin, b"#!/bin/sh\nexit 1\n"),
        ]),
    )
    .unwrap();
}

/// Run the real `go version` and `go-env-doctor check` in a module asking for go 1.99.0, with
/// the go env file `lines` and extra environment; Go's stderr and our toolchain findings.
fn both(
    version: &str,
    go_args: &[&str],
    go_line: &str,
    lines: &str,
    extra_env: &[(&str, String)],
    root: &std::path::Path,
) -> (String, Vec<Value>) {
    let home = root.join("home");
    let ws = root.join("ws");
    std::fs::create_dir_all(home.join(".config/go")).unwrap();
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(
        ws.join("go.mod"),
        format!("module example.com/m\n\ngo {go_line}\n"),
    )
    .unwrap();
    std::fs::write(home.join(".config/go/env"), lines).unwrap();
    std::fs::write(root.join("user-settings.json"), "{}\n").unwrap();
    let goroot = support::goroot(version);
    let path = format!("{}:/usr/bin:/bin", goroot.join("bin").display());
    let mut env: Vec<(String, String)> = vec![
        ("HOME".into(), home.display().to_string()),
        ("PATH".into(), path),
        (
            "GO_ENV_DOCTOR_USER_SETTINGS".into(),
            root.join("user-settings.json").display().to_string(),
        ),
        // Each run its own module cache: nothing downloaded earlier is reused.
        (
            "GOMODCACHE".into(),
            root.join("modcache").display().to_string(),
        ),
        ("GOFLAGS".into(), "-modcacherw".into()),
    ];
    env.extend(extra_env.iter().map(|(k, v)| (k.to_string(), v.clone())));
    let go = Command::new(support::go_binary(version))
        .args(go_args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(&ws)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let ours = Command::new(support::bin())
        .args(["check", "ws", "--no-shell", "--format", "json"])
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(root)
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
    let findings = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["code"]
                .as_str()
                .is_some_and(|c| c.starts_with("toolchain-"))
        })
        .cloned()
        .collect();
    (String::from_utf8_lossy(&go.stderr).into_owned(), findings)
}

/// GOSUMDB against the real Go with a proxy that serves the toolchain: a downloaded toolchain
/// is always verified by the checksum database, so GOSUMDB=off (or set empty) fails after the
/// download with cmd/go's "verifying module" error — except behind a single `file://` proxy,
/// and GONOSUMDB does not exempt it. (With the checksum database on, Go fails here at its
/// network lookup — a download it attempted, as `toolchain-will-download` predicts.)
#[test]
fn checksum_database_predictions_agree_with_the_real_go_and_a_served_toolchain() {
    let proxy_dir = tempfile::tempdir().unwrap();
    fake_toolchain(proxy_dir.path());
    let proxy = ServedProxy::start(proxy_dir.path());
    let file_proxy = format!("file://{}", proxy.root.display());
    let configs: Vec<(String, bool)> = vec![
        (format!("GOPROXY={}\nGOSUMDB=off\n", proxy.url), true),
        (format!("GOPROXY={}\nGOSUMDB=\n", proxy.url), true),
        (format!("GOPROXY={}\n", proxy.url), false),
        (
            format!("GOPROXY={}\nGONOSUMDB=golang.org\n", proxy.url),
            false,
        ),
        (format!("GOPROXY={file_proxy}\nGOSUMDB=off\n"), false),
        (format!("GOPROXY={file_proxy},off\nGOSUMDB=off\n"), true),
    ];
    let mut checked = 0;
    for version in VERSIONS {
        for (lines, fails) in &configs {
            let dir = tempfile::Builder::new()
                .prefix("gedsumdb-")
                .tempdir_in("/tmp")
                .unwrap();
            let root = dir.path().canonicalize().unwrap();
            let (go_err, ours) = both(version, &["version"], "1.99.0", lines, &[], &root);
            assert!(
                go_err.contains("go: downloading go1.99.0"),
                "Go {version} with {lines:?} did not try to switch: {go_err}"
            );
            let verifying = go_err
                .lines()
                .find(|l| {
                    l.contains("verifying module: checksum database disabled")
                        || l.ends_with("verifying module: missing GOSUMDB")
                })
                .map(str::to_string);
            assert_eq!(
                verifying.is_some(),
                *fails,
                "Go {version} with {lines:?}: {go_err}"
            );
            let codes: Vec<&str> = ours.iter().filter_map(|f| f["code"].as_str()).collect();
            match &verifying {
                Some(line) => {
                    assert_eq!(
                        codes,
                        ["toolchain-download-fails"],
                        "Go {version} with {lines:?}"
                    );
                    let message = ours[0]["message"].as_str().unwrap();
                    assert!(
                        message.contains(&format!("it fails with \"{line}\"")),
                        "Go {version} with {lines:?}: Go's own words {line:?} in {message}"
                    );
                }
                None => assert_eq!(
                    codes,
                    ["toolchain-will-download"],
                    "Go {version} with {lines:?} attempted the download: {go_err}"
                ),
            }
            checked += 1;
        }
    }
    eprintln!("{checked} checksum-database configurations agreed with the real Go");
}

/// GOTOOLCHAIN=local and `path` that forbid the switch, from the go env file and from
/// `$GOROOT/go.env` (a GOROOT whose go.env says `GOTOOLCHAIN=local`, as some distributions
/// ship it): the real Go's error is quoted, and the finding is located on that file's line.
#[test]
fn gotoolchain_local_and_path_are_located_where_they_are_set() {
    for version in VERSIONS {
        let real = support::goroot(version);
        let cases: Vec<(&str, &str, Option<&str>)> = vec![
            ("GOTOOLCHAIN=local\n", "toolchain-too-old", None),
            ("GOTOOLCHAIN=path\n", "toolchain-not-in-path", None),
            ("GOTOOLCHAIN=go1.22.0+path\n", "toolchain-not-in-path", None),
            ("", "toolchain-too-old", Some("GOTOOLCHAIN=local")),
        ];
        for (lines, code, go_env) in cases {
            let dir = tempfile::Builder::new()
                .prefix("gedlocal-")
                .tempdir_in("/tmp")
                .unwrap();
            let root = dir.path().canonicalize().unwrap();
            let mut extra = Vec::new();
            let mut go_env_file = None;
            if let Some(line) = go_env {
                // A GOROOT like the real one but with its own go.env: cmd/go reads
                // $GOROOT/go.env of the GOROOT it runs with.
                let copy = root.join("goroot");
                std::fs::create_dir_all(&copy).unwrap();
                for entry in std::fs::read_dir(&real).unwrap() {
                    let entry = entry.unwrap();
                    if entry.file_name() != "go.env" {
                        std::os::unix::fs::symlink(entry.path(), copy.join(entry.file_name()))
                            .unwrap();
                    }
                }
                // The distribution's line replaces the GOTOOLCHAIN line (cmd/go reads the
                // first line of a key).
                let text: Vec<String> = std::fs::read_to_string(real.join("go.env"))
                    .unwrap_or_default()
                    .lines()
                    .filter(|l| !l.starts_with("GOTOOLCHAIN="))
                    .map(str::to_string)
                    .chain([
                        "# This distribution does not switch toolchains.".into(),
                        line.into(),
                    ])
                    .collect();
                std::fs::write(copy.join("go.env"), text.join("\n") + "\n").unwrap();
                go_env_file = Some((copy.join("go.env"), text.len()));
                extra.push(("GOROOT", copy.display().to_string()));
            }
            // `go list -m` loads the module (`go version` does not when it need not switch).
            let (go_err, ours) = both(version, &["list", "-m"], "1.99.0", lines, &extra, &root);
            let go_line = go_err
                .lines()
                .find(|l| l.starts_with("go: "))
                .unwrap_or_else(|| panic!("Go {version} {lines:?} {go_env:?}: {go_err}"))
                .to_string();
            let f = ours.iter().find(|f| f["code"] == code).unwrap_or_else(|| {
                panic!("Go {version} {lines:?} {go_env:?}: {ours:#?} ({go_line})")
            });
            let message = f["message"].as_str().unwrap();
            let quoted = go_line.replace('"', "\\\"");
            assert!(
                message.contains(&go_line) || message.contains(&quoted),
                "Go {version} {lines:?} {go_env:?}: Go says {go_line:?}; we say {message}"
            );
            let locations = f["locations"].as_array().unwrap();
            let (file, line) = match &go_env_file {
                Some((p, n)) => (p.display().to_string(), *n as u64),
                None => (root.join("home/.config/go/env").display().to_string(), 1),
            };
            assert!(
                locations
                    .iter()
                    .any(|l| l["path"] == file.as_str() && l["line"] == line),
                "Go {version} {lines:?} {go_env:?}: located at {file}:{line}: {locations:#?}"
            );
        }
    }
}

/// A bare `go 1.99` line: the real Go 1.21.13, 1.22.10 and 1.25.5 (all after the fix for
/// golang.org/issue/62278) ask for `go1.99.0`, and so does the prediction. (The Gos before
/// 1.21.11 and 1.22.4 that ask for `go1.99` — `toolchain-download-fails` — are not on PyPI: that
/// case is covered by the rules tests and select.go's history, not by a run.)
#[test]
fn a_bare_go_line_is_its_first_release_for_the_real_go() {
    for version in VERSIONS {
        let dir = tempfile::Builder::new()
            .prefix("gedbare-")
            .tempdir_in("/tmp")
            .unwrap();
        let root = dir.path().canonicalize().unwrap();
        let (go_err, ours) = both(
            version,
            &["version"],
            "1.99",
            "GOPROXY=http://127.0.0.1:9\n",
            &[],
            &root,
        );
        assert!(
            go_err.contains("go: downloading go1.99.0 "),
            "Go {version}: {go_err}"
        );
        let codes: Vec<&str> = ours.iter().filter_map(|f| f["code"].as_str()).collect();
        assert_eq!(
            codes,
            ["toolchain-will-download"],
            "Go {version}: {ours:#?}"
        );
        let message = ours[0]["message"].as_str().unwrap();
        assert!(message.contains("downloads go1.99.0 "), "{message}");
    }
}
