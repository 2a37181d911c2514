//! The inputs themselves: shell-probe-failed, shell-probe-slow, settings-unparseable (also for
//! a go env file that cannot be read), gomod-invalid, go-failed.

use super::resolve::{self, settings_file_words};
use super::{finding, Ctx};
use crate::model::{
    CommandResult, Finding, GoModFacts, Location, ProbeOutcome, Severity, SideKind, SideValue,
};

pub use crate::model::SLOW_PROBE_MILLIS;

pub fn findings(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    probe(ctx, &mut out);
    settings(ctx, &mut out);
    env_files(ctx, &mut out);
    for m in ctx.snapshot.all_modules().chain(ctx.snapshot.all_works()) {
        module_file(m, &mut out);
    }
    out
}

fn secs(millis: u64) -> String {
    format!("{:.1} s", millis as f64 / 1000.0)
}

fn probe(ctx: &Ctx, out: &mut Vec<Finding>) {
    let Some(shell) = &ctx.snapshot.shell else {
        return;
    };
    let Some(report) = &shell.probe else { return };
    let sh = report.shell.display().to_string();
    let took = secs(report.millis);
    let hint = "Make your shell's startup files fast, or skip slow work (version managers, prompts, network calls) when VSCODE_RESOLVING_ENVIRONMENT is set, as VS Code and go-env-doctor set it while they read the environment";
    let value = SideValue::plain(Some(sh.clone()), None);
    let message = match &report.outcome {
        ProbeOutcome::Ok => {
            if report.millis <= SLOW_PROBE_MILLIS {
                return;
            }
            let mut f = finding(
                "shell-probe-slow",
                "shell",
                format!(
                    "Your login shell ({sh}) took {took} to start and print its environment (more than {}). VS Code waits for the same thing when it starts without a terminal, and gives up after 10 s. {hint}.",
                    secs(SLOW_PROBE_MILLIS)
                ),
            );
            f.shell = Some(value);
            f.locations.extend(ctx.module_location());
            out.push(f);
            return;
        }
        ProbeOutcome::TimedOut { after_secs } => format!(
            "timed out after {after_secs} s (VS Code reports \"Unable to resolve your shell environment in a reasonable time. Please review your shell configuration and restart.\")"
        ),
        ProbeOutcome::Exited { code } => format!(
            "exited with code {code} before printing its environment, after {took} (VS Code reports \"Unable to resolve your shell environment: Unexpected exit code from spawned shell (code {code}, signal null)\")"
        ),
        ProbeOutcome::Signalled { signal } => format!(
            "was killed by signal {signal} after {took} (VS Code reports \"Unable to resolve your shell environment: Unexpected exit code from spawned shell (code null, signal {signal})\")"
        ),
        ProbeOutcome::NoMarkers => format!(
            "printed no environment markers (it ran for {took}): something in its startup files replaced or swallowed the command"
        ),
        ProbeOutcome::SpawnFailed { error } => {
            format!("could not be started: {error}")
        }
        ProbeOutcome::Cancelled => format!("was cancelled after {took} (a newer check started)"),
    };
    let tail = match &report.outcome {
        ProbeOutcome::TimedOut { .. } => format!(
            "{hint}; or raise the limit with --shell-timeout (goEnvDoctor.shellTimeoutSeconds)."
        ),
        ProbeOutcome::SpawnFailed { .. } => {
            "Check $SHELL or pass another shell with --shell (goEnvDoctor.shell).".into()
        }
        _ => format!("Run `{sh} -i -l -c true` in a terminal to see what goes wrong. {hint}."),
    };
    let mut f = finding(
        "shell-probe-failed",
        "shell",
        format!(
            "Your login shell ({sh}) {message}. The shell side is not compared with {}. {tail}",
            ctx.snapshot.editor.label
        ),
    );
    f.shell = Some(value);
    f.locations.extend(ctx.module_location());
    out.push(f);
}

fn settings(ctx: &Ctx, out: &mut Vec<Finding>) {
    for file in &ctx.snapshot.settings.files {
        let Some(err) = &file.error else { continue };
        let words = settings_file_words(ctx.snapshot, &file.path);
        let mut f = finding(
            "settings-unparseable",
            &file.path.display().to_string(),
            format!(
                "{words} cannot be parsed: {} (line {}, column {}). {}; go-env-doctor ignores its Go settings and will not edit it until it parses.",
                err.message,
                err.line,
                err.column,
                if crate::settings::idea::is_idea_file(&file.path) {
                    "GoLand cannot load the project's workspace settings either"
                } else {
                    "VS Code falls back to its other settings for this file's values"
                }
            ),
        );
        f.locations.push(Location {
            path: file.path.clone(),
            line: err.line.max(1),
            column: err.column.max(1),
            span: None,
        });
        out.push(f);
    }
}

/// A go env file that exists but cannot be read (a FIFO, a device, too large, no permission):
/// its values are unknown to us.
fn env_files(ctx: &Ctx, out: &mut Vec<Finding>) {
    let mut seen = Vec::new();
    let sides = std::iter::once(&ctx.snapshot.editor).chain(ctx.snapshot.shell.iter());
    for side in sides {
        let Some(file) = side.env_file.as_ref() else {
            continue;
        };
        let Some(err) = &file.error else { continue };
        if seen.contains(&&file.path) {
            continue;
        }
        seen.push(&file.path);
        let mut f = finding(
            "settings-unparseable",
            &file.path.display().to_string(),
            format!(
                "The go env file {} cannot be read: {err}. go-env-doctor ignores its values; go itself either ignores it too or, for a file that never ends (a FIFO, a device), hangs reading it.",
                resolve::tilde(ctx.snapshot, &file.path)
            ),
        );
        f.locations.push(Location {
            path: file.path.clone(),
            line: 1,
            column: 1,
            span: None,
        });
        out.push(f);
    }
}

/// go.mod / go.work that cmd/go refuses: every go command in the module fails on it.
fn module_file(m: &GoModFacts, out: &mut Vec<Finding>) {
    let Some(err) = &m.error else { return };
    let name = m
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "go.mod".into());
    let mut f = finding(
        "gomod-invalid",
        &m.path.display().to_string(),
        format!(
            "{name} is not valid for go: {}. Every go command in this module fails with it (\"go: errors parsing {name}\"), and gopls cannot load the module.",
            err.replace('\n', "; ")
        ),
    );
    f.locations.push(Location {
        path: m.path.clone(),
        line: m.error_line.unwrap_or(1).max(1),
        column: 1,
        span: None,
    });
    out.push(f);
}

/// Whole seconds for a message (`10 s`): a deadline overshoots by a few milliseconds.
fn secs_words(millis: u64) -> String {
    format!("{} s", millis.saturating_add(500) / 1000)
}

/// The last lines of a command's stderr, for a message (it can be long).
fn stderr_words(stderr: &str) -> String {
    let stderr = stderr.trim();
    if stderr.is_empty() {
        return "it printed nothing on stderr".into();
    }
    let lines: Vec<&str> = stderr.lines().collect();
    let tail = &lines[lines.len().saturating_sub(5)..];
    let mut text = tail.join(" / ");
    if text.chars().count() > 600 {
        text = text.chars().take(600).collect::<String>() + "…";
    }
    format!("stderr: {}", crate::redact::redact(&text))
}

/// `go env -json` of a side failed, timed out or printed garbage. Reported unless another error
/// finding of that side is about the variable go's error names: a missing GOROOT, say, already
/// explains `go: cannot find GOROOT directory`.
/// `found` are the other rules' findings.
pub fn go_failures(ctx: &Ctx, found: &[Finding]) -> Vec<Finding> {
    let mut out = Vec::new();
    for side in ctx.sides() {
        if !side.ran {
            continue;
        }
        let Some(facts) = resolve::side_facts(ctx.snapshot, side.kind) else {
            continue;
        };
        let Some(result) = facts.go_env.as_ref() else {
            continue;
        };
        let why = match result {
            CommandResult::Failed {
                exit_code, stderr, ..
            } => match exit_code {
                Some(0) => format!(
                    "exited with code 0 but {}",
                    stderr.trim().trim_start_matches("`go env -json` ")
                ),
                Some(code) => format!("exited with code {code}; {}", stderr_words(stderr)),
                None => format!("failed: {}", stderr_words(stderr)),
            },
            CommandResult::TimedOut { after_millis } => format!(
                "timed out after {} and was killed",
                secs_words(*after_millis)
            ),
            CommandResult::Ok { .. } | CommandResult::NotRun { .. } => continue,
        };
        // Another error explains the failure when go's own words name its variable (`go:
        // cannot find GOROOT directory`, `parsing $GOFLAGS`): a go.goroot that vscode-go
        // ignores explains nothing about a `$GOPATH/go.mod exists but should not`.
        let said = match result {
            CommandResult::Failed { stderr, .. } => stderr.as_str(),
            _ => "",
        };
        let explained = found.iter().any(|f| {
            let is_var = !f.subject.is_empty()
                && f.subject
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            f.severity == Severity::Error
                && is_var
                && said.contains(f.subject.as_str())
                && match side.kind {
                    SideKind::Editor => f.editor.is_some(),
                    SideKind::Shell => f.shell.is_some(),
                }
        });
        if explained {
            continue;
        }
        let go = side
            .go
            .as_ref()
            .map(|g| g.path.display().to_string())
            .unwrap_or_else(|| "go".into());
        let mut f = finding(
            "go-failed",
            "go",
            format!(
                "{}'s go ({go}) cannot report its environment: `{go} env -json` {why}. Tools started by {} (gopls, builds, tests) run the same go and fail the same way; go-env-doctor cannot tell what this side's Go settings are.",
                side.label, side.label
            ),
        );
        let value = SideValue::plain(Some(go.clone()), side.go_version.clone());
        f.set_side(side.kind, value);
        f.locations.extend(ctx.module_location());
        out.push(f);
    }
    out
}
