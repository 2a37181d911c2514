//! Env files and paths: `env-file-shadowed`, `gopath-relative`, `gopath-tilde`,
//! `gobin-not-on-path`.
//!
//! The second half of the file holds the helpers the GOCACHE ([`super::cache`]) and module
//! ([`super::modules`]) rules share with these: per-side issues merged into findings, value
//! display with credentials redacted, and candidate fixes chosen by where a value comes from.
//!
//! Decisions:
//! - A problem with the same value *and the same origin* on both sides (one env-file line,
//!   one exported variable) is one finding naming both sides. The same value configured in
//!   two places (a VS Code setting and a shell export) is two findings, each located where
//!   its value is set, each with the fixes for that place: a fix is verified against every
//!   side its finding names, so a merged finding could only keep fixes that repair both places.
//! - `env-file-shadowed` skips GOROOT (the GOROOT rules own every GOROOT difference) and GOENV
//!   (it cannot be set in the env file).
//! - `gopath-*`: cmd/go checks GOPATH before running *any* command, `go env -u` included, so a
//!   bad `GOPATH=` line in the env file is removed by editing the file
//!   ([`FixAction::EnvFileRemoveLine`]). `gopls` → `build.env.GOPATH` is checked too: it is
//!   passed to gopls without vscode-go's `~` substitution.
//! - `gobin-not-on-path` has no fix: PATH lives in shell startup files we do not edit.
//! - These rules (and the cache and module rules) only look at sides that have a `go`: a side
//!   without one gets `go-not-found`, and findings about its Go environment would be noise.

use super::resolve::{self, EffectiveSide};
use super::{finding, Ctx};
use crate::model::{
    EnvValue, Finding, Fix, FixAction, Location, Origin, SettingKey, SettingsLayer, Severity,
    SideKind, SideValue, Snapshot,
};
use crate::redact;
use std::path::{Path, PathBuf};

pub fn findings(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(env_file_shadowed(ctx));
    out.extend(gopath(ctx));
    out.extend(gobin_not_on_path(ctx));
    out
}

// ---------------------------------------------------------------------------------------------
// env-file-shadowed
// ---------------------------------------------------------------------------------------------

fn env_file_shadowed(ctx: &Ctx) -> Vec<Finding> {
    let snapshot = ctx.snapshot;
    let (Some(editor), Some(shell)) = (
        go_side(ctx, SideKind::Editor),
        go_side(ctx, SideKind::Shell),
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (a, b) in [(shell, editor), (editor, shell)] {
        for (key, layers) in &a.layers {
            if matches!(key.as_str(), "GOROOT" | "GOENV") {
                continue;
            }
            let Some(winner) = layers.first() else {
                continue;
            };
            if !matches!(winner.origin, Origin::OsEnv) {
                continue;
            }
            let Some(file_layer) = layers
                .iter()
                .find(|l| matches!(l.origin, Origin::EnvFile { .. }))
            else {
                continue;
            };
            if file_layer.value == winner.value {
                continue;
            }
            // The other side must really use the env file's line.
            let Some(other) = b.get(key) else {
                continue;
            };
            if other.origin != file_layer.origin {
                continue;
            }
            out.push(shadowed_finding(
                ctx, snapshot, key, a, winner, b, file_layer,
            ));
        }
    }
    out
}

fn shadowed_finding(
    ctx: &Ctx,
    snapshot: &Snapshot,
    key: &str,
    overriding: &EffectiveSide,
    os_value: &EnvValue,
    reading: &EffectiveSide,
    file_value: &EnvValue,
) -> Finding {
    let file_words = match &file_value.origin {
        Origin::EnvFile { path, line } => format!("{}:{line}", resolve::tilde(snapshot, path)),
        other => resolve::origin_words(snapshot, &reading.label, key, other),
    };
    let export_words = match overriding.kind {
        SideKind::Shell => "exported by your shell's startup files".to_string(),
        SideKind::Editor => format!(
            "set in the environment {} was started with",
            overriding.label
        ),
    };
    let message = capitalize(&format!(
        "Your go env file sets {key}={} ({file_words}), but {} overrides it with {} \
         ({export_words}); {} does not see that and uses the env file's value, so the two \
         sides disagree on {key}.",
        shown(&file_value.value),
        overriding.label,
        shown(&os_value.value),
        reading.label,
    ));
    let mut f = finding("env-file-shadowed", key, message);
    let os_side = side_value(overriding, Some(&os_value.value), Some(&os_value.origin));
    let file_side = side_value(reading, Some(&file_value.value), Some(&file_value.origin));
    match overriding.kind {
        SideKind::Shell => {
            f.shell = Some(os_side);
            f.editor = Some(file_side);
        }
        SideKind::Editor => {
            f.editor = Some(os_side);
            f.shell = Some(file_side);
        }
    }
    f.locations = locations(ctx, [&file_value.origin]);
    f.fixes = match overriding.kind {
        // The shell is the source of truth: write its value into the file both sides read.
        SideKind::Shell => go_env_write(key, &os_value.value).into_iter().collect(),
        // The editor was started with a stray variable: pin the env file's value for it.
        SideKind::Editor => override_setting(snapshot, key, &file_value.value)
            .into_iter()
            .collect(),
    };
    f
}

// ---------------------------------------------------------------------------------------------
// gopath-relative / gopath-tilde
// ---------------------------------------------------------------------------------------------

/// The first GOPATH entry cmd/go rejects, as (code, entry), in cmd/go's order.
fn bad_gopath_entry(value: &str) -> Option<(&'static str, String)> {
    for entry in std::env::split_paths(value) {
        let e = entry.to_string_lossy().into_owned();
        if e.is_empty() {
            continue;
        }
        if e.starts_with('~') {
            return Some(("gopath-tilde", e));
        }
        if !Path::new(&e).is_absolute() {
            return Some(("gopath-relative", e));
        }
    }
    None
}

/// The GOPATH value with `~` entries expanded and relative entries dropped (a fix value).
fn repaired_gopath(snapshot: &Snapshot, value: &str) -> Option<String> {
    let home = snapshot.home.as_ref()?;
    let mut out: Vec<PathBuf> = Vec::new();
    for entry in std::env::split_paths(value) {
        let e = entry.to_string_lossy().into_owned();
        if e.is_empty() {
            continue;
        }
        if e == "~" {
            out.push(home.clone());
        } else if let Some(rest) = e.strip_prefix("~/") {
            out.push(home.join(rest));
        } else if Path::new(&e).is_absolute() {
            out.push(entry);
        }
    }
    if out.is_empty() {
        return None;
    }
    std::env::join_paths(out)
        .ok()
        .map(|s| s.to_string_lossy().into_owned())
}

/// The subject of a GOPATH problem in gopls' env (`gopls.build.env.GOPATH`, also for a
/// `gopls.env.GOPATH` member: gopls takes both for one setting).
const GOPLS_GOPATH: &str = "gopls.build.env.GOPATH";

fn gopath(ctx: &Ctx) -> Vec<Finding> {
    let snapshot = ctx.snapshot;
    // (code, subject, issue)
    let mut found: Vec<(&'static str, &'static str, Issue)> = Vec::new();
    for side in go_sides(ctx) {
        let Some(ev) = side.get("GOPATH") else {
            continue;
        };
        // An inferred ($HOME/go) relative GOPATH is silently dropped by cmd/go.
        if matches!(ev.origin, Origin::Default) {
            continue;
        }
        if let Some((code, entry)) = bad_gopath_entry(&ev.value) {
            let issue = gopath_issue(ctx, side, &ev.value, &ev.origin, &entry);
            found.push((code, "GOPATH", issue));
        }
    }
    // gopls gets `build.env` unchanged: no `~` substitution there. Its own subject, so that
    // fixing one of the two does not look like fixing nothing.
    if let Some(editor) = go_side(ctx, SideKind::Editor) {
        if let Some(c) = snapshot.settings.gopls_env().get("GOPATH") {
            if let Some((code, entry)) = bad_gopath_entry(&c.raw) {
                let origin = c.origin();
                let issue = gopath_issue(ctx, editor, &c.raw, &origin, &entry);
                found.push((code, GOPLS_GOPATH, issue));
            }
        }
    }
    let mut out = Vec::new();
    for code in ["gopath-tilde", "gopath-relative"] {
        for subject in ["GOPATH", GOPLS_GOPATH] {
            let issues: Vec<Issue> = found
                .iter()
                .filter(|(c, s, _)| *c == code && *s == subject)
                .map(|(_, _, i)| i.clone())
                .collect();
            out.extend(emit(ctx, code, subject, issues, |issue, who| {
                gopath_message(code, issue, who)
            }));
        }
    }
    out
}

fn gopath_message(code: &str, issue: &Issue, who: &Who) -> String {
    let quoted = go_quote(&issue.detail);
    let gopls = issue
        .origin
        .as_ref()
        .and_then(Origin::setting_key)
        .is_some_and(SettingKey::is_gopls);
    let lead = if gopls {
        format!(
            "{}'s gopls gets GOPATH {} ({}, passed to gopls as written: vscode-go expands `~` \
             only in go.* settings)",
            who.names,
            issue.side_value_text(),
            issue.origin_words
        )
    } else {
        format!(
            "{} {} GOPATH {} ({})",
            who.names,
            who.verb("uses", "use"),
            issue.side_value_text(),
            issue.origin_words
        )
    };
    if code == "gopath-tilde" {
        let hint = match &issue.origin {
            Some(Origin::OsEnv) => {
                " A quoted `~` is not expanded by the shell: write \"$HOME/…\" instead."
            }
            _ => " Write the full path instead.",
        };
        format!(
            "{lead}: cmd/go does not expand `~`, and every go command fails with `go: GOPATH \
             entry cannot start with shell metacharacter '~': {quoted}`.{hint}"
        )
    } else {
        format!(
            "{lead}: every go command fails with `go: GOPATH entry is relative; must be \
             absolute path: {quoted}`."
        )
    }
}

fn gopath_issue(
    ctx: &Ctx,
    side: &EffectiveSide,
    value: &str,
    origin: &Origin,
    entry: &str,
) -> Issue {
    let snapshot = ctx.snapshot;
    let repaired = repaired_gopath(snapshot, value);
    let mut fixes = Vec::new();
    match origin {
        // cmd/go refuses to run at all (even `go env -u`): edit the file.
        Origin::EnvFile { path, line } => fixes.push(Fix {
            title: format!(
                "Remove the GOPATH line from {} (line {line})",
                resolve::tilde(snapshot, path)
            ),
            action: FixAction::EnvFileRemoveLine {
                file: path.clone(),
                key: "GOPATH".into(),
                line: *line,
            },
        }),
        Origin::EditorSetting { path, key, .. } => {
            if let Some(v) = &repaired {
                fixes.extend(set_setting(snapshot, path, key, v));
            }
            fixes.extend(remove_setting(snapshot, path, key));
        }
        Origin::OsEnv if side.kind == SideKind::Editor => {
            if let Some(v) = &repaired {
                if let Some(file) = override_settings_file(snapshot) {
                    fixes.extend(set_setting(snapshot, &file, &SettingKey::GoGopath, v));
                }
            }
        }
        _ => {}
    }
    let mut issue = Issue::new(ctx, side, "GOPATH", value, origin);
    issue.detail = entry.to_string();
    issue.fixes = fixes;
    issue
}

// ---------------------------------------------------------------------------------------------
// gobin-not-on-path
// ---------------------------------------------------------------------------------------------

fn gobin_not_on_path(ctx: &Ctx) -> Vec<Finding> {
    let snapshot = ctx.snapshot;
    let mut issues = Vec::new();
    for side in go_sides(ctx) {
        if side.path_entries.is_empty() {
            continue;
        }
        let gobin = side.get("GOBIN").filter(|v| !v.value.is_empty());
        let (dir, origin, how) = match gobin {
            Some(v) => {
                if !Path::new(&v.value).is_absolute() {
                    continue;
                }
                (
                    v.value.clone(),
                    v.origin.clone(),
                    resolve::origin_words(snapshot, &side.label, "GOBIN", &v.origin),
                )
            }
            None => {
                let Some(gp) = side.get("GOPATH") else {
                    continue;
                };
                if bad_gopath_entry(&gp.value).is_some() {
                    continue;
                }
                let Some(first) =
                    std::env::split_paths(&gp.value).find(|p| !p.as_os_str().is_empty())
                else {
                    continue;
                };
                let bin = first.join("bin").to_string_lossy().into_owned();
                // Only when `go install` has put something there (the directory exists).
                let exists = resolve::path_facts(snapshot, &bin).is_some_and(|p| p.exists);
                if !exists {
                    continue;
                }
                let gp_words = match gp.origin {
                    Origin::Default => "the default".to_string(),
                    ref o => resolve::origin_words(snapshot, &side.label, "GOPATH", o),
                };
                (
                    bin,
                    gp.origin.clone(),
                    format!("$GOPATH/bin, GOPATH {}", gp_words),
                )
            }
        };
        let on_path = side
            .path_entries
            .iter()
            .any(|e| resolve::same_path(snapshot, &e.to_string_lossy(), &dir));
        if on_path {
            continue;
        }
        let mut issue = Issue::new(ctx, side, "GOBIN", &dir, &origin);
        issue.origin_words = how;
        issues.push(issue);
    }
    emit(ctx, "gobin-not-on-path", "GOBIN", issues, |issue, who| {
        let editor_note = if issue.kind == SideKind::Editor || who.plural {
            " (vscode-go still finds its own tools there)"
        } else {
            ""
        };
        format!(
            "`go install` puts commands into {} ({}), which is not on {} PATH: tools installed \
             there (gopls, dlv, staticcheck, …) are not found by name{editor_note}.",
            issue.side_value_text(),
            issue.origin_words,
            who.possessive(),
        )
    })
}

// =============================================================================================
// Shared helpers (cache.rs, modules.rs, this file)
// =============================================================================================

/// The sides that have a `go` to run: a side without one gets `go-not-found` and nothing
/// about its Go environment (it would be noise).
pub(super) fn go_sides<'a>(ctx: &'a Ctx) -> impl Iterator<Item = &'a EffectiveSide> {
    ctx.sides().filter(|s| s.go.is_some())
}

/// The side of `kind` if it has a `go`.
pub(super) fn go_side<'a>(ctx: &'a Ctx, kind: SideKind) -> Option<&'a EffectiveSide> {
    ctx.side(kind).filter(|s| s.go.is_some())
}

/// One side's instance of a problem, before [`emit`] merges sides.
#[derive(Debug, Clone)]
pub(super) struct Issue {
    pub kind: SideKind,
    pub label: String,
    /// The raw value (never shown): sides merge when value and origin are equal.
    pub raw: String,
    pub origin: Option<Origin>,
    pub side_value: SideValue,
    /// Where the value comes from, in words.
    pub origin_words: String,
    /// Rule-specific text (an offending entry, Go's error message, …).
    pub detail: String,
    pub severity: Option<Severity>,
    /// The side's Go minor version (1.N), for version-dependent wording.
    pub go_minor: Option<u32>,
    pub locations: Vec<Location>,
    pub fixes: Vec<Fix>,
}

impl Issue {
    /// An issue about `key` = `value` from `origin` on `side`, located where it is set.
    pub fn new(ctx: &Ctx, side: &EffectiveSide, key: &str, value: &str, origin: &Origin) -> Self {
        Issue {
            kind: side.kind,
            label: side.label.clone(),
            raw: value.to_string(),
            origin: Some(origin.clone()),
            side_value: side_value(side, Some(value), Some(origin)),
            origin_words: resolve::origin_words(ctx.snapshot, &side.label, key, origin),
            detail: String::new(),
            severity: None,
            go_minor: go_minor(side),
            locations: origin_location(ctx.snapshot, origin).into_iter().collect(),
            fixes: Vec::new(),
        }
    }

    /// The value as shown in messages: redacted, `""` when empty.
    pub fn side_value_text(&self) -> String {
        shown(&self.raw)
    }
}

/// Who a finding is about: "VS Code", "your shell", or both.
pub(super) struct Who {
    pub names: String,
    pub plural: bool,
    labels: Vec<String>,
}

impl Who {
    pub fn verb<'a>(&self, one: &'a str, many: &'a str) -> &'a str {
        if self.plural {
            many
        } else {
            one
        }
    }

    /// "VS Code's", "your shell's", "VS Code's nor your shell's" → used as "on X PATH".
    pub fn possessive(&self) -> String {
        let p: Vec<String> = self
            .labels
            .iter()
            .map(|l| resolve::possessive(l, "").trim_end().to_string())
            .collect();
        if p.len() == 2 {
            format!("either {} or {}", p[0], p[1])
        } else {
            p.join("")
        }
    }
}

/// Findings of `code` from per-side issues: sides with the same value from the same origin
/// merge into one finding (both SideValues set), others stay one finding per side.
/// `message` gets the (first) issue and who it concerns.
pub(super) fn emit(
    ctx: &Ctx,
    code: &str,
    subject: &str,
    issues: Vec<Issue>,
    message: impl Fn(&Issue, &Who) -> String,
) -> Vec<Finding> {
    let mut groups: Vec<Vec<Issue>> = Vec::new();
    for issue in issues {
        match groups.iter_mut().find(|g| {
            g.iter().all(|o| o.kind != issue.kind)
                && g[0].raw == issue.raw
                && g[0].origin == issue.origin
                && g[0].detail == issue.detail
        }) {
            Some(g) => g.push(issue),
            None => groups.push(vec![issue]),
        }
    }
    groups
        .into_iter()
        .map(|group| {
            let labels: Vec<String> = group.iter().map(|i| i.label.clone()).collect();
            let who = Who {
                names: labels.join(" and "),
                plural: labels.len() > 1,
                labels,
            };
            let first = &group[0];
            let mut f = finding(code, subject, capitalize(&message(first, &who)));
            if let Some(sev) = group.iter().filter_map(|i| i.severity).max() {
                f.severity = sev;
            }
            for issue in &group {
                f.set_side(issue.kind, issue.side_value.clone());
                for l in &issue.locations {
                    if !f.locations.contains(l) {
                        f.locations.push(l.clone());
                    }
                }
                for fix in &issue.fixes {
                    if !f.fixes.iter().any(|x| x.action == fix.action) {
                        f.fixes.push(fix.clone());
                    }
                }
            }
            if f.locations.is_empty() {
                f.locations.extend(ctx.module_location());
            }
            f
        })
        .collect()
}

/// The message with its first letter upper-cased ("your shell uses …" → "Your shell uses …").
pub(super) fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A side's value for a finding (value redacted), with its Go version.
pub(super) fn side_value(
    side: &EffectiveSide,
    value: Option<&str>,
    origin: Option<&Origin>,
) -> SideValue {
    SideValue {
        value: value.map(shown_raw),
        origin: origin.cloned(),
        go_version: side.go_version.clone(),
    }
}

/// Where a value is configured, when it is configured in a file: the settings member's value
/// range or the env-file line.
pub(super) fn origin_location(snapshot: &Snapshot, origin: &Origin) -> Option<Location> {
    match origin {
        Origin::EditorSetting { path, key, line } => {
            let c = snapshot
                .settings
                .values
                .iter()
                .filter(|v| v.key == *key)
                .find_map(|v| v.place().filter(|p| p.file == *path));
            Some(match c {
                Some(c) => Location {
                    path: path.clone(),
                    line: c.line,
                    column: c.column,
                    span: Some((c.start, c.end)),
                },
                None => Location {
                    path: path.clone(),
                    line: *line,
                    column: 1,
                    span: None,
                },
            })
        }
        Origin::EnvFile { path, line } => Some(Location {
            path: path.clone(),
            line: *line,
            column: 1,
            span: None,
        }),
        _ => None,
    }
}

/// The locations of some origins (deduplicated), else the go.mod `module` line. A
/// client-only setting before any located origin puts the module line first, as
/// [`Ctx::locations`] does.
pub(super) fn locations<'a>(
    ctx: &Ctx,
    origins: impl IntoIterator<Item = &'a Origin>,
) -> Vec<Location> {
    let mut out: Vec<Location> = Vec::new();
    for o in origins {
        let l = match o {
            Origin::ClientSetting { .. } if out.is_empty() => ctx.module_location(),
            _ => origin_location(ctx.snapshot, o),
        };
        if let Some(l) = l {
            if !out.contains(&l) {
                out.push(l);
            }
        }
    }
    if out.is_empty() {
        out.extend(ctx.module_location());
    }
    out
}

/// A value as shown in messages: credentials redacted (also in scheme-less proxy entries,
/// which cmd/go completes with `https://`), quoted when empty or holding blanks.
pub(super) fn shown(value: &str) -> String {
    if value.is_empty() || value.chars().any(char::is_whitespace) {
        return go_quote(&shown_raw(value));
    }
    shown_raw(value)
}

/// [`shown`] without the `""` for an empty value.
pub(super) fn shown_raw(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        if token.is_empty() {
            return;
        }
        let t = std::mem::take(token);
        if t.contains("://") {
            out.push_str(&redact::redact(&t));
        } else {
            let authority_end = t.find('/').unwrap_or(t.len());
            if t[..authority_end].contains('@') {
                let r = redact::redact(&format!("https://{t}"));
                out.push_str(r.strip_prefix("https://").unwrap_or(&r));
            } else {
                out.push_str(&t);
            }
        }
    };
    for c in value.chars() {
        if matches!(c, ',' | '|') || c.is_whitespace() {
            flush(&mut token, &mut out);
            out.push(c);
        } else {
            token.push(c);
        }
    }
    flush(&mut token, &mut out);
    redact::redact(&out)
}

/// Whether a value must not travel in a fix payload (it holds credentials).
pub(super) fn secret(value: &str) -> bool {
    shown_raw(value) != value
}

/// Go's `%q` for the ASCII-ish strings we quote from its messages.
pub(super) fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The minor version of a side's Go (`go1.22.10` → 22), if known.
pub(super) fn go_minor(side: &EffectiveSide) -> Option<u32> {
    let v = side.go_version.as_deref()?;
    let rest = v.strip_prefix("go1.")?;
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// Whether a settings file may be edited (not listed as unparseable).
pub(super) fn settings_editable(snapshot: &Snapshot, file: &Path) -> bool {
    !snapshot
        .settings
        .files
        .iter()
        .any(|f| f.path == file && f.error.is_some())
}

/// Where to add an editor-only override: the user settings file, else the folder's.
pub(super) fn override_settings_file(snapshot: &Snapshot) -> Option<PathBuf> {
    let user = snapshot
        .settings
        .file(SettingsLayer::User)
        .filter(|f| f.error.is_none())
        .map(|f| f.path.clone());
    user.or_else(|| {
        let folder = snapshot
            .settings
            .file(SettingsLayer::Folder)
            .map(|f| f.path.clone())
            .unwrap_or_else(|| snapshot.folder.join(".vscode").join("settings.json"));
        settings_editable(snapshot, &folder).then_some(folder)
    })
}

fn quote_env_arg(arg: &str) -> String {
    if arg
        .chars()
        .any(|c| c.is_whitespace() || "'\"$`\\;&|<>()*?".contains(c))
    {
        format!("'{}'", arg.replace('\'', "'\\''"))
    } else {
        arg.to_string()
    }
}

/// `go env -w KEY=VALUE` (never with credentials in the payload).
pub(super) fn go_env_write(key: &str, value: &str) -> Option<Fix> {
    if secret(value) {
        return None;
    }
    Some(Fix {
        title: format!(
            "Set {key} in your go env file (`go env -w {}`)",
            quote_env_arg(&format!("{key}={value}"))
        ),
        action: FixAction::GoEnvWrite {
            key: key.to_string(),
            value: value.to_string(),
        },
    })
}

/// `go env -u KEY`.
pub(super) fn go_env_unset(key: &str) -> Fix {
    Fix {
        title: format!("Remove {key} from your go env file (`go env -u {key}`)"),
        action: FixAction::GoEnvUnset {
            key: key.to_string(),
        },
    }
}

/// Set a VS Code setting in `file` (never with credentials in the payload).
pub(super) fn set_setting(
    snapshot: &Snapshot,
    file: &Path,
    key: &SettingKey,
    value: &str,
) -> Option<Fix> {
    if secret(value) || !settings_editable(snapshot, file) {
        return None;
    }
    Some(Fix {
        title: format!(
            "Set {} to {} in {}",
            resolve::setting_key_words(file, key),
            go_quote(value),
            resolve::settings_file_words(snapshot, file)
        ),
        action: FixAction::SetSetting {
            file: file.to_path_buf(),
            key: key.clone(),
            value: value.to_string(),
        },
    })
}

/// Remove a VS Code setting from `file`.
pub(super) fn remove_setting(snapshot: &Snapshot, file: &Path, key: &SettingKey) -> Option<Fix> {
    if !settings_editable(snapshot, file) {
        return None;
    }
    Some(Fix {
        title: format!(
            "Remove {} from {}",
            resolve::setting_key_words(file, key),
            resolve::settings_file_words(snapshot, file)
        ),
        action: FixAction::RemoveSetting {
            file: file.to_path_buf(),
            key: key.clone(),
        },
    })
}

/// `go.toolsEnvVars.KEY` = value in the override settings file (editor side only).
pub(super) fn override_setting(snapshot: &Snapshot, key: &str, value: &str) -> Option<Fix> {
    let file = override_settings_file(snapshot)?;
    set_setting(snapshot, &file, &SettingKey::tools_env_var(key), value)
}

/// Candidate fixes that take `key`'s value away from where it is set on `side`, so a lower
/// layer provides it (`go env -u`, remove the setting). None for OS variables.
pub(super) fn unset_fixes(snapshot: &Snapshot, key: &str, origin: &Origin) -> Vec<Fix> {
    match origin {
        Origin::EnvFile { .. } => vec![go_env_unset(key)],
        Origin::EditorSetting {
            path, key: skey, ..
        } => remove_setting(snapshot, path, skey).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// Candidate fixes that set `key` to `value` on `side`, where its value comes from: the env
/// file (also over `$GOROOT/go.env` and defaults), the same setting, or — for the editor's
/// own environment — a `go.toolsEnvVars` override. A shell export has no file fix, and
/// neither has a client-only setting: the client's answer stays above any file we could write.
pub(super) fn set_fixes(
    snapshot: &Snapshot,
    side: &EffectiveSide,
    key: &str,
    origin: &Origin,
    value: &str,
) -> Vec<Fix> {
    match origin {
        Origin::EnvFile { .. } | Origin::GorootGoEnv { .. } | Origin::Default => {
            let mut v: Vec<Fix> = go_env_write(key, value).into_iter().collect();
            if side.kind == SideKind::Editor && matches!(origin, Origin::Default) {
                v.extend(override_setting(snapshot, key, value));
            }
            v
        }
        Origin::EditorSetting {
            path, key: skey, ..
        } => set_setting(snapshot, path, skey, value)
            .into_iter()
            .collect(),
        Origin::ClientSetting { .. } => Vec::new(),
        Origin::OsEnv => match side.kind {
            SideKind::Editor => override_setting(snapshot, key, value).into_iter().collect(),
            SideKind::Shell => Vec::new(),
        },
    }
}
