//! VS Code settings files end to end: real-world files → extracted values with exact spans, and
//! every kind of edit → the full resulting file (so a reviewer sees comments and formatting
//! kept). Snapshots live in `/snapshots` (`settings_jsonc__*`). In rendered texts a BOM shows as
//! `⟨BOM⟩` and a carriage return as `␍`; tabs are kept.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use go_env_doctor::model::{Configured, SettingsError, SettingsLayer};
use go_env_doctor::settings::apply_edits;
use go_env_doctor::settings::jsonc::{
    decode, line_col, new_file, parse_settings, remove_member, set_member, EditError, SettingsRoot,
    Substitution,
};
use serde::Serialize;

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

/// A user settings.json as people really have them: tabs, comments of both kinds, trailing
/// commas, non-ASCII paths, an emoji before a key on the same line, unrelated settings.
const USER: &str = r#"// Place your settings in this file to overwrite the default settings
{
	"workbench.colorTheme": "Default Dark+",
	"editor.fontFamily": "'JetBrains Mono', monospace", // ligatures
	/* Go */
	"go.goroot": "/home/josé/sdk/go1.22.10",
	/* 🚀 fast */ "go.gopath": "~/go",
	"go.toolsEnvVars": {
		"GOPROXY": "https://goproxy.cn,direct",
		"GOFLAGS": "-mod=mod",
		"GONOSUMDB": 42, // not a string: ignored
	},
	"go.alternateTools": {
		"go": "${env:HOME}/sdk/go1.22.10/bin/go",
		"gopls": "/usr/local/bin/gopls",
	},
	"gopls": {
		"ui.semanticTokens": true,
		"build.env": {
			"GOFLAGS": "-tags=integration",
		},
	},
	"[go]": {
		"editor.formatOnSave": true,
	},
}
"#;

/// A folder `.vscode/settings.json` saved on Windows: BOM, CRLF, 4 spaces, no trailing commas.
const FOLDER_CRLF_BOM: &str = "\u{feff}{\r\n    // pinned for this repo\r\n    \"go.goroot\": \"${workspaceFolder}/../sdk/go\",\r\n    \"go.toolsEnvVars\": {\r\n        \"GOPROXY\": \"off\"\r\n    }\r\n}\r\n";

/// A multi-root `*.code-workspace` file (settings nested under `"settings"`, nested gopls form).
const WORKSPACE: &str = r#"{
  "folders": [
    { "path": "api" },
    { "path": "web" },
  ],
  "settings": {
    "go.goroot": "~/sdk/go1.23.4",
    "gopls": { "build": { "env": { "GOWORK": "off" } } },
  },
  "extensions": { "recommendations": ["golang.go"] },
}
"#;

/// A workspace file with no settings at all.
const WORKSPACE_NO_SETTINGS: &str = "{\n\t\"folders\": [\n\t\t{ \"path\": \".\" }\n\t]\n}\n";

/// Windows paths, correctly escaped.
const WINDOWS: &str = r#"{
    "go.goroot": "C:\\Program Files\\Go",
    "go.toolsEnvVars": { "GOPATH": "%USERPROFILE%\\go", "GOCACHE": "${env:LOCALAPPDATA}\\go-build" }
}
"#;

/// Duplicate keys: the last one wins, the whole value.
const DUPLICATES: &str = r#"{
  "go.goroot": "/usr/local/go",
  "go.toolsEnvVars": { "GOPROXY": "direct", "GOSUMDB": "off" },
  "go.goroot": "/opt/go",
  "go.toolsEnvVars": { "GOFLAGS": "-x", "GOFLAGS": "-mod=vendor" },
}
"#;

/// Single-line, unrelated settings.
const ONE_LINE: &str = "{ \"editor.tabSize\": 2 }\n";

fn subst() -> Substitution {
    Substitution {
        workspace_folder: PathBuf::from("/home/josé/src/proj"),
        home: Some(PathBuf::from("/home/josé")),
        env: BTreeMap::from([
            ("HOME".to_string(), "/home/josé".to_string()),
            (
                "LOCALAPPDATA".to_string(),
                r"C:\Users\José\AppData\Local".to_string(),
            ),
        ]),
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The header every snapshot of this file carries: `description` says what was done to which
/// input, `info` shows the input.
#[derive(Serialize)]
struct Input {
    /// The fixture constant of this file the input is, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    fixture: Option<&'static str>,
    /// The input text line by line (split at each `\n`, so a final `""` is a trailing newline),
    /// BOM and CR made visible as in the value.
    lines: Vec<String>,
}

impl Input {
    fn of(text: &str) -> Input {
        Input {
            fixture: fixture_name(text),
            lines: visible(text).split('\n').map(str::to_string).collect(),
        }
    }

    /// "fixture USER (tests/settings/jsonc.rs)", or what the literal input is.
    fn named(&self) -> String {
        match self.fixture {
            Some(name) => format!("fixture {name} (tests/settings/jsonc.rs)"),
            None if self.lines == [""] => "an empty file".to_string(),
            None => "the text under `info`".to_string(),
        }
    }
}

/// The name of the fixture constant holding exactly `text`.
fn fixture_name(text: &str) -> Option<&'static str> {
    [
        ("USER", USER),
        ("FOLDER_CRLF_BOM", FOLDER_CRLF_BOM),
        ("WORKSPACE", WORKSPACE),
        ("WORKSPACE_NO_SETTINGS", WORKSPACE_NO_SETTINGS),
        ("WINDOWS", WINDOWS),
        ("DUPLICATES", DUPLICATES),
        ("ONE_LINE", ONE_LINE),
    ]
    .into_iter()
    .find(|(_, fixture)| *fixture == text)
    .map(|(name, _)| name)
}

/// Says how texts are rendered, after each description.
const RENDERING: &str = "A BOM shows as ⟨BOM⟩ and a carriage return as ␍.";

/// insta's settings for this file's snapshots: stored in `/snapshots` under their own name,
/// with `description` and, when the value does not show its input, `info`.
fn settings(description: &str, info: Option<&Input>) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s.set_description(description);
    if let Some(info) = info {
        s.set_info(info);
    }
    s
}

fn snap_text(name: &str, description: &str, info: &Input, text: &str) {
    settings(description, Some(info)).bind(|| insta::assert_snapshot!(name, text));
}

fn snap_yaml<T: Serialize>(name: &str, description: &str, info: Option<&Input>, value: &T) {
    settings(description, info).bind(|| insta::assert_yaml_snapshot!(name, value));
}

/// The snapshot of an extraction: each Go setting of `text` read as `layer`'s file.
fn snap_extract(name: &str, text: &str, layer: SettingsLayer, root: SettingsRoot) {
    let values = extract(text, layer, root);
    let input = Input::of(text);
    let description = format!(
        "{} read as the {layer:?} layer's settings ({root:?}), with subst() of \
         tests/settings/jsonc.rs for ${{workspaceFolder}}, ~ and ${{env:…}}: each Go setting with \
         its raw and substituted value, its position and the text its span covers. {RENDERING}",
        input.named()
    );
    snap_yaml(name, &description, Some(&input), &views(text, &values));
}

/// One edit of a settings text, for the snapshot of its result.
struct Edited {
    input: Input,
    /// What was done ("set go.goroot to \"/usr/local/go\"").
    edit: String,
    out: String,
}

/// The snapshot of an edit's result: the whole file afterwards.
fn snap_edit(name: &str, e: &Edited) {
    let description = format!(
        "{} in {}; the value is the whole file afterwards. {RENDERING}",
        e.edit,
        e.input.named()
    );
    snap_text(name, &description, &e.input, &visible(&e.out));
}

/// Makes invisible bytes visible: a BOM as `⟨BOM⟩`, `\r` as `␍`.
fn visible(text: &str) -> String {
    text.replace('\u{feff}', "⟨BOM⟩").replace('\r', "␍")
}

#[derive(Serialize)]
struct View {
    key: String,
    raw: String,
    value: String,
    layer: SettingsLayer,
    /// `line:column` (1-based; column in Unicode scalar values).
    at: String,
    /// Byte range.
    bytes: String,
    /// The text the span covers.
    source: String,
}

fn views(text: &str, values: &[Configured]) -> Vec<View> {
    values
        .iter()
        .map(|c| {
            assert_eq!((c.span.line, c.span.column), line_col(text, c.span.start));
            View {
                key: c.key.to_string(),
                raw: c.raw.clone(),
                value: c.value.clone(),
                layer: c.layer,
                at: format!("{}:{}", c.span.line, c.span.column),
                bytes: format!("{}..{}", c.span.start, c.span.end),
                source: text
                    .get(c.span.start..c.span.end)
                    .unwrap_or("<not a char range>")
                    .to_string(),
            }
        })
        .collect()
}

fn extract(text: &str, layer: SettingsLayer, root: SettingsRoot) -> Vec<Configured> {
    parse_settings(Path::new("settings.json"), text, layer, root, &subst())
        .expect("the fixture parses")
}

/// Applies `set_member`, checks the result (one edit at most, the file still parses, the key
/// has the value, the BOM and every untouched line survive) and returns the new text.
fn set(text: &str, root: SettingsRoot, key: &str, value: &str) -> Edited {
    let edits = set_member(text, root, key, value).expect("edit");
    assert!(edits.len() <= 1, "{edits:?}");
    let out = apply_edits(text, &edits);
    let values = parse_settings(Path::new("s"), &out, SettingsLayer::Folder, root, &subst())
        .expect("still parses");
    if let Some(c) = values.iter().find(|c| c.key == key) {
        assert_eq!(c.raw, value);
    }
    check_survivors(text, &out);
    Edited {
        input: Input::of(text),
        edit: format!("set_member({root:?}) of {key} to {value:?}"),
        out,
    }
}

fn remove(text: &str, root: SettingsRoot, key: &str) -> Edited {
    let edits = remove_member(text, root, key).expect("edit");
    let out = apply_edits(text, &edits);
    let values = parse_settings(Path::new("s"), &out, SettingsLayer::Folder, root, &subst())
        .expect("still parses");
    assert!(values.iter().all(|c| c.key != key), "{key} is gone");
    check_survivors(text, &out);
    Edited {
        input: Input::of(text),
        edit: format!("remove_member({root:?}) of {key}"),
        out,
    }
}

/// A settings file created for one member (`new_file`).
fn created(key: &str, value: &str) -> Edited {
    Edited {
        input: Input::of(""),
        edit: format!("new_file with {key} = {value:?} (no file before)"),
        out: new_file(key, value),
    }
}

fn check_survivors(before: &str, after: &str) {
    assert_eq!(
        before.starts_with('\u{feff}'),
        after.starts_with('\u{feff}'),
        "BOM kept"
    );
    let crlf_before = before.contains("\r\n");
    if crlf_before {
        assert_eq!(
            after.matches('\n').count(),
            after.matches("\r\n").count(),
            "CRLF everywhere"
        );
    } else {
        assert!(!after.contains('\r'));
    }
}

// ---------------------------------------------------------------------------------------------
// Extraction
// ---------------------------------------------------------------------------------------------

#[test]
fn extract_user_settings() {
    snap_extract(
        "settings_jsonc__extract_user",
        USER,
        SettingsLayer::User,
        SettingsRoot::TopLevel,
    );
}

#[test]
fn extract_folder_crlf_bom() {
    // The first member is on line 3; the BOM is not a column.
    snap_extract(
        "settings_jsonc__extract_folder_crlf_bom",
        FOLDER_CRLF_BOM,
        SettingsLayer::Folder,
        SettingsRoot::TopLevel,
    );
}

#[test]
fn extract_workspace_file() {
    snap_extract(
        "settings_jsonc__extract_workspace",
        WORKSPACE,
        SettingsLayer::Workspace,
        SettingsRoot::WorkspaceFile,
    );
    // Read as a plain settings.json, the same file has no Go settings at the top level.
    assert!(extract(WORKSPACE, SettingsLayer::Workspace, SettingsRoot::TopLevel).is_empty());
    assert!(extract(
        WORKSPACE_NO_SETTINGS,
        SettingsLayer::Workspace,
        SettingsRoot::WorkspaceFile
    )
    .is_empty());
}

#[test]
fn extract_windows_paths() {
    snap_extract(
        "settings_jsonc__extract_windows",
        WINDOWS,
        SettingsLayer::User,
        SettingsRoot::TopLevel,
    );
}

#[test]
fn extract_duplicates_last_wins() {
    snap_extract(
        "settings_jsonc__extract_duplicates",
        DUPLICATES,
        SettingsLayer::Folder,
        SettingsRoot::TopLevel,
    );
}

#[test]
fn extract_nothing() {
    for text in [
        "",
        "\n\n",
        "\u{feff}",
        "// only a comment\n",
        "/* block */",
        "{}",
        "{\n}\n",
        ONE_LINE,
    ] {
        assert!(
            extract(text, SettingsLayer::User, SettingsRoot::TopLevel).is_empty(),
            "{text:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Edits
// ---------------------------------------------------------------------------------------------

#[test]
fn edit_user_settings() {
    let top = SettingsRoot::TopLevel;
    let cases: Vec<(&str, Edited)> = vec![
        (
            "set_goroot",
            set(USER, top, "go.goroot", "/home/josé/sdk/go1.23.4"),
        ),
        ("remove_goroot", remove(USER, top, "go.goroot")),
        (
            "remove_gopath_after_emoji_comment",
            remove(USER, top, "go.gopath"),
        ),
        (
            "set_existing_tools_env_var",
            set(
                USER,
                top,
                "go.toolsEnvVars.GOPROXY",
                "https://proxy.golang.org,direct",
            ),
        ),
        (
            "add_tools_env_var",
            set(USER, top, "go.toolsEnvVars.GOTOOLCHAIN", "auto"),
        ),
        (
            "remove_middle_tools_env_var",
            remove(USER, top, "go.toolsEnvVars.GOFLAGS"),
        ),
        (
            "remove_alternate_go",
            remove(USER, top, "go.alternateTools.go"),
        ),
        (
            "set_gopls_env",
            set(USER, top, "gopls.build.env.GOFLAGS", "-tags=e2e"),
        ),
        (
            "add_gopls_env",
            set(USER, top, "gopls.build.env.GOTOOLCHAIN", "local"),
        ),
    ];
    for (name, e) in cases {
        snap_edit(&format!("settings_jsonc__edit_user__{name}"), &e);
    }
}

#[test]
fn edit_folder_crlf_bom() {
    let top = SettingsRoot::TopLevel;
    let t = FOLDER_CRLF_BOM;
    let cases: Vec<(&str, Edited)> = vec![
        (
            "add_tools_env_var",
            set(t, top, "go.toolsEnvVars.GOSUMDB", "sum.golang.org"),
        ),
        (
            "remove_last_tools_env_var",
            remove(t, top, "go.toolsEnvVars.GOPROXY"),
        ),
        ("remove_goroot", remove(t, top, "go.goroot")),
        ("set_goroot", set(t, top, "go.goroot", "/usr/local/go")),
        (
            "create_alternate_tools",
            set(t, top, "go.alternateTools.go", "/usr/local/go/bin/go"),
        ),
    ];
    for (name, e) in cases {
        snap_edit(&format!("settings_jsonc__edit_folder_crlf_bom__{name}"), &e);
    }
}

#[test]
fn edit_workspace_file() {
    let ws = SettingsRoot::WorkspaceFile;
    let cases: Vec<(&str, Edited)> = vec![
        (
            "create_tools_env_vars",
            set(
                WORKSPACE,
                ws,
                "go.toolsEnvVars.GOPROXY",
                "https://proxy.golang.org,direct",
            ),
        ),
        (
            "set_goroot",
            set(WORKSPACE, ws, "go.goroot", "/usr/local/go"),
        ),
        ("remove_goroot", remove(WORKSPACE, ws, "go.goroot")),
        (
            "set_nested_gopls_env",
            set(WORKSPACE, ws, "gopls.build.env.GOWORK", ""),
        ),
        (
            "remove_nested_gopls_env",
            remove(WORKSPACE, ws, "gopls.build.env.GOWORK"),
        ),
        (
            "create_settings",
            set(WORKSPACE_NO_SETTINGS, ws, "go.goroot", "/usr/local/go"),
        ),
    ];
    for (name, e) in cases {
        snap_edit(&format!("settings_jsonc__edit_workspace__{name}"), &e);
    }
    // Removing from a workspace without settings changes nothing (and creates nothing).
    assert!(remove_member(WORKSPACE_NO_SETTINGS, ws, "go.goroot")
        .expect("ok")
        .is_empty());
}

#[test]
fn edit_other_shapes() {
    let top = SettingsRoot::TopLevel;
    let cases: Vec<(&str, Edited)> = vec![
        (
            "windows_backslashes",
            set(
                WINDOWS,
                top,
                "go.goroot",
                r#"C:\Users\José\sdk\go1.23.4 "x""#,
            ),
        ),
        (
            "windows_remove_first_inline_member",
            remove(WINDOWS, top, "go.toolsEnvVars.GOPATH"),
        ),
        (
            "one_line_object",
            set(ONE_LINE, top, "go.alternateTools.go", "/opt/go/bin/go"),
        ),
        (
            "duplicates_set",
            set(DUPLICATES, top, "go.goroot", "/usr/lib/go"),
        ),
        ("duplicates_remove", remove(DUPLICATES, top, "go.goroot")),
        (
            "duplicates_remove_var",
            remove(DUPLICATES, top, "go.toolsEnvVars.GOFLAGS"),
        ),
        (
            "empty_file",
            set("", top, "go.toolsEnvVars.GOPROXY", "direct"),
        ),
        (
            "comment_only_file",
            set("// my settings\n", top, "go.goroot", "/usr/local/go"),
        ),
        ("new_file", created("go.toolsEnvVars.GOFLAGS", "-mod=mod")),
    ];
    for (name, e) in cases {
        snap_edit(&format!("settings_jsonc__edit_other__{name}"), &e);
    }
}

#[test]
fn edits_are_minimal_single_ranges() {
    // Setting an existing value touches only the string literal.
    let edits = set_member(USER, SettingsRoot::TopLevel, "go.goroot", "/x").expect("edit");
    assert_eq!(edits.len(), 1);
    assert_eq!(
        &USER[edits[0].start..edits[0].end],
        "\"/home/josé/sdk/go1.22.10\""
    );
    // The same value: no edit at all.
    assert!(set_member(
        USER,
        SettingsRoot::TopLevel,
        "go.goroot",
        "/home/josé/sdk/go1.22.10"
    )
    .expect("ok")
    .is_empty());
    // Absent member: no edit.
    assert!(
        remove_member(USER, SettingsRoot::TopLevel, "go.toolsEnvVars.GOWORK")
            .expect("ok")
            .is_empty()
    );
    // Edits of a BOM file never touch the BOM.
    for e in set_member(
        FOLDER_CRLF_BOM,
        SettingsRoot::TopLevel,
        "go.toolsEnvVars.A",
        "b",
    )
    .expect("edit")
    {
        assert!(e.start >= 3);
    }
}

// ---------------------------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------------------------

#[derive(Serialize)]
struct Failure {
    input: String,
    error: Option<SettingsError>,
}

#[test]
fn malformed_jsonc() {
    let inputs = [
        "{\n  \"go.goroot\": \"/a\"\n  \"go.gopath\": \"/b\"\n}",
        "{\n  \"go.goroot\": \"/a\",\n",
        "{\n  \"go.goroot\": \"/usr/local/go\n}",
        "{\n  'go.goroot': '/a'\n}",
        "{\n  go.goroot: \"/a\"\n}",
        "{\n\t\"go.goroot\": \"C:\\Go\"\n}",
        "{\n  \"a\": 0x10\n}",
        "{\n  \"a\": 1,,\n}",
        "{\n  /* unterminated comment\n}",
        "[\"go.goroot\"]",
        "\"just a string\"",
        "{} {}",
        "\u{feff}{\r\n  \"é😀\": \"x\" oops\r\n}",
    ];
    let results: Vec<Failure> = inputs
        .iter()
        .map(|t| {
            let r = parse_settings(
                Path::new("s.json"),
                t,
                SettingsLayer::Folder,
                SettingsRoot::TopLevel,
                &subst(),
            );
            // Never an edit for a file that does not parse.
            let edit = set_member(t, SettingsRoot::TopLevel, "go.goroot", "/x");
            assert!(
                matches!(
                    edit,
                    Err(EditError::Unparseable(_)) | Err(EditError::NotAnObject { .. })
                ),
                "{t:?}: {edit:?}"
            );
            assert!(
                remove_member(t, SettingsRoot::TopLevel, "go.goroot").is_err(),
                "{t:?}"
            );
            Failure {
                input: visible(t),
                error: r.err(),
            }
        })
        .collect();
    assert!(results.iter().all(|f| f.error.is_some()));
    snap_yaml(
        "settings_jsonc__malformed",
        "Settings texts that do not parse (each `input` beside its error), read as a folder's \
         settings.json: the error's message and 1-based line and column.",
        None,
        &results,
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let text = format!("{{\"a\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let err = parse_settings(
        Path::new("s"),
        &text,
        SettingsLayer::User,
        SettingsRoot::TopLevel,
        &subst(),
    )
    .expect_err("too deep");
    assert_eq!(err.message, "Maximum nesting depth exceeded");
    assert!(set_member(&text, SettingsRoot::TopLevel, "go.goroot", "/x").is_err());
}

#[test]
fn non_utf8_bytes() {
    let bytes = b"{\n  \"go.goroot\": \"/home/jos\xe9/sdk\"\n}\n";
    let err = decode(bytes).expect_err("latin-1 is not UTF-8");
    let utf16 = decode(&[0xFF, 0xFE, b'{', 0, b'}', 0]).expect_err("UTF-16");
    let truncated = decode("{\"a\": \"é".as_bytes().get(..8).unwrap_or_default())
        .expect_err("truncated sequence");
    snap_yaml(
        "settings_jsonc__non_utf8",
        "decode() of bytes that are not UTF-8, in order: a settings.json with a Latin-1 é \
         (0xE9), a UTF-16 LE file (FF FE, then {}), and a UTF-8 é cut after its first byte.",
        None,
        &[err, utf16, truncated],
    );
    assert!(decode("\u{feff}{\"é\": 1}".as_bytes()).is_ok());
}

/// A 10 MB settings file (many members, comments) and one with a 10 MB string: parsing stays
/// well under a second even in a debug build; editing works and stays correct.
#[test]
fn ten_megabyte_files() {
    let mut big = String::from("{\n");
    let mut i = 0;
    while big.len() < 10 * 1024 * 1024 {
        big.push_str(&format!(
            "  \"ext.setting{i}\": \"a value that is reasonably long #{i}\", // note {i}\n"
        ));
        i += 1;
    }
    big.push_str(
        "  \"go.goroot\": \"/usr/local/go\",\n  \"go.toolsEnvVars\": { \"GOPROXY\": \"off\" }\n}\n",
    );

    let t = Instant::now();
    let values = parse_settings(
        Path::new("big.json"),
        &big,
        SettingsLayer::User,
        SettingsRoot::TopLevel,
        &subst(),
    )
    .expect("parses");
    let parse_time = t.elapsed();
    assert_eq!(values.len(), 2);
    assert_eq!(values[1].span.line, i + 3);

    let mut blob = String::from("{\"go.goroot\": \"/x\", \"blob\": \"");
    blob.push_str(&"é".repeat(5 * 1024 * 1024));
    blob.push_str("\", \"go.gopath\": \"/gp\"}");
    let t = Instant::now();
    let values = parse_settings(
        Path::new("blob.json"),
        &blob,
        SettingsLayer::User,
        SettingsRoot::TopLevel,
        &subst(),
    )
    .expect("parses");
    let blob_time = t.elapsed();
    assert_eq!(values.len(), 2);
    assert_eq!(values[1].span.column, 5 * 1024 * 1024 + 46);

    let t = Instant::now();
    let edits = set_member(
        &big,
        SettingsRoot::TopLevel,
        "go.toolsEnvVars.GOPROXY",
        "direct",
    )
    .expect("fast path");
    let set_time = t.elapsed();
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0].new_text, "\"direct\"");
    let edits = remove_member(&big, SettingsRoot::TopLevel, "go.goroot").expect("syntax tree path");
    let out = apply_edits(&big, &edits);
    assert_eq!(
        out.len(),
        big.len() - "  \"go.goroot\": \"/usr/local/go\",\n".len()
    );

    // Truncated in the middle: a clear error, quickly.
    let cut = big.get(..big.len() / 2).unwrap_or_default();
    let t = Instant::now();
    let err = parse_settings(
        Path::new("big.json"),
        cut,
        SettingsLayer::User,
        SettingsRoot::TopLevel,
        &subst(),
    )
    .expect_err("truncated");
    let err_time = t.elapsed();
    assert!(err.line > 1000, "{err:?}");

    eprintln!("10 MB: parse {parse_time:?}, 10 MB string {blob_time:?}, set {set_time:?}, truncated {err_time:?}");
    // Generous bound for a shared 2-core machine; typical debug timings are printed above.
    for d in [parse_time, blob_time, err_time] {
        assert!(d < Duration::from_secs(3), "{d:?}");
    }
}
