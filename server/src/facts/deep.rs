//! `check --deep`: each side's `go` builds and runs a small program in a temporary module, with
//! that side's own environment, and the outcome is stored as plain data
//! ([`crate::model::DeepRun`]) for `rules::deep` to judge. This proves what the static checks can
//! only infer: a build cache that cannot be used, a missing or broken C compiler (`--deep=cgo`),
//! a toolchain that will not download, a GOFLAGS value every build rejects.
//!
//! What runs, and what does not:
//! - The editor side runs the `go` the facts chose for it with [`super::editor_run_env`] (the
//!   environment the rules reason about); the shell side its `go` with the login shell's
//!   environment; an editor view (VS Code's settings beside `check`'s terminal, GoLand) only
//!   when its `go` or environment differs from the main editor's.
//! - The trust gate ([`super::trust::refusal`]) stands before every `go` here too. A build also
//!   executes what the environment names (`CC`, `-toolexec` in GOFLAGS, a toolchain GOTOOLCHAIN
//!   downloads), so in an untrusted workspace a side whose environment the workspace's own
//!   settings change (`go.toolsEnvVars`, gopls' `env`) is not built either. Both are recorded as
//!   `NotRun` with the reason.
//! - GOTOOLCHAIN is left as the side has it (the point is to behave as the user's `go` does),
//!   and so is GOFLAGS. GOWORK is set to `off`: the temporary module belongs to no go.work, and
//!   a GOWORK naming the project's would refuse it for a reason that says nothing about the
//!   side's health. `--deep=cgo` forces `CGO_ENABLED=1` for its program.
//! - The module's `go` line is the side's own language version, so building it never asks for
//!   another toolchain; only the side's own GOTOOLCHAIN can.

use super::process::{self, Cancel};
use super::CheckOptions;
use crate::goenv::resolve;
use crate::model::{
    CommandResult, DeepOutcome, DeepProgram, DeepRun, DeepStep, SideKind, Snapshot,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Each step (`go build`, running the program) gets this long: with a cold build cache `go`
/// compiles the runtime and the standard packages the program needs first, which takes tens of
/// seconds on a slow machine (README, *Deep check*: the measured costs).
pub const DEEP_TIMEOUT: Duration = Duration::from_secs(120);

/// What the plain program prints; a run that exits 0 without it did not run our program.
pub const PLAIN_MARKER: &str = "go-env-doctor deep check: ok";
/// What the cgo program prints: the answer comes from the C function, so it proves the call.
pub const CGO_MARKER: &str = "go-env-doctor deep check: cgo 42";

/// Output kept from a failed step, for the finding's quote (go's first lines matter most).
const MAX_OUTPUT_LINES: usize = 40;
const MAX_OUTPUT_CHARS: usize = 4000;

/// Environment variables that differ between two processes without changing what a build does
/// (the shell's bookkeeping): ignored when deciding whether two sides' runs would be the same.
const VOLATILE: &[&str] = &["PWD", "OLDPWD", "SHLVL", "_"];

const MAIN_GO: &str = r#"package main

import "fmt"

func main() {
	fmt.Println("go-env-doctor deep check: ok")
}
"#;

const CGO_GO: &str = r#"package main

/*
static int answer(void) { return 42; }
*/
import "C"

import "fmt"

func main() {
	fmt.Println("go-env-doctor deep check: cgo", int(C.answer()))
}
"#;

/// The programs a deep check of `mode` builds: the plain one, and for `Cgo` the cgo one too.
pub fn programs(mode: DeepProgram) -> &'static [DeepProgram] {
    match mode {
        DeepProgram::Plain => &[DeepProgram::Plain],
        DeepProgram::Cgo => &[DeepProgram::Plain, DeepProgram::Cgo],
    }
}

/// What one side would run, decided before anything runs.
#[derive(Debug, Clone, PartialEq)]
struct Plan {
    side: SideKind,
    label: String,
    go: Option<PathBuf>,
    /// Why nothing runs for this side.
    refused: Option<String>,
    env: BTreeMap<String, String>,
    /// The side's Go version (`go1.22.10`), for the module's `go` line.
    version: Option<String>,
    /// (GOOS/GOARCH, GOHOSTOS/GOHOSTARCH) from the side's `go env`, when it reported them.
    target: Option<(String, String)>,
}

impl Plan {
    /// Whether running `other` would do exactly what running `self` does.
    fn same_run(&self, other: &Plan) -> bool {
        let relevant = |env: &BTreeMap<String, String>| -> BTreeMap<String, String> {
            env.iter()
                .filter(|(k, _)| !VOLATILE.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        self.go == other.go
            && self.refused == other.refused
            && relevant(&self.env) == relevant(&other.env)
    }
}

/// Run the deep check of `mode` for every side of `snap` (and of its editor views), storing the
/// outcomes in their `deep` fields. Sides run one after the other: they usually share a build
/// cache, and the second then reuses what the first compiled.
pub fn run_all(snap: &mut Snapshot, opts: &CheckOptions, mode: DeepProgram) {
    let programs = programs(mode);
    let editor = plan_editor(snap, opts);
    let editor_outcomes = execute(&editor, programs, &opts.cancel);
    snap.deep = runs(&editor, programs, &editor_outcomes);
    if let Some(shell) = plan_shell(snap, opts) {
        let outcomes = if shell.same_run(&editor) {
            tracing::debug!("deep check: the shell runs what the editor ran; reused");
            editor_outcomes.clone()
        } else {
            execute(&shell, programs, &opts.cancel)
        };
        snap.deep.extend(runs(&shell, programs, &outcomes));
    }
    for view in &mut snap.editor_views {
        let plan = plan_editor(view, opts);
        if plan.same_run(&editor) {
            continue;
        }
        let outcomes = execute(&plan, programs, &opts.cancel);
        view.deep = runs(&plan, programs, &outcomes);
    }
}

fn runs(plan: &Plan, programs: &[DeepProgram], outcomes: &[DeepOutcome]) -> Vec<DeepRun> {
    programs
        .iter()
        .zip(outcomes)
        .map(|(program, outcome)| DeepRun {
            side: plan.side,
            label: plan.label.clone(),
            program: *program,
            go: plan.go.clone(),
            outcome: outcome.clone(),
        })
        .collect()
}

/// The editor side of `snap` (a main snapshot or a view): the `go` the facts chose for it and
/// the environment it runs `go` with.
fn plan_editor(snap: &Snapshot, opts: &CheckOptions) -> Plan {
    let eff = resolve::effective(snap, SideKind::Editor);
    let mut plan = Plan {
        side: SideKind::Editor,
        label: snap.editor.label.clone(),
        go: snap.editor.go.as_ref().map(|g| g.path.clone()),
        refused: None,
        env: super::editor_run_env(snap),
        version: eff.as_ref().and_then(|e| e.go_version.clone()),
        target: target(snap.editor.go_env.as_ref()),
    };
    plan.refused = match snap.editor.go.clone() {
        None => Some("no go was found for it".to_string()),
        Some(mut go) => super::trust::refusal(&mut go, &opts.folder, opts.trusted),
    };
    if plan.refused.is_none() && !opts.trusted {
        let set = workspace_env(snap);
        if !set.is_empty() {
            plan.refused = Some(format!(
                "the workspace's settings set {} for it, and the workspace is not trusted, so no \
                 build runs with them (a build runs what CC, GOFLAGS' -toolexec or GOTOOLCHAIN \
                 name)",
                set.join(", ")
            ));
        }
    }
    plan
}

/// The shell side, when its probe gave an environment.
fn plan_shell(snap: &Snapshot, opts: &CheckOptions) -> Option<Plan> {
    let shell = snap.shell.as_ref().filter(|s| resolve::probe_ok(s))?;
    let eff = resolve::effective(snap, SideKind::Shell);
    let refused = match shell.go.clone() {
        None => Some("no go was found for it".to_string()),
        Some(mut go) => super::trust::refusal(&mut go, &opts.folder, opts.trusted),
    };
    Some(Plan {
        side: SideKind::Shell,
        label: shell.label.clone(),
        go: shell.go.as_ref().map(|g| g.path.clone()),
        refused,
        env: shell.os_env.clone(),
        version: eff.and_then(|e| e.go_version),
        target: target(shell.go_env.as_ref()),
    })
}

/// The variables the workspace's own settings (folder or `*.code-workspace` layer) put into
/// the editor's environment, as `VAR (setting in file)` words.
fn workspace_env(snap: &Snapshot) -> Vec<String> {
    let settings = &snap.settings;
    let mut set: Vec<(String, &crate::model::Configured)> = Vec::new();
    set.extend(settings.tools_env_vars());
    set.extend(settings.gopls_env());
    for (var, key) in [("GOROOT", "go.goroot"), ("GOPATH", "go.gopath")] {
        if let Some(c) = settings.get(key) {
            set.push((var.to_string(), c));
        }
    }
    let mut out: Vec<String> = set
        .into_iter()
        .filter(|(_, c)| c.layer.workspace_level())
        .map(|(var, c)| match c.place() {
            Some(span) => format!(
                "{var} ({} in {})",
                resolve::setting_key_words(&span.file, &c.key),
                resolve::settings_file_words(snap, &span.file)
            ),
            None => var,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// (`GOOS/GOARCH`, `GOHOSTOS/GOHOSTARCH`) from a side's `go env -json`.
fn target(go_env: Option<&CommandResult<BTreeMap<String, String>>>) -> Option<(String, String)> {
    let env = go_env?.ok()?;
    let pair = |os: &str, arch: &str| -> Option<String> {
        let (os, arch) = (env.get(os)?, env.get(arch)?);
        (!os.is_empty() && !arch.is_empty()).then(|| format!("{os}/{arch}"))
    };
    Some((pair("GOOS", "GOARCH")?, pair("GOHOSTOS", "GOHOSTARCH")?))
}

/// The module's `go` line for a side's Go version: its language version (`go1.22.10` →
/// `go 1.22`), which that `go` builds without switching toolchains. `None` (no line: Go then
/// assumes an old language version, which builds the programs too) when the version is
/// unknown.
fn go_line(version: Option<&str>) -> Option<String> {
    let v = crate::goport::gover::parse_version(version?)?;
    Some(format!("go {}.{}", v.major, v.minor))
}

/// Every program's outcome for one side, in `programs` order.
fn execute(plan: &Plan, programs: &[DeepProgram], cancel: &Cancel) -> Vec<DeepOutcome> {
    let not_run = |reason: String| {
        programs
            .iter()
            .map(|_| DeepOutcome::NotRun {
                reason: reason.clone(),
            })
            .collect()
    };
    if let Some(reason) = &plan.refused {
        return not_run(reason.clone());
    }
    let Some(go) = plan.go.as_deref() else {
        return not_run("no go was found for it".into());
    };
    let dir = match tempfile::Builder::new()
        .prefix("go-env-doctor-deep-")
        .tempdir()
        .and_then(|d| write_module(d.path(), plan.version.as_deref()).map(|()| d))
    {
        Ok(d) => d,
        Err(e) => return not_run(format!("no temporary module could be written: {e}")),
    };
    let mut out = Vec::new();
    for program in programs {
        let plain_failed = out
            .first()
            .is_some_and(|o| !matches!(o, DeepOutcome::Ok { .. }));
        let outcome = if *program == DeepProgram::Cgo && plain_failed {
            DeepOutcome::NotRun {
                reason: "the plain Go program did not build and run, so the cgo one was not tried"
                    .into(),
            }
        } else {
            build_and_run(go, plan, dir.path(), *program, cancel)
        };
        tracing::debug!(side = %plan.label, ?program, ?outcome, "deep check");
        out.push(outcome);
    }
    out
}

/// `go.mod`, `main.go` and `cgo/main.go` of the temporary module.
fn write_module(dir: &Path, version: Option<&str>) -> std::io::Result<()> {
    let mut go_mod = "module go-env-doctor-deep-check\n".to_string();
    if let Some(line) = go_line(version) {
        go_mod.push('\n');
        go_mod.push_str(&line);
        go_mod.push('\n');
    }
    std::fs::write(dir.join("go.mod"), go_mod)?;
    std::fs::write(dir.join("main.go"), MAIN_GO)?;
    std::fs::create_dir(dir.join("cgo"))?;
    std::fs::write(dir.join("cgo").join("main.go"), CGO_GO)
}

fn build_and_run(
    go: &Path,
    plan: &Plan,
    dir: &Path,
    program: DeepProgram,
    cancel: &Cancel,
) -> DeepOutcome {
    let mut env = plan.env.clone();
    env.insert("GOWORK".into(), "off".into());
    let (name, package, marker) = match program {
        DeepProgram::Plain => ("prog", ".", PLAIN_MARKER),
        DeepProgram::Cgo => {
            env.insert("CGO_ENABLED".into(), "1".into());
            ("cgoprog", "./cgo", CGO_MARKER)
        }
    };
    let exe = super::go::exe_name(name);
    let started = Instant::now();
    let built = process::run_cancellable(
        go,
        &["build", "-o", &exe, package],
        &env,
        dir,
        DEEP_TIMEOUT,
        cancel,
    );
    if let Some(failed) = failure(built, DeepStep::Build, started) {
        return failed;
    }
    if let Some((goal, host)) = plan.target.as_ref().filter(|(g, h)| g != h) {
        return DeepOutcome::Ok {
            millis: elapsed_ms(started),
            not_executed: Some(format!(
                "built for {goal}, which this {host} machine does not run"
            )),
        };
    }
    let ran = process::run_cancellable(&dir.join(&exe), &[], &env, dir, DEEP_TIMEOUT, cancel);
    match ran {
        CommandResult::Ok { value, .. } if value.contains(marker) => DeepOutcome::Ok {
            millis: elapsed_ms(started),
            not_executed: None,
        },
        CommandResult::Ok { value, .. } => DeepOutcome::Failed {
            step: DeepStep::Run,
            exit_code: Some(0),
            output: bounded(&format!(
                "the program exited with 0 but printed {:?} instead of {marker:?}",
                value.trim()
            )),
            millis: elapsed_ms(started),
            timed_out: false,
        },
        other => failure(other, DeepStep::Run, started).unwrap_or(DeepOutcome::Ok {
            millis: elapsed_ms(started),
            not_executed: None,
        }),
    }
}

/// The outcome of a step that did not succeed; `None` when it did.
fn failure(result: CommandResult<String>, step: DeepStep, started: Instant) -> Option<DeepOutcome> {
    let millis = elapsed_ms(started);
    match result {
        CommandResult::Ok { .. } => None,
        CommandResult::Failed {
            exit_code, stderr, ..
        } => Some(DeepOutcome::Failed {
            step,
            exit_code,
            output: bounded(&stderr),
            millis,
            timed_out: false,
        }),
        CommandResult::TimedOut { .. } => Some(DeepOutcome::Failed {
            step,
            exit_code: None,
            output: String::new(),
            millis,
            timed_out: true,
        }),
        CommandResult::NotRun { reason } => Some(DeepOutcome::NotRun { reason }),
    }
}

/// Output as kept for a finding: credentials redacted, at most the first
/// [`MAX_OUTPUT_LINES`] lines and [`MAX_OUTPUT_CHARS`] characters.
fn bounded(text: &str) -> String {
    let text = crate::redact::redact(text.trim());
    let mut out = String::new();
    let mut room = MAX_OUTPUT_CHARS;
    let mut cut = false;
    for (i, line) in text.lines().enumerate() {
        if i >= MAX_OUTPUT_LINES || room == 0 {
            cut = true;
            break;
        }
        if i > 0 {
            out.push('\n');
        }
        let n = line.chars().count();
        out.extend(line.chars().take(room));
        if n > room {
            cut = true;
            break;
        }
        room -= n;
    }
    if cut {
        out.push_str(" […]");
    }
    out
}

fn elapsed_ms(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_go_line_is_the_sides_language_version() {
        assert_eq!(go_line(Some("go1.22.10")).as_deref(), Some("go 1.22"));
        assert_eq!(go_line(Some("go1.26rc1")).as_deref(), Some("go 1.26"));
        assert_eq!(go_line(Some("go1.20")).as_deref(), Some("go 1.20"));
        assert_eq!(go_line(Some("devel +abc")), None);
        assert_eq!(go_line(None), None);
    }

    #[test]
    fn output_is_bounded_and_redacted() {
        let long: String = (0..100).map(|i| format!("line {i}\n")).collect();
        let b = bounded(&long);
        assert_eq!(b.lines().count(), MAX_OUTPUT_LINES, "{b}");
        assert!(b.ends_with("line 39 […]"), "{b}");
        let secret = bounded("go: GOPROXY=https://alice:s3cret@proxy.example failed");
        assert!(!secret.contains("s3cret"), "{secret}");
        let one = bounded(&"x".repeat(10_000));
        assert_eq!(
            one.chars().count(),
            MAX_OUTPUT_CHARS + " […]".chars().count()
        );
        assert_eq!(bounded("a\nb"), "a\nb");
    }

    #[test]
    fn volatile_variables_do_not_make_two_runs_different() {
        let env = |extra: &[(&str, &str)]| -> BTreeMap<String, String> {
            let mut m: BTreeMap<String, String> = [("PATH", "/usr/bin"), ("HOME", "/h")]
                .iter()
                .chain(extra)
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            m.insert("GOFLAGS".into(), "-mod=mod".into());
            m
        };
        let plan = |env: BTreeMap<String, String>| Plan {
            side: SideKind::Editor,
            label: "x".into(),
            go: Some(PathBuf::from("/usr/local/go/bin/go")),
            refused: None,
            env,
            version: None,
            target: None,
        };
        let a = plan(env(&[]));
        assert!(a.same_run(&plan(env(&[("PWD", "/w"), ("SHLVL", "2")]))));
        assert!(!a.same_run(&plan(env(&[("CC", "clang")]))));
    }
}
