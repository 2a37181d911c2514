//! Where a side's Go setup comes from: the startup-file lines of the login shell that put the
//! winning `go` on PATH or export a Go variable, the version a manager's shim selects in the
//! folder, and the `.envrc` lines direnv would load. Learned by `facts::attribution` only when
//! the sides differ (a traced shell costs); every value here is already redacted.

use super::SideKind;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The Go variables whose setting line is looked for.
pub const ATTRIBUTED_VARS: [&str; 5] = ["GOROOT", "GOPATH", "GOPROXY", "GOTOOLCHAIN", "GOFLAGS"];

/// How the shell's lines were found.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum TraceMethod {
    /// A traced login shell reported the file and line of each command (bash, zsh).
    Traced,
    /// The shell cannot report lines (fish, tcsh, dash, …): its documented startup files were
    /// read, and a line is one that assigns the variable (or names the directory) there.
    Read,
    /// Nothing could be learned (the traced shell failed, or no startup file says it).
    #[default]
    Unknown,
}

/// One line of a startup file (or `.envrc`, or a version manager's file).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ShellLine {
    /// `PATH` (then `value` is the directory the line added) or a Go variable.
    pub var: String,
    /// Redacted.
    pub value: String,
    pub file: PathBuf,
    /// 1-based.
    pub line: u32,
}

/// The login shell's startup lines that matter for Go.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ShellAttribution {
    pub method: TraceMethod,
    /// Why lines are unknown or uncertain, in words ("fish cannot trace …").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The last line that set each Go variable to the value the shell ends with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exports: Vec<ShellLine>,
    /// For directories of the shell's final PATH: the last line that added each one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path_adds: Vec<ShellLine>,
}

impl ShellAttribution {
    pub fn export(&self, var: &str) -> Option<&ShellLine> {
        self.exports.iter().find(|l| l.var == var)
    }

    pub fn path_add(&self, dir: &std::path::Path) -> Option<&ShellLine> {
        self.path_adds
            .iter()
            .find(|l| std::path::Path::new(&l.value) == dir)
    }
}

/// A version manager whose shim is a side's `go`, and what it selects in the folder.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ManagerPick {
    pub side: SideKind,
    /// `mise`, `asdf`, `goenv`, `gvm`.
    pub manager: String,
    /// The side's `go`.
    pub shim: PathBuf,
    /// The version it selects (`None`: no file or variable selects one).
    pub version: Option<String>,
    /// The variable that selects it (`GOENV_VERSION`, …), when one does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variable: Option<String>,
    /// The file that selects it, and the line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    #[serde(default)]
    pub line: u32,
}

/// Everything attribution learned for a folder.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Attribution {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shell: Option<ShellAttribution>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub managers: Vec<ManagerPick>,
    /// Lines of `.envrc` files (the folder's or a parent's) exporting Go variables or adding a
    /// directory to PATH.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub envrc: Vec<ShellLine>,
}

impl Attribution {
    pub fn manager(&self, side: SideKind) -> Option<&ManagerPick> {
        self.managers.iter().find(|m| m.side == side)
    }
}

/// A place a finding refers to beyond its own location, with what it says there (LSP
/// `relatedInformation`, the report's lines under a finding).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Related {
    pub path: PathBuf,
    /// 1-based.
    pub line: u32,
    pub note: String,
}
