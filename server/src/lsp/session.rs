//! What the client told us, kept for the session: its capabilities (read once at `initialize`),
//! its identity, the configuration (`initializationOptions` under the `goEnvDoctor` section),
//! the workspace folders, the open documents and the last check of each folder ([`State`]).

use super::convert::{self, Encoding};
use super::documents::Checked;
use super::LogReload;
use super::{watch, Backend};
use crate::facts::CheckOptions;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower_lsp_server::lsp_types::{
    ConfigurationItem, Diagnostic, DidChangeConfigurationParams, DidChangeWorkspaceFoldersParams,
    InitializeParams, MarkupKind, PositionEncodingKind, ResourceOperationKind, Uri,
};

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
    /// `false` turns the persistent probe cache off for this session (default on).
    pub probe_cache: Option<bool>,
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

/// What the client can do (and asked for), read once at `initialize`.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct ClientCaps {
    /// The position encoding agreed on: UTF-8 when the client offers it, else UTF-16.
    pub enc: Encoding,
    /// The client renders Markdown in hovers (`hover.contentFormat`); else plain text.
    pub hover_markdown: bool,
    /// The client asked for `goEnvDoctor/serverStatus` after each publish.
    pub status_notifications: bool,
    /// The client applies `documentChanges` / can create files in a workspace edit.
    pub document_changes: bool,
    pub create_files: bool,
    /// The client answers `workspace/configuration`.
    pub pull_config: bool,
    /// The client watches files for us (dynamic `workspace/didChangeWatchedFiles`
    /// registration), with `RelativePattern`s.
    pub watch_registration: bool,
    pub relative_patterns: bool,
}

impl ClientCaps {
    /// Read from `initialize` (its `capabilities`, and `initializationOptions.serverStatus`).
    fn of(params: &InitializeParams) -> ClientCaps {
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
        let status_notifications = params
            .initialization_options
            .as_ref()
            .and_then(|o| o.get("serverStatus"))
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
        let hover_markdown = params
            .capabilities
            .text_document
            .as_ref()
            .and_then(|t| t.hover.as_ref())
            .and_then(|h| h.content_format.as_ref())
            .is_some_and(|formats| formats.contains(&MarkupKind::Markdown));
        ClientCaps {
            enc,
            hover_markdown,
            status_notifications,
            document_changes,
            create_files,
            pull_config,
            watch_registration,
            relative_patterns,
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct State {
    /// What the client can do, read once at `initialize`.
    pub caps: ClientCaps,
    pub config: Config,
    pub folders: Vec<PathBuf>,
    pub docs: HashMap<PathBuf, Doc>,
    /// Bumped on every open/change/close: a check that read other buffers is refreshed.
    pub docs_epoch: u64,
    pub results: BTreeMap<PathBuf, Checked>,
    /// Bumped whenever `results` is replaced or its probes change (a check, a re-walk, a
    /// module file re-read): a settings refresh computed from older results is dropped.
    pub results_epoch: u64,
    /// Files we published non-empty diagnostics for (to clear them later).
    pub published: BTreeSet<PathBuf>,
    /// What we last published for each file: clients that do not echo a diagnostic's `data`
    /// in `textDocument/codeAction` (Vim's ALE, older clients) get their fixes from here.
    pub last_published: HashMap<PathBuf, Vec<Diagnostic>>,
    /// `initializationOptions`, the base the `goEnvDoctor` section overrides.
    pub init_config: serde_json::Value,
    pub shut_down: bool,
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

/// Whether a check's login shell reports its startup files as it runs (for the persistent
/// cache): only where that is nearly free (zsh); bash is traced in a second run after the
/// diagnostics are out (`queue`), so that its first diagnostics do not pay for xtrace.
pub(super) fn traces_inline(o: &CheckOptions) -> bool {
    let env = o
        .editor_env
        .clone()
        .unwrap_or_else(crate::facts::process_env);
    o.probe_cache
        && crate::facts::shell::traces_startup_cheaply(&crate::facts::shell::resolve_shell(
            o.shell.as_deref(),
            &env,
        ))
}

impl Backend {
    /// `initialize`: what the client can do, its folders, configuration and who it is, recorded
    /// once. Returns the position encoding agreed on.
    pub(super) fn initialize_session(&self, params: &InitializeParams) -> Encoding {
        let caps = ClientCaps::of(params);
        let mut folders: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|f| convert::uri_path(&f.uri))
            .collect();
        #[allow(deprecated)]
        if folders.is_empty() {
            folders.extend(params.root_uri.as_ref().and_then(convert::uri_path));
        }
        let config = Config::from_value(params.initialization_options.as_ref());
        tracing::info!(
            enc = ?caps.enc,
            ?folders,
            ?config,
            watch_registration = caps.watch_registration,
            "initialize"
        );
        {
            let mut state = self.state();
            state.caps = caps;
            state.folders = folders;
            state.config = config;
            state.init_config = params.initialization_options.clone().unwrap_or_default();
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
        caps.enc
    }

    /// Start each folder's login shell with what `initialize` said, before the client answers
    /// for its configuration: the shell is the slowest probe, and the first check takes it
    /// when the configuration did not change its inputs. Not when the persistent cache has an
    /// entry for the folder: the first diagnostics then come from it, and a shell starting
    /// meanwhile would only compete with them for the processor.
    pub(super) fn prefetch_shells(&self) {
        let opts: Vec<CheckOptions> = {
            let state = self.state();
            let persist =
                self.services.probe_store.is_some() && state.config.probe_cache != Some(false);
            state
                .folders
                .iter()
                .map(|f| {
                    let mut o = self.options(&state, f);
                    o.probe_cache = persist && o.probe_shell;
                    o.trace_startup = traces_inline(&o);
                    o
                })
                .collect()
        };
        for o in opts {
            let cached = o.probe_cache
                && self
                    .services
                    .probe_store
                    .as_ref()
                    .is_some_and(|store| store.has_entry(&o));
            if cached {
                continue;
            }
            let key = super::cache::ShellKey::of(&o, self.services.shell_probes.zdotdir(&o.folder));
            self.services.shell_probes.prefetch(&o, key);
        }
    }

    /// Apply the configuration's `logLevel` ([`Logging::apply`]).
    pub(super) fn apply_log_level(&self) {
        let wanted = self.state().config.log_level.clone();
        self.services.logging.apply(wanted);
    }

    pub(super) fn options(&self, state: &State, folder: &Path) -> CheckOptions {
        let c = &state.config;
        let mut o = CheckOptions::new(folder.to_path_buf(), self.services.helper_exe.clone());
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
    pub(super) fn spawn_configure_and_recheck(&self) {
        let this = self.clone();
        tokio::spawn(async move {
            let (pull, folders) = {
                let state = this.state();
                (state.caps.pull_config, state.folders.clone())
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

    pub(super) async fn configuration_changed(&self, params: DidChangeConfigurationParams) {
        let pull = {
            let mut state = self.state();
            if !state.caps.pull_config {
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
            state.caps.pull_config
        };
        self.apply_log_level();
        if pull {
            self.spawn_configure_and_recheck();
        } else {
            self.spawn_recheck(Duration::ZERO);
        }
    }

    pub(super) async fn folders_changed(&self, params: DidChangeWorkspaceFoldersParams) {
        let pull = {
            let mut state = self.state();
            let removed: Vec<PathBuf> = params
                .event
                .removed
                .iter()
                .filter_map(|f| convert::uri_path(&f.uri))
                .collect();
            state.folders.retain(|f| !removed.contains(f));
            for f in params
                .event
                .added
                .iter()
                .filter_map(|f| convert::uri_path(&f.uri))
            {
                if !state.folders.contains(&f) {
                    state.folders.push(f);
                }
            }
            state.caps.pull_config
        };
        // A new folder has its own `go` / `gopls` configuration.
        if pull {
            self.spawn_configure_and_recheck();
        } else {
            self.spawn_recheck(Duration::ZERO);
        }
    }

    pub(super) async fn shut_down(&self) {
        self.queue.generation.fetch_add(1, Ordering::SeqCst);
        let published: Vec<PathBuf> = {
            let mut state = self.state();
            state.shut_down = true;
            std::mem::take(&mut state.published).into_iter().collect()
        };
        self.services.watching.stop();
        self.publish(published.into_iter().map(|p| (p, Vec::new())).collect())
            .await;
        // A probe cache write under way finishes before we reply (bounded: it is a small file).
        let _ = tokio::time::timeout(Duration::from_secs(2), self.queue.saving.lock()).await;
    }
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

/// Our own log filter: changed at run time when the configuration's `logLevel` changes.
pub(crate) struct Logging {
    reload: Option<Arc<LogReload>>,
    /// The `logLevel` applied last.
    applied: Mutex<Option<String>>,
}

impl Logging {
    pub(crate) fn new(reload: Option<Arc<LogReload>>) -> Self {
        Logging {
            reload,
            applied: Mutex::default(),
        }
    }

    /// Apply `wanted` (`off`, `error`, `warn`, `info`, `debug`, `trace`, or any `RUST_LOG`
    /// directive) to our own logs; other crates stay at `warn`.
    fn apply(&self, wanted: Option<String>) {
        let Some(reload) = &self.reload else {
            return;
        };
        let Some(level) = wanted
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
        else {
            return;
        };
        let mut current = self.applied.lock().unwrap_or_else(|e| e.into_inner());
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
