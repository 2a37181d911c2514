//! Which fixes a terminal run applies, and in what order (`go-env-doctor fix`). Pure: the
//! plan is found by simulation — apply the chosen fix to the snapshot as the rules model it,
//! check again, choose the next — so that a fix is planned against the state the earlier ones
//! leave (removing a broken `GOROOT=` line first can make `go env -w` possible, or make a later
//! fix unnecessary).

use crate::model::{Finding, Fix, FixAction, Severity, Snapshot};
use crate::rules;

/// Which side's configuration a fix changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Editor,
    Shell,
    /// A file or directory both sides use (the go env file when both read it, GOCACHE, go.work).
    Both,
}

impl Side {
    pub fn words(self) -> &'static str {
        match self {
            Side::Editor => "editor",
            Side::Shell => "shell: go env file",
            Side::Both => "editor and shell",
        }
    }
}

/// What the user asked to fix.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only these finding codes (empty: all).
    pub only: Vec<String>,
    /// Only fixes that change this side (a fix of both sides counts for either).
    pub side: Option<Side>,
    /// Whether emptying a build cache (`go clean -cache`) may be part of the run.
    pub clean_cache: bool,
}

/// One fix to apply, with the finding it is for.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub code: String,
    pub message: String,
    pub fix: Fix,
    pub side: Side,
}

/// Why a finding is still there after the plan.
#[derive(Debug, Clone, PartialEq)]
pub enum Left {
    /// No fix is known to work for it.
    NoFix,
    /// Its code was not asked for (`--only`).
    NotSelected,
    /// Its fixes change the other side (`--side`).
    OtherSide,
    /// Its fix is made in the editor's own configuration, which is a program (shown, not edited).
    Manual(Fix),
    /// Its fix empties a build cache, which needs `--clean-cache`.
    NeedsCleanCache(Fix),
}

/// The steps in order, and what the rules expect to remain afterwards.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub steps: Vec<Step>,
    pub left: Vec<(Finding, Left)>,
}

impl Plan {
    /// Errors expected to remain.
    pub fn errors_left(&self) -> usize {
        self.left
            .iter()
            .filter(|(f, _)| f.severity == Severity::Error)
            .count()
    }
}

/// At most this many fixes in one run: every step makes a finding go away, so a longer plan
/// would mean two fixes undoing each other.
const MAX_STEPS: usize = 32;

/// Plan the fixes for `snapshot` under `filter`.
pub fn plan(snapshot: &Snapshot, filter: &Filter) -> Plan {
    let mut sim = snapshot.clone();
    let mut steps: Vec<Step> = Vec::new();
    while steps.len() < MAX_STEPS {
        let findings = rules::check_all(&sim);
        let next = findings
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let fix = choose(f, filter, &steps)?;
                Some((rank(&fix.action), i, f, fix))
            })
            .min_by_key(|(rank, i, _, _)| (*rank, *i));
        let Some((_, _, finding, fix)) = next else {
            break;
        };
        sim = apply_everywhere(&sim, &fix.action);
        steps.push(Step {
            code: finding.code.clone(),
            message: finding.message.clone(),
            side: side(finding, &fix.action),
            fix,
        });
    }
    let left = rules::check_all(&sim)
        .into_iter()
        .map(|f| {
            let why = left_why(&f, filter);
            (f, why)
        })
        .collect();
    Plan { steps, left }
}

/// `action` applied to the snapshot and to each other editor's view of it (VS Code beside the
/// terminal, GoLand): a real fix changes the files every editor reads, so each view must see
/// it, as it would on the next check.
fn apply_everywhere(snapshot: &Snapshot, action: &FixAction) -> Snapshot {
    let mut after = rules::simulate::apply(snapshot, action);
    // A go.work edit is already applied to every view.
    if !matches!(action, FixAction::EditGoWork { .. }) {
        after.editor_views = snapshot
            .editor_views
            .iter()
            .map(|v| rules::simulate::apply(v, action))
            .collect();
    }
    after
}

/// The best fix of `finding` this run may apply, if any.
fn choose(finding: &Finding, filter: &Filter, done: &[Step]) -> Option<Fix> {
    if !filter.only.is_empty() && !filter.only.contains(&finding.code) {
        return None;
    }
    finding
        .fixes
        .iter()
        .find(|fix| {
            applicable(fix, filter)
                && side_allowed(side(finding, &fix.action), filter)
                && !done.iter().any(|s| s.fix.action == fix.action)
        })
        .cloned()
}

fn applicable(fix: &Fix, filter: &Filter) -> bool {
    match fix.action {
        FixAction::EditorEnvironment { .. } => false,
        FixAction::CleanCache { .. } => filter.clean_cache,
        _ => true,
    }
}

fn side_allowed(side: Side, filter: &Filter) -> bool {
    match filter.side {
        None => true,
        Some(want) => side == want || side == Side::Both,
    }
}

/// The side whose configuration a fix changes: settings files are the editor's; the go env file
/// (`go env -w/-u`, a line removed) is the Go configuration of the user's shell, which editors
/// read too; a directory, a cache or a go.work is shared by the sides the finding concerns.
pub fn side(finding: &Finding, action: &FixAction) -> Side {
    match action {
        FixAction::SetSetting { .. }
        | FixAction::RemoveSetting { .. }
        | FixAction::EditorEnvironment { .. } => Side::Editor,
        FixAction::GoEnvWrite { .. }
        | FixAction::GoEnvUnset { .. }
        | FixAction::EnvFileRemoveLine { .. } => Side::Shell,
        FixAction::InstallTool { side, .. } => match side {
            crate::model::SideKind::Editor => Side::Editor,
            crate::model::SideKind::Shell => Side::Shell,
        },
        _ => match (finding.editor.is_some(), finding.shell.is_some()) {
            (true, false) => Side::Editor,
            (false, true) => Side::Shell,
            _ => Side::Both,
        },
    }
}

/// Fixes that decide which `go` runs come first: a `go` that cannot start makes `go env -w`
/// impossible, and every other value is read through the `go` that runs.
fn rank(action: &FixAction) -> u8 {
    let decides_go = |var: &str| matches!(var, "GOROOT" | "GOTOOLCHAIN");
    match action {
        FixAction::EnvFileRemoveLine { .. } => 0,
        FixAction::GoEnvWrite { key, .. } | FixAction::GoEnvUnset { key } if decides_go(key) => 1,
        FixAction::SetSetting { key, .. } | FixAction::RemoveSetting { key, .. }
            if key.is_alternate_go() || key.go_env_var().is_some_and(decides_go) =>
        {
            2
        }
        FixAction::GoEnvWrite { .. } | FixAction::GoEnvUnset { .. } => 3,
        FixAction::SetSetting { .. } | FixAction::RemoveSetting { .. } => 4,
        FixAction::EditGoWork { .. } => 5,
        FixAction::CreateDirectory { .. } => 6,
        FixAction::CleanCache { .. } => 7,
        // Last among what runs: a tool is built with the `go` the earlier fixes settled.
        FixAction::InstallTool { .. } => 8,
        FixAction::EditorEnvironment { .. } => 9,
    }
}

fn left_why(finding: &Finding, filter: &Filter) -> Left {
    if finding.fixes.is_empty() {
        return Left::NoFix;
    }
    if !filter.only.is_empty() && !filter.only.contains(&finding.code) {
        return Left::NotSelected;
    }
    if let Some(fix) = finding
        .fixes
        .iter()
        .find(|f| matches!(f.action, FixAction::CleanCache { .. }))
        .filter(|_| !filter.clean_cache)
    {
        return Left::NeedsCleanCache(fix.clone());
    }
    if let Some(fix) = finding
        .fixes
        .iter()
        .find(|f| matches!(f.action, FixAction::EditorEnvironment { .. }))
    {
        if finding.fixes.iter().all(|f| !applicable(f, filter)) {
            return Left::Manual(fix.clone());
        }
    }
    if finding
        .fixes
        .iter()
        .all(|f| !side_allowed(side(finding, &f.action), filter))
    {
        return Left::OtherSide;
    }
    // Fixes that were applied (in simulation) and still leave the finding: none is known to
    // work from here.
    Left::NoFix
}
