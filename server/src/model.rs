//! Plain data shared by every layer: what `facts` gathers (the [`Snapshot`]) and what `rules`
//! produce (the [`Finding`]s). No IO and no LSP types live here, so rules can be tested from
//! hand-built snapshots and front ends can render findings however they like.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

mod attribution;
mod setting_key;
mod tools;
pub use attribution::{
    Attribution, ManagerPick, Related, ShellAttribution, ShellLine, TraceMethod, ATTRIBUTED_VARS,
};
pub use setting_key::SettingKey;
pub use tools::{install_command_line, ToolBuild, ToolFacts, ToolFoundBy, TOOLS};

// ---------------------------------------------------------------------------------------------
// Snapshot: everything the rules may look at.
// ---------------------------------------------------------------------------------------------

/// Everything `facts` learned about one workspace folder. Rules are pure functions of this.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Snapshot {
    /// The workspace folder being checked (as given, absolute).
    pub folder: PathBuf,
    /// The user's home directory, used to display and to expand `~` / `$USER_HOME$`.
    pub home: Option<PathBuf>,
    /// The uid the tools run as (Unix), to spot caches owned by someone else.
    pub uid: Option<u32>,
    /// Whether the workspace is trusted (binaries chosen by the workspace may run).
    pub trusted: bool,
    /// Whether the filesystem holding the folder compares names case-insensitively.
    pub case_insensitive_fs: bool,
    pub editor: SideFacts,
    /// `None` when the shell probe was disabled (`--no-shell`).
    pub shell: Option<SideFacts>,
    /// Editor configuration (VS Code settings), with exact source locations.
    pub settings: EditorSettings,
    /// The go.mod that governs the folder (in it, or the nearest above it: a folder opened
    /// inside a module), and the go.work cmd/go would find from it, if any.
    pub go_mod: Option<GoModFacts>,
    pub go_work: Option<GoModFacts>,
    /// Every other go.mod and go.work of the workspace: nested under the folder, and what a
    /// go.work `use`s or a side's GOWORK names outside it.
    #[serde(default, skip_serializing_if = "WorkspaceFacts::is_empty")]
    pub workspace: WorkspaceFacts,
    /// Static facts about every path the rules may ask about, keyed by the path as a string
    /// exactly as it was configured or reported (GOROOT candidates, GOCACHE, GOPATH entries,
    /// GOBIN, settings targets). Look-ups go through [`Snapshot::path`].
    pub paths: BTreeMap<String, PathFacts>,
    /// Go installations the facts layer found on this machine (the shell's and editor's GOROOTs,
    /// `~/sdk/*`, `go1.X.Y` on PATH, …), keyed by GOROOT as a string. Used to offer
    /// "use an installed SDK" fixes without IO.
    pub installs: BTreeMap<String, GoInstall>,
    /// Codes the user disabled.
    pub disabled_checks: Vec<String>,
    /// The same folder and shell seen through another editor's settings (GoLand's
    /// `.idea/workspace.xml`): complete snapshots whose `settings` and `editor` side are that
    /// editor's (its `go` run with its own environment) and whose shell side is this one's.
    /// Rules run on each ([`crate::rules::check_all`]); a view has no views of its own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub editor_views: Vec<Snapshot>,
    /// Which kind of editor the editor side is: it decides which configuration files that
    /// editor reads, and so which fixes can work for it.
    #[serde(default)]
    pub editor_kind: EditorKind,
    /// `check --deep`: each side's `go` building and running a small program (see
    /// [`DeepRun`]); empty unless the check asked for it. On a view ([`Snapshot::editor_views`])
    /// only that editor's own run, when its `go` or environment differs from the main editor's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deep: Vec<DeepRun>,
    /// Where the sides' Go setup comes from (startup-file lines, version managers, `.envrc`);
    /// learned only when the sides differ (`facts::attribution`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<Attribution>,
    /// The machine under both sides (its real CPU, WSL) and what the `go` binaries the sides
    /// may run were built for: the platform traps (`rules::platform`).
    #[serde(default, skip_serializing_if = "PlatformFacts::is_empty")]
    pub platform: PlatformFacts,
}

/// Facts about the machine and the `go` binaries, gathered without running anything.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct PlatformFacts {
    /// The machine's OS in Go's names (`linux`, `darwin`, `windows`); `None`: unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// The machine's CPU in Go's names (`amd64`, `arm64`): on an Apple silicon Mac `arm64`
    /// even when this process itself runs under Rosetta. `None`: unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// Linux running under the Windows Subsystem for Linux (its kernel release names
    /// Microsoft), where Windows' drives are mounted at `/mnt/<letter>` and Windows programs
    /// run from a Linux shell.
    #[serde(default)]
    pub wsl: bool,
    /// The build information (GOOS/GOARCH) of `go` binaries the sides may run, keyed by the
    /// path as found; only read where it can matter (macOS, WSL, a `go.exe`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub binaries: BTreeMap<String, ToolBuild>,
}

impl PlatformFacts {
    pub fn is_empty(&self) -> bool {
        self == &PlatformFacts::default()
    }
}

/// Display name of the JetBrains editor side (GoLand, or IntelliJ IDEA with the Go plugin:
/// both keep the Go SDK in `.idea/workspace.xml`).
pub const GOLAND: &str = "GoLand";

/// How `check` names the process it runs in, which no editor started: a terminal, or a CI job.
pub const TERMINAL_SIDE: &str = "this terminal";
pub const CI_JOB_SIDE: &str = "this CI job";

/// Whether a side is `check`'s own process rather than an editor (messages about "the editor's
/// tools" do not apply to it).
pub fn is_process_side(label: &str) -> bool {
    label == TERMINAL_SIDE || label == CI_JOB_SIDE
}

/// The kinds of editor whose Go environment the tool models differently.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum EditorKind {
    /// VS Code with vscode-go: its process environment overlaid by its settings files
    /// (user, `*.code-workspace`, `.vscode/settings.json`).
    #[default]
    VsCode,
    /// GoLand / IntelliJ IDEA: the SDK of `.idea/workspace.xml`.
    JetBrains,
    /// Every other client (Emacs, Neovim, Vim, Helix, Zed, Kate, …): the environment it was
    /// started with plus its own `gopls` configuration; it never reads VS Code's files.
    Other,
}

impl EditorKind {
    /// The kind a client's name (`clientInfo.name`, or what a snippet tells) stands for.
    pub fn of_client(name: &str) -> EditorKind {
        let n = name.to_ascii_lowercase();
        let vscode = [
            "visual studio code",
            "code-server",
            "code - oss",
            "vscodium",
            "cursor",
        ];
        let jetbrains = [
            "goland",
            "intellij",
            "jetbrains",
            "pycharm",
            "webstorm",
            "rustrover",
            "clion",
        ];
        if vscode.iter().any(|v| n.contains(v)) || n == "vscode" {
            EditorKind::VsCode
        } else if jetbrains.iter().any(|j| n.contains(j)) {
            EditorKind::JetBrains
        } else {
            EditorKind::Other
        }
    }
}

impl Snapshot {
    /// Every go.mod read for the folder: the one governing it first, then the others by path.
    pub fn all_modules(&self) -> impl Iterator<Item = &GoModFacts> {
        self.go_mod
            .iter()
            .chain(self.workspace.modules.iter().map(|m| &**m))
    }

    /// Every go.work read for the folder: the one cmd/go finds from it first.
    pub fn all_works(&self) -> impl Iterator<Item = &GoModFacts> {
        self.go_work.iter().chain(&self.workspace.works)
    }

    pub fn path(&self, p: &str) -> Option<&PathFacts> {
        self.paths.get(p)
    }
}

#[derive(
    Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash,
)]
#[serde(rename_all = "lowercase")]
pub enum SideKind {
    #[default]
    Editor,
    Shell,
}

/// What one side (the editor or the login shell) would do when it runs Go.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SideFacts {
    pub kind: SideKind,
    /// Human name: "VS Code", "your shell (/bin/zsh)".
    pub label: String,
    /// The environment Go runs with on this side *before* editor overlays
    /// (editor: the server's own process env; shell: what the login shell printed).
    pub os_env: BTreeMap<String, String>,
    /// The `go` this side runs and how it was found; `None`: no go found at all.
    pub go: Option<GoBinary>,
    /// How this side looks for `go` when no setting forces one: the first `go` on PATH (and,
    /// for the editor, vscode-go's fallbacks). Rules use it to simulate removing a setting.
    pub path_go: Option<GoBinary>,
    /// The user env file (`$GOENV`, default `<UserConfigDir>/go/env`) as read for this side.
    pub env_file: Option<EnvFile>,
    /// `$GOROOT/go.env` files read, keyed by the GOROOT they belong to (as a string).
    /// cmd/go picks the one of the GOROOT named in the env file, else the binary's own root.
    pub goroot_env_files: BTreeMap<String, EnvFile>,
    /// Result of `go env -json` run with `GOTOOLCHAIN=local` (never `None` when `go` is Some).
    pub go_env: Option<CommandResult<BTreeMap<String, String>>>,
    /// Result of `go version` (surfaces GOFLAGS errors hidden by `go env`).
    pub go_version: Option<CommandResult<String>>,
    /// The user's own GOTOOLCHAIN, from a separate `go env GOTOOLCHAIN`.
    pub gotoolchain: Option<CommandResult<String>>,
    /// `goX.Y.Z` binaries found on this side's PATH (for `GOTOOLCHAIN=path`), by name.
    pub path_toolchains: BTreeMap<String, PathBuf>,
    /// PATH entries of this side, in order.
    pub path_entries: Vec<PathBuf>,
    /// Shell side only: how the login-shell probe went.
    pub probe: Option<ProbeReport>,
    /// The Go tools this side's editor (or, for the shell, its PATH) would run, read but never
    /// run (`facts::tools`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<ToolFacts>,
    /// `facts::tools` looked for this side's tools (an empty `tools` then means none was found,
    /// which `tool-missing` reports; a snapshot built without looking says nothing).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tools_looked_up: bool,
    /// C compilers on this side's PATH, by the name looked up (`gcc`, `cc`, `clang`, `g++`,
    /// `clang++`, and the first word of CC/CXX when it is a bare name): cmd/go turns cgo off by
    /// default when it cannot find its C compiler there.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub c_compilers: BTreeMap<String, PathBuf>,
}

/// Outcome of one external command, kept as data so a failing `go` still yields a report.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum CommandResult<T> {
    Ok {
        value: T,
        millis: u64,
    },
    Failed {
        exit_code: Option<i32>,
        stderr: String,
        millis: u64,
    },
    TimedOut {
        after_millis: u64,
    },
    NotRun {
        reason: String,
    },
}

impl<T> CommandResult<T> {
    pub fn ok(&self) -> Option<&T> {
        match self {
            CommandResult::Ok { value, .. } => Some(value),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GoBinary {
    /// The path as found (may be a symlink).
    pub path: PathBuf,
    pub found_by: GoFoundBy,
    /// The GOROOT this binary finds by itself (`exe/../..` with symlinks resolved), if any.
    pub own_goroot: Option<String>,
    /// Version from the `VERSION` file of `own_goroot` (static, no process), e.g. `go1.22.10`.
    pub static_version: Option<String>,
    pub executable: bool,
    /// Chosen by the workspace (inside the folder or named by folder-level settings).
    pub workspace_chosen: bool,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum GoFoundBy {
    /// `go.alternateTools.go` setting.
    AlternateTools,
    Gobin,
    /// `$GOROOT/bin/go` (the GOROOT env var or `go.goroot`).
    GorootBin,
    Path,
    /// vscode-go's well-known fallbacks (`/usr/local/go/bin/go`, …).
    WellKnown,
}

/// A Go installation (a GOROOT) found on disk.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GoInstall {
    pub goroot: String,
    pub version: Option<String>,
    pub go_binary: PathBuf,
    /// How it was installed, in words ("Homebrew", "golang.org/dl", …), when its place says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installed_by: Option<String>,
}

/// A user env file or a `$GOROOT/go.env`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct EnvFile {
    pub path: PathBuf,
    pub exists: bool,
    pub entries: Vec<EnvFileEntry>,
    /// Why it could not be read, if it exists but could not be.
    pub error: Option<String>,
}

impl EnvFile {
    /// cmd/go keeps the last occurrence of a key.
    pub fn get(&self, key: &str) -> Option<&EnvFileEntry> {
        self.entries.iter().rev().find(|e| e.key == key)
    }

    /// Every key's effective entry (the last occurrence), for looking up many keys: [`get`]
    /// is a scan, and a file with thousands of keys would make one lookup per key quadratic.
    ///
    /// [`get`]: EnvFile::get
    pub fn index(&self) -> std::collections::HashMap<&str, &EnvFileEntry> {
        self.entries.iter().map(|e| (e.key.as_str(), e)).collect()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EnvFileEntry {
    pub key: String,
    pub value: String,
    /// 1-based.
    pub line: u32,
}

/// Above this, the login shell is "slow" (VS Code waits for it at startup too).
pub const SLOW_PROBE_MILLIS: u64 = 3_000;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ProbeReport {
    pub shell: PathBuf,
    pub millis: u64,
    pub outcome: ProbeOutcome,
    /// The startup files the shell reported reading (traced only for the persistent probe
    /// cache, and only by shells that can tell: bash and zsh).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub startup_files: Vec<PathBuf>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ProbeOutcome {
    Ok,
    TimedOut {
        after_secs: u64,
    },
    Exited {
        code: i32,
    },
    Signalled {
        signal: i32,
    },
    NoMarkers,
    SpawnFailed {
        error: String,
    },
    /// Stopped because a newer check superseded it (language server only; never reported).
    Cancelled,
}

// ---------------------------------------------------------------------------------------------
// Editor settings
// ---------------------------------------------------------------------------------------------

/// Where a setting lives, precise enough to become a diagnostic range and a text edit.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SourceSpan {
    pub file: PathBuf,
    /// Byte offsets of the value in the file (half-open).
    pub start: usize,
    pub end: usize,
    /// 1-based line and column (column in Unicode scalar values) of `start`.
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum SettingsLayer {
    User,
    Workspace,
    Folder,
    /// A value the language client answered for its `go` / `gopls` configuration sections
    /// that no settings file we read holds (Neovim's Lua `settings`, a VS Code profile or
    /// remote settings). Highest: the client's answer is the merged result of every layer it
    /// knows, so no file we could write overrides it. It has no place in any file
    /// ([`Configured::place`] is `None`).
    Client,
}

impl SettingsLayer {
    /// Settings the workspace brings with it (a `go` they name never runs in an untrusted
    /// workspace: a stranger may have chosen it). The client's answer is not: the editor already
    /// decided to use it (VS Code disables the Go extension in untrusted workspaces, Neovim asks
    /// before reading a project's exrc), so it counts as the user's own, like the user settings.
    /// A binary inside the workspace folder stays the workspace's choice whoever names it.
    pub fn workspace_level(self) -> bool {
        matches!(self, SettingsLayer::Workspace | SettingsLayer::Folder)
    }
}

/// One configured value: raw text, value after vscode-go substitution, and where it is.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Configured {
    /// The setting, e.g. `go.goroot`, `go.toolsEnvVars.GOPROXY`, `gopls.build.env.GOFLAGS`.
    pub key: SettingKey,
    pub raw: String,
    pub value: String,
    pub layer: SettingsLayer,
    /// The member's value in its file. A [`SettingsLayer::Client`] value has no file: its span
    /// is [`SourceSpan::nowhere`]. Ask [`Configured::place`] for a location or a file to edit.
    pub span: SourceSpan,
}

impl SourceSpan {
    /// The span of a value no file holds (empty path, line 0: never a real 1-based line).
    pub fn nowhere() -> Self {
        SourceSpan {
            file: PathBuf::new(),
            start: 0,
            end: 0,
            line: 0,
            column: 0,
        }
    }
}

impl Configured {
    /// A value only the language client supplies ([`SettingsLayer::Client`]).
    pub fn client_only(key: SettingKey, raw: String, value: String) -> Self {
        Configured {
            key,
            raw,
            value,
            layer: SettingsLayer::Client,
            span: SourceSpan::nowhere(),
        }
    }

    /// Where the value is written, `None` for a client-only value: diagnostics, hovers and
    /// edits need a real file, and a client value has none.
    pub fn place(&self) -> Option<&SourceSpan> {
        (self.layer != SettingsLayer::Client).then_some(&self.span)
    }

    /// The origin of the Go env value this setting provides.
    pub fn origin(&self) -> Origin {
        match self.place() {
            Some(span) => Origin::EditorSetting {
                path: span.file.clone(),
                key: self.key.clone(),
                line: span.line,
            },
            None => Origin::ClientSetting {
                key: self.key.clone(),
            },
        }
    }
}

/// The VS Code Go settings relevant to the folder, from every layer (user < workspace < folder).
/// Every configured value is kept (not only the winning one) so that rules can simulate
/// removing a member and see what a lower layer then provides.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct EditorSettings {
    /// Display name of the editor, e.g. "VS Code".
    pub editor_name: String,
    /// Every Go-relevant member found, in any file: keys `go.goroot`, `go.alternateTools.go`,
    /// `go.gopath`, `go.toolsEnvVars.<VAR>`, `gopls.build.env.<VAR>`; plus the language
    /// client's values for keys no file holds ([`SettingsLayer::Client`]).
    pub values: Vec<Configured>,
    /// Every settings file considered, with its parse status.
    pub files: Vec<SettingsFile>,
}

impl EditorSettings {
    /// The effective value of a key: the one from the highest layer (a client-only value beats
    /// every file). Takes a [`SettingKey`] or its dotted text.
    pub fn get<K>(&self, key: &K) -> Option<&Configured>
    where
        K: ?Sized,
        SettingKey: PartialEq<K>,
    {
        self.values
            .iter()
            .filter(|v| v.key == *key)
            .max_by_key(|v| v.layer)
    }

    /// Effective `go.toolsEnvVars.*` overlay, by variable name.
    pub fn tools_env_vars(&self) -> BTreeMap<String, &Configured> {
        let mut out: BTreeMap<String, &Configured> = BTreeMap::new();
        for v in &self.values {
            if let Some(name) = v.key.tools_env_var_name() {
                match out.get(name) {
                    Some(prev) if prev.layer > v.layer => {}
                    _ => {
                        out.insert(name.to_string(), v);
                    }
                }
            }
        }
        out
    }

    /// Effective gopls env, by variable name: gopls keys its options by the last element of
    /// a dotted name, so its `env` and `build.env` members are one setting, and it uses every
    /// variable of both. A variable in both comes from the higher layer; in one file, from the
    /// member written later (gopls' own order between the two is unspecified).
    pub fn gopls_env(&self) -> BTreeMap<String, &Configured> {
        let mut out: BTreeMap<String, &Configured> = BTreeMap::new();
        for v in &self.values {
            let Some(name) = v.key.gopls_env_var() else {
                continue;
            };
            let wins = match out.get(name) {
                Some(prev) => (v.layer, v.span.start) > (prev.layer, prev.span.start),
                None => true,
            };
            if wins {
                out.insert(name.to_string(), v);
            }
        }
        out
    }

    /// The settings file of a layer (the one fixes write to), if it was considered.
    pub fn file(&self, layer: SettingsLayer) -> Option<&SettingsFile> {
        self.files.iter().find(|f| f.layer == layer)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SettingsFile {
    pub path: PathBuf,
    pub layer: SettingsLayer,
    pub exists: bool,
    /// Why the file could not be parsed (no edit is ever offered for it).
    pub error: Option<SettingsError>,
    /// [`crate::facts::fs::digest`] of the text the values were read from (`None`: no file).
    /// The language server refuses a quick fix for a file whose text changed since.
    #[serde(default, skip_serializing)]
    pub digest: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SettingsError {
    pub message: String,
    pub line: u32,
    pub column: u32,
}

// ---------------------------------------------------------------------------------------------
// Filesystem facts
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct PathFacts {
    pub path: PathBuf,
    pub exists: bool,
    pub kind: Option<FileKind>,
    /// Each hop of the symlink chain starting at `path` (empty when `path` is no symlink).
    /// Each hop is `(link, target as written)`.
    pub symlink_chain: Vec<SymlinkHop>,
    pub dangling_symlink: bool,
    pub symlink_loop: bool,
    /// Canonical path (symlinks resolved) when it exists.
    pub canonical: Option<PathBuf>,
    /// Nearest existing ancestor, when `path` does not exist (for "create the directory").
    pub existing_ancestor: Option<PathBuf>,
    /// `Some(kind)` if the nearest existing ancestor is not a directory (e.g. a file).
    pub ancestor_not_dir: bool,
    pub readable: bool,
    /// Really probed by creating and removing a file (root ignores mode bits).
    pub writable: bool,
    pub executable: bool,
    pub owner_uid: Option<u32>,
    pub fs_type: Option<FsType>,
    /// For directories owned by another uid: whether they hold entries that uid wrote
    /// (anything but an empty build cache's skeleton). Always false for our own directories.
    pub populated: bool,
    /// For a candidate GOROOT: first line of `VERSION` and the layout.
    pub goroot_layout: Option<GorootLayout>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SymlinkHop {
    pub link: PathBuf,
    pub target: PathBuf,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Dir,
    File,
    Other,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FsType {
    Local,
    Nfs,
    Smb,
    Fuse,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct GorootLayout {
    pub version: Option<String>,
    pub has_bin_go: bool,
    pub bin_go_executable: bool,
    pub has_src: bool,
    pub has_pkg_tool: bool,
}

// ---------------------------------------------------------------------------------------------
// go.mod / go.work
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GoModFacts {
    pub path: PathBuf,
    pub module: Option<Line<String>>,
    /// `go 1.22` / `go 1.22.3`.
    pub go: Option<Line<String>>,
    /// `toolchain go1.23.0` / `toolchain default`.
    pub toolchain: Option<Line<String>>,
    /// cmd/go's complaints, one `file:line: message` per line (it refuses the file).
    pub error: Option<String>,
    /// The line of the first complaint (1-based): where a finding about `error` points.
    #[serde(default)]
    pub error_line: Option<u32>,
    /// go.work only: each `use` directory as written (relative to the go.work's directory, or
    /// absolute), in file order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uses: Vec<Line<String>>,
}

/// The modules and go.work files of a folder beyond its own (see [`Snapshot::workspace`]).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct WorkspaceFacts {
    /// go.mod files other than [`Snapshot::go_mod`], sorted by path. Shared, not copied, when
    /// a snapshot is cloned (every keystroke and every simulated fix clones one, and a
    /// monorepo has a thousand modules).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modules: Vec<std::sync::Arc<GoModFacts>>,
    /// go.work files other than [`Snapshot::go_work`], sorted by path.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub works: Vec<GoModFacts>,
    /// What each directory a go.work `use`s holds, by its absolute, lexically clean path.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub use_dirs: BTreeMap<String, UseTarget>,
    /// Why the walk under the folder stopped before seeing everything (a bound on directories
    /// or time); `None` when it saw the whole tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncated: Option<String>,
}

impl WorkspaceFacts {
    pub fn is_empty(&self) -> bool {
        self.modules.is_empty()
            && self.works.is_empty()
            && self.use_dirs.is_empty()
            && self.truncated.is_none()
    }
}

/// What a go.work `use` directory holds.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum UseTarget {
    /// A directory with a go.mod (read into [`WorkspaceFacts::modules`] or [`Snapshot::go_mod`]).
    Module,
    /// A directory without a go.mod.
    NoGoMod,
    /// Nothing (or not a directory).
    Missing,
}

/// A value with the 1-based line it sits on and the byte range of the value in the file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Line<T> {
    pub value: T,
    pub line: u32,
    pub span: SourceSpan,
}

/// One change to a go.work file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum GoWorkEdit {
    /// Set the `go` line (added after the leading comments when there is none).
    SetGo { version: String },
    /// Add `use` lines for these directories (as they will be written: `./svc/a`).
    AddUse { dirs: Vec<String> },
    /// Remove the `use` of this directory (as written in the file).
    DropUse { dir: String },
}

// ---------------------------------------------------------------------------------------------
// Findings
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// Where a Go env value comes from (cmd/go's precedence plus the editor's overlay).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "origin", rename_all = "kebab-case")]
pub enum Origin {
    OsEnv,
    EnvFile {
        path: PathBuf,
        line: u32,
    },
    GorootGoEnv {
        path: PathBuf,
        line: u32,
    },
    EditorSetting {
        path: PathBuf,
        key: SettingKey,
        line: u32,
    },
    /// A `go` / `gopls` setting the language client answered that no settings file holds
    /// ([`SettingsLayer::Client`]): the editor uses it, but there is no file to point at.
    ClientSetting {
        key: SettingKey,
    },
    Default,
}

impl Origin {
    /// The editor setting a value comes from (in a file or only in the client's answer).
    pub fn setting_key(&self) -> Option<&SettingKey> {
        match self {
            Origin::EditorSetting { key, .. } | Origin::ClientSetting { key } => Some(key),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EnvValue {
    pub value: String,
    #[serde(flatten)]
    pub origin: Origin,
}

/// One side's value of the subject, as shown in messages and reports.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SideValue {
    pub value: Option<String>,
    pub origin: Option<Origin>,
    pub go_version: Option<String>,
}

impl SideValue {
    /// A value a side is configured with, and where (`value` as it may be shown: redacted).
    pub fn configured(value: String, origin: Origin, go_version: Option<String>) -> SideValue {
        SideValue {
            value: Some(value),
            origin: Some(origin),
            go_version,
        }
    }

    /// What a side has that no setting configures (its `go`, its shell), or nothing at all.
    pub fn plain(value: Option<String>, go_version: Option<String>) -> SideValue {
        SideValue {
            value,
            origin: None,
            go_version,
        }
    }
}

impl Finding {
    /// Record what the finding says about one side.
    pub fn set_side(&mut self, kind: SideKind, value: SideValue) {
        match kind {
            SideKind::Editor => self.editor = Some(value),
            SideKind::Shell => self.shell = Some(value),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Location {
    pub path: PathBuf,
    /// 1-based.
    pub line: u32,
    /// 1-based, in Unicode scalar values.
    pub column: u32,
    /// Byte range in the file when known (settings members, lines).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<(usize, usize)>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Finding {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    /// The key the finding is about: `GOROOT`, `GOPROXY`, `go.goroot`, …
    pub subject: String,
    pub editor: Option<SideValue>,
    pub shell: Option<SideValue>,
    /// Primary location first: where the offending value is configured.
    pub locations: Vec<Location>,
    /// Best first; every fix here was verified by re-running the rules.
    pub fixes: Vec<Fix>,
    /// Where the finding's cause was set (a startup-file line, a version manager's file), with
    /// what each place does; added after the rules (`rules::attribution`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Fix {
    pub title: String,
    #[serde(flatten)]
    pub action: FixAction,
}

/// A fix as data. Front ends render it (text edits, commands); rules simulate it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FixAction {
    /// Set a VS Code setting (e.g. `go.toolsEnvVars.GOPROXY`) in a settings file, creating the
    /// file when absent.
    SetSetting {
        file: PathBuf,
        key: SettingKey,
        value: String,
    },
    RemoveSetting {
        file: PathBuf,
        key: SettingKey,
    },
    /// `go env -w KEY=VALUE` with the shell-side environment.
    GoEnvWrite {
        key: String,
        value: String,
    },
    /// `go env -u KEY`.
    GoEnvUnset {
        key: String,
    },
    /// Edit the env file directly (when `go` cannot run): remove the line of KEY.
    EnvFileRemoveLine {
        file: PathBuf,
        key: String,
        line: u32,
    },
    CreateDirectory {
        path: PathBuf,
    },
    /// Edit a go.work: raise its `go` line, add or remove a `use`. The text edit is computed
    /// from the file as it is when the fix is applied ([`crate::settings::gomod::work_edit`]).
    EditGoWork {
        file: PathBuf,
        edit: GoWorkEdit,
    },
    /// `go clean -cache`.
    CleanCache {
        gocache: PathBuf,
    },
    /// `GOBIN=<gobin> [GOTOOLCHAIN=<gotoolchain>] go install <package>@<version>` with `side`'s
    /// `go`: a tool the editor runs, (re)built into the directory where that editor looks for
    /// it (`fixes::install`).
    InstallTool {
        side: SideKind,
        /// The binary's name (`gopls`).
        tool: String,
        package: String,
        /// `latest` or a module version (`v0.16.2`).
        version: String,
        gobin: PathBuf,
        /// `go1.25.0+auto` when the tool needs a newer Go than the side runs (or `auto` to
        /// override a GOTOOLCHAIN=local that would forbid it); `None`: the side's own.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gotoolchain: Option<String>,
    },
    /// Start the editor (a client that is not VS Code or GoLand) with the login shell's
    /// values of `vars` (`None`: unset). The user applies it in the editor's own configuration;
    /// front ends show the exact lines for that editor. Values that hold credentials are not
    /// carried: their keys are in `withheld`.
    EditorEnvironment {
        editor: String,
        vars: BTreeMap<String, Option<String>>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        withheld: Vec<String>,
        /// Set when the lines switch the editor to an installed Go SDK (its GOROOT, as shown
        /// in the fix) rather than give it the login shell's environment: the lines say so.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sdk: Option<String>,
    },
}

// ---------------------------------------------------------------------------------------------
// Deep check (`check --deep`)
// ---------------------------------------------------------------------------------------------

/// Which program a deep check builds: a plain Go program, or one calling C through cgo.
/// As a check option, `Cgo` means both.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum DeepProgram {
    Plain,
    Cgo,
}

/// One side's `go` building and running a small program in a temporary module, with that
/// side's environment (the proof that static checks cannot give: a broken cache, a missing C
/// compiler, a skewed toolchain show up here).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DeepRun {
    pub side: SideKind,
    /// The side's label ("VS Code", "your shell").
    pub label: String,
    pub program: DeepProgram,
    /// The `go` that was (or would have been) run; `None`: the side has none.
    pub go: Option<PathBuf>,
    pub outcome: DeepOutcome,
}

/// How a deep run went.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum DeepOutcome {
    /// Built, and ran printing what it should. `not_executed`: built for another platform
    /// (GOOS/GOARCH), so it was only built, and why.
    Ok {
        millis: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        not_executed: Option<String>,
    },
    /// A step failed: `output` is what it printed (stderr, bounded, credentials redacted).
    Failed {
        step: DeepStep,
        exit_code: Option<i32>,
        output: String,
        millis: u64,
        /// Killed at the deadline rather than exiting.
        #[serde(default)]
        timed_out: bool,
    },
    /// Not attempted, and why (an untrusted workspace's `go`, no `go` at all, cancelled).
    NotRun { reason: String },
}

/// The step of a deep run that failed.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum DeepStep {
    /// `go build`.
    Build,
    /// Running the program it built.
    Run,
}
