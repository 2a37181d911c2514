//! The Go tools an editor runs (`gopls`, `dlv`, linters, formatters) as `facts` found them and
//! read them — never ran them — for the rules about how they were built (`rules::tools`).

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The tools looked for, by the name their binary has.
pub const TOOLS: [&str; 6] = [
    "gopls",
    "dlv",
    "staticcheck",
    "golangci-lint",
    "goimports",
    "gofumpt",
];

/// One tool found for a side.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ToolFacts {
    /// `gopls`, `golangci-lint`, …
    pub name: String,
    pub path: PathBuf,
    pub found_by: ToolFoundBy,
    /// What the binary says about its build, or why it could not be read.
    pub build: Result<ToolBuild, String>,
}

/// Where a side's lookup found a tool (vscode-go's order for VS Code; PATH elsewhere).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ToolFoundBy {
    /// `go.alternateTools.<tool>`.
    AlternateTools,
    Gobin,
    /// `go.toolsGopath`'s `bin`.
    ToolsGopath,
    /// A GOPATH entry's `bin`.
    Gopath,
    /// `$GOROOT/bin`.
    Goroot,
    Path,
}

/// The Go build information of a tool binary (`go version -m`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ToolBuild {
    /// The Go that built it, e.g. `go1.22.10`.
    pub go_version: String,
    /// Main package (`path` line): what `go install` takes.
    pub package: Option<String>,
    pub module: Option<String>,
    pub module_version: Option<String>,
    pub goos: Option<String>,
    pub goarch: Option<String>,
}

/// `GOBIN=<gobin> [GOTOOLCHAIN=<value>] go install <package>@<version>`, as a user would type it
/// (arguments a shell would split are quoted): the command an install fix runs, for its title,
/// the plan and the progress report.
pub fn install_command_line(
    package: &str,
    version: &str,
    gobin: &std::path::Path,
    gotoolchain: Option<&str>,
) -> String {
    fn quoted(s: &str) -> String {
        if !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%~".contains(c))
        {
            s.to_string()
        } else {
            format!("'{}'", s.replace('\'', r"'\''"))
        }
    }
    let mut env = format!("GOBIN={}", quoted(&gobin.display().to_string()));
    if let Some(t) = gotoolchain {
        env.push_str(&format!(" GOTOOLCHAIN={}", quoted(t)));
    }
    format!("{env} go install {}@{}", quoted(package), quoted(version))
}
