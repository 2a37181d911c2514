//! The effective view of one side, computed purely from a snapshot: which `go` runs, its
//! version, and every Go env key with its provenance (cmd/go's precedence, listed below, plus
//! the editor's overlay). Used by the rules, by fix simulation, and by the reports.
//!
//! Precedence per key, highest first (cmd/go/internal/cfg `Getenv`, vscode-go, gopls):
//! 1. editor only: gopls' own env (`gopls` → `env` / `build.env`, except GOPATH), then the
//!    overlay — `go.gopath` (GOPATH), `go.toolsEnvVars.KEY`, `go.goroot`
//!    (GOROOT, only when its directory exists per `snapshot.paths`, like vscode-go). An overlay
//!    value replaces the OS variable even when empty (node sets `KEY=`), and an empty variable
//!    counts as unset for cmd/go;
//! 2. the OS environment, non-empty values only;
//! 3. the user env file (its last line of the key), unless GOENV=off or cmd/go finds no
//!    config directory (a relative XDG_CONFIG_HOME from Go 1.24 on);
//! 4. `$GOROOT/go.env` (its *first* line of the key, never GOROOT), located through the
//!    GOROOT named in the user env file, else the GOROOT variable, else the binary's own root;
//! 5. the default (see `DefaultCtx::default_value`).
//!
//! The first layer holding the key is what cmd/go reads; an empty file line stops the search
//! (it hides go.env) but then counts as unset, so a non-empty default applies. CGO_ENABLED
//! counts only as `0` or `1`. GOENV and GODEBUG come from the OS only; GOVERSION, GOTOOLDIR,
//! GOEXE, GOHOSTOS… are computed. Keys cmd/go does not know (`GOPROXY ` from `GOPROXY = x`)
//! are not part of a side's environment.

use crate::model::{
    CommandResult, Configured, EditorKind, EnvFile, EnvValue, FileKind, GoBinary, GoFoundBy,
    Origin, PathFacts, SettingKey, SettingsLayer, SideFacts, SideKind, Snapshot,
};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Keys every [`EffectiveSide::env`] holds (plus every key of the side's `go env -json`).
pub const KEYS: &[&str] = &[
    "GOROOT",
    "GOPATH",
    "GOCACHE",
    "GOENV",
    "GOBIN",
    "GOFLAGS",
    "GOPROXY",
    "GONOPROXY",
    "GOSUMDB",
    "GONOSUMDB",
    "GOPRIVATE",
    "GOINSECURE",
    "GOTOOLCHAIN",
    "GOMODCACHE",
    "GOVERSION",
];

#[derive(Debug, Clone, PartialEq)]
pub struct EffectiveSide {
    pub kind: SideKind,
    pub label: String,
    /// The `go` this side runs (`None`: none found).
    pub go: Option<GoBinary>,
    /// e.g. `go1.22.10`.
    pub go_version: Option<String>,
    /// Every Go env key this side ends up with, with where it comes from.
    pub env: BTreeMap<String, EnvValue>,
    /// Every layer's value per key, highest precedence first (the winner is the first one;
    /// the default is always last). Rules use it to see what a lower layer would provide and
    /// what is shadowed (e.g. an env-file value hidden by the OS env).
    pub layers: BTreeMap<String, Vec<EnvValue>>,
    /// The environment variables Go runs with on this side: OS env + editor overlay (the
    /// overlay's empty values included, as node passes them). Not Go's view: see `env`.
    pub process_env: BTreeMap<String, String>,
    /// Editor: the winning `go.goroot` setting, if any, and whether vscode-go honours it
    /// (it ignores a go.goroot whose directory does not exist).
    pub goroot_setting: Option<Configured>,
    pub goroot_setting_honoured: bool,
    /// Editor: the winning `go.alternateTools.go`, and whether it decided the `go` binary
    /// (absolute and executable per `snapshot.paths`; otherwise silently skipped).
    pub alternate_go: Option<Configured>,
    pub alternate_go_used: bool,
    /// The GOROOT the `go` binary finds by itself (exe/../.., symlinks resolved).
    pub own_goroot: Option<String>,
    /// Which GOROOT's `go.env` cmd/go reads on this side (key of
    /// `SideFacts::goroot_env_files`), and whether it was found in the snapshot.
    pub goroot_env_root: Option<String>,
    pub goroot_env_found: bool,
    /// The facts layer ran exactly this `go` for this side: `SideFacts::go_env`,
    /// `go_version` and `gotoolchain` describe it. False after a simulated switch of binary.
    pub ran: bool,
    /// PATH entries of this side.
    pub path_entries: Vec<PathBuf>,
}

impl EffectiveSide {
    /// The effective env value of `key`, if the side has the key at all.
    pub fn get(&self, key: &str) -> Option<&EnvValue> {
        self.env.get(key)
    }

    /// The effective value of `key` (empty when unset).
    pub fn value(&self, key: &str) -> &str {
        self.env.get(key).map(|v| v.value.as_str()).unwrap_or("")
    }

    /// The effective GOROOT (empty when unknown).
    pub fn goroot(&self) -> &str {
        self.value("GOROOT")
    }

    /// Whether GOROOT is set explicitly (overlay, OS env, env file) rather than found by `go`.
    pub fn goroot_is_explicit(&self) -> bool {
        self.env
            .get("GOROOT")
            .is_some_and(|v| !matches!(v.origin, Origin::Default))
    }
}

/// `None` when the side is absent (the shell side with `--no-shell`, or a failed probe).
pub fn effective(snapshot: &Snapshot, kind: SideKind) -> Option<EffectiveSide> {
    match kind {
        SideKind::Editor => Some(resolve_side(snapshot, &snapshot.editor, true)),
        SideKind::Shell => {
            let shell = snapshot.shell.as_ref()?;
            if !probe_ok(shell) {
                return None;
            }
            Some(resolve_side(snapshot, shell, false))
        }
    }
}

/// Whether the side's facts are usable (the shell probe, when there is one, succeeded).
pub fn probe_ok(side: &SideFacts) -> bool {
    side.probe
        .as_ref()
        .is_none_or(|p| matches!(p.outcome, crate::model::ProbeOutcome::Ok))
}

fn resolve_side(snapshot: &Snapshot, facts: &SideFacts, is_editor: bool) -> EffectiveSide {
    // 1. The overlay (editor only): key → (value, setting).
    let mut overlay: BTreeMap<String, (String, Configured)> = BTreeMap::new();
    let mut goroot_setting = None;
    let mut goroot_setting_honoured = false;
    let mut alternate_go = None;
    if is_editor {
        let settings = &snapshot.settings;
        if let Some(c) = settings.get(&SettingKey::GoGoroot) {
            goroot_setting = Some(c.clone());
            if !c.value.is_empty() && goroot_dir_usable(snapshot, &c.value) {
                goroot_setting_honoured = true;
                overlay.insert("GOROOT".into(), (c.value.clone(), c.clone()));
            }
        }
        for (name, c) in settings.tools_env_vars() {
            overlay.insert(name, (c.value.clone(), c.clone()));
        }
        let vscode = snapshot.editor_kind == EditorKind::VsCode;
        match settings
            .get(&SettingKey::GoGopath)
            .filter(|c| !c.value.is_empty())
        {
            Some(c) => {
                overlay.insert("GOPATH".into(), (c.value.clone(), c.clone()));
            }
            // vscode-go sets the tools' GOPATH to `go.gopath || process.env.GOPATH` after
            // applying toolsEnvVars (toolExecutionEnvironment, getCurrentGoPath): a GOPATH in
            // the editor's own environment beats `go.toolsEnvVars.GOPATH`.
            None if vscode && facts.os_env.get("GOPATH").is_some_and(|v| !v.is_empty()) => {
                overlay.remove("GOPATH");
            }
            None => {}
        }
        alternate_go = settings.get(&SettingKey::alternate_go()).cloned();
    }

    // vscode-go removes `-json` / `--json=…` from the tools' GOFLAGS (toolExecutionEnvironment):
    // its own calls parse the plain output. The value then reaches `go` without it.
    let mut os_env = std::borrow::Cow::Borrowed(&facts.os_env);
    if is_editor && snapshot.editor_kind == EditorKind::VsCode {
        if let Some((v, _)) = overlay.get_mut("GOFLAGS") {
            *v = strip_json_flag(v);
        } else if let Some(v) = facts.os_env.get("GOFLAGS").filter(|v| v.contains("-json")) {
            let stripped = strip_json_flag(v);
            os_env.to_mut().insert("GOFLAGS".into(), stripped);
        }
    }

    let mut process_env = os_env.as_ref().clone();
    for (k, (v, _)) in &overlay {
        process_env.insert(k.clone(), v.clone());
    }

    // 2. Which go.
    let (go, alternate_go_used) = find_go(snapshot, facts, &process_env, alternate_go.as_ref());

    // gopls' own env (`env` / `build.env`): gopls runs the `go` vscode-go chose, with
    // vscode-go's environment (toolsEnvVars included) as its process env and its own env
    // appended, so its values win there. It does not change which `go` runs, only what that
    // `go` sees, so it is layered after the binary is chosen. GOPATH is left to its own rule
    // (`gopls.build.env.GOPATH`): vscode-go's tools keep using go.gopath / toolsEnvVars.
    let mut gopls: BTreeMap<String, (String, Configured)> = BTreeMap::new();
    if is_editor {
        for (name, c) in snapshot.settings.gopls_env() {
            if name != "GOPATH" {
                process_env.insert(name.clone(), c.value.clone());
                gopls.insert(name, (c.value.clone(), c.clone()));
            }
        }
    }
    let ran = match (&go, &facts.go) {
        (Some(a), Some(b)) => a.path == b.path,
        _ => false,
    };
    let go_version = side_go_version(facts, go.as_ref(), ran);
    let own_goroot = go.as_ref().and_then(|g| g.own_goroot.clone());

    // 3. Env file: none with GOENV=off, nor where cmd/go finds no user config directory.
    let user_config = UserConfig::of(&process_env, go_version.as_deref(), host_os(facts));
    let env_file: Option<&EnvFile> = match user_config {
        UserConfig::File(_) | UserConfig::Unknown => facts.env_file.as_ref().filter(|f| f.exists),
        UserConfig::None => None,
    };

    // 4. $GOROOT/go.env: through the env file's GOROOT, else the GOROOT variable, else the
    //    binary's own root (cmd/go's findGOROOT, which cleans the path).
    let file_goroot = env_file
        .and_then(|f| f.get("GOROOT"))
        .map(|e| e.value.clone())
        .filter(|v| !v.is_empty());
    let goroot_env_root = file_goroot
        .or_else(|| process_env.get("GOROOT").filter(|v| !v.is_empty()).cloned())
        .map(|r| go_clean(&r))
        .or_else(|| own_goroot.clone());
    let goroot_env: Option<(String, &EnvFile)> = goroot_env_root
        .as_deref()
        .and_then(|r| lookup_goroot_env(snapshot, facts, r));
    let goroot_env_found = goroot_env.as_ref().is_some_and(|(_, f)| f.exists);

    // Keys to resolve.
    let go_env_json = if ran {
        facts.go_env.as_ref().and_then(|r| r.ok())
    } else {
        None
    };
    let known = |k: &str| is_go_var(k) || go_env_json.is_some_and(|m| m.contains_key(k));
    // Borrowed: a side is resolved many times per check (each fix is simulated).
    let mut keys: BTreeSet<&str> = KEYS.iter().copied().collect();
    if let Some(m) = go_env_json {
        keys.extend(m.keys().map(String::as_str));
    }
    if let Some(f) = env_file {
        keys.extend(
            f.entries
                .iter()
                .map(|e| e.key.as_str())
                .filter(|k| known(k)),
        );
    }
    keys.extend(overlay.keys().map(String::as_str).filter(|k| known(k)));
    keys.extend(gopls.keys().map(String::as_str).filter(|k| known(k)));
    keys.extend(facts.os_env.keys().map(String::as_str).filter(|k| known(k)));

    let mut ctx = DefaultCtx {
        process_env: &process_env,
        go_version: go_version.as_deref(),
        own_goroot: own_goroot.as_deref(),
        go_env_json,
        user_config: &user_config,
        env_file,
        resolved: BTreeMap::new(),
    };

    // GOPATH before GOMODCACHE, GOPRIVATE before GONOPROXY/GONOSUMDB (defaults derive).
    const FIRST: [&str; 3] = ["GOROOT", "GOPATH", "GOPRIVATE"];
    let order = FIRST
        .into_iter()
        .chain(keys.iter().copied().filter(|k| !FIRST.contains(k)));

    let user_index = env_file.map(EnvFile::index).unwrap_or_default();
    let goroot_index = goroot_env
        .as_ref()
        .map(|(_, gf)| first_index(gf))
        .unwrap_or_default();
    let mut env = BTreeMap::new();
    let mut layers = BTreeMap::new();
    for key in order {
        let read = how_read(key);
        let mut ls: Vec<EnvValue> = Vec::new();
        if read != Read::Computed {
            if let Some((v, c)) = gopls.get(key) {
                if !v.is_empty() {
                    ls.push(EnvValue {
                        value: v.clone(),
                        origin: c.origin(),
                    });
                }
            }
            // Below a non-empty gopls value, the overlay value is what removing that member
            // reveals; an empty gopls value (`KEY=`) hides it, as it hides the OS variable.
            let gopls_empty = gopls.get(key).is_some_and(|(v, _)| v.is_empty());
            if let Some((v, c)) = overlay.get(key).filter(|_| !gopls_empty) {
                if !v.is_empty() {
                    ls.push(EnvValue {
                        value: v.clone(),
                        origin: c.origin(),
                    });
                }
            }
            // The OS layer: an overlay value (even empty) replaces the OS variable.
            if !overlay.contains_key(key) && !gopls.contains_key(key) {
                if let Some(v) = os_env.get(key).filter(|v| !v.is_empty()) {
                    ls.push(EnvValue {
                        value: v.clone(),
                        origin: Origin::OsEnv,
                    });
                }
            }
        }
        if read == Read::Layered {
            if let (Some(f), Some(e)) = (env_file, user_index.get(key)) {
                ls.push(EnvValue {
                    // cmd/go cleans a GOROOT it takes from the env file (findGOROOT).
                    value: if key == "GOROOT" && !e.value.is_empty() {
                        go_clean(&e.value)
                    } else {
                        e.value.clone()
                    },
                    origin: Origin::EnvFile {
                        path: f.path.clone(),
                        line: e.line,
                    },
                });
            }
            // go.env never sets GOROOT: cmd/go overwrites it with the root it found.
            let in_user_file = user_index.contains_key(key);
            if !in_user_file && key != "GOROOT" {
                if let (Some((_, gf)), Some(e)) = (&goroot_env, goroot_index.get(key)) {
                    ls.push(EnvValue {
                        value: e.value.clone(),
                        origin: Origin::GorootGoEnv {
                            path: gf.path.clone(),
                            line: e.line,
                        },
                    });
                }
            }
        }
        let default = ctx.default_value(key);
        // The first layer is what cmd/go's Getenv returns: an empty line in a file stops the
        // search (it hides go.env) but then counts as unset, so a non-empty default applies.
        // CGO_ENABLED is only honoured as exactly `0` or `1`.
        if let Some(first) = ls.first() {
            let usable = if key == "CGO_ENABLED" {
                first.value == "0" || first.value == "1"
            } else {
                !first.value.is_empty()
            };
            let hides_to_empty = first.value.is_empty() && default.value.is_empty();
            if !usable && !hides_to_empty {
                ls.clear();
            }
        }
        if key == "GOENV" {
            // `GOENV=off` shows as an empty GOENV.
            if let Some(first) = ls.first_mut().filter(|v| v.value == "off") {
                first.value.clear();
            }
        }
        ls.push(default);
        let winner = ls[0].clone();
        if FIRST.contains(&key) {
            // What later defaults derive from (GOMODCACHE, GONOPROXY, GONOSUMDB).
            ctx.resolved.insert(key.to_string(), winner.clone());
        }
        env.insert(key.to_string(), winner);
        layers.insert(key.to_string(), ls);
    }

    EffectiveSide {
        kind: facts.kind,
        label: facts.label.clone(),
        go,
        go_version,
        env,
        layers,
        process_env,
        goroot_setting,
        goroot_setting_honoured,
        alternate_go,
        alternate_go_used,
        own_goroot,
        goroot_env_root,
        goroot_env_found,
        ran,
        path_entries: facts.path_entries.clone(),
    }
}

/// GOFLAGS without its `-json` / `--json…` words and the blanks before each, as vscode-go
/// hands it to its tools; every other byte is kept (a leading blank may remain, which cmd/go
/// ignores since it splits GOFLAGS on blanks).
pub fn strip_json_flag(goflags: &str) -> String {
    let mut out = String::with_capacity(goflags.len());
    let mut rest = goflags;
    while !rest.is_empty() {
        let blanks = rest.len() - rest.trim_start().len();
        let (gap, after) = rest.split_at(blanks);
        let word_len = after.find(char::is_whitespace).unwrap_or(after.len());
        let (word, tail) = after.split_at(word_len);
        if !(word.starts_with("-json") || word.starts_with("--json")) {
            out.push_str(gap);
            out.push_str(word);
        }
        rest = tail;
    }
    out
}

/// The variables cmd/go knows (its `KnownEnv` list, Go 1.21–1.25) plus those `go env` computes.
/// Anything else, in the OS env or the env file, has no effect on Go (an env-file line such as
/// `GOPROXY = x` names the key `GOPROXY `), so it is not part of a side's Go environment.
const KNOWN_VARS: &[&str] = &[
    "AR",
    "CC",
    "CGO_CFLAGS",
    "CGO_CFLAGS_ALLOW",
    "CGO_CFLAGS_DISALLOW",
    "CGO_CPPFLAGS",
    "CGO_CPPFLAGS_ALLOW",
    "CGO_CPPFLAGS_DISALLOW",
    "CGO_CXXFLAGS",
    "CGO_CXXFLAGS_ALLOW",
    "CGO_CXXFLAGS_DISALLOW",
    "CGO_ENABLED",
    "CGO_FFLAGS",
    "CGO_FFLAGS_ALLOW",
    "CGO_FFLAGS_DISALLOW",
    "CGO_LDFLAGS",
    "CGO_LDFLAGS_ALLOW",
    "CGO_LDFLAGS_DISALLOW",
    "CXX",
    "FC",
    "GCCGO",
    "GO111MODULE",
    "GO386",
    "GOAMD64",
    "GOARCH",
    "GOARM",
    "GOARM64",
    "GOAUTH",
    "GOBIN",
    "GOCACHE",
    "GOCACHEPROG",
    "GODEBUG",
    "GOENV",
    "GOEXE",
    "GOEXPERIMENT",
    "GOFIPS140",
    "GOFLAGS",
    "GOGCCFLAGS",
    "GOHOSTARCH",
    "GOHOSTOS",
    "GOINSECURE",
    "GOMIPS",
    "GOMIPS64",
    "GOMOD",
    "GOMODCACHE",
    "GONOPROXY",
    "GONOSUMDB",
    "GOOS",
    "GOPATH",
    "GOPPC64",
    "GOPRIVATE",
    "GOPROXY",
    "GORISCV64",
    "GOROOT",
    "GOSUMDB",
    "GOTELEMETRY",
    "GOTELEMETRYDIR",
    "GOTMPDIR",
    "GOTOOLCHAIN",
    "GOTOOLDIR",
    "GOVCS",
    "GOVERSION",
    "GOWASM",
    "GOWORK",
    "GO_EXTLINK_ENABLED",
    "PKG_CONFIG",
];

/// Go's own variables (GOPROXY, GO111MODULE, CGO_ENABLED…), not every name that happens to
/// start with GO (GOOGLE_APPLICATION_CREDENTIALS, our own GO_ENV_DOCTOR_*).
pub fn is_go_var(k: &str) -> bool {
    // Sorted (a test says so): every variable of a side's environment is looked up here.
    KNOWN_VARS.binary_search(&k).is_ok()
}

/// Where cmd/go takes a key from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    /// OS env, user env file, `$GOROOT/go.env`, default (cmd/go's `Getenv`).
    Layered,
    /// The OS environment only (`os.Getenv`): GOENV locates the env file, GODEBUG is runtime's.
    OsOnly,
    /// Computed by cmd/go whatever the environment says (`go env` never reads these).
    Computed,
}

fn how_read(key: &str) -> Read {
    match key {
        "GOENV" | "GODEBUG" => Read::OsOnly,
        "GOVERSION" | "GOTOOLDIR" | "GOEXE" | "GOHOSTOS" | "GOHOSTARCH" | "GOGCCFLAGS"
        | "GOMOD" | "GOTELEMETRY" | "GOTELEMETRYDIR" => Read::Computed,
        _ => Read::Layered,
    }
}

/// The entry of each key cmd/go takes from `$GOROOT/go.env`: the *first* one, since a key
/// already read (from the user file or an earlier go.env line) is never overwritten there.
fn first_index(f: &EnvFile) -> std::collections::HashMap<&str, &crate::model::EnvFileEntry> {
    let mut m = std::collections::HashMap::new();
    for e in &f.entries {
        m.entry(e.key.as_str()).or_insert(e);
    }
    m
}

/// The OS `go` runs on for this side (GOHOSTOS of its `go env`, else ours).
fn host_os(facts: &SideFacts) -> String {
    facts
        .go_env
        .as_ref()
        .and_then(|r| r.ok())
        .and_then(|m| m.get("GOHOSTOS"))
        .cloned()
        .unwrap_or_else(|| std::env::consts::OS.to_string())
}

/// The minor version of `go1.N[.x]`.
fn go_minor(version: &str) -> Option<u32> {
    let rest = version.strip_prefix("go1.")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The user env file as cmd/go locates it (cfg `EnvFile`, `os.UserConfigDir`): what `go env
/// GOENV` shows, or no file at all.
#[derive(Debug, Clone, PartialEq)]
enum UserConfig {
    /// The file's name as cmd/go spells it (relative names are taken from its working dir).
    File(String),
    /// `GOENV=off`, or a relative `XDG_CONFIG_HOME` from Go 1.24 on.
    None,
    /// The environment names no config directory (no `HOME`, no `%AppData%`): cmd/go reads no
    /// file, and facts found none either — unless the snapshot was built without an
    /// environment, so the facts' file (if any) is trusted.
    Unknown,
}

impl UserConfig {
    fn of(env: &BTreeMap<String, String>, go_version: Option<&str>, os: String) -> UserConfig {
        let var = |k: &str| env.get(k).map(String::as_str).filter(|v| !v.is_empty());
        if let Some(file) = var("GOENV") {
            return if file == "off" {
                UserConfig::None
            } else {
                UserConfig::File(file.to_string())
            };
        }
        let dir = match os.as_str() {
            "windows" => var("AppData")
                .or_else(|| var("APPDATA"))
                .map(str::to_string),
            "darwin" | "ios" => var("HOME").map(|h| format!("{h}/Library/Application Support")),
            "plan9" => var("home").map(|h| format!("{h}/lib")),
            _ => match var("XDG_CONFIG_HOME") {
                // Go 1.24 made os.UserConfigDir reject a relative $XDG_CONFIG_HOME; before, the
                // env file was read relative to the working directory.
                Some(x) if !x.starts_with('/') => {
                    if go_version.and_then(go_minor).is_some_and(|m| m >= 24) {
                        None
                    } else {
                        Some(x.to_string())
                    }
                }
                Some(x) => Some(x.to_string()),
                None => var("HOME").map(|h| format!("{h}/.config")),
            },
        };
        match dir {
            Some(d) if os == "windows" => {
                UserConfig::File(format!("{}\\go\\env", d.trim_end_matches(['\\', '/'])))
            }
            Some(d) => UserConfig::File(go_clean(&format!("{d}/go/env"))),
            None if os != "windows" && var("XDG_CONFIG_HOME").is_some() => UserConfig::None,
            None => UserConfig::Unknown,
        }
    }
}

/// Go's `filepath.Clean` for slash-separated paths: repeated separators, `.` and resolvable
/// `..` elements and a trailing separator go. Windows-style paths only lose trailing
/// separators ([`clean`]).
pub fn go_clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    if p.contains('\\') || p.as_bytes().get(1) == Some(&b':') {
        return clean(p);
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            _ => parts.push(part),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

/// vscode-go honours `go.goroot` only when the directory exists. A path unknown to the facts
/// layer is given the benefit of the doubt.
fn goroot_dir_usable(snapshot: &Snapshot, dir: &str) -> bool {
    match path_facts(snapshot, dir) {
        Some(p) => p.exists && p.kind == Some(FileKind::Dir),
        None => true,
    }
}

/// The `go` a side runs, by the kind of program the side is.
/// - VS Code: vscode-go's `getBinPathWithPreferredGopathGorootWithExplanation`, see
///   [`vscode_go`].
/// - GoLand: `$GOROOT/bin/go` of its SDK (its views have no PATH `go`).
/// - The shell, a terminal or CI job, any other editor (gopls runs `go` from its PATH): the
///   first `go` on PATH, as a command line runs it.
fn find_go(
    snapshot: &Snapshot,
    facts: &SideFacts,
    process_env: &BTreeMap<String, String>,
    alternate: Option<&Configured>,
) -> (Option<GoBinary>, bool) {
    if facts.kind == SideKind::Editor {
        match snapshot.editor_kind {
            EditorKind::VsCode => return vscode_go(snapshot, facts, alternate),
            EditorKind::JetBrains => {
                if let Some(goroot) = process_env.get("GOROOT").filter(|v| !v.is_empty()) {
                    if let Some(bin) = goroot_bin(snapshot, facts, goroot) {
                        return (Some(bin), false);
                    }
                }
            }
            EditorKind::Other => {}
        }
    }
    (first_go_on_path(facts), false)
}

/// The side's `go` found on PATH (or, for VS Code, at vscode-go's fixed fallbacks).
fn first_go_on_path(facts: &SideFacts) -> Option<GoBinary> {
    let from_facts = |path: &Path, found_by: GoFoundBy| known_binary(facts, path, found_by);
    let path_go = facts.path_go.clone().or_else(|| {
        // Facts without a separate path_go: the binary it ran when that came from PATH.
        facts
            .go
            .clone()
            .filter(|g| matches!(g.found_by, GoFoundBy::Path | GoFoundBy::WellKnown))
    });
    path_go.map(|g| {
        let found_by = g.found_by;
        from_facts(&g.path, found_by).unwrap_or(g)
    })
}

/// A binary this side's facts already describe, relabelled with how it was found now.
fn known_binary(facts: &SideFacts, path: &Path, found_by: GoFoundBy) -> Option<GoBinary> {
    [facts.go.as_ref(), facts.path_go.as_ref()]
        .into_iter()
        .flatten()
        .find(|g| g.path == path)
        .map(|g| GoBinary {
            found_by,
            ..g.clone()
        })
}

/// vscode-go's fixed last resorts for `go` (checked whatever name alternateTools gave).
pub const VSCODE_GO_FALLBACKS: &[&str] = if cfg!(windows) {
    &[
        "C:\\Program Files\\Go\\bin\\go.exe",
        "C:\\Program Files (x86)\\Go\\bin\\go.exe",
    ]
} else {
    &["/usr/local/go/bin/go", "/usr/local/bin/go"]
};

/// Whether facts saw an executable regular file at `p`.
fn executable_file(snapshot: &Snapshot, p: &Path) -> bool {
    path_facts(snapshot, &p.to_string_lossy())
        .is_some_and(|pf| pf.exists && pf.kind == Some(FileKind::File) && pf.executable)
}

/// vscode-go's choice of `go` (getBinPathWithExplanation →
/// getBinPathWithPreferredGopathGorootWithExplanation, run by updateGoVarsFromConfig at
/// activation, after setGOROOTEnvVar):
/// 1. `go.alternateTools.go` when it is an absolute path to an executable file;
/// 2. otherwise the name to look for is that setting when it is not absolute (a bare name or
///    a relative path), else `go`; it is looked for in every `$GOBIN` entry of the editor's
///    own environment (toolsEnvVars do not count: they only reach child processes);
/// 3. then in `<root>/bin`, root = `go.goroot` when set (whether or not it exists: a missing
///    one hides `$GOROOT/bin`), else the GOROOT of the editor's environment;
/// 4. then on PATH; 5. then at the fixed fallbacks; else there is no `go` at all.
///
/// The GOROOT that vscode-go then hands to that binary is another matter
/// (`go.toolsEnvVars.GOROOT` wins there): see the overlay in [`resolve_side`].
fn vscode_go(
    snapshot: &Snapshot,
    facts: &SideFacts,
    alternate: Option<&Configured>,
) -> (Option<GoBinary>, bool) {
    let alt = alternate.filter(|c| !c.value.is_empty());
    let layer = alt.map_or(SettingsLayer::User, |c| c.layer);
    let found = |path: &Path, found_by: GoFoundBy| -> GoBinary {
        known_binary(facts, path, found_by)
            .unwrap_or_else(|| binary_from_path(snapshot, path, found_by, layer))
    };
    if let Some(alt) = alt {
        let p = Path::new(&alt.value);
        if p.is_absolute() {
            let executable = match path_facts(snapshot, &alt.value) {
                Some(pf) => pf.exists && pf.kind == Some(FileKind::File) && pf.executable,
                // Unknown to facts: trust the facts' own choice only.
                None => facts.go.as_ref().is_some_and(|g| g.path == p),
            };
            if executable {
                return (Some(found(p, GoFoundBy::AlternateTools)), true);
            }
        }
    }
    let name = alt
        .map(|c| c.value.as_str())
        .filter(|v| !Path::new(v).is_absolute());
    let by = |default: GoFoundBy| {
        if name.is_some() {
            GoFoundBy::AlternateTools
        } else {
            default
        }
    };
    let file_name = name.map_or_else(|| go_exe_name().to_string(), str::to_string);
    // 2. $GOBIN of the editor's own environment.
    if let Some(gobin) = facts.os_env.get("GOBIN").filter(|v| !v.is_empty()) {
        for dir in std::env::split_paths(gobin) {
            let candidate = dir.join(&file_name);
            let facts_chose = facts.go.as_ref().is_some_and(|g| g.path == candidate);
            if executable_file(snapshot, &candidate) || facts_chose {
                return (
                    Some(found(&candidate, by(GoFoundBy::Gobin))),
                    name.is_some(),
                );
            }
        }
    }
    // 3. <go.goroot or the environment's GOROOT>/bin.
    let root = snapshot
        .settings
        .get(&SettingKey::GoGoroot)
        .map(|c| c.value.clone())
        .filter(|v| !v.is_empty())
        .or_else(|| facts.os_env.get("GOROOT").cloned())
        .filter(|v| !v.is_empty());
    if let Some(root) = root {
        for dir in std::env::split_paths(&root) {
            let dir = dir.to_string_lossy().into_owned();
            if name.is_none() {
                if let Some(bin) = goroot_bin(snapshot, facts, &dir) {
                    return (Some(bin), false);
                }
            } else {
                let candidate = Path::new(&dir).join("bin").join(&file_name);
                if executable_file(snapshot, &candidate) {
                    return (Some(found(&candidate, GoFoundBy::AlternateTools)), true);
                }
            }
        }
    }
    // 4. PATH, 5. the fallbacks.
    match name {
        None => (first_go_on_path(facts), false),
        Some(_) => {
            for dir in &facts.path_entries {
                let candidate = dir.join(&file_name);
                if executable_file(snapshot, &candidate) {
                    return (Some(found(&candidate, GoFoundBy::AlternateTools)), true);
                }
            }
            let fallback = VSCODE_GO_FALLBACKS
                .iter()
                .map(Path::new)
                .find(|p| executable_file(snapshot, p));
            (fallback.map(|p| found(p, GoFoundBy::WellKnown)), false)
        }
    }
}

fn go_exe_name() -> &'static str {
    if cfg!(windows) {
        "go.exe"
    } else {
        "go"
    }
}

/// `$GOROOT/bin/go` when that GOROOT holds an executable go.
fn goroot_bin(snapshot: &Snapshot, facts: &SideFacts, goroot: &str) -> Option<GoBinary> {
    let own = canonical(snapshot, goroot);
    // vscode-go only takes $GOROOT/bin/go when it is executable (executableFileExists, X_OK).
    let layout = path_facts(snapshot, goroot).and_then(|p| p.goroot_layout.as_ref());
    if layout.is_some_and(|l| !l.bin_go_executable) {
        return None;
    }
    if let Some(inst) = lookup_install(snapshot, goroot) {
        let known = [facts.go.as_ref(), facts.path_go.as_ref()]
            .into_iter()
            .flatten()
            .find(|g| g.path == inst.go_binary);
        let bin = GoBinary {
            path: inst.go_binary.clone(),
            found_by: GoFoundBy::GorootBin,
            own_goroot: known
                .and_then(|g| g.own_goroot.clone())
                .or_else(|| Some(own.clone())),
            static_version: known
                .and_then(|g| g.static_version.clone())
                .or_else(|| inst.version.clone()),
            executable: known.map(|g| g.executable).unwrap_or(true),
            workspace_chosen: known.is_some_and(|g| g.workspace_chosen),
        };
        return Some(bin);
    }
    let candidate = join(goroot, "bin/go");
    if let Some(g) = facts
        .go
        .as_ref()
        .filter(|g| g.found_by == GoFoundBy::GorootBin && g.path == candidate)
    {
        return Some(g.clone());
    }
    let layout = path_facts(snapshot, goroot).and_then(|p| p.goroot_layout.as_ref())?;
    if layout.has_bin_go && layout.bin_go_executable {
        return Some(GoBinary {
            path: candidate,
            found_by: GoFoundBy::GorootBin,
            own_goroot: Some(own),
            static_version: layout.version.clone(),
            executable: true,
            workspace_chosen: false,
        });
    }
    None
}

/// A binary known only by its path (e.g. `go.alternateTools.go`): its own root is
/// `canonical/../..`, its version that root's VERSION (installs or goroot layout).
fn binary_from_path(
    snapshot: &Snapshot,
    path: &Path,
    found_by: GoFoundBy,
    layer: SettingsLayer,
) -> GoBinary {
    // A binary some side already knows (e.g. the shell's go named in go.alternateTools.go).
    if let Some(known) = std::iter::once(&snapshot.editor)
        .chain(snapshot.shell.iter())
        .flat_map(|side| [side.go.as_ref(), side.path_go.as_ref()])
        .flatten()
        .find(|g| g.path == path)
    {
        return GoBinary {
            found_by,
            workspace_chosen: known.workspace_chosen
                || path.starts_with(&snapshot.folder)
                || (found_by == GoFoundBy::AlternateTools && layer.workspace_level()),
            ..known.clone()
        };
    }
    let s = path.to_string_lossy();
    let resolved = path_facts(snapshot, &s)
        .and_then(|p| p.canonical.clone())
        .unwrap_or_else(|| path.to_path_buf());
    let root = resolved
        .parent()
        .and_then(|p| p.parent())
        .map(|p| p.to_string_lossy().into_owned());
    let version = root.as_deref().and_then(|r| {
        lookup_install(snapshot, r)
            .and_then(|i| i.version.clone())
            .or_else(|| {
                path_facts(snapshot, r)
                    .and_then(|p| p.goroot_layout.as_ref())
                    .and_then(|l| l.version.clone())
            })
    });
    let inside_folder = path.starts_with(&snapshot.folder);
    GoBinary {
        path: path.to_path_buf(),
        found_by,
        own_goroot: root,
        static_version: version,
        executable: true,
        workspace_chosen: inside_folder
            || (found_by == GoFoundBy::AlternateTools && layer.workspace_level()),
    }
}

/// Go version of a side: `go version` output if it ran with this binary, else GOVERSION from
/// `go env -json`, else the static VERSION of the binary's own root.
fn side_go_version(facts: &SideFacts, go: Option<&GoBinary>, ran: bool) -> Option<String> {
    let go = go?;
    if ran {
        if let Some(v) = facts
            .go_version
            .as_ref()
            .and_then(|r| r.ok())
            .and_then(|out| parse_go_version_output(out))
        {
            return Some(v);
        }
        if let Some(v) = facts
            .go_env
            .as_ref()
            .and_then(|r| r.ok())
            .and_then(|m| m.get("GOVERSION"))
            .filter(|v| !v.is_empty())
        {
            return Some(v.clone());
        }
    }
    go.static_version.clone()
}

/// `go version go1.22.10 linux/amd64` → `go1.22.10` (also `devel go1.23-abc …`).
pub fn parse_go_version_output(out: &str) -> Option<String> {
    let line = out.lines().find(|l| l.starts_with("go version "))?;
    let rest = line.strip_prefix("go version ")?;
    let mut words = rest.split_whitespace();
    let first = words.next()?;
    if first == "devel" {
        return words.next().map(|w| w.to_string());
    }
    Some(first.to_string())
}

struct DefaultCtx<'a> {
    process_env: &'a BTreeMap<String, String>,
    go_version: Option<&'a str>,
    own_goroot: Option<&'a str>,
    go_env_json: Option<&'a BTreeMap<String, String>>,
    user_config: &'a UserConfig,
    env_file: Option<&'a EnvFile>,
    resolved: BTreeMap<String, EnvValue>,
}

impl DefaultCtx<'_> {
    fn env(&self, k: &str) -> Option<&str> {
        self.process_env
            .get(k)
            .map(|s| s.as_str())
            .filter(|s| !s.is_empty())
    }

    fn host_os(&self) -> String {
        self.go_env_json
            .and_then(|m| m.get("GOHOSTOS"))
            .cloned()
            .unwrap_or_else(|| std::env::consts::OS.to_string())
    }

    fn json(&self, k: &str) -> Option<String> {
        self.go_env_json.and_then(|m| m.get(k)).cloned()
    }

    /// The built-in default of `key` (cmd/go), origin `Default`.
    fn default_value(&self, key: &str) -> EnvValue {
        let value = match key {
            // GOPROXY, GOSUMDB, GOTOOLCHAIN have no non-empty built-in default (go.env has
            // them); `go env -json` ran with GOTOOLCHAIN=local, so never read it from there.
            "GOPROXY" | "GOSUMDB" | "GOTOOLCHAIN" | "GOBIN" | "GOFLAGS" | "GOPRIVATE"
            | "GOINSECURE" => String::new(),
            "GONOPROXY" | "GONOSUMDB" => {
                // GOPRIVATE is their default: report its value and origin.
                if let Some(p) = self
                    .resolved
                    .get("GOPRIVATE")
                    .filter(|p| !p.value.is_empty())
                {
                    return p.clone();
                }
                String::new()
            }
            "GOROOT" => self
                .own_goroot
                .map(|s| s.to_string())
                .or_else(|| self.json("GOROOT"))
                .unwrap_or_default(),
            "GOVERSION" => self
                .go_version
                .map(|s| s.to_string())
                .or_else(|| self.json("GOVERSION"))
                .unwrap_or_default(),
            "GOENV" => match self.user_config {
                UserConfig::File(f) => f.clone(),
                UserConfig::None => String::new(),
                UserConfig::Unknown => self
                    .env_file
                    .map(|f| f.path.to_string_lossy().into_owned())
                    .or_else(|| self.json("GOENV"))
                    .unwrap_or_default(),
            },
            "GOPATH" => self.default_gopath(),
            "GOMODCACHE" => {
                let gopath = self
                    .resolved
                    .get("GOPATH")
                    .map(|v| v.value.clone())
                    .unwrap_or_else(|| self.default_gopath());
                // cmd/go's gopathDir: the first list entry, even an empty one.
                let sep = if gopath.contains(';') || gopath.contains('\\') {
                    ';'
                } else {
                    ':'
                };
                match gopath.split(sep).next().unwrap_or_default() {
                    "" => String::new(),
                    first => go_clean(&join(first, "pkg/mod").to_string_lossy()),
                }
            }
            "GOCACHE" => self.default_gocache(),
            _ => self.json(key).unwrap_or_default(),
        };
        EnvValue {
            value,
            origin: Origin::Default,
        }
    }

    fn home(&self) -> Option<String> {
        let os = self.host_os();
        let var = match os.as_str() {
            "windows" => "USERPROFILE",
            "plan9" => "home",
            _ => "HOME",
        };
        self.env(var).map(|s| s.to_string())
    }

    /// go/build's default GOPATH: `$HOME/go`, unless that is GOROOT.
    fn default_gopath(&self) -> String {
        match self.home() {
            Some(h) => {
                let p = go_clean(&join(&h, "go").to_string_lossy());
                let goroot = self.resolved.get("GOROOT").map(|v| v.value.as_str());
                if goroot.is_some_and(|g| clean(g) == clean(&p)) {
                    String::new()
                } else {
                    p
                }
            }
            None => self.json("GOPATH").unwrap_or_default(),
        }
    }

    /// `os.UserCacheDir()/go-build` for this side: [`default_gocache`].
    fn default_gocache(&self) -> String {
        let env = |k: &str| self.env(k);
        let fallback = || {
            self.json("GOCACHE")
                .filter(|v| v != "off")
                .unwrap_or_default()
        };
        default_gocache(&self.host_os(), &env).unwrap_or_else(fallback)
    }
}

/// `os.UserCacheDir()/go-build` on `host_os` with the environment `env` (empty values count
/// as unset), `Some("")` when it cannot be located; `None` for an OS this model does not know
/// (then `go env GOCACHE` is the answer). The raw default, never the `off` that
/// `go env GOCACHE` prints when it cannot be located. A relative `XDG_CACHE_HOME` is kept
/// relative, as Go up to 1.23 uses it (Go 1.24 refuses it): the one place this is decided.
pub fn default_gocache<'e>(host_os: &str, env: &dyn Fn(&str) -> Option<&'e str>) -> Option<String> {
    Some(match host_os {
        "linux" | "freebsd" | "openbsd" | "netbsd" | "dragonfly" | "solaris" | "illumos"
        | "aix" | "android" => {
            let base = env("XDG_CACHE_HOME")
                .map(|s| s.to_string())
                .or_else(|| env("HOME").map(|h| format!("{}/.cache", h.trim_end_matches('/'))));
            match base {
                Some(b) => go_clean(&format!("{b}/go-build")),
                None => String::new(),
            }
        }
        "darwin" | "ios" => match env("HOME") {
            Some(h) => format!("{}/Library/Caches/go-build", h.trim_end_matches('/')),
            None => String::new(),
        },
        "windows" => match env("LocalAppData").or_else(|| env("LOCALAPPDATA")) {
            Some(d) => format!("{}\\go-build", d.trim_end_matches('\\')),
            None => String::new(),
        },
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Path helpers (pure string work on facts; never touches the filesystem)
// ---------------------------------------------------------------------------------------------

fn join(base: &str, rest: &str) -> PathBuf {
    Path::new(base).join(rest)
}

/// Split a GOPATH-like list on the platform list separator (`:`; `;` when the value looks
/// like a Windows list).
pub fn split_list(s: &str) -> Vec<String> {
    let sep = if s.contains(';') || s.contains('\\') {
        ';'
    } else {
        ':'
    };
    s.split(sep)
        .filter(|p| !p.is_empty())
        .map(|p| p.to_string())
        .collect()
}

/// Remove trailing separators (keeping a lone root) — `/usr/local/go/` → `/usr/local/go`.
pub fn clean(p: &str) -> String {
    let t = p.trim_end_matches(['/', '\\']);
    if t.is_empty() && !p.is_empty() {
        p[..1].to_string()
    } else if t.ends_with(':') && p.len() > t.len() {
        // `C:\` stays `C:\`.
        p[..t.len() + 1].to_string()
    } else {
        t.to_string()
    }
}

/// Path facts of `p`, tolerating a trailing separator difference.
pub fn path_facts<'a>(snapshot: &'a Snapshot, p: &str) -> Option<&'a PathFacts> {
    snapshot.path(p).or_else(|| {
        let c = clean(p);
        snapshot.path(&c).or_else(|| {
            snapshot
                .paths
                .iter()
                .find(|(k, _)| clean(k) == c)
                .map(|(_, v)| v)
        })
    })
}

/// The canonical form of `p` per facts (symlinks resolved), else `p` without trailing
/// separators. Strings, for display and comparison.
pub fn canonical(snapshot: &Snapshot, p: &str) -> String {
    path_facts(snapshot, p)
        .and_then(|f| f.canonical.as_ref())
        .map(|c| clean(&c.to_string_lossy()))
        .unwrap_or_else(|| clean(p))
}

/// Whether two path strings name the same place: canonical paths (symlinks resolved per
/// facts), trailing separators ignored, case-insensitively when the filesystem is.
pub fn same_path(snapshot: &Snapshot, a: &str, b: &str) -> bool {
    let (ca, cb) = (canonical(snapshot, a), canonical(snapshot, b));
    if snapshot.case_insensitive_fs {
        ca.to_lowercase() == cb.to_lowercase()
    } else {
        ca == cb
    }
}

/// The install of a GOROOT string (exact, trailing separator, or same canonical path).
pub fn lookup_install<'a>(
    snapshot: &'a Snapshot,
    goroot: &str,
) -> Option<&'a crate::model::GoInstall> {
    snapshot.installs.get(goroot).or_else(|| {
        snapshot
            .installs
            .iter()
            .find(|(k, _)| same_path(snapshot, k, goroot))
            .map(|(_, v)| v)
    })
}

/// The `$GOROOT/go.env` of a GOROOT string on this side (exact, else same path).
fn lookup_goroot_env<'a>(
    snapshot: &Snapshot,
    facts: &'a SideFacts,
    goroot: &str,
) -> Option<(String, &'a EnvFile)> {
    if let Some(f) = facts.goroot_env_files.get(goroot) {
        return Some((goroot.to_string(), f));
    }
    facts
        .goroot_env_files
        .iter()
        .find(|(k, _)| same_path(snapshot, k, goroot))
        .map(|(k, f)| (k.clone(), f))
}

// ---------------------------------------------------------------------------------------------
// Words for messages
// ---------------------------------------------------------------------------------------------

/// `~/…` for a path under the snapshot's home (used for env files, as users know them).
pub fn tilde(snapshot: &Snapshot, p: &Path) -> String {
    tilde_under(snapshot.home.as_deref(), p)
}

/// `p` with `home` shown as `~`.
pub fn tilde_under(home: Option<&Path>, p: &Path) -> String {
    match home.and_then(|h| p.strip_prefix(h).ok()) {
        Some(rest) if rest.as_os_str().is_empty() => "~".into(),
        Some(rest) => format!("~/{}", rest.display()),
        None => p.display().to_string(),
    }
}

/// How a settings file is named in messages: relative to the folder when inside it
/// (`.vscode/settings.json`), "your user settings (…)" for the user layer.
pub fn settings_file_words(snapshot: &Snapshot, file: &Path) -> String {
    if let Ok(rel) = file.strip_prefix(&snapshot.folder) {
        return rel.display().to_string();
    }
    let layer = snapshot
        .settings
        .values
        .iter()
        .find(|v| v.place().is_some_and(|p| p.file == file))
        .map(|v| v.layer)
        .or_else(|| {
            snapshot
                .settings
                .files
                .iter()
                .find(|f| f.path == file)
                .map(|f| f.layer)
        });
    match layer {
        Some(SettingsLayer::User) => format!("your user settings ({})", tilde(snapshot, file)),
        _ => tilde(snapshot, file),
    }
}

/// The sides' labels for a message: "VS Code" / "VS Code and your shell".
pub fn who(sides: &[&EffectiveSide]) -> String {
    sides
        .iter()
        .map(|s| s.label.clone())
        .collect::<Vec<_>>()
        .join(" and ")
}

/// A setting key as the user knows it where it is set: `go.goroot` in VS Code settings;
/// GoLand's own names in its `.idea` files, "GOROOT (Settings → Go → GOROOT)" and "the GOPROXY
/// environment entry of Go Modules" ([`crate::settings::idea::setting_words`]).
pub fn setting_key_words(file: &Path, key: &SettingKey) -> String {
    if !crate::settings::idea::is_idea_file(file) {
        return key.to_string();
    }
    crate::settings::idea::setting_words(key).unwrap_or_else(|| key.to_string())
}

/// Where a value comes from, in words, e.g. "from go.goroot in .vscode/settings.json",
/// "from GOROOT in your go env file (~/.config/go/env:3)", "from $GOROOT/go.env",
/// "set in your shell's environment", "the default".
pub fn origin_words(snapshot: &Snapshot, side_label: &str, key: &str, origin: &Origin) -> String {
    match origin {
        Origin::OsEnv => format!("set in {}", possessive(side_label, "environment")),
        Origin::EnvFile { path, line } => format!(
            "from {key} in your go env file ({}:{line})",
            tilde(snapshot, path)
        ),
        Origin::GorootGoEnv { path, line } => {
            format!("from $GOROOT/go.env ({}:{line})", path.display())
        }
        Origin::EditorSetting { path, key, .. } => format!(
            "from {} in {}",
            setting_key_words(path, key),
            settings_file_words(snapshot, path)
        ),
        Origin::ClientSetting { key } => format!("from {key} in {}", client_words(snapshot)),
        Origin::Default => "the default".into(),
    }
}

/// The editor's display name ("VS Code" when unnamed).
pub fn editor_words(snapshot: &Snapshot) -> &str {
    match snapshot.settings.editor_name.as_str() {
        "" => "VS Code",
        name => name,
    }
}

/// Where a client-only setting ([`SettingsLayer::Client`]) lives, in words: the editor
/// answered it but no settings file we read holds it (Neovim's Lua `settings`, a VS Code
/// profile or remote settings), so the user learns to look in the editor, not in a file.
pub fn client_words(snapshot: &Snapshot) -> String {
    format!(
        "{}'s configuration, not in any settings file",
        editor_words(snapshot)
    )
}

/// Where a setting lives, in words: its file ([`settings_file_words`]), or the editor's
/// configuration for a client-only value.
pub fn setting_place_words(snapshot: &Snapshot, c: &Configured) -> String {
    match c.place() {
        Some(span) => settings_file_words(snapshot, &span.file),
        None => client_words(snapshot),
    }
}

/// "your shell" + "environment" → "your shell's environment".
pub fn possessive(label: &str, what: &str) -> String {
    if label.ends_with('s') {
        format!("{label}' {what}")
    } else {
        format!("{label}'s {what}")
    }
}

/// How a side found its `go`, in words: "found from `go` on PATH", "from go.alternateTools.go
/// in .vscode/settings.json", "$GOROOT/bin/go", …
pub fn go_found_words(snapshot: &Snapshot, side: &EffectiveSide) -> String {
    let Some(go) = &side.go else {
        return "no go found".into();
    };
    match go.found_by {
        GoFoundBy::Path => "found from `go` on PATH".into(),
        GoFoundBy::WellKnown => format!("found at the fallback location {}", go.path.display()),
        GoFoundBy::Gobin => "found as $GOBIN/go".into(),
        GoFoundBy::GorootBin => match side.get("GOROOT") {
            Some(v) if !matches!(v.origin, Origin::Default) => format!(
                "$GOROOT/bin/go, GOROOT {}",
                origin_words(snapshot, &side.label, "GOROOT", &v.origin)
            ),
            _ => "found as $GOROOT/bin/go".into(),
        },
        GoFoundBy::AlternateTools => match &side.alternate_go {
            Some(c) => format!("from {} in {}", c.key, setting_place_words(snapshot, c)),
            None => format!("from {}", SettingKey::alternate_go()),
        },
    }
}

/// The GOROOT of a side with its origin in words: for a default GOROOT, how the binary was
/// found ("found from `go` on PATH"); otherwise where GOROOT is set.
pub fn goroot_origin_words(snapshot: &Snapshot, side: &EffectiveSide) -> String {
    match side.get("GOROOT") {
        Some(v) if !matches!(v.origin, Origin::Default) => {
            origin_words(snapshot, &side.label, "GOROOT", &v.origin)
        }
        _ => go_found_words(snapshot, side),
    }
}

/// The result of `go env -json` for this side when it describes the resolved binary.
pub fn go_env_result<'a>(
    snapshot: &'a Snapshot,
    side: &EffectiveSide,
) -> Option<&'a CommandResult<BTreeMap<String, String>>> {
    if !side.ran {
        return None;
    }
    side_facts(snapshot, side.kind).and_then(|f| f.go_env.as_ref())
}

/// The raw facts of a side.
pub fn side_facts(snapshot: &Snapshot, kind: SideKind) -> Option<&SideFacts> {
    match kind {
        SideKind::Editor => Some(&snapshot.editor),
        SideKind::Shell => snapshot.shell.as_ref(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_known_variables_are_sorted_for_their_binary_search() {
        assert!(KNOWN_VARS.windows(2).all(|w| w[0] < w[1]));
        assert!(is_go_var("GOPROXY") && is_go_var("AR") && is_go_var("GOWORK"));
        assert!(!is_go_var("GOPROXY ") && !is_go_var("PATH"));
    }
}
