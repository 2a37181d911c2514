//! [`SettingKey`]: which editor setting a configured value, an origin or a fix is about.
//!
//! Settings are named by VS Code's dotted keys (`go.goroot`, `go.toolsEnvVars.GOPROXY`), and
//! GoLand's values are reported under the same keys (see `settings::idea`). The dotted text is
//! what users, JSON output, snapshots and LSP command arguments see, so it is what [`Display`],
//! [`FromStr`] and serde read and write, byte for byte; inside the code a key is this enum, so a
//! check for "the GOROOT setting" or "an env-setting family" is a match, not string surgery.
//!
//! [`Display`]: fmt::Display

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

/// An editor setting key. Built from text with [`FromStr`] / [`From<&str>`], which always gives
/// the same variant for the same text (a known key or family is never [`SettingKey::Other`]), so
/// two keys are equal exactly when their dotted texts are.
///
/// VS Code setting keys are case-sensitive (`go.GOROOT` is no setting of vscode-go), and the
/// variable of an env family keeps its case as written: environment variable names are
/// case-sensitive where Go runs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SettingKey {
    /// `go.goroot`: the GOROOT vscode-go runs its tools with.
    GoGoroot,
    /// `go.gopath`: vscode-go's GOPATH for its tools.
    GoGopath,
    /// `go.alternateTools.<tool>`: the binary vscode-go runs for a tool (only `go` matters here).
    AlternateTool(String),
    /// `go.toolsEnvVars.<VAR>`: an environment variable vscode-go gives its tools.
    ToolsEnvVar(String),
    /// `gopls.build.env.<VAR>` (also written `"build": {"env": …}` in the `gopls` object).
    GoplsBuildEnv(String),
    /// `gopls.env.<VAR>`: the same gopls setting under its short name.
    GoplsEnv(String),
    /// Any other key, carried along as written. Only [`From`] builds it: a known key held as
    /// `Other` would compare unequal to its own variant.
    Other(String),
}

// The dotted texts: the only place the code spells them. A family's key is its member's name
// after a dot (`go.toolsEnvVars` `.` `GOPROXY`).
const GO_GOROOT: &str = "go.goroot";
const GO_GOPATH: &str = "go.gopath";
const ALTERNATE_TOOLS: &str = "go.alternateTools";
const TOOLS_ENV_VARS: &str = "go.toolsEnvVars";
const GOPLS_BUILD_ENV: &str = "gopls.build.env";
const GOPLS_ENV: &str = "gopls.env";

impl SettingKey {
    /// `go.goroot`, for the boundaries that need the text: a settings file's member name, a
    /// JetBrains file's key.
    pub const GO_GOROOT: &'static str = GO_GOROOT;
    /// `go.gopath`.
    pub const GO_GOPATH: &'static str = GO_GOPATH;
    /// `go.alternateTools`: the object whose members are the [`SettingKey::AlternateTool`]s.
    pub const ALTERNATE_TOOLS: &'static str = ALTERNATE_TOOLS;
    /// `go.toolsEnvVars`: the object whose members are the [`SettingKey::ToolsEnvVar`]s.
    pub const TOOLS_ENV_VARS: &'static str = TOOLS_ENV_VARS;
    /// `go.toolsEnvVars.`: the text every [`SettingKey::ToolsEnvVar`] starts with.
    pub const TOOLS_ENV_VARS_PREFIX: &'static str = "go.toolsEnvVars.";

    /// Whether `text` names the object a family's members live in (`go.alternateTools`,
    /// `go.toolsEnvVars`, `gopls.build.env`, `gopls.env`): that is no setting key without the
    /// member's name.
    pub fn is_family_object(text: &str) -> bool {
        [ALTERNATE_TOOLS, TOOLS_ENV_VARS, GOPLS_BUILD_ENV, GOPLS_ENV].contains(&text)
    }

    /// `go.alternateTools.go`: the `go` binary vscode-go runs.
    pub fn alternate_go() -> SettingKey {
        SettingKey::AlternateTool("go".to_string())
    }

    /// `go.toolsEnvVars.<var>`.
    pub fn tools_env_var(var: &str) -> SettingKey {
        SettingKey::ToolsEnvVar(var.to_string())
    }

    /// Whether this is `go.alternateTools.go`.
    pub fn is_alternate_go(&self) -> bool {
        matches!(self, SettingKey::AlternateTool(t) if t == "go")
    }

    /// The environment variable an env-setting family sets (`go.toolsEnvVars.GOFLAGS`,
    /// `gopls.build.env.GOFLAGS`, `gopls.env.GOFLAGS` → `GOFLAGS`), as written; `None` for any
    /// other key. Empty when the settings file has a member with an empty name.
    pub fn env_var(&self) -> Option<&str> {
        match self {
            SettingKey::ToolsEnvVar(v) | SettingKey::GoplsBuildEnv(v) | SettingKey::GoplsEnv(v) => {
                Some(v)
            }
            _ => None,
        }
    }

    /// The variable a `go.toolsEnvVars` member sets, `None` for any other key.
    pub fn tools_env_var_name(&self) -> Option<&str> {
        match self {
            SettingKey::ToolsEnvVar(v) => Some(v),
            _ => None,
        }
    }

    /// The variable a gopls env member sets (`gopls.build.env.GOFLAGS`, `gopls.env.GOFLAGS` →
    /// `GOFLAGS`), `None` for any other key or an empty name: gopls keys its options by the last
    /// element of a dotted name, so both members are one setting to it.
    pub fn gopls_env_var(&self) -> Option<&str> {
        match self {
            SettingKey::GoplsBuildEnv(v) | SettingKey::GoplsEnv(v) if !v.is_empty() => Some(v),
            _ => None,
        }
    }

    /// Whether the setting is gopls' (`gopls.…`) rather than vscode-go's: vscode-go hands gopls'
    /// env to gopls unchanged, and only gopls sees it.
    pub fn is_gopls(&self) -> bool {
        match self {
            SettingKey::GoplsBuildEnv(_) | SettingKey::GoplsEnv(_) => true,
            SettingKey::Other(k) => k.starts_with("gopls."),
            _ => false,
        }
    }

    /// Whether the setting names a GOROOT: `go.goroot`, or `GOROOT` in one of the env families.
    pub fn is_goroot_like(&self) -> bool {
        matches!(self, SettingKey::GoGoroot) || self.env_var() == Some("GOROOT")
    }

    /// Whether the setting names a GOPATH: `go.gopath`, or `GOPATH` in one of the env families.
    pub fn is_gopath_like(&self) -> bool {
        matches!(self, SettingKey::GoGopath) || self.env_var() == Some("GOPATH")
    }

    /// The Go environment variable the setting provides, as far as the tool models it:
    /// `GOROOT` for `go.goroot` (and `go.alternateTools.go`, whose binary decides the root),
    /// `GOPATH` for `go.gopath`, the variable of an env family; `None` otherwise.
    pub fn go_env_var(&self) -> Option<&str> {
        match self {
            SettingKey::GoGoroot => Some("GOROOT"),
            SettingKey::GoGopath => Some("GOPATH"),
            SettingKey::AlternateTool(t) if t == "go" => Some("GOROOT"),
            _ => self.env_var(),
        }
    }
}

impl fmt::Display for SettingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingKey::GoGoroot => f.write_str(GO_GOROOT),
            SettingKey::GoGopath => f.write_str(GO_GOPATH),
            SettingKey::AlternateTool(t) => write!(f, "{ALTERNATE_TOOLS}.{t}"),
            SettingKey::ToolsEnvVar(v) => write!(f, "{TOOLS_ENV_VARS}.{v}"),
            SettingKey::GoplsBuildEnv(v) => write!(f, "{GOPLS_BUILD_ENV}.{v}"),
            SettingKey::GoplsEnv(v) => write!(f, "{GOPLS_ENV}.{v}"),
            SettingKey::Other(k) => f.write_str(k),
        }
    }
}

impl From<&str> for SettingKey {
    fn from(key: &str) -> SettingKey {
        let family = |object: &str| member(key, object).map(str::to_string);
        match key {
            GO_GOROOT => SettingKey::GoGoroot,
            GO_GOPATH => SettingKey::GoGopath,
            _ => {
                if let Some(t) = family(ALTERNATE_TOOLS) {
                    SettingKey::AlternateTool(t)
                } else if let Some(v) = family(TOOLS_ENV_VARS) {
                    SettingKey::ToolsEnvVar(v)
                } else if let Some(v) = family(GOPLS_BUILD_ENV) {
                    SettingKey::GoplsBuildEnv(v)
                } else if let Some(v) = family(GOPLS_ENV) {
                    SettingKey::GoplsEnv(v)
                } else {
                    SettingKey::Other(key.to_string())
                }
            }
        }
    }
}

impl From<String> for SettingKey {
    fn from(key: String) -> SettingKey {
        SettingKey::from(key.as_str())
    }
}

/// For functions taking `impl Into<SettingKey>`, so they accept a key they only look at as well
/// as its dotted text (like `From<&String> for String`).
impl From<&SettingKey> for SettingKey {
    fn from(key: &SettingKey) -> SettingKey {
        key.clone()
    }
}

impl FromStr for SettingKey {
    type Err = Infallible;

    fn from_str(key: &str) -> Result<SettingKey, Infallible> {
        Ok(SettingKey::from(key))
    }
}

/// The member name of a family key (`go.toolsEnvVars.GOPROXY` in `go.toolsEnvVars` →
/// `GOPROXY`; possibly empty), `None` when `key` is not in that family.
fn member<'a>(key: &'a str, object: &str) -> Option<&'a str> {
    key.strip_prefix(object)?.strip_prefix('.')
}

/// Compares with a dotted key without building its text.
impl PartialEq<str> for SettingKey {
    fn eq(&self, other: &str) -> bool {
        let is = |object: &str, name: &str| member(other, object) == Some(name);
        match self {
            SettingKey::GoGoroot => other == GO_GOROOT,
            SettingKey::GoGopath => other == GO_GOPATH,
            SettingKey::AlternateTool(t) => is(ALTERNATE_TOOLS, t),
            SettingKey::ToolsEnvVar(v) => is(TOOLS_ENV_VARS, v),
            SettingKey::GoplsBuildEnv(v) => is(GOPLS_BUILD_ENV, v),
            SettingKey::GoplsEnv(v) => is(GOPLS_ENV, v),
            SettingKey::Other(k) => k == other,
        }
    }
}

impl PartialEq<&str> for SettingKey {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl PartialEq<String> for SettingKey {
    fn eq(&self, other: &String) -> bool {
        *self == **other
    }
}

impl Serialize for SettingKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SettingKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<SettingKey, D::Error> {
        String::deserialize(deserializer).map(SettingKey::from)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// One key of every variant, with its dotted text.
    fn every_variant() -> Vec<(SettingKey, &'static str)> {
        vec![
            (SettingKey::GoGoroot, "go.goroot"),
            (SettingKey::GoGopath, "go.gopath"),
            (SettingKey::alternate_go(), "go.alternateTools.go"),
            (
                SettingKey::AlternateTool("gopls".into()),
                "go.alternateTools.gopls",
            ),
            (
                SettingKey::tools_env_var("GOPROXY"),
                "go.toolsEnvVars.GOPROXY",
            ),
            (
                SettingKey::GoplsBuildEnv("GOFLAGS".into()),
                "gopls.build.env.GOFLAGS",
            ),
            (SettingKey::GoplsEnv("GOWORK".into()), "gopls.env.GOWORK"),
            (SettingKey::Other("go.inferGopath".into()), "go.inferGopath"),
        ]
    }

    #[test]
    fn display_and_parse_round_trip_for_every_variant() {
        for (key, text) in every_variant() {
            assert_eq!(key.to_string(), text);
            assert_eq!(SettingKey::from(text), key, "{text}");
            assert_eq!(text.parse::<SettingKey>(), Ok(key.clone()), "{text}");
            assert_eq!(SettingKey::from(text.to_string()), key, "{text}");
            assert_eq!(SettingKey::from(&key), key);
            let owned: String = text.to_string();
            assert!(key == *text && key == text && key == owned, "{text}");
        }
    }

    #[test]
    fn serde_reads_and_writes_the_dotted_text() {
        for (key, text) in every_variant() {
            let json = serde_json::to_string(&key).unwrap();
            assert_eq!(json, serde_json::to_string(text).unwrap());
            assert_eq!(serde_json::from_str::<SettingKey>(&json).unwrap(), key);
        }
        // Inside the model, byte for byte what a plain string field gave.
        let fix = crate::model::FixAction::SetSetting {
            file: "/w/.vscode/settings.json".into(),
            key: SettingKey::tools_env_var("GOPROXY"),
            value: "direct".into(),
        };
        let json = serde_json::to_string(&fix).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"set-setting","file":"/w/.vscode/settings.json","key":"go.toolsEnvVars.GOPROXY","value":"direct"}"#
        );
        assert_eq!(
            serde_json::from_str::<crate::model::FixAction>(&json).unwrap(),
            fix
        );
        let origin = crate::model::Origin::ClientSetting {
            key: SettingKey::GoGoroot,
        };
        assert_eq!(
            serde_json::to_string(&origin).unwrap(),
            r#"{"origin":"client-setting","key":"go.goroot"}"#
        );
        // Anything that is not a string is refused, as it was for a `String` field.
        assert!(serde_json::from_str::<SettingKey>("3").is_err());
        assert!(serde_json::from_str::<SettingKey>("null").is_err());
    }

    #[test]
    fn unknown_keys_are_other_and_keep_their_text() {
        for text in [
            "",
            "go",
            "go.formatTool",
            "gopls",
            "gopls.build.directoryFilters",
            "go.toolsEnvVars",
            "go.alternateTools",
            "gopls.build.env",
            "gopls.env",
            "go.toolsEnvVarsGOPROXY",
            "editor.tabSize",
            "é.ü",
        ] {
            let key = SettingKey::from(text);
            assert_eq!(key, SettingKey::Other(text.to_string()), "{text:?}");
            assert_eq!(key.to_string(), text);
            assert_eq!(key.env_var(), None);
        }
    }

    #[test]
    fn keys_are_case_sensitive_and_variables_keep_their_case() {
        // VS Code matches setting keys exactly: these are no settings of vscode-go.
        for text in [
            "go.GOROOT",
            "Go.goroot",
            "go.GoRoot",
            "go.Gopath",
            "go.toolsenvvars.GOPROXY",
            "GOPLS.build.env.X",
            "gopls.Build.env.X",
            "go.AlternateTools.go",
        ] {
            assert_eq!(
                SettingKey::from(text),
                SettingKey::Other(text.into()),
                "{text}"
            );
        }
        let lower = SettingKey::from("go.toolsEnvVars.goproxy");
        assert_eq!(lower, SettingKey::tools_env_var("goproxy"));
        assert_ne!(lower, SettingKey::tools_env_var("GOPROXY"));
        assert_eq!(lower.env_var(), Some("goproxy"));
        assert_eq!(lower.to_string(), "go.toolsEnvVars.goproxy");
    }

    #[test]
    fn family_members_take_the_rest_of_the_key_as_written() {
        // An empty member name (`"go.toolsEnvVars": {"": …}`) and dotted names stay members.
        let cases = [
            ("go.toolsEnvVars.", SettingKey::tools_env_var("")),
            ("gopls.env.", SettingKey::GoplsEnv(String::new())),
            (
                "go.alternateTools.",
                SettingKey::AlternateTool(String::new()),
            ),
            ("go.toolsEnvVars.A.B", SettingKey::tools_env_var("A.B")),
            (
                "gopls.build.env.gopls.env.X",
                SettingKey::GoplsBuildEnv("gopls.env.X".into()),
            ),
            ("go.toolsEnvVars. X ", SettingKey::tools_env_var(" X ")),
        ];
        for (text, key) in cases {
            assert_eq!(SettingKey::from(text), key, "{text}");
            assert_eq!(key.to_string(), text);
        }
        assert_eq!(SettingKey::tools_env_var("").env_var(), Some(""));
        assert_eq!(SettingKey::GoplsEnv(String::new()).gopls_env_var(), None);
    }

    /// Equal keys are equal texts and the other way round, for texts of every shape: the
    /// comparisons that used strings compare the same way with keys.
    #[test]
    fn equality_is_equality_of_the_text() {
        let texts = [
            "go.goroot",
            "go.gopath",
            "go.goroot.",
            "go.alternateTools.go",
            "go.alternateTools.",
            "go.toolsEnvVars.GOROOT",
            "go.toolsEnvVars.",
            "gopls.build.env.GOROOT",
            "gopls.env.GOROOT",
            "gopls.env",
            "gopls.x",
            "",
        ];
        for a in texts {
            for b in texts {
                let (ka, kb) = (SettingKey::from(a), SettingKey::from(b));
                assert_eq!(ka == kb, a == b, "{a:?} {b:?}");
                assert_eq!(ka == *b, a == b, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn helpers_answer_for_each_family() {
        let goroot_like = [
            "go.goroot",
            "go.toolsEnvVars.GOROOT",
            "gopls.build.env.GOROOT",
            "gopls.env.GOROOT",
        ];
        for text in goroot_like {
            assert!(SettingKey::from(text).is_goroot_like(), "{text}");
        }
        for text in [
            "go.alternateTools.go",
            "go.alternateTools.GOROOT",
            "go.gopath",
            "go.toolsEnvVars.goroot",
            "x.GOROOT",
        ] {
            assert!(!SettingKey::from(text).is_goroot_like(), "{text}");
        }
        assert!(SettingKey::GoGopath.is_gopath_like());
        assert!(SettingKey::tools_env_var("GOPATH").is_gopath_like());
        assert!(SettingKey::GoplsEnv("GOPATH".into()).is_gopath_like());
        assert!(!SettingKey::GoGoroot.is_gopath_like());

        assert_eq!(SettingKey::GoGoroot.env_var(), None);
        assert_eq!(SettingKey::alternate_go().env_var(), None);
        assert_eq!(
            SettingKey::GoplsBuildEnv("GOFLAGS".into()).env_var(),
            Some("GOFLAGS")
        );
        assert_eq!(
            SettingKey::tools_env_var("GOFLAGS").tools_env_var_name(),
            Some("GOFLAGS")
        );
        assert_eq!(
            SettingKey::GoplsBuildEnv("GOFLAGS".into()).tools_env_var_name(),
            None
        );
        assert_eq!(SettingKey::tools_env_var("GOFLAGS").gopls_env_var(), None);
        assert_eq!(
            SettingKey::GoplsEnv("GOFLAGS".into()).gopls_env_var(),
            Some("GOFLAGS")
        );

        assert_eq!(SettingKey::GoGoroot.go_env_var(), Some("GOROOT"));
        assert_eq!(SettingKey::alternate_go().go_env_var(), Some("GOROOT"));
        assert_eq!(SettingKey::AlternateTool("dlv".into()).go_env_var(), None);
        assert_eq!(SettingKey::GoGopath.go_env_var(), Some("GOPATH"));
        assert_eq!(
            SettingKey::tools_env_var("GOPROXY").go_env_var(),
            Some("GOPROXY")
        );
        assert_eq!(SettingKey::from("go.formatTool").go_env_var(), None);

        assert!(SettingKey::alternate_go().is_alternate_go());
        assert!(!SettingKey::AlternateTool("gopls".into()).is_alternate_go());

        for gopls in [
            "gopls.build.env.X",
            "gopls.env.X",
            "gopls.build.directoryFilters",
        ] {
            assert!(SettingKey::from(gopls).is_gopls(), "{gopls}");
        }
        for go in ["go.goroot", "go.toolsEnvVars.X", "goplsx.env.X", "gopls"] {
            assert!(!SettingKey::from(go).is_gopls(), "{go}");
        }

        for object in [
            "go.toolsEnvVars",
            "go.alternateTools",
            "gopls.build.env",
            "gopls.env",
        ] {
            assert!(SettingKey::is_family_object(object), "{object}");
        }
        for text in ["gopls", "go.toolsEnvVars.", "go.goroot", ""] {
            assert!(!SettingKey::is_family_object(text), "{text}");
        }
        assert_eq!(
            SettingKey::TOOLS_ENV_VARS_PREFIX,
            format!("{}.", SettingKey::TOOLS_ENV_VARS)
        );
    }
}
