//! The properties every parser and editor must keep on any input, shared by the seeded property
//! tests (`tests/fuzz_props.rs`) and the coverage-guided fuzz targets (`fuzz/`), so that a
//! violation found by either is a failure in both. Every check panics on a violation, with the
//! input in the message.

#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use go_env_doctor::model::{CommandResult, Configured, SettingsLayer};
use go_env_doctor::settings::jsonc::{self, SettingsRoot, Substitution};
use go_env_doctor::settings::{apply_edits, envfile, gomod, idea, TextEdit};

/// Debug output cut to a readable length (inputs can hold values of many kilobytes).
pub struct Short<T>(pub T);

impl<T: std::fmt::Debug> std::fmt::Debug for Short<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let full = format!("{:?}", self.0);
        if full.chars().count() <= 600 {
            return f.write_str(&full);
        }
        let head: String = full.chars().take(300).collect();
        let tail: String = {
            let mut t: Vec<char> = full.chars().rev().take(200).collect();
            t.reverse();
            t.into_iter().collect()
        };
        write!(f, "{head}…[{} chars]…{tail}", full.chars().count())
    }
}

// ---------------------------------------------------------------------------------------------
// Edits in general
// ---------------------------------------------------------------------------------------------

/// Checks that `edits` can be applied to `text` (in bounds, on character boundaries, not
/// overlapping) and that applying them changes nothing but the ranges they name: the result is
/// the untouched pieces between the edits with each edit's new text in between. Returns it.
pub fn apply_checked(text: &str, edits: &[TextEdit]) -> String {
    let _text = Short(text);
    let _edits = Short(edits);
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.start, e.end));
    let mut expected = String::new();
    let mut at = 0;
    for e in &sorted {
        assert!(
            e.start <= e.end && e.end <= text.len(),
            "edit {e:?} out of bounds (len {}) in {_text:?}",
            text.len()
        );
        assert!(
            text.is_char_boundary(e.start) && text.is_char_boundary(e.end),
            "edit {e:?} splits a character in {_text:?}"
        );
        assert!(at <= e.start, "edits overlap: {_edits:?} in {_text:?}");
        expected.push_str(&text[at..e.start]);
        expected.push_str(&e.new_text);
        at = e.end;
    }
    expected.push_str(&text[at..]);
    let out = apply_edits(text, edits);
    assert_eq!(out, expected, "apply_edits is not the splice of {_edits:?}");
    out
}

/// The effective value (last occurrence wins) of each key.
fn effective(found: &[Configured]) -> BTreeMap<String, String> {
    found
        .iter()
        .map(|c| (c.key.to_string(), c.raw.clone()))
        .collect()
}

fn without(mut m: BTreeMap<String, String>, key: &str) -> BTreeMap<String, String> {
    m.remove(key);
    m
}

/// Every span lies in the text, on character boundaries, with a line and column that
/// `line_col` agrees with.
fn check_spans(text: &str, found: &[Configured]) {
    let _text = Short(text);
    for c in found {
        let s = &c.span;
        assert!(
            s.start <= s.end && s.end <= text.len(),
            "span {s:?} out of bounds in {_text:?}"
        );
        assert!(
            text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
            "span {s:?} splits a character in {_text:?}"
        );
        assert!(s.line >= 1 && s.column >= 1, "span {s:?} in {_text:?}");
        assert_eq!(
            (s.line, s.column),
            jsonc::line_col(text, s.start),
            "position of {s:?} in {_text:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// JSONC settings
// ---------------------------------------------------------------------------------------------

pub const JSONC_ROOTS: [SettingsRoot; 2] = [SettingsRoot::TopLevel, SettingsRoot::WorkspaceFile];

fn settings_path() -> PathBuf {
    PathBuf::from("/w/.vscode/settings.json")
}

pub fn jsonc_parse(text: &str, root: SettingsRoot) -> Result<Vec<Configured>, String> {
    jsonc::parse_settings(
        &settings_path(),
        text,
        SettingsLayer::Folder,
        root,
        &Substitution::default(),
    )
    .map_err(|e| e.message)
}

/// Any bytes: decoding and parsing never panic; what parses has sound spans whose text is the
/// value's JSON string literal (or, in go.toolsEnvVars, its number or boolean literal).
pub fn jsonc_any(bytes: &[u8]) {
    let decoded = jsonc::decode(bytes);
    assert_eq!(decoded.is_ok(), std::str::from_utf8(bytes).is_ok());
    let Ok(text) = decoded else {
        return;
    };
    for root in JSONC_ROOTS {
        let Ok(found) = jsonc_parse(text, root) else {
            continue;
        };
        check_spans(text, &found);
        for c in &found {
            let lit = &text[c.span.start..c.span.end];
            // A number or boolean of go.toolsEnvVars is kept (vscode-go passes it on as text).
            let scalar = c.key.to_string().starts_with("go.toolsEnvVars.")
                && (lit == "true"
                    || lit == "false"
                    || lit.parse::<f64>().is_ok()
                    || lit.starts_with('-')
                    || lit.starts_with(|ch: char| ch.is_ascii_digit()));
            assert!(
                scalar || (lit.len() >= 2 && lit.starts_with('"') && lit.ends_with('"')),
                "span of {} is not a string literal: {lit:?}",
                c.key
            );
        }
    }
}

/// The whole document as a JSON value (duplicates: the last wins, like VS Code), `None` when the
/// file holds no value.
fn jsonc_tree(text: &str) -> Option<serde_json::Value> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let opts = jsonc_parser::ParseOptions {
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
    };
    let ast = jsonc_parser::parse_to_ast(body, &Default::default(), &opts).ok()?;
    ast.value.as_ref().map(to_tree)
}

/// A JSON value of the syntax tree; numbers are kept as their text (`1e400` has no `f64`).
fn to_tree(v: &jsonc_parser::ast::Value<'_>) -> serde_json::Value {
    use jsonc_parser::ast::Value as V;
    match v {
        V::StringLit(s) => serde_json::Value::String(s.value.to_string()),
        V::NumberLit(n) => serde_json::json!(["#number", n.value]),
        V::BooleanLit(b) => serde_json::Value::Bool(b.value),
        V::NullKeyword(_) => serde_json::Value::Null,
        V::Array(a) => serde_json::Value::Array(a.elements.iter().map(to_tree).collect()),
        V::Object(o) => {
            let mut m = serde_json::Map::new();
            for p in &o.properties {
                m.insert(p.name.as_str().to_string(), to_tree(&p.value));
            }
            serde_json::Value::Object(m)
        }
    }
}

/// The object path of a dotted key (the module's own mapping, restated): `None` for the keys
/// `set_member`/`remove_member` must refuse.
fn jsonc_key_path(key: &str) -> Option<Vec<String>> {
    for prefix in ["go.toolsEnvVars", "go.alternateTools"] {
        if let Some(name) = key.strip_prefix(prefix).and_then(|r| r.strip_prefix('.')) {
            return (!name.is_empty()).then(|| vec![prefix.to_string(), name.to_string()]);
        }
    }
    if let Some(name) = key.strip_prefix("gopls.build.env.") {
        return (!name.is_empty()).then(|| vec!["gopls".into(), "build.env".into(), name.into()]);
    }
    // gopls reads `env` as the same setting; its members live in `"gopls": {"env": {…}}`.
    if let Some(name) = key.strip_prefix("gopls.env.") {
        return (!name.is_empty()).then(|| vec!["gopls".into(), "env".into(), name.into()]);
    }
    if key.is_empty()
        || [
            "go.toolsEnvVars",
            "go.alternateTools",
            "gopls",
            "gopls.build.env",
            "gopls.env",
        ]
        .contains(&key)
    {
        return None;
    }
    Some(vec![key.to_string()])
}

fn is_extracted_key(key: &str) -> bool {
    key == "go.goroot"
        || key == "go.gopath"
        || key == "go.alternateTools.go"
        || key.starts_with("go.toolsEnvVars.")
        || key.starts_with("gopls.build.env.")
        || key.starts_with("gopls.env.")
}

fn as_object(v: &mut serde_json::Value) -> &mut serde_json::Map<String, serde_json::Value> {
    if !v.is_object() {
        *v = serde_json::Value::Object(serde_json::Map::new());
    }
    match v {
        serde_json::Value::Object(o) => o,
        _ => unreachable!("just made an object"),
    }
}

/// The settings object of a tree (created when `create`).
fn settings_of(
    tree: &mut serde_json::Value,
    root: SettingsRoot,
    create: bool,
) -> Option<&mut serde_json::Value> {
    match root {
        SettingsRoot::TopLevel => Some(tree),
        SettingsRoot::WorkspaceFile if create => Some(
            as_object(tree)
                .entry("settings")
                .or_insert(serde_json::Value::Null),
        ),
        SettingsRoot::WorkspaceFile => tree.get_mut("settings").filter(|s| s.is_object()),
    }
}

/// `tree` with `gopls` (in the settings object) taken from `other`: the part of a `gopls.*` edit
/// that this check does not model member by member. Returns the `gopls` objects of both, other
/// members than the two `build.env` forms compared separately.
fn swap_gopls(tree: &mut serde_json::Value, other: &serde_json::Value, root: SettingsRoot) {
    let other_gopls = match root {
        SettingsRoot::TopLevel => other.get("gopls"),
        SettingsRoot::WorkspaceFile => other.get("settings").and_then(|s| s.get("gopls")),
    };
    if let Some(s) = settings_of(tree, root, other_gopls.is_some()) {
        let o = as_object(s);
        match other_gopls {
            Some(g) => {
                o.insert("gopls".into(), g.clone());
            }
            None => {
                o.remove("gopls");
            }
        }
    }
}

fn gopls_others(tree: &serde_json::Value, root: SettingsRoot) -> serde_json::Value {
    let g = match root {
        SettingsRoot::TopLevel => tree.get("gopls"),
        SettingsRoot::WorkspaceFile => tree.get("settings").and_then(|s| s.get("gopls")),
    };
    match g {
        Some(serde_json::Value::Object(o)) => {
            let mut o = o.clone();
            o.remove("build.env");
            o.remove("build");
            o.remove("env");
            serde_json::Value::Object(o)
        }
        _ => serde_json::Value::Null,
    }
}

/// `set_member`: refused keys are refused; a file that does not parse gets no edit; otherwise
/// the edit applies cleanly, the result parses, the member has the new value and nothing else in
/// the document changed (whole JSON tree compared); an existing string value is replaced in
/// place.
pub fn jsonc_set(text: &str, root: SettingsRoot, key: &str, value: &str) {
    let _text = Short(text);
    let _value = Short(value);
    let result = jsonc::set_member(text, root, key, value);
    let Some(path) = jsonc_key_path(key) else {
        assert!(
            matches!(result, Err(jsonc::EditError::InvalidKey(_))),
            "key {key:?} must be refused, got {result:?}"
        );
        return;
    };
    let before = jsonc_parse(text, root);
    let edits = match (result, &before) {
        (Err(e), Ok(_)) => match e {
            // A non-object where an object must be (a top-level array…): refused, fine.
            jsonc::EditError::NotAnObject { .. } => return,
            e => panic!("set {key:?}={_value:?} refused on a valid file ({e}): {_text:?}"),
        },
        (Err(_), Err(_)) => return,
        (Ok(edits), Err(e)) => {
            // Only a blank file (nothing to parse yet) may be edited without parsing.
            // (Blank as JavaScript's trim sees it: U+FEFF counts as white space.)
            let blank = text
                .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
                .is_empty();
            assert!(
                blank || edits.is_empty(),
                "edit {edits:?} offered for an unparseable file ({e}): {_text:?}"
            );
            edits
        }
        (Ok(edits), Ok(_)) => edits,
    };
    assert!(edits.len() <= 1, "more than one edit: {}", edits.len());
    let after = apply_checked(text, &edits);
    let _after = Short(&after);
    let _edits = Short(&edits);
    let found_after = jsonc_parse(&after, root)
        .unwrap_or_else(|e| panic!("set {key:?} broke the file ({e}): {_text:?} → {_after:?}"));
    check_spans(&after, &found_after);
    if is_extracted_key(key) {
        let now = effective(&found_after);
        assert_eq!(
            now.get(key).map(String::as_str),
            Some(value),
            "set {key:?}: {_text:?} → {_after:?}"
        );
        if let Ok(before) = &before {
            assert_eq!(
                without(effective(before), key),
                without(now, key),
                "set {key:?} changed other settings: {_text:?} → {_after:?}"
            );
            // An existing string value is replaced where it stands.
            if let (Some(old), [e]) = (before.iter().rfind(|c| c.key == key), edits.as_slice()) {
                assert!(
                    old.span.start <= e.start && e.end <= old.span.end,
                    "set {key:?} edited {e:?} outside the old value {:?}: {_text:?}",
                    old.span
                );
            }
        }
    }
    // The whole document: the member set, nothing else changed.
    let Some(after_tree) = jsonc_tree(&after) else {
        panic!("set {key:?} left no value: {_after:?}");
    };
    let before_tree = jsonc_tree(text);
    let mut expected = before_tree
        .clone()
        .unwrap_or(serde_json::Value::Object(Default::default()));
    if path[0] == "gopls" {
        swap_gopls(&mut expected, &after_tree, root);
        if let Some(b) = &before_tree {
            if gopls_others(b, root).is_object() {
                assert_eq!(
                    gopls_others(b, root),
                    gopls_others(&after_tree, root),
                    "set {key:?} changed other gopls settings: {_text:?} → {_after:?}"
                );
            }
        }
    } else if let Some(mut at) = settings_of(&mut expected, root, true) {
        for name in &path[..path.len() - 1] {
            at = as_object(at)
                .entry(name.clone())
                .or_insert(serde_json::Value::Null);
        }
        as_object(at).insert(
            path[path.len() - 1].clone(),
            serde_json::Value::String(value.to_string()),
        );
    }
    assert_eq!(
        expected, after_tree,
        "set {key:?}={_value:?}: {_text:?} → {_after:?}"
    );
}

/// `remove_member`: the result parses, the member is gone, nothing else changed.
pub fn jsonc_remove(text: &str, root: SettingsRoot, key: &str) {
    let _text = Short(text);
    let result = jsonc::remove_member(text, root, key);
    let Some(path) = jsonc_key_path(key) else {
        assert!(
            matches!(result, Err(jsonc::EditError::InvalidKey(_))),
            "key {key:?} must be refused, got {result:?}"
        );
        return;
    };
    let before = jsonc_parse(text, root);
    let edits = match (result, &before) {
        (Err(jsonc::EditError::NotAnObject { .. }), Ok(_)) => return,
        (Err(e), Ok(_)) => panic!("remove {key:?} refused on a valid file ({e}): {_text:?}"),
        (Err(_), Err(_)) => return,
        (Ok(edits), Err(e)) => {
            assert!(
                edits.is_empty(),
                "edit {edits:?} offered for an unparseable file ({e}): {_text:?}"
            );
            return;
        }
        (Ok(edits), Ok(_)) => edits,
    };
    assert!(edits.len() <= 1, "more than one edit: {}", edits.len());
    let after = apply_checked(text, &edits);
    let _after = Short(&after);
    let _edits = Short(&edits);
    let found_after = jsonc_parse(&after, root)
        .unwrap_or_else(|e| panic!("remove {key:?} broke the file ({e}): {_text:?} → {_after:?}"));
    check_spans(&after, &found_after);
    let now = effective(&found_after);
    assert!(
        !now.contains_key(key),
        "remove {key:?} left it: {_text:?} → {_after:?}"
    );
    if let Ok(before) = &before {
        assert_eq!(
            without(effective(before), key),
            now,
            "remove {key:?} changed other settings: {_text:?} → {_after:?}"
        );
    }
    let before_tree = jsonc_tree(text);
    let after_tree = jsonc_tree(&after);
    let Some(mut expected) = before_tree.clone() else {
        assert!(
            edits.is_empty(),
            "edit {_edits:?} in a file without a value"
        );
        return;
    };
    if path[0] == "gopls" {
        if let Some(a) = &after_tree {
            swap_gopls(&mut expected, a, root);
            assert_eq!(
                gopls_others(&before_tree.clone().unwrap_or_default(), root),
                gopls_others(a, root),
                "remove {key:?} changed other gopls settings: {_text:?} → {_after:?}"
            );
        }
    } else if let Some(settings) = settings_of(&mut expected, root, false) {
        let pointer: String = path[..path.len() - 1]
            .iter()
            .map(|p| format!("/{}", p.replace('~', "~0").replace('/', "~1")))
            .collect();
        if let Some(serde_json::Value::Object(o)) = settings.pointer_mut(&pointer) {
            o.remove(&path[path.len() - 1]);
        }
    }
    assert_eq!(
        Some(expected),
        after_tree,
        "remove {key:?}: {_text:?} → {_after:?}"
    );
}

/// `substitute`: never panics; without `$` and a leading `~` a value is left as it is.
pub fn substitute_any(raw: &str, folder: &str, home: Option<&str>, env: &[(String, String)]) {
    let s = Substitution {
        workspace_folder: PathBuf::from(folder),
        home: home.map(PathBuf::from),
        env: env.iter().cloned().collect(),
    };
    let out = jsonc::substitute(raw, &s);
    if !raw.contains('$') && !raw.starts_with('~') {
        assert_eq!(out, raw, "substitute changed a plain value");
    }
    let _ = jsonc::new_file(raw, folder);
    let _ = jsonc::json_string(raw);
    let _ = jsonc::line_col(raw, folder.len());
}

// ---------------------------------------------------------------------------------------------
// .idea/workspace.xml
// ---------------------------------------------------------------------------------------------

pub fn idea_macros() -> idea::Macros {
    idea::Macros {
        home: Some(PathBuf::from("/home/dev")),
        project_dir: PathBuf::from("/home/dev/src/shop"),
    }
}

pub fn idea_parse(text: &str) -> Result<Vec<Configured>, String> {
    idea::parse_workspace(
        Path::new("/home/dev/src/shop/.idea/workspace.xml"),
        text,
        SettingsLayer::Folder,
        &idea_macros(),
    )
    .map_err(|e| e.message)
}

/// Any text: parsing never panics and spans are sound.
pub fn idea_any(text: &str) {
    if let Ok(found) = idea_parse(text) {
        check_spans(text, &found);
    }
}

/// `set_setting`: unsupported keys are refused; unparseable files get no edit; otherwise the
/// edit applies cleanly, the result parses, the setting has the new value and no other setting
/// changed; an existing value is replaced where it stands.
pub fn idea_set(text: &str, key: &str, value: &str) {
    let _text = Short(text);
    let _value = Short(value);
    let m = idea_macros();
    let result = idea::set_setting(text, key, value, &m);
    if !idea::supports_key(key) {
        assert!(
            matches!(result, Err(idea::EditError::Unsupported(_))),
            "key {key:?} must be refused: {result:?}"
        );
        return;
    }
    let before = idea_parse(text);
    let edits = match (result, &before) {
        (Err(idea::EditError::NoRoot), Ok(_)) => return,
        (Err(e), Ok(_)) => panic!("set {key:?} refused on a valid file ({e}): {_text:?}"),
        (Err(_), Err(_)) => return,
        (Ok(edits), Err(e)) => panic!("edit {edits:?} offered for a broken file ({e}): {_text:?}"),
        (Ok(edits), Ok(_)) => edits,
    };
    let before = before.unwrap_or_default();
    assert!(edits.len() <= 1, "more than one edit: {}", edits.len());
    let after = apply_checked(text, &edits);
    let _after = Short(&after);
    let _edits = Short(&edits);
    let found = idea_parse(&after)
        .unwrap_or_else(|e| panic!("set {key:?} broke the file ({e}): {_text:?} → {_after:?}"));
    check_spans(&after, &found);
    let now = effective(&found);
    let got = now.get(key).cloned();
    if key == idea::GOROOT_KEY {
        let collapsed = idea::collapse(value, &m);
        let url = format!("file://{collapsed}");
        assert!(
            got.as_deref() == Some(&collapsed) || got.as_deref() == Some(&url),
            "set {key:?}={_value:?} gave {got:?}: {_text:?} → {_after:?}"
        );
    } else {
        assert_eq!(
            got.as_deref(),
            Some(value),
            "set {key:?}: {_text:?} → {_after:?}"
        );
    }
    assert_eq!(
        without(effective(&before), key),
        without(now, key),
        "set {key:?} changed other settings: {_text:?} → {_after:?}"
    );
    if let (Some(old), [e]) = (before.iter().rfind(|c| c.key == key), edits.as_slice()) {
        // A GOPROXY held by the older `<proxy>` element is overridden by a new entry instead,
        // and a later entry of the key without a value gets one (an insertion).
        let proxy_elem = !text[..old.span.start].ends_with(['"', '\'']);
        assert!(
            proxy_elem || e.start == e.end || (old.span.start <= e.start && e.end <= old.span.end),
            "set {key:?} edited {e:?} outside the old value {:?}: {_text:?}",
            old.span
        );
    }
}

/// `remove_setting`: the result parses, the setting is gone, no other setting changed.
pub fn idea_remove(text: &str, key: &str) {
    let _text = Short(text);
    let result = idea::remove_setting(text, key);
    if !idea::supports_key(key) {
        assert!(
            matches!(result, Err(idea::EditError::Unsupported(_))),
            "key {key:?} must be refused: {result:?}"
        );
        return;
    }
    let before = idea_parse(text);
    let edits = match (result, &before) {
        (Err(e), Ok(_)) => panic!("remove {key:?} refused on a valid file ({e}): {_text:?}"),
        (Err(_), Err(_)) => return,
        (Ok(edits), Err(e)) => {
            assert!(edits.is_empty(), "edit offered for a broken file ({e})");
            return;
        }
        (Ok(edits), Ok(_)) => edits,
    };
    let after = apply_checked(text, &edits);
    let _after = Short(&after);
    let _edits = Short(&edits);
    let found = idea_parse(&after)
        .unwrap_or_else(|e| panic!("remove {key:?} broke the file ({e}): {_text:?} → {_after:?}"));
    check_spans(&after, &found);
    let now = effective(&found);
    assert!(
        !now.contains_key(key),
        "remove {key:?} left it: {_text:?} → {_after:?}"
    );
    assert_eq!(
        without(effective(&before.unwrap_or_default()), key),
        now,
        "remove {key:?} changed other settings: {_text:?} → {_after:?}"
    );
}

/// `expand`/`collapse`: never panic; a plain absolute path survives collapse then expand.
pub fn idea_macros_any(path: &str) {
    let m = idea_macros();
    let _ = idea::expand(path, &m);
    let collapsed = idea::collapse(path, &m);
    let plain = path.starts_with('/')
        && !path.contains(['$', '\\'])
        && path[1..]
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..");
    if plain {
        assert_eq!(idea::expand(&collapsed, &m), path, "via {collapsed:?}");
    }
    let _ = idea::escape_attr(path);
}

// ---------------------------------------------------------------------------------------------
// The go env file
// ---------------------------------------------------------------------------------------------

fn env_entries(text: &str) -> Vec<(String, String, u32)> {
    envfile::parse(Path::new("/h/.config/go/env"), text)
        .entries
        .into_iter()
        .map(|e| (e.key, e.value, e.line))
        .collect()
}

/// Parsing: every entry is a line whose first byte is `A`–`Z`, holding its key and value.
pub fn envfile_any(text: &str) {
    let _text = Short(text);
    let lines: Vec<&str> = text.split('\n').collect();
    for (key, value, line) in env_entries(text) {
        let l = lines[line as usize - 1];
        assert_eq!(l, format!("{key}={value}"), "line {line} of {_text:?}");
        assert!(key.as_bytes()[0].is_ascii_uppercase() && !key.contains('='));
    }
}

/// `set`: keys cmd/go cannot read back get no edit; otherwise the key's effective value is the
/// value up to its first line break, and every other line is kept with its number.
pub fn envfile_set(text: &str, key: &str, value: &str) {
    let _text = Short(text);
    let edits = envfile::set(text, key, value);
    let readable = key.as_bytes().first().is_some_and(u8::is_ascii_uppercase)
        && !key.contains(['=', '\n', '\r']);
    if !readable {
        assert!(edits.is_empty(), "edit for unreadable key {key:?}");
        return;
    }
    assert!(edits.len() <= 1, "more than one edit: {}", edits.len());
    let after = apply_checked(text, &edits);
    let _after = Short(&after);
    let _edits = Short(&edits);
    let want = value.split(['\n', '\r']).next().unwrap_or("");
    let now = env_entries(&after);
    assert_eq!(
        now.iter()
            .rfind(|(k, _, _)| k == key)
            .map(|(_, v, _)| v.as_str()),
        Some(want),
        "set {key:?}: {_text:?} → {_after:?}"
    );
    let others = |e: Vec<(String, String, u32)>| -> Vec<(String, String, u32)> {
        e.into_iter().filter(|(k, _, _)| k != key).collect()
    };
    assert_eq!(
        others(env_entries(text)),
        others(now),
        "set {key:?} changed other lines: {_text:?} → {_after:?}"
    );
    // Setting it again changes nothing.
    assert!(
        envfile::set(&after, key, value).is_empty(),
        "set {key:?} twice: {_text:?}"
    );
}

/// `remove`: the key is gone; the other entries are kept in order.
pub fn envfile_remove(text: &str, key: &str) {
    let _text = Short(text);
    let edits = envfile::remove(text, key);
    let after = apply_checked(text, &edits);
    let _after = Short(&after);
    let _edits = Short(&edits);
    let now = env_entries(&after);
    assert!(
        now.iter().all(|(k, _, _)| k != key),
        "remove {key:?}: {_text:?} → {_after:?}"
    );
    let pairs = |e: Vec<(String, String, u32)>| -> Vec<(String, String)> {
        e.into_iter()
            .filter(|(k, _, _)| k != key)
            .map(|(k, v, _)| (k, v))
            .collect()
    };
    assert_eq!(pairs(env_entries(text)), pairs(now), "remove {key:?}");
}

// ---------------------------------------------------------------------------------------------
// go.mod / go.work and versions
// ---------------------------------------------------------------------------------------------

/// Parsing as go.mod and as go.work: never panics; each found value's span is its token, on the
/// line it names; at most 10 error lines.
pub fn gomod_any(text: &str) {
    let _text = Short(text);
    for name in ["go.mod", "go.work"] {
        let facts = gomod::parse(Path::new(name), text);
        for (what, line) in [
            ("module", &facts.module),
            ("go", &facts.go),
            ("toolchain", &facts.toolchain),
        ] {
            let Some(l) = line else { continue };
            let s = &l.span;
            assert!(s.start < s.end && s.end <= text.len(), "{what} {s:?}");
            let tok = text
                .get(s.start..s.end)
                .unwrap_or_else(|| panic!("{what} span {s:?} splits a character in {_text:?}"));
            let line_no = text[..s.start].matches('\n').count() + 1;
            assert_eq!(l.line as usize, line_no, "{what} line in {_text:?}");
            assert_eq!(s.line, l.line);
            if what != "module" {
                assert_eq!(tok, l.value, "{what} value in {_text:?}");
            }
            assert!(
                !(what == "module" && name == "go.work"),
                "go.work has no module"
            );
        }
        if let Some(e) = &facts.error {
            assert!(e.lines().count() <= 10, "{e}");
        }
        if let Some(go) = &facts.go {
            version_any(&go.value);
        }
        if let Some(t) = &facts.toolchain {
            version_any(&t.value);
        }
    }
}

/// `parse_version`: never panics; a parsed version prints as a string that parses back to it;
/// the order is total and reflexive; `toolchain_version_of_go_line` always names a patch or
/// prerelease.
pub fn version_any(s: &str) {
    let v = gomod::parse_version(s);
    if let Some(v) = &v {
        let printed = v.to_string();
        assert_eq!(
            gomod::parse_version(&printed).as_ref(),
            Some(v),
            "{s:?} printed as {printed:?}"
        );
        assert_eq!(v.cmp(v), std::cmp::Ordering::Equal);
        let _ = v.toolchain_name();
    }
    if let Some(t) = gomod::toolchain_version_of_go_line(s) {
        assert!(t.patch.is_some() || t.pre.is_some(), "{s:?} → {t:?}");
        assert!(!t.is_lang());
    }
}

// ---------------------------------------------------------------------------------------------
// Command output: `go env -json`, the shell probe, redaction
// ---------------------------------------------------------------------------------------------

/// `go env -json` output: never panics; parsed output keeps every string value as it is.
pub fn go_env_json_any(out: &str) {
    let _text = Short(out);
    let parsed = go_env_doctor::facts::go::parse_env_json(CommandResult::Ok {
        value: out.to_string(),
        millis: 1,
    });
    let direct = serde_json::from_str::<BTreeMap<String, serde_json::Value>>(out);
    match (&parsed, direct) {
        (CommandResult::Ok { value, .. }, Ok(d)) => {
            assert_eq!(value.len(), d.len());
            for (k, v) in d {
                if let serde_json::Value::String(s) = v {
                    assert_eq!(value.get(&k), Some(&s), "{k} in {_text:?}");
                }
            }
        }
        (CommandResult::Failed { .. }, Err(_)) => {}
        (p, d) => panic!("go env -json {_text:?}: {p:?} vs serde_json {d:?}"),
    }
}

/// The shell probe's output: never panics; what it finds is a JSON object of strings that
/// stands between two marks in the output.
pub fn shell_extract_any(stdout: &[u8], mark: &str) {
    let Some(env) = go_env_doctor::facts::shell::extract_env(stdout, mark) else {
        return;
    };
    let json = serde_json::to_vec(&env).unwrap();
    let m = mark.as_bytes();
    assert!(!m.is_empty());
    let found = stdout.windows(m.len()).enumerate().any(|(i, w)| {
        w == m
            && stdout[i + m.len()..].first() == Some(&b'{')
            && stdout[i + m.len()..]
                .windows(m.len())
                .enumerate()
                .any(|(j, w2)| {
                    w2 == m
                        && serde_json::from_slice::<BTreeMap<String, String>>(
                            &stdout[i + m.len()..i + m.len() + j],
                        )
                        .ok()
                        .as_ref()
                            == Some(&env)
                })
    });
    assert!(
        found,
        "extracted {} not between marks in {stdout:?}",
        String::from_utf8_lossy(&json)
    );
}

/// Redaction: never panics, is idempotent, and says there are credentials exactly when it
/// changed something.
pub fn redact_any(s: &str) {
    let once = go_env_doctor::redact::redact(s);
    assert_eq!(go_env_doctor::redact::redact(&once), once, "twice: {s:?}");
    assert_eq!(go_env_doctor::redact::has_credentials(s), once != s);
}
