//! `go-env-doctor check --deep` end to end, against REAL Go toolchains, a real C compiler and a
//! real login shell: each side's `go` builds and runs a small program (and with `--deep=cgo` a
//! cgo one), failures become `build-failed` located where their cause is configured, and a `go`
//! or a C compiler an untrusted workspace chose never runs.
//!
//! Every scenario is a temp world under `/tmp` like `tests/cli/check.rs`'s: a temp HOME with a
//! go env file, a workspace folder with go.mod, a controlled process environment (`env_clear()`
//! then HOME, PATH with the chosen Go first, SHELL, GOCACHE and `GO_ENV_DOCTOR_USER_SETTINGS`).
//! The build cache is shared by the scenarios that do not test the cache itself (a directory
//! under `/tmp` kept between runs): a cold cache compiles the runtime first, which is the cost
//! the README states, not something every test needs to pay. The tools come from
//! `tests/provision.sh` (run `bash tests/run.sh`); missing tools fail the test, never skip it.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use crate::support;
use crate::support::cli::{chmod, Report, Scenario};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const GO125: &str = "1.25.5";
/// A check with a cold build cache compiles the runtime and fmt (README: tens of seconds on a
/// busy two-core machine); the deadline only catches a hang.
const RUN_DEADLINE: Duration = Duration::from_secs(300);

// =============================================================================================
// Harness
// =============================================================================================

/// The build cache the scenarios share (warm after the first run).
fn shared_cache() -> PathBuf {
    let dir = std::env::temp_dir().join("go-env-doctor-deep-tests-gocache");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The `check` harness's world whose terminal (and login shell) run Go 1.25.5 with the shared
/// build cache.
fn world() -> Scenario {
    let mut s = Scenario::new();
    let goroot = support::goroot(GO125);
    // bash -i -l reads it after /etc/profile resets PATH.
    s.bash_profile(&format!("export PATH=\"{}/bin:$PATH\"\n", goroot.display()));
    s.editor_path(&[&goroot]);
    s.set("GOCACHE", shared_cache().display().to_string());
    s.deadline = RUN_DEADLINE;
    s
}

/// An executable shell script at `rel` under the folder.
fn folder_script(s: &Scenario, rel: &str, text: &str) -> PathBuf {
    let p = s.folder.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    chmod(&p, 0o755);
    p
}

/// What the deep tests read from a report beyond the `check` harness's.
trait DeepReport {
    fn with_code(&self, code: &str) -> Vec<Value>;
    /// The one `code` finding.
    fn one(&self, code: &str) -> Value;
    fn deep(&self) -> Vec<Value>;
    /// The deep run of `label` building `program` (`plain` / `cgo`).
    fn deep_run(&self, label: &str, program: &str) -> Value;
}

impl DeepReport for Report {
    fn with_code(&self, code: &str) -> Vec<Value> {
        self.findings()
            .iter()
            .filter(|f| f["code"] == code)
            .cloned()
            .collect()
    }

    fn one(&self, code: &str) -> Value {
        let found = self.with_code(code);
        assert_eq!(found.len(), 1, "want one {code}{}", self.context());
        found[0].clone()
    }

    fn deep(&self) -> Vec<Value> {
        self.json["deep"].as_array().cloned().unwrap_or_default()
    }

    fn deep_run(&self, label: &str, program: &str) -> Value {
        self.deep()
            .into_iter()
            .find(|r| r["label"] == label && r["program"] == program)
            .unwrap_or_else(|| panic!("no deep run of {label} ({program}){}", self.context()))
    }
}

/// A finding's first location is `path`:`line`.
fn assert_at(r: &Report, f: &Value, path: &Path, line: u64) {
    let loc = &f["locations"][0];
    assert_eq!(
        (loc["path"].as_str(), loc["line"].as_u64()),
        (Some(path.to_str().unwrap()), Some(line)),
        "location of {}{}",
        f["code"],
        r.context()
    );
}

// =============================================================================================
// Scenarios
// =============================================================================================

/// A healthy Go 1.25.5: the terminal and the login shell each build and run both programs,
/// nothing is reported, the exit code is what it is without --deep, and the human report
/// shows the ✓ lines.
#[test]
fn a_healthy_go_builds_and_runs_on_both_sides() {
    let s = world();
    let bash = support::shell("bash").display().to_string();
    let r = s.check(&["--shell", &bash, "--deep=cgo"]);
    assert!(
        r.with_code("build-failed").is_empty(),
        "no build-failed{}",
        r.context()
    );
    assert_eq!(r.deep().len(), 4, "two sides × two programs{}", r.context());
    for label in ["this terminal", "your shell"] {
        for program in ["plain", "cgo"] {
            let run = r.deep_run(label, program);
            assert_eq!(run["status"], "ok", "{label} {program}{}", r.context());
            assert!(run["millis"].as_u64().is_some(), "{}", r.context());
            assert!(
                run["go"].as_str().unwrap().ends_with("/bin/go"),
                "{}",
                r.context()
            );
        }
    }
    let side = |l: &str| r.deep_run(l, "plain")["side"].clone();
    assert_eq!(
        (side("this terminal"), side("your shell")),
        ("editor".into(), "shell".into())
    );
    let without = s.check(&["--shell", &bash]);
    assert_eq!(without.run.code, r.run.code, "--deep changes nothing here");
    assert!(
        without.json.get("deep").is_none(),
        "no deep key without --deep{}",
        without.context()
    );

    // The human report: one ✓ line per side and program, the exit code unchanged.
    let folder = s.folder.display().to_string();
    let human = s.run(&["check", &folder, "--no-shell", "--deep"]);
    assert_eq!(human.code, Some(0), "{}", human.context());
    assert!(
        human.stdout.contains("Build check (--deep)")
            && human
                .stdout
                .contains("✓ This terminal builds and runs a Go program ("),
        "{}",
        human.context()
    );
    assert!(!human.stdout.contains("cgo program"), "{}", human.context());
}

/// GOFLAGS with a flag go does not know, set with `go env -w`: the build fails with go's own
/// words, located on that line of the go env file.
#[test]
fn an_unknown_goflags_flag_is_located_on_its_env_file_line() {
    let s = world();
    s.env_file("GOPRIVATE=example.com\nGOFLAGS=-bogusflag\n");
    let r = s.check(&["--no-shell", "--deep"]);
    let f = r.one("build-failed");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["subject"], "GOFLAGS");
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.starts_with("This terminal cannot build a Go program")
            && msg.contains("go: parsing $GOFLAGS: unknown flag -bogusflag")
            && msg.contains(
                "GOFLAGS=-bogusflag (from GOFLAGS in your go env file (~/.config/go/env:2))"
            ),
        "{msg}"
    );
    assert_at(&r, &f, &s.env_file_path(), 2);
    assert_eq!(f["editor"]["origin"], "env-file");
    let run = r.deep_run("this terminal", "plain");
    assert_eq!(
        (&run["status"], &run["step"], &run["exitCode"]),
        (&"failed".into(), &"build".into(), &1.into()),
        "{}",
        r.context()
    );
    assert!(run["output"]
        .as_str()
        .unwrap()
        .contains("unknown flag -bogusflag"));
}

/// A toolchain download the configuration allows but that fails when it happens: GOTOOLCHAIN
/// names a Go that does not exist, and GOPROXY a proxy on a closed local port. The static rules
/// can only say that go will download it (a proxy is listed); the deep check proves every
/// build fails, located at GOTOOLCHAIN. No network is needed: the port refuses at once.
#[test]
fn a_toolchain_that_cannot_be_downloaded_is_caught_only_by_deep() {
    let s = world();
    s.env_file("GOTOOLCHAIN=go1.99.0\nGOPROXY=http://127.0.0.1:9\n");
    let plain = s.check(&["--no-shell"]);
    assert_eq!(
        plain.run.code,
        Some(0),
        "no error statically{}",
        plain.context()
    );
    let r = s.check(&["--no-shell", "--deep"]);
    let f = r.one("build-failed");
    assert_eq!(f["subject"], "GOTOOLCHAIN");
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.contains("go: downloading go1.99.0") && msg.contains("GOTOOLCHAIN=go1.99.0"),
        "{msg}"
    );
    assert_at(&r, &f, &s.env_file_path(), 1);
}

/// `--deep=cgo` with CC naming a compiler that does not exist: the plain program builds, the
/// cgo one fails with cgo's own words, located at CC in the go env file. Plain `--deep` does
/// not try cgo, so it has nothing to report.
#[test]
fn a_missing_c_compiler_is_located_at_cc() {
    let s = world();
    s.env_file("CC=/nonexistent/cc\n");
    let r = s.check(&["--no-shell", "--deep=cgo"]);
    assert_eq!(r.deep_run("this terminal", "plain")["status"], "ok");
    let cgo = r.deep_run("this terminal", "cgo");
    assert_eq!(
        (&cgo["status"], &cgo["step"]),
        (&"failed".into(), &"build".into())
    );
    let f = r.one("build-failed");
    assert_eq!(f["subject"], "CC");
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.starts_with("This terminal cannot build a cgo program (CGO_ENABLED=1)")
            && msg.contains("cgo: C compiler \"/nonexistent/cc\" not found"),
        "{msg}"
    );
    assert_at(&r, &f, &s.env_file_path(), 1);

    let plain = s.check(&["--no-shell", "--deep"]);
    assert!(
        plain.with_code("build-failed").is_empty(),
        "{}",
        plain.context()
    );
    assert_eq!(plain.deep().len(), 1, "{}", plain.context());
}

/// A `go` inside the folder, named by the folder's `.vscode/settings.json`: in an untrusted
/// workspace the deep check does not run it (the script would record every call), says so in
/// the report, and the terminal's own `go` still builds. Trusted, the same script runs (the
/// control that proves the trap records).
#[test]
fn an_untrusted_workspace_go_is_not_run() {
    let s = world();
    let marker = s.root.join("workspace-go-ran");
    let go = support::go_binary(GO125);
    let script = folder_script(
        &s,
        "tools/go",
        &format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
            marker.display(),
            go.display()
        ),
    );
    s.settings(&format!(
        "{{ \"go.alternateTools\": {{ \"go\": \"{}\" }} }}\n",
        script.display()
    ));
    let r = s.check(&["--no-shell", "--deep"]);
    assert!(
        !marker.exists(),
        "the workspace's go ran: {:?}{}",
        std::fs::read_to_string(&marker),
        r.context()
    );
    let vscode = r.deep_run("VS Code", "plain");
    assert_eq!(vscode["status"], "not-run", "{}", r.context());
    let reason = vscode["reason"].as_str().unwrap();
    assert!(
        reason.contains("tools/go") && reason.contains("not trusted"),
        "{reason}"
    );
    assert_eq!(r.deep_run("this terminal", "plain")["status"], "ok");
    assert!(r.with_code("build-failed").is_empty(), "{}", r.context());
    let folder = s.folder.display().to_string();
    let human = s.run(&["check", &folder, "--no-shell", "--deep"]);
    assert!(
        human
            .stdout
            .contains("- VS Code: a Go program was not built:"),
        "{}",
        human.context()
    );

    let trusted = s.check(&["--no-shell", "--deep", "--trust"]);
    let calls = std::fs::read_to_string(&marker).unwrap_or_default();
    assert!(
        calls.lines().any(|l| l.starts_with("build ")),
        "trusted: the workspace's go builds: {calls:?}{}",
        trusted.context()
    );
    assert_eq!(trusted.deep_run("VS Code", "plain")["status"], "ok");
}

/// The workspace's settings put a C compiler of its own into the editor's environment
/// (`go.toolsEnvVars.CC`): a build would run it, so in an untrusted workspace that side is not
/// built at all. Trusted, it runs (the control).
#[test]
fn an_untrusted_workspace_environment_is_not_built_with() {
    let s = world();
    let marker = s.root.join("workspace-cc-ran");
    let cc = folder_script(
        &s,
        "tools/cc",
        &format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nexec /usr/bin/gcc \"$@\"\n",
            marker.display()
        ),
    );
    s.settings(&format!(
        "{{ \"go.toolsEnvVars\": {{ \"CC\": \"{}\" }} }}\n",
        cc.display()
    ));
    let r = s.check(&["--no-shell", "--deep=cgo"]);
    assert!(
        !marker.exists(),
        "the workspace's CC ran: {:?}{}",
        std::fs::read_to_string(&marker),
        r.context()
    );
    for program in ["plain", "cgo"] {
        let run = r.deep_run("VS Code", program);
        assert_eq!(run["status"], "not-run", "{}", r.context());
        let reason = run["reason"].as_str().unwrap();
        assert!(
            reason.contains("CC (go.toolsEnvVars.CC in .vscode/settings.json)")
                && reason.contains("not trusted"),
            "{reason}"
        );
    }
    assert_eq!(r.deep_run("this terminal", "cgo")["status"], "ok");

    let trusted = s.check(&["--no-shell", "--deep=cgo", "--trust"]);
    assert!(
        marker.exists(),
        "trusted: the workspace's CC runs{}",
        trusted.context()
    );
    assert_eq!(trusted.deep_run("VS Code", "cgo")["status"], "ok");
}

/// As uid 65534, GOCACHE (set in the go env file) is a directory owned by root: the build
/// cannot initialize its cache, and the finding sits on the GOCACHE line.
#[test]
fn an_unwritable_build_cache_is_located_at_gocache() {
    let mut s = world();
    // The provisioned toolchains live under /root (0700): a hard-linked copy uid 65534 reaches.
    let goroot = s.root.join("go");
    let st = Command::new("cp")
        .arg("-al")
        .arg(support::goroot(GO125))
        .arg(&goroot)
        .status()
        .unwrap();
    assert!(st.success(), "copying Go {GO125} into the scenario failed");
    let cache = s.root.join("root-owned-cache");
    std::fs::create_dir_all(&cache).unwrap();
    chmod(&cache, 0o755);
    s.env_file(&format!("GOCACHE={}\n", cache.display()));
    s.env.remove("GOCACHE");
    s.env.insert(
        "PATH".into(),
        format!("{}/bin:/usr/bin:/bin", goroot.display()),
    );
    s.unprivileged = true;
    let r = s.check(&["--no-shell", "--deep"]);
    let f = r.one("build-failed");
    assert_eq!(f["subject"], "GOCACHE");
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.contains("build cache") && msg.contains("permission denied"),
        "{msg}"
    );
    assert_at(&r, &f, &s.env_file_path(), 1);
    // The static rule says the same about the directory; both stay.
    assert_eq!(
        r.with_code("gocache-unwritable").len(),
        1,
        "{}",
        r.context()
    );
}

/// The report's rendering of deep runs, without running anything: the human block (✓ with the
/// time, ✗ naming the finding, a side not tried in one line with its reason) and the JSON array.
#[test]
fn the_report_lists_every_deep_run() {
    use go_env_doctor::model::{DeepOutcome, DeepProgram, DeepRun, DeepStep, SideKind};
    use go_env_doctor::report::{human, json, Report, ShellState};
    let run = |side, label: &str, program, outcome| DeepRun {
        side,
        label: label.into(),
        program,
        go: Some(PathBuf::from("/usr/local/go/bin/go")),
        outcome,
    };
    let untrusted =
        "/w/tools/go was chosen by the workspace, which is not trusted, so it is not run";
    let report = Report {
        folder: PathBuf::from("/w"),
        home: None,
        editor: None,
        other_editors: Vec::new(),
        shell: ShellState::NotProbed,
        findings: Vec::new(),
        workspace: Default::default(),
        sdks: Vec::new(),
        deep: vec![
            run(
                SideKind::Editor,
                "this terminal",
                DeepProgram::Plain,
                DeepOutcome::Ok {
                    millis: 1234,
                    not_executed: None,
                },
            ),
            run(
                SideKind::Editor,
                "this terminal",
                DeepProgram::Cgo,
                DeepOutcome::Failed {
                    step: DeepStep::Build,
                    exit_code: Some(1),
                    output: "cgo: C compiler \"gcc\" not found".into(),
                    millis: 80,
                    timed_out: false,
                },
            ),
            run(
                SideKind::Shell,
                "your shell",
                DeepProgram::Plain,
                DeepOutcome::Ok {
                    millis: 400,
                    not_executed: Some(
                        "built for windows/amd64, which this linux/amd64 machine does not run"
                            .into(),
                    ),
                },
            ),
            run(
                SideKind::Editor,
                "VS Code",
                DeepProgram::Plain,
                DeepOutcome::NotRun {
                    reason: untrusted.into(),
                },
            ),
            run(
                SideKind::Editor,
                "VS Code",
                DeepProgram::Cgo,
                DeepOutcome::NotRun {
                    reason: untrusted.into(),
                },
            ),
        ],
    };
    let text = human::render_human(&report);
    let block: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != "Build check (--deep)")
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(
        block,
        vec![
            "Build check (--deep)",
            "  ✓ This terminal builds and runs a Go program (1.2 s)",
            "  ✗ This terminal cannot build a cgo program [build-failed]",
            "  ✓ Your shell builds a Go program (0.4 s); built for windows/amd64, which this linux/amd64 machine",
            "    does not run",
            "  - VS Code: nothing was built: /w/tools/go was chosen by the workspace, which is not trusted, so it",
            "    is not run",
        ],
        "{text}"
    );

    let v: Value = serde_json::from_str(&json::render_json(&report)).unwrap();
    assert_eq!(v["version"], 1);
    let deep = v["deep"].as_array().unwrap();
    assert_eq!(deep.len(), 5);
    assert_eq!(
        deep[0],
        serde_json::json!({"side": "editor", "label": "this terminal", "program": "plain",
            "go": "/usr/local/go/bin/go", "status": "ok", "millis": 1234})
    );
    assert_eq!(
        (
            &deep[1]["status"],
            &deep[1]["step"],
            &deep[1]["exitCode"],
            &deep[1]["timedOut"]
        ),
        (&"failed".into(), &"build".into(), &1.into(), &false.into())
    );
    assert_eq!(
        deep[2]["notExecuted"],
        "built for windows/amd64, which this linux/amd64 machine does not run"
    );
    assert_eq!(
        (&deep[3]["status"], &deep[3]["reason"]),
        (&"not-run".into(), &untrusted.into())
    );
    // Without --deep the report has no such key at all.
    let plain = Report {
        deep: Vec::new(),
        ..report
    };
    let v: Value = serde_json::from_str(&json::render_json(&plain)).unwrap();
    assert!(v.get("deep").is_none());
    assert!(!human::render_human(&plain).contains("Build check"));
}
