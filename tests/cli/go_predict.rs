//! The model of `go env -json` a check runs ahead of the login shell's `go`
//! (`facts::go_predict`), against real Go 1.21, 1.22 and 1.25: wherever it predicts, the
//! prediction must be exactly what `go` answers; in the setups most users have, it must
//! predict. A wrong prediction costs a check time, never a wrong diagnostic (the real answer
//! is compared first), but a model that is often wrong would cost every start.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use crate::diff_cmdgo;
use crate::support;

use go_env_doctor::facts::go::{self, Runs};
use go_env_doctor::facts::go_predict::{predict, same_answer};
use go_env_doctor::model::{CommandResult, GoFoundBy};
use go_env_doctor::settings::paths::Os;
use std::collections::BTreeMap;
use std::path::Path;

/// Predict and run `go` (the first on `env`'s PATH) in `cwd`; the prediction, if any, and the
/// real answer.
fn both(env: &BTreeMap<String, String>, cwd: &Path) -> (Option<go::GoRun>, go::GoRun) {
    let dirs = go::split_path(env.get("PATH").map(String::as_str).unwrap_or_default());
    let path = go::which("go", &dirs).expect("a go on PATH");
    let binary = go::inspect(&path, GoFoundBy::Path, cwd);
    let env_file = go_env_doctor::facts::side_env_file(env, cwd, Os::current());
    let predicted = predict(&binary, env, cwd, env_file.as_ref());
    let real = go::probe(&Runs::default(), &path, env, cwd, env_file.as_ref());
    (predicted, real)
}

/// What differs between a prediction and the real answer, key by key.
fn differences(predicted: &go::GoRun, real: &go::GoRun) -> String {
    let map = |r: &go::GoRun| match &r.env_json {
        CommandResult::Ok { value, .. } => value.clone(),
        other => BTreeMap::from([("<go env failed>".to_string(), format!("{other:?}"))]),
    };
    let (p, r) = (map(predicted), map(real));
    let mut keys: Vec<&String> = p.keys().chain(r.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| p.get(*k) != r.get(*k))
        .map(|k| format!("{k}: predicted {:?}, go says {:?}", p.get(k), r.get(k)))
        .collect::<Vec<_>>()
        .join("\n")
}

struct Setup {
    name: &'static str,
    /// Lays out the files under the temporary root; returns the folder `go` runs in.
    files: fn(&Path) -> std::path::PathBuf,
    /// Variables besides HOME and PATH (`{root}` is the temporary root).
    env: &'static [(&'static str, &'static str)],
    /// Directories after Go's own `bin` on PATH.
    path_tail: &'static str,
}

fn module(root: &Path) -> std::path::PathBuf {
    let ws = root.join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(ws.join("go.mod"), "module example.com/x\n\ngo 1.21\n").unwrap();
    ws
}

fn user_env_file(root: &Path, text: &str) {
    let dir = root.join("home/.config/go");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("env"), text).unwrap();
}

const SETUPS: &[Setup] = &[
    Setup {
        name: "a module, an empty go env file (the benchmarks' world)",
        files: |root| {
            user_env_file(root, "");
            module(root)
        },
        env: &[
            ("SHELL", "/bin/bash"),
            ("SHLVL", "1"),
            ("_", "/usr/bin/env"),
        ],
        path_tail: "/usr/bin:/bin",
    },
    Setup {
        name: "`go env -w` settings for a company proxy and private modules",
        files: |root| {
            user_env_file(
                root,
                "GOPRIVATE=*.corp.example,git.example\nGOPROXY=https://proxy.corp.example,direct\nGOSUMDB=off\nGOTOOLCHAIN=auto\n",
            );
            module(root)
        },
        env: &[],
        path_tail: "/usr/bin:/bin",
    },
    Setup {
        name: "an emptied GOPROXY, GOCACHE=off and a GONOSUMDB of its own in the go env file",
        files: |root| {
            user_env_file(root, "GOPROXY=\nGONOSUMDB=example.com\nGOCACHE=off\n");
            module(root)
        },
        env: &[],
        path_tail: "/usr/bin:/bin",
    },
    Setup {
        name:
            "GOPATH, GOBIN, XDG directories and variables cmd/go does not know in the environment",
        files: module,
        env: &[
            ("GOPATH", "{root}/gopath"),
            ("GOBIN", "{root}/gopath/bin"),
            ("XDG_CACHE_HOME", "{root}/xdg-cache"),
            ("XDG_CONFIG_HOME", "{root}/xdg-config"),
            ("GOPROXY", "direct"),
            ("GOMAXPROCS", "2"),
            ("GOOGLE_APPLICATION_CREDENTIALS", "{root}/key.json"),
            ("GO_ENV_DOCTOR_PROBE_CACHE", "off"),
        ],
        path_tail: "/usr/bin:/bin",
    },
    Setup {
        name: "a nested folder of a go.work workspace",
        files: |root| {
            let ws = module(root);
            std::fs::write(root.join("go.work"), "go 1.21\n\nuse ./ws\n").unwrap();
            let nested = ws.join("cmd/tool");
            std::fs::create_dir_all(&nested).unwrap();
            nested
        },
        env: &[],
        path_tail: "/usr/bin:/bin",
    },
    Setup {
        name: "no go.mod at all",
        files: |root| {
            let dir = root.join("scratch");
            std::fs::create_dir_all(&dir).unwrap();
            dir
        },
        env: &[],
        path_tail: "/usr/bin:/bin",
    },
    Setup {
        name: "no C compiler on PATH (cgo off by default)",
        files: module,
        env: &[],
        path_tail: "{root}/empty-bin",
    },
    Setup {
        name: "the folder reached through a symbolic link, PWD naming the link",
        files: |root| {
            let ws = module(root);
            std::os::unix::fs::symlink(&ws, root.join("link")).unwrap();
            root.join("link")
        },
        env: &[("PWD", "{root}/link")],
        path_tail: "/usr/bin:/bin",
    },
    Setup {
        name: "GOROOT set to the binary's own root (vscode-go does so for go.goroot)",
        files: module,
        env: &[("GOROOT", "{goroot}/")],
        path_tail: "/usr/bin:/bin",
    },
];

#[test]
fn predictions_are_what_real_go_answers_in_common_setups() {
    let mut failures = Vec::new();
    for version in diff_cmdgo::VERSIONS {
        for setup in SETUPS {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().canonicalize().unwrap();
            std::fs::create_dir_all(root.join("home")).unwrap();
            std::fs::create_dir_all(root.join("empty-bin")).unwrap();
            let cwd = (setup.files)(&root);
            let fill = |v: &str| {
                v.replace("{root}", &root.display().to_string())
                    .replace("{goroot}", &support::goroot(version).display().to_string())
            };
            let mut env: BTreeMap<String, String> = setup
                .env
                .iter()
                .map(|(k, v)| (k.to_string(), fill(v)))
                .collect();
            env.insert("HOME".into(), root.join("home").display().to_string());
            let bin = support::goroot(version).join("bin");
            env.insert(
                "PATH".into(),
                format!("{}:{}", bin.display(), fill(setup.path_tail)),
            );
            let (predicted, real) = both(&env, &cwd);
            match predicted {
                None => failures.push(format!("Go {version}, {}: no prediction", setup.name)),
                Some(p) if !same_answer(&p, &real) => failures.push(format!(
                    "Go {version}, {}:\n{}",
                    setup.name,
                    differences(&p, &real)
                )),
                Some(_) => {}
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The differential test's random configurations (empty and odd values, duplicate and CRLF
/// env-file lines, private GOROOTs, GOENV, relative XDG directories): the model declines most
/// of them, and must be right on every one it does not decline.
#[test]
fn predictions_never_differ_from_real_go_on_random_configurations() {
    let cases: u64 = std::env::var("GO_ENV_DOCTOR_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(90);
    let root = tempfile::tempdir().unwrap();
    let root = root.path().canonicalize().unwrap();
    let (mut predicted_n, mut wrong) = (0, Vec::new());
    for seed in 0..cases {
        let case = diff_cmdgo::generate(7_000 + seed, &root);
        let (predicted, real) = both(&case.env, &case.folder);
        if let Some(p) = predicted {
            predicted_n += 1;
            if !same_answer(&p, &real) {
                wrong.push(format!(
                    "seed {} (Go {}), env {:?}:\n{}",
                    case.seed,
                    case.version,
                    case.env,
                    differences(&p, &real)
                ));
            }
        }
    }
    println!("{predicted_n} of {cases} random configurations predicted");
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
    assert!(
        predicted_n > 0,
        "no random configuration was predicted: the test would check nothing"
    );
}

/// A GOROOT whose VERSION file names another release than its `go` binary was built as (the
/// skew `goroot` findings report): the model does not guess which one `go env` will print.
#[test]
fn a_goroot_whose_version_file_is_not_its_binarys_is_not_predicted() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let real = support::goroot("1.22.10");
    let farm = root.join("goroot");
    std::fs::create_dir_all(farm.join("bin")).unwrap();
    for entry in std::fs::read_dir(&real).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name != "bin" && name != "VERSION" {
            std::os::unix::fs::symlink(entry.path(), farm.join(&name)).unwrap();
        }
    }
    if std::fs::hard_link(real.join("bin/go"), farm.join("bin/go")).is_err() {
        std::fs::copy(real.join("bin/go"), farm.join("bin/go")).unwrap();
    }
    std::fs::write(
        farm.join("VERSION"),
        "go1.22.99\ntime 2026-01-01T00:00:00Z\n",
    )
    .unwrap();
    let ws = module(&root);
    std::fs::create_dir_all(root.join("home")).unwrap();
    let env = BTreeMap::from([
        ("HOME".to_string(), root.join("home").display().to_string()),
        (
            "PATH".to_string(),
            format!("{}/bin:/usr/bin:/bin", farm.display()),
        ),
    ]);
    let (predicted, real_run) = both(&env, &ws);
    let version = match &real_run.env_json {
        CommandResult::Ok { value, .. } => value.get("GOVERSION").cloned(),
        _ => None,
    };
    assert_eq!(
        version.as_deref(),
        Some("go1.22.10"),
        "go reports its own build"
    );
    assert!(
        predicted.is_none(),
        "predicted despite the skew: {predicted:?}"
    );
}
