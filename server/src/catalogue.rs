//! The finding catalogue: stable codes, their severity, report area and explanations.
//! Codes are a public interface (JSON/SARIF/GitHub reports, `--disable`, `disabledChecks`, the
//! README's catalogue anchors): never rename one.

pub mod explanations;

use crate::model::Severity;

/// The report groups of the human output, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Area {
    GoAndGoroot,
    BuildCache,
    ModulesAndProxy,
    Toolchain,
    EditorAndShell,
}

impl Area {
    pub const ALL: [Area; 5] = [
        Area::GoAndGoroot,
        Area::BuildCache,
        Area::ModulesAndProxy,
        Area::Toolchain,
        Area::EditorAndShell,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Area::GoAndGoroot => "Go & GOROOT",
            Area::BuildCache => "Build cache",
            Area::ModulesAndProxy => "Modules & proxy",
            Area::Toolchain => "Toolchain",
            Area::EditorAndShell => "Editor ↔ shell",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct CodeInfo {
    pub code: &'static str,
    pub severity: Severity,
    pub area: Area,
    /// One line: what is wrong, in general terms.
    pub title: &'static str,
    /// Long explanation (Markdown): what, why it breaks, how to fix.
    pub explanation: &'static str,
}

macro_rules! codes {
    ($( $code:literal, $sev:ident, $area:ident, $title:literal, $expl:expr; )*) => {
        pub const CODES: &[CodeInfo] = &[
            $( CodeInfo { code: $code, severity: Severity::$sev, area: Area::$area, title: $title, explanation: $expl }, )*
        ];
    };
}

codes! {
    "go-not-found", Error, GoAndGoroot, "No `go` binary can be found", explanations::GO_NOT_FOUND;
    "goroot-mismatch", Error, EditorAndShell, "The editor and the shell use different GOROOTs", explanations::GOROOT_MISMATCH;
    "go-version-mismatch", Warning, EditorAndShell, "The editor and the shell run different Go versions", explanations::GO_VERSION_MISMATCH;
    "goroot-missing", Error, GoAndGoroot, "The configured GOROOT does not exist", explanations::GOROOT_MISSING;
    "goroot-dangling-symlink", Error, GoAndGoroot, "GOROOT is a symlink chain that points nowhere", explanations::GOROOT_DANGLING_SYMLINK;
    "goroot-not-a-goroot", Error, GoAndGoroot, "GOROOT is not a Go installation", explanations::GOROOT_NOT_A_GOROOT;
    "goroot-unreadable", Error, GoAndGoroot, "GOROOT or its go binary cannot be read or run", explanations::GOROOT_UNREADABLE;
    "goroot-version-skew", Error, GoAndGoroot, "GOROOT belongs to another Go version than the go binary", explanations::GOROOT_VERSION_SKEW;
    "goroot-explicit", Info, GoAndGoroot, "GOROOT is set although go finds its own root", explanations::GOROOT_EXPLICIT;
    "goroot-in-env-file", Warning, GoAndGoroot, "GOROOT is set in the go env file", explanations::GOROOT_IN_ENV_FILE;
    "gocache-relative", Error, BuildCache, "GOCACHE is not an absolute path", explanations::GOCACHE_RELATIVE;
    "gocache-off", Error, BuildCache, "The build cache is disabled (GOCACHE=off)", explanations::GOCACHE_OFF;
    "gocache-unlocatable", Error, BuildCache, "The build cache cannot be located (HOME and XDG_CACHE_HOME unset)", explanations::GOCACHE_UNLOCATABLE;
    "gocache-unwritable", Error, BuildCache, "The build cache directory is not writable", explanations::GOCACHE_UNWRITABLE;
    "gocache-not-a-directory", Error, BuildCache, "GOCACHE or one of its parents is not a directory", explanations::GOCACHE_NOT_A_DIRECTORY;
    "gocache-network-fs", Warning, BuildCache, "The build cache is on a network filesystem", explanations::GOCACHE_NETWORK_FS;
    "gocache-foreign-owner", Warning, BuildCache, "The build cache belongs to another user", explanations::GOCACHE_FOREIGN_OWNER;
    "gocache-mismatch", Warning, EditorAndShell, "The editor and the shell build into different caches", explanations::GOCACHE_MISMATCH;
    "goproxy-off", Warning, ModulesAndProxy, "Module downloads are disabled (GOPROXY=off)", explanations::GOPROXY_OFF;
    "goproxy-empty", Error, ModulesAndProxy, "GOPROXY is set but lists no proxy", explanations::GOPROXY_EMPTY;
    "goproxy-invalid", Error, ModulesAndProxy, "GOPROXY holds an invalid entry", explanations::GOPROXY_INVALID;
    "goproxy-insecure-http", Warning, ModulesAndProxy, "GOPROXY uses plain http", explanations::GOPROXY_INSECURE_HTTP;
    "goproxy-credentials", Warning, ModulesAndProxy, "GOPROXY contains credentials", explanations::GOPROXY_CREDENTIALS;
    "goproxy-mismatch", Warning, EditorAndShell, "The editor and the shell use different module proxies", explanations::GOPROXY_MISMATCH;
    "gosumdb-off", Warning, ModulesAndProxy, "Checksum verification is off (GOSUMDB=off)", explanations::GOSUMDB_OFF;
    "gosumdb-empty", Error, ModulesAndProxy, "GOSUMDB is set but empty", explanations::GOSUMDB_EMPTY;
    "gosumdb-invalid", Error, ModulesAndProxy, "GOSUMDB is malformed", explanations::GOSUMDB_INVALID;
    "goinsecure-broad", Warning, ModulesAndProxy, "GOINSECURE matches far more than intended", explanations::GOINSECURE_BROAD;
    "gonosumdb-broad", Warning, ModulesAndProxy, "GONOSUMDB/GOPRIVATE skips verification for far more than intended", explanations::GONOSUMDB_BROAD;
    "goflags-invalid", Error, ModulesAndProxy, "GOFLAGS makes every go command fail", explanations::GOFLAGS_INVALID;
    "goflags-insecure", Warning, ModulesAndProxy, "GOFLAGS weakens module security", explanations::GOFLAGS_INSECURE;
    "gotoolchain-invalid", Error, Toolchain, "GOTOOLCHAIN is invalid", explanations::GOTOOLCHAIN_INVALID;
    "toolchain-too-old", Error, Toolchain, "go.mod needs a newer Go than this side may use", explanations::TOOLCHAIN_TOO_OLD;
    "toolchain-will-download", Info, Toolchain, "go will download another toolchain for this module", explanations::TOOLCHAIN_WILL_DOWNLOAD;
    "toolchain-not-in-path", Error, Toolchain, "GOTOOLCHAIN=path but the needed goX.Y.Z is not on PATH", explanations::TOOLCHAIN_NOT_IN_PATH;
    "env-file-shadowed", Warning, EditorAndShell, "A go env file value is overridden by the environment on one side only", explanations::ENV_FILE_SHADOWED;
    "gopath-relative", Error, GoAndGoroot, "A GOPATH entry is relative", explanations::GOPATH_RELATIVE;
    "gopath-tilde", Error, GoAndGoroot, "A GOPATH entry starts with ~", explanations::GOPATH_TILDE;
    "gobin-not-on-path", Info, GoAndGoroot, "GOBIN is not on PATH", explanations::GOBIN_NOT_ON_PATH;
    "shell-probe-failed", Warning, EditorAndShell, "Your login shell's environment could not be read", explanations::SHELL_PROBE_FAILED;
    "shell-probe-slow", Info, EditorAndShell, "Your login shell takes long to start", explanations::SHELL_PROBE_SLOW;
    "settings-unparseable", Error, EditorAndShell, "A settings file cannot be parsed", explanations::SETTINGS_UNPARSEABLE;
    "gomod-invalid", Error, ModulesAndProxy, "go.mod or go.work is rejected by go", explanations::GOMOD_INVALID;
    "go-failed", Error, GoAndGoroot, "go itself fails to run on one side", explanations::GO_FAILED;
    "untrusted-not-executed", Info, GoAndGoroot, "A workspace-chosen go was inspected, not run", explanations::UNTRUSTED_NOT_EXECUTED;
    "tinygo-managed", Info, GoAndGoroot, "The editor's Go environment is set up for TinyGo", explanations::TINYGO_MANAGED;
    "gowork-go-too-low", Error, Toolchain, "go.work lists an older go than a module it uses", explanations::GOWORK_GO_TOO_LOW;
    "gowork-use-missing", Error, ModulesAndProxy, "go.work uses a directory without a module", explanations::GOWORK_USE_MISSING;
    "gowork-module-not-used", Error, ModulesAndProxy, "A module under a go.work is not part of it", explanations::GOWORK_MODULE_NOT_USED;
    "gowork-mismatch", Warning, EditorAndShell, "The editor and the shell use different go.work files", explanations::GOWORK_MISMATCH;
    "workspace-walk-truncated", Info, ModulesAndProxy, "Not every module of the folder was checked", explanations::WORKSPACE_WALK_TRUNCATED;
    "toolchain-download-fails", Error, Toolchain, "The toolchain this module needs cannot be downloaded", explanations::TOOLCHAIN_DOWNLOAD_FAILS;
    "tool-built-with-old-go", Error, Toolchain, "An editor tool was built with a Go older than the module's go line", explanations::TOOL_BUILT_WITH_OLD_GO;
    "tool-wrong-arch", Warning, EditorAndShell, "An editor tool is built for another OS or architecture", explanations::TOOL_WRONG_ARCH;
    "tool-missing", Warning, EditorAndShell, "A tool the editor runs is not where the editor looks for it", explanations::TOOL_MISSING;
    "env-mismatch", Warning, EditorAndShell, "A Go-relevant variable differs between the editor and the shell", explanations::ENV_MISMATCH;
    "go-under-rosetta", Warning, GoAndGoroot, "An Intel (darwin/amd64) go or tool runs under Rosetta on an Apple silicon Mac", explanations::GO_UNDER_ROSETTA;
    "go-windows-in-wsl", Error, GoAndGoroot, "The Windows go.exe is used inside WSL", explanations::GO_WINDOWS_IN_WSL;
    "go-sandboxed", Warning, GoAndGoroot, "Go is seen through a Flatpak sandbox or a snap revision", explanations::GO_SANDBOXED;
    "goroot-in-modcache", Warning, GoAndGoroot, "GOROOT is a toolchain inside the module cache", explanations::GOROOT_IN_MODCACHE;
    "gopath-in-goroot", Warning, GoAndGoroot, "GOPATH is GOROOT or inside it", explanations::GOPATH_IN_GOROOT;
    "envrc-not-loaded", Info, EditorAndShell, "An .envrc sets Go variables the editor does not have", explanations::ENVRC_NOT_LOADED;
    "build-failed", Error, GoAndGoroot, "A side's go cannot build or run a small program (check --deep)", explanations::BUILD_FAILED;
}

pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    CODES.iter().find(|c| c.code == code)
}

/// Stable URL of a code's explanation (the README's catalogue anchors).
pub fn doc_url(code: &str) -> String {
    format!("https://github.com/go-env-doctor/go-env-doctor/blob/main/README.md#{code}")
}
