//! Root causes on findings: the startup-file line that put the shell's `go` on PATH or exported
//! a Go variable, the file a version manager selects the version from, the `.envrc` an editor
//! started outside the shell does not load (`Snapshot::attribution`, learned by
//! `facts::attribution`). Each adds a sentence to the message and a [`Related`] place; only
//! what the facts show is said, and when the shell could not tell, the message says that.

use crate::goenv::resolve::tilde;
use crate::model::{
    Attribution, Finding, GoFoundBy, ManagerPick, Origin, Related, ShellLine, SideKind, Snapshot,
    TraceMethod, ATTRIBUTED_VARS,
};
use std::path::{Path, PathBuf};

/// Findings about which `go` each side runs: the PATH line that chose the shell's explains them.
const GO_CODES: [&str; 3] = ["goroot-mismatch", "go-version-mismatch", "go-not-found"];

/// Adds what the snapshot's attribution explains to each finding it concerns.
pub fn annotate(snapshot: &Snapshot, findings: &mut [Finding]) {
    let Some(attr) = snapshot.attribution.as_ref() else {
        return;
    };
    for f in findings.iter_mut() {
        if ATTRIBUTED_VARS.contains(&f.subject.as_str()) {
            variable(snapshot, attr, f);
        }
        if GO_CODES.contains(&f.code.as_str()) {
            go_binary(snapshot, attr, f);
        }
    }
}

/// Whether a finding is one the shell's startup lines would explain (`check` traces the shell
/// only then).
pub fn wanted(findings: &[Finding]) -> bool {
    findings.iter().any(|f| {
        GO_CODES.contains(&f.code.as_str())
            || (ATTRIBUTED_VARS.contains(&f.subject.as_str())
                && f.shell
                    .as_ref()
                    .and_then(|s| s.origin.as_ref())
                    .is_some_and(|o| *o == Origin::OsEnv))
    })
}

fn line_words(snapshot: &Snapshot, l: &ShellLine) -> String {
    format!("{}:{}", tilde(snapshot, &l.file), l.line)
}

fn relate(f: &mut Finding, path: &Path, line: u32, note: String) {
    let r = Related {
        path: path.to_path_buf(),
        line: line.max(1),
        note,
    };
    if !f.related.contains(&r) {
        f.related.push(r);
    }
}

fn say(f: &mut Finding, sentence: &str) {
    if f.message.contains(sentence) {
        return;
    }
    let sep = if f.message.ends_with('.') { " " } else { ". " };
    let mut chars = sentence.chars();
    let sentence: String = match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => return,
    };
    f.message = format!("{}{sep}{sentence}", f.message);
}

/// Whose words a line is: a trace saw it run; reading found it in the file.
fn how(method: TraceMethod) -> &'static str {
    match method {
        TraceMethod::Traced => "",
        _ => " (read from the file, not traced)",
    }
}

/// A finding about a Go variable the shell takes from its environment: the line that set it.
fn variable(snapshot: &Snapshot, attr: &Attribution, f: &mut Finding) {
    let var = f.subject.clone();
    let from_shell_env = f
        .shell
        .as_ref()
        .and_then(|s| s.origin.as_ref())
        .is_some_and(|o| *o == Origin::OsEnv);
    if from_shell_env {
        if let Some(sh) = attr.shell.as_ref() {
            match sh.export(&var) {
                Some(l) => {
                    let at = line_words(snapshot, l);
                    relate(
                        f,
                        &l.file,
                        l.line,
                        format!(
                            "your login shell sets {var}={} here{}",
                            l.value,
                            how(sh.method)
                        ),
                    );
                    say(
                        f,
                        &format!("Your login shell gets {var} from {at}{}.", how(sh.method)),
                    );
                }
                None => say(f, &unknown(&format!("sets {var}"), sh)),
            }
        }
    }
    let own = f.code == "envrc-not-loaded";
    let envrc_lines = attr.envrc.iter().filter(|l| l.var == var && !own);
    for l in envrc_lines {
        relate(
            f,
            &l.file,
            l.line,
            format!(
                "this .envrc exports {var}={}; direnv loads it only in a shell with its hook, at a prompt in this folder",
                l.value
            ),
        );
        say(
            f,
            &format!(
                "{} exports {var}, which only a shell with direnv's hook loads: an editor started outside such a shell does not get it.",
                line_words(snapshot, l)
            ),
        );
    }
}

fn unknown(what: &str, sh: &crate::model::ShellAttribution) -> String {
    match &sh.note {
        Some(note) => format!("Which startup line {what} is unknown: {note}."),
        None => format!("Which startup line {what} is unknown: no traced line does."),
    }
}

/// A finding about which `go` the sides run: the line that put the shell's `go` directory on
/// PATH (and whether the editor's PATH has that directory), and a version manager's choice.
fn go_binary(snapshot: &Snapshot, attr: &Attribution, f: &mut Finding) {
    let editor_label = snapshot.editor.label.clone();
    if let (Some(shell), Some(sh)) = (snapshot.shell.as_ref(), attr.shell.as_ref()) {
        let dir: Option<PathBuf> = shell
            .go
            .as_ref()
            .filter(|g| g.found_by == GoFoundBy::Path)
            .and_then(|g| g.path.parent().map(Path::to_path_buf));
        if let Some(dir) = dir {
            // The editor's PATH only matters when a setting does not choose its `go`.
            let by_setting = snapshot.editor.go.as_ref().is_some_and(|g| {
                matches!(g.found_by, GoFoundBy::AlternateTools | GoFoundBy::GorootBin)
            });
            let editor_has = by_setting || snapshot.editor.path_entries.contains(&dir);
            let shown = tilde(snapshot, &dir);
            match sh.path_add(&dir) {
                Some(l) => {
                    let at = line_words(snapshot, l);
                    relate(
                        f,
                        &l.file,
                        l.line,
                        format!(
                            "puts {shown} (your shell's `go`) on your login shell's PATH{}",
                            how(sh.method)
                        ),
                    );
                    if editor_has {
                        say(
                            f,
                            &format!(
                                "Your shell's `go` comes from {shown}, which {at} puts on your login shell's PATH{}.",
                                how(sh.method)
                            ),
                        );
                    } else {
                        say(
                            f,
                            &format!(
                                "{editor_label}'s PATH lacks {shown}, which {at} adds in your login shell{}.",
                                how(sh.method)
                            ),
                        );
                    }
                }
                None if !editor_has => say(
                    f,
                    &format!(
                        "{editor_label}'s PATH lacks {shown}, where your shell's `go` is. {}",
                        unknown(&format!("adds {shown}"), sh)
                    ),
                ),
                None => {}
            }
        }
    }
    for pick in &attr.managers {
        manager(snapshot, pick, f);
    }
    for l in attr.envrc.iter().filter(|l| l.var == "PATH") {
        relate(
            f,
            &l.file,
            l.line,
            format!(
                "this .envrc adds {} to PATH; direnv loads it only in a shell with its hook",
                l.value
            ),
        );
    }
}

fn manager(snapshot: &Snapshot, pick: &ManagerPick, f: &mut Finding) {
    let (sentence, related) = manager_words(snapshot, pick);
    if let Some((file, line, note)) = related {
        relate(f, &file, line, note);
    }
    say(f, &sentence);
}

/// What a version manager's pick says, and the place it points at (file, line, note).
fn manager_words(
    snapshot: &Snapshot,
    pick: &ManagerPick,
) -> (String, Option<(PathBuf, u32, String)>) {
    let whose = match pick.side {
        SideKind::Editor => format!("{}'s", snapshot.editor.label),
        SideKind::Shell => "your shell's".to_string(),
    };
    let m = &pick.manager;
    match (&pick.version, &pick.variable, &pick.file) {
        (Some(v), Some(var), _) => (
            format!("{whose} `go` is {m}'s; ${var} selects Go {v} for it."),
            None,
        ),
        (Some(v), None, Some(file)) => {
            let at = format!("{}:{}", tilde(snapshot, file), pick.line.max(1));
            (
                format!("{whose} `go` is {m}'s; {m} selects Go {v} in this folder from {at}."),
                Some((
                    file.clone(),
                    pick.line,
                    format!("{m} selects Go {v} here for this folder"),
                )),
            )
        }
        (Some(v), None, None) => (
            format!("{whose} `go` is {m}'s Go {v} (chosen with `{m} use`, not from a file)."),
            None,
        ),
        (None, _, _) => (
            format!(
                "{whose} `go` is {m}'s, and no version file or variable selects a Go version for this folder."
            ),
            None,
        ),
    }
}

/// `envrc-not-loaded`: the `.envrc` direnv would load exports a Go variable to a literal value
/// the editor's environment does not have (values with expansions are not compared: what they
/// expand to is unknown without running direnv).
pub fn findings(ctx: &super::Ctx) -> Vec<Finding> {
    let snapshot = ctx.snapshot;
    let Some(attr) = snapshot.attribution.as_ref() else {
        return Vec::new();
    };
    let editor = &snapshot.editor.label;
    attr.envrc
        .iter()
        .filter(|l| ATTRIBUTED_VARS.contains(&l.var.as_str()))
        .filter(|l| !l.value.contains('$') && !l.value.contains('`'))
        .filter(|l| {
            let have = snapshot.editor.os_env.get(&l.var).map(String::as_str);
            have != Some(l.value.as_str())
                && have.map(crate::redact::redact).as_deref() != Some(l.value.as_str())
        })
        .map(|l| {
            let var = &l.var;
            let message = format!(
                "{} exports {var}={}, which {editor} does not have: direnv loads an .envrc only in a shell with its hook, at a prompt in this folder, so an editor started outside such a shell does not get it (nor does the login shell it reads its environment from)",
                line_words(snapshot, l),
                l.value
            );
            let mut f = super::finding("envrc-not-loaded", var, message);
            f.locations.push(crate::model::Location {
                path: l.file.clone(),
                line: l.line.max(1),
                column: 1,
                span: None,
            });
            f
        })
        .collect()
}

/// What attribution says about `key` for a hover: the shell's line that sets it, and for GOROOT
/// the line that put the shell's `go` on PATH and a version manager's choice. Plain sentences.
pub fn hover_lines(snapshot: &Snapshot, key: &str) -> Vec<String> {
    let Some(attr) = snapshot.attribution.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(sh) = attr.shell.as_ref() {
        if let Some(l) = sh.export(key) {
            out.push(format!(
                "Your login shell sets {key} at {}{}.",
                line_words(snapshot, l),
                how(sh.method)
            ));
        }
        let dir = snapshot
            .shell
            .as_ref()
            .and_then(|s| s.go.as_ref())
            .filter(|g| g.found_by == GoFoundBy::Path)
            .and_then(|g| g.path.parent());
        if let (Some(dir), "GOROOT") = (dir, key) {
            if let Some(l) = sh.path_add(dir) {
                out.push(format!(
                    "Your shell's `go` comes from {}, which {} puts on your login shell's PATH{}.",
                    tilde(snapshot, dir),
                    line_words(snapshot, l),
                    how(sh.method)
                ));
            }
        }
    }
    if key == "GOROOT" {
        for pick in &attr.managers {
            let sentence = manager_words(snapshot, pick).0;
            let mut chars = sentence.chars();
            if let Some(c) = chars.next() {
                out.push(c.to_uppercase().chain(chars).collect());
            }
        }
    }
    out
}
