//! All IO of the engine: resolve the editor side and the shell side, run `go`, stat paths.
//! Output: a plain-data [`crate::model::Snapshot`].
//!
//! The two sides are gathered in parallel: the login-shell probe (often the slowest thing we
//! do) runs on its own thread while the editor side reads settings and runs its `go`.

pub mod attribution;
pub mod children;
pub mod deep;
pub mod early_go;
pub mod fs;
pub mod go;
pub mod go_predict;
pub mod guard;
pub mod platform;
pub mod probe_cache;
pub mod process;
pub mod sdks;
pub mod shell;
pub mod tools;
pub mod trust;
pub mod workspace;

use crate::goenv::resolve;
use crate::model::{
    CommandResult, Configured, EditorKind, EditorSettings, EnvFile, GoBinary, GoFoundBy, PathFacts,
    ProbeOutcome, ProbeReport, SettingKey, SettingsFile, SettingsLayer, SideFacts, SideKind,
    Snapshot,
};
use crate::settings::{self, paths::Os};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What to probe, as chosen on the command line or by the language server's configuration.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The workspace folder (absolute).
    pub folder: PathBuf,
    /// Probe the login shell (`--no-shell` turns it off).
    pub probe_shell: bool,
    /// `--shell PATH`; `None`: `$SHELL`, then the passwd entry.
    pub shell: Option<PathBuf>,
    pub shell_timeout: Duration,
    /// `--trust`: binaries chosen by the workspace may run.
    pub trusted: bool,
    /// Our own executable, run by the login shell as `__print-env MARK`.
    pub helper_exe: PathBuf,
    /// Override of the VS Code user settings file (tests; `--user-settings`,
    /// `GO_ENV_DOCTOR_USER_SETTINGS`). `None`: the OS's standard locations.
    pub user_settings: Option<PathBuf>,
    pub disabled_checks: Vec<String>,
    /// The editor's environment; `None`: this process's own (the editor started us).
    pub editor_env: Option<BTreeMap<String, String>>,
    /// Display name of the editor side.
    pub editor_name: String,
    /// Which files the editor reads: VS Code's settings, or only its own configuration.
    pub editor_kind: EditorKind,
    /// A login-shell probe of an earlier check whose inputs did not change (the language
    /// server's probe cache): its report and environment (none when it failed) are reused
    /// instead of running the shell again. `None`: the shell runs.
    pub shell_probe: Option<(ProbeReport, Option<BTreeMap<String, String>>)>,
    /// This check's login-shell probe, started before the check with the same inputs (the
    /// language server starts it at `initialize`): taken instead of starting the shell.
    pub shell_prefetch: Option<shell::Prefetch>,
    /// The editor's own answer for its `go` and `gopls` configuration sections
    /// (`{"go": {…}, "gopls": {…}}`, as a language client forwards them): the effective values,
    /// applied over the files' (see [`apply_client_settings`]). `None`: the files alone.
    pub client_settings: Option<serde_json::Value>,
    /// Stops the check's processes (login shell, `go`) when a newer check supersedes it.
    pub cancel: process::Cancel,
    /// For an editor side that is not VS Code: add VS Code's view of the folder not only when
    /// the project has VS Code settings, but whenever VS Code would differ from it (the user's
    /// own VS Code settings, or vscode-go choosing another `go` than PATH's). The command line
    /// sets it: there the "editor" is the terminal or CI job itself, and the user still wants
    /// to know what VS Code would do with the same environment.
    pub compare_vscode: bool,
    /// `check --deep`: also build and run a small program with each side's `go` ([`deep`]);
    /// `Cgo` adds a cgo program. `None` (the default, and always in the language server): no
    /// program is built.
    pub deep: Option<crate::model::DeepProgram>,
    /// Use the persistent probe cache ([`probe_cache`]): the shell reports its startup files
    /// (the cache's key) and the `go` runs are recorded for it. The language server sets it;
    /// `check --cache` on the command line.
    pub probe_cache: bool,
    /// Have the login shell report its startup files while it runs (the persistent cache's
    /// key): the command line does; the language server asks a second, traced shell after it
    /// published instead ([`trace_startup_files`]), as tracing slows the shell down.
    pub trace_startup: bool,
    /// `go` runs the persistent cache holds for this folder, by their inputs' digest: reused
    /// instead of running `go` (see [`go::Runs::seeded`]).
    pub go_runs: Vec<(String, go::GoRun)>,
    /// Learn where the sides' Go setup comes from ([`attribution`]) when they differ: a second,
    /// traced run of the login shell (bash, zsh), version managers' files, `.envrc`. Never
    /// runs when the sides agree.
    pub attribution: bool,
}

impl CheckOptions {
    pub fn new(folder: PathBuf, helper_exe: PathBuf) -> Self {
        CheckOptions {
            folder,
            probe_shell: true,
            shell: None,
            shell_timeout: Duration::from_secs(10),
            trusted: false,
            helper_exe,
            user_settings: None,
            disabled_checks: Vec::new(),
            editor_env: None,
            editor_name: "VS Code".into(),
            editor_kind: EditorKind::VsCode,
            shell_probe: None,
            shell_prefetch: None,
            client_settings: None,
            cancel: process::Cancel::default(),
            compare_vscode: false,
            deep: None,
            probe_cache: false,
            trace_startup: false,
            go_runs: Vec::new(),
            attribution: true,
        }
    }
}

/// Gather every fact about `opts.folder`. Never fails: what could not be learned is recorded in
/// the snapshot (failed commands, unreadable files) so that rules can report it.
pub fn collect(opts: &CheckOptions) -> Snapshot {
    collect_recorded(opts).0
}

/// [`collect`], with the `go` runs it made for the persistent cache (when
/// [`CheckOptions::probe_cache`] is set; see [`probe_cache::Store::save`]).
pub fn collect_recorded(opts: &CheckOptions) -> (Snapshot, Vec<go::RecordedRun>) {
    let (collected, runs) = collect_speculating::<()>(opts, None);
    match collected {
        Collected::Plain(snap) => (*snap, runs),
        // Nothing was asked to run ahead.
        Collected::Confirmed { .. } => unreachable!("no speculation without a consumer"),
    }
}

/// What [`collect_speculating`] gives back.
pub enum Collected<R> {
    /// The snapshot, for the caller to analyse.
    Plain(Box<Snapshot>),
    /// The consumer already ran on a snapshot built from the predicted answer of the login
    /// shell's `go` ([`go_predict`]), and the real answer turned out the same: its result
    /// stands. `shell` is the real shell side, to put in place of the predicted one in what
    /// the result keeps (they differ only in how long the shell and `go` took).
    Confirmed { result: R, shell: Box<SideFacts> },
}

/// [`collect_recorded`] that may run `speculate` — the caller's analysis of the snapshot — while
/// the login shell's `go` still runs, on a snapshot built from what that `go` will answer
/// ([`go_predict::predict`]). Its result is returned only when the real answer is exactly the
/// predicted one; otherwise the snapshot is completed from the real answer as always and
/// `speculate`'s result is dropped. Only for the language server's first check of a folder
/// (a prefetched shell; no attribution or deep run inside `collect`).
pub fn collect_speculating<R>(
    opts: &CheckOptions,
    speculate: Option<&dyn Fn(Snapshot) -> R>,
) -> (Collected<R>, Vec<go::RecordedRun>) {
    let speculate = speculate
        .filter(|_| !opts.attribution && opts.deep.is_none() && opts.shell_prefetch.is_some());
    let editor_env: BTreeMap<String, String> = opts.editor_env.clone().unwrap_or_else(process_env);
    let home = editor_env
        .get("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from);
    let os = Os::current();

    // Both sides' `go` probes, by their inputs: when the editor and the shell run the same
    // `go` with the same Go settings, `go` runs once.
    let runs = go::Runs::seeded(opts.cancel.clone(), opts.go_runs.clone(), opts.probe_cache);
    let toolchains = go::Toolchains::default();
    let t0 = std::time::Instant::now();
    let (started_tx, started_rx) = std::sync::mpsc::sync_channel(1);
    let (predicted_tx, predicted_rx) = std::sync::mpsc::sync_channel(1);
    let predicted_tx = speculate.is_some().then_some(predicted_tx);
    let (collected, mut snap) = std::thread::scope(|s| {
        let shell_side = opts.probe_shell.then(|| {
            s.spawn(|| {
                let channels = (started_tx, predicted_tx);
                shell_side(opts, &editor_env, os, (&runs, &toolchains), channels)
            })
        });
        if opts.probe_shell {
            // The login shell is the slowest probe: let it start on a free core before the
            // editor side reads files and starts its own `go` (on two cores this wait pays
            // for itself; bounded in case the spawn itself is slow).
            let _ = started_rx.recv_timeout(Duration::from_millis(20));
        }

        let mut snap = Snapshot {
            folder: opts.folder.clone(),
            home: home.clone(),
            uid: fs::current_uid(),
            trusted: opts.trusted,
            case_insensitive_fs: fs::case_insensitive(&opts.folder),
            disabled_checks: opts.disabled_checks.clone(),
            editor_kind: opts.editor_kind,
            ..Snapshot::default()
        };
        let subst = settings::jsonc::Substitution {
            workspace_folder: opts.folder.clone(),
            home: home.clone(),
            env: editor_env.clone(),
        };
        snap.settings = read_settings(
            opts,
            &subst,
            home.as_deref(),
            &editor_env,
            os,
            &Overrides::new(),
        );
        let mut editor = base_side(
            SideKind::Editor,
            opts.editor_name.clone(),
            editor_env.clone(),
            &opts.folder,
            os,
        );
        // vscode-go's fixed fallbacks: a terminal or another editor's gopls never looks there.
        if editor.path_go.is_none() && opts.editor_kind == EditorKind::VsCode {
            editor.path_go = well_known_go(&opts.folder);
        }
        snap.editor = editor;
        add_side_paths(&mut snap, SideKind::Editor);
        add_settings_paths(&mut snap);
        // Start the editor's `go` as early as possible and gather the rest while it runs:
        // `go env -json` is the slowest thing on this side.
        let editor_run = plan_editor_go(&mut snap, opts).map(|(binary, run_env)| {
            let folder = opts.folder.clone();
            let env_file = snap.editor.env_file.clone();
            let runs = &runs;
            s.spawn(move || go::probe(runs, &binary, &run_env, &folder, env_file.as_ref()))
        });
        // An editor view runs its own `go` (VS Code's `go.goroot` seen from another client):
        // start it now, in parallel with the login shell, rather than after it — and before
        // the rest of this side is read, so that it is done before the shell's own `go` runs. The views are
        // derived again below with the shell side in place; their `go` runs are single-flight
        // by their inputs, so that derivation takes this run's answer.
        if opts.probe_shell && shell_side.is_some() {
            let base = snap.clone();
            let subst = subst.clone();
            let editor_env = editor_env.clone();
            let home = home.clone();
            // The check runs ahead of these views' `go` when it can predict them (not of the
            // editor's own, which it waits for before the shell has answered).
            let yielding = speculate.map(|_| runs.yielding_if_predicted());
            let runs = &runs;
            s.spawn(move || {
                let runs = yielding.as_ref().unwrap_or(runs);
                let home = home.as_deref();
                if let Some((settings, _)) =
                    vscode_view_settings(opts, &subst, home, &editor_env, os, &Overrides::new())
                {
                    derive_view(&base, settings, EditorKind::VsCode, opts, runs);
                }
                let idea = idea_workspace_file(&opts.folder);
                let settings = read_idea_settings(&idea, &opts.folder, home, &Overrides::new());
                if idea.exists() || settings.files.len() > 1 {
                    derive_view(&base, settings, EditorKind::JetBrains, opts, runs);
                }
            });
        }

        snap.editor.path_toolchains = toolchains.on_path(&snap.editor.path_entries);
        snap.editor.c_compilers = platform::c_compilers(&snap.editor);
        // The walk for go.mod/go.work files reads the tree while the probes run.
        let filters = directory_filters(opts, &snap, &Overrides::new());
        let walk = s.spawn(move || walk_folder(&opts.folder, &filters));
        let well_known = runs.well_known_installs(&editor_env);
        if let Some(handle) = editor_run {
            match handle.join() {
                Ok(run) => {
                    snap.editor.go_env = Some(run.env_json);
                    snap.editor.go_version = run.version;
                    snap.editor.gotoolchain = Some(run.gotoolchain);
                }
                Err(_) => tracing::error!("the editor's go probe thread panicked"),
            }
        }
        tracing::trace!(ms = ?t0.elapsed(), "collect: editor side read");
        add_effective_paths(&mut snap, SideKind::Editor);
        platform::add_go_env_compilers(&mut snap.editor);
        let layout = walk.join().ok();
        // Everything after the shell side is known; run twice when a prediction failed.
        let complete = |snap: &mut Snapshot, shell: Option<SideFacts>, runs: &go::Runs| {
            if let Some(side) = shell {
                let probed = side
                    .probe
                    .as_ref()
                    .is_some_and(|p| p.outcome == ProbeOutcome::Ok);
                snap.shell = Some(side);
                if probed {
                    add_side_paths(snap, SideKind::Shell);
                    add_effective_paths(snap, SideKind::Shell);
                }
            }
            add_installs(snap, well_known.clone());
            discover_workspace(snap, opts, &Overrides::new(), layout.clone());
            tracing::trace!(ms = ?t0.elapsed(), "collect: workspace discovered");
            add_views(snap, opts, &subst, home.as_deref(), &editor_env, os, runs);
            tracing::trace!(ms = ?t0.elapsed(), "collect: views derived");
            tools::discover(snap);
            snap.platform = platform::host(&editor_env);
            platform::read_binaries(snap);
            for view in &mut snap.editor_views {
                view.platform = snap.platform.clone();
            }
            tracing::trace!(ms = ?t0.elapsed(), "collect: done");
        };
        let Some(handle) = shell_side else {
            complete(&mut snap, None, &runs);
            return (None, snap);
        };
        // The predicted shell side, when the shell side's thread could predict its `go`.
        let speculated = speculate.and_then(|speculate| {
            let predicted = predicted_rx.recv().ok()?;
            tracing::trace!(ms = ?t0.elapsed(), "collect: the shell side predicted");
            // The editor views' own `go` runs may still be going too.
            let runs_ahead = runs.ahead();
            let mut ahead = snap.clone();
            complete(&mut ahead, Some(predicted.clone()), &runs_ahead);
            Some((predicted, speculate(ahead), runs_ahead))
        });
        let real = match handle.join() {
            Ok(side) => Some(side),
            Err(_) => {
                tracing::error!("the shell probe thread panicked");
                None
            }
        };
        tracing::trace!(ms = ?t0.elapsed(), "collect: shell joined");
        if let (Some((predicted, result, runs_ahead)), Some(real)) = (speculated, &real) {
            if shell_confirms(&predicted, real) && runs_ahead.confirm_ahead() {
                tracing::debug!("the shell's go answered as predicted: the check ran ahead of it");
                let shell = Box::new(real.clone());
                return (Some(Collected::Confirmed { result, shell }), snap);
            }
            tracing::debug!("the shell's go answered otherwise than predicted: checking again");
        }
        complete(&mut snap, real, &runs);
        (None, snap)
    });
    if let Some(collected) = collected {
        return (collected, runs.recorded());
    }
    if opts.attribution && attribution::needed(&snap) {
        let found = attribution::collect(&snap, opts);
        attribution::attach(&mut snap, found);
    }
    // Last, with every side and view known: it reuses their choice of `go` and environment.
    if let Some(mode) = opts.deep {
        deep::run_all(&mut snap, opts, mode);
    }
    (Collected::Plain(Box::new(snap)), runs.recorded())
}

/// Whether the real shell side is the predicted one: the same in everything but how long the
/// shell and its `go` took (the rules read the shell's time only against a threshold, on
/// which both must agree).
fn shell_confirms(predicted: &SideFacts, real: &SideFacts) -> bool {
    let slow = |s: &SideFacts| {
        s.probe
            .as_ref()
            .is_some_and(|p| p.millis > crate::model::SLOW_PROBE_MILLIS)
    };
    let untimed = |s: &SideFacts| {
        let mut s = s.clone();
        if let Some(p) = &mut s.probe {
            p.millis = 0;
        }
        if let Some(CommandResult::Ok { millis, .. }) = &mut s.go_env {
            *millis = 0;
        }
        s
    };
    slow(predicted) == slow(real) && untimed(predicted) == untimed(real)
}

/// Put the real shell side of a confirmed prediction ([`Collected::Confirmed`]) in place of
/// the predicted one, in `snap` and in each of its editor views (derived with it).
pub fn adopt_shell(snap: &mut Snapshot, shell: &SideFacts) {
    snap.shell = Some(shell.clone());
    for view in &mut snap.editor_views {
        if view.shell.is_some() {
            view.shell = Some(shell.clone());
        }
    }
}

/// The editor views of `snap` (VS Code's, GoLand's), derived with both sides in place.
fn add_views(
    snap: &mut Snapshot,
    opts: &CheckOptions,
    subst: &settings::jsonc::Substitution,
    home: Option<&Path>,
    editor_env: &BTreeMap<String, String>,
    os: Os,
    runs: &go::Runs,
) {
    if let Some((settings, project)) =
        vscode_view_settings(opts, subst, home, editor_env, os, &Overrides::new())
    {
        let no_settings =
            settings.values.is_empty() && settings.files.iter().all(|f| f.error.is_none());
        let view = derive_view(snap, settings, EditorKind::VsCode, opts, runs);
        // Without project settings, VS Code's view only matters where it differs.
        let same_go =
            view.editor.go.as_ref().map(|g| &g.path) == snap.editor.go.as_ref().map(|g| &g.path);
        if project || !(no_settings && same_go) {
            snap.editor_views.push(view);
        }
    }
    let idea = idea_workspace_file(&opts.folder);
    // Anything there counts (a FIFO, a directory): reading it reports what is wrong. A
    // misc.xml naming a Go SDK is GoLand's project too.
    let settings = read_idea_settings(&idea, &opts.folder, home, &Overrides::new());
    if idea.exists() || settings.files.len() > 1 {
        let view = derive_view(snap, settings, EditorKind::JetBrains, opts, runs);
        snap.editor_views.push(view);
    }
}

/// Names the VS Code user settings file to read instead of the OS's standard one (tests, and
/// users with a portable VS Code); `--user-settings` sets it on the command line.
pub const USER_SETTINGS_ENV: &str = "GO_ENV_DOCTOR_USER_SETTINGS";

/// Display name of the JetBrains editor side (GoLand, or IntelliJ IDEA with the Go plugin:
/// both keep the Go SDK in `.idea/workspace.xml`).
pub use crate::model::GOLAND;

/// GoLand's per-project settings file of a folder.
pub fn idea_workspace_file(folder: &Path) -> PathBuf {
    folder.join(".idea").join("workspace.xml")
}

/// GoLand's project file that older versions kept the Go SDK in (see
/// [`settings::idea::parse_misc`]).
pub fn idea_misc_file(folder: &Path) -> PathBuf {
    folder.join(".idea").join("misc.xml")
}

/// GoLand's Go settings: `.idea/workspace.xml` (layer Folder) with `go.goroot` and
/// `go.toolsEnvVars.*` as for VS Code (see [`settings::idea`]), and the `GOROOT` component of
/// `.idea/misc.xml` (layer Workspace: workspace.xml's wins) when that file has one.
fn read_idea_settings(
    path: &Path,
    folder: &Path,
    home: Option<&Path>,
    overrides: &Overrides,
) -> EditorSettings {
    let macros = settings::idea::Macros {
        home: home.map(Path::to_path_buf),
        project_dir: folder.to_path_buf(),
    };
    let mut out = EditorSettings {
        editor_name: GOLAND.to_string(),
        ..EditorSettings::default()
    };
    let misc = idea_misc_file(folder);
    let (misc_file, misc_values) =
        read_idea_file(&misc, SettingsLayer::Workspace, overrides, &|text: &str| {
            settings::idea::parse_misc(&misc, text, SettingsLayer::Workspace, &macros)
        });
    // A misc.xml without a Go SDK is another IDE's business (every IntelliJ project has one):
    // it is listed, and its errors reported, only when it holds a GOROOT component.
    if !misc_values.is_empty() {
        out.files.push(misc_file);
        out.values.extend(misc_values);
    }
    let (file, values) = read_idea_file(path, SettingsLayer::Folder, overrides, &|text: &str| {
        settings::idea::parse_workspace(path, text, SettingsLayer::Folder, &macros)
    });
    out.files.push(file);
    out.values.extend(values);
    out
}

/// One `.idea` file: its status and the values `parse` finds in it.
fn read_idea_file(
    path: &Path,
    layer: SettingsLayer,
    overrides: &Overrides,
    parse: &dyn Fn(&str) -> Result<Vec<crate::model::Configured>, crate::model::SettingsError>,
) -> (SettingsFile, Vec<crate::model::Configured>) {
    let mut file = SettingsFile {
        path: path.to_path_buf(),
        layer,
        exists: false,
        error: None,
        digest: None,
    };
    let mut values = Vec::new();
    let text: Result<Option<String>, crate::model::SettingsError> = match overrides.get(path) {
        Some(t) => Ok(Some(t.clone())),
        None => match fs::read_bounded(path, MAX_SETTINGS_BYTES) {
            Err(fs::ReadError::NotFound) => Ok(None),
            Err(fs::ReadError::Refused(why)) => Err(crate::model::SettingsError {
                message: why,
                line: 1,
                column: 1,
            }),
            Ok(bytes) => settings::jsonc::decode(&bytes).map(|t| Some(t.to_string())),
        },
    };
    match text {
        Ok(None) => {}
        Ok(Some(text)) => {
            file.exists = true;
            file.digest = Some(fs::digest(text.as_bytes()));
            match parse(&text) {
                Ok(v) => values = v,
                Err(e) => file.error = Some(e),
            }
        }
        Err(e) => {
            file.exists = true;
            file.error = Some(e);
        }
    }
    (file, values)
}

/// The snapshot of `base`'s folder seen through another editor's `settings`: the same shell
/// side (never probed again), the same process environment, that editor's overlay. The
/// editor's `go` runs again only when the binary it chooses or its run environment differs
/// from what `base`'s editor ran. A JetBrains IDE runs `$GOROOT/bin/go` of its SDK and never
/// looks for `go` on PATH.
pub fn derive_view(
    base: &Snapshot,
    settings: EditorSettings,
    kind: EditorKind,
    opts: &CheckOptions,
    runs: &go::Runs,
) -> Snapshot {
    let mut v = base.clone();
    v.editor_views.clear();
    v.editor_kind = kind;
    v.editor.label = settings.editor_name.clone();
    v.settings = settings;
    let base_go = v.editor.go.take();
    if kind == EditorKind::JetBrains {
        v.editor.path_go = None;
    } else if v.editor.path_go.is_none() {
        v.editor.path_go = well_known_go(&opts.folder);
    }
    add_settings_paths(&mut v);
    add_effective_paths(&mut v, SideKind::Editor);
    let would = resolve::effective(&v, SideKind::Editor).and_then(|e| e.go);
    let same_binary = match (&would, &base_go) {
        (Some(w), Some(b)) => w.path == b.path,
        (None, None) => true,
        _ => false,
    };
    if same_binary && editor_run_env(&v) == editor_run_env(base) {
        v.editor.go = match (would, base_go) {
            (Some(w), Some(b)) => Some(GoBinary {
                found_by: w.found_by,
                // It ran as the base editor's choice: nothing new was executed.
                workspace_chosen: b.workspace_chosen,
                ..b
            }),
            _ => None,
        };
    } else {
        v.editor.go_env = None;
        v.editor.go_version = None;
        v.editor.gotoolchain = None;
        run_editor_go(&mut v, opts, runs);
    }
    add_effective_paths(&mut v, SideKind::Editor);
    let well_known = runs.well_known_installs(&editor_run_env(&v));
    add_installs(&mut v, well_known);
    v
}

/// [`refresh_settings`] for an editor view: its settings re-read (no process), go.mod/go.work
/// and disabled checks taken from the refreshed `main`.
fn refresh_view(view: &mut Snapshot, main: &Snapshot, opts: &CheckOptions, overrides: &Overrides) {
    let before = editor_run_env(view);
    if view.editor_kind == EditorKind::JetBrains {
        let path = idea_workspace_file(&opts.folder);
        view.settings = read_idea_settings(&path, &opts.folder, main.home.as_deref(), overrides);
    } else if view.editor_kind == EditorKind::VsCode {
        let subst = settings::jsonc::Substitution {
            workspace_folder: opts.folder.clone(),
            home: main.home.clone(),
            env: view.editor.os_env.clone(),
        };
        let env = view.editor.os_env.clone();
        let home = main.home.clone();
        view.settings = read_vscode_settings(
            VSCODE,
            None,
            opts,
            &subst,
            home.as_deref(),
            &env,
            Os::current(),
            overrides,
        );
    }
    view.go_mod = main.go_mod.clone();
    view.go_work = main.go_work.clone();
    view.workspace = main.workspace.clone();
    view.disabled_checks = main.disabled_checks.clone();
    add_settings_paths(view);
    add_effective_paths(view, SideKind::Editor);
    let after = editor_run_env(view);
    forget_changed_env(&mut view.editor, &before, &after);
}

pub(crate) fn process_env() -> BTreeMap<String, String> {
    std::env::vars_os()
        .map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.to_string_lossy().into_owned(),
            )
        })
        .collect()
}

/// PATH, `go` on it, the env file and PATH toolchains of one side.
fn base_side(
    kind: SideKind,
    label: String,
    env: BTreeMap<String, String>,
    folder: &Path,
    os: Os,
) -> SideFacts {
    let path_entries = env
        .get("PATH")
        .map(|p| go::split_path(p))
        .unwrap_or_default();
    let path_go = go::which("go", &path_entries).map(|p| go::inspect(&p, GoFoundBy::Path, folder));
    let env_file = side_env_file(&env, folder, os);
    // `path_toolchains` is filled in while `go` runs: it reads every PATH directory.
    SideFacts {
        kind,
        label,
        path_entries,
        path_go,
        env_file,
        os_env: env,
        ..SideFacts::default()
    }
}

/// The go env file of a side whose environment is `env`, read.
pub fn side_env_file(env: &BTreeMap<String, String>, folder: &Path, os: Os) -> Option<EnvFile> {
    // cmd/go reads HOME from this environment only: without one there is no default file
    // (an explicit GOENV or XDG_CONFIG_HOME still counts).
    let mut lookup_env = env.clone();
    lookup_env.entry("HOME".into()).or_default();
    // A relative name is relative to the directory `go` runs in, the folder.
    settings::paths::go_env_file(Path::new(""), &lookup_env, os)
        .map(|p| folder.join(p))
        .map(|p| read_env_file(&p))
}

/// vscode-go's last resorts when PATH has no `go`.
fn well_known_go(folder: &Path) -> Option<GoBinary> {
    let candidates: &[&str] = if cfg!(windows) {
        &["C:\\Program Files\\Go\\bin\\go.exe"]
    } else {
        &["/usr/local/go/bin/go", "/usr/local/bin/go"]
    };
    candidates
        .iter()
        .map(Path::new)
        .find(|p| go::is_executable(p))
        .map(|p| go::inspect(p, GoFoundBy::WellKnown, folder))
}

fn shell_side(
    opts: &CheckOptions,
    editor_env: &BTreeMap<String, String>,
    os: Os,
    (runs, toolchains): (&go::Runs, &go::Toolchains),
    (started, predicted): (
        std::sync::mpsc::SyncSender<()>,
        Option<std::sync::mpsc::SyncSender<SideFacts>>,
    ),
) -> SideFacts {
    let shell_path = shell::resolve_shell(opts.shell.as_deref(), editor_env);
    // Messages say "your shell"; reports show which shell next to it (ProbeReport.shell).
    let label = "your shell".to_string();
    let (report, env, early_go, read_early) = match (&opts.shell_probe, &opts.shell_prefetch) {
        (Some((report, env)), _) => (report.clone(), env.clone(), None, None),
        (None, Some(prefetch)) => {
            // Already running: nothing for the editor side to hold back for.
            let _ = started.try_send(());
            // The helper prints the environment before it runs `go`: the rest of the side is
            // read while that `go` runs, off the path to the first diagnostics.
            let read_early = prefetch.take_env(&opts.cancel).map(|env| {
                tracing::trace!("the shell printed its environment");
                let mut side = base_side(SideKind::Shell, label.clone(), env, &opts.folder, os);
                read_side_files(&mut side, toolchains);
                side
            });
            // While that `go` runs, the check can go on with what it will most likely say.
            if let (Some(tx), Some(side)) = (predicted, &read_early) {
                let report = ProbeReport {
                    shell: shell_path.clone(),
                    millis: 0,
                    outcome: ProbeOutcome::Ok,
                    startup_files: Vec::new(),
                };
                let predict = |binary: &GoBinary, side: &SideFacts| {
                    go_predict::predict(binary, &side.os_env, &opts.folder, side.env_file.as_ref())
                };
                if let (mut side, true) = finish_shell_side(side.clone(), report, opts, predict) {
                    platform::add_go_env_compilers(&mut side);
                    let _ = tx.send(side);
                }
            }
            let probed = prefetch
                .take(&opts.cancel)
                .unwrap_or_else(|| shell::Probed {
                    report: ProbeReport {
                        shell: shell_path.clone(),
                        millis: 0,
                        outcome: ProbeOutcome::Cancelled,
                        startup_files: Vec::new(),
                    },
                    env: None,
                    early_go: None,
                });
            (probed.report, probed.env, probed.early_go, read_early)
        }
        (None, None) => {
            let probed = shell::probe(&shell_probe_options(
                opts,
                editor_env,
                Some(started.clone()),
            ));
            (probed.report, probed.env, probed.early_go, None)
        }
    };
    // No shell started (a cached probe, or one that failed early): nothing to wait for.
    let _ = started.try_send(());
    let Some(env) = env else {
        return SideFacts {
            kind: SideKind::Shell,
            label,
            probe: Some(report),
            ..SideFacts::default()
        };
    };
    let t0 = std::time::Instant::now();
    // What was read early stands only if the shell's final word is the environment it was
    // read from (the helper prints it once; anything else is read again).
    let read_early = read_early.filter(|side| side.os_env == env);
    let files_read = read_early.is_some();
    tracing::trace!(files_read, "shell side: files read while its go ran");
    let side =
        read_early.unwrap_or_else(|| base_side(SideKind::Shell, label, env, &opts.folder, os));
    let (env, env_file) = (side.os_env.clone(), side.env_file.clone());
    let run = |binary: &GoBinary, _: &SideFacts| {
        // The helper already ran this `go` when it chose the same one and the same runs.
        if let Some(early) = &early_go {
            let wants_version = go::wants_version(&env, env_file.as_ref());
            if early.go == binary.path && early.wants_version == wants_version {
                tracing::debug!(go = %early.go.display(), "the login shell's helper ran the shell's go");
                runs.offer(
                    &early.go,
                    &env,
                    &opts.folder,
                    wants_version,
                    early.run.clone(),
                );
            } else {
                tracing::debug!(helper = %early.go.display(), check = %binary.path.display(), "the helper ran another go than the check chose; running it again");
            }
        }
        go::probe(runs, &binary.path, &env, &opts.folder, env_file.as_ref())
    };
    let mut side = if files_read {
        // Nothing left to read meanwhile (and the helper's run is usually taken as it is).
        finish_shell_side(side, report, opts, |b, s| Some(run(b, s))).0
    } else {
        // The shell's `go` is on the critical path (it can only start once the shell is done):
        // read the rest while it runs.
        let mut files = side.clone();
        std::thread::scope(|s| {
            let reading = s.spawn(|| {
                read_side_files(&mut files, toolchains);
                files
            });
            let (mut side, _) = finish_shell_side(side, report, opts, |b, s| Some(run(b, s)));
            match reading.join() {
                Ok(files) => {
                    side.path_toolchains = files.path_toolchains;
                    side.c_compilers = files.c_compilers;
                    side.goroot_env_files = files.goroot_env_files;
                }
                Err(_) => tracing::error!("the shell side's file reading panicked"),
            }
            side
        })
    };
    platform::add_go_env_compilers(&mut side);
    tracing::trace!(ms = ?t0.elapsed(), "shell side read");
    side
}

/// The shell side with its probe's report and its `go`'s answer, as `run` gives it; `false`
/// when `go` was to run and `run` had no answer (the side then has none either).
fn finish_shell_side(
    mut side: SideFacts,
    report: ProbeReport,
    opts: &CheckOptions,
    run: impl FnOnce(&GoBinary, &SideFacts) -> Option<go::GoRun>,
) -> (SideFacts, bool) {
    side.probe = Some(report);
    side.go = side.path_go.clone();
    let refused = side.go.as_mut().and_then(|go| refuse_untrusted(go, opts));
    if let Some(reason) = &refused {
        side.go_env = Some(CommandResult::NotRun {
            reason: reason.clone(),
        });
        side.gotoolchain = Some(CommandResult::NotRun {
            reason: reason.clone(),
        });
    }
    let mut answered = true;
    if let Some(binary) = side.go.clone().filter(|_| refused.is_none()) {
        match run(&binary, &side) {
            Some(run) => {
                side.go_env = Some(run.env_json);
                side.go_version = run.version;
                side.gotoolchain = Some(run.gotoolchain);
            }
            None => answered = false,
        }
    }
    (side, answered)
}

/// What a shell side reads besides its `go` run: the toolchains and C compilers on its PATH,
/// the `go.env` of the GOROOTs it names.
fn read_side_files(side: &mut SideFacts, toolchains: &go::Toolchains) {
    side.path_toolchains = toolchains.on_path(&side.path_entries);
    side.c_compilers = platform::c_compilers(side);
    if let Some(goroot) = side.os_env.get("GOROOT").filter(|g| !g.is_empty()).cloned() {
        read_goroot_env(side, &goroot);
    }
    read_goroot_env_candidates(side);
}

/// How the check runs its login shell (`started` is told when the shell exists).
pub fn shell_probe_options(
    opts: &CheckOptions,
    editor_env: &BTreeMap<String, String>,
    started: Option<std::sync::mpsc::SyncSender<()>>,
) -> shell::ProbeOptions {
    shell::ProbeOptions {
        shell: shell::resolve_shell(opts.shell.as_deref(), editor_env),
        cwd: shell_probe_cwd(opts, editor_env),
        timeout: opts.shell_timeout,
        helper_exe: opts.helper_exe.clone(),
        env: opts.editor_env.clone(),
        cancel: opts.cancel.clone(),
        started,
        trace_startup: opts.trace_startup,
        early_go: Some(early_go::Ask {
            folder: opts.folder.clone(),
            trusted: opts.trusted,
            skip: editor_plain_run(opts, editor_env).into_iter().collect(),
            yield_if_predicted: false,
        }),
        env_printed: None,
    }
}

/// The digest of the `go` run the editor side makes when its settings change nothing: the
/// first `go` on the editor's PATH, with its environment. A shell that ends up with the same
/// (the usual healthy case) leaves its `go` to the check, which runs it once for both sides.
fn editor_plain_run(opts: &CheckOptions, editor_env: &BTreeMap<String, String>) -> Option<String> {
    let dirs = editor_env.get("PATH").map(|p| go::split_path(p))?;
    let go = go::which("go", &dirs).filter(|p| p.is_absolute())?;
    let env_file = side_env_file(editor_env, &opts.folder, Os::current());
    let wants_version = go::wants_version(editor_env, env_file.as_ref());
    Some(go::run_digest(&go, editor_env, &opts.folder, wants_version))
}

/// The startup files the login shell of `side` reads, from a second run of it with its
/// startup traced (bash, zsh): what the persistent probe cache is keyed by. `None` when the
/// shell cannot tell, the traced run failed, or it printed another environment than `side`'s
/// (an rc file that differs from one run to the next must not be served from a cache).
pub fn trace_startup_files(opts: &CheckOptions, side: &SideFacts) -> Option<Vec<PathBuf>> {
    let report = side.probe.as_ref()?;
    if !shell::traces_startup(&report.shell) {
        return None;
    }
    let editor_env = opts.editor_env.clone().unwrap_or_else(process_env);
    let mut probe = shell_probe_options(opts, &editor_env, None);
    probe.shell = report.shell.clone();
    probe.trace_startup = true;
    probe.early_go = None;
    let traced = shell::probe(&probe);
    if traced.report.outcome != ProbeOutcome::Ok {
        tracing::debug!(outcome = ?traced.report.outcome, "the traced login shell failed; not cached");
        return None;
    }
    let env = traced.env?;
    if env != side.os_env {
        let differ: Vec<&String> = env
            .keys()
            .chain(side.os_env.keys())
            .filter(|k| env.get(*k) != side.os_env.get(*k))
            .collect();
        tracing::info!(
            ?differ,
            "the login shell's environment differs from one run to the next; not cached"
        );
        return None;
    }
    Some(traced.report.startup_files)
}

/// Read `$GOROOT/go.env` of every GOROOT cmd/go might take it from: the env file's GOROOT and
/// the binary's own root (cmd/go looks go.env up through the env file's GOROOT, even when the
/// OS environment overrides GOROOT).
fn read_goroot_env_candidates(side: &mut SideFacts) {
    let mut roots = Vec::new();
    if let Some(g) = side.env_file.as_ref().and_then(|f| f.get("GOROOT")) {
        roots.push(g.value.clone());
    }
    if let Some(own) = side.path_go.as_ref().and_then(|g| g.own_goroot.clone()) {
        roots.push(own);
    }
    for r in roots {
        read_goroot_env(side, &r);
    }
}

fn read_goroot_env(side: &mut SideFacts, goroot: &str) {
    if goroot.is_empty() || side.goroot_env_files.contains_key(goroot) {
        return;
    }
    let file = read_env_file(&Path::new(goroot).join("go.env"));
    side.goroot_env_files.insert(goroot.to_string(), file);
}

fn read_env_file(path: &Path) -> EnvFile {
    match fs::read_text(path) {
        Ok(text) => settings::envfile::parse(path, &text),
        Err(fs::ReadError::NotFound) => EnvFile {
            path: path.to_path_buf(),
            exists: false,
            ..EnvFile::default()
        },
        Err(fs::ReadError::Refused(why)) => EnvFile {
            path: path.to_path_buf(),
            exists: true,
            error: Some(why),
            ..EnvFile::default()
        },
    }
}

/// The text of files as the editor holds them (unsaved buffers), by path: read instead of the
/// file on disk.
pub type Overrides = HashMap<PathBuf, String>;

/// Re-read only what the user edits by hand — the editor settings files and go.mod/go.work — into
/// `snap`, keeping every probe result: **no process runs** (the language server's keystroke path,
/// which must stay fast). `overrides` holds unsaved buffer text, used instead of the disk; byte
/// spans then refer to that text.
///
/// `snap` should be the snapshot as [`collect`] returned it: what `go` said on the editor side
/// under run-environment keys the new settings change is dropped (resolve then derives those
/// keys), and a failed editor `go` run becomes a `NotRun` (the edit may cure it; only a
/// re-probe can tell). Paths the new settings name are stat'ed (no process either).
pub fn refresh_settings(snap: &mut Snapshot, opts: &CheckOptions, overrides: &Overrides) {
    let editor_env = snap.editor.os_env.clone();
    let os = Os::current();
    let subst = settings::jsonc::Substitution {
        workspace_folder: opts.folder.clone(),
        home: snap.home.clone(),
        env: editor_env.clone(),
    };
    let before = editor_run_env(snap);
    snap.settings = read_settings(
        opts,
        &subst,
        snap.home.clone().as_deref(),
        &editor_env,
        os,
        overrides,
    );
    overlay_module_buffers(snap, overrides);
    snap.disabled_checks = opts.disabled_checks.clone();
    add_settings_paths(snap);
    add_effective_paths(snap, SideKind::Editor);
    let after = editor_run_env(snap);
    forget_changed_env(&mut snap.editor, &before, &after);
    let mut views = std::mem::take(&mut snap.editor_views);
    for view in &mut views {
        refresh_view(view, snap, opts, overrides);
    }
    snap.editor_views = views;
}

/// The editor's run env changed from `before` to `after` (a settings edit): what its `go` said
/// about the changed keys no longer holds.
fn forget_changed_env(
    side: &mut SideFacts,
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) {
    let changed: Vec<&str> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .map(String::as_str)
        .collect();
    if !changed.is_empty() {
        crate::goenv::invalidate_side(side, &changed);
    }
}

/// Walk the folder again for go.mod and go.work files (one was created or deleted) and re-read
/// them with the settings: like [`refresh_settings`], **no process runs**.
pub fn refresh_workspace(snap: &mut Snapshot, opts: &CheckOptions, overrides: &Overrides) {
    discover_workspace(snap, opts, overrides, None);
    share_workspace_with_views(snap);
}

/// The folder's go.mod/go.work facts into each of its editor views: a view is the same folder
/// seen through another editor's settings, so it has the same module files.
fn share_workspace_with_views(snap: &mut Snapshot) {
    for view in &mut snap.editor_views {
        view.go_mod = snap.go_mod.clone();
        view.go_work = snap.go_work.clone();
        view.workspace = snap.workspace.clone();
    }
}

/// Replace each module file of `s` that `fresh` has a new reading of; whether a go.work was
/// among them (its `use` lines then need resolving again).
fn replace_module_files(
    s: &mut Snapshot,
    mut fresh: impl FnMut(&Path) -> Option<crate::model::GoModFacts>,
) -> bool {
    let mut works_changed = false;
    let files = s
        .go_mod
        .iter_mut()
        .chain(s.go_work.iter_mut())
        .chain(s.workspace.works.iter_mut());
    for m in files {
        if let Some(new) = fresh(&m.path) {
            works_changed |= m.path.extension().is_some_and(|e| e == "work");
            *m = new;
        }
    }
    // Shared with the probed snapshot: replaced, never copied.
    for m in &mut s.workspace.modules {
        if let Some(new) = fresh(&m.path) {
            *m = std::sync::Arc::new(new);
        }
    }
    works_changed
}

/// The keystroke path for module files: those whose text the editor holds are parsed from
/// it; every other one keeps what `snap` read from disk (a change on disk is re-read with
/// [`reread_module_files`] when the client reports it). Nothing is walked or stat'ed, so a
/// monorepo's thousand go.mod files cost nothing per keystroke; a go.work `use` not seen
/// before, or a go.work a setting now names as GOWORK, is looked up.
fn overlay_module_buffers(snap: &mut Snapshot, overrides: &Overrides) {
    let mut works_changed = !overrides.is_empty()
        && replace_module_files(snap, |path| {
            overrides
                .get(path)
                .map(|text| settings::gomod::parse(path, text))
        });
    for extra in side_gowork_files(snap) {
        if !snap.all_works().any(|w| w.path == extra) {
            let found = workspace::read(
                &workspace::Layout::default(),
                std::slice::from_ref(&extra),
                overrides,
            );
            snap.workspace.works.extend(found.workspace.works);
            works_changed = true;
        }
    }
    if works_changed {
        workspace::resolve_uses(&snap.go_mod, &snap.go_work, &mut snap.workspace, overrides);
    }
}

/// Re-read these go.mod/go.work files from disk into `snap` and its views (saved, or changed
/// on disk): the files the snapshot already knows; others need a walk. Each is read once: the
/// views have the folder's module files.
pub fn reread_module_files(snap: &mut Snapshot, paths: &[PathBuf]) {
    let works_changed = replace_module_files(snap, |path| {
        paths
            .iter()
            .any(|p| p == path)
            .then(|| workspace::read_one(path))
            .flatten()
    });
    if works_changed {
        snap.workspace.use_dirs.clear();
        let none = Overrides::new();
        workspace::resolve_uses(&snap.go_mod, &snap.go_work, &mut snap.workspace, &none);
    }
    share_workspace_with_views(snap);
}

/// `from`'s go.mod/go.work facts (a fresh walk) into `snap` and its editor views.
pub fn take_workspace(snap: &mut Snapshot, from: &Snapshot) {
    snap.go_mod = from.go_mod.clone();
    snap.go_work = from.go_work.clone();
    snap.workspace = from.workspace.clone();
    share_workspace_with_views(snap);
}

/// Every go.mod / go.work of the folder into `snap` ([`workspace`]): walked afresh, or, with
/// `known`, the files an earlier walk found re-read (the keystroke path: no walk).
fn discover_workspace(
    snap: &mut Snapshot,
    opts: &CheckOptions,
    overrides: &Overrides,
    known: Option<workspace::Layout>,
) {
    let layout = known.unwrap_or_else(|| {
        let filters = directory_filters(opts, snap, overrides);
        walk_folder(&opts.folder, &filters)
    });
    let extra = side_gowork_files(snap);
    let found = workspace::read(&layout, &extra, overrides);
    snap.go_mod = found.go_mod;
    snap.go_work = found.go_work;
    snap.workspace = found.workspace;
}

/// [`workspace::layout`] with a log line of what it cost.
fn walk_folder(folder: &Path, filters: &workspace::DirectoryFilters) -> workspace::Layout {
    let started = std::time::Instant::now();
    let l = workspace::layout(folder, filters);
    tracing::debug!(
        folder = %folder.display(),
        dirs = l.dirs_walked,
        modules = l.mod_files.len(),
        works = l.work_files.len(),
        ms = started.elapsed().as_millis() as u64,
        "workspace walked"
    );
    if let Some(why) = &l.truncated {
        tracing::warn!(folder = %folder.display(), "{why}");
    }
    l
}

/// go.work files a side names with an absolute GOWORK (its environment, the go env file, the
/// editor's settings): read even when they lie outside the folder.
fn side_gowork_files(snap: &Snapshot) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut add = |v: &str| {
        let p = Path::new(v);
        if p.is_absolute() && !out.iter().any(|o: &PathBuf| o == p) {
            out.push(p.to_path_buf());
        }
    };
    for side in std::iter::once(&snap.editor).chain(snap.shell.as_ref()) {
        if let Some(v) = side.os_env.get("GOWORK") {
            add(v);
        }
        if let Some(v) = side
            .env_file
            .as_ref()
            .and_then(|f| f.entries.iter().find(|e| e.key == "GOWORK"))
        {
            add(&v.value);
        }
    }
    for c in &snap.settings.values {
        if c.key.env_var() == Some("GOWORK") {
            add(&c.value);
        }
    }
    out
}

/// gopls' `directoryFilters` for the folder: the client's answer, else the highest settings
/// file that sets it, else gopls' default (`-**/node_modules`).
fn directory_filters(
    opts: &CheckOptions,
    snap: &Snapshot,
    overrides: &Overrides,
) -> workspace::DirectoryFilters {
    let strings = |v: &serde_json::Value| -> Option<Vec<String>> {
        Some(
            v.as_array()?
                .iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect(),
        )
    };
    let from_client = opts
        .client_settings
        .as_ref()
        .and_then(|c| c.get("gopls"))
        .and_then(|g| {
            g.get("build.directoryFilters")
                .or_else(|| g.get("directoryFilters"))
                .or_else(|| g.get("build").and_then(|b| b.get("directoryFilters")))
        })
        .and_then(strings);
    let raw = from_client.or_else(|| {
        let mut best: Option<(SettingsLayer, Vec<String>)> = None;
        // A client other than VS Code reads no VS Code file for its settings, but the
        // project's `.vscode/settings.json` still says which trees are not part of it.
        let project = SettingsFile {
            path: opts.folder.join(".vscode").join("settings.json"),
            layer: SettingsLayer::Folder,
            exists: true,
            error: None,
            digest: None,
        };
        let listed = snap.settings.files.iter().any(|f| f.path == project.path);
        let files = snap
            .settings
            .files
            .iter()
            .chain((!listed).then_some(&project))
            .filter(|f| f.exists);
        for f in files {
            if settings::idea::is_idea_file(&f.path) {
                continue;
            }
            let text = match overrides.get(&f.path) {
                Some(t) => t.clone(),
                None => match fs::read_text(&f.path) {
                    Ok(t) => t,
                    Err(_) => continue,
                },
            };
            let root = if f.path.extension().is_some_and(|e| e == "code-workspace") {
                settings::jsonc::SettingsRoot::WorkspaceFile
            } else {
                settings::jsonc::SettingsRoot::TopLevel
            };
            if let Some(v) = settings::jsonc::directory_filters(&text, root) {
                if best.as_ref().is_none_or(|b| f.layer as u8 >= b.0 as u8) {
                    best = Some((f.layer, v));
                }
            }
        }
        best.map(|b| b.1)
    });
    workspace::DirectoryFilters::new(&raw.unwrap_or_else(|| vec!["-**/node_modules".to_string()]))
}

/// The editor side's settings: VS Code's files (with the client's answer on top) for VS Code
/// and for GoLand's client; for any other client only its own answer, since it never reads
/// VS Code's files (those become a view of their own, see [`vscode_view_settings`]).
fn read_settings(
    opts: &CheckOptions,
    subst: &settings::jsonc::Substitution,
    home: Option<&Path>,
    env: &BTreeMap<String, String>,
    os: Os,
    overrides: &Overrides,
) -> EditorSettings {
    if opts.editor_kind == EditorKind::Other {
        let mut out = EditorSettings {
            editor_name: opts.editor_name.clone(),
            ..EditorSettings::default()
        };
        if let Some(client) = &opts.client_settings {
            apply_client_settings(&mut out, client, subst);
        }
        return out;
    }
    read_vscode_settings(
        &opts.editor_name,
        opts.client_settings.as_ref(),
        opts,
        subst,
        home,
        env,
        os,
        overrides,
    )
}

/// The name of the view of VS Code's settings beside another client's own editor side.
pub const VSCODE: &str = "VS Code";

/// For a client that is neither VS Code nor GoLand, VS Code's settings as VS Code users of
/// this project get them: a view of its own, when the project has any (`.vscode/settings.json`
/// or a `*.code-workspace`), never mixed into the client's side.
/// With [`CheckOptions::compare_vscode`] the settings come back even without a project file,
/// with whether the project has one.
fn vscode_view_settings(
    opts: &CheckOptions,
    subst: &settings::jsonc::Substitution,
    home: Option<&Path>,
    env: &BTreeMap<String, String>,
    os: Os,
    overrides: &Overrides,
) -> Option<(EditorSettings, bool)> {
    if opts.editor_kind != EditorKind::Other {
        return None;
    }
    let settings = read_vscode_settings(VSCODE, None, opts, subst, home, env, os, overrides);
    let project_file = settings
        .files
        .iter()
        .any(|f| f.exists && f.layer != SettingsLayer::User);
    (project_file || opts.compare_vscode).then_some((settings, project_file))
}

/// VS Code's settings files, lowest layer first: user, `*.code-workspace` in the folder,
/// folder; then the client's answer (`client`) on top.
#[allow(clippy::too_many_arguments)]
fn read_vscode_settings(
    editor_name: &str,
    client: Option<&serde_json::Value>,
    opts: &CheckOptions,
    subst: &settings::jsonc::Substitution,
    home: Option<&Path>,
    env: &BTreeMap<String, String>,
    os: Os,
    overrides: &Overrides,
) -> EditorSettings {
    use settings::jsonc::SettingsRoot;
    let mut out = EditorSettings {
        editor_name: editor_name.to_string(),
        ..EditorSettings::default()
    };

    let user = opts.user_settings.clone().or_else(|| {
        let candidates = home
            .map(|h| settings::paths::user_settings_files(h, env, os))
            .unwrap_or_default();
        let first = candidates.first().map(|(_, p)| p.clone());
        candidates
            .into_iter()
            .map(|(_, p)| p)
            .find(|p| p.is_file())
            .or(first)
    });
    if let Some(user) = user {
        read_settings_file(
            &mut out,
            &user,
            SettingsLayer::User,
            SettingsRoot::TopLevel,
            subst,
            overrides,
        );
    }
    if let Ok(entries) = std::fs::read_dir(&opts.folder) {
        let mut workspaces: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "code-workspace"))
            .collect();
        workspaces.sort();
        if let Some(ws) = workspaces.first() {
            read_settings_file(
                &mut out,
                ws,
                SettingsLayer::Workspace,
                SettingsRoot::WorkspaceFile,
                subst,
                overrides,
            );
        }
    }
    let folder_settings = opts.folder.join(".vscode").join("settings.json");
    read_settings_file(
        &mut out,
        &folder_settings,
        SettingsLayer::Folder,
        SettingsRoot::TopLevel,
        subst,
        overrides,
    );
    if let Some(client) = client {
        apply_client_settings(&mut out, client, subst);
    }
    out
}

/// The client's `go` / `gopls` sections flattened to our dotted keys (`go.goroot`,
/// `go.alternateTools.go`, `go.gopath`, `go.toolsEnvVars.VAR`, `gopls.build.env.VAR`,
/// `gopls.env.VAR`); only
/// string values (a null is "not set").
fn client_values(client: &serde_json::Value) -> Vec<(SettingKey, String)> {
    use serde_json::Value;
    let mut out = Vec::new();
    let go = client.get("go");
    let string = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    if let Some(v) = string(go.and_then(|g| g.get("goroot"))) {
        out.push((SettingKey::GoGoroot, v));
    }
    if let Some(v) = string(go.and_then(|g| g.get("gopath"))) {
        out.push((SettingKey::GoGopath, v));
    }
    if let Some(v) = string(
        go.and_then(|g| g.get("alternateTools"))
            .and_then(|a| a.get("go")),
    ) {
        out.push((SettingKey::alternate_go(), v));
    }
    let mut vars = |family: fn(String) -> SettingKey, obj: Option<&Value>| {
        if let Some(Value::Object(m)) = obj {
            for (k, v) in m {
                let key = family(k.clone());
                match v {
                    Value::String(v) => out.push((key, v.clone())),
                    // vscode-go hands a number or boolean of toolsEnvVars to the tools as
                    // text (node stringifies environment values).
                    Value::Number(_) | Value::Bool(_) if key.tools_env_var_name().is_some() => {
                        out.push((key, v.to_string()));
                    }
                    _ => {}
                }
            }
        }
    };
    vars(
        SettingKey::ToolsEnvVar,
        go.and_then(|g| g.get("toolsEnvVars")),
    );
    let gopls = client.get("gopls");
    let build_env = gopls.and_then(|g| g.get("build.env")).or_else(|| {
        gopls
            .and_then(|g| g.get("build"))
            .and_then(|b| b.get("env"))
    });
    vars(SettingKey::GoplsBuildEnv, build_env);
    // gopls reads `env` as the same setting as `build.env` (the last element of the name).
    vars(SettingKey::GoplsEnv, gopls.and_then(|g| g.get("env")));
    out
}

/// The client's answer is the effective value (it knows layers we cannot read: Neovim's Lua
/// `settings`, VS Code profiles, remote settings, policies); the files still tell where a value
/// lives. A client value overrides the winning file member of its key, which keeps its span
/// (the diagnostic and the fix go to that member). A value no file member holds becomes a
/// [`SettingsLayer::Client`] value: the editor really uses it, so the rules must see it, even
/// though there is no place to show or edit it.
fn apply_client_settings(
    out: &mut EditorSettings,
    client: &serde_json::Value,
    subst: &settings::jsonc::Substitution,
) {
    for (key, raw) in client_values(client) {
        // vscode-go passes gopls' build.env through unchanged.
        let value = if key.is_gopls() {
            raw.clone()
        } else {
            settings::jsonc::substitute(&raw, subst)
        };
        let winning = out
            .values
            .iter_mut()
            .filter(|v| v.key == key)
            .max_by_key(|v| v.layer);
        let Some(member) = winning else {
            tracing::debug!(key = %key, client = %crate::redact::redact(&raw), "a client setting no settings file holds");
            out.values.push(Configured::client_only(key, raw, value));
            continue;
        };
        if member.raw == raw {
            continue;
        }
        tracing::debug!(key = %key, file = %crate::redact::redact(&member.raw), client = %crate::redact::redact(&raw), "the client's setting wins");
        member.value = value;
        member.raw = raw;
    }
}

/// Settings files larger than this are not parsed (a 10 MB settings file is a mistake, and
/// parsing it on every keystroke would be felt).
const MAX_SETTINGS_BYTES: u64 = fs::MAX_INPUT_BYTES;

fn read_settings_file(
    out: &mut EditorSettings,
    path: &Path,
    layer: SettingsLayer,
    root: settings::jsonc::SettingsRoot,
    subst: &settings::jsonc::Substitution,
    overrides: &Overrides,
) {
    let mut file = SettingsFile {
        path: path.to_path_buf(),
        layer,
        exists: false,
        error: None,
        digest: None,
    };
    if let Some(text) = overrides.get(path) {
        file.exists = true;
        file.digest = Some(fs::digest(text.as_bytes()));
        match settings::jsonc::parse_settings(path, text, layer, root, subst) {
            Ok(values) => out.values.extend(values),
            Err(e) => file.error = Some(e),
        }
        out.files.push(file);
        return;
    }
    match fs::read_bounded(path, MAX_SETTINGS_BYTES) {
        Err(fs::ReadError::NotFound) => {}
        Err(fs::ReadError::Refused(why)) => {
            file.exists = true;
            file.error = Some(crate::model::SettingsError {
                message: why,
                line: 1,
                column: 1,
            });
        }
        Ok(bytes) => {
            file.exists = true;
            file.digest = Some(fs::digest(&bytes));
            let parsed = settings::jsonc::decode(&bytes)
                .and_then(|text| settings::jsonc::parse_settings(path, text, layer, root, subst));
            match parsed {
                Ok(values) => out.values.extend(values),
                Err(e) => file.error = Some(e),
            }
        }
    }
    out.files.push(file);
}

/// The environment the editor runs `go` with: its own env overlaid by its Go settings, exactly
/// as the resolver models the editor (vscode-go: toolExecutionEnvironment), so that what runs
/// is what the rules reason about.
pub fn editor_run_env(snap: &Snapshot) -> BTreeMap<String, String> {
    resolve::effective(snap, SideKind::Editor)
        .map(|e| e.process_env)
        .unwrap_or_else(|| snap.editor.os_env.clone())
}

/// Decide which `go` the editor runs and with which environment. Returns what to run, or
/// `None` when there is no `go` or it must not run (workspace-chosen, untrusted: recorded as
/// `NotRun`).
fn plan_editor_go(
    snap: &mut Snapshot,
    opts: &CheckOptions,
) -> Option<(PathBuf, BTreeMap<String, String>)> {
    let run_env = editor_run_env(snap);
    if let Some(goroot) = run_env.get("GOROOT").filter(|g| !g.is_empty()).cloned() {
        read_goroot_env(&mut snap.editor, &goroot);
    }
    read_goroot_env_candidates(&mut snap.editor);
    let chosen = resolve::effective(snap, SideKind::Editor)
        .and_then(|e| e.go)
        .or_else(|| snap.editor.path_go.clone());
    let mut binary = chosen?;
    binary.workspace_chosen |= chosen_by_workspace(snap, &binary);
    if let Some(own) = binary.own_goroot.clone() {
        read_goroot_env(&mut snap.editor, &own);
    }
    let path = binary.path.clone();
    let refused = refuse_untrusted(&mut binary, opts);
    snap.editor.go = Some(binary);
    if let Some(reason) = refused {
        snap.editor.go_env = Some(CommandResult::NotRun {
            reason: reason.clone(),
        });
        snap.editor.gotoolchain = Some(CommandResult::NotRun { reason });
        return None;
    }
    Some((path, run_env))
}

/// Decide and run the editor's `go` in one go (views derived after the main check).
fn run_editor_go(snap: &mut Snapshot, opts: &CheckOptions, runs: &go::Runs) {
    if let Some((binary, run_env)) = plan_editor_go(snap, opts) {
        let run = go::probe(
            runs,
            &binary,
            &run_env,
            &opts.folder,
            snap.editor.env_file.as_ref(),
        );
        snap.editor.go_env = Some(run.env_json);
        snap.editor.go_version = run.version;
        snap.editor.gotoolchain = Some(run.gotoolchain);
    }
}

/// [`trust::refusal`] with this check's folder and trust.
fn refuse_untrusted(binary: &mut GoBinary, opts: &CheckOptions) -> Option<String> {
    trust::refusal(binary, &opts.folder, opts.trusted)
}

/// Where the login shell starts. In a trusted folder, the folder itself, so that per-folder
/// version managers (asdf, mise, goenv) pick the folder's version as a terminal opened there
/// would. In an untrusted folder, the user's home directory (`/` without one, or when home is
/// inside the folder): rc-file hooks that source `./.envrc`, read `.tool-versions` through a
/// plugin or run on `cd` would otherwise execute files a stranger committed.
pub fn shell_probe_cwd(opts: &CheckOptions, editor_env: &BTreeMap<String, String>) -> PathBuf {
    if opts.trusted {
        return opts.folder.clone();
    }
    editor_env
        .get("HOME")
        .map(PathBuf::from)
        .filter(|h| h.is_absolute() && h.is_dir() && !go::is_inside(h, &opts.folder))
        .unwrap_or_else(|| PathBuf::from("/"))
}

/// A `go` named by folder- or workspace-level settings is the workspace's choice: a cloned
/// repository picked it, so it is only inspected until the user trusts the workspace.
fn chosen_by_workspace(snap: &Snapshot, binary: &GoBinary) -> bool {
    let workspace_level = |c: &Configured| c.layer.workspace_level();
    match binary.found_by {
        GoFoundBy::AlternateTools => snap
            .settings
            .get(&SettingKey::alternate_go())
            .is_some_and(workspace_level),
        GoFoundBy::GorootBin => {
            let from_setting = snap
                .settings
                .get(&SettingKey::GoGoroot)
                .filter(|c| workspace_level(c))
                .is_some_and(|c| binary.path.starts_with(&c.value));
            let from_tools_env = snap
                .settings
                .tools_env_vars()
                .get("GOROOT")
                .is_some_and(|c| workspace_level(c));
            from_setting || from_tools_env
        }
        _ => false,
    }
}

const PATH_KEYS: [&str; 4] = ["GOROOT", "GOCACHE", "GOBIN", "GOMODCACHE"];

/// Stat the paths a side mentions before we know its effective env: its env's and env file's
/// GOROOT/GOCACHE/GOPATH/GOBIN and its `go`'s own root.
fn add_side_paths(snap: &mut Snapshot, kind: SideKind) {
    let Some(side) = side(snap, kind) else { return };
    let mut want: BTreeSet<(String, bool)> = BTreeSet::new();
    for key in PATH_KEYS {
        let goroot = key == "GOROOT";
        if let Some(v) = side.os_env.get(key) {
            want.insert((v.clone(), goroot));
        }
        if let Some(e) = side.env_file.as_ref().and_then(|f| f.get(key)) {
            want.insert((e.value.clone(), goroot));
        }
    }
    for gopath in side.os_env.get("GOPATH").into_iter().chain(
        side.env_file
            .as_ref()
            .and_then(|f| f.get("GOPATH"))
            .map(|e| &e.value),
    ) {
        for entry in std::env::split_paths(gopath) {
            want.insert((entry.to_string_lossy().into_owned(), false));
        }
    }
    for g in [&side.path_go, &side.go].into_iter().flatten() {
        if let Some(own) = &g.own_goroot {
            want.insert((own.clone(), true));
        }
    }
    // The default cache as cmd/go derives it (one definition, in goenv); a relative one
    // (relative XDG_CACHE_HOME) names no directory to look at.
    let env = |k: &str| {
        side.os_env
            .get(k)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let goos = match std::env::consts::OS {
        "macos" => "darwin",
        os => os,
    };
    if let Some(cache) = resolve::default_gocache(goos, &env).filter(|c| Path::new(c).is_absolute())
    {
        want.insert((cache, false));
    }
    stat_all(snap, want);
}

/// Paths named by the editor settings: every go.goroot, go.alternateTools.go and path-like
/// toolsEnvVars, from every layer (a fix may reveal a lower layer's value).
fn add_settings_paths(snap: &mut Snapshot) {
    let mut want = BTreeSet::new();
    for v in &snap.settings.values {
        let goroot = v.key.is_goroot_like();
        let pathlike = goroot
            || v.key.is_alternate_go()
            || v.key == SettingKey::GoGopath
            || v.key.env_var().is_some_and(|var| PATH_KEYS.contains(&var));
        if pathlike && !v.value.is_empty() {
            want.insert((v.value.clone(), goroot));
        }
        if v.key.is_alternate_go() {
            // Its version comes from the root it finds by itself (exe/../..).
            if let Some(root) = go::own_goroot(Path::new(&v.value)) {
                want.insert((root.to_string_lossy().into_owned(), true));
            }
        }
        if v.key.is_gopath_like() {
            for entry in std::env::split_paths(&v.value) {
                want.insert((entry.to_string_lossy().into_owned(), false));
            }
        }
    }
    want.extend(
        vscode_go_candidates(snap)
            .into_iter()
            .map(|p| (p.to_string_lossy().into_owned(), false)),
    );
    stat_all(snap, want);
    let roots: Vec<String> = snap
        .settings
        .values
        .iter()
        .filter(|v| v.key.is_goroot_like())
        .map(|v| v.value.clone())
        .collect();
    for r in roots {
        read_goroot_env(&mut snap.editor, &r);
        if let Some(own) = go::own_goroot(&Path::new(&r).join("bin").join(go::exe_name("go"))) {
            read_goroot_env(&mut snap.editor, &own.to_string_lossy());
        }
    }
}

/// The files vscode-go may take as `go` besides PATH's (which facts already found): `go` in
/// every `$GOBIN` entry of the editor's environment, and for a `go.alternateTools.go` that is
/// a name or a relative path, that name in `$GOBIN`, `<root>/bin` and every PATH entry, and
/// vscode-go's fixed fallbacks. Rules decide among them without touching the disk.
fn vscode_go_candidates(snap: &Snapshot) -> Vec<PathBuf> {
    let env = &snap.editor.os_env;
    let gobin: Vec<PathBuf> = env
        .get("GOBIN")
        .filter(|v| !v.is_empty())
        .map(|v| std::env::split_paths(v).collect())
        .unwrap_or_default();
    let go = go::exe_name("go");
    let mut out: Vec<PathBuf> = gobin.iter().map(|d| d.join(&go)).collect();
    let Some(name) = snap
        .settings
        .values
        .iter()
        .filter(|v| v.key.is_alternate_go() && !v.value.is_empty())
        .map(|v| v.value.clone())
        .find(|v| !Path::new(v).is_absolute())
    else {
        return out;
    };
    let roots: Vec<String> = snap
        .settings
        .values
        .iter()
        .filter(|v| v.key == SettingKey::GoGoroot)
        .map(|v| v.value.clone())
        .chain(env.get("GOROOT").cloned())
        .filter(|v| !v.is_empty())
        .collect();
    out.extend(gobin.iter().map(|d| d.join(&name)));
    for r in roots {
        out.extend(std::env::split_paths(&r).map(|d| d.join("bin").join(&name)));
    }
    out.extend(snap.editor.path_entries.iter().map(|d| d.join(&name)));
    out.extend(resolve::VSCODE_GO_FALLBACKS.iter().map(PathBuf::from));
    out
}

/// Stat what the effective env of a side names (GOROOT, GOCACHE, GOPATH entries, GOBIN).
fn add_effective_paths(snap: &mut Snapshot, kind: SideKind) {
    let Some(eff) = resolve::effective(snap, kind) else {
        return;
    };
    let mut want = BTreeSet::new();
    for key in PATH_KEYS {
        if let Some(v) = eff.env.get(key) {
            want.insert((v.value.clone(), key == "GOROOT"));
        }
    }
    if let Some(gopath) = eff.env.get("GOPATH") {
        for entry in std::env::split_paths(&gopath.value) {
            let entry = entry.to_string_lossy().into_owned();
            want.insert((format!("{entry}/bin"), false));
            want.insert((entry, false));
        }
    }
    if let Some(go_env) = side(snap, kind)
        .and_then(|s| s.go_env.as_ref())
        .and_then(|r| r.ok())
    {
        for key in PATH_KEYS {
            if let Some(v) = go_env.get(key) {
                want.insert((v.clone(), key == "GOROOT"));
            }
        }
    }
    stat_all(snap, want);
}

fn stat_all(snap: &mut Snapshot, want: BTreeSet<(String, bool)>) {
    for (p, goroot) in want {
        if p.is_empty() || p == "off" {
            continue;
        }
        let needs = match snap.paths.get(&p) {
            None => true,
            Some(f) => goroot && f.goroot_layout.is_none() && f.exists,
        };
        if needs {
            let facts: PathFacts = fs::stat(Path::new(&p), goroot);
            // Rules ask whether a missing directory could be created: stat its nearest parent.
            let ancestor = facts.existing_ancestor.clone();
            snap.paths.insert(p, facts);
            if let Some(a) = ancestor {
                let key = a.to_string_lossy().into_owned();
                snap.paths.entry(key).or_insert_with(|| fs::stat(&a, false));
            }
        }
    }
}

fn side(snap: &Snapshot, kind: SideKind) -> Option<&SideFacts> {
    match kind {
        SideKind::Editor => Some(&snap.editor),
        SideKind::Shell => snap.shell.as_ref(),
    }
}

/// Every Go installation we know of: GOROOTs seen so far, `~/sdk/*`, `/usr/local/go`, the
/// roots of `goX.Y.Z` binaries on either PATH.
fn add_installs(snap: &mut Snapshot, well_known: Vec<(PathBuf, &'static str)>) {
    let installed_by: BTreeMap<PathBuf, &'static str> = well_known.iter().cloned().collect();
    let mut roots: BTreeSet<PathBuf> = snap
        .paths
        .iter()
        .filter(|(_, f)| f.goroot_layout.as_ref().is_some_and(|l| l.has_bin_go))
        .map(|(p, _)| PathBuf::from(p))
        .collect();
    roots.extend(well_known.into_iter().map(|(root, _)| root));
    let sides = std::iter::once(&snap.editor).chain(snap.shell.iter());
    for s in sides {
        for bin in s.path_toolchains.values() {
            if let Some(root) = go::own_goroot(bin) {
                roots.insert(root);
            }
        }
        for g in [&s.path_go, &s.go].into_iter().flatten() {
            if let Some(own) = &g.own_goroot {
                roots.insert(PathBuf::from(own));
            }
        }
    }
    for root in roots {
        if let Some(mut install) = go::install_at(&root) {
            install.installed_by = installed_by.get(&root).map(|w| w.to_string());
            // A fix may point either side at this install: its go.env must be known to both.
            let root_str = install.goroot.clone();
            read_goroot_env(&mut snap.editor, &root_str);
            if let Some(shell) = snap.shell.as_mut().filter(|s| resolve::probe_ok(s)) {
                read_goroot_env(shell, &root_str);
            }
            let key = install.goroot.clone();
            if !snap.paths.contains_key(&key) {
                snap.paths.insert(key.clone(), fs::stat(&root, true));
            }
            snap.installs.insert(key, install);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod client_settings_tests {
    use super::*;

    fn configured(key: &str, raw: &str, layer: SettingsLayer, start: usize) -> Configured {
        Configured {
            key: key.into(),
            raw: raw.to_string(),
            value: raw.to_string(),
            layer,
            span: crate::model::SourceSpan {
                file: PathBuf::from("/w/.vscode/settings.json"),
                start,
                end: start + raw.len() + 2,
                line: 1,
                column: 1,
            },
        }
    }

    #[test]
    fn client_values_override_the_winning_member_and_keep_its_span() {
        let mut s = EditorSettings {
            values: vec![
                configured("go.goroot", "/user/go", SettingsLayer::User, 3),
                configured("go.goroot", "/folder/go", SettingsLayer::Folder, 7),
                configured(
                    "go.toolsEnvVars.GOPROXY",
                    "direct",
                    SettingsLayer::Folder,
                    40,
                ),
                configured(
                    "gopls.build.env.GOFLAGS",
                    "-mod=mod",
                    SettingsLayer::User,
                    90,
                ),
            ],
            ..EditorSettings::default()
        };
        let subst = settings::jsonc::Substitution {
            workspace_folder: PathBuf::from("/w"),
            home: Some(PathBuf::from("/home/u")),
            env: BTreeMap::new(),
        };
        let client = serde_json::json!({
            "go": {
                "goroot": "~/sdk/go1.21.13",
                "gopath": null,
                "toolsEnvVars": {"GOPROXY": "direct", "GOFLAGS": "-x"},
            },
            "gopls": {"build": {"env": {"GOFLAGS": "-tags=x"}}},
        });
        apply_client_settings(&mut s, &client, &subst);
        let goroot = s.get("go.goroot").unwrap();
        assert_eq!(goroot.raw, "~/sdk/go1.21.13");
        assert_eq!(goroot.value, "/home/u/sdk/go1.21.13");
        assert_eq!(
            (goroot.layer, goroot.span.start),
            (SettingsLayer::Folder, 7)
        );
        // The lower layer keeps its own value (removing the winner would expose it).
        assert!(s.values.iter().any(|v| v.raw == "/user/go"));
        assert_eq!(s.get("go.toolsEnvVars.GOPROXY").unwrap().raw, "direct");
        // No member holds it: the client's value counts, in no file.
        let goflags = s.get("go.toolsEnvVars.GOFLAGS").unwrap();
        assert_eq!(
            (goflags.layer, goflags.raw.as_str(), goflags.place()),
            (SettingsLayer::Client, "-x", None)
        );
        // A null is "not set": nothing to add.
        assert!(s.get("go.gopath").is_none());
        let gopls = s.get("gopls.build.env.GOFLAGS").unwrap();
        assert_eq!(
            (gopls.raw.as_str(), gopls.value.as_str()),
            ("-tags=x", "-tags=x")
        );
        assert_eq!(gopls.span.start, 90);
        // Members the client overrode are still in their files.
        assert_eq!(
            s.values.iter().filter(|v| v.place().is_none()).count(),
            1,
            "{:#?}",
            s.values
        );
    }

    #[test]
    fn client_sections_flatten_to_dotted_keys() {
        let client = serde_json::json!({
            "go": {
                "goroot": "/g",
                "gopath": "/p",
                "alternateTools": {"go": "/alt/go", "gopls": "/alt/gopls"},
                "toolsEnvVars": {"GOPROXY": "off", "CGO_ENABLED": 0, "GOFLAGS": null},
                "formatTool": "gofumpt",
            },
            // The flat "build.env" form (how VS Code's gopls section arrives).
            "gopls": {"build.env": {"GOFLAGS": "-mod=mod"}, "ui.semanticTokens": true},
        });
        let mut got: Vec<(String, String)> = client_values(&client)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        got.sort();
        let want: Vec<(String, String)> = [
            ("go.alternateTools.go", "/alt/go"),
            ("go.gopath", "/p"),
            ("go.goroot", "/g"),
            ("go.toolsEnvVars.CGO_ENABLED", "0"),
            ("go.toolsEnvVars.GOPROXY", "off"),
            ("gopls.build.env.GOFLAGS", "-mod=mod"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(got, want);
        // Sections that are absent, null or not objects give nothing.
        for empty in [
            serde_json::json!({}),
            serde_json::json!({"go": null, "gopls": null}),
            serde_json::json!({"go": "x", "gopls": []}),
            serde_json::Value::Null,
        ] {
            assert!(client_values(&empty).is_empty(), "{empty}");
        }
    }

    /// Neovim's `settings = { go = { goroot = … } }` with no settings file at all: the value
    /// becomes the editor's effective GOROOT, substituted like vscode-go does, with an origin
    /// that names the setting and no file.
    #[test]
    fn a_client_only_goroot_is_the_editors_goroot_from_the_client() {
        let mut settings = EditorSettings {
            editor_name: "VS Code".into(),
            ..EditorSettings::default()
        };
        let subst = settings::jsonc::Substitution {
            workspace_folder: PathBuf::from("/w"),
            home: Some(PathBuf::from("/home/u")),
            env: BTreeMap::new(),
        };
        let client = serde_json::json!({"go": {"goroot": "${workspaceFolder}/../sdk/go"}});
        apply_client_settings(&mut settings, &client, &subst);
        let c = settings.get("go.goroot").unwrap();
        assert_eq!(c.value, "/w/../sdk/go");
        assert_eq!(c.layer, SettingsLayer::Client);
        assert!(c.place().is_none());
        assert!(!c.layer.workspace_level());
        assert_eq!(
            c.origin(),
            crate::model::Origin::ClientSetting {
                key: "go.goroot".into()
            }
        );

        let snap = Snapshot {
            folder: PathBuf::from("/w"),
            settings,
            ..Snapshot::default()
        };
        // An unknown path gets the benefit of the doubt (like any go.goroot).
        let editor = resolve::effective(&snap, SideKind::Editor).unwrap();
        let goroot = editor.get("GOROOT").unwrap();
        assert_eq!(goroot.value, "/w/../sdk/go");
        assert_eq!(
            goroot.origin,
            crate::model::Origin::ClientSetting {
                key: "go.goroot".into()
            }
        );
        assert_eq!(
            resolve::origin_words(&snap, "VS Code", "GOROOT", &goroot.origin),
            "from go.goroot in VS Code's configuration, not in any settings file"
        );
    }
}
