//! Fixes (data carried by each finding) → code actions: settings fixes become JSONC text edits
//! computed against the file's current text (the open document's, else the file on disk); env-file
//! fixes become commands the server runs with the shell-side environment.

use super::convert::{self, Encoding};
use super::session::Doc;
use super::{Backend, CMD_CLEAN_CACHE, CMD_CREATE_DIRECTORY, CMD_GO_ENV_UNSET, CMD_GO_ENV_WRITE};
use crate::facts::fs::ReadError;
use crate::facts::process::Cancel;
use crate::fixes::{self, clean};
use crate::model::{Fix, FixAction, Snapshot};
use crate::settings::fix_edit::{self, FileChange};
use serde_json::json;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::sync::OnceCell;
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

/// The quick fixes for our diagnostics in the request's context, best first per diagnostic;
/// the first fix of each diagnostic is the preferred one. A `go clean -cache` fix is titled
/// with what it would remove ([`clean_preview`]): measured off the message loop, once per
/// `go` and cache until the next check.
pub(super) async fn code_actions(
    backend: &Backend,
    params: &CodeActionParams,
) -> Vec<CodeActionOrCommand> {
    let (mut out, pending) = plan(backend, params);
    for (index, gocache, runner) in pending {
        let preview = match runner {
            Ok(runner) => clean_preview(backend, runner, &gocache).await,
            Err(why) => Err(why),
        };
        let title = clean::clean_title(&gocache, &preview);
        if let Some(CodeActionOrCommand::CodeAction(action)) = out.get_mut(index) {
            if let Some(command) = action.command.as_mut() {
                command.title = title.clone();
            }
            action.title = title;
        }
    }
    out
}

/// The diagnostics to act on, each with our fix payload. A client that does not echo `data`
/// back (Vim's ALE, older clients) gets the payload of the diagnostic we published with the
/// same range and code; one that sends no diagnostics at all gets every diagnostic we
/// published that touches the requested range.
fn with_payloads(sent: &[Diagnostic], published: &[Diagnostic], range: Range) -> Vec<Diagnostic> {
    if sent.is_empty() {
        return published
            .iter()
            .filter(|d| d.range.start <= range.end && range.start <= d.range.end)
            .cloned()
            .collect();
    }
    sent.iter()
        .map(|d| {
            if d.data.is_some() {
                return d.clone();
            }
            published
                .iter()
                .find(|p| p.range == d.range && p.code == d.code)
                .or_else(|| {
                    published
                        .iter()
                        .find(|p| p.range == d.range && p.message == d.message)
                })
                .cloned()
                .unwrap_or_else(|| d.clone())
        })
        .collect()
}

/// A clean-cache action waiting for its title: its index, the cache, and how `go` would run
/// there (or why it must not).
type PendingPreview = (usize, PathBuf, Result<fixes::Runner, String>);

/// The code actions (clean-cache titles still to measure), under the state lock.
fn plan(
    backend: &Backend,
    params: &CodeActionParams,
) -> (Vec<CodeActionOrCommand>, Vec<PendingPreview>) {
    let mut pending = Vec::new();
    let wanted = match &params.context.only {
        None => true,
        Some(only) => only
            .iter()
            .any(|k| CodeActionKind::QUICKFIX.as_str().starts_with(k.as_str())),
    };
    if !wanted {
        return (Vec::new(), pending);
    }
    let doc_path = params.text_document.uri.to_file_path_buf();
    let state = backend.state();
    let folder = doc_path
        .as_deref()
        .and_then(|p| Backend::folder_of(&state, p));
    let snapshot = folder
        .as_ref()
        .and_then(|f| state.results.get(f))
        .or_else(|| state.results.values().next())
        .map(|c| &c.snapshot);
    let ctx = Ctx {
        enc: state.caps.enc,
        docs: &state.docs,
        document_changes: state.caps.document_changes,
        create_files: state.caps.create_files,
        folder,
    };
    let mut out = Vec::new();
    let published = doc_path
        .as_ref()
        .and_then(|p| state.last_published.get(p))
        .map(Vec::as_slice)
        .unwrap_or_default();
    for diag in &with_payloads(&params.context.diagnostics, published, params.range) {
        let mut first = true;
        let (fixes, version) = convert::payload_of(diag);
        let moved_on = match (version, doc_path.as_ref().and_then(|p| state.docs.get(p))) {
            (Some(v), Some(doc)) => doc.version != v,
            _ => false,
        };
        // A file that is not open is edited as it is on disk now: when it no longer holds the
        // text the problem was found in (changed by another program, or by the user outside
        // the editor), the fix decided on that text could undo the change.
        let changed_on_disk = convert::files_of(diag)
            .into_iter()
            .filter(|(p, _)| !state.docs.contains_key(p))
            .find(|(p, was)| disk_digest(p) != *was)
            .map(|(p, _)| p);
        let refused = if moved_on {
            Some(MOVED_ON.to_string())
        } else {
            changed_on_disk.map(|p| {
                format!(
                    "{} changed on disk since this problem was found; wait for go-env-doctor to re-check it",
                    p.display()
                )
            })
        };
        if let Some(reason) = refused {
            // The problem was found in an older text: an edit computed now could land on
            // something else. Say so instead of guessing (the re-check follows the change).
            tracing::info!("quick fixes refused: {reason}");
            for fix in &fixes {
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: fix.title.clone(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diag.clone()]),
                    disabled: Some(CodeActionDisabled {
                        reason: reason.clone(),
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
                if let FixAction::CleanCache { gocache } = &fix.action {
                    let runner = snapshot
                        .ok_or_else(|| "no workspace folder has been checked yet".to_string())
                        .and_then(|s| clean::runner(s, Some(gocache)));
                    pending.push((out.len(), gocache.clone(), runner));
                }
                out.push(CodeActionOrCommand::CodeAction(action));
            }
        }
    }
    (out, pending)
}

/// A file that is not open in the client, read as the checks read it (regular files only,
/// bounded): a quick fix never blocks on a FIFO or reads a device.
fn read_file(file: &Path) -> Result<Vec<u8>, ReadError> {
    crate::facts::fs::read_bounded(file, crate::facts::fs::MAX_INPUT_BYTES)
}

/// The digest of a file's text on disk now (`None`: there is no file). A file that cannot be
/// read gets a digest no text has, so it never matches.
fn disk_digest(file: &Path) -> Option<u64> {
    match read_file(file) {
        Ok(bytes) => Some(crate::facts::fs::digest(&bytes)),
        Err(ReadError::NotFound) => None,
        Err(ReadError::Refused(_)) => Some(u64::MAX),
    }
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
            FixAction::SetSetting { .. }
            | FixAction::RemoveSetting { .. }
            | FixAction::EnvFileRemoveLine { .. }
            | FixAction::EditGoWork { .. } => (Some(self.file_edit(&fix.action)?), None),
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
            // The editor's own configuration is a program (init.el, init.lua): shown, not edited.
            FixAction::EditorEnvironment {
                editor,
                vars,
                withheld,
                sdk,
            } => (
                None,
                Some(self.command(
                    &fix.title,
                    super::CMD_EDITOR_SETUP,
                    json!({ "editor": editor, "vars": vars, "withheld": withheld, "sdk": sdk }),
                )),
            ),
            // The action itself is the argument: the command runs it only while a finding of
            // the folder still offers exactly this fix.
            FixAction::InstallTool { .. } => (
                None,
                Some(self.command(
                    &fix.title,
                    super::CMD_INSTALL_TOOL,
                    serde_json::to_value(&fix.action).unwrap_or_default(),
                )),
            ),
            // Titled with the preview's figures by `code_actions`.
            FixAction::CleanCache { gocache } => (
                None,
                Some(self.command(&fix.title, CMD_CLEAN_CACHE, json!({ "gocache": gocache }))),
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

    /// The workspace edit of a file fix ([`fix_edit::change`]), computed from the file's text
    /// as the client holds it (the open document's, else the file on disk). `None` (logged) when
    /// no safe edit exists: unparseable or non-UTF-8 text, a line that moved, a file we cannot
    /// create.
    fn file_edit(&self, action: &FixAction) -> Option<WorkspaceEdit> {
        let file = fix_edit::target(action)?;
        let uri = convert::file_uri(file)?;
        let (text, version) = match self.docs.get(file) {
            Some(doc) => (Some(doc.text.clone()), Some(doc.version)),
            None => match read_file(file).map(String::from_utf8) {
                Ok(Ok(t)) => (Some(t), None),
                Ok(Err(_)) => {
                    tracing::info!("no quick fix: {} is not UTF-8", file.display());
                    return None;
                }
                Err(ReadError::NotFound) => (None, None),
                Err(e) => {
                    tracing::info!("no quick fix: cannot read {}: {e}", file.display());
                    return None;
                }
            },
        };
        // `$USER_HOME$` in GoLand's files is this process's HOME, as GoLand started us.
        let home = std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from);
        match fix_edit::change(action, text.as_deref(), home.as_deref()) {
            Ok(Some(FileChange::Edit(edits))) => {
                let text = text.unwrap_or_default();
                let edits = edits
                    .iter()
                    .map(|e| TextEdit {
                        range: convert::range(&text, e.start, e.end, self.enc),
                        new_text: e.new_text.clone(),
                    })
                    .collect();
                Some(self.workspace_edit(uri, version, edits))
            }
            Ok(Some(FileChange::Create(new_text))) => self.create_edit(uri, new_text),
            Ok(None) => {
                tracing::debug!("{} needs no change", file.display());
                None
            }
            Err(why) => {
                tracing::info!("no quick fix: {why}");
                None
            }
        }
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

    /// A new settings file holding the member: a `CreateFile` operation and its text.
    fn create_edit(&self, uri: Uri, new_text: String) -> Option<WorkspaceEdit> {
        if !self.create_files {
            tracing::info!(
                "no quick fix: {} does not exist and the client cannot create files",
                uri.as_str()
            );
            return None;
        }
        let insert = TextEdit {
            range: Range::new(Position::new(0, 0), Position::new(0, 0)),
            new_text,
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
    checked_for(&state, arg).map(|c| Snapshot::clone(&c.snapshot))
}

/// The check of the folder a command names (`folder` argument), else of the first folder.
fn checked_for<'a>(
    state: &'a super::State,
    arg: &serde_json::Value,
) -> Result<&'a super::documents::Checked, String> {
    let named = arg
        .get("folder")
        .and_then(|f| f.as_str())
        .and_then(|f| state.results.get(std::path::Path::new(f)));
    named
        .or_else(|| state.results.values().next())
        .ok_or_else(|| "no workspace folder has been checked yet".to_string())
}

/// One measurement, shared by the requests waiting for it.
type PreviewCell = Arc<OnceCell<Result<clean::Measured, String>>>;

/// Code-action previews by (`go`, cache), valid for one check generation: code actions are
/// asked for on every cursor move, the measurement runs once (concurrent requests share it).
#[derive(Debug, Default)]
pub(crate) struct Previews(std::sync::Mutex<PreviewCells>);

#[derive(Debug, Default)]
struct PreviewCells {
    generation: u64,
    cells: HashMap<(PathBuf, PathBuf), PreviewCell>,
}

impl Previews {
    /// The measurement of (`go`, `gocache`) for check `generation`, shared by its requests.
    fn cell(&self, generation: u64, go: &Path, gocache: &Path) -> PreviewCell {
        let mut previews = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if previews.generation != generation {
            previews.cells.clear();
            previews.generation = generation;
        }
        previews
            .cells
            .entry((go.to_path_buf(), gocache.to_path_buf()))
            .or_default()
            .clone()
    }
}

/// The preview of `go clean -cache` for a code action's title: `go clean -cache -n` and the
/// walk run on a blocking thread, once per (`go`, cache) until the next check.
async fn clean_preview(
    backend: &Backend,
    runner: fixes::Runner,
    gocache: &Path,
) -> Result<clean::Measured, String> {
    let generation = backend.queue.generation.load(Ordering::SeqCst);
    let cell = backend
        .services
        .previews
        .cell(generation, &runner.go, gocache);
    let gocache = gocache.to_path_buf();
    cell.get_or_init(|| async move {
        tokio::task::spawn_blocking(move || clean::measure(&runner, &gocache))
            .await
            .unwrap_or_else(|e| Err(e.to_string()))
    })
    .await
    .clone()
}

/// `goEnvDoctor.cleanCache`: `go clean -cache -n` first (what would go, reported as progress),
/// then `go clean -cache` with `$/progress` and a cancel button; cancelling kills it
/// ([`fixes::clean`]). Returns the closing message.
pub(super) async fn clean_cache(
    backend: &Backend,
    arg: serde_json::Value,
    cancel: Cancel,
    progress: Option<&OngoingProgress<Unbounded, Cancellable>>,
) -> Result<String, String> {
    let snapshot = snapshot_for(backend, &arg)?;
    let gocache = arg
        .get("gocache")
        .and_then(|v| v.as_str())
        .map(PathBuf::from);
    let runner = clean::runner(&snapshot, gocache.as_deref())?;
    let (runner, listing) = {
        let cancel = cancel.clone();
        tokio::task::spawn_blocking(move || {
            let listing = clean::list(&runner, clean::LIST_TIMEOUT, &cancel);
            (runner, listing)
        })
        .await
        .map_err(|e| e.to_string())?
    };
    let listed = clean::count_listed(&listing?, gocache.as_deref());
    if let Some(p) = progress {
        p.report_with_message(
            format!("go clean -cache -n: {listed} entries to remove; running go clean -cache"),
            Some(true),
        )
        .await;
    }
    let cleaned = tokio::task::spawn_blocking(move || clean::clean(&runner, &cancel))
        .await
        .map_err(|e| e.to_string())??;
    Ok(match cleaned {
        clean::Cleaned::Done => format!("removed {listed} cache entries"),
        clean::Cleaned::Cancelled => "cancelled".to_string(),
    })
}

/// `goEnvDoctor.installTool`'s arguments checked: the install a finding of the folder offers
/// now (the arguments are that fix's action) and the snapshot it runs for — so a client cannot
/// make the server install anything else.
pub(super) fn install_request(
    backend: &Backend,
    arg: &serde_json::Value,
) -> Result<(Snapshot, fixes::install::Install), String> {
    let mut action_arg = arg.clone();
    if let Some(obj) = action_arg.as_object_mut() {
        obj.remove("folder");
    }
    let action: FixAction = serde_json::from_value(action_arg)
        .map_err(|e| format!("goEnvDoctor.installTool: bad arguments: {e}"))?;
    let install = fixes::install::Install::from_action(&action)
        .ok_or("goEnvDoctor.installTool: not an install")?;
    let state = backend.state();
    let checked = checked_for(&state, arg)?;
    let offered = checked
        .findings
        .iter()
        .any(|f| f.fixes.iter().any(|x| x.action == action));
    if !offered {
        return Err(format!(
            "no finding offers `{}` any more; check again",
            install.shown()
        ));
    }
    let snapshot = checked.snapshot.clone();
    // The rules run again to find the view that offers it: not under the state lock.
    drop(state);
    let snapshot = fixes::install::snapshot_offering(&snapshot, &action).clone();
    Ok((snapshot, install))
}

/// Run the install [`install_request`] accepted, with `$/progress` reports and cancellation
/// ([`fixes::install`]). Returns the closing message.
pub(super) async fn install_tool(
    snapshot: Snapshot,
    install: fixes::install::Install,
    cancel: Cancel,
    progress: Option<&OngoingProgress<Unbounded, Cancellable>>,
) -> Result<String, String> {
    let runner = fixes::install::runner(&snapshot, &install)?;
    if let Some(p) = progress {
        p.report_with_message(install.shown(), None).await;
    }
    let done =
        tokio::task::spawn_blocking(move || fixes::install::install(&runner, &install, &cancel))
            .await
            .map_err(|e| e.to_string())??;
    Ok(match done {
        fixes::install::Installed::Done(bin) => format!("installed {}", bin.display()),
        fixes::install::Installed::Cancelled => "cancelled".to_string(),
    })
}

/// Run one of the fix commands ([`fixes::run`]); the caller re-checks afterwards.
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
    let command = match command {
        CMD_CREATE_DIRECTORY => fixes::Command::CreateDirectory {
            path: PathBuf::from(str_arg("path")?),
        },
        CMD_GO_ENV_WRITE => fixes::Command::GoEnvWrite {
            key: str_arg("key")?,
            value: str_arg("value")?,
        },
        CMD_GO_ENV_UNSET => fixes::Command::GoEnvUnset {
            key: str_arg("key")?,
        },
        other => return Err(format!("unknown command {other}")),
    };
    // Creating a directory needs no checked folder; the commands that run `go` do.
    let snapshot = match command {
        fixes::Command::CreateDirectory { .. } => Snapshot::default(),
        _ => snapshot_for(backend, &arg)?,
    };
    tokio::task::spawn_blocking(move || fixes::run(&snapshot, &command, &Cancel::default()))
        .await
        .map_err(|e| e.to_string())?
}
