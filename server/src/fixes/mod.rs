//! Fix executors: the fixes that run something rather than edit text an editor holds —
//! `go env -w`/`-u`, creating a directory, `go clean -cache` ([`clean`]), `go install` of an
//! editor tool ([`install`]).
//!
//! Both front ends run fixes through here, so each kind of fix has one implementation with one
//! trust gate ([`crate::facts::trust::refusal`]: a `go` an untrusted workspace chose is never
//! run) and one way of running a process ([`crate::facts::process`]: its own process group,
//! bounded output, a deadline, cancellation). Text edits (settings files, go.work) are not here:
//! they are computed from the text as the editor holds it, by the front end that owns it.
//!
//! Everything here blocks; the language server calls it on a blocking thread.

pub mod atomic;
pub mod clean;
pub mod install;
pub mod plan;
pub mod undo;

use crate::facts::process::{self, Cancel};
use crate::model::{CommandResult, GoBinary, SideFacts, Snapshot};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long `go env -w/-u` may take.
pub const GO_ENV_TIMEOUT: Duration = Duration::from_secs(30);

/// A fix that runs, with its arguments as the front end received them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `go env -w KEY=VALUE`.
    GoEnvWrite { key: String, value: String },
    /// `go env -u KEY`.
    GoEnvUnset { key: String },
    /// `mkdir -p PATH` (an absolute path).
    CreateDirectory { path: PathBuf },
}

/// Run `command` for the folder `snapshot` describes; the caller re-checks afterwards.
pub fn run(snapshot: &Snapshot, command: &Command, cancel: &Cancel) -> Result<(), String> {
    match command {
        Command::CreateDirectory { path } => {
            if !path.is_absolute() {
                return Err(format!("not an absolute path: {}", path.display()));
            }
            std::fs::create_dir_all(path)
                .map_err(|e| format!("cannot create {}: {e}", path.display()))
        }
        Command::GoEnvWrite { key, value } => {
            go_env(snapshot, &["-w".into(), format!("{key}={value}")], cancel)
        }
        Command::GoEnvUnset { key } => go_env(snapshot, &["-u".into(), key.clone()], cancel),
    }
}

/// The `go` a fix runs, and the environment it runs with.
#[derive(Debug, Clone)]
pub struct Runner {
    pub go: PathBuf,
    pub env: BTreeMap<String, String>,
    pub folder: PathBuf,
    /// The go env file this `go` reads and `go env -w/-u` rewrites.
    pub env_file: Option<PathBuf>,
}

impl Runner {
    /// The shell side's `go` and environment — `go env -w` must write the env file the shell's
    /// `go` reads, and the shell is the source of truth — else the editor's when the shell has
    /// none; never a `go` an untrusted workspace chose. GOTOOLCHAIN=local: a fix must not start
    /// a toolchain download.
    pub fn for_snapshot(snapshot: &Snapshot) -> Result<Runner, String> {
        Self::with_toolchain(snapshot, true)
    }

    fn with_toolchain(snapshot: &Snapshot, pin_local: bool) -> Result<Runner, String> {
        let (side, go) = fix_go(snapshot)?;
        let mut env = side.os_env.clone();
        if pin_local {
            env.insert("GOTOOLCHAIN".into(), "local".into());
        }
        Ok(Runner {
            go: go.path,
            env,
            folder: snapshot.folder.clone(),
            env_file: side.env_file.as_ref().map(|f| f.path.clone()),
        })
    }

    /// `go ARGS…`: its stdout, or why it failed (the first words of its stderr).
    pub fn go(&self, args: &[&str], timeout: Duration, cancel: &Cancel) -> Result<String, String> {
        let shown = format!("go {}", args.join(" "));
        match process::run_cancellable(&self.go, args, &self.env, &self.folder, timeout, cancel) {
            CommandResult::Ok { value, .. } => Ok(value),
            CommandResult::Failed { stderr, .. } => Err(format!("{shown} failed: {stderr}")),
            CommandResult::TimedOut { after_millis } => {
                Err(format!("{shown} timed out after {after_millis} ms"))
            }
            CommandResult::NotRun { reason } => Err(reason),
        }
    }
}

fn fix_go(snapshot: &Snapshot) -> Result<(&SideFacts, GoBinary), String> {
    let side = snapshot
        .shell
        .as_ref()
        .filter(|s| s.go.is_some())
        .unwrap_or(&snapshot.editor);
    let mut go = side
        .go
        .clone()
        .ok_or_else(|| format!("{} has no go to run", side.label))?;
    if let Some(why) = crate::facts::trust::refusal(&mut go, &snapshot.folder, snapshot.trusted) {
        return Err(why);
    }
    Ok((side, go))
}

/// `go env ARGS` with [`Runner::for_snapshot`]'s `go`; `go env -w GOTOOLCHAIN=…` runs with the
/// side's own GOTOOLCHAIN.
fn go_env(snapshot: &Snapshot, args: &[String], cancel: &Cancel) -> Result<(), String> {
    let sets_toolchain = args.iter().any(|a| a.starts_with("GOTOOLCHAIN"));
    let runner = Runner::with_toolchain(snapshot, !sets_toolchain)?;
    let args: Vec<&str> = std::iter::once("env")
        .chain(args.iter().map(String::as_str))
        .collect();
    runner.go(&args, GO_ENV_TIMEOUT, cancel).map(|_| ())
}

/// Whether `path` is absolute, for arguments a client sent.
pub fn absolute(path: &Path) -> Result<&Path, String> {
    if path.is_absolute() {
        Ok(path)
    } else {
        Err(format!("not an absolute path: {}", path.display()))
    }
}
