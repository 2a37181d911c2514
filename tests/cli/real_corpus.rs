//! The real-world corpus: every configuration file of `real-corpus/` (public repositories'
//! `.vscode/settings.json`, `*.code-workspace`, GoLand `.idea/*.xml`, `go.mod` / `go.work`,
//! byte for byte) checked end to end with the built binary and REAL Go toolchains.
//!
//! The corpus is read where it lies, never copied into the repository: `GO_ENV_DOCTOR_REAL_CORPUS`,
//! else `<repository>/../shared/real-corpus`, else `/work/shared/real-corpus`.
//!
//! For each file a temp workspace holds it where `SOURCES.tsv` says (plus a go.mod when the file
//! is not one); the editor side runs with Go 1.21.13 first on its PATH, the bash login shell
//! puts Go 1.22.10 first. A second variant points the file's GOROOT / `go.goroot` /
//! `go.alternateTools.go` at an installed SDK (Go 1.25.5). `check --format json` must then:
//! * finish (deadline) without a panic, exit 0 or 1;
//! * not call a file unparseable that an independent parser (jsonc-parser, quick-xml) accepts;
//! * locate every finding in the corpus file on the member it names (the key or value of that
//!   setting, a go.mod directive line);
//! * offer only settings fixes that, applied with the library's editors, leave a file that
//!   parses, change nothing but their member, clear their finding on a second check and bring
//!   no new error.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use crate::support;

use go_env_doctor::settings::jsonc::{self, SettingsRoot};
use go_env_doctor::settings::{apply_edits, idea, TextEdit};
use quick_xml::events::Event;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const EDITOR_GO: &str = "1.21.13";
const SHELL_GO: &str = "1.22.10";
const INSTALLED_SDK: &str = "1.25.5";
/// A check runs `go` a few times and a login shell once; far below this unless it hangs.
const DEADLINE: Duration = Duration::from_secs(90);
const CORPUS_VAR: &str = "GO_ENV_DOCTOR_REAL_CORPUS";

/// Findings whose failure here belongs to another part of the project (being changed in
/// parallel): `(corpus file, finding code)`. Each is tolerated only for the assertion that
/// names it in the failure report; the merge of those changes removes the entries.
const KNOWN_ELSEWHERE: &[(&str, &str)] = &[];

fn corpus_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(CORPUS_VAR) {
        let dir = PathBuf::from(dir);
        assert!(
            dir.join("SOURCES.tsv").is_file(),
            "{CORPUS_VAR}={} holds no SOURCES.tsv",
            dir.display()
        );
        return dir;
    }
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/real-corpus");
    for dir in [beside, PathBuf::from("/work/shared/real-corpus")] {
        if dir.join("SOURCES.tsv").is_file() {
            return dir;
        }
    }
    panic!(
        "the real-world corpus was not found: set {CORPUS_VAR} to the real-corpus directory \
         (with SOURCES.tsv), or put it at <repository>/../shared/real-corpus"
    );
}

#[derive(Debug, Clone)]
struct Entry {
    file: String,
    kind: String,
    original: String,
}

fn entries(dir: &Path) -> Vec<Entry> {
    let text = std::fs::read_to_string(dir.join("SOURCES.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert!(cols.len() >= 9, "bad SOURCES.tsv line: {l}");
            Entry {
                file: cols[0].to_string(),
                kind: cols[1].to_string(),
                original: cols[8].to_string(),
            }
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Format {
    Json(SettingsRoot),
    Xml,
    GoMod,
}

impl Entry {
    /// Where the file goes in the workspace folder.
    fn placement(&self) -> PathBuf {
        match self.kind.as_str() {
            "vscode-settings" => PathBuf::from(".vscode/settings.json"),
            "code-workspace" => PathBuf::from(&self.original),
            "idea" => Path::new(".idea").join(&self.original),
            "gomod" => PathBuf::from(&self.original),
            other => panic!("unknown corpus kind {other} for {}", self.file),
        }
    }

    fn format(&self) -> Format {
        match self.kind.as_str() {
            "vscode-settings" => Format::Json(SettingsRoot::TopLevel),
            "code-workspace" => Format::Json(SettingsRoot::WorkspaceFile),
            "idea" => Format::Xml,
            _ => Format::GoMod,
        }
    }
}

fn format_of(path: &Path) -> Format {
    match path.extension().and_then(|e| e.to_str()) {
        Some("xml") => Format::Xml,
        Some("code-workspace") => Format::Json(SettingsRoot::WorkspaceFile),
        Some("mod") | Some("work") => Format::GoMod,
        _ => Format::Json(SettingsRoot::TopLevel),
    }
}

// =============================================================================================
// Independent parsers
// =============================================================================================

fn json_ok(text: &str) -> bool {
    json_value(text).is_some()
}

fn json_value(text: &str) -> Option<Value> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    jsonc_parser::parse_to_serde_value::<Value>(body, &Default::default()).ok()
}

/// A parsed XML element: name, attributes, children (text ignored).
#[derive(Debug, Clone, PartialEq)]
struct XElem {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<XElem>,
}

fn xml_tree(text: &str) -> Option<XElem> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = quick_xml::Reader::from_str(body);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<XElem> = Vec::new();
    let mut root: Option<XElem> = None;
    let elem = |t: &quick_xml::events::BytesStart<'_>| -> Option<XElem> {
        let mut attrs = Vec::new();
        for a in t.attributes() {
            let a = a.ok()?;
            attrs.push((
                String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                a.unescape_value().ok()?.into_owned(),
            ));
        }
        Some(XElem {
            name: String::from_utf8_lossy(t.name().as_ref()).into_owned(),
            attrs,
            children: Vec::new(),
        })
    };
    loop {
        match reader.read_event().ok()? {
            Event::Start(t) => stack.push(elem(&t)?),
            Event::Empty(t) => {
                let e = elem(&t)?;
                match stack.last_mut() {
                    Some(p) => p.children.push(e),
                    None if root.is_none() => root = Some(e),
                    None => return None,
                }
            }
            Event::End(_) => {
                let e = stack.pop()?;
                match stack.last_mut() {
                    Some(p) => p.children.push(e),
                    None if root.is_none() => root = Some(e),
                    None => return None,
                }
            }
            Event::Text(t) if stack.is_empty() && !t.unescape().ok()?.trim().is_empty() => {
                return None;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return None;
    }
    root
}

fn parses(format: Format, text: &str) -> bool {
    match format {
        Format::Json(_) => json_ok(text),
        Format::Xml => {
            let body = text.strip_prefix('\u{feff}').unwrap_or(text);
            body.trim().is_empty() || xml_tree(text).is_some()
        }
        Format::GoMod => true,
    }
}

// =============================================================================================
// Members: where each Go setting of a file is, found independently of the library
// =============================================================================================

#[derive(Debug, Clone)]
struct Member {
    /// The setting's own name: `go.goroot`, `GOPROXY` (inside `go.toolsEnvVars`), `GOROOT`
    /// (GoLand's component), `toolchain` (go.mod directive).
    name: String,
    start: usize,
    end: usize,
}

fn members(format: Format, text: &str) -> Vec<Member> {
    match format {
        Format::Json(root) => json_members(text, root),
        Format::Xml => xml_members(text),
        Format::GoMod => gomod_members(text),
    }
}

fn json_members(text: &str, root: SettingsRoot) -> Vec<Member> {
    use jsonc_parser::ast;
    use jsonc_parser::common::Ranged;
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let body = &text[bom..];
    let Ok(parsed) = jsonc_parser::parse_to_ast(body, &Default::default(), &Default::default())
    else {
        return Vec::new();
    };
    let Some(ast::Value::Object(top)) = parsed.value else {
        return Vec::new();
    };
    let settings = match root {
        SettingsRoot::TopLevel => Some(top),
        SettingsRoot::WorkspaceFile => top.properties.into_iter().rev().find_map(|p| {
            match (p.name.as_str() == "settings", p.value) {
                (true, ast::Value::Object(o)) => Some(o),
                _ => None,
            }
        }),
    };
    let mut out = Vec::new();
    fn walk(o: &jsonc_parser::ast::Object<'_>, go: bool, bom: usize, out: &mut Vec<Member>) {
        for p in &o.properties {
            let name = p.name.as_str().to_string();
            let relevant = go || name.starts_with("go.") || name == "gopls";
            if !relevant {
                continue;
            }
            let r = p.range();
            out.push(Member {
                name: name.clone(),
                start: r.start + bom,
                end: r.end + bom,
            });
            if let jsonc_parser::ast::Value::Object(inner) = &p.value {
                walk(inner, true, bom, out);
            }
        }
    }
    if let Some(s) = settings {
        walk(&s, false, bom, &mut out);
    }
    out
}

fn xml_members(text: &str) -> Vec<Member> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let body = &text[bom..];
    let mut reader = quick_xml::Reader::from_str(body);
    let mut out = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut component: Option<String> = None;
    loop {
        let before = usize::try_from(reader.buffer_position()).unwrap() + bom;
        let ev = match reader.read_event() {
            Ok(e) => e,
            Err(_) => return out,
        };
        let after = usize::try_from(reader.buffer_position()).unwrap() + bom;
        match &ev {
            Event::Start(t) | Event::Empty(t) => {
                let name = String::from_utf8_lossy(t.name().as_ref()).into_owned();
                let attr = |n: &str| {
                    t.attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == n.as_bytes())
                        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
                };
                if path.len() == 1 && name == "component" {
                    component = attr("name");
                    if component.as_deref() == Some("GOROOT") {
                        out.push(Member {
                            name: "GOROOT".into(),
                            start: before,
                            end: after,
                        });
                    }
                }
                if component.as_deref() == Some("VgoProject") {
                    if name == "entry" {
                        if let Some(k) = attr("key") {
                            out.push(Member {
                                name: k,
                                start: before,
                                end: after,
                            });
                        }
                    }
                    if name == "proxy" {
                        out.push(Member {
                            name: "GOPROXY".into(),
                            start: before,
                            end: body.len() + bom,
                        });
                    }
                }
                if matches!(ev, Event::Start(_)) {
                    path.push(name);
                } else if path.len() == 1 && name == "component" {
                    component = None;
                }
            }
            Event::End(_) => {
                path.pop();
                if path.len() == 1 {
                    component = None;
                }
            }
            Event::Eof => return out,
            _ => {}
        }
    }
}

fn gomod_members(text: &str) -> Vec<Member> {
    let mut out = Vec::new();
    let mut at = 0;
    let mut in_use_block = false;
    for line in text.split_inclusive('\n') {
        let word = line.split_whitespace().next().unwrap_or("");
        let code = line.split("//").next().unwrap_or("").trim();
        // A go.work `use` line, alone or inside a `use ( … )` block, names its directory.
        let is_use = if in_use_block {
            if code.starts_with(')') {
                in_use_block = false;
                false
            } else {
                !code.is_empty()
            }
        } else if word == "use" && code.ends_with('(') {
            in_use_block = true;
            false
        } else {
            word == "use"
        };
        if ["go", "toolchain", "module"].contains(&word) || is_use {
            out.push(Member {
                name: if is_use {
                    "use".to_string()
                } else {
                    word.to_string()
                },
                start: at,
                end: at + line.trim_end().len(),
            });
        }
        at += line.len();
    }
    out
}

/// The byte offset of a 1-based line and column (Unicode scalar values, a leading BOM not
/// counted; `\r\n`, `\r` and `\n` end lines).
fn offset_of(text: &str, line: u64, column: u64) -> Option<usize> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let (mut l, mut c) = (1u64, 1u64);
    let mut chars = text[bom..].char_indices().peekable();
    while let Some((i, ch)) = chars.next() {
        if l == line && c == column {
            return Some(i + bom);
        }
        match ch {
            '\r' => {
                if chars.peek().is_some_and(|(_, n)| *n == '\n') {
                    chars.next();
                }
                l += 1;
                c = 1;
            }
            '\n' => {
                l += 1;
                c = 1;
            }
            _ => c += 1,
        }
    }
    (l == line && c == column).then_some(text.len())
}

// =============================================================================================
// Workspaces and runs
// =============================================================================================

struct World {
    _dir: tempfile::TempDir,
    home: PathBuf,
    folder: PathBuf,
    user_settings: PathBuf,
    placed: PathBuf,
}

impl World {
    fn new(entry: &Entry, bytes: &[u8]) -> World {
        let dir = tempfile::Builder::new()
            .prefix("gedcorpus-")
            .tempdir_in("/tmp")
            .unwrap();
        let root = dir.path().canonicalize().unwrap();
        let home = root.join("home");
        // Deep enough that `$PROJECT_DIR$/../../../..` stays below `/` in most files, shallow
        // enough that some climb to it.
        let folder = root.join("src").join("proj");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            home.join(".bash_profile"),
            format!(
                "export PATH={}/bin:/usr/bin:/bin\n",
                support::goroot(SHELL_GO).display()
            ),
        )
        .unwrap();
        let placed = folder.join(entry.placement());
        std::fs::create_dir_all(placed.parent().unwrap()).unwrap();
        std::fs::write(&placed, bytes).unwrap();
        if entry.original != "go.mod" {
            std::fs::write(
                folder.join("go.mod"),
                "module example.com/corpus\n\ngo 1.21\n",
            )
            .unwrap();
        }
        let user_settings = root.join("user-settings.json");
        std::fs::write(&user_settings, "{}\n").unwrap();
        World {
            _dir: dir,
            home,
            folder,
            user_settings,
            placed,
        }
    }

    fn macros(&self) -> idea::Macros {
        idea::Macros {
            home: Some(self.home.clone()),
            project_dir: self.folder.clone(),
        }
    }

    /// `check FOLDER --format json`: exit code and report, or why it failed.
    fn check(&self) -> Result<(i32, Value), String> {
        let mut child = Command::new(support::bin())
            .arg("check")
            .arg(&self.folder)
            .args(["--format", "json"])
            .env_clear()
            .env("HOME", &self.home)
            .env(
                "PATH",
                format!("{}/bin:/usr/bin:/bin", support::goroot(EDITOR_GO).display()),
            )
            .env("SHELL", support::shell("bash"))
            .env("GO_ENV_DOCTOR_USER_SETTINGS", &self.user_settings)
            .current_dir(&self.folder)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("spawn: {e}"))?;
        let mut stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let out_reader = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = stdout.read_to_end(&mut s);
            s
        });
        let err_reader = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = stderr.read_to_end(&mut s);
            s
        });
        let started = Instant::now();
        let status = loop {
            if let Some(st) = child.try_wait().map_err(|e| e.to_string())? {
                break st;
            }
            if started.elapsed() > DEADLINE {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("hung: no result after {DEADLINE:?}"));
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let out = String::from_utf8_lossy(&out_reader.join().unwrap()).into_owned();
        let err = String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned();
        let code = status.code().unwrap_or(-1);
        if code != 0 && code != 1 {
            return Err(format!("exit code {code}\nstderr:\n{err}"));
        }
        if err.contains("panicked") {
            return Err(format!("panic on stderr:\n{err}"));
        }
        let report: Value =
            serde_json::from_str(&out).map_err(|e| format!("not JSON ({e}):\n{out}"))?;
        Ok((code, report))
    }
}

// =============================================================================================
// The installed-SDK variant
// =============================================================================================

/// The file with its GOROOT / go.goroot / go.alternateTools.go / toolsEnvVars GOROOT pointed at
/// an installed SDK; `None` when it has none of them (or cannot be edited).
fn sdk_variant(entry: &Entry, text: &str, world: &World) -> Option<String> {
    let sdk = support::goroot(INSTALLED_SDK);
    let sdk_s = sdk.display().to_string();
    let go_bin = sdk.join("bin/go").display().to_string();
    match entry.format() {
        Format::Json(root) => {
            let names: BTreeSet<String> = json_members(text, root)
                .into_iter()
                .map(|m| m.name)
                .collect();
            let mut out = text.to_string();
            let mut changed = false;
            for (present, key, value) in [
                (names.contains("go.goroot"), "go.goroot", &sdk_s),
                (
                    names.contains("go.alternateTools") && names.contains("go"),
                    "go.alternateTools.go",
                    &go_bin,
                ),
                (
                    names.contains("go.toolsEnvVars") && names.contains("GOROOT"),
                    "go.toolsEnvVars.GOROOT",
                    &sdk_s,
                ),
            ] {
                if present {
                    let edits = jsonc::set_member(&out, root, key, value).ok()?;
                    if !edits.is_empty() {
                        out = apply_edits(&out, &edits);
                        changed = true;
                    }
                }
            }
            changed.then_some(out)
        }
        Format::Xml => {
            let names: BTreeSet<String> = xml_members(text).into_iter().map(|m| m.name).collect();
            let mut out = text.to_string();
            let mut changed = false;
            for (present, key) in [
                (names.contains("GOROOT"), "go.goroot"),
                (false, "go.toolsEnvVars.GOROOT"),
            ] {
                if present {
                    let edits = idea::set_setting(&out, key, &sdk_s, &world.macros()).ok()?;
                    if !edits.is_empty() {
                        out = apply_edits(&out, &edits);
                        changed = true;
                    }
                }
            }
            changed.then_some(out)
        }
        Format::GoMod => None,
    }
}

// =============================================================================================
// Checks of one run
// =============================================================================================

#[derive(Default)]
struct Figures {
    runs: AtomicUsize,
    findings: AtomicUsize,
    located_in_file: AtomicUsize,
    fixes_applied: AtomicUsize,
    fixes_verified: AtomicUsize,
    fixes_other: AtomicUsize,
    variants: AtomicUsize,
}

fn known(entry: &Entry, code: &str) -> bool {
    KNOWN_ELSEWHERE
        .iter()
        .any(|(f, c)| *f == entry.file && *c == code)
}

fn findings(report: &Value) -> &[Value] {
    report["findings"].as_array().map_or(&[], |v| v.as_slice())
}

/// Which finding a second check must not repeat: code, subject, and which editor it is about.
fn identity(f: &Value) -> (String, String, &'static str) {
    let msg = f["message"].as_str().unwrap_or("");
    (
        f["code"].as_str().unwrap_or("").to_string(),
        f["subject"].as_str().unwrap_or("").to_string(),
        editor_of(msg),
    )
}

/// Which editor a finding is about: the side its message starts with (the terminal `check` runs
/// in, VS Code's view of the project's settings, GoLand's), else none in particular.
fn editor_of(msg: &str) -> &'static str {
    for (start, editor) in [
        ("GoLand", "goland"),
        ("VS Code", "vscode"),
        ("This terminal", "terminal"),
        ("This CI job", "terminal"),
    ] {
        if msg.starts_with(start) {
            return editor;
        }
    }
    if msg.contains("GoLand") {
        "goland"
    } else {
        "other"
    }
}

fn errors(report: &Value) -> BTreeSet<(String, String, &'static str)> {
    findings(report)
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(identity)
        .collect()
}

/// Whether finding `f` talks about member `m`.
fn names_member(f: &Value, m: &Member, format: Format) -> bool {
    if format == Format::GoMod {
        return true;
    }
    let msg = f["message"].as_str().unwrap_or("");
    let subject = f["subject"].as_str().unwrap_or("");
    let key = f["editor"]["key"].as_str().unwrap_or("");
    // `go` alone is in every message: the member of `go.alternateTools` goes by its full key.
    let name = if m.name == "go" {
        "go.alternateTools.go"
    } else {
        m.name.as_str()
    };
    subject == name || msg.contains(name) || key.ends_with(name)
}

fn check_run(
    entry: &Entry,
    variant: &str,
    world: &World,
    figures: &Figures,
    problems: &mut Vec<String>,
) {
    let who = format!("{} [{variant}]", entry.file);
    let text = std::fs::read_to_string(&world.placed).unwrap_or_default();
    let format = entry.format();
    figures.runs.fetch_add(1, Ordering::Relaxed);
    let (_, report) = match world.check() {
        Ok(r) => r,
        Err(e) => {
            problems.push(format!("{who}: {e}"));
            return;
        }
    };
    let all = findings(&report);
    figures.findings.fetch_add(all.len(), Ordering::Relaxed);
    let placed = world.placed.display().to_string();

    // Unparseable only when an independent parser agrees.
    if parses(format, &text) {
        for f in all.iter().filter(|f| f["code"] == "settings-unparseable") {
            let on_file = f["locations"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|l| l["path"] == placed.as_str());
            if on_file && !known(entry, "settings-unparseable") {
                problems.push(format!(
                    "{who}: settings-unparseable for a file the independent parser accepts: {f}"
                ));
            }
        }
    }

    // Every location in the corpus file is on the member the finding names.
    let mems = members(format, &text);
    for f in all {
        let code = f["code"].as_str().unwrap_or("");
        for l in f["locations"].as_array().into_iter().flatten() {
            if l["path"] != placed.as_str() || code == "settings-unparseable" {
                continue;
            }
            figures.located_in_file.fetch_add(1, Ordering::Relaxed);
            let (line, col) = (
                l["line"].as_u64().unwrap_or(0),
                l["column"].as_u64().unwrap_or(0),
            );
            // The innermost member holding the position must be the one the finding names (a
            // GOPROXY finding on `go.toolsEnvVars`' key would be on the wrong member).
            let ok = offset_of(&text, line, col).is_some_and(|at| {
                mems.iter()
                    .filter(|m| m.start <= at && at <= m.end)
                    .min_by_key(|m| m.end - m.start)
                    .is_some_and(|m| names_member(f, m, format))
            });
            if !ok && !known(entry, code) {
                problems.push(format!(
                    "{who}: {code} located at {line}:{col}, not on a member it names \
                     (members: {:?}): {}",
                    mems.iter().map(|m| &m.name).collect::<Vec<_>>(),
                    f["message"]
                ));
            }
        }
    }

    // Every settings fix, applied with the library's editors.
    let before_errors = errors(&report);
    for f in all {
        let code = f["code"].as_str().unwrap_or("").to_string();
        for fix in f["fixes"].as_array().into_iter().flatten() {
            let kind = fix["kind"].as_str().unwrap_or("");
            if kind != "set-setting" && kind != "remove-setting" {
                figures.fixes_other.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            figures.fixes_applied.fetch_add(1, Ordering::Relaxed);
            match verify_fix(world, f, fix, &before_errors) {
                Ok(()) => {
                    figures.fixes_verified.fetch_add(1, Ordering::Relaxed);
                }
                Err(e) if known(entry, &code) => {
                    eprintln!("{who}: known elsewhere ({code}): {e}");
                }
                Err(e) => problems.push(format!("{who}: {code}: fix {}: {e}", fix["title"])),
            }
        }
    }
}

/// Applies one settings fix to a copy of its file, checks the result and a second run, and
/// restores the file.
fn verify_fix(
    world: &World,
    finding: &Value,
    fix: &Value,
    before_errors: &BTreeSet<(String, String, &'static str)>,
) -> Result<(), String> {
    let file = PathBuf::from(fix["file"].as_str().ok_or("no file")?);
    let key = fix["key"].as_str().ok_or("no key")?;
    let value = fix["value"].as_str();
    let format = format_of(&file);
    let original = std::fs::read(&file).ok();
    let before = original
        .as_deref()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    let edits: Vec<TextEdit> = match (format, value) {
        (Format::Xml, Some(v)) => {
            idea::set_setting(&before, key, v, &world.macros()).map_err(|e| e.to_string())
        }
        (Format::Xml, None) => idea::remove_setting(&before, key).map_err(|e| e.to_string()),
        (Format::Json(root), Some(v)) => {
            jsonc::set_member(&before, root, key, v).map_err(|e| e.to_string())
        }
        (Format::Json(root), None) => {
            jsonc::remove_member(&before, root, key).map_err(|e| e.to_string())
        }
        (Format::GoMod, _) => return Err("a settings fix for go.mod/go.work".into()),
    }
    .map_err(|e| format!("the editor refused: {e}"))?;
    let after = apply_edits(&before, &edits);
    if !parses(format, &after) {
        return Err(format!("the fixed file does not parse:\n{after}"));
    }
    if original.is_some() {
        same_but_member(format, &before, &after, key)?;
    }
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(&file, &after).map_err(|e| format!("{}: {e}", file.display()))?;
    let second = world.check();
    match original {
        Some(bytes) => std::fs::write(&file, bytes).unwrap(),
        None => {
            let _ = std::fs::remove_file(&file);
        }
    }
    let (_, report2) = second?;
    let id = identity(finding);
    if findings(&report2).iter().any(|f| identity(f) == id) {
        return Err(format!(
            "the finding is still there after the fix:\n{after}\n{:#}",
            report2["findings"]
        ));
    }
    let new_errors: Vec<_> = errors(&report2)
        .difference(before_errors)
        .cloned()
        .collect();
    if !new_errors.is_empty() {
        return Err(format!(
            "the fix brings new errors {new_errors:?}:\n{after}\n{:#}",
            report2["findings"]
        ));
    }
    Ok(())
}

/// The settings object path of a dotted key.
fn json_path(key: &str, root: SettingsRoot) -> Vec<String> {
    let mut p = Vec::new();
    if root == SettingsRoot::WorkspaceFile {
        p.push("settings".to_string());
    }
    for prefix in ["go.toolsEnvVars.", "go.alternateTools."] {
        if let Some(rest) = key.strip_prefix(prefix) {
            p.push(prefix.trim_end_matches('.').to_string());
            p.push(rest.to_string());
            return p;
        }
    }
    if let Some(rest) = key.strip_prefix("gopls.build.env.") {
        p.extend([
            "gopls".to_string(),
            "build.env".to_string(),
            rest.to_string(),
        ]);
        return p;
    }
    p.push(key.to_string());
    p
}

/// Removes the member at `path` and then objects on the way that are left empty.
fn strip_json(v: &mut Value, path: &[String]) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let Some(obj) = v.as_object_mut() else {
        return;
    };
    if rest.is_empty() {
        obj.shift_remove(first.as_str());
        return;
    }
    if let Some(child) = obj.get_mut(first.as_str()) {
        strip_json(child, rest);
        if child.as_object().is_some_and(|o| o.is_empty()) {
            obj.shift_remove(first.as_str());
        }
    }
}

fn strip_xml(e: &mut XElem, key: &str) {
    let var = key.strip_prefix("go.toolsEnvVars.");
    e.children.retain(|c| {
        let name_attr = c.attrs.iter().find(|(k, _)| k == "name").map(|(_, v)| v);
        let key_attr = c.attrs.iter().find(|(k, _)| k == "key").map(|(_, v)| v);
        match var {
            None => !(c.name == "component" && name_attr.is_some_and(|n| n == "GOROOT")),
            Some(v) => {
                let entry = c.name == "entry" && key_attr.is_some_and(|k| k == v);
                let proxy = v == "GOPROXY" && c.name == "proxy";
                !(entry || proxy)
            }
        }
    });
    for c in &mut e.children {
        strip_xml(c, key);
    }
    e.children.retain(|c| {
        let is_wrapper = c.name == "environment" || c.name == "map";
        let empty_vgo = c.name == "component"
            && c.attrs
                .iter()
                .any(|(k, v)| k == "name" && v == "VgoProject");
        !((is_wrapper || empty_vgo) && c.children.is_empty() && (is_wrapper || c.attrs.len() == 1))
    });
}

/// The two texts parse to the same tree once the fix's member is taken out of both.
fn same_but_member(format: Format, before: &str, after: &str, key: &str) -> Result<(), String> {
    match format {
        Format::Json(root) => {
            let (Some(mut b), Some(mut a)) = (json_value(before), json_value(after)) else {
                return Err("not JSON".into());
            };
            let path = json_path(key, root);
            strip_json(&mut b, &path);
            strip_json(&mut a, &path);
            // gopls' `build.env` may also be written `"build": {"env": …}`.
            if (a != b) && key.starts_with("gopls.build.env.") {
                let mut alt = path.clone();
                let at = alt.iter().position(|s| s == "build.env").unwrap_or(0);
                alt.splice(at..=at, ["build".to_string(), "env".to_string()]);
                strip_json(&mut b, &alt);
                strip_json(&mut a, &alt);
            }
            if a != b {
                return Err(format!(
                    "more than {key} changed:\n--- before\n{before}\n--- after\n{after}"
                ));
            }
        }
        Format::Xml => {
            let (Some(mut b), Some(mut a)) = (xml_tree(before), xml_tree(after)) else {
                return Err("not XML".into());
            };
            strip_xml(&mut b, key);
            strip_xml(&mut a, key);
            if a != b {
                return Err(format!(
                    "more than {key} changed:\n--- before\n{before}\n--- after\n{after}"
                ));
            }
        }
        Format::GoMod => {}
    }
    Ok(())
}

// =============================================================================================
// The suite
// =============================================================================================

#[test]
fn every_corpus_file_is_checked_located_and_fixed_correctly() {
    let dir = corpus_dir();
    let all = entries(&dir);
    assert!(!all.is_empty(), "SOURCES.tsv lists no file");
    // Fail early, naming what is missing, rather than once per file.
    for v in [EDITOR_GO, SHELL_GO, INSTALLED_SDK] {
        support::goroot(v);
    }
    support::shell("bash");

    let figures = Figures::default();
    let problems: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let next = AtomicUsize::new(0);
    let only = std::env::var("GO_ENV_DOCTOR_CORPUS_ONLY").ok();
    let workers = 2;
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(entry) = all.get(i) else { break };
                if only.as_deref().is_some_and(|o| !entry.file.contains(o)) {
                    continue;
                }
                let bytes = std::fs::read(dir.join(&entry.file))
                    .unwrap_or_else(|e| panic!("{}: {e}", entry.file));
                let mut local = Vec::new();
                let world = World::new(entry, &bytes);
                check_run(entry, "as-is", &world, &figures, &mut local);
                let text = String::from_utf8_lossy(&bytes).into_owned();
                if let Some(v) = sdk_variant(entry, &text, &world) {
                    figures.variants.fetch_add(1, Ordering::Relaxed);
                    let world = World::new(entry, v.as_bytes());
                    check_run(entry, "installed SDK", &world, &figures, &mut local);
                }
                problems.lock().unwrap().extend(local);
            });
        }
    });
    let problems = problems.into_inner().unwrap();
    println!(
        "real corpus: {} files, {} installed-SDK variants, {} checks, {} findings \
         ({} located in the corpus file), {} settings fixes applied, {} verified, \
         {} other fixes (commands) not applied, {} problems",
        all.len(),
        figures.variants.load(Ordering::Relaxed),
        figures.runs.load(Ordering::Relaxed),
        figures.findings.load(Ordering::Relaxed),
        figures.located_in_file.load(Ordering::Relaxed),
        figures.fixes_applied.load(Ordering::Relaxed),
        figures.fixes_verified.load(Ordering::Relaxed),
        figures.fixes_other.load(Ordering::Relaxed),
        problems.len()
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}
