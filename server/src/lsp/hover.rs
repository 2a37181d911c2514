//! Hover on a covered line (a settings member — also a GOROOT `url`/`path` or an environment
//! entry of GoLand's `.idea/workspace.xml` — the go.mod `go`/`toolchain` line): a Markdown
//! table of the editor's and the shell's value, where each comes from, and each side's Go.

use super::convert;
use super::Backend;
use crate::model::{SettingKey, SideKind, Snapshot};
use crate::redact::redact;
use crate::rules::resolve;
use crate::settings::idea;
use std::path::Path;
use tower_lsp_server::lsp_types::{
    Hover, HoverContents, HoverParams, MarkupContent, MarkupKind, Range,
};
use tower_lsp_server::UriExt;

pub(super) fn hover(backend: &Backend, params: &HoverParams) -> Option<Hover> {
    let pos = &params.text_document_position_params;
    let path = pos.text_document.uri.to_file_path()?.into_owned();
    let state = backend.state();
    let text = match state.docs.get(&path) {
        Some(doc) => doc.text.clone(),
        // Bounded: a hover on a FIFO or a device must not block the server.
        None => crate::facts::fs::read_text(&path).ok()?,
    };
    let line = pos.position.line + 1;
    let folder = Backend::folder_of(&state, &path)?;
    let snapshot: &crate::model::Snapshot = &state.results.get(&folder)?.snapshot;

    // A settings member on this line (key or value): VS Code's settings, or another editor's
    // (an attribute of GoLand's `.idea/workspace.xml`), shown with that editor's side.
    let member = std::iter::once(snapshot)
        .chain(snapshot.editor_views.iter())
        .find_map(|view| {
            view.settings
                .values
                .iter()
                .rev()
                // A client-only value has no member to hover.
                .find(|c| c.place().is_some_and(|p| p.file == path && p.line == line))
                .map(|c| (view, c))
        });
    if let Some((view, c)) = member {
        let env_key = env_key(&c.key)?;
        let title = format!(
            "**{env_key}** — {} in {}",
            key_words(&path, &c.key),
            resolve::settings_file_words(view, &path)
        );
        let range = convert::range(&text, c.span.start, c.span.end, state.caps.enc);
        let mut md = table(view, &title, env_key);
        if env_key == "GOROOT" {
            md.push_str(&sdk_note(view));
        }
        return Some(render(md, Some(range), state.caps.hover_markdown));
    }
    // The go.mod / go.work `go` or `toolchain` line.
    for m in snapshot.all_modules().chain(snapshot.all_works()) {
        if m.path != path {
            continue;
        }
        for l in [&m.go, &m.toolchain].into_iter().flatten() {
            if l.line == line {
                let file = path.file_name().map(|n| n.to_string_lossy().into_owned());
                let title = format!("**{}** requires `{}`", file.unwrap_or_default(), l.value);
                let range = convert::range(&text, l.span.start, l.span.end, state.caps.enc);
                let mut md = table(snapshot, &title, "GOTOOLCHAIN");
                md.push_str(&sdk_note(snapshot));
                return Some(render(md, Some(range), state.caps.hover_markdown));
            }
        }
    }
    None
}

/// The installed Go SDKs that satisfy every module's and go.work's `go` line, best first as the
/// "Use installed" fixes choose them (empty when none is installed or none fits).
fn sdk_note(snapshot: &Snapshot) -> String {
    const SHOWN: usize = 3;
    let shell = resolve::effective(snapshot, SideKind::Shell);
    let fitting = crate::goenv::sdks::satisfying(snapshot, shell.as_ref().map(|s| s.goroot()));
    if fitting.is_empty() {
        return String::new();
    }
    let items: Vec<String> = fitting
        .iter()
        .take(SHOWN)
        .map(|c| {
            let mut about = vec![resolve::tilde(snapshot, Path::new(&c.install.goroot))];
            about.extend(c.install.installed_by.clone());
            if c.shells {
                about.push("your shell's".to_string());
            }
            format!(
                "`{}` ({})",
                c.install.version.as_deref().unwrap_or("go"),
                about.join(", ")
            )
        })
        .collect();
    let more = match fitting.len().saturating_sub(SHOWN) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    redact(&format!(
        "\nInstalled Go SDKs that satisfy this workspace: {}{more}.\n",
        items.join(", ")
    ))
}

/// The Go environment variable a setting configures.
fn env_key(setting: &SettingKey) -> Option<&str> {
    match setting {
        // Only gopls' `build.env` members get a hover, not its short `env` form.
        SettingKey::GoplsEnv(_) => None,
        _ => setting.go_env_var(),
    }
}

/// A setting as the user knows it: `` `go.goroot` `` in VS Code settings; GoLand's own names
/// in its `.idea` files (GOROOT in Settings → Go, an environment entry of Go Modules).
fn key_words(file: &Path, key: &SettingKey) -> String {
    if !idea::is_idea_file(file) {
        return format!("`{key}`");
    }
    idea::setting_words(key).unwrap_or_else(|| format!("`{key}`"))
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The editor-vs-shell table of `key`.
pub(crate) fn table(snapshot: &Snapshot, title: &str, key: &str) -> String {
    let sides: Vec<_> = [SideKind::Editor, SideKind::Shell]
        .into_iter()
        .map(|k| (k, resolve::effective(snapshot, k)))
        .collect();
    let mut header = String::from("| |");
    let mut rule = String::from("|---|");
    let mut value = format!("| `{key}` |");
    let mut origin = String::from("| origin |");
    let mut go = String::from("| Go |");
    for (kind, side) in &sides {
        let label = match (kind, side) {
            (_, Some(s)) => s.label.clone(),
            (SideKind::Editor, None) => snapshot.settings.editor_name.clone(),
            (SideKind::Shell, None) => "shell".to_string(),
        };
        header.push_str(&format!(" {} |", cell(&label)));
        rule.push_str("---|");
        match side {
            Some(s) => {
                let v = s.get(key);
                let shown = v
                    .map(|v| redact(&v.value))
                    .filter(|v| !v.is_empty())
                    .map_or("*(unset)*".to_string(), |v| format!("`{}`", cell(&v)));
                value.push_str(&format!(" {shown} |"));
                // An unset GOROOT is not "the default": go finds it from where it is.
                let words = match v {
                    _ if key == "GOROOT" => resolve::goroot_origin_words(snapshot, s),
                    Some(v) => resolve::origin_words(snapshot, &s.label, key, &v.origin),
                    None => "—".to_string(),
                };
                origin.push_str(&format!(" {} |", cell(&words)));
                let version = s.go_version.clone().unwrap_or_else(|| "unknown".into());
                go.push_str(&format!(" {} |", cell(&version)));
            }
            None => {
                let why = if *kind == SideKind::Shell && snapshot.shell.is_none() {
                    "not probed"
                } else {
                    "unavailable"
                };
                value.push_str(&format!(" *{why}* |"));
                origin.push_str(" — |");
                go.push_str(" — |");
            }
        }
    }
    let mut md = format!("{title}\n\n{header}\n{rule}\n{value}\n{origin}\n{go}\n");
    // Where the shell's value comes from (attribution, when the sides differ).
    for line in crate::rules::attribution::hover_lines(snapshot, key) {
        md.push_str(&format!("\n{}\n", redact(&line)));
    }
    md
}

/// The hover as Markdown for a client that renders it, else as plain text (eglot without
/// markdown-mode, for one, shows raw pipes and backquotes in the echo area).
fn render(md: String, range: Option<Range>, markdown: bool) -> Hover {
    let (kind, value) = if markdown {
        (MarkupKind::Markdown, md)
    } else {
        (MarkupKind::PlainText, plain(&md))
    };
    Hover {
        contents: HoverContents::Markup(MarkupContent { kind, value }),
        range,
    }
}

/// [`table`]'s Markdown as plain text: emphasis and code marks dropped, the table's columns
/// aligned with spaces.
pub(crate) fn plain(md: &str) -> String {
    let unmark = |s: &str| {
        s.replace("**", "")
            .replace("*(", "(")
            .replace(")*", ")")
            .replace('`', "")
            .replace("\\|", "|")
    };
    let split = |line: &str| -> Vec<String> {
        let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
        let mut cells = Vec::new();
        let mut cur = String::new();
        let mut chars = inner.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' if chars.peek() == Some(&'|') => {
                    cur.push('|');
                    chars.next();
                }
                '|' => cells.push(std::mem::take(&mut cur)),
                _ => cur.push(c),
            }
        }
        cells.push(cur);
        cells
            .into_iter()
            .map(|c| unmark(c.trim()).trim_matches('*').to_string())
            .collect()
    };
    let mut out = Vec::new();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let flush = |rows: &mut Vec<Vec<String>>, out: &mut Vec<String>| {
        let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..cols)
            .map(|i| {
                rows.iter()
                    .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for row in rows.drain(..) {
            let line: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{c:<w$}", w = widths[i]))
                .collect();
            out.push(line.join("  ").trim_end().to_string());
        }
    };
    for line in md.lines() {
        let t = line.trim();
        if t.starts_with('|') {
            if t.trim_matches(|c| c == '|' || c == '-' || c == ' ')
                .is_empty()
            {
                continue;
            }
            rows.push(split(t));
        } else {
            flush(&mut rows, &mut out);
            out.push(unmark(line));
        }
    }
    flush(&mut rows, &mut out);
    out.join("\n").trim_end().to_string() + "\n"
}

#[cfg(test)]
mod tests {
    #[test]
    fn plain_text_table_is_aligned_and_unmarked() {
        let md = "**GOROOT** — `go.goroot` in .vscode/settings.json\n\n| | VS Code | shell |\n|---|---|---|\n| `GOROOT` | `/a\\|b` | *(unset)* |\n| origin | x | y |\n";
        let text = super::plain(md);
        assert_eq!(
            text,
            "GOROOT — go.goroot in .vscode/settings.json\n\n        VS Code  shell\nGOROOT  /a|b     (unset)\norigin  x        y\n"
        );
    }
}
