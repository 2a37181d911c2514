//! VS Code settings files (JSONC): extracting the Go-relevant members with exact source ranges,
//! vscode-go's variable substitution, and minimal edits that keep everything else byte-identical.
//!
//! # Positions
//! * Every byte offset (spans, [`TextEdit`] ranges) is an offset into the text exactly as given,
//!   **including** a leading UTF-8 byte order mark.
//! * A value's [`SourceSpan`] covers the whole JSON string literal, **quotes included**
//!   (`"…"`): that is the range a diagnostic underlines and an edit replaces.
//! * Lines are 1-based; a line ends at `\n`, `\r\n` or a lone `\r` (the LSP rule). Columns are
//!   1-based and counted in Unicode scalar values; a leading BOM is not counted (editors hide it),
//!   so the first key of a BOM file is at column 1 like in any other file. The LSP layer converts
//!   to UTF-16/UTF-8 columns from the byte offsets.
//!
//! # Dialect
//! VS Code's JSONC: comments and trailing commas are accepted; everything else is strict JSON
//! (no single quotes, no unquoted keys, no missing commas, no hex numbers…), so a file VS Code
//! marks as broken is reported as broken here too. For duplicate keys the last one wins, as in
//! VS Code (the whole value: a later `go.toolsEnvVars` object replaces an earlier one).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use jsonc_parser::ast::{Object, ObjectProp, Value};
use jsonc_parser::common::Ranged;
use jsonc_parser::cst::{CstInputValue, CstObject, CstObjectProp, CstRootNode};
use jsonc_parser::{parse_to_ast, CollectOptions, ParseOptions};

use super::TextEdit;
use crate::model::{Configured, SettingKey, SettingsError, SettingsLayer, SourceSpan};

const BOM: &str = "\u{feff}";

// ---------------------------------------------------------------------------------------------
// Substitution (vscode-go: util.ts substituteEnv + resolvePath, utils/pathUtils.ts resolveHomeDir)
// ---------------------------------------------------------------------------------------------

/// What vscode-go substitutes into `go.goroot`, `go.alternateTools`, `go.toolsEnvVars` and
/// `go.gopath` values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Substitution {
    /// The workspace folder the settings are resolved for (`${workspaceFolder}`). Empty: the
    /// `${workspace…}` variables are left as they are (vscode-go does the same without a folder).
    pub workspace_folder: PathBuf,
    /// `os.homedir()` of the editor, for a leading `~`. `None`: `~` is left as is.
    pub home: Option<PathBuf>,
    /// The editor's process environment, for `${env:VAR}`.
    pub env: BTreeMap<String, String>,
}

/// Applies vscode-go's substitution to a raw setting value, exactly as
/// `resolvePath(substituteEnv(raw))` does:
///
/// 1. every `${env:NAME}` (NAME = one or more characters other than `}`, trimmed) becomes the
///    variable's value; a missing or empty variable becomes the empty string;
/// 2. unless the value is empty or only whitespace: every `${workspaceFolder}` and
///    `${workspaceRoot}` becomes the folder, then every `${workspaceFolderBasename}` its last
///    component (JavaScript `String.replace` with a string: `$$`, `$&`, `` $` `` and `$'` in the
///    folder path are replacement patterns there, and are honoured here too);
/// 3. a value that **starts with `~`** becomes `path.join(home, rest)`: note this is any leading
///    `~`, not only `~` and `~/` (`~foo` becomes `<home>/foo`), and that `path.join` normalises
///    the result (`.`/`..` segments, repeated separators).
///
/// `${userHome}` and VS Code's other variables are not supported by vscode-go and stay as they are.
pub fn substitute(raw: &str, s: &Substitution) -> String {
    let with_env = substitute_env(raw, &s.env);
    resolve_path(&with_env, s)
}

fn substitute_env(input: &str, env: &BTreeMap<String, String>) -> String {
    const OPEN: &str = "${env:";
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(at) = rest.find(OPEN) {
        let after = &rest[at + OPEN.len()..];
        match after.find('}') {
            // `[^}]+`: at least one character before the closing brace.
            Some(close) if close > 0 => {
                out.push_str(&rest[..at]);
                let name = js_trim(&after[..close]);
                out.push_str(lookup_env(env, name).unwrap_or(""));
                rest = &after[close + 1..];
            }
            // No match at this position: keep the `$` and search again after it.
            Some(_) => {
                out.push_str(&rest[..at + 1]);
                rest = &rest[at + 1..];
            }
            None => break,
        }
    }
    out.push_str(rest);
    out
}

fn lookup_env<'a>(env: &'a BTreeMap<String, String>, name: &str) -> Option<&'a str> {
    if let Some(v) = env.get(name) {
        return Some(v.as_str());
    }
    // Node's process.env is case-insensitive on Windows.
    if cfg!(windows) {
        return env
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str());
    }
    None
}

/// JavaScript's `String.prototype.trim` (Unicode white space plus U+FEFF).
fn js_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
}

fn resolve_path(input: &str, s: &Substitution) -> String {
    if js_trim(input).is_empty() {
        return input.to_string();
    }
    let folder = s.workspace_folder.to_string_lossy();
    let mut out = input.to_string();
    if !folder.is_empty() {
        out = js_replace_all(&out, &["${workspaceFolder}", "${workspaceRoot}"], &folder);
        let base = node_basename(&folder);
        out = js_replace_all(&out, &["${workspaceFolderBasename}"], &base);
    }
    if let (Some(rest), Some(home)) = (out.strip_prefix('~'), s.home.as_ref()) {
        return node_join(&home.to_string_lossy(), rest);
    }
    out
}

/// `input.replace(/A|B/g, replacement)` for literal alternatives, with JavaScript's replacement
/// patterns (`$$`, `$&`, `` $` ``, `$'`).
fn js_replace_all(input: &str, needles: &[&str], replacement: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut i = 0;
    let mut copied_to = 0;
    while i < input.len() {
        let here = &input[i..];
        if let Some(needle) = needles.iter().find(|n| here.starts_with(**n)) {
            out.push_str(&input[copied_to..i]);
            let end = i + needle.len();
            expand_js_replacement(
                &mut out,
                replacement,
                &input[i..end],
                &input[..i],
                &input[end..],
            );
            i = end;
            copied_to = end;
        } else {
            i += here.chars().next().map_or(1, char::len_utf8);
        }
    }
    out.push_str(&input[copied_to..]);
    out
}

fn expand_js_replacement(
    out: &mut String,
    replacement: &str,
    matched: &str,
    before: &str,
    after: &str,
) {
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('$') => {
                out.push('$');
                chars.next();
            }
            Some('&') => {
                out.push_str(matched);
                chars.next();
            }
            Some('`') => {
                out.push_str(before);
                chars.next();
            }
            Some('\'') => {
                out.push_str(after);
                chars.next();
            }
            _ => out.push('$'),
        }
    }
}

/// Whether a path string is in Windows form (drive letter or backslashes): Node's `path` is
/// `path.win32` on Windows.
fn is_windows_path(p: &str) -> bool {
    let b = p.as_bytes();
    p.contains('\\') || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

fn node_basename(p: &str) -> String {
    let win = is_windows_path(p);
    let is_sep = |c: char| c == '/' || (win && c == '\\');
    let trimmed = p.trim_end_matches(is_sep);
    let base = match trimmed.rfind(is_sep) {
        Some(i) => &trimmed[i + 1..],
        None => trimmed,
    };
    if win {
        // `C:` alone has no basename.
        let b = base.as_bytes();
        if b.len() == 2 && b[1] == b':' {
            return String::new();
        }
    }
    base.to_string()
}

/// Node's `path.join(home, rest)`: joins with the separator and normalises.
fn node_join(home: &str, rest: &str) -> String {
    let win = is_windows_path(home);
    let sep = if win { "\\" } else { "/" };
    let joined = match (home.is_empty(), rest.is_empty()) {
        (true, true) => return ".".to_string(),
        (true, false) => rest.to_string(),
        (false, true) => home.to_string(),
        (false, false) => format!("{home}{sep}{rest}"),
    };
    node_normalize(&joined, win)
}

/// Node's `path.normalize` (posix, or a simplified win32 with drive letters).
fn node_normalize(p: &str, win: bool) -> String {
    let is_sep = |c: char| c == '/' || (win && c == '\\');
    let sep = if win { '\\' } else { '/' };
    let (device, tail) = if win
        && p.len() >= 2
        && p.as_bytes()[1] == b':'
        && p.as_bytes()[0].is_ascii_alphabetic()
    {
        p.split_at(2)
    } else {
        ("", p)
    };
    let absolute = tail.starts_with(is_sep);
    let trailing = tail.ends_with(is_sep);
    let mut parts: Vec<&str> = Vec::new();
    for seg in tail.split(is_sep) {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let mut body = parts.join(&sep.to_string());
    if body.is_empty() {
        if absolute {
            return format!("{device}{sep}");
        }
        body = ".".to_string();
    }
    if trailing {
        body.push(sep);
    }
    if absolute {
        format!("{device}{sep}{body}")
    } else {
        format!("{device}{body}")
    }
}

// ---------------------------------------------------------------------------------------------
// Positions and decoding
// ---------------------------------------------------------------------------------------------

/// 1-based line and column (in Unicode scalar values, a leading BOM not counted) of a byte
/// offset. Offsets past the end or inside a character are clamped to the previous boundary.
pub fn line_col(text: &str, byte_offset: usize) -> (u32, u32) {
    let mut cursor = LineCursor::new(text);
    cursor.position(byte_offset)
}

/// Incremental [`line_col`]: queries in increasing order cost O(distance) each.
struct LineCursor<'a> {
    text: &'a str,
    byte: usize,
    line: u32,
    col: u32,
    /// The previous character was a `\r` (a following `\n` belongs to the same line break).
    after_cr: bool,
}

impl<'a> LineCursor<'a> {
    fn new(text: &'a str) -> Self {
        let byte = if text.starts_with(BOM) { BOM.len() } else { 0 };
        LineCursor {
            text,
            byte,
            line: 1,
            col: 1,
            after_cr: false,
        }
    }

    fn position(&mut self, offset: usize) -> (u32, u32) {
        let mut target = offset.min(self.text.len());
        while !self.text.is_char_boundary(target) {
            target -= 1;
        }
        if target < self.byte {
            *self = LineCursor::new(self.text);
            if target < self.byte {
                // Inside the BOM.
                return (1, 1);
            }
        }
        let Some(slice) = self.text.get(self.byte..target) else {
            return (self.line, self.col);
        };
        for c in slice.chars() {
            match c {
                '\n' if self.after_cr => {
                    self.after_cr = false;
                }
                '\n' => {
                    self.line += 1;
                    self.col = 1;
                }
                '\r' => {
                    self.line += 1;
                    self.col = 1;
                    self.after_cr = true;
                    continue;
                }
                _ => self.col += 1,
            }
            self.after_cr = false;
        }
        self.byte = target;
        (self.line, self.col)
    }
}

/// Checks that a settings file is UTF-8 (VS Code reads settings as UTF-8). The error names the
/// line and column of the first invalid byte. A UTF-8 BOM is kept in the returned text.
pub fn decode(bytes: &[u8]) -> Result<&str, SettingsError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) => {
            let valid = e.valid_up_to();
            let prefix = bytes
                .get(..valid)
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or("");
            let (line, column) = line_col(prefix, prefix.len());
            let message = if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
                "the file is UTF-16 encoded; settings files must be UTF-8".to_string()
            } else {
                let byte = bytes.get(valid).copied().unwrap_or(0);
                format!("invalid UTF-8: byte 0x{byte:02X} at offset {valid}")
            };
            Err(SettingsError {
                message,
                line,
                column,
            })
        }
    }
}

fn strip_bom(text: &str) -> (&str, usize) {
    match text.strip_prefix(BOM) {
        Some(rest) => (rest, BOM.len()),
        None => (text, 0),
    }
}

fn parse_options() -> ParseOptions {
    ParseOptions {
        allow_comments: true,
        allow_trailing_commas: true,
        allow_loose_object_property_names: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

fn parse_error(text: &str, base: usize, err: &jsonc_parser::errors::ParseError) -> SettingsError {
    let (line, column) = line_col(text, base + err.range().start);
    SettingsError {
        message: err.kind().to_string(),
        line,
        column,
    }
}

// ---------------------------------------------------------------------------------------------
// Extraction
// ---------------------------------------------------------------------------------------------

/// Which object of the file holds the settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingsRoot {
    /// `settings.json`: the members of the top-level object.
    TopLevel,
    /// `*.code-workspace`: the members of the top-level object's `"settings"` object.
    WorkspaceFile,
}

/// Members of the top-level settings object that hold Go settings (VS Code's dotted setting
/// keys are the member names of the top-level object).
const GOROOT: &str = SettingKey::GO_GOROOT;
const GOPATH: &str = SettingKey::GO_GOPATH;
const ALTERNATE_TOOLS: &str = SettingKey::ALTERNATE_TOOLS;
const TOOLS_ENV_VARS: &str = SettingKey::TOOLS_ENV_VARS;
const GOPLS: &str = "gopls";
const GOPLS_BUILD_ENV: &str = "build.env";
/// gopls keys its options by the last element of a dotted name, so `"env"` and
/// `"build.env"` in the `gopls` object are one setting to it; we keep them apart only to know
/// which member to point at and to edit.
const GOPLS_ENV: &str = "env";

/// Extracts `go.goroot`, `go.alternateTools.go`, `go.gopath`, `go.toolsEnvVars.<VAR>`,
/// `gopls.build.env.<VAR>` (from `"gopls": {"build.env": {…}}` or `"gopls": {"build": {"env":
/// {…}}}`; when both appear, the later one wins) and `gopls.env.<VAR>` (from `"gopls": {"env":
/// {…}}`, the same gopls setting under its short name) from a settings file, in document order.
///
/// Only string values count (others are ignored, logged at debug level). `value` is the
/// substituted value ([`substitute`]) except for gopls' env (`gopls.build.env.*`, `gopls.env.*`), which vscode-go passes to
/// gopls unchanged (`value == raw`). An empty file, or one holding only comments, has no settings.
/// The span covers the string literal including its quotes (see the module documentation).
pub fn parse_settings(
    path: &Path,
    text: &str,
    layer: SettingsLayer,
    root: SettingsRoot,
    subst: &Substitution,
) -> Result<Vec<Configured>, SettingsError> {
    let found = extract(text, root)?;
    let mut cursor = LineCursor::new(text);
    Ok(found
        .into_iter()
        .map(|f| {
            let (line, column) = cursor.position(f.start);
            let value = if f.substitute {
                substitute(&f.raw, subst)
            } else {
                f.raw.clone()
            };
            Configured {
                key: f.key,
                raw: f.raw,
                value,
                layer,
                span: SourceSpan {
                    file: path.to_path_buf(),
                    start: f.start,
                    end: f.end,
                    line,
                    column,
                },
            }
        })
        .collect())
}

struct Found {
    key: SettingKey,
    raw: String,
    start: usize,
    end: usize,
    substitute: bool,
}

fn extract(text: &str, root: SettingsRoot) -> Result<Vec<Found>, SettingsError> {
    let (body, base) = strip_bom(text);
    let parsed = catch_unwind(|| parse_to_ast(body, &CollectOptions::default(), &parse_options()))
        .map_err(|_| SettingsError {
            message: "internal error while parsing".to_string(),
            line: 1,
            column: 1,
        })?
        .map_err(|e| parse_error(text, base, &e))?;
    let Some(value) = parsed.value else {
        return Ok(Vec::new());
    };
    let Value::Object(top) = value else {
        let (line, column) = line_col(text, base + value.start());
        return Err(SettingsError {
            message: "Expected an object at the top level".to_string(),
            line,
            column,
        });
    };
    let settings = match root {
        SettingsRoot::TopLevel => &top,
        SettingsRoot::WorkspaceFile => match last_member(&top, "settings") {
            Some(Value::Object(o)) => o,
            Some(_) => {
                tracing::debug!("\"settings\" of the workspace file is not an object; ignored");
                return Ok(Vec::new());
            }
            None => return Ok(Vec::new()),
        },
    };

    let mut out = Vec::new();
    let mut push = |key: SettingKey, value: &Value, substitute: bool| match value {
        Value::StringLit(s) => out.push(Found {
            key,
            raw: s.value.to_string(),
            start: base + s.range.start,
            end: base + s.range.end,
            substitute,
        }),
        // vscode-go copies a non-string toolsEnvVars value into the tools' environment as
        // is, and node writes it as text (`"CGO_ENABLED": 0` gives CGO_ENABLED=0); no
        // substitution applies to it.
        other => match js_text(other).filter(|_| key.tools_env_var_name().is_some()) {
            Some((raw, range)) => out.push(Found {
                key,
                raw,
                start: base + range.start,
                end: base + range.end,
                substitute: false,
            }),
            None => tracing::debug!(key = %key, "ignoring a non-string settings value"),
        },
    };

    if let Some(v) = last_member(settings, GOROOT) {
        push(SettingKey::GoGoroot, v, true);
    }
    if let Some(v) = last_member(settings, GOPATH) {
        push(SettingKey::GoGopath, v, true);
    }
    match last_member(settings, ALTERNATE_TOOLS) {
        Some(Value::Object(tools)) => {
            if let Some(v) = last_member(tools, "go") {
                push(SettingKey::alternate_go(), v, true);
            }
        }
        Some(_) => tracing::debug!("ignoring a non-object go.alternateTools"),
        None => {}
    }
    match last_member(settings, TOOLS_ENV_VARS) {
        Some(Value::Object(vars)) => {
            for (name, v) in effective_members(vars) {
                push(SettingKey::ToolsEnvVar(name.to_string()), v, true);
            }
        }
        Some(_) => tracing::debug!("ignoring a non-object go.toolsEnvVars"),
        None => {}
    }
    match last_member(settings, GOPLS) {
        Some(Value::Object(gopls)) => {
            if let Some(env) = gopls_env(gopls) {
                for (name, v) in effective_members(env) {
                    push(SettingKey::GoplsBuildEnv(name.to_string()), v, false);
                }
            }
            match last_member(gopls, GOPLS_ENV) {
                Some(Value::Object(env)) => {
                    for (name, v) in effective_members(env) {
                        push(SettingKey::GoplsEnv(name.to_string()), v, false);
                    }
                }
                Some(_) => tracing::debug!("ignoring a non-object gopls env"),
                None => {}
            }
        }
        Some(_) => tracing::debug!("ignoring a non-object gopls"),
        None => {}
    }
    out.sort_by_key(|f| f.start);
    Ok(out)
}

/// A number or boolean as JavaScript turns it into text (`0` → `0`, `1.50` → `1.5`,
/// `1e3` → `1000`, `true`), with its range; `None` for anything else.
fn js_text(v: &Value) -> Option<(String, jsonc_parser::common::Range)> {
    match v {
        Value::BooleanLit(b) => Some((b.value.to_string(), b.range)),
        Value::NumberLit(n) => {
            // Rust prints the shortest round-trip digits without an exponent, as JavaScript
            // does between 1e-6 and 1e21; outside that range keep the literal.
            let text = match n.value.parse::<f64>() {
                Ok(0.0) => "0".to_string(),
                Ok(f) if f.is_finite() && (1e-6..1e21).contains(&f.abs()) => format!("{f}"),
                _ => n.value.to_string(),
            };
            Some((text, n.range))
        }
        _ => None,
    }
}

/// The value of the last property named `name` (duplicate keys: the last one wins).
fn last_member<'a, 'b>(obj: &'b Object<'a>, name: &str) -> Option<&'b Value<'a>> {
    last_prop(obj, name).map(|p| &p.value)
}

fn last_prop<'a, 'b>(obj: &'b Object<'a>, name: &str) -> Option<&'b ObjectProp<'a>> {
    obj.properties
        .iter()
        .rev()
        .find(|p| p.name.as_str() == name)
}

/// Members of an object with duplicates resolved (the last one wins), in document order.
fn effective_members<'a, 'b>(obj: &'b Object<'a>) -> Vec<(&'b str, &'b Value<'a>)> {
    let mut last: HashMap<&str, usize> = HashMap::new();
    for (i, p) in obj.properties.iter().enumerate() {
        last.insert(p.name.as_str(), i);
    }
    obj.properties
        .iter()
        .enumerate()
        .filter(|(i, p)| last.get(p.name.as_str()) == Some(i))
        .map(|(_, p)| (p.name.as_str(), &p.value))
        .collect()
}

/// The effective `build.env` object of a `gopls` object: the flat `"build.env"` member or the
/// nested `"build": {"env": …}`, whichever comes later.
fn gopls_env<'a, 'b>(gopls: &'b Object<'a>) -> Option<&'b Object<'a>> {
    let flat = last_prop(gopls, GOPLS_BUILD_ENV).map(|p| (p.range.start, &p.value));
    let nested = last_prop(gopls, "build").and_then(|p| match &p.value {
        Value::Object(build) => last_prop(build, "env").map(|e| (p.range.start, &e.value)),
        _ => None,
    });
    let chosen = match (flat, nested) {
        (Some(f), Some(n)) => Some(if n.0 > f.0 { n } else { f }),
        (f, n) => f.or(n),
    };
    match chosen.map(|(_, v)| v) {
        Some(Value::Object(env)) => Some(env),
        Some(_) => {
            tracing::debug!("ignoring a non-object gopls build.env");
            None
        }
        None => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Edits
// ---------------------------------------------------------------------------------------------

/// Why an edit could not be computed. No edit is ever offered for a file that does not parse.
#[derive(Debug, Clone, PartialEq)]
pub enum EditError {
    /// The file is not valid JSONC.
    Unparseable(SettingsError),
    /// The file's top-level value (or the path to the member) is not an object.
    NotAnObject { what: String },
    /// An empty key or an empty variable name.
    InvalidKey(String),
    /// The JSONC library misbehaved; the file is left alone.
    Internal(String),
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::Unparseable(e) => {
                write!(
                    f,
                    "the settings file cannot be parsed: {} (line {}, column {})",
                    e.message, e.line, e.column
                )
            }
            EditError::NotAnObject { what } => write!(f, "{what} is not a JSON object"),
            EditError::InvalidKey(k) => write!(f, "invalid setting key {k:?}"),
            EditError::Internal(m) => write!(f, "internal error while editing settings: {m}"),
        }
    }
}

impl std::error::Error for EditError {}

/// The object path of a dotted setting key.
fn key_path(key: &str) -> Result<Vec<String>, EditError> {
    let invalid = || EditError::InvalidKey(key.to_string());
    let member = |object: &[&str], name: &str| -> Result<Vec<String>, EditError> {
        if name.is_empty() {
            return Err(invalid());
        }
        let mut path: Vec<String> = object.iter().map(|s| s.to_string()).collect();
        path.push(name.to_string());
        Ok(path)
    };
    match SettingKey::from(key) {
        SettingKey::ToolsEnvVar(name) => member(&[TOOLS_ENV_VARS], &name),
        SettingKey::AlternateTool(name) => member(&[ALTERNATE_TOOLS], &name),
        SettingKey::GoplsBuildEnv(name) => member(&[GOPLS, GOPLS_BUILD_ENV], &name),
        SettingKey::GoplsEnv(name) => member(&[GOPLS, GOPLS_ENV], &name),
        SettingKey::GoGoroot | SettingKey::GoGopath => Ok(vec![key.to_string()]),
        // Empty, or an object-valued setting without the member name.
        SettingKey::Other(k) if k.is_empty() || k == GOPLS || SettingKey::is_family_object(&k) => {
            Err(invalid())
        }
        SettingKey::Other(k) => Ok(vec![k]),
    }
}

/// Sets a setting (dotted key as in [`Configured::key`]: `go.goroot`,
/// `go.toolsEnvVars.GOPROXY`, `go.alternateTools.go`, `gopls.build.env.GOFLAGS`; any other key
/// is a top-level member, e.g. `go.inferGopath`) to a string value.
///
/// Changes the last occurrence of the member when it exists (the effective one), else appends it
/// to its object, creating `go.toolsEnvVars` / `go.alternateTools` / `gopls` → `build.env`, the
/// `settings` object of a workspace file, or the whole top-level object as needed. New members
/// follow the indentation, trailing-comma style and newline style of the file. The value is
/// JSON-escaped (backslashes, quotes, control characters); non-ASCII stays as is. Returns no edit
/// when the member already has this value, and at most one edit otherwise.
pub fn set_member(
    text: &str,
    root: SettingsRoot,
    key: &str,
    value: &str,
) -> Result<Vec<TextEdit>, EditError> {
    let path = key_path(key)?;
    let (body, base) = strip_bom(text);
    if js_trim(body).is_empty() {
        // Nothing (or only white space) yet: write a fresh file body.
        let fresh = render_new(root, &path, value);
        let edits = diff_edit(text, base, body, &fresh).into_iter().collect();
        return Ok(edits);
    }
    // Fast path (no syntax tree): the member exists with a string value, so replacing that
    // string literal is the whole edit and cannot change anything else.
    // (On any parse problem, the syntax-tree path below reports it.)
    let setting = SettingKey::from(key);
    if let (true, Ok(found)) = (is_extracted_key(&setting), extract(text, root)) {
        if let Some(f) = found.iter().find(|f| f.key == setting) {
            // A number or boolean with the same text still becomes the string asked for.
            let string = text.get(f.start..).is_some_and(|t| t.starts_with('"'));
            if f.raw == value && string {
                return Ok(Vec::new());
            }
            return Ok(vec![TextEdit {
                start: f.start,
                end: f.end,
                new_text: json_string(value),
            }]);
        }
    }
    edit_with_cst(text, |cst| match settings_object(cst, root, true)? {
        Some(settings) => set_in(&settings, &path, value),
        None => Err(EditError::Internal("no settings object".to_string())),
    })?
    .finish(text, key, Some(value), root)
}

/// Removes a setting (dotted key, see [`set_member`]): every occurrence of the member in its
/// effective object, each with its comma and its line when it had a line of its own. Removing
/// the last member of an object leaves `{}`. Returns no edit when the member is absent.
pub fn remove_member(
    text: &str,
    root: SettingsRoot,
    key: &str,
) -> Result<Vec<TextEdit>, EditError> {
    let path = key_path(key)?;
    let (body, _) = strip_bom(text);
    if js_trim(body).is_empty() {
        return Ok(Vec::new());
    }
    edit_with_cst(text, |cst| {
        if let Some(settings) = settings_object(cst, root, false)? {
            remove_in(&settings, &path);
        }
        Ok(())
    })?
    .finish(text, key, None, root)
}

/// The text of a new `.vscode/settings.json` holding one setting (4-space indentation, `\n`,
/// a final newline).
pub fn new_file(key: &str, value: &str) -> String {
    let path = key_path(key).unwrap_or_else(|_| vec![key.to_string()]);
    render_new(SettingsRoot::TopLevel, &path, value)
}

fn render_new(root: SettingsRoot, path: &[String], value: &str) -> String {
    let mut names: Vec<&str> = Vec::new();
    if root == SettingsRoot::WorkspaceFile {
        names.push("settings");
    }
    names.extend(path.iter().map(String::as_str));
    let mut out = String::from("{\n");
    let last = names.len().saturating_sub(1);
    for (depth, name) in names.iter().enumerate() {
        out.push_str(&"    ".repeat(depth + 1));
        out.push_str(&json_string(name));
        out.push_str(": ");
        if depth == last {
            out.push_str(&json_string(value));
            out.push('\n');
        } else {
            out.push_str("{\n");
        }
    }
    for depth in (0..last).rev() {
        out.push_str(&"    ".repeat(depth + 1));
        out.push_str("}\n");
    }
    out.push_str("}\n");
    out
}

/// A JSON string literal (quotes included) for `s`: `"`, `\` and control characters escaped,
/// everything else (non-ASCII included) as is.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The rendered text of an edited CST, checked before it becomes an edit.
struct Edited {
    new_body: String,
}

impl Edited {
    fn finish(
        self,
        text: &str,
        key: &str,
        expect: Option<&str>,
        root: SettingsRoot,
    ) -> Result<Vec<TextEdit>, EditError> {
        let (body, base) = strip_bom(text);
        let edit = diff_edit(text, base, body, &self.new_body);
        let edits: Vec<TextEdit> = edit.into_iter().collect();
        // Never hand out an edit that breaks the file or misses its target.
        let result = super::apply_edits(text, &edits);
        let found = extract(&result, root).map_err(|e| {
            EditError::Internal(format!("edited text does not parse: {}", e.message))
        })?;
        let setting = SettingKey::from(key);
        if is_extracted_key(&setting) {
            let effective = found
                .iter()
                .rev()
                .find(|f| f.key == setting)
                .map(|f| f.raw.as_str());
            if effective != expect {
                return Err(EditError::Internal(format!(
                    "edited text has {key} = {effective:?}, expected {expect:?}"
                )));
            }
        }
        Ok(edits)
    }
}

/// Whether [`extract`] reads the setting (so an edit of it can be checked on the result).
fn is_extracted_key(key: &SettingKey) -> bool {
    match key {
        SettingKey::GoGoroot
        | SettingKey::GoGopath
        | SettingKey::ToolsEnvVar(_)
        | SettingKey::GoplsBuildEnv(_)
        | SettingKey::GoplsEnv(_) => true,
        SettingKey::AlternateTool(_) => key.is_alternate_go(),
        SettingKey::Other(_) => false,
    }
}

/// Parses `text` into a CST, lets `f` change it (given the top-level object, or `None` when the
/// file holds no value yet) and renders the result. Panics of the library become errors.
fn edit_with_cst(
    text: &str,
    f: impl FnOnce(&CstRootNode) -> Result<(), EditError>,
) -> Result<Edited, EditError> {
    let (body, base) = strip_bom(text);
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<Edited, EditError> {
        let cst = CstRootNode::parse(body, &parse_options())
            .map_err(|e| EditError::Unparseable(parse_error(text, base, &e)))?;
        if cst.to_string() != body {
            return Err(EditError::Internal(
                "the syntax tree does not reproduce the file".to_string(),
            ));
        }
        f(&cst)?;
        Ok(Edited {
            new_body: cst.to_string(),
        })
    }));
    outcome.unwrap_or_else(|_| {
        Err(EditError::Internal(
            "the JSONC library panicked".to_string(),
        ))
    })
}

/// The object holding the settings, created (with the top-level object) when `create`.
fn settings_object(
    cst: &CstRootNode,
    root: SettingsRoot,
    create: bool,
) -> Result<Option<CstObject>, EditError> {
    let top = match cst.value() {
        None if create => cst.object_value_or_create().ok_or_else(|| {
            EditError::Internal("could not create the top-level object".to_string())
        })?,
        None => return Ok(None),
        Some(v) => v.as_object().ok_or_else(|| EditError::NotAnObject {
            what: "the top-level value".to_string(),
        })?,
    };
    Ok(match root {
        SettingsRoot::TopLevel => Some(top),
        SettingsRoot::WorkspaceFile if create => Some(child_object(&top, "settings", "settings")?),
        SettingsRoot::WorkspaceFile => existing_child_object(&top, "settings"),
    })
}

/// The last property named `name` (the effective one; `CstObject::get` returns the first).
fn cst_last_prop(obj: &CstObject, name: &str) -> Option<CstObjectProp> {
    obj.properties()
        .into_iter()
        .rev()
        .find(|p| p.decoded_name().as_deref() == Some(name))
}

/// The object value of the last `name` member of `obj`, creating the member when absent and
/// replacing a non-object value (which VS Code ignores anyway).
fn child_object(obj: &CstObject, name: &str, what: &str) -> Result<CstObject, EditError> {
    match cst_last_prop(obj, name) {
        Some(prop) => Ok(prop.object_value_or_set()),
        None => {
            let prop = obj.append(name, CstInputValue::Object(Vec::new()));
            prop.object_value()
                .ok_or_else(|| EditError::Internal(format!("could not create {what}")))
        }
    }
}

fn existing_child_object(obj: &CstObject, name: &str) -> Option<CstObject> {
    cst_last_prop(obj, name)?.object_value()
}

/// The object holding the last path segment, following gopls' two `build.env` forms.
fn container_for_set(settings: &CstObject, path: &[String]) -> Result<CstObject, EditError> {
    let mut obj = settings.clone();
    let parents = path.get(..path.len().saturating_sub(1)).unwrap_or(&[]);
    if parents.first().map(String::as_str) == Some(GOPLS) {
        let gopls = child_object(&obj, GOPLS, "gopls")?;
        if parents.get(1).map(String::as_str) == Some(GOPLS_ENV) {
            return child_object(&gopls, GOPLS_ENV, "gopls env");
        }
        return match existing_gopls_env(&gopls) {
            Some(env) => Ok(env),
            None => child_object(&gopls, GOPLS_BUILD_ENV, "gopls build.env"),
        };
    }
    for name in parents {
        obj = child_object(&obj, name, name)?;
    }
    Ok(obj)
}

/// The effective `build.env` object of a CST `gopls` object (flat or nested, the later wins).
fn existing_gopls_env(gopls: &CstObject) -> Option<CstObject> {
    let flat = cst_last_prop(gopls, GOPLS_BUILD_ENV);
    let nested = cst_last_prop(gopls, "build").filter(|b| {
        b.object_value()
            .and_then(|o| cst_last_prop(&o, "env"))
            .is_some()
    });
    match (flat, nested) {
        (Some(f), Some(n)) if n.child_index() > f.child_index() => {
            existing_child_object(&n.object_value()?, "env")
        }
        (Some(f), _) => f.object_value(),
        (None, Some(n)) => existing_child_object(&n.object_value()?, "env"),
        (None, None) => None,
    }
}

fn set_in(settings: &CstObject, path: &[String], value: &str) -> Result<(), EditError> {
    let Some(name) = path.last() else {
        return Err(EditError::InvalidKey(String::new()));
    };
    let container = container_for_set(settings, path)?;
    match cst_last_prop(&container, name) {
        Some(prop) => {
            let same = prop
                .value()
                .and_then(|v| v.as_string_lit())
                .and_then(|s| s.decoded_value().ok());
            if same.as_deref() != Some(value) {
                prop.set_value(CstInputValue::String(value.to_string()));
            }
        }
        None => {
            container.append(name, CstInputValue::String(value.to_string()));
        }
    }
    Ok(())
}

fn remove_in(settings: &CstObject, path: &[String]) {
    let Some(name) = path.last() else {
        return;
    };
    let parents = path.get(..path.len().saturating_sub(1)).unwrap_or(&[]);
    let container = if parents.first().map(String::as_str) == Some(GOPLS) {
        let gopls = existing_child_object(settings, GOPLS);
        if parents.get(1).map(String::as_str) == Some(GOPLS_ENV) {
            gopls.and_then(|g| existing_child_object(&g, GOPLS_ENV))
        } else {
            gopls.and_then(|g| existing_gopls_env(&g))
        }
    } else {
        let mut obj = Some(settings.clone());
        for p in parents {
            obj = obj.and_then(|o| existing_child_object(&o, p));
        }
        obj
    };
    let Some(container) = container else {
        return;
    };
    for prop in container.properties() {
        if prop.decoded_name().as_deref() == Some(name.as_str()) {
            prop.remove();
        }
    }
}

/// One edit turning `body` (the text after an optional BOM at `base`) into `new_body`: the
/// range between the common prefix and the common suffix. `None` when nothing changed.
fn diff_edit(text: &str, base: usize, body: &str, new_body: &str) -> Option<TextEdit> {
    debug_assert_eq!(text.len(), base + body.len());
    if body == new_body {
        return None;
    }
    let (a, b) = (body.as_bytes(), new_body.as_bytes());
    let mut prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    while !(body.is_char_boundary(prefix) && new_body.is_char_boundary(prefix)) {
        prefix -= 1;
    }
    let max_suffix = a.len().min(b.len()) - prefix;
    let mut suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    while !(body.is_char_boundary(a.len() - suffix) && new_body.is_char_boundary(b.len() - suffix))
    {
        suffix -= 1;
    }
    Some(TextEdit {
        start: base + prefix,
        end: base + a.len() - suffix,
        new_text: new_body[prefix..b.len() - suffix].to_string(),
    })
}

/// gopls' `directoryFilters` in a settings file's `gopls` object (`"build.directoryFilters"`,
/// `"directoryFilters"` — gopls keys options by their last dotted element — or
/// `"build": {"directoryFilters": …}`; the later member wins): the string entries in order.
/// `None` when the file does not set it (gopls then uses its default, `-**/node_modules`) or
/// cannot be parsed.
pub fn directory_filters(text: &str, root: SettingsRoot) -> Option<Vec<String>> {
    let (body, _) = strip_bom(text);
    let parsed = catch_unwind(|| parse_to_ast(body, &CollectOptions::default(), &parse_options()))
        .ok()?
        .ok()?;
    let Some(Value::Object(top)) = parsed.value else {
        return None;
    };
    let settings = match root {
        SettingsRoot::TopLevel => &top,
        SettingsRoot::WorkspaceFile => match last_member(&top, "settings") {
            Some(Value::Object(o)) => o,
            _ => return None,
        },
    };
    let Some(Value::Object(gopls)) = last_member(settings, GOPLS) else {
        return None;
    };
    let mut candidates: Vec<(usize, &Value)> = Vec::new();
    for name in ["build.directoryFilters", "directoryFilters"] {
        if let Some(p) = last_prop(gopls, name) {
            candidates.push((p.range.start, &p.value));
        }
    }
    if let Some(p) = last_prop(gopls, "build") {
        if let Value::Object(build) = &p.value {
            if let Some(f) = last_prop(build, "directoryFilters") {
                candidates.push((f.range.start, &f.value));
            }
        }
    }
    let (_, value) = candidates.into_iter().max_by_key(|(start, _)| *start)?;
    let Value::Array(items) = value else {
        tracing::debug!("ignoring a non-array gopls directoryFilters");
        return None;
    };
    Some(
        items
            .elements
            .iter()
            .filter_map(|e| match e {
                Value::StringLit(s) => Some(s.value.to_string()),
                _ => None,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::super::apply_edits;
    use super::*;

    fn subst() -> Substitution {
        Substitution {
            workspace_folder: PathBuf::from("/home/u/proj"),
            home: Some(PathBuf::from("/home/u")),
            env: BTreeMap::from([
                ("GOSDK".to_string(), "/opt/go".to_string()),
                ("EMPTY".to_string(), String::new()),
            ]),
        }
    }

    fn parse(text: &str) -> Vec<Configured> {
        parse_settings(
            Path::new("s.json"),
            text,
            SettingsLayer::Folder,
            SettingsRoot::TopLevel,
            &subst(),
        )
        .expect("parses")
    }

    fn set(text: &str, key: &str, value: &str) -> String {
        let edits = set_member(text, SettingsRoot::TopLevel, key, value).expect("edit");
        assert!(edits.len() <= 1);
        apply_edits(text, &edits)
    }

    fn remove(text: &str, key: &str) -> String {
        let edits = remove_member(text, SettingsRoot::TopLevel, key).expect("edit");
        apply_edits(text, &edits)
    }

    #[test]
    fn substitution_follows_vscode_go() {
        let s = subst();
        assert_eq!(substitute("${env:GOSDK}/bin", &s), "/opt/go/bin");
        assert_eq!(substitute("${env: GOSDK }", &s), "/opt/go");
        assert_eq!(substitute("${env:MISSING}x", &s), "x");
        assert_eq!(substitute("${env:EMPTY}x", &s), "x");
        assert_eq!(substitute("${env:}", &s), "${env:}");
        assert_eq!(substitute("${env:}${env:GOSDK}", &s), "${env:}/opt/go");
        assert_eq!(substitute("${env:GOSDK", &s), "${env:GOSDK");
        assert_eq!(substitute("${workspaceFolder}/sdk", &s), "/home/u/proj/sdk");
        assert_eq!(substitute("${workspaceRoot}/sdk", &s), "/home/u/proj/sdk");
        assert_eq!(substitute("${workspaceFolderBasename}", &s), "proj");
        assert_eq!(substitute("${userHome}/go", &s), "${userHome}/go");
        assert_eq!(substitute("~", &s), "/home/u");
        assert_eq!(substitute("~/", &s), "/home/u/");
        assert_eq!(substitute("~/sdk/go1.22.10", &s), "/home/u/sdk/go1.22.10");
        assert_eq!(substitute("~//sdk/./x/../go", &s), "/home/u/sdk/go");
        assert_eq!(substitute("~foo", &s), "/home/u/foo");
        assert_eq!(substitute("/x/~", &s), "/x/~");
        assert_eq!(substitute("   ", &s), "   ");
        assert_eq!(substitute("", &s), "");
        // Substitution happens once, in order: env first, then workspace, then `~`.
        let env_tilde = Substitution {
            env: BTreeMap::from([("T".to_string(), "~/a".to_string())]),
            ..subst()
        };
        assert_eq!(substitute("${env:T}", &env_tilde), "/home/u/a");
        let no_home = Substitution {
            home: None,
            ..subst()
        };
        assert_eq!(substitute("~/x", &no_home), "~/x");
        let no_folder = Substitution {
            workspace_folder: PathBuf::new(),
            ..subst()
        };
        assert_eq!(
            substitute("${workspaceFolder}", &no_folder),
            "${workspaceFolder}"
        );
    }

    #[test]
    fn substitution_replacement_patterns_and_windows() {
        let s = Substitution {
            workspace_folder: PathBuf::from("/a/$&b/"),
            ..subst()
        };
        assert_eq!(
            substitute("${workspaceFolder}|", &s),
            "/a/${workspaceFolder}b/|"
        );
        // `$&` in the replacement is the matched text, as in JavaScript.
        assert_eq!(
            substitute("${workspaceFolderBasename}", &s),
            "${workspaceFolderBasename}b"
        );
        let w = Substitution {
            workspace_folder: PathBuf::from(r"C:\src\proj"),
            home: Some(PathBuf::from(r"C:\Users\José")),
            env: BTreeMap::new(),
        };
        assert_eq!(substitute("~/sdk/go", &w), r"C:\Users\José\sdk\go");
        assert_eq!(substitute("${workspaceFolderBasename}", &w), "proj");
        assert_eq!(substitute("~\\..\\x", &w), r"C:\Users\x");
    }

    #[test]
    fn extracts_the_go_members() {
        let text = r#"{
  "go.goroot": "~/sdk/go1.22.10",
  "go.gopath": "${workspaceFolder}/gopath",
  "go.alternateTools": { "go": "${env:GOSDK}/bin/go", "dlv": "/x" },
  "go.toolsEnvVars": { "GOPROXY": "direct", "GOFLAGS": 3 },
  "gopls": { "build.env": { "GOFLAGS": "-tags=x" } },
  "editor.tabSize": 4
}"#;
        let v = parse(text);
        let keys: Vec<(String, &str, &str)> = v
            .iter()
            .map(|c| (c.key.to_string(), c.raw.as_str(), c.value.as_str()))
            .collect();
        let keys: Vec<(&str, &str, &str)> = keys.iter().map(|(k, r, v)| (&**k, *r, *v)).collect();
        assert_eq!(
            keys,
            vec![
                ("go.goroot", "~/sdk/go1.22.10", "/home/u/sdk/go1.22.10"),
                (
                    "go.gopath",
                    "${workspaceFolder}/gopath",
                    "/home/u/proj/gopath"
                ),
                (
                    "go.alternateTools.go",
                    "${env:GOSDK}/bin/go",
                    "/opt/go/bin/go"
                ),
                ("go.toolsEnvVars.GOPROXY", "direct", "direct"),
                // A number reaches the tools as text.
                ("go.toolsEnvVars.GOFLAGS", "3", "3"),
                ("gopls.build.env.GOFLAGS", "-tags=x", "-tags=x"),
            ]
        );
        let g = &v[0];
        assert_eq!(&text[g.span.start..g.span.end], "\"~/sdk/go1.22.10\"");
        assert_eq!((g.span.line, g.span.column), (2, 16));
    }

    #[test]
    fn duplicates_last_wins_and_nested_gopls() {
        let text = r#"{
  "go.goroot": "/a",
  "go.toolsEnvVars": { "GOPROXY": "old" },
  "go.goroot": "/b",
  "go.toolsEnvVars": { "GOFLAGS": "-x", "GOFLAGS": "-y" },
  "gopls": { "build.env": { "A": "flat" }, "build": { "env": { "A": "nested" } } }
}"#;
        let v = parse(text);
        let keys: Vec<(String, &str)> = v
            .iter()
            .map(|c| (c.key.to_string(), c.raw.as_str()))
            .collect();
        let keys: Vec<(&str, &str)> = keys.iter().map(|(k, r)| (&**k, *r)).collect();
        assert_eq!(
            keys,
            vec![
                ("go.goroot", "/b"),
                ("go.toolsEnvVars.GOFLAGS", "-y"),
                ("gopls.build.env.A", "nested")
            ]
        );
        // A later null hides an earlier string.
        assert!(parse(r#"{"go.goroot": "/a", "go.goroot": null}"#).is_empty());
    }

    #[test]
    fn gopls_env_under_both_names_and_its_edits() {
        let text = r#"{
  "gopls": {
    "env": { "GOFLAGS": "-bogus", "GOPROXY": "off" },
    "build.env": { "GOROOT": "~/x" }
  }
}"#;
        let v = parse(text);
        let keys: Vec<(String, &str)> = v
            .iter()
            .map(|c| (c.key.to_string(), c.value.as_str()))
            .collect();
        let keys: Vec<(&str, &str)> = keys.iter().map(|(k, v)| (&**k, *v)).collect();
        assert_eq!(
            keys,
            vec![
                ("gopls.env.GOFLAGS", "-bogus"),
                ("gopls.env.GOPROXY", "off"),
                // gopls gets its env as written: no `~` substitution.
                ("gopls.build.env.GOROOT", "~/x"),
            ]
        );
        let flags = &v[0];
        assert_eq!(&text[flags.span.start..flags.span.end], "\"-bogus\"");
        assert_eq!(
            set(text, "gopls.env.GOFLAGS", "-tags=x"),
            text.replace("\"-bogus\"", "\"-tags=x\"")
        );
        let removed = remove(text, "gopls.env.GOFLAGS");
        assert_eq!(removed, text.replace("\"GOFLAGS\": \"-bogus\", ", ""));
        // A new member goes to the `env` object, created when absent.
        let added = set("{\"gopls\": {}}", "gopls.env.GOWORK", "off");
        let v = parse(&added);
        assert_eq!(v[0].key, "gopls.env.GOWORK", "{added}");
        assert!(matches!(
            set_member("{}", SettingsRoot::TopLevel, "gopls.env", "x"),
            Err(EditError::InvalidKey(_))
        ));
    }

    #[test]
    fn empty_and_comment_only_files_have_no_settings() {
        assert!(parse("").is_empty());
        assert!(parse("  \n\t").is_empty());
        assert!(parse("// nothing here\n/* still nothing */").is_empty());
        assert!(parse("\u{feff}").is_empty());
        assert!(parse("{}").is_empty());
    }

    #[test]
    fn workspace_file_reads_settings() {
        let text = "{\n\t\"folders\": [{\"path\": \".\"}],\n\t\"go.goroot\": \"/ignored\",\n\t\"settings\": {\"go.goroot\": \"/ws\"}\n}";
        let v = parse_settings(
            Path::new("a.code-workspace"),
            text,
            SettingsLayer::Workspace,
            SettingsRoot::WorkspaceFile,
            &subst(),
        )
        .expect("parses");
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].raw, "/ws");
        assert_eq!(v[0].layer, SettingsLayer::Workspace);
    }

    #[test]
    fn errors_have_positions() {
        let e = parse_settings(
            Path::new("s"),
            "{\n  \"a\": 1\n  \"b\": 2\n}",
            SettingsLayer::User,
            SettingsRoot::TopLevel,
            &subst(),
        )
        .expect_err("missing comma");
        // jsonc-parser reports a missing comma right after the previous value.
        assert_eq!(
            (e.message.as_str(), e.line, e.column),
            ("Expected comma", 2, 9),
            "{e:?}"
        );
        let e = parse_settings(
            Path::new("s"),
            "[1]",
            SettingsLayer::User,
            SettingsRoot::TopLevel,
            &subst(),
        )
        .expect_err("array");
        assert_eq!((e.line, e.column), (1, 1));
        let e = parse_settings(
            Path::new("s"),
            "{'a': 1}",
            SettingsLayer::User,
            SettingsRoot::TopLevel,
            &subst(),
        )
        .expect_err("single quotes");
        assert_eq!(e.line, 1);
        let e = parse_settings(
            Path::new("s"),
            "{\"go.goroot\": \"C:\\Users\\x\"}",
            SettingsLayer::User,
            SettingsRoot::TopLevel,
            &subst(),
        )
        .expect_err("bad escape");
        assert_eq!(e.line, 1);
    }

    #[test]
    fn line_col_counts_scalars_and_line_breaks() {
        let t = "\u{feff}a\r\nb😀c\rd\ne";
        assert_eq!(line_col(t, 3), (1, 1));
        assert_eq!(line_col(t, 4), (1, 2));
        assert_eq!(line_col(t, 6), (2, 1));
        let c = t.find('c').expect("c");
        assert_eq!(line_col(t, c), (2, 3));
        assert_eq!(
            line_col(t, c - 1),
            (2, 2),
            "inside the emoji: clamped to its start"
        );
        assert_eq!(line_col(t, t.find('d').expect("d")), (3, 1));
        assert_eq!(line_col(t, t.find('e').expect("e")), (4, 1));
        assert_eq!(line_col(t, 999), (4, 2));
        assert_eq!(line_col(t, 1), (1, 1));
    }

    #[test]
    fn decode_reports_first_invalid_byte() {
        assert_eq!(decode(b"{}").ok(), Some("{}"));
        let e = decode(b"{\n  \"a\": \"\xff\"}").expect_err("invalid");
        assert_eq!((e.line, e.column), (2, 9));
        assert!(e.message.contains("0xFF"), "{}", e.message);
        let e = decode(b"\xff\xfe{\x00}\x00").expect_err("utf-16");
        assert!(e.message.contains("UTF-16"));
    }

    #[test]
    fn set_existing_and_new_members() {
        let text = "{\n    // Go\n    \"go.goroot\": \"/old\", // keep me\n    \"editor.tabSize\": 4,\n}\n";
        assert_eq!(
            set(text, "go.goroot", "/new"),
            "{\n    // Go\n    \"go.goroot\": \"/new\", // keep me\n    \"editor.tabSize\": 4,\n}\n"
        );
        assert_eq!(
            set(text, "go.toolsEnvVars.GOPROXY", "https://proxy.golang.org,direct"),
            "{\n    // Go\n    \"go.goroot\": \"/old\", // keep me\n    \"editor.tabSize\": 4,\n    \"go.toolsEnvVars\": {\n        \"GOPROXY\": \"https://proxy.golang.org,direct\"\n    },\n}\n"
        );
        assert!(
            set_member(text, SettingsRoot::TopLevel, "go.goroot", "/old")
                .expect("ok")
                .is_empty()
        );
    }

    #[test]
    fn set_escapes_values() {
        let out = set("{}", "go.goroot", "C:\\Go \"x\"\té");
        assert!(out.contains(r#""go.goroot": "C:\\Go \"x\"\té""#), "{out}");
        let v = parse(&out);
        assert_eq!(v[0].raw, "C:\\Go \"x\"\té");
    }

    #[test]
    fn set_targets_the_last_duplicate() {
        let text = "{\n  \"go.goroot\": \"/a\",\n  \"go.goroot\": \"/b\"\n}";
        assert_eq!(
            set(text, "go.goroot", "/c"),
            "{\n  \"go.goroot\": \"/a\",\n  \"go.goroot\": \"/c\"\n}"
        );
    }

    #[test]
    fn remove_members() {
        let text = "{\n  \"go.toolsEnvVars\": {\n    \"GOPROXY\": \"off\"\n  },\n  \"go.goroot\": \"/a\"\n}\n";
        assert_eq!(
            remove(text, "go.toolsEnvVars.GOPROXY"),
            "{\n  \"go.toolsEnvVars\": {},\n  \"go.goroot\": \"/a\"\n}\n"
        );
        assert_eq!(
            remove(text, "go.goroot"),
            "{\n  \"go.toolsEnvVars\": {\n    \"GOPROXY\": \"off\"\n  }\n}\n"
        );
        assert_eq!(remove(text, "go.gopath"), text);
        assert_eq!(remove(text, "go.alternateTools.go"), text);
        assert_eq!(remove("", "go.goroot"), "");
        let dup = "{\n  \"go.goroot\": \"/a\",\n  \"x\": 1,\n  \"go.goroot\": \"/b\"\n}";
        assert_eq!(remove(dup, "go.goroot"), "{\n  \"x\": 1\n}");
    }

    #[test]
    fn edits_refuse_broken_files() {
        assert!(matches!(
            set_member("{", SettingsRoot::TopLevel, "go.goroot", "/x"),
            Err(EditError::Unparseable(_))
        ));
        assert!(matches!(
            remove_member("{,}", SettingsRoot::TopLevel, "go.goroot"),
            Err(EditError::Unparseable(_))
        ));
        assert!(matches!(
            set_member("[]", SettingsRoot::TopLevel, "go.goroot", "/x"),
            Err(EditError::NotAnObject { .. })
        ));
        assert!(matches!(
            set_member("{}", SettingsRoot::TopLevel, "go.toolsEnvVars.", "/x"),
            Err(EditError::InvalidKey(_))
        ));
        assert!(matches!(
            set_member("{}", SettingsRoot::TopLevel, "", "/x"),
            Err(EditError::InvalidKey(_))
        ));
        for key in [
            "go.toolsEnvVars",
            "go.alternateTools",
            "gopls",
            "gopls.build.env",
        ] {
            assert!(
                matches!(
                    set_member("{}", SettingsRoot::TopLevel, key, "x"),
                    Err(EditError::InvalidKey(_))
                ),
                "{key}"
            );
        }
    }

    #[test]
    fn bom_and_empty_files() {
        let text = "\u{feff}{\r\n\t\"go.goroot\": \"/a\"\r\n}\r\n";
        let edits = set_member(text, SettingsRoot::TopLevel, "go.goroot", "/b").expect("edit");
        assert!(edits.iter().all(|e| e.start >= 3));
        assert_eq!(
            apply_edits(text, &edits),
            "\u{feff}{\r\n\t\"go.goroot\": \"/b\"\r\n}\r\n"
        );
        assert_eq!(set("", "go.goroot", "/x"), new_file("go.goroot", "/x"));
        assert_eq!(
            set("\u{feff}\n", "go.goroot", "/x"),
            format!("\u{feff}{}", new_file("go.goroot", "/x"))
        );
    }

    #[test]
    fn new_file_shapes() {
        assert_eq!(
            new_file("go.goroot", "/x"),
            "{\n    \"go.goroot\": \"/x\"\n}\n"
        );
        assert_eq!(
            new_file("go.toolsEnvVars.GOPROXY", "a\\b"),
            "{\n    \"go.toolsEnvVars\": {\n        \"GOPROXY\": \"a\\\\b\"\n    }\n}\n"
        );
        assert_eq!(
            new_file("gopls.build.env.GOFLAGS", "-x"),
            "{\n    \"gopls\": {\n        \"build.env\": {\n            \"GOFLAGS\": \"-x\"\n        }\n    }\n}\n"
        );
    }

    #[test]
    fn diff_edit_is_minimal_and_char_safe() {
        let e = diff_edit("aé", 0, "aé", "aè").expect("edit");
        assert_eq!(apply_edits("aé", std::slice::from_ref(&e)), "aè");
        assert_eq!(e.start, 1);
        let e = diff_edit("abcabc", 0, "abcabc", "abc").expect("edit");
        assert_eq!(apply_edits("abcabc", &[e]), "abc");
        assert!(diff_edit("x", 0, "x", "x").is_none());
    }
}
