//! `goEnvDoctor/serverStatus`: what a client shows in a status bar, as data. Sent after every
//! publish to clients that ask for it (`initializationOptions.serverStatus`), so no client has
//! to poll the report or read its human text.

use super::documents::Checked;
use crate::model::Severity;
use crate::report::{Report, ShellState, SideView};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use tower_lsp_server::lsp_types::notification::Notification;

/// The notification.
pub(crate) enum ServerStatus {}

impl Notification for ServerStatus {
    type Params = Status;
    const METHOD: &'static str = "goEnvDoctor/serverStatus";
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Status {
    /// `error`, `warning` or `ok`: the worst finding over every folder.
    pub health: String,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub folders: Vec<FolderStatus>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FolderStatus {
    pub folder: PathBuf,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Every editor side (the client's, then other editors' views), then the shell.
    pub sides: Vec<SideStatus>,
    /// go.mod files checked (under the folder, or governing it).
    pub modules: usize,
    /// go.work files read.
    pub go_work: Vec<PathBuf>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SideStatus {
    /// `editor` or `shell`.
    pub role: String,
    /// "VS Code", "your shell (/bin/zsh)".
    pub label: String,
    pub go: Option<PathBuf>,
    pub go_version: Option<String>,
    pub goroot: Option<String>,
    /// Why the side has no environment (the shell not probed, its probe failed).
    pub note: Option<String>,
}

fn side(role: &str, s: &SideView) -> SideStatus {
    SideStatus {
        role: role.to_string(),
        label: crate::redact::redact(&s.label),
        go: s.go.clone(),
        go_version: s.go_version.clone(),
        goroot: s.goroot.as_deref().map(crate::redact::redact),
        note: None,
    }
}

/// The status of every checked folder.
pub(crate) fn of(results: &BTreeMap<PathBuf, Checked>) -> Status {
    let mut folders = Vec::new();
    for checked in results.values() {
        let report = Report::from_snapshot(&checked.snapshot, checked.findings.clone());
        let count = |sev: Severity| report.findings.iter().filter(|f| f.severity == sev).count();
        let mut sides: Vec<SideStatus> = report.editors().map(|s| side("editor", s)).collect();
        sides.push(match &report.shell {
            ShellState::Probed(s) => side("shell", s),
            ShellState::NotProbed => SideStatus {
                role: "shell".into(),
                label: "your shell".into(),
                go: None,
                go_version: None,
                goroot: None,
                note: Some("not probed".into()),
            },
            ShellState::Failed { label, reason } => SideStatus {
                role: "shell".into(),
                label: crate::redact::redact(label),
                go: None,
                go_version: None,
                goroot: None,
                note: Some(format!("environment not read ({reason})")),
            },
        });
        folders.push(FolderStatus {
            folder: report.folder.clone(),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            sides,
            modules: report.workspace.modules,
            go_work: report.workspace.works.clone(),
        });
    }
    let sum = |f: fn(&FolderStatus) -> usize| folders.iter().map(f).sum::<usize>();
    let (errors, warnings, infos) = (sum(|f| f.errors), sum(|f| f.warnings), sum(|f| f.infos));
    Status {
        health: if errors > 0 {
            "error"
        } else if warnings > 0 {
            "warning"
        } else {
            "ok"
        }
        .to_string(),
        errors,
        warnings,
        infos,
        folders,
    }
}
