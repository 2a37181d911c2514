//! All IO of the engine: resolve the editor side and the shell side, run `go`, stat paths.
//! Output: a plain-data [`crate::model::Snapshot`].

pub mod fs;
pub mod go;
pub mod process;
pub mod shell;

use crate::model::Snapshot;
use std::path::PathBuf;
use std::time::Duration;

/// What to probe, as chosen on the command line or by the language server's configuration.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The workspace folder (absolute).
    pub folder: PathBuf,
    /// Probe the login shell (`--no-shell` turns it off).
    pub probe_shell: bool,
    /// `--shell PATH`; `None`: `$SHELL`, then the passwd entry.
    pub shell: Option<PathBuf>,
    pub shell_timeout: Duration,
    /// `--trust`: binaries chosen by the workspace may run.
    pub trusted: bool,
    /// Our own executable, run by the login shell as `__print-env MARK`.
    pub helper_exe: PathBuf,
    /// Override of the VS Code user settings file (tests; `--user-settings`,
    /// `GO_ENV_DOCTOR_USER_SETTINGS`). `None`: the OS's standard locations.
    pub user_settings: Option<PathBuf>,
    pub disabled_checks: Vec<String>,
}

impl CheckOptions {
    pub fn new(folder: PathBuf, helper_exe: PathBuf) -> Self {
        CheckOptions {
            folder,
            probe_shell: true,
            shell: None,
            shell_timeout: Duration::from_secs(10),
            trusted: false,
            helper_exe,
            user_settings: None,
            disabled_checks: Vec::new(),
        }
    }
}

/// Gather every fact about `opts.folder`. Never fails: what could not be learned is recorded in
/// the snapshot (failed commands, unreadable files) so that rules can report it.
pub fn collect(opts: &CheckOptions) -> Snapshot {
    Snapshot {
        folder: opts.folder.clone(),
        trusted: opts.trusted,
        disabled_checks: opts.disabled_checks.clone(),
        ..Snapshot::default()
    }
}
