//! GoLand / IntelliJ project files (`.idea/workspace.xml`): the Go SDK (`GOROOT` component)
//! and the `VgoProject` environment, with exact source ranges, and minimal text edits that keep
//! every other byte (CRLF, attribute order, other components, non-ASCII text) unchanged.
//!
//! The values are reported under the same semantic keys as VS Code settings, so the rules need
//! not know which editor they look at:
//! * `go.goroot` — `<component name="GOROOT" url="file://…"/>` (or the older `path="…"`), with
//!   `$USER_HOME$` and `$PROJECT_DIR$` expanded and the path normalised lexically;
//! * `go.toolsEnvVars.<KEY>` — `<component name="VgoProject"><environment><map>
//!   <entry key="KEY" value="…"/>`, and the older `<proxy>…</proxy>` as `GOPROXY` (an
//!   environment entry wins over it).
//!
//! `.idea/misc.xml` may hold the same `GOROOT` component: GoLand versions that kept the Go SDK
//! with the shared project settings wrote it there, and public projects still carry one (even
//! beside a workspace.xml naming another SDK). It is read with [`parse_misc`], ranked below
//! workspace.xml, located and edited like it.
//!
//! # Positions
//! A value's span is the attribute value **without its quotes** (the text of `<proxy>`, trimmed,
//! for the older form). Byte offsets are into the text as given; lines and columns as in
//! [`super::jsonc::line_col`].

use std::path::{Component, Path, PathBuf};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::jsonc::line_col;
use super::TextEdit;
use crate::model::{Configured, SettingKey, SettingsError, SettingsLayer, SourceSpan};

/// The key of the Go SDK (`go.goroot`) and the prefix of an environment entry's key
/// (`go.toolsEnvVars.`), as text for callers that build keys from strings.
pub const GOROOT_KEY: &str = SettingKey::GO_GOROOT;
pub const ENV_PREFIX: &str = SettingKey::TOOLS_ENV_VARS_PREFIX;
const USER_HOME: &str = "$USER_HOME$";
const PROJECT_DIR: &str = "$PROJECT_DIR$";
const FILE_URL: &str = "file://";

/// What JetBrains' path macros stand for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Macros {
    /// `$USER_HOME$`; `None`: left as is.
    pub home: Option<PathBuf>,
    /// `$PROJECT_DIR$`: the folder holding `.idea`.
    pub project_dir: PathBuf,
}

/// What a setting is in workspace.xml: the Go SDK, or an environment entry of Go Modules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdeaSetting<'a> {
    /// `go.goroot`: the `GOROOT` component.
    Goroot,
    /// `go.toolsEnvVars.<VAR>`: the `VgoProject` environment entry of `VAR`.
    Env(&'a str),
}

/// The workspace.xml setting a key stands for; `None` for a key GoLand has no place for.
fn idea_setting(key: &SettingKey) -> Option<IdeaSetting<'_>> {
    match key {
        SettingKey::GoGoroot => Some(IdeaSetting::Goroot),
        SettingKey::ToolsEnvVar(var) if !var.is_empty() => Some(IdeaSetting::Env(var)),
        _ => None,
    }
}

/// Whether a setting key can be written to workspace.xml (`go.goroot`, `go.toolsEnvVars.KEY`).
pub fn supports_key(key: &str) -> bool {
    supports(&SettingKey::from(key))
}

/// [`supports_key`] for a parsed key.
pub fn supports(key: &SettingKey) -> bool {
    idea_setting(key).is_some()
}

/// Whether `file` is a JetBrains XML settings file (edited by this module, not as JSONC).
pub fn is_idea_file(file: &Path) -> bool {
    file.extension().is_some_and(|e| e == "xml")
}

/// Expands `$USER_HOME$` / `$PROJECT_DIR$` and normalises `.`/`..` lexically (as JetBrains'
/// VFS does with URLs).
pub fn expand(raw: &str, m: &Macros) -> String {
    let mut s = raw.to_string();
    if let Some(home) = &m.home {
        s = s.replace(USER_HOME, &home.to_string_lossy());
    }
    s = s.replace(PROJECT_DIR, &m.project_dir.to_string_lossy());
    if Path::new(&s).is_absolute() {
        normalise(Path::new(&s)).to_string_lossy().into_owned()
    } else {
        s
    }
}

/// `.` and `..` resolved lexically the way IntelliJ's `FileUtil.toCanonicalPath` does it: a
/// `..` that would climb above the root of an absolute path stays at the root (`/a/../../b` is
/// `/b`, as the kernel reads it too), so a `$PROJECT_DIR$/../../..` written in a deeper folder
/// names the same directory GoLand opens, never a path starting with `/..`.
fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if out.has_root() && out.parent().is_none() {
                    continue;
                }
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// What GoLand calls a setting, as the user finds it there: `GOROOT (Settings → Go → GOROOT)`
/// for the `GOROOT` component, `the GOPROXY environment entry of Go Modules` for a `VgoProject`
/// environment entry (Settings → Go → Go Modules → Environment). `None`: not a GoLand setting.
pub fn setting_words(key: impl Into<SettingKey>) -> Option<String> {
    let key = key.into();
    Some(match idea_setting(&key)? {
        IdeaSetting::Goroot => "GOROOT (Settings → Go → GOROOT)".to_string(),
        IdeaSetting::Env(var) => format!("the {var} environment entry of Go Modules"),
    })
}

/// A short name of a GoLand setting, for tables and machine-readable reports: `GOROOT`,
/// `Go Modules environment GOPROXY`. `None`: not a GoLand setting.
pub fn setting_name(key: impl Into<SettingKey>) -> Option<String> {
    let key = key.into();
    Some(match idea_setting(&key)? {
        IdeaSetting::Goroot => "GOROOT".to_string(),
        IdeaSetting::Env(var) => format!("Go Modules environment {var}"),
    })
}

/// The form GoLand stores a path in: `$PROJECT_DIR$/…` inside the project, `$USER_HOME$/…`
/// under the home directory, else the absolute path.
pub fn collapse(path: &str, m: &Macros) -> String {
    let p = Path::new(path);
    let rel = |base: &Path, mac: &str| -> Option<String> {
        if base.as_os_str().is_empty() {
            return None;
        }
        let rest = p.strip_prefix(base).ok()?;
        if rest.as_os_str().is_empty() {
            Some(mac.to_string())
        } else {
            Some(format!(
                "{mac}/{}",
                rest.to_string_lossy().replace('\\', "/")
            ))
        }
    };
    rel(&m.project_dir, PROJECT_DIR)
        .or_else(|| m.home.as_deref().and_then(|h| rel(h, USER_HOME)))
        .unwrap_or_else(|| path.replace('\\', "/"))
}

// ---------------------------------------------------------------------------------------------
// A small element tree with byte ranges
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Attr {
    name: String,
    value: String,
    /// The value's range, quotes excluded.
    start: usize,
    end: usize,
}

#[derive(Debug, Clone)]
struct Elem {
    name: String,
    /// `<` of the start tag.
    start: usize,
    /// Just past the start tag's `>`.
    open_end: usize,
    /// `<` of the end tag (== `end` for an empty element).
    close_start: usize,
    /// Just past the element.
    end: usize,
    empty: bool,
    attrs: Vec<Attr>,
    children: Vec<usize>,
    /// Text content (unescaped) with its range, for leaf elements like `<proxy>`.
    text: Option<(String, usize, usize)>,
}

impl Elem {
    fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }
}

struct Doc<'t> {
    text: &'t str,
    elems: Vec<Elem>,
    root: Option<usize>,
}

impl Doc<'_> {
    fn children<'a>(&'a self, of: usize, name: &'a str) -> impl Iterator<Item = usize> + 'a {
        self.elems
            .get(of)
            .map(|e| e.children.as_slice())
            .unwrap_or(&[])
            .iter()
            .copied()
            .filter(move |c| self.elems.get(*c).is_some_and(|e| e.name == name))
    }

    fn component(&self, name: &str) -> Option<usize> {
        let root = self.root?;
        self.children(root, "component")
            .filter(|c| self.elems[*c].attr("name").is_some_and(|a| a.value == name))
            .last()
    }

    fn env_map(&self) -> Option<usize> {
        let vgo = self.component("VgoProject")?;
        let env = self.children(vgo, "environment").last()?;
        self.children(env, "map").last()
    }

    fn entries(&self) -> Vec<usize> {
        match self.env_map() {
            Some(map) => self.children(map, "entry").collect(),
            None => Vec::new(),
        }
    }

    fn elem(&self, i: usize) -> &Elem {
        &self.elems[i]
    }
}

fn error_at(text: &str, offset: usize, message: String) -> SettingsError {
    let (line, column) = line_col(text, offset);
    SettingsError {
        message,
        line,
        column,
    }
}

/// The byte offset of `sub` inside `text` when it is a sub-slice of it.
fn offset_in(text: &str, sub: &[u8]) -> Option<usize> {
    let base = text.as_ptr() as usize;
    let at = (sub.as_ptr() as usize).checked_sub(base)?;
    (at + sub.len() <= text.len()).then_some(at)
}

fn attrs_of(
    text: &str,
    tag: &BytesStart<'_>,
    tag_start: usize,
) -> Result<Vec<Attr>, SettingsError> {
    let mut out = Vec::new();
    for a in tag.attributes() {
        let a = a.map_err(|e| error_at(text, tag_start, format!("bad attribute: {e}")))?;
        let name = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let Some(start) = offset_in(text, &a.value) else {
            return Err(error_at(
                text,
                tag_start,
                "attribute value not found in the text".into(),
            ));
        };
        let value = a
            .unescape_value()
            .map_err(|e| error_at(text, start, format!("bad attribute value: {e}")))?
            .into_owned();
        out.push(Attr {
            name,
            value,
            start,
            end: start + a.value.len(),
        });
    }
    Ok(out)
}

fn parse_doc(text: &str) -> Result<Doc<'_>, SettingsError> {
    // quick-xml drops a leading BOM without counting it in its positions: parse the text after
    // it and add its length back (a second BOM would be dropped too, and is not XML anyway).
    let (body, base) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, text.len() - rest.len()),
        None => (text, 0),
    };
    if body.starts_with('\u{feff}') {
        return Err(error_at(
            text,
            base,
            "malformed XML: text outside the root element".into(),
        ));
    }
    let position = |p: u64| {
        usize::try_from(p)
            .unwrap_or(usize::MAX)
            .saturating_add(base)
    };
    let mut reader = Reader::from_str(body);
    {
        let c = reader.config_mut();
        c.trim_text(false);
        c.check_end_names = true;
        c.expand_empty_elements = false;
    }
    let mut elems: Vec<Elem> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut root = None;
    loop {
        let before = position(reader.buffer_position());
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                let at = position(reader.error_position());
                return Err(error_at(text, at, format!("malformed XML: {e}")));
            }
        };
        let after = position(reader.buffer_position());
        match event {
            Event::Start(tag) | Event::Empty(tag) => {
                let attrs = attrs_of(text, &tag, before)?;
                // quick-xml takes `<project//>` for an element named `project/` (and keeps control
                // characters in names); an edit that rewrites such a tag could break the file, and
                // no XML parser reads it anyway.
                let name = tag.name();
                if name.as_ref().is_empty()
                    || name.as_ref().iter().any(|b| {
                        b.is_ascii_control()
                            || matches!(b, b'/' | b'<' | b'>' | b'"' | b'\'' | b'=' | b'&')
                    })
                {
                    return Err(error_at(
                        text,
                        before,
                        "malformed XML: invalid element name".into(),
                    ));
                }
                let empty = after >= 2 && text.as_bytes().get(after - 2) == Some(&b'/');
                let idx = elems.len();
                let elem = Elem {
                    name: String::from_utf8_lossy(tag.name().as_ref()).into_owned(),
                    start: before,
                    open_end: after,
                    close_start: after,
                    end: after,
                    empty,
                    attrs,
                    children: Vec::new(),
                    text: None,
                };
                elems.push(elem);
                match stack.last() {
                    Some(&p) => elems[p].children.push(idx),
                    None if root.is_none() => root = Some(idx),
                    None => {
                        return Err(error_at(
                            text,
                            before,
                            "malformed XML: more than one root element".into(),
                        ))
                    }
                }
                if !empty {
                    stack.push(idx);
                }
            }
            Event::End(_) => {
                let Some(idx) = stack.pop() else {
                    return Err(error_at(
                        text,
                        before,
                        "malformed XML: unexpected end tag".into(),
                    ));
                };
                elems[idx].close_start = before;
                elems[idx].end = after;
            }
            Event::Text(t) => {
                if let Some(&p) = stack.last() {
                    let raw = text.get(before..after).unwrap_or("");
                    if !raw.trim().is_empty() {
                        let value = t
                            .unescape()
                            .map_err(|e| error_at(text, before, format!("malformed XML: {e}")))?
                            .trim()
                            .to_string();
                        let lead = raw.len() - raw.trim_start().len();
                        let start = before + lead;
                        let end = start + raw.trim().len();
                        elems[p].text = Some((value, start, end));
                    }
                } else if !text.get(before..after).unwrap_or("").trim().is_empty() {
                    return Err(error_at(
                        text,
                        before,
                        "malformed XML: text outside the root element".into(),
                    ));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(&open) = stack.last() {
        let name = elems[open].name.clone();
        return Err(error_at(
            text,
            text.len(),
            format!("malformed XML: <{name}> is not closed"),
        ));
    }
    Ok(Doc { text, elems, root })
}

// ---------------------------------------------------------------------------------------------
// Extraction
// ---------------------------------------------------------------------------------------------

/// The Go settings of a `workspace.xml` (layer: folder), in the order the rules should see
/// them (for a key given twice, the last wins). Malformed XML is an error (no value is used and
/// no edit is offered). An empty file has no settings.
pub fn parse_workspace(
    path: &Path,
    text: &str,
    layer: SettingsLayer,
    macros: &Macros,
) -> Result<Vec<Configured>, SettingsError> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    if body.trim().is_empty() {
        return Ok(Vec::new());
    }
    let doc = parse_doc(text)?;
    let mk = |key: SettingKey, raw: String, value: String, start: usize, end: usize| {
        let (line, column) = line_col(text, start);
        Configured {
            key,
            raw,
            value,
            layer,
            span: SourceSpan {
                file: path.to_path_buf(),
                start,
                end,
                line,
                column,
            },
        }
    };
    let mut out = Vec::new();
    if let Some(goroot) = goroot_value(&doc, &mk, macros) {
        out.push(goroot);
    }
    if let Some(vgo) = doc.component("VgoProject") {
        // The older `<proxy>` first: an environment GOPROXY entry wins over it.
        if let Some(p) = doc.children(vgo, "proxy").last() {
            if let Some((value, start, end)) = doc.elem(p).text.clone() {
                out.push(mk(
                    SettingKey::tools_env_var("GOPROXY"),
                    value.clone(),
                    value,
                    start,
                    end,
                ));
            }
        }
        for entry in doc.entries() {
            let e = doc.elem(entry);
            let (Some(k), Some(v)) = (e.attr("key"), e.attr("value")) else {
                continue;
            };
            if k.value.is_empty() {
                continue;
            }
            out.push(mk(
                SettingKey::tools_env_var(&k.value),
                v.value.clone(),
                expand(&v.value, macros),
                v.start,
                v.end,
            ));
        }
    }
    Ok(out)
}

/// The `GOROOT` component's location (`url="file://…"`, else the older `path="…"`), expanded.
fn goroot_value(
    doc: &Doc<'_>,
    mk: &dyn Fn(SettingKey, String, String, usize, usize) -> Configured,
    macros: &Macros,
) -> Option<Configured> {
    let e = doc.elem(doc.component("GOROOT")?);
    if let Some(a) = e.attr("url") {
        let stripped = a.value.strip_prefix(FILE_URL).unwrap_or(&a.value);
        return Some(mk(
            SettingKey::GoGoroot,
            a.value.clone(),
            expand(stripped, macros),
            a.start,
            a.end,
        ));
    }
    let a = e.attr("path")?;
    Some(mk(
        SettingKey::GoGoroot,
        a.value.clone(),
        expand(&a.value, macros),
        a.start,
        a.end,
    ))
}

/// The Go SDK of a `.idea/misc.xml`: the `GOROOT` component only, in the same forms as in
/// workspace.xml. GoLand versions that kept the SDK with the shared project settings wrote it
/// there (public projects still carry it); the IDE reads a component from its older file when
/// the current one (workspace.xml) has none, so the caller ranks it below workspace.xml.
/// Nothing else of misc.xml is a Go setting. Malformed XML is an error, an empty file has none.
pub fn parse_misc(
    path: &Path,
    text: &str,
    layer: SettingsLayer,
    macros: &Macros,
) -> Result<Vec<Configured>, SettingsError> {
    let values = parse_workspace(path, text, layer, macros)?;
    Ok(values
        .into_iter()
        .filter(|c| c.key == SettingKey::GoGoroot)
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Edits
// ---------------------------------------------------------------------------------------------

/// Why an edit could not be computed.
#[derive(Debug, Clone, PartialEq)]
pub enum EditError {
    Unparseable(SettingsError),
    /// The key cannot be stored in workspace.xml (see [`supports_key`]).
    Unsupported(String),
    /// The file has no `<project>` root element to add a component to.
    NoRoot,
}

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EditError::Unparseable(e) => write!(
                f,
                "workspace.xml cannot be parsed: {} (line {}, column {})",
                e.message, e.line, e.column
            ),
            EditError::Unsupported(k) => write!(f, "{k} cannot be set in workspace.xml"),
            EditError::NoRoot => write!(f, "workspace.xml has no <project> element"),
        }
    }
}

impl std::error::Error for EditError {}

/// XML attribute text for `s` (`&`, `<`, `>`, both quotes and control characters escaped;
/// non-ASCII as is). `'` too, because an edit may replace the value of a single-quoted attribute.
pub fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

fn eol(text: &str) -> &'static str {
    if text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// `s` without trailing XML white space. Not `str::trim_end`: it also takes characters such as
/// U+000B that XML reads as part of a name, and the name would then lose them.
fn trim_xml_end(s: &str) -> &str {
    s.trim_end_matches([' ', '\t', '\r', '\n'])
}

/// The white space before `at` on its line, when only white space precedes it.
fn indent_before(text: &str, at: usize) -> Option<&str> {
    let line_start = text.get(..at)?.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let ws = text.get(line_start..at)?;
    ws.chars().all(|c| c == ' ' || c == '\t').then_some(ws)
}

/// One indentation step: the difference between a child's and its parent's indentation.
fn indent_unit(doc: &Doc<'_>) -> String {
    let text = doc.text;
    for e in &doc.elems {
        let Some(parent_indent) = indent_before(text, e.start) else {
            continue;
        };
        for &c in &e.children {
            if let Some(child) = doc.elems.get(c).and_then(|c| indent_before(text, c.start)) {
                if let Some(unit) = child.strip_prefix(parent_indent).filter(|u| !u.is_empty()) {
                    return unit.to_string();
                }
            }
        }
    }
    "  ".to_string()
}

/// The range that removes element `e` with its own line when it is alone on it.
fn removal_range(text: &str, e: &Elem) -> (usize, usize) {
    let before_ok = indent_before(text, e.start);
    let rest = text.get(e.end..).unwrap_or("");
    let trailing = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    let after = &rest[trailing..];
    let line_break = if after.starts_with("\r\n") {
        2
    } else if after.starts_with('\n') || after.starts_with('\r') {
        1
    } else {
        0
    };
    match before_ok {
        Some(ws) if line_break > 0 => (e.start - ws.len(), e.end + trailing + line_break),
        _ => (e.start, e.end),
    }
}

/// Inserts `lines` (already indented, without line breaks) as the last children of `parent`.
fn insert_children(doc: &Doc<'_>, parent: usize, lines: &[String]) -> TextEdit {
    let text = doc.text;
    let nl = eol(text);
    let p = doc.elem(parent);
    let parent_indent = indent_before(text, p.start).unwrap_or("").to_string();
    if p.empty {
        // `<x ... />` → `<x ...>` + children + `</x>`.
        let head_end = p.end.saturating_sub(2);
        let head = trim_xml_end(text.get(p.start..head_end).unwrap_or(""));
        let mut new_text = format!("{head}>");
        for l in lines {
            new_text.push_str(nl);
            new_text.push_str(l);
        }
        new_text.push_str(nl);
        new_text.push_str(&parent_indent);
        new_text.push_str(&format!("</{}>", p.name));
        return TextEdit {
            start: p.start,
            end: p.end,
            new_text,
        };
    }
    // After the last child (or the start tag), on lines of their own.
    let anchor = p
        .children
        .last()
        .map(|c| doc.elem(*c).end)
        .unwrap_or(p.open_end);
    let mut new_text = String::new();
    for l in lines {
        new_text.push_str(nl);
        new_text.push_str(l);
    }
    let closing_on_own_line = indent_before(text, p.close_start).is_some();
    if !closing_on_own_line || (p.children.is_empty() && anchor == p.close_start) {
        new_text.push_str(nl);
        new_text.push_str(&parent_indent);
    }
    TextEdit {
        start: anchor,
        end: anchor,
        new_text,
    }
}

fn parse_for_edit(text: &str) -> Result<Doc<'_>, EditError> {
    parse_doc(text).map_err(EditError::Unparseable)
}

/// Sets `key` (`go.goroot` to a path, or `go.toolsEnvVars.KEY`) in `text`. At most one edit;
/// none when the value is already there.
pub fn set_setting(
    text: &str,
    key: &str,
    value: &str,
    macros: &Macros,
) -> Result<Vec<TextEdit>, EditError> {
    let parsed = SettingKey::from(key);
    let Some(setting) = idea_setting(&parsed) else {
        return Err(EditError::Unsupported(key.to_string()));
    };
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    if body.trim().is_empty() {
        let nl = eol(text);
        let component = new_component(setting, value, macros, "  ", "  ", nl);
        return Ok(vec![TextEdit {
            // After a BOM: the file keeps it.
            start: text.len() - body.len(),
            end: text.len(),
            new_text: format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>{nl}<project version=\"4\">{nl}{component}{nl}</project>{nl}"
            ),
        }]);
    }
    let doc = parse_for_edit(text)?;
    let root = doc.root.ok_or(EditError::NoRoot)?;
    let unit = indent_unit(&doc);
    let var = match setting {
        IdeaSetting::Env(var) => var,
        IdeaSetting::Goroot => {
            let collapsed = collapse(value, macros);
            if let Some(c) = doc.component("GOROOT") {
                let e = doc.elem(c);
                let (attr, new_value) = match (e.attr("url"), e.attr("path")) {
                    (Some(a), _) => (a, format!("{FILE_URL}{collapsed}")),
                    (None, Some(a)) => (a, collapsed),
                    (None, None) => {
                        // `<component name="GOROOT">` without a location: add the url.
                        let at = if e.empty {
                            text.get(..e.end.saturating_sub(2))
                                .map_or(e.start, |h| trim_xml_end(h).len())
                        } else {
                            e.open_end.saturating_sub(1)
                        };
                        return Ok(vec![TextEdit {
                            start: at,
                            end: at,
                            new_text: format!(
                                " url=\"{}\"",
                                escape_attr(&format!("{FILE_URL}{collapsed}"))
                            ),
                        }]);
                    }
                };
                if attr.value == new_value {
                    return Ok(Vec::new());
                }
                return Ok(vec![TextEdit {
                    start: attr.start,
                    end: attr.end,
                    new_text: escape_attr(&new_value),
                }]);
            }
            let indent = child_indent(&doc, root, &unit);
            let line = new_component(setting, value, macros, &indent, &unit, eol(text));
            return Ok(vec![insert_children(&doc, root, &[line])]);
        }
    };
    // An existing entry: replace its value.
    let entries = doc.entries();
    if let Some(e) = entries
        .iter()
        .rev()
        .map(|i| doc.elem(*i))
        .find(|e| e.attr("key").is_some_and(|k| k.value == var))
    {
        return Ok(match e.attr("value") {
            Some(v) if v.value == value => Vec::new(),
            Some(v) => vec![TextEdit {
                start: v.start,
                end: v.end,
                new_text: escape_attr(value),
            }],
            None => {
                let at = if e.empty {
                    text.get(..e.end.saturating_sub(2))
                        .map_or(e.start, |h| trim_xml_end(h).len())
                } else {
                    e.open_end.saturating_sub(1)
                };
                vec![TextEdit {
                    start: at,
                    end: at,
                    new_text: format!(" value=\"{}\"", escape_attr(value)),
                }]
            }
        });
    }
    let entry = format!(
        "<entry key=\"{}\" value=\"{}\" />",
        escape_attr(var),
        escape_attr(value)
    );
    if let Some(map) = doc.env_map() {
        let indent = child_indent(&doc, map, &unit);
        return Ok(vec![insert_children(
            &doc,
            map,
            &[format!("{indent}{entry}")],
        )]);
    }
    if let Some(vgo) = doc.component("VgoProject") {
        let indent = child_indent(&doc, vgo, &unit);
        let lines = vec![
            format!("{indent}<environment>"),
            format!("{indent}{unit}<map>"),
            format!("{indent}{unit}{unit}{entry}"),
            format!("{indent}{unit}</map>"),
            format!("{indent}</environment>"),
        ];
        // An `<environment />` without a map is replaced.
        if let Some(env) = doc.children(vgo, "environment").last() {
            let e = doc.elem(env);
            let own = indent_before(text, e.start).unwrap_or(indent.as_str());
            let block = [
                "<environment>".to_string(),
                format!("{own}{unit}<map>"),
                format!("{own}{unit}{unit}{entry}"),
                format!("{own}{unit}</map>"),
                format!("{own}</environment>"),
            ]
            .join(eol(text));
            return Ok(vec![TextEdit {
                start: e.start,
                end: e.end,
                new_text: block,
            }]);
        }
        return Ok(vec![insert_children(&doc, vgo, &lines)]);
    }
    let indent = child_indent(&doc, root, &unit);
    let line = new_component(setting, value, macros, &indent, &unit, eol(text));
    Ok(vec![insert_children(&doc, root, &[line])])
}

/// The indentation of `parent`'s children: like its existing children, else one step deeper.
fn child_indent(doc: &Doc<'_>, parent: usize, unit: &str) -> String {
    let p = doc.elem(parent);
    if let Some(ws) = p
        .children
        .last()
        .and_then(|c| indent_before(doc.text, doc.elem(*c).start))
    {
        return ws.to_string();
    }
    format!("{}{unit}", indent_before(doc.text, p.start).unwrap_or(""))
}

/// A new component holding one setting, its first line indented by `indent`.
fn new_component(
    setting: IdeaSetting<'_>,
    value: &str,
    macros: &Macros,
    indent: &str,
    unit: &str,
    nl: &str,
) -> String {
    let var = match setting {
        IdeaSetting::Env(var) => var,
        IdeaSetting::Goroot => {
            let url = format!("{FILE_URL}{}", collapse(value, macros));
            return format!(
                "{indent}<component name=\"GOROOT\" url=\"{}\" />",
                escape_attr(&url)
            );
        }
    };
    let i1 = format!("{indent}{unit}");
    let i2 = format!("{i1}{unit}");
    let i3 = format!("{i2}{unit}");
    [
        format!("{indent}<component name=\"VgoProject\">"),
        format!("{i1}<environment>"),
        format!("{i2}<map>"),
        format!(
            "{i3}<entry key=\"{}\" value=\"{}\" />",
            escape_attr(var),
            escape_attr(value)
        ),
        format!("{i2}</map>"),
        format!("{i1}</environment>"),
        format!("{indent}</component>"),
    ]
    .join(nl)
}

/// Removes `key`: the whole `GOROOT` component for `go.goroot`; every environment entry of the
/// variable (and a `<proxy>` element for GOPROXY) for `go.toolsEnvVars.KEY`. No edit when absent.
pub fn remove_setting(text: &str, key: &str) -> Result<Vec<TextEdit>, EditError> {
    let parsed = SettingKey::from(key);
    let Some(setting) = idea_setting(&parsed) else {
        return Err(EditError::Unsupported(key.to_string()));
    };
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    if body.trim().is_empty() {
        return Ok(Vec::new());
    }
    let doc = parse_for_edit(text)?;
    let mut targets: Vec<usize> = Vec::new();
    match setting {
        IdeaSetting::Goroot => {
            if let Some(root) = doc.root {
                targets.extend(doc.children(root, "component").filter(|c| {
                    doc.elem(*c)
                        .attr("name")
                        .is_some_and(|a| a.value == "GOROOT")
                }));
            }
        }
        IdeaSetting::Env(var) => {
            targets.extend(
                doc.entries()
                    .into_iter()
                    .filter(|i| doc.elem(*i).attr("key").is_some_and(|k| k.value == var)),
            );
            if var == "GOPROXY" {
                if let Some(vgo) = doc.component("VgoProject") {
                    targets.extend(doc.children(vgo, "proxy"));
                }
            }
        }
    }
    let mut edits: Vec<TextEdit> = targets
        .into_iter()
        .map(|i| {
            let (start, end) = removal_range(text, doc.elem(i));
            TextEdit {
                start,
                end,
                new_text: String::new(),
            }
        })
        .collect();
    edits.sort_by_key(|e| e.start);
    edits.dedup_by(|b, a| b.start < a.end);
    Ok(edits)
}
