//! The inputs themselves: shell-probe-failed, shell-probe-slow, settings-unparseable.

use super::resolve::settings_file_words;
use super::{finding, Ctx};
use crate::model::{Finding, Location, ProbeOutcome, SideValue};

/// Above this, the login shell is "slow" (VS Code waits for it at startup too).
pub const SLOW_PROBE_MILLIS: u64 = 3_000;

pub fn findings(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    probe(ctx, &mut out);
    settings(ctx, &mut out);
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
    let hint = "Make your shell's startup files fast, or skip slow work (version managers, prompts, network calls) when VSCODE_RESOLVING_ENVIRONMENT is set, as VS Code sets it while it reads the environment";
    let value = SideValue {
        value: Some(sh.clone()),
        origin: None,
        go_version: None,
    };
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
            "Your login shell ({sh}) {message}. The shell side is not compared with VS Code. {tail}"
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
