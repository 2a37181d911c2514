//! Fixes → code actions (SPEC §5): settings fixes become JSONC text edits computed against the
//! file's current text (the open document's, else the file on disk); env-file fixes become
//! commands the server runs with the shell-side environment.

use super::convert::{self, Encoding};
use super::{
    Backend, Doc, CMD_CLEAN_CACHE, CMD_CREATE_DIRECTORY, CMD_GO_ENV_UNSET, CMD_GO_ENV_WRITE,
};
use crate::model::{Fix, FixAction, Snapshot};
use crate::settings::jsonc::{self, SettingsRoot};
use serde_json::json;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tower_lsp_server::lsp_types::{
    CodeAction, CodeActionDisabled, CodeActionKind, CodeActionOrCommand, CodeActionParams, Command,
    CreateFile, Diagnostic, DocumentChangeOperation, DocumentChanges, OneOf,
    OptionalVersionedTextDocumentIdentifier, Position, Range, ResourceOp, TextDocumentEdit,
    TextEdit, Uri, WorkspaceEdit,
};
use tower_lsp_server::{Cancellable, OngoingProgress, Unbounded};

/// Why a fix for a diagnostic of an older document version is refused.
pub(super) const MOVED_ON: &str =
    "the document changed since this problem was found; wait for go-env-doctor to re-check it";

/// How long `go env -w/-u` may take.
const GO_ENV_TIMEOUT: Duration = Duration::from_secs(30);

/// The quick fixes for our diagnostics in the request's context, best first per diagnostic;
/// the first fix of each diagnostic is the preferred one.
pub(super) fn code_actions(
    backend: &Backend,
    params: &CodeActionParams,
) -> Vec<CodeActionOrCommand> {
    let wanted = match &params.context.only {
        None => true,
        Some(only) => only
            .iter()
            .any(|k| CodeActionKind::QUICKFIX.as_str().starts_with(k.as_str())),
    };
    if !wanted {
        return Vec::new();
    }
    let doc_path = params.text_document.uri.to_file_path_buf();
    let state = backend.state();
    let folder = doc_path
        .as_deref()
        .and_then(|p| Backend::folder_of(&state, p));
    let ctx = Ctx {
        enc: state.enc,
        docs: &state.docs,
        document_changes: state.document_changes,
        create_files: state.create_files,
        folder,
    };
    let mut out = Vec::new();
    for diag in &params.context.diagnostics {
        let mut first = true;
        let (fixes, version) = convert::payload_of(diag);
        let moved_on = match (version, doc_path.as_ref().and_then(|p| state.docs.get(p))) {
            (Some(v), Some(doc)) => doc.version != v,
            _ => false,
        };
        if moved_on {
            // The problem was found in an older text: an edit computed now could land on
            // something else. Say so instead of guessing (the re-check follows the change).
            for fix in &fixes {
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: fix.title.clone(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diag.clone()]),
                    disabled: Some(CodeActionDisabled {
                        reason: MOVED_ON.to_string(),
                    }),
                    ..CodeAction::default()
                }));
            }
            continue;
        }
        for fix in fixes {
            if let Some(mut action) = ctx.action(&fix, diag) {
                action.is_preferred = Some(first);
                first = false;
                out.push(CodeActionOrCommand::CodeAction(action));
            }
        }
    }
    out
}

/// Local helper: a file URI as a path.
trait UriPath {
    fn to_file_path_buf(&self) -> Option<PathBuf>;
}

impl UriPath for Uri {
    fn to_file_path_buf(&self) -> Option<PathBuf> {
        tower_lsp_server::UriExt::to_file_path(self).map(|p| p.into_owned())
    }
}

/// Edits of GoLand's `.idea/workspace.xml` (`$PROJECT_DIR$` is the folder holding `.idea`,
/// `$USER_HOME$` this process's HOME, as GoLand started us).
fn idea_edits(
    file: &Path,
    text: &str,
    key: &str,
    value: Option<&str>,
) -> Result<Vec<crate::settings::TextEdit>, String> {
    use crate::settings::idea;
    let macros = idea::Macros {
        home: std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from),
        project_dir: file
            .parent()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default(),
    };
    match value {
        Some(v) => idea::set_setting(text, key, v, &macros),
        None => idea::remove_setting(text, key),
    }
    .map_err(|e| e.to_string())
}

struct Ctx<'a> {
    enc: Encoding,
    docs: &'a HashMap<PathBuf, Doc>,
    document_changes: bool,
    create_files: bool,
    folder: Option<PathBuf>,
}

impl Ctx<'_> {
    fn action(&self, fix: &Fix, diag: &Diagnostic) -> Option<CodeAction> {
        let (edit, command) = match &fix.action {
            FixAction::SetSetting { file, key, value } => {
                (Some(self.settings_edit(file, key, Some(value))?), None)
            }
            FixAction::RemoveSetting { file, key } => {
                (Some(self.settings_edit(file, key, None)?), None)
            }
            FixAction::GoEnvWrite { key, value } => (
                None,
                Some(self.command(
                    &fix.title,
                    CMD_GO_ENV_WRITE,
                    json!({ "key": key, "value": value }),
                )),
            ),
            FixAction::GoEnvUnset { key } => (
                None,
                Some(self.command(&fix.title, CMD_GO_ENV_UNSET, json!({ "key": key }))),
            ),
            FixAction::CreateDirectory { path } => (
                None,
                Some(self.command(&fix.title, CMD_CREATE_DIRECTORY, json!({ "path": path }))),
            ),
            FixAction::EnvFileRemoveLine { file, key, line } => {
                (Some(self.remove_line_edit(file, key, *line)?), None)
            }
            FixAction::CleanCache { gocache } => (
                None,
                Some(self.command(
                    &format!(
                        "{} (lists what `go clean -cache -n` removes first)",
                        fix.title
                    ),
                    CMD_CLEAN_CACHE,
                    json!({ "gocache": gocache }),
                )),
            ),
        };
        Some(CodeAction {
            title: fix.title.clone(),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diag.clone()]),
            edit,
            command,
            is_preferred: None,
            disabled: None,
            data: None,
        })
    }

    fn command(&self, title: &str, name: &str, mut args: serde_json::Value) -> Command {
        if let (Some(folder), Some(obj)) = (&self.folder, args.as_object_mut()) {
            obj.insert("folder".into(), json!(folder));
        }
        Command {
            title: title.to_string(),
            command: name.to_string(),
            arguments: Some(vec![args]),
        }
    }

    /// The workspace edit setting (`value: Some`) or removing a member of a settings file.
    /// `None` (logged) when no safe edit exists: unparseable text, a file we cannot create.
    fn settings_edit(&self, file: &Path, key: &str, value: Option<&str>) -> Option<WorkspaceEdit> {
        let uri = convert::file_uri(file)?;
        let root = if file.extension().is_some_and(|e| e == "code-workspace") {
            SettingsRoot::WorkspaceFile
        } else {
            SettingsRoot::TopLevel
        };
        let (text, version) = match self.docs.get(file) {
            Some(doc) => (doc.text.clone(), Some(doc.version)),
            None => match std::fs::read(file) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(t) => (t, None),
                    Err(_) => {
                        tracing::info!("no quick fix: {} is not UTF-8", file.display());
                        return None;
                    }
                },
                Err(e)
                    if e.kind() == std::io::ErrorKind::NotFound
                        && !crate::settings::idea::is_idea_file(file) =>
                {
                    return self.create_edit(uri, key, value?);
                }
                Err(e) => {
                    tracing::info!("no quick fix: cannot read {}: {e}", file.display());
                    return None;
                }
            },
        };
        let edits = if crate::settings::idea::is_idea_file(file) {
            idea_edits(file, &text, key, value)
        } else {
            match value {
                Some(v) => jsonc::set_member(&text, root, key, v),
                None => jsonc::remove_member(&text, root, key),
            }
            .map_err(|e| e.to_string())
        };
        let edits = match edits {
            Ok(e) if e.is_empty() => {
                tracing::debug!("{key} in {} needs no change", file.display());
                return None;
            }
            Ok(e) => e,
            Err(e) => {
                tracing::info!("no quick fix for {key} in {}: {e}", file.display());
                return None;
            }
        };
        let edits: Vec<TextEdit> = edits
            .iter()
            .map(|e| TextEdit {
                range: convert::range(&text, e.start, e.end, self.enc),
                new_text: e.new_text.clone(),
            })
            .collect();
        Some(self.workspace_edit(uri, version, edits))
    }

    fn workspace_edit(
        &self,
        uri: Uri,
        version: Option<i32>,
        edits: Vec<TextEdit>,
    ) -> WorkspaceEdit {
        if self.document_changes {
            WorkspaceEdit {
                document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier { uri, version },
                    edits: edits.into_iter().map(OneOf::Left).collect(),
                }])),
                ..WorkspaceEdit::default()
            }
        } else {
            WorkspaceEdit {
                changes: Some([(uri, edits)].into_iter().collect()),
                ..WorkspaceEdit::default()
            }
        }
    }

    /// Delete line `line` (1-based) of an env file, when it still sets `key` (the file may have
    /// changed since the check). For a `go` that cannot run at all (a bad `GOROOT=` line).
    fn remove_line_edit(&self, file: &Path, key: &str, line: u32) -> Option<WorkspaceEdit> {
        let uri = convert::file_uri(file)?;
        let (text, version) = match self.docs.get(file) {
            Some(doc) => (doc.text.clone(), Some(doc.version)),
            None => match std::fs::read(file) {
                Ok(bytes) => (String::from_utf8_lossy(&bytes).into_owned(), None),
                Err(e) => {
                    tracing::info!("no quick fix: cannot read {}: {e}", file.display());
                    return None;
                }
            },
        };
        let index = usize::try_from(line.checked_sub(1)?).ok()?;
        let start: usize = text.split_inclusive('\n').take(index).map(str::len).sum();
        let this = text.split_inclusive('\n').nth(index)?;
        let sets_key = this
            .trim_start()
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='));
        if !sets_key {
            tracing::info!(
                "no quick fix: line {line} of {} no longer sets {key}",
                file.display()
            );
            return None;
        }
        let edit = TextEdit {
            range: convert::range(&text, start, start + this.len(), self.enc),
            new_text: String::new(),
        };
        Some(self.workspace_edit(uri, version, vec![edit]))
    }

    /// A new settings file holding the member: a `CreateFile` operation and its text.
    fn create_edit(&self, uri: Uri, key: &str, value: &str) -> Option<WorkspaceEdit> {
        if !self.create_files {
            tracing::info!(
                "no quick fix: {} does not exist and the client cannot create files",
                uri.as_str()
            );
            return None;
        }
        let insert = TextEdit {
            range: Range::new(Position::new(0, 0), Position::new(0, 0)),
            new_text: jsonc::new_file(key, value),
        };
        Some(WorkspaceEdit {
            document_changes: Some(DocumentChanges::Operations(vec![
                DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
                    uri: uri.clone(),
                    options: None,
                    annotation_id: None,
                })),
                DocumentChangeOperation::Edit(TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
                    edits: vec![OneOf::Left(insert)],
                }),
            ])),
            ..WorkspaceEdit::default()
        })
    }
}

/// The snapshot of the folder a command names (`folder` argument), else the first.
fn snapshot_for(backend: &Backend, arg: &serde_json::Value) -> Result<Snapshot, String> {
    let state = backend.state();
    let folder = arg
        .get("folder")
        .and_then(|f| f.as_str())
        .map(PathBuf::from)
        .filter(|f| state.results.contains_key(f))
        .or_else(|| state.results.keys().next().cloned())
        .ok_or("no workspace folder has been checked yet")?;
    state
        .results
        .get(&folder)
        .map(|c| c.snapshot.clone())
        .ok_or_else(|| "no workspace folder has been checked yet".to_string())
}

/// `goEnvDoctor.cleanCache`: `go clean -cache -n` first (what would go, reported as progress),
/// then `go clean -cache` with `$/progress` and a cancel button; cancelling kills it. Runs with
/// the shell side's `go` and environment (GOCACHE = the `gocache` argument when given).
/// Returns the closing message.
pub(super) async fn clean_cache(
    backend: &Backend,
    arg: serde_json::Value,
    cancel: Arc<AtomicBool>,
    progress: Option<&OngoingProgress<Unbounded, Cancellable>>,
) -> Result<String, String> {
    let snapshot = snapshot_for(backend, &arg)?;
    let side = snapshot
        .shell
        .as_ref()
        .filter(|s| s.go.is_some())
        .unwrap_or(&snapshot.editor);
    let go = side
        .go
        .as_ref()
        .map(|g| g.path.clone())
        .ok_or_else(|| format!("{} has no go to run", side.label))?;
    let mut env = side.os_env.clone();
    env.insert("GOTOOLCHAIN".into(), "local".into());
    if let Some(cache) = arg.get("gocache").and_then(|v| v.as_str()) {
        env.insert("GOCACHE".into(), cache.to_string());
    }
    let folder = snapshot.folder.clone();
    let (go2, env2, folder2) = (go.clone(), env.clone(), folder.clone());
    let preview = tokio::task::spawn_blocking(move || {
        crate::facts::process::run(
            &go2,
            &["clean", "-cache", "-n"],
            &env2,
            &folder2,
            GO_ENV_TIMEOUT,
        )
    })
    .await
    .map_err(|e| e.to_string())?;
    let listed = match preview {
        crate::model::CommandResult::Ok { value, .. } => value
            .split_whitespace()
            .filter(|w| *w != "rm" && !w.starts_with('-'))
            .count(),
        other => return Err(format!("go clean -cache -n: {other:?}")),
    };
    if let Some(p) = progress {
        p.report_with_message(
            format!("go clean -cache -n: {listed} entries to remove; running go clean -cache"),
            Some(true),
        )
        .await;
    }
    tokio::task::spawn_blocking(move || {
        let mut child = std::process::Command::new(&go)
            .args(["clean", "-cache"])
            .env_clear()
            .envs(&env)
            .current_dir(&folder)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", go.display()))?;
        loop {
            if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
                return if status.success() {
                    Ok(format!("removed {listed} cache entries"))
                } else {
                    Err(format!("go clean -cache failed ({status})"))
                };
            }
            if cancel.load(Ordering::SeqCst) {
                let _ = child.kill();
                let _ = child.wait();
                return Ok("cancelled".to_string());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Run one of the fix commands; the caller re-checks afterwards.
pub(super) async fn execute(
    backend: &Backend,
    command: &str,
    arg: serde_json::Value,
) -> Result<(), String> {
    let str_arg = |name: &str| -> Result<String, String> {
        arg.get(name)
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .ok_or_else(|| format!("missing argument `{name}`"))
    };
    if command == CMD_CREATE_DIRECTORY {
        let path = PathBuf::from(str_arg("path")?);
        if !path.is_absolute() {
            return Err(format!("not an absolute path: {}", path.display()));
        }
        return tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&path)
                .map_err(|e| format!("cannot create {}: {e}", path.display()))
        })
        .await
        .map_err(|e| e.to_string())?;
    }
    let key = str_arg("key")?;
    let go_args: Vec<String> = if command == CMD_GO_ENV_WRITE {
        vec!["-w".into(), format!("{key}={}", str_arg("value")?)]
    } else {
        vec!["-u".into(), key.clone()]
    };
    let snapshot: Snapshot = snapshot_for(backend, &arg)?;
    tokio::task::spawn_blocking(move || run_go_env(&snapshot, &go_args))
        .await
        .map_err(|e| e.to_string())?
}

/// `go env ARGS` with the shell-side environment and `go` (the editor's when the shell could
/// not be probed).
fn run_go_env(snapshot: &Snapshot, args: &[String]) -> Result<(), String> {
    let side = snapshot
        .shell
        .as_ref()
        .filter(|s| s.go.is_some())
        .unwrap_or(&snapshot.editor);
    let go = side
        .go
        .as_ref()
        .ok_or_else(|| format!("{} has no go to run", side.label))?;
    let mut env = side.os_env.clone();
    if !args.iter().any(|a| a.starts_with("GOTOOLCHAIN")) {
        env.insert("GOTOOLCHAIN".into(), "local".into());
    }
    let args: Vec<&str> = std::iter::once("env")
        .chain(args.iter().map(String::as_str))
        .collect();
    match crate::facts::process::run(&go.path, &args, &env, &snapshot.folder, GO_ENV_TIMEOUT) {
        crate::model::CommandResult::Ok { .. } => Ok(()),
        crate::model::CommandResult::Failed { stderr, .. } => {
            Err(format!("go {} failed: {stderr}", args.join(" ")))
        }
        crate::model::CommandResult::TimedOut { after_millis } => Err(format!(
            "go {} timed out after {after_millis} ms",
            args.join(" ")
        )),
        crate::model::CommandResult::NotRun { reason } => Err(reason),
    }
}
