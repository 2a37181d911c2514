//! The language server (`go-env-doctor serve`; its behaviour for users is in the README's
//! *Language server*) on tower-lsp-server over stdio.
//!
//! The only module that knows LSP types. It maps findings to diagnostics (published for every
//! affected file, open or not), fixes to code actions (JSONC text edits computed against the
//! file's current text; `go env -w/-u` as commands), and answers hovers from the last
//! snapshot. Facts are collected on a blocking thread, never on the message loop; a generation
//! counter drops results that a newer re-check superseded. State lives behind a `std` mutex
//! that is never held across an `.await`.

mod actions;
mod cache;
pub mod convert;
mod hover;
mod status;
#[doc(hidden)]
pub mod transport;
mod watch;

use crate::facts::{self, CheckOptions, Overrides};
use crate::model::{Finding, SideKind, Snapshot};
use crate::report::{human, Report};
use crate::rules;
use convert::Encoding;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::lsp_types::request::WorkDoneProgressCreate;
use tower_lsp_server::lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability,
    CodeActionResponse, ConfigurationItem, Diagnostic, DidChangeConfigurationParams,
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidChangeWorkspaceFoldersParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    ExecuteCommandOptions, ExecuteCommandParams, FileChangeType, FileSystemWatcher, GlobPattern,
    Hover, HoverParams, HoverProviderCapability, InitializeParams, InitializeResult,
    InitializedParams, LSPAny, MarkupKind, MessageType, NumberOrString, OneOf,
    PositionEncodingKind, Registration, RelativePattern, ResourceOperationKind, SaveOptions,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Unregistration, Uri,
    WorkDoneProgressCancelParams, WorkDoneProgressCreateParams, WorkspaceFoldersServerCapabilities,
    WorkspaceServerCapabilities,
};
use tower_lsp_server::{Client, LanguageServer, LspService, Server, UriExt};

/// Changes the log filter at run time (`logLevel`); the front end that set up logging makes it.
pub type LogReload = Box<dyn Fn(&str) -> std::result::Result<(), String> + Send + Sync>;

/// Re-check after this long without further changes.
const DEBOUNCE: Duration = Duration::from_millis(150);

pub const CMD_RECHECK: &str = "goEnvDoctor.recheck";
pub const CMD_REPORT: &str = "goEnvDoctor.report";
pub const CMD_GO_ENV_WRITE: &str = "goEnvDoctor.goEnvWrite";
pub const CMD_GO_ENV_UNSET: &str = "goEnvDoctor.goEnvUnset";
pub const CMD_CREATE_DIRECTORY: &str = "goEnvDoctor.createDirectory";
pub const CMD_CLEAN_CACHE: &str = "goEnvDoctor.cleanCache";
pub const CMD_EDITOR_SETUP: &str = "goEnvDoctor.editorSetup";

/// Run the server on stdin/stdout until the client says `exit` (or its input ends); exit code
/// 0 when `shutdown` came first, else 1. `log_reload` changes the log filter when the
/// configuration's `logLevel` says so.
pub fn run(log_reload: Option<LogReload>) -> ExitCode {
    let log_reload = log_reload.map(Arc::new);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!("cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let helper_exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            tracing::error!("cannot locate my own executable: {e}");
            return ExitCode::from(2);
        }
    };
    let ending = runtime.block_on(async move {
        let (service, socket) =
            LspService::build(|client| Backend::new(client, helper_exe, log_reload))
                .custom_method("window/workDoneProgress/cancel", Backend::progress_cancel)
                .finish();
        // tower-lsp only sees what the guard let through, and writes through it.
        transport::guard(tokio::io::stdin(), tokio::io::stdout(), |input, output| {
            Server::new(input, output, socket).serve(service)
        })
        .await
    });
    // A probe still running (the client exited mid-check), or the guard's read of a stdin the
    // client keeps open after `exit`, must not keep us alive.
    // Nor may it outlive us: its shell, go and whatever the rc files started end first.
    let killed = facts::children::kill_all();
    if killed > 0 {
        tracing::info!(
            killed,
            "ended the processes of checks still running at exit"
        );
    }
    runtime.shutdown_timeout(Duration::from_millis(500));
    // LSP: exit code 0 only when `shutdown` came before `exit`; a client that vanished without
    // shutting us down ended the session abnormally too.
    if ending.shut_down {
        ExitCode::SUCCESS
    } else {
        if ending.exited {
            tracing::warn!("exit without a shutdown request: exit code 1");
        } else {
            tracing::warn!("the client's input ended without a shutdown request: exit code 1");
        }
        ExitCode::from(1)
    }
}

/// `initializationOptions` / the `goEnvDoctor` configuration section.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Config {
    pub shell: Option<PathBuf>,
    pub shell_timeout_seconds: Option<u64>,
    pub trusted: bool,
    pub disabled_checks: Vec<String>,
    pub log_level: Option<String>,
    /// The VS Code user settings file to read (tests; else `GO_ENV_DOCTOR_USER_SETTINGS`,
    /// else the OS's standard locations).
    pub user_settings: Option<PathBuf>,
    /// The editor's name, for clients that send no `clientInfo` (eglot 1.9, Vim's ALE): the
    /// snippets in editors/ set it.
    pub editor: Option<String>,
}

impl Config {
    /// `initializationOptions` with the `goEnvDoctor` section's members on top (the section
    /// wins: `initializationOptions` is the fallback for clients that cannot answer
    /// `workspace/configuration`).
    fn merged(init: &serde_json::Value, section: Option<&serde_json::Value>) -> Config {
        let mut base = match init {
            serde_json::Value::Object(m) => m.clone(),
            _ => serde_json::Map::new(),
        };
        if let Some(serde_json::Value::Object(m)) = section {
            for (k, v) in m {
                base.insert(k.clone(), v.clone());
            }
        }
        Config::from_value(Some(&serde_json::Value::Object(base)))
    }

    fn from_value(v: Option<&serde_json::Value>) -> Config {
        match v {
            None | Some(serde_json::Value::Null) => Config::default(),
            Some(v) => serde_json::from_value(v.clone()).unwrap_or_else(|e| {
                tracing::warn!("ignoring invalid initializationOptions: {e}");
                Config::default()
            }),
        }
    }
}

/// An open document.
#[derive(Debug, Clone)]
pub(crate) struct Doc {
    pub text: String,
    pub version: i32,
}

/// The last check of one workspace folder.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    /// The snapshot as the probes left it (settings read from disk): the base every
    /// settings-only re-check starts from.
    pub probed: Snapshot,
    /// `probed` with the settings as they are now (open buffers' text included).
    pub snapshot: Snapshot,
    pub findings: Vec<Finding>,
}

impl Checked {
    /// Rules run on `probed` with the settings re-read (`reread`, no process) with the open
    /// buffers' text.
    fn new(probed: Snapshot, opts: &CheckOptions, overrides: &Overrides, reread: bool) -> Checked {
        let mut snapshot = probed.clone();
        if reread {
            facts::refresh_settings(&mut snapshot, opts, overrides);
        }
        // Every editor view (VS Code; GoLand when the folder has .idea/workspace.xml).
        let findings = rules::check_all(&snapshot);
        Checked {
            probed,
            snapshot,
            findings,
        }
    }

    /// What the editor side's probe ran (its `go` and run environment) differs from what the
    /// current settings would run: the probe is stale and a re-probe would learn something.
    fn editor_probe_stale(&self) -> bool {
        let ran = self.probed.editor.go.as_ref().map(|g| g.path.clone());
        let would = rules::resolve::effective(&self.snapshot, SideKind::Editor)
            .and_then(|e| e.go)
            .map(|g| g.path);
        ran != would || facts::editor_run_env(&self.probed) != facts::editor_run_env(&self.snapshot)
    }
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub enc: Encoding,
    pub config: Config,
    pub folders: Vec<PathBuf>,
    pub docs: HashMap<PathBuf, Doc>,
    /// Bumped on every open/change/close: a check that read other buffers is refreshed.
    pub docs_epoch: u64,
    pub results: BTreeMap<PathBuf, Checked>,
    /// Files we published non-empty diagnostics for (to clear them later).
    pub published: BTreeSet<PathBuf>,
    /// The client renders Markdown in hovers (`hover.contentFormat`); else plain text.
    pub hover_markdown: bool,
    /// The client asked for `goEnvDoctor/serverStatus` after each publish.
    pub status_notifications: bool,
    /// What we last published for each file: clients that do not echo a diagnostic's `data`
    /// in `textDocument/codeAction` (Vim's ALE, older clients) get their fixes from here.
    pub last_published: HashMap<PathBuf, Vec<Diagnostic>>,
    /// The client applies `documentChanges` / can create files in a workspace edit.
    pub document_changes: bool,
    pub create_files: bool,
    /// The client answers `workspace/configuration`.
    pub pull_config: bool,
    /// `initializationOptions`, the base the `goEnvDoctor` section overrides.
    pub init_config: serde_json::Value,
    pub shut_down: bool,
    /// The client watches files for us (dynamic `workspace/didChangeWatchedFiles`
    /// registration), with `RelativePattern`s.
    pub watch_registration: bool,
    pub relative_patterns: bool,
    /// The probes' inputs watched now (by directory), see [`watch`].
    pub watched: watch::Targets,
    /// The rc files of the login shells the latest check starts: watched from before the
    /// probe runs, so an edit while a slow shell is still starting is not missed.
    pub starting_rc: Vec<PathBuf>,
    /// The client's name (`clientInfo`, else `initializationOptions.editor`) when it is not
    /// VS Code, e.g. "Neovim": the editor side is named after it. `None`: VS Code.
    pub client_name: Option<String>,
    /// What the client is, which decides the files its editor side reads.
    pub editor_kind: crate::model::EditorKind,
    /// The client's `go` and `gopls` sections (`{"go": …, "gopls": …}`), when it pushed them:
    /// the effective editor settings over the files', for every folder.
    pub client_settings: Option<serde_json::Value>,
    /// The same, answered to `workspace/configuration` for each folder (scoped to it).
    pub folder_client_settings: HashMap<PathBuf, serde_json::Value>,
}

#[derive(Clone)]
pub(crate) struct Backend {
    client: Client,
    state: Arc<Mutex<State>>,
    generation: Arc<AtomicU64>,
    helper_exe: PathBuf,
    /// Cancel flags of running `$/progress` work, by token.
    cancels: Arc<Mutex<HashMap<String, Arc<AtomicBool>>>>,
    /// What `go clean -cache` would remove, for code action titles (one per check).
    previews: Arc<Mutex<actions::Previews>>,
    /// Our own file watcher, when the client does not watch for us.
    fs_watch: Arc<Mutex<Option<watch::FsWatch>>>,
    /// What is registered with the client now (registrations are serialised by this lock).
    registered: Arc<tokio::sync::Mutex<Option<watch::Targets>>>,
    /// Held while probes run: one probe in flight per side.
    probe_lock: Arc<tokio::sync::Mutex<()>>,
    /// Stops the running check's processes when a newer check supersedes it, with that
    /// check's generation.
    running: Arc<Mutex<(u64, facts::process::Cancel)>>,
    /// The newest generation whose results are in place and published.
    checked: Arc<tokio::sync::watch::Sender<u64>>,
    /// Login-shell probes by their inputs.
    shell_cache: Arc<Mutex<cache::ShellCache>>,
    /// Changes the log filter (`logLevel`); `None` when logging was set up elsewhere.
    log_reload: Option<Arc<LogReload>>,
    /// The `logLevel` applied last.
    log_level: Arc<Mutex<Option<String>>>,
}

impl Backend {
    fn new(client: Client, helper_exe: PathBuf, log_reload: Option<Arc<LogReload>>) -> Self {
        Backend {
            client,
            state: Arc::default(),
            generation: Arc::default(),
            helper_exe,
            cancels: Arc::default(),
            previews: Arc::default(),
            fs_watch: Arc::default(),
            registered: Arc::default(),
            probe_lock: Arc::default(),
            running: Arc::default(),
            checked: Arc::new(tokio::sync::watch::Sender::new(0)),
            shell_cache: Arc::default(),
            log_reload,
            log_level: Arc::default(),
        }
    }

    /// `window/workDoneProgress/cancel`: the user pressed cancel on our progress.
    async fn progress_cancel(&self, params: WorkDoneProgressCancelParams) {
        let key = token_key(&params.token);
        let cancels = self.cancels.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(flag) = cancels.get(&key) {
            tracing::info!(token = %key, "cancelled by the client");
            flag.store(true, Ordering::SeqCst);
        }
    }

    /// `goEnvDoctor.cleanCache` with `$/progress` (a client-created token when the client
    /// supports it) and cancellation.
    async fn clean_cache(&self, arg: LSPAny) -> std::result::Result<String, String> {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let token = NumberOrString::String(format!(
            "goEnvDoctor.cleanCache/{}",
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        let key = token_key(&token);
        let cancel = Arc::new(AtomicBool::new(false));
        self.cancels
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.clone(), cancel.clone());
        let created = self
            .client
            .send_request::<WorkDoneProgressCreate>(WorkDoneProgressCreateParams {
                token: token.clone(),
            })
            .await
            .is_ok();
        let progress = if created {
            Some(
                self.client
                    .progress(token, "go clean -cache")
                    .with_message("go clean -cache -n")
                    .with_cancel_button()
                    .begin()
                    .await,
            )
        } else {
            None
        };
        let outcome = actions::clean_cache(self, arg, cancel, progress.as_ref()).await;
        if let Some(p) = progress {
            let end = match &outcome {
                Ok(m) => m.clone(),
                Err(e) => format!("failed: {e}"),
            };
            p.finish_with_message(end).await;
        }
        self.cancels
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&key);
        outcome
    }

    /// Apply the configuration's `logLevel` (`off`, `error`, `warn`, `info`, `debug`, `trace`,
    /// or any `RUST_LOG` directive) to our own logs; other crates stay at `warn`.
    fn apply_log_level(&self) {
        let Some(reload) = &self.log_reload else {
            return;
        };
        let wanted = self.state().config.log_level.clone();
        let Some(level) = wanted
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
        else {
            return;
        };
        let mut current = self.log_level.lock().unwrap_or_else(|e| e.into_inner());
        if current.as_deref() == Some(level.as_str()) {
            return;
        }
        let lower = level.to_ascii_lowercase();
        let directive = match lower.as_str() {
            "off" | "error" | "warn" | "info" | "debug" | "trace" => {
                format!("warn,go_env_doctor={lower}")
            }
            _ => level.clone(),
        };
        match reload(&directive) {
            Ok(()) => {
                *current = Some(level);
                drop(current);
                tracing::info!(%directive, "log level");
            }
            Err(e) => tracing::warn!("ignoring logLevel {level:?}: {e}"),
        }
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn options(&self, state: &State, folder: &Path) -> CheckOptions {
        let c = &state.config;
        let mut o = CheckOptions::new(folder.to_path_buf(), self.helper_exe.clone());
        o.shell = c.shell.clone();
        o.shell_timeout = Duration::from_secs(c.shell_timeout_seconds.unwrap_or(10).clamp(1, 120));
        o.trusted = c.trusted;
        o.disabled_checks = c.disabled_checks.clone();
        // Messages name the editor whose environment and configuration the server sees: the
        // client that started it.
        if let Some(name) = &state.client_name {
            o.editor_name = name.clone();
        }
        o.editor_kind = state.editor_kind;
        o.client_settings = state
            .folder_client_settings
            .get(folder)
            .or(state.client_settings.as_ref())
            .cloned();
        o.user_settings = c.user_settings.clone().or_else(|| {
            std::env::var_os(crate::facts::USER_SETTINGS_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        });
        o
    }

    /// Re-collect every folder after `delay` (unless a newer re-check started meanwhile), then
    /// publish. Results a newer re-check superseded are dropped.
    pub(crate) async fn recheck(&self, delay: Duration) {
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        self.check_generation(generation, delay).await;
    }

    /// Re-check now and return once this check or a newer one is published: a command that
    /// re-checks replies with the results in place, even when a re-check started by something
    /// else overtook its own.
    async fn recheck_and_wait(&self) {
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let mut done = self.checked.subscribe();
        self.check_generation(generation, Duration::ZERO).await;
        let limit = {
            let c = &self.state().config;
            Duration::from_secs(c.shell_timeout_seconds.unwrap_or(10).clamp(1, 120) + 30)
        };
        if tokio::time::timeout(limit, done.wait_for(|g| *g >= generation))
            .await
            .is_err()
        {
            tracing::warn!(generation, "no check finished within {limit:?}");
        }
    }

    async fn check_generation(&self, generation: u64, delay: Duration) {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
            if self.generation.load(Ordering::SeqCst) != generation {
                return;
            }
        }
        let (opts, enc, overrides, epoch) = {
            let state = self.state();
            if state.shut_down {
                return;
            }
            let opts: Vec<CheckOptions> = state
                .folders
                .iter()
                .map(|f| self.options(&state, f))
                .collect();
            (opts, state.enc, overrides(&state), state.docs_epoch)
        };
        let versions: HashMap<PathBuf, i32> = {
            let state = self.state();
            state
                .docs
                .iter()
                .map(|(p, d)| (p.clone(), d.version))
                .collect()
        };
        // One probe in flight per side: a newer re-check cancels the running one (whose result
        // it supersedes; its processes are killed), waits for it to wind down, and gives up if
        // a newer one still came meanwhile.
        // Two checks can reach this point in either order: only a newer one cancels the
        // running one (an older one arriving late would cancel its successor, and then
        // nothing would publish).
        let cancel = facts::process::Cancel::default();
        {
            let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
            if running.0 > generation {
                return;
            }
            std::mem::replace(&mut *running, (generation, cancel.clone()))
                .1
                .cancel();
        }
        let _probing = self.probe_lock.lock().await;
        if self.generation.load(Ordering::SeqCst) != generation {
            return;
        }
        // The login-shell probes' inputs, taken once: the cache key of each folder's probe, and
        // the rc files to watch while it runs.
        let keys: Vec<cache::ShellKey> = {
            let cache = self.shell_cache.lock().unwrap_or_else(|e| e.into_inner());
            opts.iter()
                .map(|o| cache::ShellKey::of(o, cache.zdotdir(&o.folder)))
                .collect()
        };
        let starting_rc: Vec<PathBuf> = opts
            .iter()
            .zip(&keys)
            .filter(|(o, _)| o.probe_shell)
            .flat_map(|(_, key)| key.rc_paths().map(Path::to_path_buf))
            .collect();
        let watch_rc = {
            let mut state = self.state();
            let changed = state.starting_rc != starting_rc;
            state.starting_rc = starting_rc;
            changed
        };
        let started = std::time::Instant::now();
        let shell_cache = self.shell_cache.clone();
        let superseded = cancel.clone();
        let work = tokio::task::spawn_blocking(move || {
            let results: BTreeMap<PathBuf, Checked> = opts
                .into_iter()
                .zip(keys)
                .map(|(mut o, key)| {
                    o.cancel = cancel.clone();
                    o.shell_probe = shell_cache
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .get(&key);
                    let reused = o.shell_probe.is_some();
                    if reused {
                        tracing::debug!(folder = %o.folder.display(), "reusing the login shell's environment");
                    }
                    let snap = facts::collect(&o);
                    if !reused && !cancel.is_cancelled() {
                        shell_cache
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .put(&o, key, &snap);
                    }
                    // Just read from disk: only unsaved buffers can make a difference.
                    let reread = !overrides.is_empty();
                    let checked = Checked::new(snap, &o, &overrides, reread);
                    (o.folder.clone(), checked)
                })
                .collect();
            let diagnostics = diagnostics_by_file(&results, enc, &overrides, &versions);
            (results, diagnostics)
        });
        // Off the probes' critical path: they have started.
        if watch_rc {
            self.update_watches();
        }
        let work = work.await;
        let (results, diagnostics) = match work {
            Ok(r) => r,
            Err(e) => {
                tracing::error!("the check failed: {e}");
                return;
            }
        };
        tracing::debug!(generation, millis = ?started.elapsed(), "checked");
        let to_publish: Vec<(PathBuf, Vec<Diagnostic>)> = {
            let mut state = self.state();
            // A newer check cancelled this one (its probes were killed, its shell side says
            // "cancelled"): that one publishes, even when both started for one generation.
            if state.shut_down
                || self.generation.load(Ordering::SeqCst) != generation
                || superseded.is_cancelled()
            {
                tracing::debug!(generation, "dropping a superseded check");
                return;
            }
            state.results = results;
            if state.docs_epoch != epoch {
                // Buffers changed while the probes ran: re-derive from them.
                self.refresh_locked(&mut state)
            } else {
                replace_published(&mut state, diagnostics)
            }
        };
        self.update_watches();
        self.publish(to_publish).await;
        self.send_status().await;
        self.checked.send_if_modified(|done| {
            let newer = generation > *done;
            *done = (*done).max(generation);
            newer
        });
    }

    /// Watch what the last checks read, so a change re-probes: registered with the client when it
    /// can watch files, else with our own watcher. Nothing happens when the set is unchanged.
    fn update_watches(&self) {
        let inputs = {
            let state = self.state();
            let mut inputs = watch::probe_inputs(&state.results);
            for rc in &state.starting_rc {
                if !inputs.contains(rc) {
                    inputs.push(rc.clone());
                }
            }
            inputs
        };
        let targets = watch::targets(&inputs);
        let registration = {
            let mut state = self.state();
            if state.shut_down || state.watched == targets {
                return;
            }
            state.watched = targets.clone();
            state.watch_registration
        };
        if registration {
            let this = self.clone();
            tokio::spawn(async move { this.register_watches().await });
            return;
        }
        let mut guard = self.fs_watch.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            let this = self.clone();
            let handle = tokio::runtime::Handle::current();
            let on_change = move || {
                let this = this.clone();
                // Every event restarts the debounce: only the last re-check goes on.
                handle.spawn(async move { this.recheck(watch::WATCH_DEBOUNCE).await });
            };
            match watch::FsWatch::new(on_change) {
                Ok(w) => *guard = Some(w),
                Err(e) => tracing::warn!("cannot watch files: {e}"),
            }
        }
        if let Some(w) = guard.as_mut() {
            w.update(&targets);
            tracing::debug!(dirs = targets.len(), "watching the probes' inputs");
        }
    }

    /// Register the watched inputs with the client (replacing the previous registration); a
    /// client round-trip, so never awaited inside a handler.
    async fn register_watches(&self) {
        const ID: &str = "goEnvDoctor.watchProbeInputs";
        const METHOD: &str = "workspace/didChangeWatchedFiles";
        let mut registered = self.registered.lock().await;
        let (targets, relative) = {
            let state = self.state();
            (state.watched.clone(), state.relative_patterns)
        };
        if registered.as_ref() == Some(&targets) {
            return;
        }
        if registered.take().is_some() {
            let gone = Unregistration {
                id: ID.to_string(),
                method: METHOD.to_string(),
            };
            if let Err(e) = self.client.unregister_capability(vec![gone]).await {
                tracing::debug!("the client did not unregister file watchers: {e}");
            }
        }
        let watchers: Vec<FileSystemWatcher> = targets
            .iter()
            .flat_map(|(dir, names)| names.iter().map(move |n| (dir, n)))
            .filter_map(|(dir, name)| {
                let glob_pattern = if relative {
                    GlobPattern::Relative(RelativePattern {
                        base_uri: OneOf::Right(convert::file_uri(dir)?),
                        pattern: name.to_string_lossy().into_owned(),
                    })
                } else {
                    GlobPattern::String(dir.join(name).to_string_lossy().into_owned())
                };
                Some(FileSystemWatcher {
                    glob_pattern,
                    kind: None,
                })
            })
            .collect();
        let registration = Registration {
            id: ID.to_string(),
            method: METHOD.to_string(),
            register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                watchers,
            })
            .ok(),
        };
        match self.client.register_capability(vec![registration]).await {
            Ok(()) => *registered = Some(targets),
            Err(e) => tracing::debug!("the client did not register file watchers: {e}"),
        }
    }

    /// Re-diagnose every folder from its cached probes and the settings as they are now (open
    /// buffers included): no process runs. Called with the state locked; returns what to
    /// publish.
    fn refresh_locked(&self, state: &mut State) -> Vec<(PathBuf, Vec<Diagnostic>)> {
        let started = std::time::Instant::now();
        let overrides = overrides(state);
        let folders: Vec<PathBuf> = state.results.keys().cloned().collect();
        for folder in folders {
            let opts = self.options(state, &folder);
            if let Some(checked) = state.results.get_mut(&folder) {
                *checked = Checked::new(checked.probed.clone(), &opts, &overrides, true);
            }
        }
        let versions: HashMap<PathBuf, i32> = state
            .docs
            .iter()
            .map(|(p, d)| (p.clone(), d.version))
            .collect();
        let diagnostics = diagnostics_by_file(&state.results, state.enc, &overrides, &versions);
        tracing::debug!(
            micros = started.elapsed().as_micros() as u64,
            processes = 0,
            "re-diagnosed from cached probes"
        );
        replace_published(state, diagnostics)
    }

    /// The settings-only re-check as settings files are edited: from cached probes, no process,
    /// so an edit never waits for the shell. With `reprobe_if_stale` (a save), a re-probe follows
    /// when the settings now choose another editor `go` or run environment than the probe ran.
    async fn refresh(&self, reprobe_if_stale: bool) {
        let (to_publish, stale) = {
            let mut state = self.state();
            if state.shut_down || state.results.is_empty() {
                return;
            }
            let out = self.refresh_locked(&mut state);
            let stale = state.results.values().any(Checked::editor_probe_stale);
            (out, stale)
        };
        self.publish(to_publish).await;
        self.send_status().await;
        if reprobe_if_stale && stale {
            tracing::debug!("the settings choose another editor go or environment: re-probing");
            self.spawn_recheck(DEBOUNCE);
        }
    }

    /// Walk every folder again for go.mod/go.work files (one was created or deleted), off the
    /// message loop and without the state lock, then re-diagnose: no process runs.
    async fn rewalk(&self) {
        let jobs: Vec<(PathBuf, Snapshot, CheckOptions)> = {
            let state = self.state();
            state
                .results
                .iter()
                .map(|(f, c)| (f.clone(), c.probed.clone(), self.options(&state, f)))
                .collect()
        };
        let walked = tokio::task::spawn_blocking(move || {
            jobs.into_iter()
                .map(|(folder, mut snap, opts)| {
                    facts::refresh_workspace(&mut snap, &opts, &Overrides::new());
                    (folder, snap)
                })
                .collect::<Vec<_>>()
        })
        .await;
        match walked {
            Ok(walked) => {
                let mut state = self.state();
                for (folder, snap) in walked {
                    if let Some(c) = state.results.get_mut(&folder) {
                        facts::take_workspace(&mut c.probed, &snap);
                    }
                }
            }
            Err(e) => tracing::error!("the workspace walk failed: {e}"),
        }
        self.refresh(false).await;
    }

    /// Known go.mod/go.work files changed on disk (saved, or edited outside the editor):
    /// re-read into the probed snapshots, then re-diagnosed. No process, no walk.
    async fn module_files_changed(&self, paths: Vec<PathBuf>) {
        {
            let mut state = self.state();
            for checked in state.results.values_mut() {
                facts::reread_module_files(&mut checked.probed, &paths);
            }
        }
        self.refresh(false).await;
    }

    /// `goEnvDoctor/serverStatus` for clients that asked for it: after each publish.
    async fn send_status(&self) {
        let status = {
            let state = self.state();
            if !state.status_notifications || state.shut_down || state.results.is_empty() {
                return;
            }
            status::of(&state.results)
        };
        self.client
            .send_notification::<status::ServerStatus>(status)
            .await;
    }

    /// `goEnvDoctor.report` with `{"format": "json"}`: the Markdown report and, per folder, the
    /// JSON report `check --format json` prints.
    fn report_structured(&self) -> serde_json::Value {
        let markdown = self.report_markdown();
        let state = self.state();
        let folders: Vec<serde_json::Value> = state
            .results
            .values()
            .map(|c| {
                let report = Report::from_snapshot(&c.snapshot, c.findings.clone());
                crate::report::json::report_value(&report)
            })
            .collect();
        serde_json::json!({
            "markdown": markdown,
            "folders": folders,
            "status": status::of(&state.results),
        })
    }

    async fn publish(&self, files: Vec<(PathBuf, Vec<Diagnostic>)>) {
        for (path, diags) in files {
            let version = {
                let mut state = self.state();
                if diags.is_empty() {
                    state.last_published.remove(&path);
                } else {
                    state.last_published.insert(path.clone(), diags.clone());
                }
                state.docs.get(&path).map(|d| d.version)
            };
            match convert::file_uri(&path) {
                Some(uri) => self.client.publish_diagnostics(uri, diags, version).await,
                None => tracing::warn!("cannot make a URI of {}", path.display()),
            }
        }
    }

    /// The workspace folder a file belongs to (the deepest containing it), else the first.
    pub(crate) fn folder_of(state: &State, path: &Path) -> Option<PathBuf> {
        state
            .results
            .keys()
            .filter(|f| path.starts_with(f))
            .max_by_key(|f| f.as_os_str().len())
            .or_else(|| state.results.keys().next())
            .cloned()
    }

    /// Ask the client for the `goEnvDoctor` section (when it can answer), then re-check; in
    /// the background, as a handler awaiting a client request can deadlock the message loop.
    fn spawn_configure_and_recheck(&self) {
        let this = self.clone();
        tokio::spawn(async move {
            let (pull, folders) = {
                let state = this.state();
                (state.pull_config, state.folders.clone())
            };
            if pull {
                // Our section once; the client's `go` and `gopls` per folder (a folder's
                // `.vscode/settings.json` only applies to it).
                let item = |section: &str, scope_uri: Option<Uri>| ConfigurationItem {
                    scope_uri,
                    section: Some(section.to_string()),
                };
                let mut items = vec![item("goEnvDoctor", None)];
                for folder in &folders {
                    let uri = convert::file_uri(folder);
                    items.push(item("go", uri.clone()));
                    items.push(item("gopls", uri));
                }
                match this.client.configuration(items).await {
                    Ok(values) => {
                        let mut state = this.state();
                        let section = values.first().filter(|v| v.is_object());
                        state.config = Config::merged(&state.init_config, section);
                        state.folder_client_settings = folders
                            .iter()
                            .enumerate()
                            .filter_map(|(i, f)| {
                                let cs =
                                    client_settings(values.get(1 + 2 * i), values.get(2 + 2 * i))?;
                                Some((f.clone(), cs))
                            })
                            .collect();
                        tracing::info!(config = ?state.config, "configuration");
                        drop(state);
                        this.apply_log_level();
                    }
                    Err(e) => tracing::warn!("workspace/configuration failed: {e}"),
                }
            }
            this.recheck(Duration::ZERO).await;
        });
    }

    /// Re-check in the background: handlers return at once (tower-lsp runs only a few at a
    /// time, so a handler waiting on a probe would hold up the message loop).
    fn spawn_recheck(&self, delay: Duration) {
        let this = self.clone();
        tokio::spawn(async move { this.recheck(delay).await });
    }

    fn report_markdown(&self) -> String {
        let state = self.state();
        let mut out = String::from("# go-env-doctor report\n");
        if state.results.is_empty() {
            out.push_str("\nNo workspace folder has been checked yet.\n");
        }
        for checked in state.results.values() {
            let report = Report::from_snapshot(&checked.snapshot, checked.findings.clone());
            out.push_str(&format!(
                "\n## {}\n\n```text\n{}```\n",
                checked.snapshot.folder.display(),
                human::render_human(&report)
            ));
        }
        out
    }
}

/// Whether the last walk of some folder found this go.mod/go.work.
fn known_module_file(state: &State, path: &Path) -> bool {
    state.results.values().any(|c| {
        c.probed
            .all_modules()
            .chain(c.probed.all_works())
            .any(|m| m.path == path)
    })
}

/// Whether a change to this file calls for a re-check.
fn is_covered(path: &Path, state: &State) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let in_vscode = path
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|p| p == ".vscode");
    let in_idea = path
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|p| p == ".idea");
    (name == "settings.json" && in_vscode)
        || ((name == "workspace.xml" || name == "misc.xml") && in_idea)
        || name.ends_with(".code-workspace")
        || name == "go.mod"
        || name == "go.work"
        || state.config.user_settings.as_deref() == Some(path)
        || state.results.values().any(|c| {
            c.snapshot.settings.files.iter().any(|f| f.path == path)
                || [Some(&c.snapshot.editor), c.snapshot.shell.as_ref()]
                    .into_iter()
                    .flatten()
                    .any(|s| s.env_file.as_ref().is_some_and(|e| e.path == path))
        })
}

/// Whether a change to this file (saved) calls for running the probes again, not only for
/// re-reading the settings: go.mod/go.work, an env file, a `$GOROOT/go.env`.
/// VS Code and its builds (code-server, Code - OSS, VSCodium) name themselves so; their
/// configuration is the VS Code settings the messages already speak of.
fn is_vscode(client_name: &str) -> bool {
    let n = client_name.to_ascii_lowercase();
    n.contains("visual studio code")
        || n.contains("code-server")
        || n.contains("code - oss")
        || n.contains("vscodium")
        || n == "vscode"
}

/// The editor's display name (`None`: VS Code) and kind, from what the client told about
/// itself. A client that tells nothing is not assumed to be VS Code: VS Code always sends
/// `clientInfo`, and calling Emacs "VS Code" led to fixes in a file Emacs never reads.
fn editor_identity(told: Option<&str>) -> (Option<String>, crate::model::EditorKind) {
    use crate::model::EditorKind;
    let Some(name) = told else {
        return (Some("your editor".to_string()), EditorKind::Other);
    };
    if is_vscode(name) {
        return (None, EditorKind::VsCode);
    }
    // The names clients send for themselves, as users know the editor.
    let known = match name.to_ascii_lowercase().as_str() {
        "eglot" | "lsp-mode" | "emacs" => Some("Emacs"),
        "nvim" | "neovim" => Some("Neovim"),
        "ale" | "vim-lsp" | "vim" => Some("Vim"),
        "helix" | "hx" => Some("Helix"),
        "zed" => Some("Zed"),
        _ => None,
    };
    let shown = known.map_or_else(|| capitalized(name), str::to_string);
    let kind = EditorKind::of_client(&shown);
    (Some(shown), kind)
}

/// "helix" → "Helix": it starts sentences ("Helix uses GOROOT …").
fn capitalized(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A go.mod or go.work: its changes are re-read (the probes run with GOTOOLCHAIN=local, so
/// what `go` says does not depend on them), never re-probed.
fn is_module_file(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n == "go.mod" || n == "go.work")
}

fn needs_reprobe(path: &Path, state: &State) -> bool {
    !is_module_file(path)
        && (watch::matches(&state.watched, path)
            || state.results.values().any(|c| {
                [Some(&c.probed.editor), c.probed.shell.as_ref()]
                    .into_iter()
                    .flatten()
                    .any(|s| {
                        s.env_file.as_ref().is_some_and(|e| e.path == path)
                            || s.goroot_env_files.values().any(|f| f.path == path)
                    })
            }))
}

/// Every finding as a diagnostic on the file of its first location, files read from disk (the
/// text the snapshot's byte spans refer to). Identical diagnostics from several folders (user
/// settings) are kept once.
fn diagnostics_by_file(
    results: &BTreeMap<PathBuf, Checked>,
    enc: Encoding,
    overrides: &Overrides,
    versions: &HashMap<PathBuf, i32>,
) -> BTreeMap<PathBuf, Vec<Diagnostic>> {
    let mut texts: HashMap<PathBuf, String> = HashMap::new();
    let text_of = |p: &Path| -> Option<String> {
        overrides
            .get(p)
            .cloned()
            .or_else(|| crate::facts::fs::read_text(p).ok())
    };
    let mut read = |p: &Path| -> String {
        texts
            .entry(p.to_path_buf())
            .or_insert_with(|| text_of(p).unwrap_or_default())
            .clone()
    };
    let mut out: BTreeMap<PathBuf, Vec<Diagnostic>> = BTreeMap::new();
    for checked in results.values() {
        for finding in &checked.findings {
            let Some(first) = finding.locations.first() else {
                tracing::debug!(code = finding.code, "finding without a location");
                continue;
            };
            let text = read(&first.path);
            let other = |p: &Path| text_of(p);
            let mut diag = convert::diagnostic(finding, &text, enc, &other);
            if let Some(v) = versions.get(&first.path) {
                convert::stamp_version(&mut diag, *v);
            }
            convert::stamp_files(&mut diag, &fix_targets(&checked.snapshot, finding));
            let list = out.entry(first.path.clone()).or_default();
            if !list.contains(&diag) {
                list.push(diag);
            }
        }
    }
    out
}

/// The settings files a finding's fixes edit, with the digest of the text the check read
/// (`None`: the file did not exist). Files the check did not read are left out.
fn fix_targets(snapshot: &Snapshot, finding: &Finding) -> BTreeMap<PathBuf, Option<u64>> {
    let files = std::iter::once(snapshot)
        .chain(snapshot.editor_views.iter())
        .flat_map(|s| s.settings.files.iter());
    let mut known: HashMap<&Path, Option<u64>> = HashMap::new();
    for f in files {
        known.insert(&f.path, f.digest.filter(|_| f.exists));
    }
    finding
        .fixes
        .iter()
        .filter_map(|fix| match &fix.action {
            crate::model::FixAction::SetSetting { file, .. }
            | crate::model::FixAction::RemoveSetting { file, .. } => {
                known.get(file.as_path()).map(|d| (file.clone(), *d))
            }
            _ => None,
        })
        .collect()
}

/// The open documents' text by path: what the checks read instead of the disk.
fn overrides(state: &State) -> Overrides {
    state
        .docs
        .iter()
        .map(|(p, d)| (p.clone(), d.text.clone()))
        .collect()
}

/// Record `diagnostics` as the published set; returns them plus empty lists for files that
/// had diagnostics and no longer do.
fn replace_published(
    state: &mut State,
    diagnostics: BTreeMap<PathBuf, Vec<Diagnostic>>,
) -> Vec<(PathBuf, Vec<Diagnostic>)> {
    let mut out: Vec<(PathBuf, Vec<Diagnostic>)> = state
        .published
        .iter()
        .filter(|p| !diagnostics.contains_key(*p))
        .map(|p| (p.clone(), Vec::new()))
        .collect();
    state.published = diagnostics.keys().cloned().collect();
    out.extend(diagnostics);
    out
}

/// `{"go": …, "gopls": …}` of the sections that are objects; `None` when neither is.
fn client_settings(
    go: Option<&serde_json::Value>,
    gopls: Option<&serde_json::Value>,
) -> Option<serde_json::Value> {
    let mut out = serde_json::Map::new();
    for (name, v) in [("go", go), ("gopls", gopls)] {
        if let Some(v) = v.filter(|v| v.is_object()) {
            out.insert(name.to_string(), v.clone());
        }
    }
    (!out.is_empty()).then_some(serde_json::Value::Object(out))
}

fn token_key(t: &NumberOrString) -> String {
    match t {
        NumberOrString::Number(n) => n.to_string(),
        NumberOrString::String(s) => s.clone(),
    }
}

fn uri_path(uri: &Uri) -> Option<PathBuf> {
    uri.to_file_path().map(|p| p.into_owned())
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let offered = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref());
        let enc = if offered.is_some_and(|e| e.contains(&PositionEncodingKind::UTF8)) {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        };
        let workspace_edit = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.workspace_edit.as_ref());
        let document_changes = workspace_edit
            .and_then(|w| w.document_changes)
            .unwrap_or(false);
        let create_files = document_changes
            && workspace_edit
                .and_then(|w| w.resource_operations.as_ref())
                .is_some_and(|ops| ops.contains(&ResourceOperationKind::Create));
        let mut folders: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|f| uri_path(&f.uri))
            .collect();
        #[allow(deprecated)]
        if folders.is_empty() {
            folders.extend(params.root_uri.as_ref().and_then(uri_path));
        }
        let config = Config::from_value(params.initialization_options.as_ref());
        let pull_config = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.configuration)
            .unwrap_or(false);
        let watched_files = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref());
        let watch_registration = watched_files
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false);
        let relative_patterns = watched_files
            .and_then(|w| w.relative_pattern_support)
            .unwrap_or(false);
        tracing::info!(?enc, ?folders, ?config, watch_registration, "initialize");
        {
            let mut state = self.state();
            state.enc = enc;
            state.folders = folders;
            state.config = config;
            state.document_changes = document_changes;
            state.create_files = create_files;
            state.pull_config = pull_config;
            state.watch_registration = watch_registration;
            state.relative_patterns = relative_patterns;
            state.init_config = params.initialization_options.clone().unwrap_or_default();
            state.status_notifications = params
                .initialization_options
                .as_ref()
                .and_then(|o| o.get("serverStatus"))
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false);
            state.hover_markdown = params
                .capabilities
                .text_document
                .as_ref()
                .and_then(|t| t.hover.as_ref())
                .and_then(|h| h.content_format.as_ref())
                .is_some_and(|formats| formats.contains(&MarkupKind::Markdown));
            let told = params
                .client_info
                .as_ref()
                .map(|c| c.name.trim().to_string())
                .filter(|n| !n.is_empty())
                .or_else(|| {
                    state
                        .config
                        .editor
                        .as_deref()
                        .map(str::trim)
                        .filter(|n| !n.is_empty())
                        .map(str::to_string)
                });
            (state.client_name, state.editor_kind) = editor_identity(told.as_deref());
        }
        self.apply_log_level();
        let position_encoding = Some(match enc {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        });
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding,
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                            include_text: Some(false),
                        })),
                        ..TextDocumentSyncOptions::default()
                    },
                )),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                        ..CodeActionOptions::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: [
                        CMD_RECHECK,
                        CMD_REPORT,
                        CMD_GO_ENV_WRITE,
                        CMD_GO_ENV_UNSET,
                        CMD_CREATE_DIRECTORY,
                        CMD_CLEAN_CACHE,
                        CMD_EDITOR_SETUP,
                    ]
                    .iter()
                    .map(|c| c.to_string())
                    .collect(),
                    ..ExecuteCommandOptions::default()
                }),
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(OneOf::Left(true)),
                    }),
                    file_operations: None,
                }),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "go-env-doctor".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        // Registering is a client round-trip: do it off the handler so it cannot deadlock.
        // A client that cannot watch files is not asked to (our own watcher covers the probes'
        // inputs; settings files are re-read on open/change/save).
        let client = self.client.clone();
        let can_watch = self.state().watch_registration;
        tokio::spawn(async move {
            if !can_watch {
                return;
            }
            let watchers = [
                "**/.vscode/settings.json",
                "**/*.code-workspace",
                "**/go.mod",
            ]
            .into_iter()
            .chain(["**/go.work"])
            .map(|g| FileSystemWatcher {
                glob_pattern: GlobPattern::String(g.to_string()),
                kind: None,
            })
            .collect();
            let options = DidChangeWatchedFilesRegistrationOptions { watchers };
            let registration = Registration {
                id: "goEnvDoctor.watch".to_string(),
                method: "workspace/didChangeWatchedFiles".to_string(),
                register_options: serde_json::to_value(options).ok(),
            };
            if let Err(e) = client.register_capability(vec![registration]).await {
                tracing::debug!("the client did not register file watchers: {e}");
            }
        });
        self.spawn_configure_and_recheck();
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let pull = {
            let mut state = self.state();
            if !state.pull_config {
                // Clients that push: `{"goEnvDoctor": {…}}` (or the section itself).
                let section = params
                    .settings
                    .get("goEnvDoctor")
                    .unwrap_or(&params.settings);
                state.config = Config::merged(&state.init_config, Some(section));
                if let Some(cs) =
                    client_settings(params.settings.get("go"), params.settings.get("gopls"))
                {
                    state.client_settings = Some(cs);
                }
            }
            state.pull_config
        };
        self.apply_log_level();
        if pull {
            self.spawn_configure_and_recheck();
        } else {
            self.spawn_recheck(Duration::ZERO);
        }
    }

    async fn shutdown(&self) -> Result<()> {
        self.generation.fetch_add(1, Ordering::SeqCst);
        let published: Vec<PathBuf> = {
            let mut state = self.state();
            state.shut_down = true;
            std::mem::take(&mut state.published).into_iter().collect()
        };
        self.fs_watch
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        self.publish(published.into_iter().map(|p| (p, Vec::new())).collect())
            .await;
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let Some(path) = uri_path(&params.text_document.uri) else {
            return;
        };
        let covered = {
            let mut state = self.state();
            state.docs.insert(
                path.clone(),
                Doc {
                    text: params.text_document.text,
                    version: params.text_document.version,
                },
            );
            state.docs_epoch += 1;
            is_covered(&path, &state)
        };
        if covered {
            self.refresh(false).await;
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let Some(path) = uri_path(&params.text_document.uri) else {
            return;
        };
        let covered = {
            let mut state = self.state();
            let enc = state.enc;
            let Some(doc) = state.docs.get_mut(&path) else {
                tracing::warn!("change to a document that is not open: {}", path.display());
                return;
            };
            for change in params.content_changes {
                match change.range {
                    Some(r) => {
                        let start = convert::offset(&doc.text, r.start, enc);
                        let end = convert::offset(&doc.text, r.end, enc).max(start);
                        doc.text.replace_range(start..end, &change.text);
                    }
                    None => doc.text = change.text,
                }
            }
            doc.version = params.text_document.version;
            state.docs_epoch += 1;
            is_covered(&path, &state)
        };
        // Unsaved settings text is re-diagnosed at once from the cached probes.
        if covered {
            self.refresh(false).await;
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let Some(path) = uri_path(&params.text_document.uri) else {
            return;
        };
        let (covered, reprobe) = {
            let state = self.state();
            (is_covered(&path, &state), needs_reprobe(&path, &state))
        };
        if reprobe {
            // The env file: what `go` says may change.
            self.spawn_recheck(DEBOUNCE);
        } else if is_module_file(&path) {
            self.module_files_changed(vec![path]).await;
        } else if covered {
            // A settings file: re-diagnosed without a process; re-probed only when the saved
            // settings make the editor run another `go` or environment.
            self.refresh(true).await;
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let Some(path) = uri_path(&params.text_document.uri) else {
            return;
        };
        let covered = {
            let mut state = self.state();
            let was_open = state.docs.remove(&path).is_some();
            state.docs_epoch += 1;
            was_open && is_covered(&path, &state)
        };
        // Unsaved text thrown away: back to the file on disk.
        if covered {
            self.refresh(false).await;
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let (covered, reprobe, rewalk) = {
            let state = self.state();
            let paths: Vec<PathBuf> = params
                .changes
                .iter()
                .filter_map(|c| uri_path(&c.uri))
                .collect();
            // A go.mod/go.work appeared, went away, or is one the last walk did not see.
            let rewalk = params.changes.iter().any(|c| {
                uri_path(&c.uri).is_some_and(|p| {
                    is_module_file(&p)
                        && (c.typ != FileChangeType::CHANGED || !known_module_file(&state, &p))
                })
            });
            (
                paths.iter().any(|p| is_covered(p, &state)),
                paths.iter().any(|p| needs_reprobe(p, &state)),
                rewalk,
            )
        };
        let module_files: Vec<PathBuf> = params
            .changes
            .iter()
            .filter_map(|c| uri_path(&c.uri))
            .filter(|p| is_module_file(p))
            .collect();
        if reprobe {
            self.spawn_recheck(DEBOUNCE);
        } else if rewalk {
            self.rewalk().await;
        } else if !module_files.is_empty() {
            self.module_files_changed(module_files).await;
        } else if covered {
            self.refresh(true).await;
        }
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let pull = {
            let mut state = self.state();
            let removed: Vec<PathBuf> = params
                .event
                .removed
                .iter()
                .filter_map(|f| uri_path(&f.uri))
                .collect();
            state.folders.retain(|f| !removed.contains(f));
            for f in params.event.added.iter().filter_map(|f| uri_path(&f.uri)) {
                if !state.folders.contains(&f) {
                    state.folders.push(f);
                }
            }
            state.pull_config
        };
        // A new folder has its own `go` / `gopls` configuration.
        if pull {
            self.spawn_configure_and_recheck();
        } else {
            self.spawn_recheck(Duration::ZERO);
        }
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let actions = actions::code_actions(self, &params).await;
        Ok((!actions.is_empty()).then_some(actions))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        Ok(hover::hover(self, &params))
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        let arg = params.arguments.first().cloned().unwrap_or_default();
        match params.command.as_str() {
            CMD_RECHECK => {
                // Asked for: the login shell runs again even if its rc files look unchanged.
                self.shell_cache
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .clear();
                self.recheck_and_wait().await;
                Ok(None)
            }
            CMD_REPORT if arg.get("format").and_then(LSPAny::as_str) == Some("json") => {
                Ok(Some(self.report_structured()))
            }
            CMD_REPORT => Ok(Some(LSPAny::String(self.report_markdown()))),
            CMD_CLEAN_CACHE => match self.clean_cache(arg).await {
                Ok(msg) => {
                    self.spawn_recheck(Duration::ZERO);
                    Ok(Some(LSPAny::String(msg)))
                }
                Err(msg) => {
                    self.client
                        .show_message(MessageType::ERROR, format!("go-env-doctor: {msg}"))
                        .await;
                    Err(Error::invalid_params(msg))
                }
            },
            CMD_GO_ENV_WRITE | CMD_GO_ENV_UNSET | CMD_CREATE_DIRECTORY => {
                let outcome = actions::execute(self, &params.command, arg).await;
                match outcome {
                    Ok(()) => {
                        self.recheck_and_wait().await;
                        Ok(None)
                    }
                    Err(msg) => {
                        tracing::warn!("{}: {msg}", params.command);
                        self.client
                            .show_message(MessageType::ERROR, format!("go-env-doctor: {msg}"))
                            .await;
                        Err(Error::invalid_params(msg))
                    }
                }
            }
            CMD_EDITOR_SETUP => {
                let setup = editor_setup(&arg).map_err(Error::invalid_params)?;
                let text = setup["text"].as_str().unwrap_or_default().to_string();
                self.client
                    .show_message(MessageType::INFO, format!("go-env-doctor: {text}"))
                    .await;
                Ok(Some(setup))
            }
            other => Err(Error::invalid_params(format!("unknown command {other}"))),
        }
    }
}

/// `goEnvDoctor.editorSetup`: the lines that give the editor its login shell's environment
/// (`{"editor", "vars", "withheld"}` from the fix), with how to apply them.
fn editor_setup(arg: &serde_json::Value) -> std::result::Result<serde_json::Value, String> {
    #[derive(Deserialize)]
    struct Args {
        editor: String,
        vars: BTreeMap<String, Option<String>>,
        #[serde(default)]
        withheld: Vec<String>,
    }
    let args: Args = serde_json::from_value(arg.clone())
        .map_err(|e| format!("goEnvDoctor.editorSetup: bad arguments: {e}"))?;
    let text = crate::settings::client_env::setup_text(&args.editor, &args.vars, &args.withheld);
    let explanation = format!(
        "{} took its environment from how it was started, which is not your login shell's. Add \
         these lines to its configuration (or start it from a login shell), then restart it, \
         and restart go-env-doctor with it.",
        args.editor
    );
    Ok(serde_json::json!({ "editor": args.editor, "text": text, "explanation": explanation }))
}

#[cfg(test)]
mod tests {
    use super::{capitalized, is_vscode};

    #[test]
    fn client_names_start_sentences() {
        assert_eq!(capitalized("helix"), "Helix");
        assert_eq!(capitalized("Neovim"), "Neovim");
        assert_eq!(capitalized("éditeur"), "Éditeur");
    }

    #[test]
    fn vscode_builds_are_vscode_other_clients_are_not() {
        for name in [
            "Visual Studio Code",
            "Visual Studio Code - Insiders",
            "code-server",
            "Code - OSS",
            "VSCodium",
        ] {
            assert!(is_vscode(name), "{name}");
        }
        for name in ["Neovim", "helix", "Zed", "Emacs", "LSP4IJ"] {
            assert!(!is_vscode(name), "{name}");
        }
    }
}
