//! `go-env-doctor fix`: the reset protocol done with the tool's own verified fixes. It plans
//! the preferred working fix of every finding (`fixes::plan`, by simulation), shows the plan,
//! applies it step by step — re-checking the real environment before each step, so a step an
//! earlier one made unnecessary is skipped — keeps an undo record, and ends with a fresh check
//! and a before/after summary. `--dry-run` shows unified diffs and commands and changes nothing;
//! `--undo` restores the last run.
//!
//! Exit codes: 0 no error remains, 1 errors remain, 2 could not run (or was not confirmed).

use super::{could_not_run, write_stdout, ProbeArgs, EXIT_COULD_NOT_RUN, EXIT_ERRORS_FOUND};
use crate::facts::{self, process::Cancel, CheckOptions};
use crate::fixes::{self, atomic, clean, plan, undo};
use crate::model::{Finding, FixAction, Severity, SideKind, Snapshot};
use crate::settings::fix_edit::{self, FileChange};
use clap::{Args, ValueEnum};
use std::collections::HashMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct FixArgs {
    /// The workspace folder [default: the current directory].
    dir: Option<PathBuf>,
    /// Show what would change (a unified diff of every file edit, every command) and change
    /// nothing.
    #[arg(long, conflicts_with = "undo")]
    dry_run: bool,
    /// Only fix findings with these codes (repeatable, or comma-separated).
    #[arg(
        long,
        value_name = "CODE",
        value_delimiter = ',',
        conflicts_with = "undo"
    )]
    only: Vec<String>,
    /// Only change this side's configuration: `editor` its settings files, `shell` the go env
    /// file; a directory, cache or go.work both sides use counts for either.
    #[arg(long, value_enum, conflicts_with = "undo")]
    side: Option<SideArg>,
    /// Apply without asking (required when not on a terminal).
    #[arg(long, short = 'y')]
    yes: bool,
    /// Restore what the last `fix` run changed.
    #[arg(long)]
    undo: bool,
    /// Also empty the build cache (`go clean -cache`; never done without this flag).
    #[arg(long, conflicts_with = "undo")]
    clean_cache: bool,
    /// Also empty the module cache (`go clean -modcache`: every downloaded module is fetched
    /// again).
    #[arg(long, conflicts_with = "undo")]
    clean_modcache: bool,
    #[command(flatten)]
    probe: ProbeArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SideArg {
    Editor,
    Shell,
}

/// What the run does beyond the findings' fixes.
#[derive(Debug, Clone)]
enum Extra {
    CleanModcache { gomodcache: PathBuf },
}

pub fn run(args: FixArgs) -> ExitCode {
    let state_env = |k: &str| std::env::var(k).ok();
    let Some(record_path) = undo::location(&state_env) else {
        return could_not_run(
            "no state directory for the undo record: set HOME (or XDG_STATE_HOME)",
        );
    };
    if args.undo {
        return run_undo(&record_path);
    }
    for code in &args.only {
        if let Err(msg) = super::known_code("--only", code) {
            return could_not_run(&msg);
        }
    }
    let opts = match super::check_options(args.dir.as_deref(), &args.probe, Vec::new()) {
        Ok(o) => o,
        Err(msg) => return could_not_run(&msg),
    };
    let snapshot = facts::collect(&opts);
    let before = crate::rules::check_all(&snapshot);
    let filter = plan::Filter {
        only: args.only.clone(),
        side: args.side.map(|s| match s {
            SideArg::Editor => plan::Side::Editor,
            SideArg::Shell => plan::Side::Shell,
        }),
        clean_cache: args.clean_cache,
    };
    let mut planned = plan::plan(&snapshot, &filter);
    if args.clean_cache
        && !planned
            .steps
            .iter()
            .any(|s| matches!(s.fix.action, FixAction::CleanCache { .. }))
    {
        if let Some(gocache) = side_value(&snapshot, "GOCACHE") {
            planned.steps.push(plan::Step {
                code: String::new(),
                message: "asked for with --clean-cache".into(),
                fix: crate::model::Fix {
                    title: format!("Empty the build cache {} (go clean -cache)", gocache),
                    action: FixAction::CleanCache {
                        gocache: PathBuf::from(gocache),
                    },
                },
                side: plan::Side::Both,
            });
        }
    }
    let mut extras = Vec::new();
    if args.clean_modcache {
        match side_value(&snapshot, "GOMODCACHE") {
            Some(m) => extras.push(Extra::CleanModcache {
                gomodcache: PathBuf::from(m),
            }),
            None => return could_not_run("--clean-modcache: GOMODCACHE is unknown (no `go` ran)"),
        }
    }

    let mut out = String::new();
    let (errors, warnings) = counts(&before);
    out.push_str(&format!(
        "go-env-doctor fix {}\nFound {}.\n",
        opts.folder.display(),
        counted(errors, warnings)
    ));
    if planned.steps.is_empty() && extras.is_empty() {
        out.push_str("Nothing to apply.\n");
        out.push_str(&left_text(&planned.left));
        let _ = write_stdout(&out);
        return exit_for(errors);
    }
    out.push_str(&plan_text(&planned, &extras, &snapshot, args.dry_run));
    if args.dry_run {
        let expected = planned.errors_left();
        out.push_str(&format!(
            "\nDry run: nothing was changed. Afterwards the checks expect {}.\n",
            plural(expected, "error")
        ));
        out.push_str(&left_text(&planned.left));
        let _ = write_stdout(&out);
        return exit_for(expected);
    }
    let _ = write_stdout(&out);
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            eprintln!(
                "go-env-doctor: not applying changes without confirmation: run with --yes to apply \
                 them, or --dry-run to see them in full"
            );
            return ExitCode::from(EXIT_COULD_NOT_RUN);
        }
        eprint!("Apply these changes? [y/N] ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if !matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            eprintln!("Nothing was changed.");
            return ExitCode::from(EXIT_COULD_NOT_RUN);
        }
    }

    let mut record = undo::Record::new(&opts.folder);
    // Written before the first change: a run that cannot keep its undo record changes nothing.
    if let Err(e) = undo::save(&record_path, &record) {
        return could_not_run(&format!("cannot write the undo record: {e}"));
    }
    let applied = apply_all(
        &opts,
        snapshot,
        &planned,
        &extras,
        &mut record,
        &record_path,
    );

    let after_snapshot = facts::collect(&opts);
    let after = crate::rules::check_all(&after_snapshot);
    let (errors_after, warnings_after) = counts(&after);
    let mut out = String::new();
    out.push_str(&applied.text);
    out.push_str(&format!(
        "\nBefore: {}. After: {}.\n",
        counted(errors, warnings),
        counted(errors_after, warnings_after)
    ));
    let left = plan::plan(&after_snapshot, &filter).left;
    out.push_str(&left_text(&left));
    if !record.is_empty() {
        out.push_str(&format!(
            "Undo with `go-env-doctor fix --undo` (record: {}).\n",
            record_path.display()
        ));
    }
    let _ = write_stdout(&out);
    exit_for(errors_after)
}

fn exit_for(errors: usize) -> ExitCode {
    if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_ERRORS_FOUND)
    }
}

/// The value of a Go env key as the shell side (else the editor side) has it.
fn side_value(snapshot: &Snapshot, key: &str) -> Option<String> {
    [SideKind::Shell, SideKind::Editor]
        .into_iter()
        .filter_map(|k| crate::goenv::resolve::effective(snapshot, k))
        .map(|e| e.value(key).to_string())
        .find(|v| Path::new(v).is_absolute())
}

fn counts(findings: &[Finding]) -> (usize, usize) {
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    (errors, warnings)
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn counted(errors: usize, warnings: usize) -> String {
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// The plan, numbered; with `details`, each file edit as a unified diff and each command as
/// it would run.
fn plan_text(planned: &plan::Plan, extras: &[Extra], snapshot: &Snapshot, details: bool) -> String {
    let mut out = format!(
        "\nPlan ({}):\n",
        plural(planned.steps.len() + extras.len(), "change")
    );
    // File texts as the earlier steps leave them (two steps may edit one file).
    let mut texts: HashMap<PathBuf, Option<String>> = HashMap::new();
    for (i, step) in planned.steps.iter().enumerate() {
        let about = if step.code.is_empty() {
            step.message.clone()
        } else {
            format!("{}: {}", step.code, first_sentence(&step.message))
        };
        out.push_str(&format!(
            "  {}. {} [{}]\n     for {}\n",
            i + 1,
            step.fix.title,
            step.side.words(),
            about
        ));
        if details {
            out.push_str(&indent(
                &step_details(&step.fix.action, snapshot, &mut texts),
                5,
            ));
        }
    }
    for (j, extra) in extras.iter().enumerate() {
        let Extra::CleanModcache { gomodcache } = extra;
        out.push_str(&format!(
            "  {}. Empty the module cache {} (go clean -modcache)\n",
            planned.steps.len() + j + 1,
            gomodcache.display()
        ));
        if details {
            let m = clean::measure_dir(gomodcache);
            out.push_str(&format!(
                "     would remove {}{} in {} files\n",
                if m.capped { "more than " } else { "" },
                clean::human_size(m.bytes),
                clean::grouped(m.files)
            ));
        }
    }
    out
}

fn first_sentence(message: &str) -> &str {
    match message.find(": ").or_else(|| message.find(". ")) {
        Some(i) if i > 20 => &message[..i],
        _ => message,
    }
}

fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_string()
            } else {
                format!("{pad}{l}\n")
            }
        })
        .collect()
}

/// A step in full: the diff of a file edit, the command line of a command.
fn step_details(
    action: &FixAction,
    snapshot: &Snapshot,
    texts: &mut HashMap<PathBuf, Option<String>>,
) -> String {
    if let Some(file) = fix_edit::target(action) {
        let current = match texts.get(file) {
            Some(t) => Ok(t.clone()),
            None => read_text(file),
        };
        let current = match current {
            Ok(t) => t,
            Err(e) => return format!("cannot be applied: {e}\n"),
        };
        let home = std::env::var_os("HOME").map(PathBuf::from);
        return match fix_edit::change(action, current.as_deref(), home.as_deref()) {
            Ok(Some(change)) => {
                let old = current.clone().unwrap_or_default();
                let new = match &change {
                    FileChange::Edit(edits) => crate::settings::apply_edits(&old, edits),
                    FileChange::Create(text) => text.clone(),
                };
                texts.insert(file.to_path_buf(), Some(new.clone()));
                unified_diff(file, current.is_some(), &old, &new)
            }
            Ok(None) => "no change needed\n".to_string(),
            Err(e) => format!("cannot be applied: {e}\n"),
        };
    }
    let go = fixes::Runner::for_snapshot(snapshot).map(|r| r.go);
    let go_shown = |go: &Result<PathBuf, String>| match go {
        Ok(p) => shell_quote(&p.display().to_string()),
        Err(e) => format!("go (cannot run: {e})"),
    };
    match action {
        FixAction::GoEnvWrite { key, value } => format!(
            "$ {} env -w {}\n",
            go_shown(&go),
            shell_quote(&format!("{key}={value}"))
        ),
        FixAction::GoEnvUnset { key } => format!("$ {} env -u {key}\n", go_shown(&go)),
        FixAction::CreateDirectory { path } => {
            format!("$ mkdir -p {}\n", shell_quote(&path.display().to_string()))
        }
        FixAction::CleanCache { gocache } => {
            let preview =
                clean::runner(snapshot, Some(gocache)).and_then(|r| clean::measure(&r, gocache));
            format!(
                "$ GOCACHE={} {} clean -cache\n{}\n",
                shell_quote(&gocache.display().to_string()),
                go_shown(&go),
                clean::clean_title(gocache, &preview)
            )
        }
        FixAction::InstallTool { .. } => match fixes::install::Install::from_action(action) {
            Some(install) => {
                let offering = fixes::install::snapshot_offering(snapshot, action);
                let go = fixes::install::runner(offering, &install)
                    .map(|r| shell_quote(&r.go.display().to_string()))
                    .unwrap_or_else(|e| format!("go (cannot run: {e})"));
                format!(
                    "$ {}\n",
                    install
                        .shown()
                        .replacen(" go install ", &format!(" {go} install "), 1)
                )
            }
            None => String::new(),
        },
        _ => String::new(),
    }
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The file's text (`None`: it does not exist); an error for anything a fix must not touch.
fn read_text(file: &Path) -> Result<Option<String>, String> {
    match facts::fs::read_bounded(file, facts::fs::MAX_INPUT_BYTES) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| format!("{} is not UTF-8 text", file.display())),
        Err(facts::fs::ReadError::NotFound) => Ok(None),
        Err(facts::fs::ReadError::Refused(why)) => Err(format!("{}: {why}", file.display())),
    }
}

fn unified_diff(file: &Path, existed: bool, old: &str, new: &str) -> String {
    let shown = file.display().to_string();
    let from = if existed {
        format!("a{shown}")
    } else {
        "/dev/null".to_string()
    };
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(2)
        .header(&from, &format!("b{shown}"))
        .to_string()
}

/// What applying the plan printed.
struct Applied {
    text: String,
}

/// Apply the plan's steps in order. Before each step after the first, the real environment
/// is checked again (the login shell's environment reused: no fix changes rc files), and a
/// step whose finding is gone, or whose fix is no longer one that works, is skipped.
fn apply_all(
    opts: &CheckOptions,
    first: Snapshot,
    planned: &plan::Plan,
    extras: &[Extra],
    record: &mut undo::Record,
    record_path: &Path,
) -> Applied {
    let mut text = String::from("\n");
    let mut recheck_opts = opts.clone();
    if let Some(shell) = &first.shell {
        if let Some(report) = &shell.probe {
            recheck_opts.shell_probe = Some((report.clone(), Some(shell.os_env.clone())));
        }
    }
    let mut snapshot = first;
    for (i, step) in planned.steps.iter().enumerate() {
        let n = i + 1;
        if i > 0 {
            snapshot = facts::collect(&recheck_opts);
            let findings = crate::rules::check_all(&snapshot);
            let still = step.code.is_empty()
                || findings.iter().any(|f| {
                    f.code == step.code && f.fixes.iter().any(|x| x.action == step.fix.action)
                });
            if !still {
                let gone = !findings.iter().any(|f| f.code == step.code);
                text.push_str(&format!(
                    "  {n}. skipped: {}\n",
                    if gone {
                        format!("{} is gone after the earlier changes", step.code)
                    } else {
                        "after the earlier changes this fix no longer works; see the summary".into()
                    }
                ));
                continue;
            }
        }
        match apply(&step.fix.action, &snapshot, record) {
            Ok(done) => text.push_str(&format!("  {n}. {done}\n")),
            Err(e) => text.push_str(&format!("  {n}. FAILED: {} — {e}\n", step.fix.title)),
        }
        if let Err(e) = undo::save(record_path, record) {
            text.push_str(&format!("  cannot update the undo record: {e}; stopping\n"));
            return Applied { text };
        }
    }
    for (j, extra) in extras.iter().enumerate() {
        let n = planned.steps.len() + j + 1;
        let Extra::CleanModcache { gomodcache } = extra;
        let done = fixes::Runner::for_snapshot(&snapshot).and_then(|runner| {
            let listing = clean::list_modcache(&runner, &Cancel::default())?;
            let m = clean::measure_dir(gomodcache);
            eprintln!(
                "go clean -modcache -n: {}; {} in {} files",
                listing.lines().next().unwrap_or("nothing to remove").trim(),
                clean::human_size(m.bytes),
                clean::grouped(m.files)
            );
            let cleaned = with_progress("go clean -modcache", |cancel| {
                clean::clean_modcache(&runner, cancel)
            })?;
            record
                .irreversible
                .push(format!("emptied the module cache {}", gomodcache.display()));
            Ok(match cleaned {
                clean::Cleaned::Done => format!(
                    "emptied the module cache {} ({} freed)",
                    gomodcache.display(),
                    clean::human_size(m.bytes)
                ),
                clean::Cleaned::Cancelled => "go clean -modcache cancelled".to_string(),
            })
        });
        match done {
            Ok(d) => text.push_str(&format!("  {n}. {d}\n")),
            Err(e) => text.push_str(&format!("  {n}. FAILED: go clean -modcache — {e}\n")),
        }
        let _ = undo::save(record_path, record);
    }
    Applied { text }
}

/// Apply one fix for real; what it did, in words.
fn apply(
    action: &FixAction,
    snapshot: &Snapshot,
    record: &mut undo::Record,
) -> Result<String, String> {
    if let Some(file) = fix_edit::target(action) {
        let before = match facts::fs::read_bounded(file, facts::fs::MAX_INPUT_BYTES) {
            Ok(b) => Some(b),
            Err(facts::fs::ReadError::NotFound) => None,
            Err(facts::fs::ReadError::Refused(why)) => {
                return Err(format!("{}: {why}", file.display()))
            }
        };
        let text = before
            .as_deref()
            .map(|b| {
                std::str::from_utf8(b).map_err(|_| format!("{} is not UTF-8 text", file.display()))
            })
            .transpose()?;
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let new = match fix_edit::change(action, text, home.as_deref())? {
            None => return Ok(format!("{}: no change needed", file.display())),
            Some(FileChange::Edit(edits)) => {
                crate::settings::apply_edits(text.unwrap_or_default(), &edits)
            }
            Some(FileChange::Create(t)) => t,
        };
        let written = atomic::replace(file, before.as_deref(), new.as_bytes())?;
        record.file_changed(&written.path, before.as_deref(), Some(new.as_bytes()));
        let verb = if before.is_some() {
            "edited"
        } else {
            "created"
        };
        return Ok(if written.path == file {
            format!("{verb} {}", file.display())
        } else {
            format!(
                "{verb} {} (through the symlink {})",
                written.path.display(),
                file.display()
            )
        });
    }
    match action {
        FixAction::GoEnvWrite { key, value } => go_env(
            snapshot,
            record,
            &fixes::Command::GoEnvWrite {
                key: key.to_string(),
                value: value.clone(),
            },
        ),
        FixAction::GoEnvUnset { key } => go_env(
            snapshot,
            record,
            &fixes::Command::GoEnvUnset {
                key: key.to_string(),
            },
        ),
        FixAction::CreateDirectory { path } => {
            let mut missing = Vec::new();
            let mut p = Some(path.as_path());
            while let Some(dir) = p.filter(|d| !d.exists()) {
                missing.push(dir.to_path_buf());
                p = dir.parent();
            }
            let run = fixes::Command::CreateDirectory { path: path.clone() };
            fixes::run(snapshot, &run, &Cancel::default())?;
            record.created_dirs.extend(missing.into_iter().rev());
            Ok(format!("created {}", path.display()))
        }
        FixAction::CleanCache { gocache } => {
            let runner = clean::runner(snapshot, Some(gocache))?;
            let listing = clean::list(&runner, clean::LIST_TIMEOUT, &Cancel::default())?;
            let listed = clean::listed_paths(&listing, gocache);
            let m = clean::measure_paths(
                &listed,
                std::time::Instant::now() + std::time::Duration::from_secs(2),
                2_000_000,
            );
            eprintln!(
                "go clean -cache -n lists {} entries of {}: {} in {} files",
                listed.len(),
                gocache.display(),
                clean::human_size(m.bytes),
                clean::grouped(m.files)
            );
            let cleaned = with_progress("go clean -cache", |cancel| clean::clean(&runner, cancel))?;
            record
                .irreversible
                .push(format!("emptied the build cache {}", gocache.display()));
            Ok(match cleaned {
                clean::Cleaned::Done => format!(
                    "emptied the build cache {} ({} freed)",
                    gocache.display(),
                    clean::human_size(m.bytes)
                ),
                clean::Cleaned::Cancelled => "go clean -cache cancelled".to_string(),
            })
        }
        FixAction::InstallTool { .. } => {
            let install = fixes::install::Install::from_action(action).ok_or("not an install")?;
            let offering = fixes::install::snapshot_offering(snapshot, action);
            let runner = fixes::install::runner(offering, &install)?;
            eprintln!("$ {}", install.shown());
            let done = with_progress(&format!("go install {}", install.tool), |cancel| {
                fixes::install::install(&runner, &install, cancel)
            })?;
            Ok(match done {
                fixes::install::Installed::Done(bin) => {
                    record
                        .irreversible
                        .push(format!("installed {}", bin.display()));
                    format!("installed {} ({})", bin.display(), install.shown())
                }
                fixes::install::Installed::Cancelled => {
                    format!("go install {} cancelled", install.tool)
                }
            })
        }
        FixAction::EditorEnvironment { .. } => {
            Err("made in the editor's own configuration; see the summary".into())
        }
        _ => Err("not a fix this command applies".into()),
    }
}

/// `go env -w/-u` with the shell side's `go`, recording the go env file's bytes before and
/// after (undo restores them exactly) and the inverse command.
fn go_env(
    snapshot: &Snapshot,
    record: &mut undo::Record,
    command: &fixes::Command,
) -> Result<String, String> {
    let runner = fixes::Runner::for_snapshot(snapshot)?;
    let env_file = runner.env_file.clone();
    let before = env_file.as_deref().and_then(|f| std::fs::read(f).ok());
    let old_value = |key: &str| -> Option<String> {
        let file = env_file.as_deref()?;
        let text = String::from_utf8_lossy(before.as_deref()?).into_owned();
        crate::settings::envfile::parse(file, &text)
            .get(key)
            .map(|e| e.value.clone())
    };
    let (shown, inverse) = match command {
        fixes::Command::GoEnvWrite { key, value } => (
            format!("go env -w {}", shell_quote(&format!("{key}={value}"))),
            match old_value(key) {
                Some(old) => format!("go env -w {}", shell_quote(&format!("{key}={old}"))),
                None => format!("go env -u {key}"),
            },
        ),
        fixes::Command::GoEnvUnset { key } => (
            format!("go env -u {key}"),
            match old_value(key) {
                Some(old) => format!("go env -w {}", shell_quote(&format!("{key}={old}"))),
                None => format!("go env -u {key}"),
            },
        ),
        fixes::Command::CreateDirectory { .. } => return Err("not a go env command".into()),
    };
    fixes::run(snapshot, command, &Cancel::default())?;
    if let Some(file) = &env_file {
        let after = std::fs::read(file).ok();
        let path = std::fs::canonicalize(file).unwrap_or_else(|_| file.clone());
        record.file_changed(&path, before.as_deref(), after.as_deref());
    }
    record.inverse_commands.insert(0, inverse);
    Ok(format!("ran {shown} (with {})", runner.go.display()))
}

/// Run `work` (which polls its cancel flag) with a spinner and the elapsed time on a terminal;
/// Ctrl-C ends the child's process group through the signal handler `main` installed.
fn with_progress<T>(
    what: &str,
    work: impl FnOnce(&Cancel) -> Result<T, String> + Send,
) -> Result<T, String>
where
    T: Send,
{
    let cancel = Cancel::default();
    if !std::io::stderr().is_terminal() {
        eprintln!("{what} …");
        return work(&cancel);
    }
    let done = Cancel::default();
    let started = std::time::Instant::now();
    std::thread::scope(|s| {
        let spinner = s.spawn(|| {
            const FRAMES: [char; 4] = ['|', '/', '-', '\\'];
            let mut i = 0;
            while !done.is_cancelled() {
                eprint!(
                    "\r{} {what} {:.1} s",
                    FRAMES[i % FRAMES.len()],
                    started.elapsed().as_secs_f64()
                );
                let _ = std::io::stderr().flush();
                i += 1;
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            eprintln!("\r{what}: {:.1} s", started.elapsed().as_secs_f64());
        });
        let result = work(&cancel);
        done.cancel();
        let _ = spinner.join();
        result
    })
}

/// Why each remaining finding remains.
fn left_text(left: &[(Finding, plan::Left)]) -> String {
    let mut out = String::new();
    let shown: Vec<&(Finding, plan::Left)> = left
        .iter()
        .filter(|(f, _)| f.severity != Severity::Info)
        .collect();
    if shown.is_empty() {
        return out;
    }
    out.push_str("Remaining:\n");
    for (f, why) in shown {
        let mark = if f.severity == Severity::Error {
            "✗"
        } else {
            "!"
        };
        let why = match why {
            plan::Left::NoFix => "no fix is known to work; see `go-env-doctor explain`".to_string(),
            plan::Left::NotSelected => "not selected (--only)".to_string(),
            plan::Left::OtherSide => "its fixes change the other side (--side)".to_string(),
            plan::Left::Manual(fix) => match &fix.action {
                FixAction::EditorEnvironment {
                    editor,
                    vars,
                    withheld,
                    sdk,
                } => format!(
                    "fixed in {editor}'s own configuration:\n{}",
                    indent(
                        &crate::settings::client_env::setup_text(
                            editor,
                            vars,
                            withheld,
                            sdk.as_deref()
                        ),
                        8
                    )
                    .trim_end()
                ),
                _ => fix.title.clone(),
            },
            plan::Left::NeedsCleanCache(fix) => {
                format!("{} — run again with --clean-cache", fix.title)
            }
        };
        out.push_str(&format!(
            "  {mark} {}: {}\n      {why}\n",
            f.code,
            first_sentence(&f.message)
        ));
    }
    out
}

fn run_undo(record_path: &Path) -> ExitCode {
    let record = match undo::load(record_path) {
        Ok(r) => r,
        Err(msg) => return could_not_run(&msg),
    };
    let outcome = undo::restore(&record);
    let mut out = format!(
        "go-env-doctor fix --undo: the run on {}\n",
        record.folder.display()
    );
    let mut refused = 0;
    for o in &outcome {
        match o {
            undo::Restored::File(p) => out.push_str(&format!("  restored {}\n", p.display())),
            undo::Restored::Removed(p) => {
                out.push_str(&format!("  removed {} (the run created it)\n", p.display()))
            }
            undo::Restored::Directory(p) => {
                out.push_str(&format!("  removed the directory {}\n", p.display()))
            }
            undo::Restored::Refused { path, why } => {
                refused += 1;
                out.push_str(&format!("  NOT restored {}: {why}\n", path.display()));
            }
        }
    }
    if !record.inverse_commands.is_empty() {
        out.push_str(&format!(
            "  (the go env file's bytes were restored; the same as: {})\n",
            record.inverse_commands.join("; ")
        ));
    }
    for what in &record.irreversible {
        out.push_str(&format!("  cannot be undone: {what}\n"));
    }
    let _ = write_stdout(&out);
    if refused > 0 {
        return ExitCode::from(EXIT_ERRORS_FOUND);
    }
    // Undone: a second --undo must not "restore" again over newer edits.
    if let Err(e) = std::fs::remove_file(record_path) {
        eprintln!(
            "go-env-doctor: cannot remove {}: {e}",
            record_path.display()
        );
    }
    ExitCode::SUCCESS
}
