//! Shared builder for the rules snapshot suites (the `rules` test binary, `tests/rules/`):
//! hand-built [`Snapshot`]s, no processes, no filesystem.
//!
//! Start from [`healthy`] (editor and shell agree on everything, Go 1.22.10 in
//! `/usr/local/go`, nothing to report) and break one thing per test with the helpers below.
//! Additive changes only: other suites rely on every default here.
//!
//! [`snap!`] stores the findings with a header that says what the input was: the
//! test that made them (its name is the scenario) and, in `info`, every fact of the input
//! snapshot that differs from [`healthy`] — so a reader of `/snapshots` needs no test source.
#![allow(dead_code, unused_macros, unused_imports)]

use go_env_doctor::model::*;
use std::collections::BTreeMap;
use std::path::PathBuf;

pub const HOME: &str = "/home/u";
pub const FOLDER: &str = "/home/u/proj";
pub const UID: u32 = 1000;
pub const GOROOT: &str = "/usr/local/go";
pub const VERSION: &str = "go1.22.10";
pub const ENV_FILE: &str = "/home/u/.config/go/env";
pub const GOCACHE: &str = "/home/u/.cache/go-build";
pub const GOPATH: &str = "/home/u/go";
pub const GOMODCACHE: &str = "/home/u/go/pkg/mod";
pub const GO_MOD: &str = "/home/u/proj/go.mod";
pub const USER_SETTINGS: &str = "/home/u/.config/Code/User/settings.json";
pub const FOLDER_SETTINGS: &str = "/home/u/proj/.vscode/settings.json";
pub const WORKSPACE_SETTINGS: &str = "/home/u/proj.code-workspace";
pub const SHELL: &str = "/bin/zsh";
pub const EDITOR_LABEL: &str = "VS Code";
pub const SHELL_LABEL: &str = "your shell";

/// The content of `$GOROOT/go.env` shipped with Go 1.21–1.27.
pub const GO_ENV_LINES: [(&str, &str); 3] = [
    ("GOPROXY", "https://proxy.golang.org,direct"),
    ("GOSUMDB", "sum.golang.org"),
    ("GOTOOLCHAIN", "auto"),
];

/// A snapshot where nothing is wrong: both sides find `/usr/local/go/bin/go` (go1.22.10) on
/// PATH, no GOROOT set anywhere, an existing empty user env file, a writable populated cache
/// owned by the user, a go.mod with `go 1.22`, an empty folder `.vscode/settings.json`.
pub fn healthy() -> Snapshot {
    let mut s = Snapshot {
        folder: PathBuf::from(FOLDER),
        home: Some(PathBuf::from(HOME)),
        uid: Some(UID),
        trusted: false,
        case_insensitive_fs: false,
        editor: side_facts(SideKind::Editor, EDITOR_LABEL),
        shell: Some(side_facts(SideKind::Shell, SHELL_LABEL)),
        settings: EditorSettings {
            editor_name: "VS Code".into(),
            values: Vec::new(),
            files: vec![
                settings_file(USER_SETTINGS, SettingsLayer::User, true),
                settings_file(FOLDER_SETTINGS, SettingsLayer::Folder, true),
            ],
        },
        go_mod: None,
        go_work: None,
        paths: BTreeMap::new(),
        installs: BTreeMap::new(),
        disabled_checks: Vec::new(),
        editor_views: Vec::new(),
        workspace: Default::default(),
        editor_kind: EditorKind::VsCode,
        deep: Vec::new(),
        platform: Default::default(),
        attribution: None,
    };
    if let Some(shell) = s.shell.as_mut() {
        shell.probe = Some(ProbeReport {
            shell: PathBuf::from(SHELL),
            millis: 420,
            outcome: ProbeOutcome::Ok,
            startup_files: Vec::new(),
        });
    }
    install(&mut s, GOROOT, VERSION);
    for kind in [SideKind::Editor, SideKind::Shell] {
        use_go(&mut s, kind, GOROOT, VERSION, GoFoundBy::Path);
    }
    // Cache, GOPATH, GOPATH/bin.
    let cache = dir(&mut s, GOCACHE);
    cache.populated = true;
    dir(&mut s, GOPATH);
    dir(&mut s, &format!("{GOPATH}/bin"));
    set_go_mod(&mut s, "1.22", None);
    s
}

fn side_facts(kind: SideKind, label: &str) -> SideFacts {
    let path = "/usr/local/go/bin:/home/u/go/bin:/usr/bin:/bin";
    let mut os_env = BTreeMap::new();
    os_env.insert("HOME".to_string(), HOME.to_string());
    os_env.insert("PATH".to_string(), path.to_string());
    os_env.insert("USER".to_string(), "u".to_string());
    SideFacts {
        kind,
        label: label.to_string(),
        os_env,
        go: None,
        path_go: None,
        env_file: Some(EnvFile {
            path: PathBuf::from(ENV_FILE),
            exists: true,
            entries: Vec::new(),
            error: None,
        }),
        goroot_env_files: BTreeMap::new(),
        go_env: None,
        go_version: None,
        gotoolchain: None,
        path_toolchains: BTreeMap::new(),
        path_entries: path.split(':').map(PathBuf::from).collect(),
        probe: None,
        tools: Vec::new(),
        tools_looked_up: false,
        c_compilers: BTreeMap::new(),
    }
}

fn settings_file(path: &str, layer: SettingsLayer, exists: bool) -> SettingsFile {
    SettingsFile {
        path: PathBuf::from(path),
        layer,
        exists,
        error: None,
        digest: None,
    }
}

/// `go env -json` of a healthy Go `version` in `goroot` with nothing configured.
pub fn default_go_env(goroot: &str, version: &str) -> BTreeMap<String, String> {
    let pairs: Vec<(&str, String)> = vec![
        ("AR", "ar".into()),
        ("CGO_ENABLED", "1".into()),
        ("GO111MODULE", String::new()),
        ("GOARCH", "amd64".into()),
        ("GOBIN", String::new()),
        ("GOCACHE", GOCACHE.into()),
        ("GOENV", ENV_FILE.into()),
        ("GOEXE", String::new()),
        ("GOFLAGS", String::new()),
        ("GOHOSTARCH", "amd64".into()),
        ("GOHOSTOS", "linux".into()),
        ("GOINSECURE", String::new()),
        ("GOMOD", GO_MOD.into()),
        ("GOMODCACHE", GOMODCACHE.into()),
        ("GONOPROXY", String::new()),
        ("GONOSUMDB", String::new()),
        ("GOOS", "linux".into()),
        ("GOPATH", GOPATH.into()),
        ("GOPRIVATE", String::new()),
        ("GOPROXY", "https://proxy.golang.org,direct".into()),
        ("GOROOT", goroot.into()),
        ("GOSUMDB", "sum.golang.org".into()),
        // go env -json runs with GOTOOLCHAIN=local.
        ("GOTOOLCHAIN", "local".into()),
        ("GOTOOLDIR", format!("{goroot}/pkg/tool/linux_amd64")),
        ("GOVERSION", version.into()),
        ("GOWORK", String::new()),
    ];
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// A `go` binary in `goroot/bin/go`.
pub fn go_binary(goroot: &str, version: &str, found_by: GoFoundBy) -> GoBinary {
    GoBinary {
        path: PathBuf::from(format!("{goroot}/bin/go")),
        found_by,
        own_goroot: Some(goroot.to_string()),
        static_version: Some(version.to_string()),
        executable: true,
        workspace_chosen: false,
    }
}

/// Register a healthy Go installation: `installs`, `paths` (a complete GOROOT layout) and
/// its `$GOROOT/go.env` on both sides.
pub fn install(s: &mut Snapshot, goroot: &str, version: &str) {
    s.installs.insert(
        goroot.to_string(),
        GoInstall {
            goroot: goroot.to_string(),
            version: Some(version.to_string()),
            go_binary: PathBuf::from(format!("{goroot}/bin/go")),
            installed_by: None,
        },
    );
    let p = dir(s, goroot);
    p.goroot_layout = Some(GorootLayout {
        version: Some(version.to_string()),
        has_bin_go: true,
        bin_go_executable: true,
        has_src: true,
        has_pkg_tool: true,
    });
    let go_env = EnvFile {
        path: PathBuf::from(format!("{goroot}/go.env")),
        exists: true,
        entries: GO_ENV_LINES
            .iter()
            .enumerate()
            .map(|(i, (k, v))| EnvFileEntry {
                key: k.to_string(),
                value: v.to_string(),
                line: i as u32 + 4,
            })
            .collect(),
        error: None,
    };
    s.editor
        .goroot_env_files
        .insert(goroot.to_string(), go_env.clone());
    if let Some(shell) = s.shell.as_mut() {
        shell.goroot_env_files.insert(goroot.to_string(), go_env);
    }
}

/// The side of `kind` (panics when the shell side was removed).
pub fn side(s: &mut Snapshot, kind: SideKind) -> &mut SideFacts {
    match kind {
        SideKind::Editor => &mut s.editor,
        SideKind::Shell => s.shell.as_mut().expect("the snapshot has no shell side"),
    }
}

/// Make `kind` find and run `goroot/bin/go` (as `path_go` too when found on PATH), with a
/// healthy `go env -json`, `go version` and `go env GOTOOLCHAIN`.
pub fn use_go(s: &mut Snapshot, kind: SideKind, goroot: &str, version: &str, found_by: GoFoundBy) {
    let bin = go_binary(goroot, version, found_by);
    let side = side(s, kind);
    if matches!(found_by, GoFoundBy::Path | GoFoundBy::WellKnown) {
        side.path_go = Some(bin.clone());
    }
    side.go = Some(bin);
    side.go_env = Some(CommandResult::Ok {
        value: default_go_env(goroot, version),
        millis: 6,
    });
    side.go_version = Some(CommandResult::Ok {
        value: format!("go version {version} linux/amd64"),
        millis: 3,
    });
    side.gotoolchain = Some(CommandResult::Ok {
        value: "auto".into(),
        millis: 2,
    });
}

/// Only `path_go` (what the side finds on PATH), leaving `go` alone.
pub fn set_path_go(s: &mut Snapshot, kind: SideKind, goroot: &str, version: &str) {
    side(s, kind).path_go = Some(go_binary(goroot, version, GoFoundBy::Path));
}

/// Set an OS environment variable of one side.
pub fn os_env(s: &mut Snapshot, kind: SideKind, key: &str, value: &str) {
    side(s, kind)
        .os_env
        .insert(key.to_string(), value.to_string());
}

/// Append `KEY=VALUE` to the user env file of one side; returns its 1-based line.
pub fn env_file_set(s: &mut Snapshot, kind: SideKind, key: &str, value: &str) -> u32 {
    let side = side(s, kind);
    let file = side.env_file.get_or_insert_with(|| EnvFile {
        path: PathBuf::from(ENV_FILE),
        exists: true,
        entries: Vec::new(),
        error: None,
    });
    file.exists = true;
    let line = file.entries.iter().map(|e| e.line).max().unwrap_or(0) + 1;
    file.entries.push(EnvFileEntry {
        key: key.to_string(),
        value: value.to_string(),
        line,
    });
    line
}

/// Append `KEY=VALUE` to the user env file as both sides read it (the usual case: one file).
pub fn env_file_set_both(s: &mut Snapshot, key: &str, value: &str) -> u32 {
    let line = env_file_set(s, SideKind::Editor, key, value);
    if s.shell.is_some() {
        env_file_set(s, SideKind::Shell, key, value);
    }
    line
}

/// Set a `go env -json` key of one side (what `go` printed).
pub fn go_env_set(s: &mut Snapshot, kind: SideKind, key: &str, value: &str) {
    if let Some(CommandResult::Ok { value: map, .. }) = side(s, kind).go_env.as_mut() {
        map.insert(key.to_string(), value.to_string());
    }
}

/// The settings file path of a layer in this builder.
pub fn settings_path(layer: SettingsLayer) -> &'static str {
    match layer {
        SettingsLayer::User => USER_SETTINGS,
        SettingsLayer::Workspace => WORKSPACE_SETTINGS,
        SettingsLayer::Folder => FOLDER_SETTINGS,
        // A client-only value is in no file (`Configured::client_only`); no builder writes one.
        SettingsLayer::Client => unreachable!("client-only settings have no file"),
    }
}

/// Configure a VS Code setting (dotted key, already substituted value) in a layer's file.
/// Spans are synthetic but consistent: one member per line starting at line 2, column 3 for
/// the key; the span covers the quoted value.
pub fn setting(s: &mut Snapshot, layer: SettingsLayer, key: &str, value: &str) -> SourceSpan {
    let path = settings_path(layer);
    if !s.settings.files.iter().any(|f| f.layer == layer) {
        s.settings.files.push(settings_file(path, layer, true));
    }
    s.settings
        .values
        .retain(|v| !(v.layer == layer && v.key == key));
    let n = s
        .settings
        .values
        .iter()
        .filter(|v| v.layer == layer)
        .count() as u32;
    let line = n + 2;
    // `  "key": "value",` — value starts after the key, quotes, colon and space.
    let column = 3 + key.len() as u32 + 2 + 2;
    let start = 2 + (n as usize) * 80 + column as usize - 1;
    let span = SourceSpan {
        file: PathBuf::from(path),
        start,
        end: start + value.len() + 2,
        line,
        column,
    };
    s.settings.values.push(Configured {
        key: key.into(),
        raw: value.to_string(),
        value: value.to_string(),
        layer,
        span: span.clone(),
    });
    span
}

/// Mark a settings file as unparseable.
pub fn settings_error(
    s: &mut Snapshot,
    layer: SettingsLayer,
    message: &str,
    line: u32,
    column: u32,
) {
    let path = settings_path(layer);
    if !s.settings.files.iter().any(|f| f.layer == layer) {
        s.settings.files.push(settings_file(path, layer, true));
    }
    for f in s.settings.files.iter_mut().filter(|f| f.layer == layer) {
        f.exists = true;
        f.error = Some(SettingsError {
            message: message.to_string(),
            line,
            column,
        });
    }
}

/// Path facts of an existing, readable, writable local directory owned by the user.
pub fn dir<'a>(s: &'a mut Snapshot, path: &str) -> &'a mut PathFacts {
    let p = path_facts(s, path);
    p.exists = true;
    p.kind = Some(FileKind::Dir);
    p.canonical = Some(PathBuf::from(path));
    p.readable = true;
    p.writable = true;
    p.executable = true;
    p.owner_uid = Some(UID);
    p.fs_type = Some(FsType::Local);
    p
}

/// Path facts of an existing regular file.
pub fn file<'a>(s: &'a mut Snapshot, path: &str) -> &'a mut PathFacts {
    let p = path_facts(s, path);
    p.exists = true;
    p.kind = Some(FileKind::File);
    p.canonical = Some(PathBuf::from(path));
    p.readable = true;
    p.writable = true;
    p.owner_uid = Some(UID);
    p.fs_type = Some(FsType::Local);
    p
}

/// Path facts of a path that does not exist; `ancestor` is its nearest existing ancestor.
pub fn missing<'a>(s: &'a mut Snapshot, path: &str, ancestor: &str) -> &'a mut PathFacts {
    let p = path_facts(s, path);
    *p = PathFacts {
        path: PathBuf::from(path),
        existing_ancestor: Some(PathBuf::from(ancestor)),
        ..PathFacts::default()
    };
    p
}

/// A symlink `link` resolving (through `hops`, each `(link, target as written)`) to the
/// existing directory `target`: `canonical` = target.
pub fn symlink_dir<'a>(
    s: &'a mut Snapshot,
    link: &str,
    hops: &[(&str, &str)],
    target: &str,
) -> &'a mut PathFacts {
    let p = dir(s, link);
    p.canonical = Some(PathBuf::from(target));
    p.symlink_chain = hops
        .iter()
        .map(|(l, t)| SymlinkHop {
            link: PathBuf::from(l),
            target: PathBuf::from(t),
        })
        .collect();
    p
}

/// The facts entry of `path`, created empty (`exists: false`) when absent.
pub fn path_facts<'a>(s: &'a mut Snapshot, path: &str) -> &'a mut PathFacts {
    s.paths
        .entry(path.to_string())
        .or_insert_with(|| PathFacts {
            path: PathBuf::from(path),
            ..PathFacts::default()
        })
}

/// A go.mod in the folder: `module example.com/proj`, blank line, `go <go>`, and optionally
/// `toolchain <toolchain>` on line 4.
pub fn set_go_mod(s: &mut Snapshot, go: &str, toolchain: Option<&str>) {
    s.go_mod = Some(go_mod_facts(GO_MOD, go, toolchain));
}

/// A go.work in the folder, same shape as [`set_go_mod`] (`go.work` has no module line).
pub fn set_go_work(s: &mut Snapshot, go: &str, toolchain: Option<&str>) {
    let mut f = go_mod_facts(&format!("{FOLDER}/go.work"), go, toolchain);
    f.module = None;
    // `use .`: the folder's module is part of the workspace (written after the go lines).
    let at = f
        .toolchain
        .as_ref()
        .or(f.go.as_ref())
        .map_or(0, |l| l.span.end + 2);
    f.uses.push(Line {
        value: ".".to_string(),
        line: if toolchain.is_some() { 6 } else { 5 },
        span: SourceSpan {
            file: PathBuf::from(format!("{FOLDER}/go.work")),
            start: at + 4,
            end: at + 5,
            line: if toolchain.is_some() { 6 } else { 5 },
            column: 5,
        },
    });
    s.workspace
        .use_dirs
        .insert(FOLDER.to_string(), go_env_doctor::model::UseTarget::Module);
    s.go_work = Some(f);
}

fn go_mod_facts(path: &str, go: &str, toolchain: Option<&str>) -> GoModFacts {
    let module = "example.com/proj";
    let line = |value: &str, line: u32, start: usize, column: u32| Line {
        value: value.to_string(),
        line,
        span: SourceSpan {
            file: PathBuf::from(path),
            start,
            end: start + value.len(),
            line,
            column,
        },
    };
    // "module example.com/proj\n\ngo 1.22\ntoolchain go1.23.0\n"
    let module_line = line(module, 1, 7, 8);
    let go_start = 7 + module.len() + 2 + 3;
    let go_line = line(go, 3, go_start, 4);
    let tc_start = go_start + go.len() + 1 + 10;
    GoModFacts {
        path: PathBuf::from(path),
        module: Some(module_line),
        go: Some(go_line),
        toolchain: toolchain.map(|t| line(t, 4, tc_start, 11)),
        error: None,
        error_line: None,
        uses: Vec::new(),
    }
}

/// `--no-shell`.
pub fn no_shell(s: &mut Snapshot) {
    s.shell = None;
}

/// The shell probe failed: `Some(shell)` with an empty os_env and nothing run, as facts
/// records it.
pub fn probe_failed(s: &mut Snapshot, outcome: ProbeOutcome, millis: u64) {
    let mut f = side_facts(SideKind::Shell, SHELL_LABEL);
    f.os_env.clear();
    f.env_file = None;
    f.path_entries.clear();
    f.probe = Some(ProbeReport {
        shell: PathBuf::from(SHELL),
        millis,
        outcome,
        startup_files: Vec::new(),
    });
    s.shell = Some(f);
}

/// All findings of the snapshot (fixes verified, sorted), as the front ends get them.
pub fn findings(s: &Snapshot) -> Vec<Finding> {
    go_env_doctor::rules::check(s)
}

/// Findings with one code only.
pub fn findings_of(s: &Snapshot, code: &str) -> Vec<Finding> {
    findings(s).into_iter().filter(|f| f.code == code).collect()
}

/// The codes of the findings, in order.
pub fn codes(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(|f| f.code.clone()).collect()
}

/// The path of the function this expands in, without the crate (`cache::off_in_env_file_…`).
macro_rules! function_path {
    () => {{
        fn f() {}
        fn name_of<T>(_: T) -> &'static str {
            std::any::type_name::<T>()
        }
        let name = name_of(f);
        let name = name.strip_suffix("::f").unwrap_or(name);
        name.split_once("::").map_or(name, |(_crate, path)| path)
    }};
}

/// `snap!("rules__<code>__<case>", &input, &value)`: assert the insta YAML snapshot `name` of
/// `value` (the findings of `input`), stored in `/snapshots` with a header naming the test and
/// listing what `input` changes in [`healthy`] ([`snap_input`]).
macro_rules! snap {
    ($name:expr, $input:expr, $value:expr) => {
        $crate::support::rules::snap_input(
            $name,
            $crate::support::rules::function_path!(),
            $input,
            None,
            $value,
        )
    };
}
pub(crate) use {function_path, snap};

/// The header of a rules snapshot: `description` = the test (`module::function`, its file and
/// its name as a sentence) and where the baseline is; `info` = [`Input`].
pub fn snap_input<T: serde::Serialize>(
    name: &str,
    test: &str,
    input: &Snapshot,
    workspace_xml: Option<&str>,
    value: &T,
) {
    let (module, function) = test.rsplit_once("::").unwrap_or(("", test));
    let module = module.split("::").next().unwrap_or(module);
    let mut sentence = function.replace('_', " ");
    if let Some(first) = sentence.get(..1) {
        sentence.replace_range(..1, &first.to_uppercase());
    }
    let description = format!(
        "{sentence}.\nTest: {test} (tests/rules/{module}.rs). Input: the baseline \
         support::rules::healthy() (tests/support/rules.rs: editor and shell agree, Go 1.22.10 \
         in /usr/local/go, nothing to report) with the facts under `info` changed; the value \
         is the findings."
    );
    let info = Input::of(input, workspace_xml);
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => description,
        info => &info,
    }, {
        insta::assert_yaml_snapshot!(name, value);
    });
}

/// What a rules snapshot's input changes in the baseline, as `info` shows it.
#[derive(serde::Serialize)]
pub struct Input {
    /// JSON path in `model::Snapshot` (as serialised) → the baseline's value (`was`, absent
    /// when the baseline has none) and the input's (`now`, absent when removed).
    pub changed: BTreeMap<String, Change>,
    /// Each editor view beside the VS Code one (GoLand's, `editor_views[i]`): what it changes
    /// in the input's own top-level facts (a view starts as a copy of them).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub editor_views: BTreeMap<String, BTreeMap<String, Change>>,
    /// The `.idea/workspace.xml` GoLand's view was parsed from, line by line (split at each
    /// `\n`: a final `""` is a trailing newline).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace_xml: Option<Vec<String>>,
}

#[derive(serde::Serialize)]
pub struct Change {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub was: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub now: Option<serde_json::Value>,
}

impl Input {
    pub fn of(input: &Snapshot, workspace_xml: Option<&str>) -> Input {
        let json = |s: &Snapshot| serde_json::to_value(s).expect("a Snapshot serialises");
        let mut top = input.clone();
        let views = std::mem::take(&mut top.editor_views);
        let mut changed = BTreeMap::new();
        diff("", &json(&healthy()), &json(&top), &mut changed);
        let mut editor_views = BTreeMap::new();
        for (i, view) in views.iter().enumerate() {
            let mut of_view = BTreeMap::new();
            diff("", &json(&top), &json(view), &mut of_view);
            editor_views.insert(format!("editor_views[{i}]"), of_view);
        }
        Input {
            changed,
            editor_views,
            workspace_xml: workspace_xml.map(|x| x.split('\n').map(str::to_string).collect()),
        }
    }
}

/// Every leaf (or whole subtree present on one side only) where `was` and `now` differ.
fn diff(
    path: &str,
    was: &serde_json::Value,
    now: &serde_json::Value,
    out: &mut BTreeMap<String, Change>,
) {
    use serde_json::Value;
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match (was, now) {
        _ if was == now => {}
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => diff(&join(k), x, y, out),
                    (x, y) => {
                        out.insert(
                            join(k),
                            Change {
                                was: x.cloned(),
                                now: y.cloned(),
                            },
                        );
                    }
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                let at = format!("{path}[{i}]");
                match (a.get(i), b.get(i)) {
                    (Some(x), Some(y)) => diff(&at, x, y, out),
                    (x, y) => {
                        out.insert(
                            at,
                            Change {
                                was: x.cloned(),
                                now: y.cloned(),
                            },
                        );
                    }
                }
            }
        }
        _ => {
            out.insert(
                path.to_string(),
                Change {
                    was: (!was.is_null()).then(|| was.clone()),
                    now: (!now.is_null()).then(|| now.clone()),
                },
            );
        }
    }
}

/// The findings whose code is one of `codes` (one area's suite looks at its own codes only).
pub fn findings_of_codes(s: &Snapshot, codes: &[&str]) -> Vec<Finding> {
    findings(s)
        .into_iter()
        .filter(|f| codes.contains(&f.code.as_str()))
        .collect()
}

/// The `kind` of each fix, best first (`set-setting`, `go-env-unset`, …).
pub fn fix_kinds(f: &Finding) -> Vec<String> {
    f.fixes
        .iter()
        .map(|x| {
            serde_json::to_value(&x.action)
                .ok()
                .and_then(|v| v.get("kind").and_then(|k| k.as_str().map(String::from)))
                .unwrap_or_default()
        })
        .collect()
}
