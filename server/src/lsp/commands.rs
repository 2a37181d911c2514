//! `workspace/executeCommand`: re-check, the report, the fixes that run as commands
//! (`go env -w/-u`, creating a directory, `go clean -cache` and `go install` of a tool with
//! `$/progress` and cancellation) and the editor setup lines.

use super::{
    actions, Backend, CMD_CLEAN_CACHE, CMD_CREATE_DIRECTORY, CMD_EDITOR_SETUP, CMD_GO_ENV_UNSET,
    CMD_GO_ENV_WRITE, CMD_INSTALL_TOOL, CMD_RECHECK, CMD_REPORT,
};
use crate::facts::process::Cancel;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::lsp_types::request::WorkDoneProgressCreate;
use tower_lsp_server::lsp_types::{
    ExecuteCommandParams, LSPAny, MessageType, NumberOrString, WorkDoneProgressCancelParams,
    WorkDoneProgressCreateParams,
};
use tower_lsp_server::{Cancellable, OngoingProgress, Unbounded};

impl Backend {
    /// The reply to a command that changed the machine (`cleanCache`, `installTool`): on success
    /// its message, and a re-check; on failure the message shown to the user and an error.
    async fn work_finished(
        &self,
        done: std::result::Result<String, String>,
    ) -> Result<Option<LSPAny>> {
        match done {
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
        }
    }

    pub(super) async fn run_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        let arg = params.arguments.first().cloned().unwrap_or_default();
        match params.command.as_str() {
            CMD_RECHECK => {
                // Asked for: the login shell runs again even if its rc files look unchanged.
                self.services.shell_probes.clear();
                self.recheck_and_wait().await;
                Ok(None)
            }
            CMD_REPORT if arg.get("format").and_then(LSPAny::as_str) == Some("json") => {
                Ok(Some(self.report_structured()))
            }
            CMD_REPORT => Ok(Some(LSPAny::String(self.report_markdown()))),
            CMD_CLEAN_CACHE => {
                let done = self.clean_cache(arg).await;
                self.work_finished(done).await
            }
            CMD_INSTALL_TOOL => {
                let done = self.install_tool(arg).await;
                self.work_finished(done).await
            }
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

    /// `window/workDoneProgress/cancel`: the user pressed cancel on our progress.
    pub(super) async fn progress_cancel(&self, params: WorkDoneProgressCancelParams) {
        let key = token_key(&params.token);
        self.services.progress.cancel(&key);
    }

    /// `goEnvDoctor.cleanCache` with `$/progress` (a client-created token when the client
    /// supports it) and cancellation.
    async fn clean_cache(&self, arg: LSPAny) -> std::result::Result<String, String> {
        let work = self
            .begin_work(
                "goEnvDoctor.cleanCache",
                "go clean -cache".into(),
                Some("go clean -cache -n"),
            )
            .await;
        let outcome =
            actions::clean_cache(self, arg, work.cancel.clone(), work.progress.as_ref()).await;
        self.finish_work(work, &outcome).await;
        outcome
    }

    /// `goEnvDoctor.installTool` with `$/progress` (a client-created token when the client
    /// supports it) and cancellation.
    async fn install_tool(&self, arg: LSPAny) -> std::result::Result<String, String> {
        // Refused before any progress is shown.
        let (snapshot, install) = actions::install_request(self, &arg)?;
        let title = format!("go install {}", install.tool);
        let work = self
            .begin_work("goEnvDoctor.installTool", title, None)
            .await;
        let outcome = actions::install_tool(
            snapshot,
            install,
            work.cancel.clone(),
            work.progress.as_ref(),
        )
        .await;
        self.finish_work(work, &outcome).await;
        outcome
    }

    /// A cancellable piece of work under a fresh `$/progress` token (`<command>/<n>`): the
    /// progress is shown only when the client created the token; cancel works either way.
    async fn begin_work(&self, command: &str, title: String, message: Option<&str>) -> Work {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let token =
            NumberOrString::String(format!("{command}/{}", NEXT.fetch_add(1, Ordering::SeqCst)));
        let key = token_key(&token);
        let cancel = self.services.progress.start(&key);
        let created = self
            .client
            .send_request::<WorkDoneProgressCreate>(WorkDoneProgressCreateParams {
                token: token.clone(),
            })
            .await
            .is_ok();
        let progress = if created {
            let builder = self.client.progress(token, title).with_cancel_button();
            let builder = match message {
                Some(m) => builder.with_message(m),
                None => builder,
            };
            Some(builder.begin().await)
        } else {
            None
        };
        Work {
            key,
            cancel,
            progress,
        }
    }

    /// Ends `work`'s progress with the outcome and forgets its cancel flag.
    async fn finish_work(&self, work: Work, outcome: &std::result::Result<String, String>) {
        if let Some(p) = work.progress {
            let end = match outcome {
                Ok(m) => m.clone(),
                Err(e) => format!("failed: {e}"),
            };
            p.finish_with_message(end).await;
        }
        self.services.progress.finish(&work.key);
    }
}

/// What [`Backend::begin_work`] started.
struct Work {
    key: String,
    cancel: Cancel,
    progress: Option<OngoingProgress<Unbounded, Cancellable>>,
}

/// Cancel flags of the server's `$/progress` work, by token.
#[derive(Debug, Default)]
pub(crate) struct Progress(Mutex<HashMap<String, Cancel>>);

impl Progress {
    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<String, Cancel>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new cancel flag for the work under `token`.
    fn start(&self, token: &str) -> Cancel {
        let cancel = Cancel::default();
        self.running().insert(token.to_string(), cancel.clone());
        cancel
    }

    /// The user pressed cancel.
    fn cancel(&self, token: &str) {
        if let Some(flag) = self.running().get(token) {
            tracing::info!(token = %token, "cancelled by the client");
            flag.cancel();
        }
    }

    fn finish(&self, token: &str) {
        self.running().remove(token);
    }
}

fn token_key(t: &NumberOrString) -> String {
    match t {
        NumberOrString::Number(n) => n.to_string(),
        NumberOrString::String(s) => s.clone(),
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
        #[serde(default)]
        sdk: Option<String>,
    }
    let args: Args = serde_json::from_value(arg.clone())
        .map_err(|e| format!("goEnvDoctor.editorSetup: bad arguments: {e}"))?;
    let text = crate::settings::client_env::setup_text(
        &args.editor,
        &args.vars,
        &args.withheld,
        args.sdk.as_deref(),
    );
    let explanation = match &args.sdk {
        Some(sdk) => format!(
            "{} runs the first `go` on the PATH it was started with. Add these lines to its \
             configuration so that it runs the Go SDK in {sdk}, then restart it, and restart \
             go-env-doctor with it.",
            args.editor
        ),
        None => format!(
            "{} took its environment from how it was started, which is not your login shell's. \
             Add these lines to its configuration (or start it from a login shell), then \
             restart it, and restart go-env-doctor with it.",
            args.editor
        ),
    };
    Ok(serde_json::json!({ "editor": args.editor, "text": text, "explanation": explanation }))
}
