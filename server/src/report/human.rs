//! The report for people, in the manner of `flutter doctor`: who runs which Go, one section per
//! area with ✓ / ! / ✗, one bullet per finding with its best fix and where it is configured,
//! where each important value comes from, and a one-line summary.

use super::{code_area, format_millis, Report, ShellState, SideView};
use crate::catalogue::Area;
use crate::model::{DeepOutcome, DeepProgram, DeepStep, Finding, Origin, Severity};
use crate::redact::redact;
use std::fmt::Write as _;

/// The keys whose provenance the report shows, in this order.
pub const ENV_KEYS: [&str; 5] = ["GOROOT", "GOPROXY", "GOSUMDB", "GOTOOLCHAIN", "GOCACHE"];

/// Lines are wrapped (at spaces only, never inside a path) to this many columns.
const WIDTH: usize = 100;
/// Values longer than this do not widen the value column of the environment table.
const MAX_VALUE_COLUMN: usize = 56;

/// Whether to use ANSI colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    pub color: bool,
}

impl Style {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset or empty, or when
    /// `CLICOLOR_FORCE` is set to something other than `0` (and `NO_COLOR` is not set).
    pub fn detect(stdout_is_tty: bool) -> Style {
        let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        let no_color = var("NO_COLOR").is_some();
        let forced = var("CLICOLOR_FORCE").is_some_and(|v| v != "0");
        Style {
            color: !no_color && (stdout_is_tty || forced),
        }
    }

    fn paint(self, code: &str, s: &str) -> String {
        if self.color && !s.is_empty() {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn red(self, s: &str) -> String {
        self.paint("31", s)
    }
    fn yellow(self, s: &str) -> String {
        self.paint("33", s)
    }
    fn green(self, s: &str) -> String {
        self.paint("32", s)
    }
    fn cyan(self, s: &str) -> String {
        self.paint("36", s)
    }
    fn bold(self, s: &str) -> String {
        self.paint("1", s)
    }
    fn dim(self, s: &str) -> String {
        self.paint("2", s)
    }
}

/// The human report without colours.
pub fn render_human(report: &Report) -> String {
    render_human_styled(report, Style::default())
}

/// The human report, coloured when `style.color`.
pub fn render_human_styled(report: &Report, style: Style) -> String {
    let mut out = String::new();
    header(&mut out, report, style);
    out.push('\n');
    for area in Area::ALL {
        section(&mut out, report, area, style);
    }
    deep(&mut out, report, style);
    environment(&mut out, report, style);
    out.push('\n');
    summary(&mut out, report, style);
    out
}

// ---------------------------------------------------------------------------------------------

fn header(out: &mut String, report: &Report, style: Style) {
    let folder = redact(&report.folder.display().to_string());
    let _ = writeln!(out, "{}  {}", style.bold("folder"), folder);

    // (role, side) rows, aligned: every editor (VS Code, then GoLand, …), then the shell.
    let mut rows: Vec<(&str, &SideView)> = Vec::new();
    let mut notes: Vec<(String, String)> = Vec::new();
    if report.editor.is_none() {
        notes.push((
            "editor".into(),
            "no Go environment could be resolved".into(),
        ));
    }
    rows.extend(report.editors().map(|side| ("editor", side)));
    match &report.shell {
        ShellState::Probed(side) => rows.push(("shell", side)),
        ShellState::NotProbed => notes.push(("shell".into(), "not probed (--no-shell)".into())),
        ShellState::Failed { label, reason } => notes.push((
            "shell".into(),
            format!("{}: environment not read ({})", redact(label), reason),
        )),
    }
    let cells: Vec<(String, String)> = rows.iter().map(|(_, side)| side_cells(side)).collect();
    let label_w = cells.iter().map(|c| width(&c.0)).max().unwrap_or(0);
    let version_w = cells.iter().map(|c| width(&c.1)).max().unwrap_or(0);
    for ((role, side), (label, version)) in rows.iter().zip(&cells) {
        let rest = if side.go.is_none() {
            style.red("no go found")
        } else {
            match side.goroot.as_deref() {
                Some(root) => format!("GOROOT {}", redact(root)),
                None => "GOROOT unknown".to_string(),
            }
        };
        let mut line = format!("{}  ", style.bold(&pad(role, 6)));
        for (cell, w) in [(label.as_str(), label_w), (version.as_str(), version_w)] {
            if w > 0 {
                line.push_str(&pad(cell, w));
                line.push_str("  ");
            }
        }
        line.push_str(&rest);
        let _ = writeln!(out, "{}", line.trim_end());
    }
    for (role, note) in notes {
        let _ = writeln!(out, "{}  {}", style.bold(&pad(&role, 6)), style.dim(&note));
    }
    // Below the side rows: clients read those rows up to the first other line.
    let ws = &report.workspace;
    if ws.is_notable() {
        let mut line = format!(
            "{} checked{}",
            ws.modules,
            if ws.truncated {
                " (walk cut short)"
            } else {
                ""
            }
        );
        if !ws.works.is_empty() {
            let works: Vec<String> = ws.works.iter().map(|w| shown(report, w)).collect();
            line.push_str(&format!(", with {}", works.join(", ")));
        }
        let _ = writeln!(out, "{}  {}", style.bold("modules"), style.dim(&line));
    }
    sdks(out, report, style);
}

/// The Go SDKs installed beside the ones the sides run (those are in the rows above), newest
/// first: what a "Use installed" fix can switch to, and what is there to clean up.
fn sdks(out: &mut String, report: &Report, style: Style) {
    const SHOWN: usize = 6;
    let others: Vec<&crate::report::SdkView> = report
        .sdks
        .iter()
        .filter(|s| s.used_by.is_empty())
        .collect();
    let version_w = others
        .iter()
        .map(|s| width(s.version.as_deref().unwrap_or("go ?")))
        .max()
        .unwrap_or(0);
    for (i, sdk) in others.iter().take(SHOWN).enumerate() {
        let role = if i == 0 { "sdks" } else { "" };
        let mut line = format!(
            "{}  {}",
            pad(sdk.version.as_deref().unwrap_or("go ?"), version_w),
            shown(report, &sdk.path)
        );
        if let Some(by) = &sdk.installed_by {
            line.push_str(&format!(" ({by})"));
        }
        let _ = writeln!(
            out,
            "{}  {}",
            style.bold(&pad(role, 6)),
            style.dim(&redact(&line))
        );
    }
    if others.len() > SHOWN {
        let more = format!("… {} more: go-env-doctor sdks", others.len() - SHOWN);
        let _ = writeln!(out, "{}  {}", pad("", 6), style.dim(&more));
    }
}

/// A path relative to the folder when inside it, else with `~` for the home directory.
fn shown(report: &Report, p: &std::path::Path) -> String {
    if let Ok(rel) = p.strip_prefix(&report.folder) {
        return redact(&rel.display().to_string());
    }
    if let Some(rest) = report.home.as_ref().and_then(|h| p.strip_prefix(h).ok()) {
        return redact(&format!("~/{}", rest.display()));
    }
    redact(&p.display().to_string())
}

/// (label, version) cells of a header row.
fn side_cells(side: &SideView) -> (String, String) {
    let version = match (&side.go, &side.go_version) {
        (None, _) => String::new(),
        (Some(_), Some(v)) => redact(v),
        (Some(_), None) => "go ?".to_string(),
    };
    (redact(&side.label), version)
}

// ---------------------------------------------------------------------------------------------

fn section(out: &mut String, report: &Report, area: Area, style: Style) {
    let mut findings: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| code_area(&f.code) == area)
        .collect();
    // Worst first; the rules' order otherwise.
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let worst = findings.first().map(|f| f.severity);
    let mark = match worst {
        Some(Severity::Error) => style.red("✗"),
        Some(Severity::Warning) => style.yellow("!"),
        Some(Severity::Info) | None => style.green("✓"),
    };
    let _ = writeln!(out, "[{mark}] {}", style.bold(area.title()));
    for f in findings {
        finding(out, report, f, style);
    }
}

fn finding(out: &mut String, report: &Report, f: &Finding, style: Style) {
    let (bullet, paint): (&str, fn(Style, &str) -> String) = match f.severity {
        Severity::Error => ("✗", Style::red),
        Severity::Warning => ("!", Style::yellow),
        Severity::Info => ("i", Style::cyan),
    };
    for (i, line) in wrap(&redact(f.message.trim()), WIDTH - 6)
        .iter()
        .enumerate()
    {
        if i == 0 {
            let _ = writeln!(out, "    {} {line}", paint(style, bullet));
        } else {
            let _ = writeln!(out, "      {line}");
        }
    }

    // The dim lines under the message: hint, alternatives, location; the code ends the last.
    let mut tail: Vec<String> = Vec::new();
    match f.fixes.split_first() {
        Some((best, others)) => {
            hint_lines(&mut tail, "→ ", &redact(&best.title));
            // In a terminal there is no command to show them: the lines come with the hint.
            if let crate::model::FixAction::EditorEnvironment {
                editor,
                vars,
                withheld,
                sdk,
            } = &best.action
            {
                let text =
                    crate::settings::client_env::setup_text(editor, vars, withheld, sdk.as_deref());
                for line in text.lines() {
                    tail.push(format!("    {}", redact(line)));
                }
            }
            for other in others.iter().take(2) {
                hint_lines(&mut tail, "  or: ", &redact(&other.title));
            }
            if others.len() > 2 {
                tail.push(format!(
                    "  ({} more fixes: --format json)",
                    others.len() - 2
                ));
            }
        }
        None => {
            // The catalogue title would only repeat the message: point at what to do instead.
            let title = match client_setting_hint(report, f) {
                Some(hint) => hint,
                None => format!(
                    "no automatic fix: `go-env-doctor explain {}` says what to do",
                    f.code
                ),
            };
            hint_lines(&mut tail, "→ ", &title);
        }
    }
    if let Some(loc) = f.locations.first() {
        tail.push(format!(
            "  at {}:{}:{}",
            redact(&report.display_path(&loc.path)),
            loc.line,
            loc.column
        ));
    }
    for r in &f.related {
        hint_lines(
            &mut tail,
            "  ↳ ",
            &format!(
                "{}:{}: {}",
                redact(&report.short_path(&r.path)),
                r.line,
                redact(&r.note)
            ),
        );
    }
    let tag = format!("[{}]", f.code);
    match tail.last_mut() {
        Some(last) if width(last) + 2 + width(&tag) <= WIDTH - 6 => {
            last.push_str("  ");
            last.push_str(&tag);
        }
        _ => tail.push(format!("  {tag}")),
    }
    for line in tail {
        let _ = writeln!(out, "      {}", style.dim(&line));
    }
}

/// A finding about a value only the editor's client supplies has no fix we can write (no
/// file holds it, and a file would not override it): say where the user changes it instead.
fn client_setting_hint(report: &Report, f: &Finding) -> Option<String> {
    let key = match f.editor.as_ref()?.origin.as_ref()? {
        Origin::ClientSetting { key } => key,
        _ => return None,
    };
    let editor = report
        .editor
        .as_ref()
        .map(|e| e.label.as_str())
        .unwrap_or("the editor");
    Some(format!(
        "Change {key} in {editor}'s configuration (no settings file holds it)"
    ))
}

fn hint_lines(tail: &mut Vec<String>, lead: &str, text: &str) {
    let indent = " ".repeat(width(lead));
    for (i, line) in wrap(text, WIDTH - 6 - width(lead)).iter().enumerate() {
        if i == 0 {
            tail.push(format!("{lead}{line}"));
        } else {
            tail.push(format!("{indent}{line}"));
        }
    }
}

// ---------------------------------------------------------------------------------------------

/// `check --deep`: one line per side and program — what passed (and how long it took), what
/// failed (the `build-failed` finding above says why), what was not tried and why.
fn deep(out: &mut String, report: &Report, style: Style) {
    if report.deep.is_empty() {
        return;
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", style.bold("Build check (--deep)"));
    let mut skip_until = 0;
    for (i, run) in report.deep.iter().enumerate() {
        if i < skip_until {
            continue;
        }
        // Every program of a side not tried for one reason (no go, an untrusted go): one line.
        if let DeepOutcome::NotRun { reason } = &run.outcome {
            let same = report.deep[i..]
                .iter()
                .take_while(|r| {
                    r.side == run.side
                        && r.label == run.label
                        && matches!(&r.outcome, DeepOutcome::NotRun { reason: x } if x == reason)
                })
                .count();
            if same > 1 {
                skip_until = i + same;
                let text = format!(
                    "{}: nothing was built: {}",
                    capitalized(&redact(&run.label)),
                    redact(reason)
                );
                deep_line(out, &style.dim("-"), &text);
                continue;
            }
        }
        let what = match run.program {
            DeepProgram::Plain => "a Go program",
            DeepProgram::Cgo => "a cgo program",
        };
        let label = capitalized(&redact(&run.label));
        let (mark, text) = match &run.outcome {
            DeepOutcome::Ok {
                millis,
                not_executed: None,
            } => (
                style.green("✓"),
                format!(
                    "{label} builds and runs {what} ({})",
                    format_millis(*millis)
                ),
            ),
            DeepOutcome::Ok {
                millis,
                not_executed: Some(why),
            } => (
                style.green("✓"),
                format!(
                    "{label} builds {what} ({}); {}",
                    format_millis(*millis),
                    redact(why)
                ),
            ),
            DeepOutcome::Failed { step, .. } => {
                let failed = match step {
                    DeepStep::Build => format!("{label} cannot build {what}"),
                    DeepStep::Run => format!("{label} builds {what} but cannot run it"),
                };
                (style.red("✗"), format!("{failed} [build-failed]"))
            }
            DeepOutcome::NotRun { reason } => (
                style.dim("-"),
                format!("{label}: {what} was not built: {}", redact(reason)),
            ),
        };
        deep_line(out, &mark, &text);
    }
}

fn deep_line(out: &mut String, mark: &str, text: &str) {
    for (i, line) in wrap(text, WIDTH - 4).iter().enumerate() {
        if i == 0 {
            let _ = writeln!(out, "  {mark} {line}");
        } else {
            let _ = writeln!(out, "    {line}");
        }
    }
}

/// `this terminal` → `This terminal` (a label starting a line).
fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------

struct EnvRow {
    key: &'static str,
    who: String,
    value: String,
    origin: String,
}

fn environment(out: &mut String, report: &Report, style: Style) {
    // With one editor the columns say editor / shell / both; with several (GoLand next to VS
    // Code) each side is named, and "all" means every side agrees.
    let several = !report.other_editors.is_empty();
    let mut sides: Vec<(String, &SideView)> = Vec::new();
    for (i, side) in report.editors().enumerate() {
        let who = if several {
            side.label.clone()
        } else if i == 0 {
            "editor".to_string()
        } else {
            continue;
        };
        sides.push((who, side));
    }
    if let Some(shell) = report.shell.side() {
        sides.push(("shell".to_string(), shell));
    }
    if sides.is_empty() {
        return;
    }
    let agree = if sides.len() > 2 { "all" } else { "both" };
    let mut rows: Vec<EnvRow> = Vec::new();
    for key in ENV_KEYS {
        let cells: Vec<(&String, (String, String))> = sides
            .iter()
            .map(|(who, side)| (who, env_cell(report, side, key)))
            .collect();
        let same = cells.len() > 1 && cells.iter().all(|(_, c)| *c == cells[0].1);
        if same {
            let (value, origin) = cells[0].1.clone();
            rows.push(EnvRow {
                key,
                who: agree.to_string(),
                value,
                origin,
            });
            continue;
        }
        for (who, (value, origin)) in cells {
            rows.push(EnvRow {
                key,
                who: who.clone(),
                value,
                origin,
            });
        }
    }
    let value_w = rows
        .iter()
        .map(|r| width(&r.value))
        .filter(|w| *w <= MAX_VALUE_COLUMN)
        .max()
        .unwrap_or(0);
    let who_w = rows.iter().map(|r| width(&r.who)).max().unwrap_or(0);
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", style.bold("Environment"));
    let mut previous_key = "";
    for r in &rows {
        let key = if r.key == previous_key { "" } else { r.key };
        previous_key = r.key;
        let line = format!(
            "  {}  {}  {}  {}",
            pad(key, 11),
            pad(&r.who, who_w),
            pad(&r.value, value_w),
            style.dim(&r.origin)
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

/// (value, origin) of one key on one side, ready to print.
fn env_cell(report: &Report, side: &SideView, key: &str) -> (String, String) {
    match side.env.get(key) {
        Some(v) => {
            let value = match (&v.origin, v.value.is_empty()) {
                (Origin::Default, true) => "(unset)".to_string(),
                (_, true) => "(empty)".to_string(),
                (_, false) => redact(&v.value),
            };
            let origin = match (&v.origin, key) {
                (Origin::Default, "GOROOT") if v.value.is_empty() => "no go found".to_string(),
                (Origin::Default, "GOROOT") => "found by go".to_string(),
                (Origin::OsEnv, _) if side.startup_lines.contains_key(key) => {
                    let (file, line) = &side.startup_lines[key];
                    format!(
                        "{} ({}:{line})",
                        report.origin_label(&Origin::OsEnv, side.kind),
                        report.short_path(file)
                    )
                }
                (origin, _) => report.origin_label(origin, side.kind),
            };
            (value, redact(&origin))
        }
        None => ("(unset)".to_string(), String::new()),
    }
}

// ---------------------------------------------------------------------------------------------

fn summary(out: &mut String, report: &Report, style: Style) {
    let c = report.counts();
    let folder = redact(&report.folder.display().to_string());
    if c.errors + c.warnings == 0 {
        let notes = match c.notes {
            0 => String::new(),
            1 => " (1 note)".to_string(),
            n => format!(" ({n} notes)"),
        };
        let text = match report.shell {
            ShellState::NotProbed => {
                format!("No issues found in the editor's Go environment{notes} (shell not probed).")
            }
            _ => format!("No issues found: your editor and shell agree{notes}."),
        };
        let _ = writeln!(out, "{}", style.green(&text));
    } else {
        let mut parts = Vec::new();
        if c.errors > 0 {
            parts.push(plural(c.errors, "error", "errors"));
        }
        if c.warnings > 0 {
            parts.push(plural(c.warnings, "warning", "warnings"));
        }
        if c.notes > 0 {
            parts.push(plural(c.notes, "note", "notes"));
        }
        let text = format!("{} in {}", parts.join(", "), folder);
        let painted = if c.errors > 0 {
            style.red(&text)
        } else {
            style.yellow(&text)
        };
        let _ = writeln!(out, "{painted}");
    }
    if !report.findings.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            style.dim("`go-env-doctor explain CODE` tells what a finding means and how to fix it.")
        );
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Display width, counted in chars (the report's symbols are all single-width).
fn width(s: &str) -> usize {
    s.chars().count()
}

fn pad(s: &str, w: usize) -> String {
    let n = width(s);
    if n >= w {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(w - n))
    }
}

/// Greedy word wrap at spaces; words longer than `max` stay whole. Newlines in `text` are kept.
pub(crate) fn wrap(text: &str, max: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            if !line.is_empty() && width(&line) + 1 + width(word) > max {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wraps_at_spaces_only() {
        assert_eq!(wrap("aaa bbb ccc", 7), vec!["aaa bbb", "ccc"]);
        assert_eq!(
            wrap("/a/very/long/path x", 5),
            vec!["/a/very/long/path", "x"]
        );
        assert_eq!(wrap("", 5), vec![""]);
    }
}
