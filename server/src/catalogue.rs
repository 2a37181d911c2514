//! The finding catalogue: stable codes, their severity, report area and explanations.
//! Codes are a public interface (SPEC §4): never rename one.

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
    "go-not-found", Error, GoAndGoroot, "No `go` binary can be found", "";
    "goroot-mismatch", Error, EditorAndShell, "The editor and the shell use different GOROOTs", "";
    "go-version-mismatch", Warning, EditorAndShell, "The editor and the shell run different Go versions", "";
    "goroot-missing", Error, GoAndGoroot, "The configured GOROOT does not exist", "";
    "goroot-dangling-symlink", Error, GoAndGoroot, "GOROOT is a symlink chain that points nowhere", "";
    "goroot-not-a-goroot", Error, GoAndGoroot, "GOROOT is not a Go installation", "";
    "goroot-unreadable", Error, GoAndGoroot, "GOROOT or its go binary cannot be read or run", "";
    "goroot-version-skew", Error, GoAndGoroot, "GOROOT belongs to another Go version than the go binary", "";
    "goroot-explicit", Info, GoAndGoroot, "GOROOT is set although go finds its own root", "";
    "goroot-in-env-file", Warning, GoAndGoroot, "GOROOT is set in the go env file", "";
    "gocache-relative", Error, BuildCache, "GOCACHE is not an absolute path", "";
    "gocache-off", Error, BuildCache, "The build cache is disabled (GOCACHE=off)", "";
    "gocache-unlocatable", Error, BuildCache, "The build cache cannot be located (HOME and XDG_CACHE_HOME unset)", "";
    "gocache-unwritable", Error, BuildCache, "The build cache directory is not writable", "";
    "gocache-not-a-directory", Error, BuildCache, "GOCACHE or one of its parents is not a directory", "";
    "gocache-network-fs", Warning, BuildCache, "The build cache is on a network filesystem", "";
    "gocache-foreign-owner", Warning, BuildCache, "The build cache belongs to another user", "";
    "gocache-mismatch", Warning, EditorAndShell, "The editor and the shell build into different caches", "";
    "goproxy-off", Warning, ModulesAndProxy, "Module downloads are disabled (GOPROXY=off)", "";
    "goproxy-empty", Error, ModulesAndProxy, "GOPROXY is set but lists no proxy", "";
    "goproxy-invalid", Error, ModulesAndProxy, "GOPROXY holds an invalid entry", "";
    "goproxy-insecure-http", Warning, ModulesAndProxy, "GOPROXY uses plain http", "";
    "goproxy-credentials", Warning, ModulesAndProxy, "GOPROXY contains credentials", "";
    "goproxy-mismatch", Warning, EditorAndShell, "The editor and the shell use different module proxies", "";
    "gosumdb-off", Warning, ModulesAndProxy, "Checksum verification is off (GOSUMDB=off)", "";
    "gosumdb-empty", Error, ModulesAndProxy, "GOSUMDB is set but empty", "";
    "gosumdb-invalid", Error, ModulesAndProxy, "GOSUMDB is malformed", "";
    "goinsecure-broad", Warning, ModulesAndProxy, "GOINSECURE matches far more than intended", "";
    "gonosumdb-broad", Warning, ModulesAndProxy, "GONOSUMDB/GOPRIVATE skips verification for far more than intended", "";
    "goflags-invalid", Error, ModulesAndProxy, "GOFLAGS makes every go command fail", "";
    "goflags-insecure", Warning, ModulesAndProxy, "GOFLAGS weakens module security", "";
    "gotoolchain-invalid", Error, Toolchain, "GOTOOLCHAIN is invalid", "";
    "toolchain-too-old", Error, Toolchain, "go.mod needs a newer Go than this side may use", "";
    "toolchain-will-download", Info, Toolchain, "go will download another toolchain for this module", "";
    "toolchain-not-in-path", Error, Toolchain, "GOTOOLCHAIN=path but the needed goX.Y.Z is not on PATH", "";
    "env-file-shadowed", Warning, EditorAndShell, "A go env file value is overridden by the environment on one side only", "";
    "gopath-relative", Error, GoAndGoroot, "A GOPATH entry is relative", "";
    "gopath-tilde", Error, GoAndGoroot, "A GOPATH entry starts with ~", "";
    "gobin-not-on-path", Info, GoAndGoroot, "GOBIN is not on PATH", "";
    "shell-probe-failed", Warning, EditorAndShell, "Your login shell's environment could not be read", "";
    "shell-probe-slow", Info, EditorAndShell, "Your login shell takes long to start", "";
    "settings-unparseable", Error, EditorAndShell, "A settings file cannot be parsed", "";
    "untrusted-not-executed", Info, GoAndGoroot, "A workspace-chosen go was inspected, not run", "";
}

pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    CODES.iter().find(|c| c.code == code)
}

/// Stable URL of a code's explanation (the README's catalogue anchors).
pub fn doc_url(code: &str) -> String {
    format!("https://github.com/go-env-doctor/go-env-doctor/blob/main/README.md#{code}")
}
