//! The CLI's renderers on hand-built reports (insta snapshots in `/snapshots`, `cli__*`), the JSON
//! report's shape (the README's *JSON report*), redaction in every format, and the built binary's
//! surface: `explain` for every code, exit codes, colour rules.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use go_env_doctor::catalogue::{self, CODES};
use go_env_doctor::cli::github::render_github;
use go_env_doctor::cli::human::{render_human, render_human_styled, Style};
use go_env_doctor::cli::json::render_json;
use go_env_doctor::cli::sarif::render_sarif;
use go_env_doctor::cli::{Report, ShellState, SideView};
use go_env_doctor::model::{
    EnvValue, Finding, Fix, FixAction, Location, Origin, Severity, SideKind, SideValue,
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const FOLDER: &str = "/home/gopher/proj";
const HOME: &str = "/home/gopher";
const SECRET: &str = "s3cret-Tok3n";
const TOKEN: &str = "ghp_0123456789abcdef";

// =============================================================================================
// Fixtures
// =============================================================================================

fn p(s: &str) -> PathBuf {
    PathBuf::from(s)
}

fn ev(value: &str, origin: Origin) -> EnvValue {
    EnvValue {
        value: value.to_string(),
        origin,
    }
}

fn go_env(goroot: &str, line: u32) -> Origin {
    Origin::GorootGoEnv {
        path: p(&format!("{goroot}/go.env")),
        line,
    }
}

/// A side with the usual go.env defaults of `goroot` and the default cache.
fn side(kind: SideKind, label: &str, goroot: &str, version: &str) -> SideView {
    let mut env = BTreeMap::new();
    env.insert("GOROOT".into(), ev(goroot, Origin::Default));
    env.insert(
        "GOPROXY".into(),
        ev("https://proxy.golang.org,direct", go_env(goroot, 7)),
    );
    env.insert("GOSUMDB".into(), ev("sum.golang.org", go_env(goroot, 8)));
    env.insert("GOTOOLCHAIN".into(), ev("auto", go_env(goroot, 9)));
    env.insert(
        "GOCACHE".into(),
        ev("/home/gopher/.cache/go-build", Origin::Default),
    );
    env.insert("GOPATH".into(), ev("/home/gopher/go", Origin::Default));
    env.insert("GOFLAGS".into(), ev("", Origin::Default));
    SideView {
        kind,
        label: label.to_string(),
        go: Some(p(&format!("{goroot}/bin/go"))),
        go_version: Some(version.to_string()),
        goroot: Some(goroot.to_string()),
        env,
        startup_lines: Default::default(),
    }
}

fn editor(goroot: &str, version: &str) -> SideView {
    side(SideKind::Editor, "VS Code", goroot, version)
}

fn shell(goroot: &str, version: &str) -> SideView {
    side(SideKind::Shell, "your shell (/bin/zsh)", goroot, version)
}

fn report(editor: SideView, shell: ShellState, findings: Vec<Finding>) -> Report {
    Report {
        folder: p(FOLDER),
        home: Some(p(HOME)),
        editor: Some(editor),
        other_editors: Vec::new(),
        shell,
        findings,
        workspace: Default::default(),
        deep: Vec::new(),
        sdks: Vec::new(),
    }
}

const SDK: &str = "/home/gopher/sdk/go1.22.10";
const SETTINGS: &str = "/home/gopher/proj/.vscode/settings.json";

fn healthy() -> Report {
    report(
        editor(SDK, "go1.22.10"),
        ShellState::Probed(shell(SDK, "go1.22.10")),
        vec![],
    )
}

fn goroot_mismatch() -> Report {
    let mut ed = editor("/usr/local/go", "go1.21.13");
    let setting = Origin::EditorSetting {
        path: p(SETTINGS),
        key: "go.goroot".into(),
        line: 2,
    };
    ed.env
        .insert("GOROOT".into(), ev("/usr/local/go", setting.clone()));
    let sh = shell(SDK, "go1.22.10");
    let finding = Finding {
        related: Vec::new(),
        code: "goroot-mismatch".into(),
        severity: Severity::Error,
        message: "VS Code uses GOROOT /usr/local/go (go1.21.13, from go.goroot in \
                  .vscode/settings.json) but your shell uses /home/gopher/sdk/go1.22.10 \
                  (go1.22.10, found from `go` on PATH)."
            .into(),
        subject: "GOROOT".into(),
        editor: Some(SideValue {
            value: Some("/usr/local/go".into()),
            origin: Some(setting),
            go_version: Some("go1.21.13".into()),
        }),
        shell: Some(SideValue {
            value: Some(SDK.into()),
            origin: Some(Origin::Default),
            go_version: Some("go1.22.10".into()),
        }),
        locations: vec![Location {
            path: p(SETTINGS),
            line: 2,
            column: 16,
            span: Some((18, 33)),
        }],
        fixes: vec![
            Fix {
                title: format!("Set go.goroot to {SDK} in .vscode/settings.json"),
                action: FixAction::SetSetting {
                    file: p(SETTINGS),
                    key: "go.goroot".into(),
                    value: SDK.into(),
                },
            },
            Fix {
                title: "Remove go.goroot from .vscode/settings.json and restart VS Code from \
                        your shell"
                    .into(),
                action: FixAction::RemoveSetting {
                    file: p(SETTINGS),
                    key: "go.goroot".into(),
                },
            },
        ],
    };
    report(ed, ShellState::Probed(sh), vec![finding])
}

const WORKSPACE_XML: &str = "/home/gopher/proj/.idea/workspace.xml";
const TOOLCHAIN_SDK: &str =
    "/home/gopher/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.21.13.linux-amd64";

/// VS Code agrees with the shell; GoLand's `.idea/workspace.xml` pins a toolchain-cache SDK.
fn goland() -> Report {
    let mut gl = side(SideKind::Editor, "GoLand", TOOLCHAIN_SDK, "go1.21.13");
    let setting = Origin::EditorSetting {
        path: p(WORKSPACE_XML),
        key: "go.goroot".into(),
        line: 6,
    };
    gl.env
        .insert("GOROOT".into(), ev(TOOLCHAIN_SDK, setting.clone()));
    let finding = Finding {
        related: Vec::new(),
        code: "goroot-mismatch".into(),
        severity: Severity::Error,
        message: format!(
            "GoLand uses GOROOT {TOOLCHAIN_SDK} (go1.21.13, from GOROOT in .idea/workspace.xml) \
             but your shell uses {SDK} (go1.22.10, found from `go` on PATH)."
        ),
        subject: "GOROOT".into(),
        editor: Some(SideValue {
            value: Some(TOOLCHAIN_SDK.into()),
            origin: Some(setting),
            go_version: Some("go1.21.13".into()),
        }),
        shell: Some(SideValue {
            value: Some(SDK.into()),
            origin: Some(Origin::Default),
            go_version: Some("go1.22.10".into()),
        }),
        locations: vec![Location {
            path: p(WORKSPACE_XML),
            line: 6,
            column: 33,
            span: Some((197, 281)),
        }],
        fixes: vec![Fix {
            title: format!(
                "Set GOROOT to {SDK} in .idea/workspace.xml (the GOROOT your shell uses)"
            ),
            action: FixAction::SetSetting {
                file: p(WORKSPACE_XML),
                key: "go.goroot".into(),
                value: SDK.into(),
            },
        }],
    };
    let mut r = report(
        editor(SDK, "go1.22.10"),
        ShellState::Probed(shell(SDK, "go1.22.10")),
        vec![finding],
    );
    r.other_editors.push(gl);
    r
}

fn goproxy_credentials() -> Report {
    let env_file = "/home/gopher/.config/go/env";
    let proxy =
        format!("https://alice:{SECRET}@proxy.corp.example/go,https://{TOKEN}@goproxy.io,direct");
    let origin = Origin::EnvFile {
        path: p(env_file),
        line: 1,
    };
    let mut ed = editor(SDK, "go1.22.10");
    let mut sh = shell(SDK, "go1.22.10");
    for s in [&mut ed, &mut sh] {
        s.env.insert("GOPROXY".into(), ev(&proxy, origin.clone()));
    }
    let side_value = SideValue {
        value: Some(proxy.clone()),
        origin: Some(origin.clone()),
        go_version: Some("go1.22.10".into()),
    };
    // The message deliberately carries the raw secret: renderers must redact whatever the
    // rules hand them.
    let finding = Finding {
        related: Vec::new(),
        code: "goproxy-credentials".into(),
        severity: Severity::Warning,
        message: format!(
            "GOPROXY {proxy} (from the go env file, line 1) holds credentials; anyone who \
             reads `go env` output or logs can use them."
        ),
        subject: "GOPROXY".into(),
        editor: Some(side_value.clone()),
        shell: Some(side_value),
        locations: vec![Location {
            path: p(env_file),
            line: 1,
            column: 9,
            span: None,
        }],
        fixes: vec![Fix {
            title: format!("Move the credentials to ~/.netrc: go env -w GOPROXY={proxy}"),
            action: FixAction::GoEnvWrite {
                key: "GOPROXY".into(),
                value: proxy.clone(),
            },
        }],
    };
    report(ed, ShellState::Probed(sh), vec![finding])
}

fn shell_probe_failed() -> Report {
    let finding = Finding {
        related: Vec::new(),
        code: "shell-probe-failed".into(),
        severity: Severity::Warning,
        message: "Your login shell /bin/zsh did not print its environment: it timed out after \
                  10 s. VS Code resolves it the same way and will likely fail too."
            .into(),
        subject: "SHELL".into(),
        editor: None,
        shell: None,
        locations: vec![],
        fixes: vec![],
    };
    let info = Finding {
        related: Vec::new(),
        code: "goroot-explicit".into(),
        severity: Severity::Info,
        message: "GOROOT is set to /home/gopher/sdk/go1.22.10 in the editor's environment \
                  although go finds that root by itself."
            .into(),
        subject: "GOROOT".into(),
        editor: None,
        shell: None,
        locations: vec![],
        fixes: vec![],
    };
    let mut ed = editor(SDK, "go1.22.10");
    ed.env.insert("GOROOT".into(), ev(SDK, Origin::OsEnv));
    report(
        ed,
        ShellState::Failed {
            label: "your shell (/bin/zsh)".into(),
            reason: "timed out after 10 s".into(),
        },
        vec![info, finding],
    )
}

fn all_reports() -> Vec<(&'static str, Report)> {
    vec![
        ("goroot_mismatch", goroot_mismatch()),
        ("goproxy_credentials", goproxy_credentials()),
        ("shell_probe_failed", shell_probe_failed()),
        ("healthy", healthy()),
        ("goland", goland()),
    ]
}

/// What each report of [`all_reports`] holds, for its snapshots' headers.
fn scenario(report: &str) -> &'static str {
    match report {
        "goroot_mismatch" => {
            "VS Code runs Go 1.21.13 from /usr/local/go (go.goroot in .vscode/settings.json), the \
             shell (/bin/zsh) Go 1.22.10 from /home/gopher/sdk/go1.22.10 found on PATH: one \
             goroot-mismatch error with two fixes"
        }
        "goproxy_credentials" => {
            "Editor and shell agree on Go 1.22.10; the go env file's line 1 sets a GOPROXY with \
             a user:password and a token in its URLs: one goproxy-credentials warning (the \
             secrets must show as ***)"
        }
        "shell_probe_failed" => {
            "The login shell (/bin/zsh) timed out after 10 s, so only the editor side is known \
             (GOROOT set in its environment): a shell-probe-failed warning and a goroot-explicit \
             note"
        }
        "healthy" => "Editor and shell agree on Go 1.22.10 and every setting: no finding",
        "goland" => {
            "VS Code agrees with the shell (Go 1.22.10); GoLand's .idea/workspace.xml pins a \
             Go 1.21.13 SDK in the module cache's toolchain directory: one goroot-mismatch error \
             on workspace.xml"
        }
        other => panic!("no scenario for report {other}"),
    }
}

/// The snapshot of `report` (a name in [`all_reports`]) rendered as `format` says.
fn snapshot(report: &str, format: &str, text: &str) {
    let kind = format.split(' ').next().unwrap_or(format);
    let name = format!("cli__{kind}__{report}");
    let as_data = if kind == "json" {
        String::new()
    } else {
        format!(" The report as data: cli__json__{report}.snap.")
    };
    let description = format!(
        "The hand-built report {report}() of tests/cli/render.rs rendered {format}. {}.{as_data}",
        scenario(report)
    );
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots"),
        prepend_module_to_snapshot => false,
        description => description,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

/// SARIF with the (long, code-independent) rule table replaced by its size.
fn sarif_for_snapshot(report: &Report) -> String {
    let mut v: Value = serde_json::from_str(&render_sarif(report)).unwrap();
    let rules = &mut v["runs"][0]["tool"]["driver"]["rules"];
    let n = rules.as_array().map(Vec::len).unwrap_or(0);
    *rules = Value::String(format!(
        "<{n} rules, checked by sarif_has_one_rule_per_code>"
    ));
    serde_json::to_string_pretty(&v).unwrap()
}

// =============================================================================================
// Snapshots
// =============================================================================================

#[test]
fn human_snapshots() {
    for (name, r) in all_reports() {
        snapshot(name, "human (cli::human::render_human)", &render_human(&r));
    }
}

#[test]
fn json_snapshots() {
    for (name, r) in all_reports() {
        snapshot(name, "json (cli::json::render_json)", &render_json(&r));
    }
}

#[test]
fn sarif_snapshots() {
    for (name, r) in all_reports() {
        snapshot(
            name,
            "sarif (cli::sarif::render_sarif; the rule table replaced by its size)",
            &sarif_for_snapshot(&r),
        );
    }
}

#[test]
fn github_snapshots() {
    for (name, r) in all_reports() {
        snapshot(
            name,
            "github (cli::github::render_github: workflow commands)",
            &render_github(&r),
        );
    }
}

// =============================================================================================
// Properties
// =============================================================================================

#[test]
fn no_secret_in_any_format() {
    let r = goproxy_credentials();
    let outputs = [
        ("human", render_human(&r)),
        (
            "human+colour",
            render_human_styled(&r, Style { color: true }),
        ),
        ("json", render_json(&r)),
        ("sarif", render_sarif(&r)),
        ("github", render_github(&r)),
    ];
    for (format, out) in outputs {
        assert!(!out.contains(SECRET), "{format} leaks the password:\n{out}");
        assert!(!out.contains(TOKEN), "{format} leaks the token:\n{out}");
        assert!(
            out.contains("alice:***@proxy.corp.example"),
            "{format} does not show the redacted URL:\n{out}"
        );
    }
}

#[test]
fn human_mentions_every_area_and_the_fix() {
    let out = render_human(&goroot_mismatch());
    for area in catalogue::Area::ALL {
        assert!(
            out.contains(area.title()),
            "{} missing:\n{out}",
            area.title()
        );
    }
    assert!(out.contains("[✗] Editor ↔ shell"), "{out}");
    assert!(out.contains("[✓] Go & GOROOT"), "{out}");
    assert!(out.contains(&format!("→ Set go.goroot to {SDK}")), "{out}");
    assert!(out.contains("at .vscode/settings.json:2:16"), "{out}");
    assert!(out.contains("1 error in /home/gopher/proj"), "{out}");
    let healthy = render_human(&healthy());
    assert!(
        healthy.contains("No issues found: your editor and shell agree."),
        "{healthy}"
    );
}

#[test]
fn colour_only_when_asked() {
    let r = goroot_mismatch();
    assert!(!render_human(&r).contains('\x1b'));
    let coloured = render_human_styled(&r, Style { color: true });
    assert!(coloured.contains("\x1b[31m✗\x1b[0m"), "{coloured}");
    assert!(coloured.contains("\x1b[32m✓\x1b[0m"), "{coloured}");
}

#[test]
fn github_escapes_and_omits_missing_locations() {
    let out = render_github(&goroot_mismatch());
    assert!(
        out.starts_with(
            "::error file=.vscode/settings.json,line=2,col=16,title=go-env-doctor(goroot-mismatch)::"
        ),
        "{out}"
    );
    assert_eq!(out.lines().count(), 1, "one command per finding:\n{out}");
    assert!(out.contains("%0AFix: Set go.goroot"), "{out}");
    let out = render_github(&shell_probe_failed());
    assert!(
        out.contains("::notice title=go-env-doctor(goroot-explicit)::"),
        "{out}"
    );
    assert!(
        out.contains("::warning title=go-env-doctor(shell-probe-failed)::"),
        "{out}"
    );
    assert!(!out.contains("file="), "{out}");
    // A location outside the folder is named in the message, not as an annotation file.
    let out = render_github(&goproxy_credentials());
    assert!(
        out.starts_with("::warning title=go-env-doctor(goproxy-credentials)::"),
        "{out}"
    );
    assert!(
        out.contains("%0AAt: /home/gopher/.config/go/env:1:9%0AFix: "),
        "{out}"
    );
    assert_eq!(render_github(&healthy()), "");
}

fn assert_string_or_null(v: &Value, what: &str) {
    assert!(
        v.is_string() || v.is_null(),
        "{what} must be a string or null: {v}"
    );
}

fn assert_side(side: &Value, what: &str) {
    let obj = side
        .as_object()
        .unwrap_or_else(|| panic!("{what} is not an object: {side}"));
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["env", "go", "goVersion"], "{what}");
    assert_string_or_null(&side["go"], &format!("{what}.go"));
    assert_string_or_null(&side["goVersion"], &format!("{what}.goVersion"));
    let env = side["env"].as_object().unwrap();
    assert!(!env.is_empty(), "{what}.env is empty");
    for (key, v) in env {
        assert!(v["value"].is_string(), "{what}.env.{key}.value");
        let origin = v["origin"].as_str().unwrap_or("");
        assert!(
            [
                "os-env",
                "env-file",
                "goroot-go.env",
                "editor-setting",
                "default"
            ]
            .contains(&origin),
            "{what}.env.{key}.origin = {origin:?}"
        );
        let located = ["env-file", "goroot-go.env", "editor-setting"].contains(&origin);
        assert_eq!(v["path"].is_string(), located, "{what}.env.{key}.path");
        assert_eq!(
            v["line"].as_u64().is_some_and(|l| l >= 1),
            located,
            "{what}.env.{key}.line"
        );
        if origin == "editor-setting" {
            assert!(v["key"].is_string(), "{what}.env.{key}.key");
        }
    }
}

#[test]
fn json_has_the_spec_shape() {
    for (name, r) in all_reports() {
        let v: Value = serde_json::from_str(&render_json(&r)).unwrap();
        let mut top: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        top.sort_unstable();
        assert_eq!(top, ["findings", "sides", "version"], "{name}");
        assert_eq!(v["version"], 1, "{name}");
        assert_side(&v["sides"]["editor"], &format!("{name}: sides.editor"));
        // sides.editors: every editor by name, the first the same as sides.editor.
        let editors = v["sides"]["editors"].as_object().unwrap();
        let names: Vec<&str> = editors.keys().map(String::as_str).collect();
        let want: Vec<&str> = r.editors().map(|s| s.label.as_str()).collect();
        assert_eq!(names.len(), want.len(), "{name}: sides.editors");
        for n in want {
            assert_side(&editors[n], &format!("{name}: sides.editors.{n}"));
        }
        assert_eq!(editors["VS Code"], v["sides"]["editor"], "{name}");
        match &r.shell {
            ShellState::Probed(_) => assert_side(&v["sides"]["shell"], &format!("{name}: shell")),
            _ => assert!(v["sides"]["shell"].is_null(), "{name}: shell must be null"),
        }
        let findings = v["findings"].as_array().unwrap();
        assert_eq!(findings.len(), r.findings.len(), "{name}");
        for f in findings {
            for key in [
                "code",
                "severity",
                "message",
                "subject",
                "editor",
                "shell",
                "locations",
                "fixes",
            ] {
                assert!(f.get(key).is_some(), "{name}: finding without {key}: {f}");
            }
            assert!(catalogue::lookup(f["code"].as_str().unwrap()).is_some());
            assert!(["error", "warning", "info"].contains(&f["severity"].as_str().unwrap()));
            assert!(
                f["message"].is_string() && f["subject"].is_string(),
                "{name}"
            );
            for side in ["editor", "shell"] {
                let s = &f[side];
                assert!(s.is_null() || s.is_object(), "{name}: finding.{side}");
                if s.is_object() {
                    assert_string_or_null(&s["value"], "finding side value");
                    assert_string_or_null(&s["goVersion"], "finding side goVersion");
                    assert_string_or_null(&s["origin"], "finding side origin");
                }
            }
            for l in f["locations"].as_array().unwrap() {
                assert!(l["path"].is_string(), "{name}: location path");
                assert!(l["line"].as_u64().unwrap() >= 1, "{name}: 1-based line");
                assert!(l["column"].as_u64().unwrap() >= 1, "{name}: 1-based column");
            }
            for fix in f["fixes"].as_array().unwrap() {
                assert!(fix["title"].is_string(), "{name}: fix title");
                assert!(fix["kind"].is_string(), "{name}: fix kind");
            }
        }
    }
    // The details of the mismatch: origins, fixes in order.
    let v: Value = serde_json::from_str(&render_json(&goroot_mismatch())).unwrap();
    let goroot = &v["sides"]["editor"]["env"]["GOROOT"];
    assert_eq!(goroot["origin"], "editor-setting");
    assert_eq!(goroot["path"], SETTINGS);
    assert_eq!(goroot["line"], 2);
    assert_eq!(goroot["key"], "go.goroot");
    assert_eq!(
        v["sides"]["shell"]["env"]["GOPROXY"]["origin"],
        "goroot-go.env"
    );
    let fixes = &v["findings"][0]["fixes"];
    assert_eq!(fixes[0]["kind"], "set-setting");
    assert_eq!(fixes[0]["value"], SDK);
    assert_eq!(fixes[1]["kind"], "remove-setting");
    assert_eq!(v["findings"][0]["editor"]["origin"], "editor-setting");
}

#[test]
fn sarif_has_one_rule_per_code() {
    let v: Value = serde_json::from_str(&render_sarif(&goroot_mismatch())).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif"));
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "go-env-doctor");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), CODES.len());
    for (rule, info) in rules.iter().zip(CODES) {
        assert_eq!(rule["id"], info.code);
        assert_eq!(rule["shortDescription"]["text"], info.title);
        assert_eq!(rule["helpUri"], catalogue::doc_url(info.code));
        assert!(!rule["fullDescription"]["text"].as_str().unwrap().is_empty());
        let level = rule["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level));
    }
    let result = &run["results"][0];
    let index = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], result["ruleId"]);
    let loc = &result["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], ".vscode/settings.json");
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(loc["region"]["startLine"], 2);
    assert_eq!(loc["region"]["startColumn"], 16);
    // Outside the folder: an absolute file URI.
    let v: Value = serde_json::from_str(&render_sarif(&goproxy_credentials())).unwrap();
    assert_eq!(
        v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "file:///home/gopher/.config/go/env"
    );
}

#[test]
fn every_explanation_is_substantial() {
    for c in CODES {
        let lines = c.explanation.trim().lines().count();
        assert!(
            (6..=15).contains(&lines),
            "{}: explanation has {lines} lines",
            c.code
        );
        assert!(c.explanation.contains("fix"), "{}: no fix section", c.code);
    }
}

// =============================================================================================
// The built binary
// =============================================================================================

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_go-env-doctor"));
    c.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env_remove("RUST_LOG")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
    c
}

fn run(c: &mut Command) -> (Output, String, String) {
    let out = c.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

#[test]
fn explain_works_for_every_code() {
    for c in CODES {
        let (out, stdout, stderr) = run(bin().args(["explain", c.code]));
        assert_eq!(out.status.code(), Some(0), "explain {}: {stderr}", c.code);
        let sev = match c.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        let first = stdout.lines().next().unwrap_or("");
        assert_eq!(first, format!("{} ({sev}) — {}", c.code, c.title));
        assert!(!c.explanation.trim().is_empty(), "{}", c.code);
        assert!(stdout.contains(c.explanation.trim()), "{}", c.code);
        assert!(stdout.contains(&catalogue::doc_url(c.code)), "{}", c.code);
    }
}

#[test]
fn explain_unknown_code_suggests_and_exits_2() {
    let (out, stdout, stderr) = run(bin().args(["explain", "goroot-mismach"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout.is_empty());
    assert!(stderr.contains("goroot-mismatch"), "{stderr}");
    let (out, stdout, _) = run(bin().args(["explain", "--list"]));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout.lines().count(), CODES.len());
    assert!(stdout.contains("goroot-mismatch") && stdout.contains("error"));
}

#[test]
fn version_flag() {
    let (out, stdout, _) = run(bin().arg("--version"));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout.trim(),
        format!("go-env-doctor {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn missing_dir_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-project");
    let (out, stdout, stderr) = run(bin().arg("check").arg(&missing).arg("--no-shell"));
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains(&missing.display().to_string()), "{stderr}");
    // A file is not a folder either.
    let file = dir.path().join("go.mod");
    std::fs::write(&file, "module x\n").unwrap();
    let (out, _, stderr) = run(bin().arg("check").arg(&file).arg("--no-shell"));
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not a directory"), "{stderr}");
}

#[test]
fn bad_flags_exit_2() {
    for args in [
        &["check", "--bogus"][..],
        &["check", "--format", "xml"],
        &["check", "--shell-timeout", "0"],
        &["check", "--no-shell", "--shell", "/bin/sh"],
        &["check", "--disable", "goroot-mismach"],
        &["explain"],
        &["explain", "--list", "goroot-mismatch"],
        &["frobnicate"],
    ] {
        let (out, _, stderr) = run(bin().args(args));
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!stderr.is_empty(), "{args:?}: no message");
    }
}

/// `check --no-shell` of an empty folder, with the user settings pinned to an empty file.
fn check_output(folder: &Path, envs: &[(&str, &str)]) -> (Output, String, String) {
    let settings = folder.join("user-settings.json");
    std::fs::write(&settings, "{}\n").unwrap();
    let mut c = bin();
    c.args(["check", "--no-shell"])
        .arg(folder)
        .env("GO_ENV_DOCTOR_USER_SETTINGS", &settings);
    for (k, v) in envs {
        c.env(k, v);
    }
    run(&mut c)
}

#[test]
fn no_colour_when_piped_or_no_color() {
    let dir = tempfile::tempdir().unwrap();
    for envs in [
        &[][..],
        &[("NO_COLOR", "1")],
        &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")],
    ] {
        let (out, stdout, stderr) = check_output(dir.path(), envs);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{envs:?}: exit {:?}: {stderr}",
            out.status.code()
        );
        assert!(
            stdout.contains("[") && stdout.contains("Go & GOROOT"),
            "{stdout}"
        );
        assert!(
            !stdout.contains('\x1b'),
            "{envs:?}: ESC in output:\n{stdout}"
        );
    }
    // Forcing works (so the checks above test something).
    let (_, stdout, _) = check_output(dir.path(), &[("CLICOLOR_FORCE", "1")]);
    assert!(
        stdout.contains('\x1b'),
        "CLICOLOR_FORCE=1 gave no colour:\n{stdout}"
    );
}

#[test]
fn report_from_snapshot_sides_and_disabled_checks() {
    use go_env_doctor::model::{ProbeOutcome, ProbeReport, SideFacts, Snapshot};
    let mut snap = Snapshot {
        folder: p(FOLDER),
        home: Some(p(HOME)),
        ..Snapshot::default()
    };
    let r = Report::from_snapshot(&snap, vec![]);
    assert_eq!(r.shell, ShellState::NotProbed);
    assert!(r.editor.is_some());
    assert!(render_human(&r).contains("shell   not probed (--no-shell)"));

    snap.shell = Some(SideFacts {
        kind: SideKind::Shell,
        label: "your shell (/bin/zsh)".into(),
        probe: Some(ProbeReport {
            shell: p("/bin/zsh"),
            millis: 10_012,
            outcome: ProbeOutcome::TimedOut { after_secs: 10 },
            startup_files: Vec::new(),
        }),
        ..SideFacts::default()
    });
    snap.disabled_checks = vec!["goroot-mismatch".into()];
    let mut findings = goroot_mismatch().findings;
    findings.extend(shell_probe_failed().findings);
    let r = Report::from_snapshot(&snap, findings);
    assert_eq!(
        r.shell,
        ShellState::Failed {
            label: "your shell (/bin/zsh)".into(),
            reason: "timed out after 10 s".into()
        }
    );
    let codes: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["goroot-explicit", "shell-probe-failed"]);
    assert!(!r.has_errors());
}

#[test]
fn report_from_snapshot_shows_every_editor_view() {
    use go_env_doctor::model::Snapshot;
    let mut snap = Snapshot {
        folder: p(FOLDER),
        home: Some(p(HOME)),
        ..Snapshot::default()
    };
    snap.editor.label = "VS Code".into();
    let mut view = snap.clone();
    view.editor.label = "GoLand".into();
    view.settings.editor_name = "GoLand".into();
    snap.editor_views.push(view);
    let r = Report::from_snapshot(&snap, vec![]);
    let labels: Vec<&str> = r.editors().map(|s| s.label.as_str()).collect();
    assert_eq!(labels, ["VS Code", "GoLand"]);
    let text = render_human(&r);
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("editor")).collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(rows[1].starts_with("editor  GoLand"), "{text}");
    let v: Value = serde_json::from_str(&render_json(&r)).unwrap();
    assert!(v["sides"]["editors"]["GoLand"].is_object(), "{v:#}");
    assert_eq!(v["sides"]["editors"]["VS Code"], v["sides"]["editor"]);
}

/// A finding about the editor's environment is fixed differently in each editor: `explain`
/// says how for each client, and not for codes that do not depend on the editor.
#[test]
fn explain_covers_each_client_for_editor_environment_codes() {
    let (_, mismatch, _) = run(bin().args(["explain", "goroot-mismatch"]));
    for client in [
        "Emacs",
        "Neovim",
        "Vim",
        "Helix",
        "Zed",
        "GoLand",
        "exec-path-from-shell",
    ] {
        assert!(
            mismatch.contains(client),
            "no word on {client}:\n{mismatch}"
        );
    }
    let (_, sumdb, _) = run(bin().args(["explain", "gosumdb-off"]));
    assert!(!sumdb.contains("In other editors"), "{sumdb}");
}

/// The README's finding catalogue lists exactly the codes the tool has, in the same order,
/// with their severity, area and title.
#[test]
fn readme_catalogue_matches_the_code() {
    let readme = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"),
    )
    .expect("README.md");
    let start = readme
        .find("<!-- catalogue:start -->")
        .expect("catalogue start");
    let end = readme
        .find("<!-- catalogue:end -->")
        .expect("catalogue end");
    let rows: Vec<Vec<String>> = readme[start..end]
        .lines()
        .filter(|l| l.starts_with("| <a id="))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect();
    let want: Vec<Vec<String>> = go_env_doctor::catalogue::CODES
        .iter()
        .map(|c| {
            vec![
                format!("<a id=\"{0}\"></a>`{0}`", c.code),
                format!("{:?}", c.severity).to_lowercase(),
                c.area.title().to_string(),
                c.title.to_string(),
            ]
        })
        .collect();
    assert_eq!(rows, want, "README.md's catalogue is out of date");
}

/// A monorepo's report says how many modules were checked and with which go.work files, below
/// the side rows (clients read those rows up to the first other line).
#[test]
fn human_header_names_the_modules_and_go_work_files_checked() {
    let mut r = healthy();
    r.workspace = go_env_doctor::report::WorkspaceSummary {
        modules: 12,
        works: vec![
            p(&format!("{FOLDER}/go.work")),
            p(&format!("{HOME}/other/go.work")),
        ],
        truncated: false,
    };
    let text = render_human(&r);
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("modules"))
        .unwrap_or_else(|| panic!("no modules line:\n{text}"));
    assert_eq!(
        lines[at],
        "modules  12 checked, with go.work, ~/other/go.work"
    );
    assert!(lines[..at].iter().any(|l| l.starts_with("shell")), "{text}");
    // One module and no go.work: nothing to say.
    let plain = render_human(&healthy());
    assert!(!plain.contains("modules "), "{plain}");
}
