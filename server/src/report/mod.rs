//! The data every renderer works from: both sides' effective views and the findings.
//! Built from a snapshot by [`Report::from_snapshot`], or by hand in tests.

pub mod human;
pub mod json;

use crate::catalogue;
use crate::goenv::resolve::{self, EffectiveSide};
use crate::model::{
    DeepRun, EnvValue, Finding, Origin, ProbeOutcome, Severity, SideKind, Snapshot,
};
use crate::redact::redact;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What the renderers show: the folder, both sides and the findings.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The checked folder (absolute, as the user gave it).
    pub folder: PathBuf,
    /// The user's home directory, to abbreviate paths outside the folder as `~/…`.
    pub home: Option<PathBuf>,
    /// The editor side (`None` only when nothing at all could be resolved).
    pub editor: Option<SideView>,
    /// Other editors' sides for the same folder (GoLand from `.idea/workspace.xml`), in the
    /// order of [`Snapshot::editor_views`].
    pub other_editors: Vec<SideView>,
    pub shell: ShellState,
    pub findings: Vec<Finding>,
    /// The modules the check covered beyond the folder's own go.mod.
    pub workspace: WorkspaceSummary,
    /// `check --deep`: every side's build-and-run, the main snapshot's then each editor
    /// view's (empty without `--deep`).
    pub deep: Vec<DeepRun>,
    /// The Go SDKs installed on this machine (`Snapshot::installs`), newest first.
    pub sdks: Vec<SdkView>,
}

/// One installed Go SDK as the reports show it.
#[derive(Debug, Clone, PartialEq)]
pub struct SdkView {
    /// Its GOROOT.
    pub path: PathBuf,
    /// From its VERSION file (`go1.25.5`).
    pub version: Option<String>,
    /// How it was installed, when its place says ("golang.org/dl", "Homebrew", …).
    pub installed_by: Option<String>,
    /// The labels of the sides that run it.
    pub used_by: Vec<String>,
    /// Complete and recent enough for every module's and go.work's `go` line: a
    /// "Use installed" fix may switch an editor to it.
    pub satisfies: bool,
}

impl SdkView {
    /// Every install of the snapshot, newest first; `satisfies` as the rules choose.
    fn all(snapshot: &Snapshot, sides: &[&SideView]) -> Vec<SdkView> {
        let shell_root = sides
            .iter()
            .find(|s| s.kind == SideKind::Shell)
            .and_then(|s| s.goroot.as_deref());
        let fitting = crate::goenv::sdks::satisfying(snapshot, shell_root);
        let mut out: Vec<SdkView> = snapshot
            .installs
            .values()
            .map(|i| SdkView {
                path: PathBuf::from(&i.goroot),
                version: i.version.clone(),
                installed_by: i.installed_by.clone(),
                used_by: sides
                    .iter()
                    .filter(|s| {
                        s.go.is_some()
                            && s.goroot
                                .as_deref()
                                .is_some_and(|g| resolve::same_path(snapshot, g, &i.goroot))
                    })
                    .map(|s| s.label.clone())
                    .collect(),
                satisfies: fitting
                    .iter()
                    .any(|c| resolve::same_path(snapshot, &c.install.goroot, &i.goroot)),
            })
            .collect();
        let version = |s: &SdkView| {
            s.version
                .as_deref()
                .and_then(crate::settings::gomod::parse_version)
        };
        out.sort_by(|a, b| version(b).cmp(&version(a)).then(a.path.cmp(&b.path)));
        out
    }
}

/// How many modules and which go.work files the check covered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkspaceSummary {
    /// go.mod files under the folder, or governing it from above.
    pub modules: usize,
    /// go.work files read (the folder's, nested ones, one a side's GOWORK names).
    pub works: Vec<PathBuf>,
    /// The walk stopped at its bound (`workspace-walk-truncated` says more).
    pub truncated: bool,
}

impl WorkspaceSummary {
    fn of(snapshot: &Snapshot) -> WorkspaceSummary {
        let modules = crate::goenv::modules_in_scope(snapshot).count();
        WorkspaceSummary {
            modules,
            works: snapshot.all_works().map(|w| w.path.clone()).collect(),
            truncated: snapshot.workspace.truncated.is_some(),
        }
    }

    /// Worth a line of its own: more than one module, or a go.work.
    pub fn is_notable(&self) -> bool {
        self.modules > 1 || !self.works.is_empty() || self.truncated
    }
}

/// The shell side: probed, not asked for, or unreadable.
#[derive(Debug, Clone, PartialEq)]
pub enum ShellState {
    /// `--no-shell`.
    NotProbed,
    /// The probe ran but yielded no usable environment (`shell-probe-failed` says more).
    Failed {
        label: String,
        reason: String,
    },
    Probed(SideView),
}

/// What the reports show of one side: a copy of the parts of
/// [`EffectiveSide`] they need, so that renderers (and their tests) do not depend on the
/// resolver's internals.
#[derive(Debug, Clone, PartialEq)]
pub struct SideView {
    pub kind: SideKind,
    /// "VS Code", "your shell (/bin/zsh)".
    pub label: String,
    /// The `go` binary this side runs; `None`: no go found.
    pub go: Option<PathBuf>,
    /// e.g. `go1.22.10`.
    pub go_version: Option<String>,
    /// The GOROOT this side ends up with (the env value, else the one `go` finds by itself).
    pub goroot: Option<String>,
    /// Every Go env key of the side with its provenance.
    pub env: BTreeMap<String, EnvValue>,
    /// Shell side: the startup-file line that set a variable the shell's environment gives
    /// (attribution, when it ran).
    pub startup_lines: BTreeMap<String, (PathBuf, u32)>,
}

/// "your shell (/bin/zsh)": the header names which shell was asked.
fn shell_header_label(facts: &crate::model::SideFacts) -> String {
    match &facts.probe {
        Some(p) if !facts.label.contains('(') => {
            format!("{} ({})", facts.label, p.shell.display())
        }
        _ => facts.label.clone(),
    }
}

impl SideView {
    pub fn from_effective(side: &EffectiveSide) -> SideView {
        let goroot = side
            .env
            .get("GOROOT")
            .map(|v| v.value.clone())
            .filter(|v| !v.is_empty())
            .or_else(|| side.own_goroot.clone())
            .or_else(|| side.go.as_ref().and_then(|g| g.own_goroot.clone()));
        SideView {
            kind: side.kind,
            label: side.label.clone(),
            go: side.go.as_ref().map(|g| g.path.clone()),
            go_version: side.go_version.clone(),
            goroot,
            env: side.env.clone(),
            startup_lines: BTreeMap::new(),
        }
    }
}

impl ShellState {
    pub fn side(&self) -> Option<&SideView> {
        match self {
            ShellState::Probed(side) => Some(side),
            _ => None,
        }
    }
}

/// Counts of findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Report {
    /// Builds the report of a snapshot and the findings the rules produced for it. Findings of
    /// checks the user disabled are dropped here too, whatever the rules did.
    pub fn from_snapshot(snapshot: &Snapshot, findings: Vec<Finding>) -> Report {
        let editor =
            resolve::effective(snapshot, SideKind::Editor).map(|s| SideView::from_effective(&s));
        let shell = match &snapshot.shell {
            None => ShellState::NotProbed,
            Some(facts) => match resolve::effective(snapshot, SideKind::Shell) {
                Some(side) => {
                    let mut view = SideView::from_effective(&side);
                    view.label = shell_header_label(facts);
                    let lines = snapshot
                        .attribution
                        .iter()
                        .filter_map(|a| a.shell.as_ref())
                        .flat_map(|s| &s.exports);
                    for l in lines {
                        view.startup_lines
                            .insert(l.var.clone(), (l.file.clone(), l.line));
                    }
                    ShellState::Probed(view)
                }
                None => ShellState::Failed {
                    label: shell_header_label(facts),
                    reason: facts
                        .probe
                        .as_ref()
                        .map(|p| probe_reason(&p.outcome, p.millis))
                        .unwrap_or_else(|| "no environment was read".to_string()),
                },
            },
        };
        let other_editors: Vec<SideView> = snapshot
            .editor_views
            .iter()
            .filter_map(|v| resolve::effective(v, SideKind::Editor))
            .map(|s| SideView::from_effective(&s))
            .collect();
        let sdks = {
            let mut sides: Vec<&SideView> = editor.iter().collect();
            sides.extend(other_editors.iter());
            sides.extend(shell.side());
            SdkView::all(snapshot, &sides)
        };
        let findings = findings
            .into_iter()
            .filter(|f| !snapshot.disabled_checks.iter().any(|c| c == &f.code))
            .collect();
        Report {
            folder: snapshot.folder.clone(),
            home: snapshot.home.clone(),
            editor,
            other_editors,
            shell,
            findings,
            workspace: WorkspaceSummary::of(snapshot),
            deep: snapshot
                .deep
                .iter()
                .chain(snapshot.editor_views.iter().flat_map(|v| &v.deep))
                .cloned()
                .collect(),
            sdks,
        }
    }

    /// Every editor side: [`Report::editor`] first, then [`Report::other_editors`].
    pub fn editors(&self) -> impl Iterator<Item = &SideView> {
        self.editor.iter().chain(self.other_editors.iter())
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for f in &self.findings {
            match f.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Info => c.notes += 1,
            }
        }
        c
    }

    /// Whether any finding has error severity (exit code 1).
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// `path` relative to the folder when inside it (`.vscode/settings.json`), else `None`.
    pub fn relative<'a>(&self, path: &'a Path) -> Option<&'a Path> {
        match path.strip_prefix(&self.folder) {
            Ok(rel) if !rel.as_os_str().is_empty() => Some(rel),
            _ => None,
        }
    }

    /// A path for people: relative to the folder when inside it, else absolute.
    pub fn display_path(&self, path: &Path) -> String {
        match self.relative(path) {
            Some(rel) => rel.display().to_string(),
            None => path.display().to_string(),
        }
    }

    /// A path for people, shorter still: relative to the folder, else `~/…` under home.
    pub fn short_path(&self, path: &Path) -> String {
        if let Some(rel) = self.relative(path) {
            return rel.display().to_string();
        }
        if let Some(home) = &self.home {
            if let Ok(rel) = path.strip_prefix(home) {
                if !rel.as_os_str().is_empty() {
                    return format!("~/{}", rel.display());
                }
            }
        }
        path.display().to_string()
    }

    /// Where a value comes from, in a few words: `go env file:3`, `$GOROOT/go.env`,
    /// `.vscode/settings.json go.goroot`, `editor config go.goroot` (a client-only setting),
    /// `shell env`, `default`.
    pub fn origin_label(&self, origin: &Origin, side: SideKind) -> String {
        match origin {
            Origin::OsEnv => match side {
                SideKind::Editor => "editor env".to_string(),
                SideKind::Shell => "shell env".to_string(),
            },
            Origin::EnvFile { line, .. } => format!("go env file:{line}"),
            Origin::GorootGoEnv { .. } => "$GOROOT/go.env".to_string(),
            Origin::EditorSetting { path, key, .. } => {
                // GoLand's names: GOROOT, a Go Modules environment entry.
                let key = if crate::settings::idea::is_idea_file(path) {
                    crate::settings::idea::setting_name(key).unwrap_or_else(|| key.to_string())
                } else {
                    key.to_string()
                };
                format!("{} {key}", self.short_path(path))
            }
            // The editor answered it over LSP; no settings file holds it.
            Origin::ClientSetting { key } => format!("editor config {key}"),
            Origin::Default => "default".to_string(),
        }
    }
}

/// Why a probe gave nothing, for people: "timed out after 10 s", "exited with code 1 after 0.4 s".
pub fn probe_reason(outcome: &ProbeOutcome, millis: u64) -> String {
    let took = format_millis(millis);
    match outcome {
        ProbeOutcome::Ok => format!("printed no usable environment (took {took})"),
        ProbeOutcome::TimedOut { after_secs } => format!("timed out after {after_secs} s"),
        ProbeOutcome::Exited { code } => format!("exited with code {code} after {took}"),
        ProbeOutcome::Signalled { signal } => format!("killed by signal {signal} after {took}"),
        ProbeOutcome::NoMarkers => format!("printed no environment (took {took})"),
        ProbeOutcome::SpawnFailed { error } => format!("could not be started: {}", redact(error)),
        ProbeOutcome::Cancelled => format!("was cancelled after {took}"),
    }
}

/// `0.4 s`, `12 s`.
pub fn format_millis(millis: u64) -> String {
    if millis < 10_000 {
        format!("{}.{} s", millis / 1000, (millis % 1000) / 100)
    } else {
        format!("{} s", millis / 1000)
    }
}

/// The severity word used in JSON and in `explain`.
pub fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// The catalogue title of a code, or the code itself when unknown.
pub fn code_title(code: &str) -> &str {
    catalogue::lookup(code).map(|c| c.title).unwrap_or(code)
}

/// The area a code is reported under; unknown codes go with the editor ↔ shell checks.
pub fn code_area(code: &str) -> catalogue::Area {
    catalogue::lookup(code)
        .map(|c| c.area)
        .unwrap_or(catalogue::Area::EditorAndShell)
}
