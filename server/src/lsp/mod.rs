//! The language server (`go-env-doctor serve`; its behaviour for users is in the README's
//! *Language server*) on tower-lsp-server over stdio.
//!
//! The only module that knows LSP types. It maps findings to diagnostics (published for every
//! affected file, open or not), fixes to code actions (JSONC text edits computed against the
//! file's current text; `go env -w/-u` as commands), and answers hovers from the last
//! snapshot. Facts are collected on a blocking thread, never on the message loop; a generation
//! counter drops results that a newer re-check superseded. State lives behind a `std` mutex
//! that is never held across an `.await`.
//!
//! How the pieces fit (files in this directory):
//! - `Backend` (here) is what tower-lsp calls: its `LanguageServer` methods only delegate.
//!   [`run`] sets up the runtime and the stdio [`transport`] guard.
//! - `session.rs`: what the client told us (`State`, behind one mutex: the client's
//!   capabilities as `ClientCaps`, read once; configuration, folders, open documents and the
//!   last check of each folder).
//! - `queue.rs`: the check scheduler (`Queue`: generations, the running check, the last one
//!   published; debounce; cancelling a superseded probe).
//! - `documents.rs`: open/change/save/close and watched-file events; what they re-check
//!   (re-diagnose from cached probes, re-read or re-walk module files, or re-probe).
//! - `publish.rs`: findings → diagnostics per file, server status, the report command.
//! - `commands.rs`: `workspace/executeCommand`; `actions.rs`: fixes → code actions;
//!   `hover.rs`; `watch.rs`: watching the probes' inputs; `cache.rs`: login-shell probes by
//!   their inputs; [`convert`]: positions, URIs and diagnostics; `status.rs`: serverStatus.

mod actions;
mod answer;
mod cache;
mod commands;
pub mod convert;
mod documents;
mod hover;
mod publish;
mod queue;
mod session;
mod status;
#[doc(hidden)]
pub mod transport;
mod watch;

use crate::facts;
use convert::Encoding;
use session::State;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability,
    CodeActionResponse, DidChangeConfigurationParams, DidChangeTextDocumentParams,
    DidChangeWatchedFilesParams, DidChangeWorkspaceFoldersParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, ExecuteCommandOptions,
    ExecuteCommandParams, Hover, HoverParams, HoverProviderCapability, InitializeParams,
    InitializeResult, InitializedParams, LSPAny, OneOf, PositionEncodingKind, SaveOptions,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, WorkspaceFoldersServerCapabilities,
    WorkspaceServerCapabilities,
};
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

/// Changes the log filter at run time (`logLevel`); the front end that set up logging makes it.
pub type LogReload = Box<dyn Fn(&str) -> std::result::Result<(), String> + Send + Sync>;

pub const CMD_RECHECK: &str = "goEnvDoctor.recheck";
pub const CMD_REPORT: &str = "goEnvDoctor.report";
pub const CMD_GO_ENV_WRITE: &str = "goEnvDoctor.goEnvWrite";
pub const CMD_GO_ENV_UNSET: &str = "goEnvDoctor.goEnvUnset";
pub const CMD_CREATE_DIRECTORY: &str = "goEnvDoctor.createDirectory";
pub const CMD_CLEAN_CACHE: &str = "goEnvDoctor.cleanCache";
pub const CMD_EDITOR_SETUP: &str = "goEnvDoctor.editorSetup";
pub const CMD_INSTALL_TOOL: &str = "goEnvDoctor.installTool";

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
    let ending = runtime.block_on(serve(
        tokio::io::stdin(),
        tokio::io::stdout(),
        helper_exe,
        log_reload,
    ));
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

/// Serve one client on `input`/`output` until it says `exit` or its input ends. `helper_exe` is
/// the go-env-doctor binary the login-shell probe runs (`__print-env`); [`run`] passes its own
/// executable, an in-process test harness the built binary. The caller owns the runtime and
/// ends the probes' processes afterwards (`facts::children::kill_all`).
pub async fn serve<I, O>(
    input: I,
    output: O,
    helper_exe: PathBuf,
    log_reload: Option<Arc<LogReload>>,
) -> transport::Ending
where
    I: tokio::io::AsyncRead + Unpin + Send + 'static,
    O: tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (service, socket) =
        LspService::build(|client| Backend::new(client, helper_exe, log_reload))
            .custom_method("window/workDoneProgress/cancel", Backend::progress_cancel)
            .finish();
    // tower-lsp only sees what the guard let through, and writes through it.
    transport::guard(input, output, |input, output| {
        Server::new(input, output, socket).serve(service)
    })
    .await
}

/// What tower-lsp calls. Three kinds of state, each with its own owner: the session (what the
/// client told us and the last results: one `std` mutex, never held across an `.await`, and on
/// the keystroke path never across file IO), the check queue, and the server's services — each
/// service keeps its lock private and is used through its methods, so no code path holds two
/// of them at once.
#[derive(Clone)]
pub(crate) struct Backend {
    client: Client,
    state: Arc<Mutex<State>>,
    /// The check scheduler: generations, the running check, the last one published.
    queue: queue::Queue,
    services: Arc<Services>,
}

/// What the server keeps beside the session.
pub(crate) struct Services {
    /// The go-env-doctor binary the login-shell probe runs (`__print-env`).
    helper_exe: PathBuf,
    /// The log filter (`logLevel`).
    logging: session::Logging,
    /// Login-shell probes by their inputs.
    shell_probes: cache::ShellProbes,
    /// The persistent probe cache (`None`: turned off, or no user cache directory).
    probe_store: Option<crate::facts::probe_cache::Store>,
    /// Cancel flags of running `$/progress` work, by token.
    progress: commands::Progress,
    /// What `go clean -cache` would remove, for code action titles (one per check).
    previews: actions::Previews,
    /// Our own file watcher, or what is registered with the client.
    watching: watch::Watching,
}

/// Turns the persistent probe cache off for the server when set to `off` (the command line has
/// `check --no-cache`, its default).
pub const PROBE_CACHE_ENV: &str = "GO_ENV_DOCTOR_PROBE_CACHE";

fn probe_store() -> Option<crate::facts::probe_cache::Store> {
    if std::env::var_os(PROBE_CACHE_ENV).is_some_and(|v| v == "off") {
        tracing::debug!("the persistent probe cache is off ({PROBE_CACHE_ENV}=off)");
        return None;
    }
    crate::facts::probe_cache::Store::user()
}

impl Backend {
    fn new(client: Client, helper_exe: PathBuf, log_reload: Option<Arc<LogReload>>) -> Self {
        Backend {
            client,
            state: Arc::default(),
            queue: queue::Queue::default(),
            services: Arc::new(Services {
                helper_exe,
                logging: session::Logging::new(log_reload),
                shell_probes: cache::ShellProbes::default(),
                probe_store: probe_store(),
                progress: commands::Progress::default(),
                previews: actions::Previews::default(),
                watching: watch::Watching::default(),
            }),
        }
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What the server offers, in the position encoding agreed on at `initialize`.
fn server_capabilities(enc: Encoding) -> InitializeResult {
    let position_encoding = Some(match enc {
        Encoding::Utf8 => PositionEncodingKind::UTF8,
        Encoding::Utf16 => PositionEncodingKind::UTF16,
    });
    InitializeResult {
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
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                ..CodeActionOptions::default()
            })),
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
                    CMD_INSTALL_TOOL,
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
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let enc = self.initialize_session(&params);
        self.apply_log_level();
        self.prefetch_shells();
        Ok(server_capabilities(enc))
    }

    async fn initialized(&self, _: InitializedParams) {
        self.register_settings_watchers();
        self.spawn_configure_and_recheck();
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        self.configuration_changed(params).await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.shut_down().await;
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        self.opened(params).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        self.changed(params).await;
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        self.saved(params).await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.closed(params).await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        self.watched_files_changed(params).await;
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        self.folders_changed(params).await;
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let actions = actions::code_actions(self, &params).await;
        Ok((!actions.is_empty()).then_some(actions))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        Ok(hover::hover(self, &params))
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        self.run_command(params).await
    }
}
