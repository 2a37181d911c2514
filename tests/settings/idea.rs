//! GoLand's `.idea/workspace.xml`: real-world shapes → values with exact spans, and every kind of
//! edit → the full resulting file (reviewers see that every other byte is kept). Snapshots live in
//! `/snapshots` (`idea__*`); a carriage return shows as `␍`.

use std::path::{Path, PathBuf};

use go_env_doctor::model::{Configured, SettingsLayer};
use go_env_doctor::settings::apply_edits;
use go_env_doctor::settings::idea::{
    collapse, expand, parse_workspace, remove_setting, set_setting, EditError, Macros,
};
use serde::Serialize;

const HOME: &str = "/home/dev";
const PROJECT: &str = "/home/dev/src/shop";

fn macros() -> Macros {
    Macros {
        home: Some(PathBuf::from(HOME)),
        project_dir: PathBuf::from(PROJECT),
    }
}

fn file() -> PathBuf {
    Path::new(PROJECT).join(".idea").join("workspace.xml")
}

/// GoLand 2024.x after "Download SDK…" picked a toolchain from the module cache, with an
/// environment map, other components around it and a non-ASCII path in another component.
const TOOLCHAIN_CACHE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project version="4">
  <component name="AutoImportSettings">
    <option name="autoReloadType" value="ALL" />
  </component>
  <component name="ChangeListManager">
    <list default="true" id="9f1b0f5e" name="Changes" comment="Ünïcødé 🚀 commit" />
  </component>
  <component name="GOROOT" url="file://$USER_HOME$/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.21.13.linux-amd64" />
  <component name="PropertiesComponent"><![CDATA[{
  "keyToString": {
    "go.sdk.automatically.set": "true",
    "last_opened_file_path": "/home/dev/src/shop"
  }
}]]></component>
  <component name="VgoProject">
    <environment>
      <map>
        <entry key="GOFLAGS" value="-mod=readonly" />
        <entry key="GOPROXY" value="https://proxy.golang.org,direct" />
      </map>
    </environment>
    <settings-migrated>true</settings-migrated>
  </component>
</project>
"#;

/// An SDK next to the project, stored relative to it.
const PROJECT_RELATIVE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project version="4">
  <component name="GOROOT" url="file://$PROJECT_DIR$/../../sdk/go" />
  <component name="VgoProject">
    <integration-enabled>false</integration-enabled>
  </component>
</project>
"#;

/// The older form: `path=` and a `<proxy>` element; attributes in another order.
const OLD_FORM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project version="4">
  <component path="/usr/local/go" name="GOROOT" />
  <component name="VgoProject">
    <proxy>https://goproxy.cn</proxy>
  </component>
</project>
"#;

/// Saved on Windows: CRLF line breaks, 4-space indentation, no VgoProject yet.
const CRLF: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<project version=\"4\">\r\n    <component name=\"GOROOT\" url=\"file://$USER_HOME$/sdk/go1.21.13\" />\r\n    <component name=\"RunManager\">\r\n        <configuration name=\"test\" type=\"GoTestRunConfiguration\" />\r\n    </component>\r\n</project>\r\n";

/// A home directory with non-ASCII letters (and an ampersand escaped in the XML).
const NON_ASCII: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project version="4">
  <component name="GOROOT" url="file:///home/jos&#233;/Документы/go &amp; tools/go1.21.13" />
  <component name="VgoProject">
    <environment>
      <map />
    </environment>
  </component>
</project>
"#;

const MALFORMED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project version="4">
  <component name="GOROOT" url="file://$USER_HOME$/sdk/go1.21.13">
  <component name="VgoProject" />
</project>
"#;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// What the header of each snapshot shows: the input, line by line (split at each `\n`, so a
/// final `""` is a trailing newline; a carriage return as `␍`), and the fixture it is.
#[derive(Serialize)]
struct Input {
    #[serde(skip_serializing_if = "Option::is_none")]
    fixture: Option<&'static str>,
    lines: Vec<String>,
}

impl Input {
    fn of(text: &str) -> Input {
        let fixture = [
            ("TOOLCHAIN_CACHE", TOOLCHAIN_CACHE),
            ("PROJECT_RELATIVE", PROJECT_RELATIVE),
            ("OLD_FORM", OLD_FORM),
            ("CRLF", CRLF),
            ("NON_ASCII", NON_ASCII),
            ("MALFORMED", MALFORMED),
        ]
        .into_iter()
        .find(|(_, fixture)| *fixture == text)
        .map(|(name, _)| name);
        Input {
            fixture,
            lines: visible(text).split('\n').map(str::to_string).collect(),
        }
    }

    fn named(&self) -> String {
        match self.fixture {
            Some(name) => format!("fixture {name} (tests/settings/idea.rs)"),
            None => "the workspace.xml under `info`".to_string(),
        }
    }
}

/// How the fixtures' macros expand (`macros()`), for the descriptions.
const MACROS: &str = "$USER_HOME$ = /home/dev, $PROJECT_DIR$ = /home/dev/src/shop";

fn settings(description: &str, info: &Input) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s.set_description(description);
    s.set_info(info);
    s
}

/// The snapshot of an edit's result (`what` was done to `input`): the whole file afterwards.
fn snap_edit(name: &str, input: &str, what: &str, out: &str) {
    let info = Input::of(input);
    let cr = if input.contains('\r') {
        " A carriage return shows as ␍."
    } else {
        ""
    };
    let description = format!(
        "{what} in {} ({MACROS}); the value is the whole file afterwards.{cr}",
        info.named()
    );
    settings(&description, &info).bind(|| insta::assert_snapshot!(name, out));
}

/// The snapshot of what is read from `input` as a folder's `.idea/workspace.xml`.
fn snap_parse<T: Serialize>(name: &str, input: &str, what: &str, value: &T) {
    let info = Input::of(input);
    let description = format!(
        "{} read as a folder's .idea/workspace.xml ({MACROS}): {what}",
        info.named()
    );
    settings(&description, &info).bind(|| insta::assert_yaml_snapshot!(name, value));
}

fn visible(text: &str) -> String {
    text.replace('\r', "␍")
}

/// A parsed value as the snapshot shows it, with the text its span covers.
#[derive(Serialize)]
struct Shown {
    key: String,
    raw: String,
    value: String,
    line: u32,
    column: u32,
    span_text: String,
}

fn parse(text: &str) -> Vec<Configured> {
    parse_workspace(&file(), text, SettingsLayer::Folder, &macros()).expect("parses")
}

fn shown(text: &str) -> Vec<Shown> {
    parse(text)
        .into_iter()
        .map(|c| {
            assert_eq!(c.layer, SettingsLayer::Folder);
            assert_eq!(c.span.file, file());
            Shown {
                span_text: text[c.span.start..c.span.end].to_string(),
                key: c.key.to_string(),
                raw: c.raw,
                value: c.value,
                line: c.span.line,
                column: c.span.column,
            }
        })
        .collect()
}

/// Applies an edit, checks that every byte outside it is kept and that the result parses,
/// and returns the new text.
fn edited(text: &str, edits: Result<Vec<go_env_doctor::settings::TextEdit>, EditError>) -> String {
    let edits = edits.expect("edit computed");
    assert!(edits.len() <= 1 || edits.windows(2).all(|w| w[0].end <= w[1].start));
    let out = apply_edits(text, &edits);
    if let [e] = edits.as_slice() {
        assert_eq!(
            &out[..e.start],
            &text[..e.start],
            "bytes before the edit kept"
        );
        let tail = text.len() - e.end;
        assert_eq!(
            &out[out.len() - tail..],
            &text[e.end..],
            "bytes after the edit kept"
        );
    }
    parse_workspace(&file(), &out, SettingsLayer::Folder, &macros()).expect("result parses");
    out
}

fn value_of(text: &str, key: &str) -> Option<String> {
    parse(text)
        .into_iter()
        .rfind(|c| c.key == key)
        .map(|c| c.value)
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

#[test]
fn parse_toolchain_cache_goroot_and_environment() {
    snap_parse(
        "idea__parse_toolchain_cache",
        TOOLCHAIN_CACHE,
        "each Go setting with its raw and expanded value, its 1-based line and column and the text its span covers.",
        &shown(TOOLCHAIN_CACHE),
    );
}

#[test]
fn parse_project_dir_relative() {
    let values = shown(PROJECT_RELATIVE);
    assert_eq!(values[0].value, "/home/dev/sdk/go");
    snap_parse(
        "idea__parse_project_dir_relative",
        PROJECT_RELATIVE,
        "each Go setting with its raw and expanded value, its 1-based line and column and the text its span covers.",
        &values,
    );
}

#[test]
fn parse_path_form_and_proxy_element() {
    snap_parse(
        "idea__parse_old_form",
        OLD_FORM,
        "each Go setting with its raw and expanded value, its 1-based line and column and the text its span covers.",
        &shown(OLD_FORM),
    );
}

#[test]
fn parse_crlf() {
    let values = shown(CRLF);
    assert_eq!(values[0].line, 3);
    assert_eq!(values[0].value, "/home/dev/sdk/go1.21.13");
}

#[test]
fn parse_non_ascii_and_entities() {
    let values = shown(NON_ASCII);
    assert_eq!(values[0].value, "/home/josé/Документы/go & tools/go1.21.13");
    snap_parse(
        "idea__parse_non_ascii",
        NON_ASCII,
        "each Go setting with its raw and expanded value, its 1-based line and column and the text its span covers.",
        &values,
    );
}

#[test]
fn environment_entry_wins_over_proxy_element() {
    let text = OLD_FORM.replace(
        "<proxy>",
        "<environment><map><entry key=\"GOPROXY\" value=\"off\" /></map></environment>\n    <proxy>",
    );
    assert_eq!(
        value_of(&text, "go.toolsEnvVars.GOPROXY").as_deref(),
        Some("off")
    );
}

#[test]
fn malformed_xml_is_an_error_and_never_edited() {
    let err = parse_workspace(&file(), MALFORMED, SettingsLayer::Folder, &macros())
        .expect_err("malformed");
    snap_parse(
        "idea__malformed",
        MALFORMED,
        "the error (message, 1-based line and column).",
        &err,
    );
    for edit in [
        set_setting(MALFORMED, "go.goroot", "/usr/local/go", &macros()),
        remove_setting(MALFORMED, "go.goroot"),
        set_setting(MALFORMED, "go.toolsEnvVars.GOPROXY", "direct", &macros()),
    ] {
        assert!(matches!(edit, Err(EditError::Unparseable(_))), "{edit:?}");
    }
    for bad in [
        "<project>",
        "<project></other>",
        "not xml at all <",
        "<a/><b/>",
    ] {
        assert!(
            parse_workspace(&file(), bad, SettingsLayer::Folder, &macros()).is_err(),
            "{bad}"
        );
    }
}

/// Windows editors save XML with a UTF-8 BOM; GoLand reads such a file. It parses, spans point
/// into the whole text (BOM included), and edits keep the BOM.
#[test]
fn a_utf8_bom_is_accepted_and_kept_by_edits() {
    let text = "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project version=\"4\">\n  <component name=\"GOROOT\" url=\"file://$USER_HOME$/sdk/go1.21.13\" />\n  <component name=\"VgoProject\">\n    <environment>\n      <map>\n        <entry key=\"GOFLAGS\" value=\"-mod=mod\" />\n      </map>\n    </environment>\n  </component>\n</project>\n".to_string();
    let got = shown(&text);
    let goroot = got
        .iter()
        .find(|s| s.key == "go.goroot")
        .expect("GOROOT found");
    assert_eq!(goroot.span_text, "file://$USER_HOME$/sdk/go1.21.13");
    assert_eq!((goroot.line, goroot.column), (3, 33));
    assert_eq!(
        value_of(&text, "go.toolsEnvVars.GOFLAGS").as_deref(),
        Some("-mod=mod")
    );
    let out = edited(
        &text,
        set_setting(&text, "go.goroot", "/usr/local/go", &macros()),
    );
    assert!(out.starts_with('\u{feff}'), "{out}");
    assert_eq!(
        value_of(&out, "go.goroot").as_deref(),
        Some("/usr/local/go")
    );
    let out = edited(&text, remove_setting(&text, "go.toolsEnvVars.GOFLAGS"));
    assert!(out.starts_with('\u{feff}'), "{out}");
    assert_eq!(value_of(&out, "go.toolsEnvVars.GOFLAGS"), None);
    // A BOM and nothing else: the new document goes after it.
    let out = edited(
        "\u{feff}",
        set_setting("\u{feff}", "go.goroot", "/usr/local/go", &macros()),
    );
    assert!(out.starts_with("\u{feff}<?xml"), "{out}");
    // An error position still counts the BOM as the first column.
    let err = parse_workspace(
        &file(),
        "\u{feff}<project>\n<x></y>\n</project>\n",
        SettingsLayer::Folder,
        &macros(),
    )
    .expect_err("malformed");
    assert_eq!(err.line, 2, "{err:?}");
}

#[test]
fn empty_file_has_no_settings() {
    assert!(parse("").is_empty());
    assert!(parse("  \n").is_empty());
}

#[test]
fn macros_expand_and_collapse() {
    let m = macros();
    assert_eq!(expand("$USER_HOME$/sdk/go", &m), "/home/dev/sdk/go");
    assert_eq!(
        expand("$PROJECT_DIR$/../sdk/./go", &m),
        "/home/dev/src/sdk/go"
    );
    assert_eq!(
        collapse("/home/dev/src/shop/sdk/go", &m),
        "$PROJECT_DIR$/sdk/go"
    );
    assert_eq!(collapse("/home/dev/sdk/go", &m), "$USER_HOME$/sdk/go");
    assert_eq!(collapse("/usr/local/go", &m), "/usr/local/go");
}

// ---------------------------------------------------------------------------------------------
// Edits
// ---------------------------------------------------------------------------------------------

#[test]
fn set_goroot_under_home_writes_user_home_macro() {
    let out = edited(
        TOOLCHAIN_CACHE,
        set_setting(
            TOOLCHAIN_CACHE,
            "go.goroot",
            "/home/dev/sdk/go1.22.10",
            &macros(),
        ),
    );
    assert_eq!(
        value_of(&out, "go.goroot").as_deref(),
        Some("/home/dev/sdk/go1.22.10")
    );
    snap_edit(
        "idea__set_goroot_user_home",
        TOOLCHAIN_CACHE,
        "set_setting of go.goroot to \"/home/dev/sdk/go1.22.10\"",
        &out,
    );
}

#[test]
fn set_goroot_inside_project_writes_project_dir_macro() {
    let out = edited(
        PROJECT_RELATIVE,
        set_setting(
            PROJECT_RELATIVE,
            "go.goroot",
            "/home/dev/src/shop/.sdk/go",
            &macros(),
        ),
    );
    assert!(out.contains("url=\"file://$PROJECT_DIR$/.sdk/go\""));
    snap_edit(
        "idea__set_goroot_project_dir",
        PROJECT_RELATIVE,
        "set_setting of go.goroot to \"/home/dev/src/shop/.sdk/go\"",
        &out,
    );
}

#[test]
fn set_goroot_keeps_the_path_form() {
    let out = edited(
        OLD_FORM,
        set_setting(OLD_FORM, "go.goroot", "/opt/go", &macros()),
    );
    assert!(out.contains("<component path=\"/opt/go\" name=\"GOROOT\" />"));
    snap_edit(
        "idea__set_goroot_path_form",
        OLD_FORM,
        "set_setting of go.goroot to \"/opt/go\"",
        &out,
    );
}

#[test]
fn set_same_goroot_is_no_edit() {
    let edits = set_setting(CRLF, "go.goroot", "/home/dev/sdk/go1.21.13", &macros()).expect("edit");
    assert!(edits.is_empty());
}

#[test]
fn remove_goroot_removes_the_component_line() {
    let out = edited(
        TOOLCHAIN_CACHE,
        remove_setting(TOOLCHAIN_CACHE, "go.goroot"),
    );
    assert_eq!(value_of(&out, "go.goroot"), None);
    snap_edit(
        "idea__remove_goroot",
        TOOLCHAIN_CACHE,
        "remove_setting of go.goroot",
        &out,
    );
}

#[test]
fn set_existing_environment_entry() {
    let out = edited(
        TOOLCHAIN_CACHE,
        set_setting(
            TOOLCHAIN_CACHE,
            "go.toolsEnvVars.GOPROXY",
            "https://goproxy.io,direct",
            &macros(),
        ),
    );
    snap_edit(
        "idea__set_env_existing",
        TOOLCHAIN_CACHE,
        "set_setting of go.toolsEnvVars.GOPROXY to \"https://goproxy.io,direct\"",
        &out,
    );
}

#[test]
fn add_environment_entry_after_the_others() {
    let out = edited(
        TOOLCHAIN_CACHE,
        set_setting(
            TOOLCHAIN_CACHE,
            "go.toolsEnvVars.GOSUMDB",
            "sum.golang.org",
            &macros(),
        ),
    );
    assert_eq!(
        value_of(&out, "go.toolsEnvVars.GOSUMDB").as_deref(),
        Some("sum.golang.org")
    );
    snap_edit(
        "idea__add_env_entry",
        TOOLCHAIN_CACHE,
        "set_setting of go.toolsEnvVars.GOSUMDB to \"sum.golang.org\"",
        &out,
    );
}

#[test]
fn remove_environment_entry() {
    let out = edited(
        TOOLCHAIN_CACHE,
        remove_setting(TOOLCHAIN_CACHE, "go.toolsEnvVars.GOFLAGS"),
    );
    assert_eq!(value_of(&out, "go.toolsEnvVars.GOFLAGS"), None);
    snap_edit(
        "idea__remove_env_entry",
        TOOLCHAIN_CACHE,
        "remove_setting of go.toolsEnvVars.GOFLAGS",
        &out,
    );
}

#[test]
fn remove_goproxy_removes_the_proxy_element() {
    let out = edited(
        OLD_FORM,
        remove_setting(OLD_FORM, "go.toolsEnvVars.GOPROXY"),
    );
    assert_eq!(value_of(&out, "go.toolsEnvVars.GOPROXY"), None);
    snap_edit(
        "idea__remove_proxy_element",
        OLD_FORM,
        "remove_setting of go.toolsEnvVars.GOPROXY",
        &out,
    );
}

#[test]
fn add_environment_to_a_vgo_project_without_one() {
    let out = edited(
        PROJECT_RELATIVE,
        set_setting(
            PROJECT_RELATIVE,
            "go.toolsEnvVars.GOFLAGS",
            "-mod=mod",
            &macros(),
        ),
    );
    snap_edit(
        "idea__add_environment_block",
        PROJECT_RELATIVE,
        "set_setting of go.toolsEnvVars.GOFLAGS to \"-mod=mod\"",
        &out,
    );
}

#[test]
fn crlf_new_component_keeps_crlf_and_indentation() {
    let out = edited(
        CRLF,
        set_setting(
            CRLF,
            "go.toolsEnvVars.GOPROXY",
            "https://proxy.golang.org,direct",
            &macros(),
        ),
    );
    assert!(
        !out.replace("\r\n", "").contains('\n'),
        "only CRLF line breaks"
    );
    assert!(out.contains("\r\n    <component name=\"VgoProject\">\r\n        <environment>"));
    snap_edit(
        "idea__crlf_new_vgo_component",
        CRLF,
        "set_setting of go.toolsEnvVars.GOPROXY to \"https://proxy.golang.org,direct\"",
        &visible(&out),
    );
}

#[test]
fn non_ascii_goroot_rewrite_and_empty_map() {
    let out = edited(
        NON_ASCII,
        set_setting(
            NON_ASCII,
            "go.goroot",
            "/home/josé/Документы/go & tools/go1.22.10",
            &macros(),
        ),
    );
    assert_eq!(
        value_of(&out, "go.goroot").as_deref(),
        Some("/home/josé/Документы/go & tools/go1.22.10")
    );
    let out = edited(
        &out,
        set_setting(&out, "go.toolsEnvVars.GOFLAGS", "-tags=ü", &macros()),
    );
    snap_edit(
        "idea__non_ascii_edits",
        NON_ASCII,
        "set_setting of go.goroot to \"/home/josé/Документы/go & tools/go1.22.10\"; then set_setting of go.toolsEnvVars.GOFLAGS to \"-tags=ü\"",
        &out,
    );
}

#[test]
fn new_goroot_component_in_a_project_without_one() {
    let text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project version=\"4\">\n  <component name=\"RunManager\" />\n</project>\n";
    let out = edited(
        text,
        set_setting(text, "go.goroot", "/usr/local/go", &macros()),
    );
    assert_eq!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project version=\"4\">\n  <component name=\"RunManager\" />\n  <component name=\"GOROOT\" url=\"file:///usr/local/go\" />\n</project>\n"
    );
}

#[test]
fn unsupported_keys_are_refused() {
    assert!(matches!(
        set_setting(CRLF, "go.alternateTools.go", "/x", &macros()),
        Err(EditError::Unsupported(_))
    ));
    assert!(matches!(
        remove_setting(CRLF, "gopls.build.env.GOFLAGS"),
        Err(EditError::Unsupported(_))
    ));
}

#[test]
fn project_dir_climbing_above_the_root_stays_at_the_root_as_in_intellij() {
    // A `$PROJECT_DIR$/../../../../GoPath` written in a deeper folder (a public workspace.xml)
    // opened in /home/dev/src/shop: IntelliJ's canonical path keeps `..` at `/`.
    let m = macros();
    assert_eq!(expand("$PROJECT_DIR$/../../../../GoPath", &m), "/GoPath");
    assert_eq!(
        expand("$PROJECT_DIR$/../../../../../Program Files/Go", &m),
        "/Program Files/Go"
    );
    assert_eq!(expand("$PROJECT_DIR$/../../sdk/go", &m), "/home/dev/sdk/go");
}

#[test]
fn misc_xml_goroot_component_is_read_with_its_location() {
    use go_env_doctor::settings::idea::parse_misc;
    let text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project version=\"4\">\n  <component name=\"GOROOT\" url=\"file://$USER_HOME$/sdk/go1.22.10\" />\n  <component name=\"ProjectRootManager\" version=\"2\" />\n</project>";
    let misc = Path::new(PROJECT).join(".idea/misc.xml");
    let values = parse_misc(&misc, text, SettingsLayer::Workspace, &macros()).expect("parses");
    assert_eq!(values.len(), 1);
    let v = &values[0];
    assert_eq!(v.key, "go.goroot");
    assert_eq!(v.value, "/home/dev/sdk/go1.22.10");
    assert_eq!((v.span.line, v.span.column), (3, 33));
    assert_eq!(
        &text[v.span.start..v.span.end],
        "file://$USER_HOME$/sdk/go1.22.10"
    );
    // The same edits as workspace.xml's: only the url changes.
    let edits = set_setting(text, "go.goroot", "/home/dev/sdk/go1.25.5", &macros()).expect("edits");
    assert_eq!(
        apply_edits(text, &edits),
        text.replace("go1.22.10", "go1.25.5")
    );
    // A misc.xml of another IDE has no Go setting.
    let other = "<project version=\"4\">\n  <component name=\"ProjectRootManager\" version=\"2\" />\n</project>\n";
    assert!(
        parse_misc(&misc, other, SettingsLayer::Workspace, &macros())
            .expect("parses")
            .is_empty()
    );
}

#[test]
fn goland_settings_are_named_as_goland_shows_them() {
    use go_env_doctor::settings::idea::{setting_name, setting_words};
    assert_eq!(
        setting_words("go.goroot").as_deref(),
        Some("GOROOT (Settings → Go → GOROOT)")
    );
    assert_eq!(
        setting_words("go.toolsEnvVars.GOPROXY").as_deref(),
        Some("the GOPROXY environment entry of Go Modules")
    );
    assert_eq!(setting_name("go.goroot").as_deref(), Some("GOROOT"));
    assert_eq!(
        setting_name("go.toolsEnvVars.GOPROXY").as_deref(),
        Some("Go Modules environment GOPROXY")
    );
    assert_eq!(setting_words("go.gopath"), None);
}
