//! Which `go` VS Code with vscode-go runs, and with which environment, for settings of every
//! shape that changes either: a table of real settings files in a temp workspace, with REAL Go
//! toolchains as the SDKs, each row's expectation taken from reading vscode-go's source (the
//! function names are in the row comments). Each row runs the real binary
//! (`check --no-shell --trust --format json`) and compares the "VS Code" side of the report
//! (`sides.editors["VS Code"]`: `check` runs in a terminal, so its own process side is "this
//! terminal" and VS Code's is a view beside it) with the row.
//!
//! vscode-go in short (golang/vscode-go, extension/src):
//! - `go` = getBinPathWithPreferredGopathGorootWithExplanation (utils/pathUtils.ts), called by
//!   getBinPathWithExplanation (util.ts) from updateGoVarsFromConfig at activation, after
//!   setGOROOTEnvVar (goEnv.ts) copied an existing `go.goroot` into process.env.GOROOT:
//!   an absolute executable `go.alternateTools.go`; else the name (alternateTools when not
//!   absolute, else `go`) in $GOBIN, then `<go.goroot || process.env.GOROOT>/bin`, then PATH,
//!   then `/usr/local/go/bin/go`, `/usr/local/bin/go`; else none.
//! - The tools' environment = toolExecutionEnvironment (goEnv.ts): process.env, then every
//!   `go.toolsEnvVars` member (strings through resolvePath(substituteEnv()), anything else as
//!   is, which node writes as text), then GOPATH = getCurrentGoPath() = `go.gopath ||
//!   process.env.GOPATH` when non-empty, then `-json` removed from GOFLAGS.
//!
//! Plus the two end-to-end cases of the same issue: a terminal run with a skewed GOROOT, and
//! go.goroot with a different `go.toolsEnvVars.GOROOT`.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use crate::support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::os::unix::fs::symlink;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const GO121: &str = "1.21.13";
const GO122: &str = "1.22.10";
const GO125: &str = "1.25.5";

/// One temp world: HOME, a workspace folder with go.mod, an empty user settings fixture.
struct World {
    _dir: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
    folder: PathBuf,
    user_settings: PathBuf,
    env: BTreeMap<String, String>,
}

impl World {
    fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("gedvsgo-")
            .tempdir_in("/tmp")
            .unwrap();
        let root = dir.path().canonicalize().unwrap();
        let home = root.join("home");
        let folder = root.join("ws");
        std::fs::create_dir_all(home.join(".config/go")).unwrap();
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("go.mod"), "module example.com/m\n\ngo 1.21\n").unwrap();
        let user_settings = root.join("user-settings.json");
        std::fs::write(&user_settings, "{}\n").unwrap();
        let mut env = BTreeMap::new();
        env.insert("HOME".to_string(), home.display().to_string());
        env.insert("PATH".to_string(), "/usr/bin:/bin".to_string());
        World {
            _dir: dir,
            root,
            home,
            folder,
            user_settings,
            env,
        }
    }

    /// `{ROOT}`, `{HOME}`, `{WS}`, `{GO121}`, `{GO122}`, `{GO125}` replaced by real paths.
    fn expand(&self, s: &str) -> String {
        s.replace("{ROOT}", &self.root.display().to_string())
            .replace("{HOME}", &self.home.display().to_string())
            .replace("{WS}", &self.folder.display().to_string())
            .replace("{GO121}", &support::goroot(GO121).display().to_string())
            .replace("{GO122}", &support::goroot(GO122).display().to_string())
            .replace("{GO125}", &support::goroot(GO125).display().to_string())
    }

    fn settings(&self, text: &str) {
        let p = self.folder.join(".vscode/settings.json");
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, self.expand(text)).unwrap();
    }

    /// A symlink at `rel` (under the scenario root, or `{HOME}`/`{WS}`-templated) to `target`.
    fn link(&self, at: &str, target: &str) {
        let at = PathBuf::from(self.expand(at));
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        symlink(self.expand(target), &at).unwrap();
    }

    fn check(&self, extra: &[&str]) -> (Option<i32>, Value) {
        let folder = self.folder.display().to_string();
        let mut args = vec!["check", folder.as_str(), "--format", "json"];
        args.extend_from_slice(extra);
        let out = Command::new(support::bin())
            .args(&args)
            .env_clear()
            .envs(&self.env)
            .env("GO_ENV_DOCTOR_USER_SETTINGS", &self.user_settings)
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let json: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!(
                "no JSON report ({e}) for {args:?}\nstdout:\n{stdout}\nstderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code(), json)
    }
}

/// One settings shape and what vscode-go does with it.
struct Row {
    name: &'static str,
    /// `.vscode/settings.json` (templated; see [`World::expand`]).
    settings: &'static str,
    /// The editor's own environment on top of HOME (templated); `PATH` is given as Go roots.
    env: &'static [(&'static str, &'static str)],
    /// Go roots whose `bin` comes first on PATH, in order (templated), then /usr/bin:/bin.
    path: &'static [&'static str],
    /// Extra PATH directories before the Go roots (templated).
    path_dirs: &'static [&'static str],
    /// Symlinks to make: (where, target), templated.
    links: &'static [(&'static str, &'static str)],
    /// The `go` vscode-go runs (templated); `None`: it finds none.
    go: Option<&'static str>,
    /// Environment values the tools get (templated).
    want_env: &'static [(&'static str, &'static str)],
}

fn rows() -> Vec<Row> {
    vec![
        // getBinPathWithExplanation passes go.goroot as preferredGoroot; the lookup takes
        // <preferredGoroot>/bin/go. newEnvironment then copies toolsEnvVars over process.env,
        // so that binary gets the toolsEnvVars GOROOT (setGOROOTEnvVar's value is replaced).
        Row {
            name: "go.goroot + toolsEnvVars.GOROOT",
            settings: r#"{ "go.goroot": "{GO122}", "go.toolsEnvVars": { "GOROOT": "{GO125}" } }"#,
            env: &[],
            path: &["{GO121}"],
            path_dirs: &[],
            links: &[],
            go: Some("{GO122}/bin/go"),
            want_env: &[("GOROOT", "{GO125}")],
        },
        // toolsEnvVars only reach child processes: the lookup uses getCurrentGoRoot() =
        // process.env.GOROOT (unset) and then PATH.
        Row {
            name: "toolsEnvVars.GOROOT alone",
            settings: r#"{ "go.toolsEnvVars": { "GOROOT": "{GO125}" } }"#,
            env: &[],
            path: &["{GO122}"],
            path_dirs: &[],
            links: &[],
            go: Some("{GO122}/bin/go"),
            want_env: &[("GOROOT", "{GO125}")],
        },
        // No go.goroot: preferredGoroot is undefined, getCurrentGoRoot() is process.env.GOROOT,
        // searched before PATH.
        Row {
            name: "GOROOT in the environment",
            settings: "{}",
            env: &[("GOROOT", "{GO121}")],
            path: &["{GO122}"],
            path_dirs: &[],
            links: &[],
            go: Some("{GO121}/bin/go"),
            want_env: &[("GOROOT", "{GO121}")],
        },
        // setGOROOTEnvVar ignores a go.goroot that is no directory (process.env.GOROOT stays),
        // but getBinPathWithExplanation still passes it as preferredGoroot, and
        // `preferredGoroot || getCurrentGoRoot()` never reaches $GOROOT/bin: PATH decides.
        Row {
            name: "missing go.goroot hides $GOROOT/bin",
            settings: r#"{ "go.goroot": "{ROOT}/no-such-sdk" }"#,
            env: &[("GOROOT", "{GO121}")],
            path: &["{GO122}"],
            path_dirs: &[],
            links: &[],
            go: Some("{GO122}/bin/go"),
            want_env: &[("GOROOT", "{GO121}")],
        },
        // setGOROOTEnvVar copies an existing go.goroot into process.env.GOROOT; the lookup
        // takes <go.goroot>/bin/go.
        Row {
            name: "go.goroot over PATH",
            settings: r#"{ "go.goroot": "{GO125}" }"#,
            env: &[],
            path: &["{GO122}"],
            path_dirs: &[],
            links: &[],
            go: Some("{GO125}/bin/go"),
            want_env: &[("GOROOT", "{GO125}")],
        },
        // resolvePath expands `~`: an absolute, executable alternateTools.go wins outright.
        Row {
            name: "alternateTools.go with ~",
            settings: r#"{ "go.alternateTools": { "go": "~/sdk/go1.25/bin/go" } }"#,
            env: &[],
            path: &["{GO122}"],
            path_dirs: &[],
            links: &[("{HOME}/sdk/go1.25", "{GO125}")],
            go: Some("{HOME}/sdk/go1.25/bin/go"),
            want_env: &[],
        },
        // resolvePath substitutes ${workspaceFolder}.
        Row {
            name: "alternateTools.go with ${workspaceFolder}",
            settings: r#"{ "go.alternateTools": { "go": "${workspaceFolder}/.sdk/bin/go" } }"#,
            env: &[],
            path: &["{GO122}"],
            path_dirs: &[],
            links: &[("{WS}/.sdk", "{GO121}")],
            go: Some("{WS}/.sdk/bin/go"),
            want_env: &[],
        },
        // An absolute alternateTools.go that is not executable is skipped silently; the name
        // looked up is then `go` (binname is the tool name for an absolute path).
        Row {
            name: "alternateTools.go absolute but missing",
            settings: r#"{ "go.alternateTools": { "go": "{ROOT}/nowhere/go" } }"#,
            env: &[],
            path: &["{GO122}"],
            path_dirs: &[],
            links: &[],
            go: Some("{GO122}/bin/go"),
            want_env: &[],
        },
        // A bare name is the binname searched in GOBIN, GOROOT/bin and PATH.
        Row {
            name: "alternateTools.go bare name on PATH",
            settings: r#"{ "go.alternateTools": { "go": "go-custom" } }"#,
            env: &[],
            path: &["{GO122}"],
            path_dirs: &["{ROOT}/altbin"],
            links: &[("{ROOT}/altbin/go-custom", "{GO125}/bin/go")],
            go: Some("{ROOT}/altbin/go-custom"),
            want_env: &[],
        },
        // A bare name found nowhere: the PATH search looks for that name, not `go`, and the
        // fixed fallbacks are absent here: vscode-go has no go at all (binPath '').
        Row {
            name: "alternateTools.go bare name not found",
            settings: r#"{ "go.alternateTools": { "go": "go-missing" } }"#,
            env: &[],
            path: &["{GO122}"],
            path_dirs: &[],
            links: &[],
            go: None,
            want_env: &[],
        },
        // A relative path is not absolute either: it is joined to every search directory
        // (path.join(dir, './tools/go')) and found in none of them.
        Row {
            name: "alternateTools.go relative path",
            settings: r#"{ "go.alternateTools": { "go": "./tools/go" } }"#,
            env: &[],
            path: &["{GO122}"],
            path_dirs: &[],
            links: &[("{WS}/tools/go", "{GO125}/bin/go")],
            go: None,
            want_env: &[],
        },
        // $GOBIN (process.env.GOBIN) is searched first, before GOROOT and PATH.
        Row {
            name: "go in GOBIN",
            settings: "{}",
            env: &[("GOBIN", "{ROOT}/gobin"), ("GOROOT", "{GO122}")],
            path: &["{GO122}"],
            path_dirs: &[],
            links: &[("{ROOT}/gobin/go", "{GO121}/bin/go")],
            go: Some("{ROOT}/gobin/go"),
            want_env: &[("GOBIN", "{ROOT}/gobin")],
        },
        // toolExecutionEnvironment removes `-json` from GOFLAGS of the process env.
        Row {
            name: "GOFLAGS -json from the environment",
            settings: "{}",
            env: &[("GOFLAGS", "-mod=mod -json")],
            path: &["{GO122}"],
            path_dirs: &[],
            links: &[],
            go: Some("{GO122}/bin/go"),
            want_env: &[("GOFLAGS", "-mod=mod")],
        },
        // … and from toolsEnvVars (the blank after a leading -json stays).
        Row {
            name: "GOFLAGS -json from toolsEnvVars",
            settings: r#"{ "go.toolsEnvVars": { "GOFLAGS": "-json -mod=readonly" } }"#,
            env: &[],
            path: &["{GO122}"],
            path_dirs: &[],
            links: &[],
            go: Some("{GO122}/bin/go"),
            want_env: &[("GOFLAGS", " -mod=readonly")],
        },
        // newEnvironment assigns non-string toolsEnvVars as they are; node writes them as text.
        Row {
            name: "non-string toolsEnvVars",
            settings: r#"{ "go.toolsEnvVars": { "CGO_ENABLED": 0 } }"#,
            env: &[],
            path: &["{GO122}"],
            path_dirs: &[],
            links: &[],
            go: Some("{GO122}/bin/go"),
            want_env: &[("CGO_ENABLED", "0")],
        },
        // getCurrentGoPath: `go.gopath || process.env.GOPATH`, set after toolsEnvVars.
        Row {
            name: "process GOPATH beats toolsEnvVars.GOPATH",
            settings: r#"{ "go.toolsEnvVars": { "GOPATH": "{ROOT}/tools-gopath" } }"#,
            env: &[("GOPATH", "{ROOT}/env-gopath")],
            path: &["{GO122}"],
            path_dirs: &[],
            links: &[],
            go: Some("{GO122}/bin/go"),
            want_env: &[("GOPATH", "{ROOT}/env-gopath")],
        },
        Row {
            name: "toolsEnvVars.GOPATH without a process GOPATH",
            settings: r#"{ "go.toolsEnvVars": { "GOPATH": "{ROOT}/tools-gopath" } }"#,
            env: &[],
            path: &["{GO122}"],
            path_dirs: &[],
            links: &[],
            go: Some("{GO122}/bin/go"),
            want_env: &[("GOPATH", "{ROOT}/tools-gopath")],
        },
        Row {
            name: "go.gopath beats both",
            settings: r#"{ "go.gopath": "${workspaceFolder}/gp", "go.toolsEnvVars": { "GOPATH": "{ROOT}/tools-gopath" } }"#,
            env: &[("GOPATH", "{ROOT}/env-gopath")],
            path: &["{GO122}"],
            path_dirs: &[],
            links: &[],
            go: Some("{GO122}/bin/go"),
            want_env: &[("GOPATH", "{WS}/gp")],
        },
        // substituteEnv: ${env:VAR} from the process environment, a missing one is empty.
        Row {
            name: "toolsEnvVars with ${env:}",
            settings: r#"{ "go.toolsEnvVars": { "GOPROXY": "${env:MY_PROXY},direct", "GONOSUMDB": "${env:NOT_SET}" } }"#,
            env: &[("MY_PROXY", "https://proxy.example.com")],
            path: &["{GO122}"],
            path_dirs: &[],
            links: &[],
            go: Some("{GO122}/bin/go"),
            want_env: &[("GOPROXY", "https://proxy.example.com,direct")],
        },
    ]
}

fn run_row(row: &Row) -> Result<(), String> {
    let mut w = World::new();
    w.settings(row.settings);
    for (at, target) in row.links {
        w.link(at, target);
    }
    let mut path: Vec<String> = row.path_dirs.iter().map(|d| w.expand(d)).collect();
    path.extend(row.path.iter().map(|g| format!("{}/bin", w.expand(g))));
    path.push("/usr/bin".into());
    path.push("/bin".into());
    w.env.insert("PATH".into(), path.join(":"));
    for (k, v) in row.env {
        w.env.insert(k.to_string(), w.expand(v));
    }
    for dir in ["{ROOT}/env-gopath", "{ROOT}/tools-gopath", "{WS}/gp"] {
        std::fs::create_dir_all(w.expand(dir)).unwrap();
    }
    let (_, report) = w.check(&["--no-shell", "--trust"]);
    let side = &report["sides"]["editors"]["VS Code"];
    if side.is_null() {
        return Err(format!("no VS Code side in {}", report["sides"]));
    }
    let mut problems = Vec::new();
    let want_go = row.go.map(|g| w.expand(g));
    let got_go = side["go"].as_str().map(str::to_string);
    if got_go != want_go {
        problems.push(format!("go: want {want_go:?}, got {got_go:?}"));
    }
    for (k, v) in row.want_env {
        let want = w.expand(v);
        let got = side["env"][k]["value"].as_str().unwrap_or("<unset>");
        if got != want {
            problems.push(format!("{k}: want {want:?}, got {got:?}"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

#[test]
fn vscode_go_model_table() {
    let rows = rows();
    let mut failures = Vec::new();
    for row in &rows {
        if let Err(why) = run_row(row) {
            failures.push(format!("{}: {why}", row.name));
        }
    }
    println!(
        "vscode-go model: {}/{} rows agree",
        rows.len() - failures.len(),
        rows.len()
    );
    assert!(
        failures.is_empty(),
        "rows that disagree:\n{}",
        failures.join("\n")
    );
}

fn findings<'a>(report: &'a Value, code: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
}

/// A terminal with GOROOT of Go 1.21.13 and Go 1.22.10 first on PATH: every `go build` there
/// fails. `check` names its side "this terminal", runs `go` from PATH as the command line
/// does, reports the skew as an error quoting cmd/go's message, and says that VS Code with the
/// same environment would run the other binary.
#[test]
fn terminal_run_reports_the_goroot_version_skew() {
    let mut w = World::new();
    let go121 = support::goroot(GO121);
    let go122 = support::goroot(GO122);
    w.env.insert(
        "PATH".into(),
        format!("{}/bin:/usr/bin:/bin", go122.display()),
    );
    w.env.insert("GOROOT".into(), go121.display().to_string());
    let (code, report) = w.check(&["--no-shell"]);
    assert_eq!(code, Some(1), "{report:#}");
    let terminal = &report["sides"]["editor"];
    assert_eq!(
        terminal["go"].as_str(),
        Some(go122.join("bin/go").to_str().unwrap())
    );
    assert_eq!(terminal["goVersion"], "go1.22.10");
    assert!(report["sides"]["editors"]["this terminal"].is_object());
    let skew = findings(&report, "goroot-version-skew");
    assert_eq!(skew.len(), 1, "{report:#}");
    assert_eq!(skew[0]["severity"], "error");
    let msg = skew[0]["message"].as_str().unwrap();
    assert!(msg.starts_with("This terminal runs "), "{msg}");
    assert!(
        msg.contains(
            r#"compile: version \"go1.21.13\" does not match go tool version \"go1.22.10\""#
        ),
        "{msg}"
    );
    assert!(
        msg.contains(&format!(
            "VS Code would run {}/bin/go instead (go1.21.13",
            go121.display()
        )),
        "{msg}"
    );
    // The explicit GOROOT is not "the root go finds by itself" for the terminal.
    assert!(
        findings(&report, "goroot-explicit")
            .iter()
            .all(|f| !f["message"].as_str().unwrap().starts_with("This terminal")),
        "{report:#}"
    );

    // The same in a CI job.
    w.env.insert("GITHUB_ACTIONS".into(), "true".into());
    let (_, report) = w.check(&["--no-shell"]);
    let skew = findings(&report, "goroot-version-skew");
    assert!(
        skew[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("This CI job runs "),
        "{report:#}"
    );
}

/// go.goroot = Go 1.22.10 and go.toolsEnvVars.GOROOT = Go 1.25.5: vscode-go runs 1.22's `go`
/// with 1.25's GOROOT, so the editor's builds fail. The report says so, for VS Code, and no
/// fix it offers keeps that pair.
#[test]
fn go_goroot_with_another_tools_env_goroot_is_a_skew() {
    let mut w = World::new();
    let go122 = support::goroot(GO122);
    let go125 = support::goroot(GO125);
    w.env.insert(
        "PATH".into(),
        format!("{}/bin:/usr/bin:/bin", go122.display()),
    );
    w.settings(r#"{ "go.goroot": "{GO122}", "go.toolsEnvVars": { "GOROOT": "{GO125}" } }"#);
    let (code, report) = w.check(&["--no-shell", "--trust"]);
    assert_eq!(code, Some(1), "{report:#}");
    let vscode = &report["sides"]["editors"]["VS Code"];
    assert_eq!(vscode["goVersion"], "go1.22.10", "{report:#}");
    assert_eq!(
        vscode["env"]["GOROOT"]["value"].as_str(),
        Some(go125.to_str().unwrap())
    );
    let skew = findings(&report, "goroot-version-skew");
    assert_eq!(skew.len(), 1, "{report:#}");
    let msg = skew[0]["message"].as_str().unwrap();
    assert!(msg.starts_with("VS Code runs "), "{msg}");
    assert!(
        msg.contains(
            r#"compile: version \"go1.25.5\" does not match go tool version \"go1.22.10\""#
        ),
        "{msg}"
    );
    assert!(
        findings(&report, "goroot-explicit").is_empty(),
        "the editor's GOROOT is no root its go finds by itself: {report:#}"
    );
    // Every fix offered was verified: none may leave go.goroot and toolsEnvVars.GOROOT apart.
    for f in report["findings"].as_array().unwrap() {
        for fix in f["fixes"].as_array().into_iter().flatten() {
            if fix["kind"] == "set-setting" && fix["key"] == "go.goroot" {
                assert_eq!(
                    fix["value"].as_str(),
                    Some(go125.to_str().unwrap()),
                    "a fix that pairs go.goroot with another GOROOT: {fix:#}"
                );
            }
        }
    }
}
