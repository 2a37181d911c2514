//! Every module of a workspace, checked against real Go toolchains: nested go.mod files, go.work
//! integrity (cmd/go's own words), gopls' directory skipping and `directoryFilters`, a folder
//! opened inside a module, GOWORK set on one side only — and each go.work quick fix applied to
//! the real file and proved by the real `go`.
//!
//! Differential rule: for each module, `check` (the terminal side) reports an error located in
//! that module's go.mod or in the go.work deciding for it exactly when the real `go list` run
//! in that module's directory fails; and the text `go` prints is the text the finding quotes.

// The differential test prints its figures (cases, modules, mismatches) for the closing notes.
#![allow(clippy::print_stdout)]

use crate::support;

use go_env_doctor::model::GoWorkEdit;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const GO122: &str = "1.22.10";
const GO125: &str = "1.25.5";

struct World {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
}

impl World {
    fn new() -> World {
        let tmp = tempfile::tempdir().expect("temp dir");
        let base = std::fs::canonicalize(tmp.path()).expect("canonical temp dir");
        let root = base.join("repo");
        let home = base.join("home");
        std::fs::create_dir_all(&root).expect("repo dir");
        std::fs::create_dir_all(&home).expect("home dir");
        World {
            _tmp: tmp,
            root,
            home,
        }
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
        p
    }

    /// A module with a package (so `go list .` has something to list).
    fn module(&self, dir: &str, go: &str) {
        self.write(
            &format!("{dir}/go.mod"),
            &format!("module example.com/{dir}\n\ngo {go}\n"),
        );
        self.write(&format!("{dir}/x.go"), "package x\n");
    }

    fn env(&self, go: &str) -> Vec<(String, String)> {
        let bin = support::goroot(go).join("bin");
        vec![
            ("HOME".into(), self.home.display().to_string()),
            ("PATH".into(), format!("{}:/usr/bin:/bin", bin.display())),
            ("GOTOOLCHAIN".into(), "local".into()),
            ("GOPROXY".into(), "off".into()),
            ("GOFLAGS".into(), String::new()),
        ]
    }

    /// `check DIR --format json --no-shell` as the terminal running Go `go`.
    fn check(&self, dir: &Path, go: &str, extra: &[(&str, &str)]) -> Value {
        let mut cmd = Command::new(support::bin());
        cmd.env_clear()
            .envs(self.env(go))
            .envs(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())))
            .args(["check", "--no-shell", "--format", "json"])
            .arg(dir)
            .current_dir(dir);
        let out = cmd.output().expect("run go-env-doctor");
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "check printed no JSON ({e}): {}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        })
    }

    /// The real `go ARGS` in `dir`: `Ok(stdout)` or `Err(stderr)`.
    fn go(&self, dir: &Path, go: &str, args: &[&str]) -> Result<String, String> {
        self.go_with(dir, go, &[], args)
    }

    /// [`World::go`] with more environment.
    fn go_with(
        &self,
        dir: &Path,
        go: &str,
        extra: &[(&str, &str)],
        args: &[&str],
    ) -> Result<String, String> {
        let out = Command::new(support::go_binary(go))
            .env_clear()
            .envs(self.env(go))
            .envs(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())))
            .args(args)
            .current_dir(dir)
            .output()
            .expect("run go");
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// `check --shell bash` as the terminal running Go 1.22.10, the login shell's
    /// `~/.bash_profile` putting the same Go first on PATH and then running `profile_tail`.
    fn check_with_bash(&self, profile_tail: &str) -> Value {
        let bash = support::shell("bash");
        let bin = support::goroot(GO122).join("bin");
        std::fs::write(
            self.home.join(".bash_profile"),
            format!(
                "export PATH={}:/usr/bin:/bin\n{profile_tail}",
                bin.display()
            ),
        )
        .expect("profile");
        let out = Command::new(support::bin())
            .env_clear()
            .envs(self.env(GO122))
            .env("SHELL", &bash)
            .args(["check", "--format", "json", "--trust", "--shell"])
            .arg(&bash)
            .arg(&self.root)
            .current_dir(&self.root)
            .output()
            .expect("check with a shell");
        serde_json::from_slice(&out.stdout).expect("json")
    }
}

fn findings(report: &Value) -> Vec<Value> {
    report["findings"].as_array().cloned().unwrap_or_default()
}

fn with_code(report: &Value, code: &str) -> Vec<Value> {
    findings(report)
        .into_iter()
        .filter(|f| f["code"] == code)
        .collect()
}

fn one(report: &Value, code: &str) -> Value {
    let all = with_code(report, code);
    assert_eq!(
        all.len(),
        1,
        "expected one {code}, got {}: {}",
        all.len(),
        serde_json::to_string_pretty(&findings(report)).unwrap_or_default()
    );
    all[0].clone()
}

fn first_location(f: &Value) -> (PathBuf, u64) {
    let l = &f["locations"][0];
    (
        PathBuf::from(l["path"].as_str().unwrap_or_default()),
        l["line"].as_u64().unwrap_or_default(),
    )
}

/// Whitespace runs as single spaces (cmd/go breaks its hints onto a tab-indented line).
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first `go:` line cmd/go printed, flattened with its continuation lines.
fn go_error(stderr: &str) -> String {
    flat(stderr.trim())
}

/// Apply the go.work edit of a fix to the real file, as the language server would.
fn apply_work_fix(fix: &Value) {
    assert_eq!(fix["kind"], "edit-go-work", "{fix}");
    let file = PathBuf::from(fix["file"].as_str().expect("fix file"));
    let edit: GoWorkEdit = serde_json::from_value(fix["edit"].clone()).expect("edit");
    let text = std::fs::read_to_string(&file).expect("read go.work");
    let mut edits = go_env_doctor::settings::gomod::work_edit(&file, &text, &edit)
        .unwrap_or_else(|e| panic!("no edit: {e}"));
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut new = text.clone();
    for (start, end, with) in edits {
        new.replace_range(start..end, &with);
    }
    std::fs::write(&file, new).expect("write go.work");
}

#[test]
fn a_nested_module_needing_a_newer_go_is_reported_where_its_go_line_is() {
    let w = World::new();
    w.module("svc/a", "1.25.0");
    w.module("svc/b", "1.21");
    let report = w.check(&w.root, GO122, &[]);
    let f = one(&report, "toolchain-too-old");
    assert_eq!(first_location(&f), (w.path("svc/a/go.mod"), 3));
    let real = w
        .go(&w.path("svc/a"), GO122, &["list", "-m"])
        .expect_err("go 1.22.10 must refuse svc/a");
    assert!(
        flat(f["message"].as_str().unwrap_or_default()).contains(&go_error(&real)),
        "the finding quotes go's own error {real:?}: {}",
        f["message"]
    );
    assert!(f["message"]
        .as_str()
        .unwrap_or_default()
        .starts_with("svc/a/go.mod requires go >= 1.25.0"));
    // svc/b is fine for the real go, and for the check.
    w.go(&w.path("svc/b"), GO122, &["list", "-m"])
        .expect("svc/b builds with go 1.22.10");
}

#[test]
fn many_modules_with_one_root_cause_make_one_finding_with_the_others_as_locations() {
    let w = World::new();
    for i in 0..12 {
        w.module(
            &format!("svc/m{i:02}"),
            if i == 7 { "1.25.0" } else { "1.24" },
        );
    }
    let report = w.check(&w.root, GO122, &[]);
    let f = one(&report, "toolchain-too-old");
    // The most demanding module first: the fix must satisfy it.
    assert_eq!(first_location(&f), (w.path("svc/m07/go.mod"), 3));
    assert_eq!(f["locations"].as_array().map(Vec::len), Some(12));
    let msg = f["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("The same holds for 11 other module files") && msg.contains("and 6 more"),
        "{msg}"
    );
    for i in 0..12 {
        assert!(
            w.go(&w.path(&format!("svc/m{i:02}")), GO122, &["list", "-m"])
                .is_err(),
            "real go refuses svc/m{i:02} too"
        );
    }
}

#[test]
fn go_work_listing_an_older_go_than_a_used_module_is_fixed_by_raising_its_go_line() {
    let w = World::new();
    w.write("go.work", "go 1.22\n\nuse ./svc/a\n");
    w.module("svc/a", "1.25.0");
    let report = w.check(&w.root, GO125, &[]);
    let f = one(&report, "gowork-go-too-low");
    assert_eq!(first_location(&f), (w.path("go.work"), 1));
    assert_eq!(
        f["locations"][1]["path"].as_str(),
        Some(w.path("svc/a/go.mod").to_str().unwrap_or_default())
    );
    let real = w
        .go(&w.root, GO125, &["list", "-m"])
        .expect_err("real go refuses the workspace");
    assert!(
        flat(f["message"].as_str().unwrap_or_default()).contains(&go_error(&real)),
        "quotes {real:?}: {}",
        f["message"]
    );
    let fix = &f["fixes"][0];
    assert!(
        fix["title"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Raise the go line of go.work to 1.25.0"),
        "{fix}"
    );
    apply_work_fix(fix);
    assert_eq!(
        std::fs::read_to_string(w.path("go.work")).unwrap_or_default(),
        "go 1.25.0\n\nuse ./svc/a\n"
    );
    w.go(&w.root, GO125, &["list", "-m"])
        .expect("the fixed workspace loads");
    assert!(findings(&w.check(&w.root, GO125, &[]))
        .iter()
        .all(|f| f["severity"] != "error"));
}

#[test]
fn raising_the_go_line_is_not_offered_when_the_side_cannot_run_that_go() {
    let w = World::new();
    w.write("go.work", "go 1.22\n\nuse ./svc/a\n");
    w.module("svc/a", "1.25.0");
    let report = w.check(&w.root, GO122, &[]);
    let f = one(&report, "gowork-go-too-low");
    let msg = f["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("Raising the go line alone does not help this terminal")
            && msg.contains("give it a Go of at least 1.25.0"),
        "{msg}"
    );
    assert_eq!(f["fixes"].as_array().map(Vec::len), Some(0), "{f}");
    // The issue's own case: that is what the real go says.
    let real = w.go(&w.root, GO122, &["list", "-m"]).expect_err("refused");
    assert!(flat(msg).contains(&go_error(&real)), "{real}");
}

#[test]
fn a_dead_use_is_reported_with_go_words_and_removing_it_makes_go_work() {
    let w = World::new();
    w.write(
        "go.work",
        "go 1.22\n\nuse (\n\t./svc/a\n\t./svc/gone\n\t./empty\n)\n",
    );
    w.module("svc/a", "1.21");
    std::fs::create_dir_all(w.path("empty")).expect("empty dir");
    let report = w.check(&w.root, GO122, &[]);
    let dead = with_code(&report, "gowork-use-missing");
    assert_eq!(dead.len(), 2, "{dead:#?}");
    let real = w.go(&w.root, GO122, &["list", "-m"]).expect_err("refused");
    for f in &dead {
        let line = flat(f["message"].as_str().unwrap_or_default());
        let quoted = line
            .split('"')
            .nth(1)
            .expect("the finding quotes go")
            .to_string();
        assert!(
            real.contains(&quoted),
            "go printed {real:?}, the finding quotes {quoted:?}"
        );
    }
    assert_eq!(first_location(&dead[0]), (w.path("go.work"), 5));
    for f in &dead {
        apply_work_fix(&f["fixes"][0]);
    }
    assert_eq!(
        std::fs::read_to_string(w.path("go.work")).unwrap_or_default(),
        "go 1.22\n\nuse (\n\t./svc/a\n)\n"
    );
    w.go(&w.root, GO122, &["list", "-m"])
        .expect("go works again");
}

#[test]
fn a_module_the_go_work_does_not_use_is_added_by_the_fix() {
    let w = World::new();
    w.write("go.work", "go 1.22\n\nuse ./svc/a\n");
    w.module("svc/a", "1.21");
    w.module("svc/b", "1.21");
    let real = w
        .go(&w.path("svc/b"), GO122, &["list", "."])
        .expect_err("go refuses svc/b");
    let report = w.check(&w.root, GO122, &[]);
    let f = one(&report, "gowork-module-not-used");
    assert_eq!(first_location(&f).0, w.path("go.work"));
    assert_eq!(
        f["locations"][1]["path"].as_str(),
        Some(w.path("svc/b/go.mod").to_str().unwrap_or_default())
    );
    assert!(
        flat(f["message"].as_str().unwrap_or_default()).contains(&go_error(&real)),
        "quotes {real:?}: {}",
        f["message"]
    );
    // Not reported as a toolchain problem of svc/b: the terminal's go stays in workspace mode.
    assert!(with_code(&report, "toolchain-too-old").is_empty());
    apply_work_fix(&f["fixes"][0]);
    assert_eq!(
        std::fs::read_to_string(w.path("go.work")).unwrap_or_default(),
        "go 1.22\n\nuse ./svc/a\nuse ./svc/b\n"
    );
    w.go(&w.path("svc/b"), GO122, &["list", "."])
        .expect("svc/b is in the workspace now");
    assert!(with_code(&w.check(&w.root, GO122, &[]), "gowork-module-not-used").is_empty());
}

#[test]
fn what_gopls_skips_is_not_walked_and_directory_filters_count() {
    let w = World::new();
    w.module("svc/a", "1.21");
    // Each of these would be an error if it were walked.
    for skipped in [
        "node_modules/dep",
        "svc/a/vendor/x",
        "testdata/mod",
        ".hidden/mod",
        "_old/mod",
        "legacy/mod",
    ] {
        w.module(skipped, "1.99.0");
    }
    // A symlink loop, and a symlinked module: never followed.
    std::os::unix::fs::symlink(&w.root, w.path("svc/loop")).expect("symlink");
    std::os::unix::fs::symlink(w.path("legacy"), w.path("linked")).expect("symlink");
    w.write(
        ".vscode/settings.json",
        r#"{ "gopls": { "build.directoryFilters": ["-**/node_modules", "-legacy"] } }"#,
    );
    let report = w.check(&w.root, GO122, &[]);
    assert!(
        with_code(&report, "toolchain-too-old").is_empty(),
        "{:#?}",
        findings(&report)
    );
    // Without the filter, legacy/ is a module like any other. (One finding: the VS Code view
    // of the project says the same words and has no working fix of its own — switching to
    // GOTOOLCHAIN=auto would need a download that GOPROXY=off rules out.)
    w.write(".vscode/settings.json", "{}");
    let all = with_code(&w.check(&w.root, GO122, &[]), "toolchain-too-old");
    assert_eq!(all.len(), 1, "{all:#?}");
    assert!(
        all[0]["fixes"].as_array().is_some_and(|f| f.is_empty()),
        "{all:#?}"
    );
    for f in &all {
        assert_eq!(first_location(f), (w.path("legacy/mod/go.mod"), 3));
    }
}

#[test]
fn a_folder_opened_inside_a_module_is_checked_against_the_go_mod_above() {
    let w = World::new();
    w.module("svc/a", "1.25.0");
    let pkg = w.path("svc/a/internal/pkg");
    std::fs::create_dir_all(&pkg).expect("pkg dir");
    let report = w.check(&pkg, GO122, &[]);
    let f = one(&report, "toolchain-too-old");
    assert_eq!(first_location(&f), (w.path("svc/a/go.mod"), 3));
    assert!(w.go(&pkg, GO122, &["list", "-m"]).is_err());
}

#[test]
fn gowork_off_is_honoured_and_differs_from_a_shell_that_uses_the_go_work() {
    let w = World::new();
    w.write("go.work", "go 1.25.0\n\nuse ./svc/a\n");
    w.module("svc/a", "1.21");
    // The terminal with GOWORK=off decides by svc/a/go.mod: go 1.22.10 is enough.
    let off = w.check(&w.root, GO122, &[("GOWORK", "off")]);
    assert!(
        with_code(&off, "toolchain-too-old").is_empty(),
        "{:#?}",
        findings(&off)
    );
    w.go(&w.path("svc/a"), GO122, &["list", "-m"])
        .expect_err("without GOWORK=off the go.work's go 1.25.0 decides");
    w.go_with(
        &w.path("svc/a"),
        GO122,
        &[("GOWORK", "off")],
        &["list", "-m"],
    )
    .expect("with GOWORK=off svc/a/go.mod decides");
    // Without it, the go.work decides: too old.
    let on = w.check(&w.root, GO122, &[]);
    let f = one(&on, "toolchain-too-old");
    assert_eq!(first_location(&f), (w.path("go.work"), 1));

    // A login shell exporting GOWORK=off against a terminal without it.
    let report = w.check_with_bash("export GOWORK=off\nexport GOTOOLCHAIN=local\n");
    let f = one(&report, "gowork-mismatch");
    let msg = f["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("This terminal uses go.work (no GOWORK)")
            && msg.contains("your shell uses no go.work (GOWORK=off"),
        "{msg}"
    );
}

// =============================================================================================
// Differential: random workspaces, the check's prediction against the real go in each module
// =============================================================================================

/// xorshift64*: the same cases on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

/// Codes that mean "go commands fail here".
const FAILING: &[&str] = &[
    "toolchain-too-old",
    "toolchain-not-in-path",
    "gowork-go-too-low",
    "gowork-use-missing",
    "gowork-module-not-used",
    "gomod-invalid",
];

/// For random workspaces (modules with random `go` lines, a go.work with random `go` line and
/// `use` lines — some naming missing or module-less directories, some modules left out —
/// GOWORK unset or `off`, Go 1.22.10 or 1.25.5 with GOTOOLCHAIN=local), the terminal's report
/// predicts exactly the modules where the real `go list .` fails: a failing finding located in
/// the module's go.mod, or in the go.work cmd/go uses there.
#[test]
fn random_workspaces_agree_with_the_real_go_in_every_module() {
    let cases: usize = std::env::var("GO_ENV_DOCTOR_WS_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let mut rng = Rng(0x005e_ed0f_900d);
    let (mut modules_checked, mut failing_modules, mut mismatches) = (0, 0, Vec::new());
    for case in 0..cases {
        let w = World::new();
        let go = if rng.chance(50) { GO122 } else { GO125 };
        let versions = [
            "1.21", "1.21.0", "1.22", "1.22.3", "1.23.0", "1.24", "1.25.0",
        ];
        let mut dirs: Vec<String> = Vec::new();
        if rng.chance(30) {
            dirs.push(".".into());
        }
        for i in 0..1 + rng.below(4) {
            dirs.push(if rng.chance(50) {
                format!("m{i}")
            } else {
                format!("svc/m{i}")
            });
        }
        let mut layout = Vec::new();
        for d in &dirs {
            let v = rng.pick(&versions);
            let name = if d == "." {
                "root".to_string()
            } else {
                d.replace('/', "-")
            };
            w.write(
                &format!("{d}/go.mod"),
                &format!("module example.com/{name}\n\ngo {v}\n"),
            );
            w.write(&format!("{d}/x.go"), "package x\n");
            layout.push(format!("{d}: go {v}"));
        }
        let work = rng.chance(70);
        if work {
            let mut text = String::new();
            if rng.chance(80) {
                text.push_str(&format!(
                    "go {}\n\n",
                    rng.pick(&["1.21", "1.22", "1.24", "1.25.0"])
                ));
            }
            for d in &dirs {
                if rng.chance(75) {
                    text.push_str(&format!("use ./{}\n", d.trim_start_matches("./")));
                }
            }
            if rng.chance(15) {
                text.push_str("use ./gone\n");
            }
            if rng.chance(10) {
                std::fs::create_dir_all(w.path("empty")).expect("empty dir");
                text.push_str("use ./empty\n");
            }
            w.write("go.work", &text);
            layout.push(format!("go.work: {text:?}"));
        }
        let gowork_off = work && rng.chance(25);
        let extra: Vec<(&str, &str)> = if gowork_off {
            vec![("GOWORK", "off")]
        } else {
            Vec::new()
        };
        let report = w.check(&w.root, go, &extra);
        let errors: Vec<Value> = findings(&report)
            .into_iter()
            .filter(|f| {
                f["severity"] == "error" && FAILING.contains(&f["code"].as_str().unwrap_or(""))
            })
            .collect();
        let work_path = w.path("go.work");
        for d in &dirs {
            let dir = if d == "." { w.root.clone() } else { w.path(d) };
            let gomod = dir.join("go.mod");
            let uses_work = work && !gowork_off;
            // A finding on the go.work fails every module cmd/go runs under it, except
            // gowork-module-not-used, which concerns the modules it lists.
            let predicted = errors.iter().any(|f| {
                let whole_workspace = f["code"] != "gowork-module-not-used";
                f["locations"].as_array().into_iter().flatten().any(|l| {
                    let p = Path::new(l["path"].as_str().unwrap_or(""));
                    p == gomod || (whole_workspace && uses_work && p == work_path)
                })
            });
            let real = w.go_with(&dir, go, &extra, &["list", "."]);
            let fails = real.is_err();
            modules_checked += 1;
            failing_modules += usize::from(fails);
            if predicted != fails {
                mismatches.push(format!(
                    "case {case} (go {go}, GOWORK={}): {d}: real go {} ({}), check {}\n  layout: {layout:?}\n  findings: {}",
                    if gowork_off { "off" } else { "unset" },
                    if fails { "fails" } else { "works" },
                    real.as_ref().err().map_or("", |e| e.trim()),
                    if predicted { "predicts a failure" } else { "predicts nothing" },
                    serde_json::to_string(&errors).unwrap_or_default()
                ));
            }
        }
    }
    println!(
        "random workspaces: {cases} cases, {modules_checked} modules, {failing_modules} failing for the real go, {} mismatches",
        mismatches.len()
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// VS Code's `go.toolsEnvVars.GOWORK: "off"` against a shell that uses the go.work: reported
/// for the VS Code view, on the setting, with a fix that removes it (verified by simulation).
#[test]
fn a_gowork_setting_in_vscode_differs_from_the_shell_and_is_removed_by_the_fix() {
    let w = World::new();
    w.write("go.work", "go 1.22\n\nuse ./svc/a\n");
    w.module("svc/a", "1.21");
    let settings = w.write(
        ".vscode/settings.json",
        "{\n  \"go.toolsEnvVars\": {\n    \"GOWORK\": \"off\"\n  }\n}\n",
    );
    let report = w.check_with_bash("");
    let f = one(&report, "gowork-mismatch");
    let msg = f["message"].as_str().unwrap_or_default();
    assert!(
        msg.starts_with("VS Code uses no go.work (GOWORK=off")
            && msg.contains("your shell uses go.work"),
        "{msg}"
    );
    assert_eq!(first_location(&f), (settings.clone(), 3));
    let fix = &f["fixes"][0];
    assert_eq!(fix["kind"], "remove-setting", "{f:#}");
    assert_eq!(fix["key"], "go.toolsEnvVars.GOWORK", "{f:#}");
}
