//! Pure rules: [`crate::model::Snapshot`] → findings. No IO, no processes.
//!
//! Each area module exposes `pub fn findings(ctx: &Ctx) -> Vec<Finding>` returning findings with
//! their *candidate* fixes in preference order; [`check`] then keeps only the fixes that really
//! make the finding disappear when simulated on the snapshot (see [`simulate`]).

pub mod attribution;
pub mod cache;
pub mod deep;
pub mod envdiff;
pub mod goflags;
pub mod goroot;
pub mod inputs;
pub mod modules;
pub mod paths;
pub mod platform;
pub mod sdk_switch;
pub use crate::goenv::resolve;
pub mod simulate;
pub mod tinygo;
pub mod toolchain;
pub mod tools;
pub mod workspace;

use crate::catalogue;
use crate::model::{Configured, Finding, Fix, Location, Origin, Severity, SideValue, Snapshot};
use resolve::EffectiveSide;

/// What every rule gets: the snapshot and both sides' effective views, computed once.
pub struct Ctx<'a> {
    pub snapshot: &'a Snapshot,
    pub editor: Option<EffectiveSide>,
    /// Borrowed when a fix's simulation left the shell side as it was ([`check`]).
    pub shell: Option<std::borrow::Cow<'a, EffectiveSide>>,
    workspace: std::cell::OnceCell<workspace::Index<'a>>,
    /// The index of the pass a simulated fix started from, when the fix left what it reads
    /// unchanged (most fixes edit an editor setting): built once per check, not once per fix.
    shared_workspace: Option<&'a workspace::Index<'a>>,
}

impl<'a> Ctx<'a> {
    pub fn new(snapshot: &'a Snapshot) -> Self {
        let shell = resolve::effective(snapshot, crate::model::SideKind::Shell);
        Ctx::with_shell(snapshot, shell.map(std::borrow::Cow::Owned))
    }

    /// With the shell side already resolved (from an identical one).
    fn with_shell(
        snapshot: &'a Snapshot,
        shell: Option<std::borrow::Cow<'a, EffectiveSide>>,
    ) -> Self {
        Ctx {
            snapshot,
            editor: resolve::effective(snapshot, crate::model::SideKind::Editor),
            shell,
            workspace: std::cell::OnceCell::new(),
            shared_workspace: None,
        }
    }

    /// Which go.work decides for each module on each side (computed on first use).
    pub fn workspace(&self) -> &workspace::Index<'a> {
        if let Some(ix) = self.shared_workspace {
            return ix;
        }
        self.workspace
            .get_or_init(|| workspace::Index::new(self.snapshot, self.sides()))
    }

    /// Both sides that exist, editor first.
    pub fn sides(&self) -> impl Iterator<Item = &EffectiveSide> {
        self.editor.iter().chain(self.shell.as_deref())
    }

    /// The side of a kind.
    pub fn side(&self, kind: crate::model::SideKind) -> Option<&EffectiveSide> {
        match kind {
            crate::model::SideKind::Editor => self.editor.as_ref(),
            crate::model::SideKind::Shell => self.shell.as_deref(),
        }
    }

    /// A side's value of `key` for a finding: redacted value, origin and the side's Go version.
    pub fn side_value(&self, side: &EffectiveSide, key: &str) -> SideValue {
        let v = side.get(key);
        SideValue {
            value: v.map(|v| crate::redact::redact(&v.value)),
            origin: v.map(|v| v.origin.clone()),
            go_version: side.go_version.clone(),
        }
    }

    /// Where a value with this origin is configured: the settings member's value, the env
    /// file line (column 1), the `$GOROOT/go.env` line. `None` for the OS env, defaults and
    /// client-only settings (no file holds them).
    pub fn origin_location(&self, origin: &Origin) -> Option<Location> {
        match origin {
            Origin::EditorSetting { path, key, line } => Some(
                self.snapshot
                    .settings
                    .values
                    .iter()
                    .find(|c| c.key == *key && c.place().is_some_and(|p| p.file == *path))
                    .and_then(setting_location)
                    .unwrap_or(Location {
                        path: path.clone(),
                        line: *line,
                        column: 1,
                        span: None,
                    }),
            ),
            Origin::EnvFile { path, line } | Origin::GorootGoEnv { path, line } => Some(Location {
                path: path.clone(),
                line: *line,
                column: 1,
                span: None,
            }),
            Origin::OsEnv | Origin::ClientSetting { .. } | Origin::Default => None,
        }
    }

    /// Locations of the given origins (deduplicated, in order); when none is configured
    /// anywhere, the go.mod `module` line.
    ///
    /// A client-only setting ([`Origin::ClientSetting`]) before any located origin puts the
    /// module line first: the finding is about that value, which no file holds, so it must
    /// not land on a later origin's file (the shell's env file) as if that were the place to
    /// change; the later origins stay as related locations. The message names the setting.
    pub fn locations(&self, origins: &[&Origin]) -> Vec<Location> {
        let mut out: Vec<Location> = Vec::new();
        for o in origins {
            let l = match o {
                Origin::ClientSetting { .. } if out.is_empty() => self.module_location(),
                _ => self.origin_location(o),
            };
            if let Some(l) = l {
                if !out.contains(&l) {
                    out.push(l);
                }
            }
        }
        if out.is_empty() {
            out.extend(self.module_location());
        }
        out
    }

    /// Fallback location when nothing is configured: the `module` line of go.mod (else the
    /// first line of go.work), where the LSP shows such findings.
    pub fn module_location(&self) -> Option<Location> {
        let line = self
            .snapshot
            .go_mod
            .as_ref()
            .and_then(|m| m.module.as_ref().or(m.go.as_ref()))
            .or_else(|| {
                self.snapshot
                    .go_work
                    .as_ref()
                    .and_then(|w| w.go.as_ref().or(w.toolchain.as_ref()))
            })?;
        Some(Location {
            path: line.span.file.clone(),
            line: line.line,
            column: line.span.column,
            span: Some((line.span.start, line.span.end)),
        })
    }
}

/// The location of a settings member's value (`None` for a client-only value: no file).
pub fn setting_location(c: &Configured) -> Option<Location> {
    let span = c.place()?;
    Some(Location {
        path: span.file.clone(),
        line: span.line,
        column: span.column,
        span: Some((span.start, span.end)),
    })
}

/// A finding with the catalogue's severity and no locations or fixes yet.
/// The message's first letter is capitalised (labels like "your shell" start sentences).
/// A message starting with a plain lowercase word (a label like "your shell") gets it
/// capitalised; one starting with a key (`go.goroot`) is left alone.
pub fn finding(code: &str, subject: &str, message: String) -> Finding {
    let first_word = message.split(' ').next().unwrap_or("");
    let plain_word = first_word.chars().all(|c| c.is_ascii_lowercase());
    let mut chars = message.chars();
    let message = match chars.next() {
        Some(c) if plain_word && c.is_lowercase() => c.to_uppercase().chain(chars).collect(),
        _ => message,
    };
    Finding {
        code: code.to_string(),
        severity: severity(code),
        message,
        subject: subject.to_string(),
        editor: None,
        shell: None,
        locations: Vec::new(),
        fixes: Vec::new(),
        related: Vec::new(),
    }
}

/// The catalogue severity of a code (`Error` for an unknown code, which tests catch).
pub fn severity(code: &str) -> Severity {
    catalogue::lookup(code)
        .map(|c| c.severity)
        .unwrap_or(Severity::Error)
}

/// Every finding of every area with its *candidate* fixes (unverified), unsorted. This is
/// what fix simulation re-runs: it never simulates, so it cannot recurse.
pub fn raw_findings(snapshot: &Snapshot) -> Vec<Finding> {
    findings_of(&Ctx::new(snapshot))
}

fn findings_of(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(inputs::findings(ctx));
    out.extend(goroot::findings(ctx));
    out.extend(toolchain::findings(ctx));
    out.extend(workspace::findings(ctx));
    out.extend(cache::findings(ctx));
    out.extend(modules::findings(ctx));
    out.extend(tools::findings(ctx));
    out.extend(paths::findings(ctx));
    out.extend(envdiff::findings(ctx));
    out.extend(platform::findings(ctx));
    out.extend(tinygo::findings(ctx));
    out.extend(deep::findings(ctx));
    out.extend(attribution::findings(ctx));
    let failures = inputs::go_failures(ctx, &out);
    out.extend(failures);
    out
}

/// Every finding for the snapshot, fixes verified and ordered best first, disabled codes
/// dropped, sorted by severity (errors first) then catalogue order.
pub fn check(snapshot: &Snapshot) -> Vec<Finding> {
    use std::borrow::Cow;
    // Most fixes edit the editor's settings: the shell side they leave is this one, resolved
    // once rather than again for every simulation.
    let shell = resolve::effective(snapshot, crate::model::SideKind::Shell);
    let base = Ctx::with_shell(snapshot, shell.as_ref().map(Cow::Borrowed));
    let raw = findings_of(&base);
    let take_shell_env = editor_environment_fix(snapshot);
    // What each fix leaves, by its action: several findings often offer the same one (the
    // editor taking the shell's environment is offered on every editor finding), and the
    // snapshot it leaves is the same for all of them.
    let mut simulated: Vec<(crate::model::FixAction, Vec<Finding>)> = Vec::new();
    let candidates: Vec<(Finding, Vec<Fix>)> = raw
        .iter()
        .filter(|f| !snapshot.disabled_checks.contains(&f.code))
        .map(|f| {
            let mut f = f.clone();
            let mut candidates = std::mem::take(&mut f.fixes);
            if f.editor.is_some() {
                candidates.extend(take_shell_env.clone());
            }
            (f, candidates)
        })
        .collect();
    let mut out: Vec<Finding> = Vec::with_capacity(candidates.len());
    for (mut f, fixes) in candidates {
        let mut kept: Vec<Fix> = Vec::new();
        for fix in fixes {
            if kept.iter().any(|k| k.action == fix.action) || edits_unparseable(snapshot, &fix) {
                continue;
            }
            let known = simulated.iter().position(|(a, _)| *a == fix.action);
            let at = known.unwrap_or_else(|| {
                let fixed = simulate::apply(snapshot, &fix.action);
                let mut ctx = if shell_unchanged(snapshot, &fixed) {
                    Ctx::with_shell(&fixed, shell.as_ref().map(Cow::Borrowed))
                } else {
                    Ctx::new(&fixed)
                };
                if workspace::same_inputs(&base, &ctx) {
                    ctx.shared_workspace = Some(base.workspace());
                }
                let after = findings_of(&ctx);
                simulated.push((fix.action.clone(), after));
                simulated.len() - 1
            });
            let after = &simulated[at].1;
            if fix_leaves(&raw, &f, &fix, after) {
                kept.push(fix);
            }
        }
        f.fixes = kept;
        out.push(f);
    }
    attribution::annotate(snapshot, &mut out);
    sort_findings(&mut out);
    out
}

/// Whether `after` resolves to the same shell side as `before`: that side reads only its own
/// facts and, to compare paths, the path facts and the file system's case rule.
fn shell_unchanged(before: &Snapshot, after: &Snapshot) -> bool {
    after.shell == before.shell
        && after.paths == before.paths
        && after.case_insensitive_fs == before.case_insensitive_fs
}

/// The variables that decide which Go an editor runs and how, as the login shell sets them.
const EDITOR_ENV_KEYS: &[&str] = &[
    "PATH",
    "GOROOT",
    "GOPATH",
    "GOBIN",
    "GOENV",
    "GOFLAGS",
    "GOPROXY",
    "GONOPROXY",
    "GOSUMDB",
    "GONOSUMDB",
    "GOPRIVATE",
    "GOINSECURE",
    "GOTOOLCHAIN",
    "GOCACHE",
    "GOMODCACHE",
    "GOWORK",
    "GO111MODULE",
    "GOEXPERIMENT",
    "GOOS",
    "GOARCH",
    "CGO_ENABLED",
    "CC",
    "CXX",
    "CGO_CFLAGS",
    "CGO_CPPFLAGS",
    "CGO_CXXFLAGS",
    "CGO_FFLAGS",
    "CGO_LDFLAGS",
    "PKG_CONFIG",
    "GOAUTH",
    "GOAMD64",
    "GOARM64",
    "GOARM",
    "GO386",
    "GOFIPS140",
    "GOVCS",
    "GOTMPDIR",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
];

/// For an editor that is neither VS Code nor GoLand: "give it the login shell's environment",
/// the one fix that works for every finding about that editor's own environment (it never
/// reads VS Code's settings files). A candidate like any other: kept only where simulating it
/// clears the finding. `None` without a working shell side or when the environments agree.
fn editor_environment_fix(snapshot: &Snapshot) -> Option<Fix> {
    if snapshot.editor_kind != crate::model::EditorKind::Other {
        return None;
    }
    let shell = snapshot.shell.as_ref().filter(|s| resolve::probe_ok(s))?;
    let editor = &snapshot.editor;
    let mut vars = std::collections::BTreeMap::new();
    let mut withheld = Vec::new();
    for key in EDITOR_ENV_KEYS.iter().chain(envdiff::PROCESS_VARS) {
        let (e, s) = (editor.os_env.get(*key), shell.os_env.get(*key));
        if e == s {
            continue;
        }
        if s.is_some_and(|v| crate::redact::has_credentials(v))
            || (s.is_some() && envdiff::SECRET_VARS.contains(key))
        {
            withheld.push(key.to_string());
        } else {
            vars.insert(key.to_string(), s.cloned());
        }
    }
    if vars.is_empty() && withheld.is_empty() {
        return None;
    }
    let name = editor.label.clone();
    Some(Fix {
        title: format!("Give {name} your login shell's Go environment (show the lines to add)"),
        action: crate::model::FixAction::EditorEnvironment {
            editor: name,
            vars,
            withheld,
            sdk: None,
        },
    })
}

/// Errors first, then warnings, infos; within a severity in catalogue order.
fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by_key(|f| {
        (
            std::cmp::Reverse(f.severity),
            catalogue::CODES
                .iter()
                .position(|c| c.code == f.code)
                .unwrap_or(usize::MAX),
        )
    });
}

/// Every finding for the snapshot and its other editors' views
/// ([`Snapshot::editor_views`], e.g. GoLand beside VS Code), each checked like [`check`].
/// A finding about no editor (shell only, go.mod) that an earlier view already reported with
/// the same code, subject and message is kept once; findings about an editor say which one in
/// their message (its label). Fixes a view's settings file cannot hold (a VS Code-only key in
/// GoLand's workspace.xml) are dropped. Sorted like [`check`].
pub fn check_all(snapshot: &Snapshot) -> Vec<Finding> {
    // Each view is checked on its own (every fix simulated), independently of the others:
    // side by side, as the first diagnostics wait for the slowest.
    let (mut out, views) = std::thread::scope(|s| {
        let views: Vec<_> = snapshot
            .editor_views
            .iter()
            .map(|view| s.spawn(|| check(view)))
            .collect();
        let main = check(snapshot);
        let views: Vec<Vec<Finding>> = views
            .into_iter()
            .zip(&snapshot.editor_views)
            .map(|(h, view)| h.join().unwrap_or_else(|_| check(view)))
            .collect();
        (main, views)
    });
    let main_label = snapshot.editor.label.as_str();
    for (view, found) in snapshot.editor_views.iter().zip(views) {
        let view_label = view.editor.label.as_str();
        for mut f in found {
            let repeated = f.editor.is_none()
                && out
                    .iter()
                    .any(|g| g.code == f.code && g.subject == f.subject && g.message == f.message);
            // The same words about another editor that shares the environment (the terminal
            // and the VS Code view of its project): said once, about the first — unless the
            // view has fixes of its own (a settings edit for VS Code users), which would be lost.
            let same_words = out.iter().any(|g| {
                g.code == f.code
                    && g.subject == f.subject
                    && unlabelled(&g.message, main_label) == unlabelled(&f.message, view_label)
                    && f.fixes.iter().all(|x| g.fixes.contains(x))
            });
            // A tool another editor lacks is news to a terminal user, who may open that editor
            // next; in an editor session or a CI job it is about a program not in use.
            let idle_tool = f.code == "tool-missing" && main_label != crate::model::TERMINAL_SIDE;
            if repeated || same_words || idle_tool {
                continue;
            }
            f.fixes.retain(fix_storable);
            out.push(f);
        }
    }
    sort_findings(&mut out);
    out
}

/// `message` with the editor's label (as it starts a sentence or sits inside one) replaced by a
/// placeholder, so that two editors' findings can be compared.
fn unlabelled(message: &str, label: &str) -> String {
    if label.is_empty() {
        return message.to_string();
    }
    let mut chars = label.chars();
    let capital: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    message.replace(&capital, "\u{1}").replace(label, "\u{1}")
}

/// A settings fix whose file can hold its key (workspace.xml: GOROOT and environment entries).
fn fix_storable(fix: &Fix) -> bool {
    use crate::settings::idea;
    match &fix.action {
        crate::model::FixAction::SetSetting { file, key, .. }
        | crate::model::FixAction::RemoveSetting { file, key } => {
            !idea::is_idea_file(file) || idea::supports(key)
        }
        _ => true,
    }
}

/// No edit is ever offered for a settings file that cannot be parsed (settings-unparseable).
fn edits_unparseable(snapshot: &Snapshot, fix: &Fix) -> bool {
    let file = match &fix.action {
        crate::model::FixAction::SetSetting { file, .. }
        | crate::model::FixAction::RemoveSetting { file, .. } => file,
        _ => return false,
    };
    snapshot
        .settings
        .files
        .iter()
        .any(|f| f.path == *file && f.error.is_some())
}

/// Whether `fix` makes `finding` go away: after simulating it, no raw finding with the same
/// code and subject concerns any side the original concerned, and no new error appears in
/// its place (an error-severity finding that `before` did not have: pointing go.goroot at an
/// SDK that then disagrees with the shell, or removing go.goroot when the editor's PATH has
/// no `go` at all: a fix that trades one error for another fixes nothing).
pub fn fix_works(snapshot: &Snapshot, before: &[Finding], finding: &Finding, fix: &Fix) -> bool {
    let after = raw_findings(&simulate::apply(snapshot, &fix.action));
    fix_leaves(before, finding, fix, &after)
}

/// [`fix_works`] with the findings the fix leaves (`after`) already known.
fn fix_leaves(before: &[Finding], finding: &Finding, fix: &Fix, after: &[Finding]) -> bool {
    if after
        .iter()
        .any(|g| same_finding(finding, g) || same_problem_renamed(finding, g))
    {
        tracing::debug!(code = %finding.code, fix = %fix.title, "fix rejected: the finding stays");
        return false;
    }
    let new_error = after
        .iter()
        .find(|g| g.severity == Severity::Error && !before.iter().any(|b| covers(b, g)));
    if let Some(g) = new_error {
        tracing::debug!(code = %finding.code, fix = %fix.title, new = %g.code, message = %g.message, "fix rejected: it brings a new error");
        return false;
    }
    true
}

/// The editor and the shell still run different Go installations, only reported under the
/// sibling code (a removed GOROOT override can turn a GOROOT mismatch into a version mismatch).
fn same_problem_renamed(a: &Finding, b: &Finding) -> bool {
    const SIBLINGS: [&str; 2] = ["goroot-mismatch", "go-version-mismatch"];
    a.code != b.code && SIBLINGS.contains(&a.code.as_str()) && SIBLINGS.contains(&b.code.as_str())
}

/// `b` already reported `g`: same code and subject, and every side `g` concerns.
fn covers(b: &Finding, g: &Finding) -> bool {
    b.code == g.code
        && b.subject == g.subject
        && (b.editor.is_some() || g.editor.is_none())
        && (b.shell.is_some() || g.shell.is_none())
}

/// Same code and subject, and overlapping sides (a finding about neither side matches any).
pub fn same_finding(a: &Finding, b: &Finding) -> bool {
    if a.code != b.code || a.subject != b.subject {
        return false;
    }
    let a_sides = (a.editor.is_some(), a.shell.is_some());
    let b_sides = (b.editor.is_some(), b.shell.is_some());
    if a_sides == (false, false) || b_sides == (false, false) {
        return true;
    }
    (a_sides.0 && b_sides.0) || (a_sides.1 && b_sides.1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod client_setting_tests {
    use super::*;
    use crate::model::{Configured, EditorSettings, FixAction, SideKind};
    use std::path::PathBuf;

    fn snapshot(with_go_mod: bool) -> Snapshot {
        let folder = PathBuf::from("/w");
        let go_mod = with_go_mod.then(|| {
            crate::settings::gomod::parse(
                &folder.join("go.mod"),
                "module example.com/m\n\ngo 1.22\n",
            )
        });
        Snapshot {
            folder,
            go_mod,
            settings: EditorSettings {
                editor_name: "VS Code".into(),
                values: vec![Configured::client_only(
                    "go.goroot".into(),
                    "/sdk/go1.21.13".into(),
                    "/sdk/go1.21.13".into(),
                )],
                ..EditorSettings::default()
            },
            ..Snapshot::default()
        }
    }

    /// A client-only value leads to the go.mod `module` line; a located origin after it stays
    /// as a related location; nothing is invented without go.mod/go.work.
    #[test]
    fn a_client_setting_is_located_on_the_module_line() {
        let snap = snapshot(true);
        let ctx = Ctx::new(&snap);
        let client = Origin::ClientSetting {
            key: "go.goroot".into(),
        };
        let env_file = Origin::EnvFile {
            path: PathBuf::from("/home/u/.config/go/env"),
            line: 3,
        };
        let locs = ctx.locations(&[&client, &env_file]);
        assert_eq!(locs.len(), 2, "{locs:#?}");
        assert_eq!(
            (locs[0].path.clone(), locs[0].line),
            ("/w/go.mod".into(), 1)
        );
        assert_eq!(locs[1].path, PathBuf::from("/home/u/.config/go/env"));
        // After a located origin it adds nothing (the module line is no place of the value).
        let locs = ctx.locations(&[&env_file, &client]);
        assert_eq!(locs.len(), 1, "{locs:#?}");
        assert!(ctx.origin_location(&client).is_none());

        let bare = snapshot(false);
        assert!(Ctx::new(&bare).locations(&[&client]).is_empty());
    }

    /// A settings file written below the client's answer changes nothing: the simulation
    /// keeps the client's value, so such a fix is never offered.
    #[test]
    fn a_file_cannot_override_a_client_setting_in_simulation() {
        let snap = snapshot(true);
        let after = simulate::apply(
            &snap,
            &FixAction::SetSetting {
                file: PathBuf::from("/w/.vscode/settings.json"),
                key: "go.goroot".into(),
                value: "/sdk/go1.22.10".into(),
            },
        );
        assert_eq!(
            after.settings.get("go.goroot").unwrap().value,
            "/sdk/go1.21.13"
        );
        let editor = resolve::effective(&after, SideKind::Editor).unwrap();
        assert_eq!(editor.goroot(), "/sdk/go1.21.13");
        let after = simulate::apply(
            &snap,
            &FixAction::RemoveSetting {
                file: PathBuf::from("/w/.vscode/settings.json"),
                key: "go.goroot".into(),
            },
        );
        assert_eq!(after.settings, snap.settings);
    }
}
