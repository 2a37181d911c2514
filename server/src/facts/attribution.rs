//! Root-cause attribution: which startup-file line put the shell's `go` on PATH or exported a
//! Go variable, which version a manager's shim selects in the folder and from which file, and
//! which `.envrc` lines direnv would load. The rules attach it to the findings it explains
//! (`rules::attribution`).
//!
//! Tracing every line of a login shell costs (each command is printed), so none of this runs
//! when the sides agree ([`needed`]): the common path pays one comparison. bash and zsh report
//! the file and line of each command ([`shell::trace_lines`]); fish, tcsh/csh and POSIX sh
//! (dash) cannot, so their documented startup files are read instead and the result says so.
//! Version managers and `.envrc` are read, never run. Every value kept is redacted; the raw
//! trace is dropped here and never logged.

use super::{shell, CheckOptions};
use crate::model::{
    Attribution, ManagerPick, ProbeOutcome, ShellAttribution, ShellLine, SideFacts, SideKind,
    Snapshot, TraceMethod,
};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The Go variables whose exporting line is looked for.
pub use crate::model::ATTRIBUTED_VARS as VARS;

/// Most PATH directories attributed (a PATH is rarely longer).
const MAX_DIRS: usize = 64;

/// Turns attribution off (`off`): for measuring what it costs (`bench/attribution.sh`), or for
/// a user who does not want the second, traced run of the login shell.
pub const DISABLE_ENV: &str = "GO_ENV_DOCTOR_ATTRIBUTION";

fn enabled() -> bool {
    std::env::var(DISABLE_ENV).map_or(true, |v| v != "off")
}

/// Whether attribution can explain something: the shell was probed and the sides run another
/// `go` (or one has none), or differ in a Go variable, or a side's `go` is a version manager's
/// shim, or an `.envrc` is near. Cheap: no process, at most a few `stat`s.
pub fn needed(snap: &Snapshot) -> bool {
    if !enabled() {
        return false;
    }
    let Some(shell) = snap.shell.as_ref() else {
        return false;
    };
    if shell.probe.as_ref().map(|p| &p.outcome) != Some(&ProbeOutcome::Ok) {
        return false;
    }
    let go_path = |s: &SideFacts| s.go.as_ref().map(|g| g.path.clone());
    if go_path(&snap.editor) != go_path(shell) {
        return true;
    }
    if VARS
        .iter()
        .any(|v| snap.editor.os_env.get(*v) != shell.os_env.get(*v))
    {
        return true;
    }
    let home = snap.home.as_deref();
    [&snap.editor, shell].iter().any(|s| {
        s.go.as_ref()
            .is_some_and(|g| manager_of(&g.path, &s.os_env, home).is_some())
    }) || nearest_envrc(&snap.folder).is_some()
}

/// What attribution learns for `snap` (see the module comment). Runs the traced shell for
/// bash and zsh, memoised per shell, folder, environment and startup-file identity.
pub fn collect(snap: &Snapshot, opts: &CheckOptions) -> Attribution {
    collect_with(snap, opts, true).unwrap_or_default()
}

/// [`collect`] without starting a shell, and whether it is complete: without the shell's lines
/// when they would need a traced run not memoised yet (the language server then publishes
/// first and traces after; `check` traces only when a finding wants it).
pub fn collect_cheap(snap: &Snapshot, opts: &CheckOptions) -> (Attribution, bool) {
    match collect_with(snap, opts, false) {
        Some(found) => (found, true),
        None => {
            let mut snap = snap.clone();
            snap.shell = None;
            (collect_with(&snap, opts, false).unwrap_or_default(), false)
        }
    }
}

/// Puts `found` on `snap` and on its editor views (which share the shell side; their editor's
/// `go` is their own, so only the shell's version manager is kept for them).
pub fn attach(snap: &mut Snapshot, found: Attribution) {
    let shared = Attribution {
        managers: found
            .managers
            .iter()
            .filter(|m| m.side == SideKind::Shell)
            .cloned()
            .collect(),
        ..found.clone()
    };
    for view in &mut snap.editor_views {
        view.attribution = Some(shared.clone());
    }
    snap.attribution = Some(found);
}

fn collect_with(snap: &Snapshot, opts: &CheckOptions, may_trace: bool) -> Option<Attribution> {
    let shell = match snap.shell.as_ref() {
        Some(side) => Some(shell_attribution(snap, side, opts, may_trace)?),
        None => None,
    };
    let home = snap.home.as_deref();
    let mut managers = Vec::new();
    for side in std::iter::once(&snap.editor).chain(snap.shell.as_ref()) {
        if let Some(pick) = side
            .go
            .as_ref()
            .and_then(|g| manager_pick(side.kind, &g.path, &side.os_env, home, &snap.folder))
        {
            managers.push(pick);
        }
    }
    Some(Attribution {
        shell,
        managers,
        envrc: nearest_envrc(&snap.folder)
            .map(|p| read_envrc(&p))
            .unwrap_or_default(),
    })
}

// ---------------------------------------------------------------------------------------------
// The shell's startup lines
// ---------------------------------------------------------------------------------------------

type MemoKey = (PathBuf, PathBuf, u64);

/// The last traced results, so that a language server re-checking on every save does not trace
/// the shell each time; the key changes with any startup file's size or mtime.
static MEMO: Mutex<Option<HashMap<MemoKey, ShellAttribution>>> = Mutex::new(None);

fn memo_key(side: &SideFacts, shell: &Path, folder: &Path) -> MemoKey {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    side.os_env.hash(&mut h);
    let mut files = shell::documented_startup_files(shell, &side.os_env);
    if let Some(p) = &side.probe {
        files.extend(p.startup_files.iter().cloned());
    }
    for f in files {
        f.hash(&mut h);
        if let Ok(m) = std::fs::metadata(&f) {
            m.len().hash(&mut h);
            m.modified().ok().hash(&mut h);
        }
    }
    (shell.to_path_buf(), folder.to_path_buf(), h.finish())
}

fn shell_attribution(
    snap: &Snapshot,
    side: &SideFacts,
    opts: &CheckOptions,
    may_trace: bool,
) -> Option<ShellAttribution> {
    let Some(probe) = side.probe.as_ref() else {
        return Some(ShellAttribution::default());
    };
    let shell_path = probe.shell.clone();
    let key = memo_key(side, &shell_path, &snap.folder);
    if let Some(hit) = MEMO
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .as_ref()
        .and_then(|m| m.get(&key))
    {
        return Some(hit.clone());
    }
    let editor_env = opts.editor_env.clone().unwrap_or_else(super::process_env);
    let got = if shell::traces_lines(&shell_path) {
        if !may_trace {
            return None;
        }
        let started = std::time::Instant::now();
        let trace = shell::trace_lines(&shell::ProbeOptions {
            shell: shell_path.clone(),
            cwd: super::shell_probe_cwd(opts, &editor_env),
            timeout: opts.shell_timeout,
            helper_exe: opts.helper_exe.clone(),
            env: opts.editor_env.clone(),
            cancel: opts.cancel.clone(),
            started: None,
            trace_startup: false,
            early_go: None,
            env_printed: None,
        });
        tracing::debug!(shell = %shell_path.display(), millis = started.elapsed().as_millis() as u64, lines = trace.lines.len(), outcome = ?trace.outcome, "traced the login shell for attribution");
        if trace.outcome == ProbeOutcome::Cancelled {
            return Some(ShellAttribution::default());
        }
        match trace.env {
            Some(traced_env) if trace.outcome == ProbeOutcome::Ok => {
                let zsh = shell_name(&shell_path) == "zsh";
                let events = parse_trace(&trace.lines, zsh, &snap.folder);
                let initial = editor_env.get("PATH").cloned().unwrap_or_default();
                let mut got = from_events(&events, &initial, &side.os_env);
                if traced_env.get("PATH") != side.os_env.get("PATH") {
                    got.note = Some(
                        "the traced run of your shell ended with another PATH than the probe, so its lines may not be the ones that count"
                            .into(),
                    );
                }
                got
            }
            _ => {
                let mut got = read_startup(&shell_path, side, snap.home.as_deref());
                got.note = Some(format!(
                    "the traced run of {} failed, so its startup files were read instead",
                    shell_name(&shell_path)
                ));
                got
            }
        }
    } else {
        read_startup(&shell_path, side, snap.home.as_deref())
    };
    let mut memo = MEMO
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let map = memo.get_or_insert_with(HashMap::new);
    if map.len() > 16 {
        map.clear();
    }
    map.insert(key, got.clone());
    Some(got)
}

fn shell_name(shell: &Path) -> String {
    shell
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .trim_start_matches('-')
        .to_string()
}

/// One assignment the trace shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub var: String,
    pub value: String,
    pub append: bool,
    pub file: PathBuf,
    pub line: u32,
}

/// The assignments to PATH and the Go variables in a trace (`zsh`: zsh's format, else bash's).
/// Commands outside any file (our own `-c` script) are skipped.
pub fn parse_trace(lines: &[String], zsh: bool, cwd: &Path) -> Vec<Event> {
    let mut out = Vec::new();
    for raw in lines {
        let Some((file, line, cmd)) = split_trace(raw, zsh) else {
            continue;
        };
        if file.is_empty() || file == "zsh" || file == "bash" {
            continue;
        }
        let file = if Path::new(file).is_absolute() {
            PathBuf::from(file)
        } else {
            cwd.join(file)
        };
        for (var, value, append) in assignments(cmd) {
            out.push(Event {
                var,
                value,
                append,
                file: file.clone(),
                line,
            });
        }
    }
    out
}

/// `+FILE:LINE: CMD` (bash, `+` repeated per level) or `+FILE:LINE> CMD` (zsh).
fn split_trace(line: &str, zsh: bool) -> Option<(&str, u32, &str)> {
    let rest = line.trim_start_matches('+');
    let sep = if zsh { "> " } else { ": " };
    let mut from = 0;
    while let Some(off) = rest.get(from..)?.find(':') {
        let colon = from + off;
        let after = &rest[colon + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && after[digits..].starts_with(sep) {
            let n = after[..digits].parse().ok()?;
            return Some((&rest[..colon], n, &after[digits + sep.len()..]));
        }
        from = colon + 1;
    }
    None
}

/// The words of a traced command, unquoted the way bash and zsh quote them in traces.
fn words(cmd: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = cmd.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    cur.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => {
                            if let Some(n) = chars.next() {
                                cur.push(n);
                            }
                        }
                        _ => cur.push(q),
                    }
                }
            }
            '$' if chars.peek() == Some(&'\'') => {
                chars.next();
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '\'' => break,
                        '\\' => match chars.next() {
                            Some('n') => cur.push('\n'),
                            Some('t') => cur.push('\t'),
                            Some(n) => cur.push(n),
                            None => {}
                        },
                        _ => cur.push(q),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            _ => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

fn tracked(var: &str) -> bool {
    var == "PATH" || VARS.contains(&var)
}

/// The lasting assignments of one traced command: `NAME=v` alone, `export`/`declare -x`/
/// `typeset -x`/`readonly` arguments, zsh's `path=( … )` (PATH joined with `:`). An assignment
/// before a command only sets the command's environment and is not kept; `local` is skipped.
fn assignments(cmd: &str) -> Vec<(String, String, bool)> {
    let w = words(cmd);
    let Some(first) = w.first() else {
        return Vec::new();
    };
    // zsh's array form: `path=( /a /b )`, `path+=( /c )`.
    for (head, append) in [("path=(", false), ("path+=(", true)] {
        if let Some(rest) = first.strip_prefix(head) {
            let mut dirs: Vec<&str> = Vec::new();
            if !rest.is_empty() && rest != ")" {
                dirs.push(rest.trim_end_matches(')'));
            }
            for x in &w[1..] {
                if x == ")" {
                    break;
                }
                dirs.push(x.trim_end_matches(')'));
            }
            let value = dirs.join(":");
            return vec![("PATH".into(), value, append)];
        }
    }
    let builtin = matches!(
        first.as_str(),
        "export" | "declare" | "typeset" | "readonly"
    );
    if first == "local" {
        return Vec::new();
    }
    let args: Vec<&String> = if builtin {
        w[1..].iter().filter(|a| !a.starts_with('-')).collect()
    } else {
        let assigns: Vec<&String> = w.iter().take_while(|a| split_assign(a).is_some()).collect();
        if assigns.len() != w.len() {
            // `GOFLAGS=-x go build`: the command's own environment.
            return Vec::new();
        }
        assigns
    };
    args.into_iter()
        .filter_map(|a| split_assign(a))
        .filter(|(name, _, _)| tracked(name))
        .collect()
}

fn split_assign(word: &str) -> Option<(String, String, bool)> {
    let eq = word.find('=')?;
    let (name, append) = match word[..eq].strip_suffix('+') {
        Some(n) => (n, true),
        None => (&word[..eq], false),
    };
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    valid.then(|| (name.to_string(), word[eq + 1..].to_string(), append))
}

/// Which line added each directory of the final PATH (the last assignment after which it was
/// there and before which it was not), and which line set each Go variable to its final value.
pub fn from_events(
    events: &[Event],
    initial_path: &str,
    final_env: &BTreeMap<String, String>,
) -> ShellAttribution {
    let mut cur: Vec<String> = split_path(initial_path);
    let mut added: HashMap<String, (PathBuf, u32)> = HashMap::new();
    let mut last: HashMap<String, &Event> = HashMap::new();
    for ev in events {
        if ev.var == "PATH" {
            let new = if ev.append {
                let mut v = cur.clone();
                v.extend(split_path(ev.value.trim_start_matches(':')));
                v
            } else {
                split_path(&ev.value)
            };
            for d in &new {
                if !cur.contains(d) {
                    added.insert(d.clone(), (ev.file.clone(), ev.line));
                }
            }
            cur = new;
        } else {
            last.insert(ev.var.clone(), ev);
        }
    }
    // A line of `source <(…)` or `eval` in a pipe names no file one could open: unknown.
    let real = |f: &Path| f.is_absolute() && !f.starts_with("/dev") && !f.starts_with("/proc");
    added.retain(|_, (file, _)| real(file));
    last.retain(|_, ev| real(&ev.file));
    let mut path_adds = Vec::new();
    for d in split_path(final_env.get("PATH").map_or("", String::as_str)) {
        if path_adds.len() >= MAX_DIRS {
            break;
        }
        if let Some((file, line)) = added.get(&d) {
            if !path_adds.iter().any(|l: &ShellLine| l.value == d) {
                path_adds.push(ShellLine {
                    var: "PATH".into(),
                    value: d.clone(),
                    file: file.clone(),
                    line: *line,
                });
            }
        }
    }
    let exports = VARS
        .iter()
        .filter_map(|v| {
            let ev = last.get(*v)?;
            (final_env.get(*v) == Some(&ev.value)).then(|| ShellLine {
                var: v.to_string(),
                value: crate::redact::redact(&ev.value),
                file: ev.file.clone(),
                line: ev.line,
            })
        })
        .collect();
    ShellAttribution {
        method: TraceMethod::Traced,
        note: None,
        exports,
        path_adds,
    }
}

fn split_path(p: &str) -> Vec<String> {
    p.split(':')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// For shells that cannot trace lines: the documented startup files read, a line counting when
/// it assigns the variable (or names the directory on a PATH line). The method says so.
fn read_startup(shell: &Path, side: &SideFacts, home: Option<&Path>) -> ShellAttribution {
    let name = shell_name(shell);
    let family = match name.as_str() {
        "fish" => Family::Fish,
        "tcsh" | "csh" => Family::Csh,
        _ => Family::Posix,
    };
    let files = shell::documented_startup_files(shell, &side.os_env);
    let dirs: Vec<String> = split_path(side.os_env.get("PATH").map_or("", String::as_str))
        .into_iter()
        .take(MAX_DIRS)
        .collect();
    let mut exports: BTreeMap<String, ShellLine> = BTreeMap::new();
    let mut adds: BTreeMap<String, ShellLine> = BTreeMap::new();
    for file in files.iter().filter(|f| f.is_file()) {
        let Ok(text) = super::fs::read_text(file) else {
            continue;
        };
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
            for var in VARS {
                let Some(value) = side.os_env.get(var).filter(|v| !v.is_empty()) else {
                    continue;
                };
                if family.assigns(line, var) {
                    exports.insert(
                        var.to_string(),
                        ShellLine {
                            var: var.to_string(),
                            value: crate::redact::redact(value),
                            file: file.clone(),
                            line: n,
                        },
                    );
                }
            }
            if !family.touches_path(line) {
                continue;
            }
            for d in &dirs {
                if mentions_dir(line, d, home) {
                    adds.insert(
                        d.clone(),
                        ShellLine {
                            var: "PATH".into(),
                            value: d.clone(),
                            file: file.clone(),
                            line: n,
                        },
                    );
                }
            }
        }
    }
    let mut path_adds: Vec<ShellLine> = Vec::new();
    for d in &dirs {
        if let Some(l) = adds.remove(d) {
            path_adds.push(l);
        }
    }
    ShellAttribution {
        method: if exports.is_empty() && path_adds.is_empty() {
            TraceMethod::Unknown
        } else {
            TraceMethod::Read
        },
        note: Some(format!(
            "{name} cannot report which file and line ran each command, so its startup files were read: a line that sets the value there, not a trace"
        )),
        exports: exports.into_values().collect(),
        path_adds,
    }
}

#[derive(Clone, Copy)]
enum Family {
    Posix,
    Csh,
    Fish,
}

impl Family {
    fn assigns(self, line: &str, var: &str) -> bool {
        let w: Vec<&str> = line.split_whitespace().collect();
        match self {
            Family::Posix => {
                w.iter().any(|x| {
                    x.strip_prefix(var)
                        .is_some_and(|r| r.starts_with('=') || r.starts_with("+="))
                }) && matches!(
                    w.first().copied(),
                    Some("export" | "declare" | "typeset" | "readonly")
                ) || line.starts_with(&format!("{var}="))
            }
            Family::Csh => w.first() == Some(&"setenv") && w.get(1) == Some(&var),
            Family::Fish => {
                w.first() == Some(&"set")
                    && w[1..].iter().find(|x| !x.starts_with('-')) == Some(&var)
            }
        }
    }

    fn touches_path(self, line: &str) -> bool {
        match self {
            Family::Posix => line.contains("PATH"),
            Family::Csh => line.contains("PATH") || line.contains("path"),
            Family::Fish => {
                line.contains("PATH")
                    || line.contains("fish_add_path")
                    || line.contains("fish_user_paths")
            }
        }
    }
}

/// Whether a line names `dir`: as is, or with the home directory written `~`, `$HOME` or
/// `${HOME}`.
fn mentions_dir(line: &str, dir: &str, home: Option<&Path>) -> bool {
    let ends_word = |at: usize| {
        line[at..]
            .chars()
            .next()
            .is_none_or(|c| matches!(c, ':' | '"' | '\'' | ' ' | ')' | '\t' | ';' | '$'))
    };
    let found = |needle: &str| {
        line.match_indices(needle)
            .any(|(i, m)| ends_word(i + m.len()))
    };
    if found(dir) {
        return true;
    }
    let Some(home) = home.and_then(|h| h.to_str()) else {
        return false;
    };
    let Some(rest) = dir.strip_prefix(home) else {
        return false;
    };
    ["~", "$HOME", "${HOME}"]
        .iter()
        .any(|h| found(&format!("{h}{rest}")))
}

// ---------------------------------------------------------------------------------------------
// Version managers
// ---------------------------------------------------------------------------------------------

fn env_dir(env: &BTreeMap<String, String>, var: &str) -> Option<PathBuf> {
    env.get(var)
        .filter(|v| Path::new(v).is_absolute())
        .map(PathBuf::from)
}

/// The manager whose shim (or, for gvm, whose install) `go` is.
pub fn manager_of(
    go: &Path,
    env: &BTreeMap<String, String>,
    home: Option<&Path>,
) -> Option<&'static str> {
    let dir = go.parent()?;
    let under = |root: Option<PathBuf>, rel: &str| root.is_some_and(|r| dir == r.join(rel));
    let home_buf = home.map(Path::to_path_buf);
    let text = dir.to_string_lossy();
    if under(env_dir(env, "MISE_DATA_DIR"), "shims")
        || text.ends_with("/mise/shims")
        || text.ends_with("/rtx/shims")
    {
        return Some("mise");
    }
    if under(env_dir(env, "ASDF_DATA_DIR"), "shims") || text.ends_with("/.asdf/shims") {
        return Some("asdf");
    }
    if under(env_dir(env, "GOENV_ROOT"), "shims") || text.ends_with("/.goenv/shims") {
        return Some("goenv");
    }
    let gvm_root = env_dir(env, "GVM_ROOT").or_else(|| home_buf.map(|h| h.join(".gvm")));
    if gvm_root.is_some_and(|r| dir.starts_with(r.join("gos"))) || text.contains("/.gvm/gos/") {
        return Some("gvm");
    }
    None
}

/// What the manager whose shim `go` is selects for `folder`, read the way each documents it.
pub fn manager_pick(
    side: SideKind,
    go: &Path,
    env: &BTreeMap<String, String>,
    home: Option<&Path>,
    folder: &Path,
) -> Option<ManagerPick> {
    let manager = manager_of(go, env, home)?;
    let mut pick = ManagerPick {
        side,
        manager: manager.into(),
        shim: go.to_path_buf(),
        version: None,
        variable: None,
        file: None,
        line: 0,
    };
    let var = match manager {
        "mise" => "MISE_GO_VERSION",
        "asdf" => "ASDF_GOLANG_VERSION",
        "goenv" => "GOENV_VERSION",
        _ => "",
    };
    if let Some(v) = env.get(var).filter(|v| !v.trim().is_empty()) {
        pick.version = Some(v.trim().to_string());
        pick.variable = Some(var.to_string());
        return Some(pick);
    }
    let found = match manager {
        "goenv" => goenv_pick(env, home, folder),
        "asdf" => asdf_pick(env, home, folder),
        "mise" => mise_pick(env, home, folder),
        _ => gvm_pick(go),
    };
    if let Some((version, file, line)) = found {
        pick.version = Some(version);
        pick.file = file;
        pick.line = line;
    }
    Some(pick)
}

type Found = Option<(String, Option<PathBuf>, u32)>;

fn ancestors(folder: &Path) -> impl Iterator<Item = &Path> {
    folder.ancestors()
}

fn read_small(p: &Path) -> Option<String> {
    if !p.is_file() {
        return None;
    }
    super::fs::read_bounded(p, 1 << 20)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// A version file's first word (goenv's `.go-version`, its global `version`).
fn first_word(p: &Path) -> Found {
    let text = read_small(p)?;
    text.lines().enumerate().find_map(|(i, l)| {
        let w = l.split_whitespace().next()?;
        (!w.starts_with('#')).then(|| {
            (
                w.to_string(),
                Some(p.to_path_buf()),
                u32::try_from(i + 1).unwrap_or(1),
            )
        })
    })
}

/// goenv: `GOENV_VERSION` (handled by the caller), `.go-version` from the folder up (from
/// `$GOENV_DIR` when set), then `$GOENV_ROOT/version`.
fn goenv_pick(env: &BTreeMap<String, String>, home: Option<&Path>, folder: &Path) -> Found {
    let start = env_dir(env, "GOENV_DIR").unwrap_or_else(|| folder.to_path_buf());
    for dir in ancestors(&start) {
        if let Some(f) = first_word(&dir.join(".go-version")) {
            return Some(f);
        }
    }
    let root = env_dir(env, "GOENV_ROOT").or_else(|| home.map(|h| h.join(".goenv")))?;
    first_word(&root.join("version"))
}

/// A `.tool-versions` line naming Go (`golang 1.22.10`; mise also takes `go`).
fn tool_versions(p: &Path, names: &[&str]) -> Found {
    let text = read_small(p)?;
    text.lines().enumerate().find_map(|(i, l)| {
        let l = l.split('#').next().unwrap_or("");
        let mut w = l.split_whitespace();
        let tool = w.next()?;
        let version = w.next()?;
        names.contains(&tool).then(|| {
            (
                version.to_string(),
                Some(p.to_path_buf()),
                u32::try_from(i + 1).unwrap_or(1),
            )
        })
    })
}

/// asdf: `ASDF_GOLANG_VERSION`, then the tool-versions file (`$ASDF_DEFAULT_TOOL_VERSIONS_FILENAME`,
/// default `.tool-versions`) from the folder up, then `$HOME/.tool-versions`.
fn asdf_pick(env: &BTreeMap<String, String>, home: Option<&Path>, folder: &Path) -> Found {
    let name = env
        .get("ASDF_DEFAULT_TOOL_VERSIONS_FILENAME")
        .filter(|n| !n.is_empty())
        .cloned()
        .unwrap_or_else(|| ".tool-versions".into());
    for dir in ancestors(folder) {
        if let Some(f) = tool_versions(&dir.join(&name), &["golang"]) {
            return Some(f);
        }
    }
    tool_versions(&home?.join(".tool-versions"), &["golang"])
}

/// A `[tools]` entry for Go in a mise TOML file: `go = "1.22"`, `go = ["1.22", …]`,
/// `go = { version = "1.22" }`.
fn mise_toml(p: &Path) -> Found {
    let text = read_small(p)?;
    let mut in_tools = false;
    for (i, raw) in text.lines().enumerate() {
        let l = raw.trim();
        if l.starts_with('[') {
            in_tools = l == "[tools]";
            continue;
        }
        let Some((key, value)) = l.split_once('=') else {
            continue;
        };
        let key = key.trim().trim_matches('"');
        let dotted = key.strip_prefix("tools.");
        if !((in_tools && key == "go") || dotted == Some("go")) {
            continue;
        }
        let value = match value.find("version") {
            Some(at) if value.trim_start().starts_with('{') => &value[at..],
            _ => value,
        };
        let mut parts = value.split('"');
        parts.next();
        if let Some(v) = parts.next() {
            return Some((
                v.to_string(),
                Some(p.to_path_buf()),
                u32::try_from(i + 1).unwrap_or(1),
            ));
        }
    }
    None
}

/// mise: `MISE_GO_VERSION`, then the config files of the folder and each parent (a closer
/// directory wins; in one directory the local and dotted files before `mise.toml`, then
/// `.tool-versions`), then the global `$MISE_CONFIG_DIR/config.toml` (default
/// `~/.config/mise/config.toml`).
fn mise_pick(env: &BTreeMap<String, String>, home: Option<&Path>, folder: &Path) -> Found {
    for dir in ancestors(folder) {
        for name in [
            ".mise.local.toml",
            "mise.local.toml",
            ".mise.toml",
            "mise.toml",
            ".config/mise.toml",
            ".mise/config.toml",
        ] {
            if let Some(f) = mise_toml(&dir.join(name)) {
                return Some(f);
            }
        }
        if let Some(f) = tool_versions(&dir.join(".tool-versions"), &["go", "golang"]) {
            return Some(f);
        }
    }
    let config = env_dir(env, "MISE_CONFIG_DIR")
        .or_else(|| env_dir(env, "XDG_CONFIG_HOME").map(|x| x.join("mise")))
        .or_else(|| home.map(|h| h.join(".config/mise")))?;
    mise_toml(&config.join("config.toml"))
}

/// gvm switches with `gvm use` (PATH), not from a file: the version is the install's name.
fn gvm_pick(go: &Path) -> Found {
    let name = go.parent()?.parent()?.file_name()?.to_str()?;
    Some((name.trim_start_matches("go").to_string(), None, 0))
}

// ---------------------------------------------------------------------------------------------
// direnv
// ---------------------------------------------------------------------------------------------

/// The `.envrc` direnv would load for the folder: the nearest one, in it or a parent.
pub fn nearest_envrc(folder: &Path) -> Option<PathBuf> {
    ancestors(folder)
        .map(|d| d.join(".envrc"))
        .find(|p| p.is_file())
}

/// The lines of an `.envrc` that export a Go variable or add to PATH (values as written,
/// redacted).
pub fn read_envrc(p: &Path) -> Vec<ShellLine> {
    let Some(text) = read_small(p) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let l = raw.trim();
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let w = words(l);
        let Some(first) = w.first() else { continue };
        if first.starts_with('#') {
            continue;
        }
        if first == "PATH_add" || first == "path_add" {
            let dirs = if first == "path_add" {
                &w[2.min(w.len())..]
            } else {
                &w[1..]
            };
            for d in dirs {
                out.push(ShellLine {
                    var: "PATH".into(),
                    value: d.clone(),
                    file: p.to_path_buf(),
                    line: n,
                });
            }
            continue;
        }
        for (var, value, _) in assignments(l) {
            out.push(ShellLine {
                var,
                value: crate::redact::redact(&value),
                file: p.to_path_buf(),
                line: n,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_support::env;

    #[test]
    fn bash_and_zsh_trace_lines_split() {
        assert_eq!(
            split_trace("++/h/.bashrc:12: export 'PATH=/a b:/c'", false),
            Some(("/h/.bashrc", 12, "export 'PATH=/a b:/c'"))
        );
        assert_eq!(
            split_trace("+/h/.zshrc:3> path=( /x /y )", true),
            Some(("/h/.zshrc", 3, "path=( /x /y )"))
        );
        assert_eq!(split_trace("+ true", false), None);
    }

    #[test]
    fn assignments_kept_and_command_env_skipped() {
        assert_eq!(
            assignments("export 'PATH=/a b:/c' GOFLAGS=-mod=mod X=1"),
            vec![
                ("PATH".into(), "/a b:/c".into(), false),
                ("GOFLAGS".into(), "-mod=mod".into(), false)
            ]
        );
        assert!(assignments("GOFLAGS=-x go build").is_empty());
        assert!(assignments("local GOPATH=/x").is_empty());
        assert_eq!(
            assignments("path=( /x /usr/bin )"),
            vec![("PATH".into(), "/x:/usr/bin".into(), false)]
        );
        assert_eq!(
            assignments("PATH+=:/opt/go/bin"),
            vec![("PATH".into(), ":/opt/go/bin".into(), true)]
        );
    }

    #[test]
    fn the_last_line_that_added_a_directory_wins_and_values_are_redacted() {
        let ev = |var: &str, value: &str, line: u32| Event {
            var: var.into(),
            value: value.into(),
            append: false,
            file: PathBuf::from("/h/.bashrc"),
            line,
        };
        let events = vec![
            ev("PATH", "/go/bin:/usr/bin", 1),
            ev("PATH", "/usr/bin", 2),
            ev("PATH", "/go/bin:/usr/bin", 3),
            ev("PATH", "/go/bin:/usr/bin:/x", 4),
            ev("GOPROXY", "https://u:pw@p.example", 5),
            ev("GOFLAGS", "-mod=mod", 6),
        ];
        let fin = env(&[
            ("PATH", "/go/bin:/usr/bin:/x"),
            ("GOPROXY", "https://u:pw@p.example"),
            ("GOFLAGS", "-mod=vendor"),
        ]);
        let a = from_events(&events, "/usr/bin", &fin);
        assert_eq!(a.path_add(Path::new("/go/bin")).map(|l| l.line), Some(3));
        assert_eq!(a.path_add(Path::new("/x")).map(|l| l.line), Some(4));
        assert!(a.path_add(Path::new("/usr/bin")).is_none());
        let proxy = a.export("GOPROXY").expect("GOPROXY");
        assert_eq!(proxy.value, "https://u:***@p.example");
        // A later, untraced change (here: none matches) is not attributed to line 6.
        assert!(a.export("GOFLAGS").is_none());
    }

    #[test]
    fn dirs_are_matched_with_home_spelled_several_ways() {
        let home = Path::new("/home/u");
        assert!(mentions_dir(
            "export PATH=\"$HOME/sdk/go/bin:$PATH\"",
            "/home/u/sdk/go/bin",
            Some(home)
        ));
        assert!(mentions_dir(
            "set -gx PATH ~/sdk/go/bin $PATH",
            "/home/u/sdk/go/bin",
            Some(home)
        ));
        assert!(!mentions_dir(
            "export PATH=/home/u/sdk/go/bin2:$PATH",
            "/home/u/sdk/go/bin",
            Some(home)
        ));
    }

    #[test]
    fn a_line_of_a_pipe_names_no_file() {
        let events = vec![Event {
            var: "PATH".into(),
            value: "/go/bin:/usr/bin".into(),
            append: false,
            file: PathBuf::from("/dev/fd/63"),
            line: 4,
        }];
        let fin = env(&[("PATH", "/go/bin:/usr/bin")]);
        assert!(from_events(&events, "/usr/bin", &fin).path_adds.is_empty());
    }
}
