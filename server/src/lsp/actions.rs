//! Fixes (data carried by each finding) → code actions: settings fixes become JSONC text edits
//! computed against the file's current text (the open document's, else the file on disk); env-file
//! fixes become commands the server runs with the shell-side environment.

use super::convert::{self, Encoding};
use super::session::Doc;
use super::{Backend, CMD_CLEAN_CACHE, CMD_CREATE_DIRECTORY, CMD_GO_ENV_UNSET, CMD_GO_ENV_WRITE};
use crate::facts::fs::ReadError;
use crate::model::{CommandResult, Fix, FixAction, GoWorkEdit, SettingKey, Snapshot};
use crate::settings::jsonc::{self, SettingsRoot};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
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

/// How long `go env -w/-u` may take.
const GO_ENV_TIMEOUT: Duration = Duration::from_secs(30);

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
        let title = clean_title(&gocache, &preview);
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
type PendingPreview = (usize, PathBuf, Result<CleanRunner, String>);

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
                        .and_then(|s| clean_runner(s, Some(gocache)));
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
            FixAction::EditGoWork { file, edit } => (Some(self.go_work_edit(file, edit)?), None),
            // The editor's own configuration is a program (init.el, init.lua): shown, not edited.
            FixAction::EditorEnvironment {
                editor,
                vars,
                withheld,
            } => (
                None,
                Some(self.command(
                    &fix.title,
                    super::CMD_EDITOR_SETUP,
                    json!({ "editor": editor, "vars": vars, "withheld": withheld }),
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

    /// The workspace edit setting (`value: Some`) or removing a member of a settings file.
    /// `None` (logged) when no safe edit exists: unparseable text, a file we cannot create.
    fn settings_edit(
        &self,
        file: &Path,
        key: &SettingKey,
        value: Option<&str>,
    ) -> Option<WorkspaceEdit> {
        // The settings editors take the dotted key: it is the member's path in the file.
        let key = &key.to_string();
        let uri = convert::file_uri(file)?;
        let root = if file.extension().is_some_and(|e| e == "code-workspace") {
            SettingsRoot::WorkspaceFile
        } else {
            SettingsRoot::TopLevel
        };
        let (text, version) = match self.docs.get(file) {
            Some(doc) => (doc.text.clone(), Some(doc.version)),
            None => match read_file(file) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(t) => (t, None),
                    Err(_) => {
                        tracing::info!("no quick fix: {} is not UTF-8", file.display());
                        return None;
                    }
                },
                Err(ReadError::NotFound) if !crate::settings::idea::is_idea_file(file) => {
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
            None => match read_file(file) {
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

    /// The edit of a go.work computed from its text as the editor holds it now.
    fn go_work_edit(&self, file: &Path, edit: &GoWorkEdit) -> Option<WorkspaceEdit> {
        let uri = convert::file_uri(file)?;
        let (text, version) = match self.docs.get(file) {
            Some(doc) => (doc.text.clone(), Some(doc.version)),
            None => match read_file(file).map(String::from_utf8) {
                Ok(Ok(t)) => (t, None),
                Ok(Err(_)) => {
                    tracing::info!("no quick fix: {} is not UTF-8", file.display());
                    return None;
                }
                Err(e) => {
                    tracing::info!("no quick fix: cannot read {}: {e}", file.display());
                    return None;
                }
            },
        };
        let edits = match crate::settings::gomod::work_edit(file, &text, edit) {
            Ok(e) => e,
            Err(why) => {
                tracing::info!("no quick fix: {why}");
                return None;
            }
        };
        let edits = edits
            .into_iter()
            .map(|(start, end, new_text)| TextEdit {
                range: convert::range(&text, start, end, self.enc),
                new_text,
            })
            .collect();
        Some(self.workspace_edit(uri, version, edits))
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

/// How long `go clean -cache -n` may take for a code action's title.
const PREVIEW_TIMEOUT: Duration = Duration::from_secs(5);
/// Bounds of the walk measuring what `go clean -cache` would remove (a code action's title).
const MEASURE_BUDGET: Duration = Duration::from_millis(200);
const MEASURE_MAX_ENTRIES: u64 = 200_000;

/// How `go clean -cache` runs: the shell side's `go` and environment (the editor's when the
/// shell has no `go`), `GOTOOLCHAIN=local`, GOCACHE = the fix's cache.
#[derive(Debug, Clone)]
pub(super) struct CleanRunner {
    go: PathBuf,
    env: BTreeMap<String, String>,
    folder: PathBuf,
}

/// The runner for `gocache` in `snapshot`, or why none may run: no `go`, or a `go` the
/// workspace chose while it is not trusted (such a `go` is inspected, never run).
fn clean_runner(snapshot: &Snapshot, gocache: Option<&Path>) -> Result<CleanRunner, String> {
    let (side, go) = command_go(snapshot)?;
    let mut env = side.os_env.clone();
    env.insert("GOTOOLCHAIN".into(), "local".into());
    if let Some(cache) = gocache {
        env.insert("GOCACHE".into(), cache.to_string_lossy().into_owned());
    }
    Ok(CleanRunner {
        go: go.path.clone(),
        env,
        folder: snapshot.folder.clone(),
    })
}

/// What `go clean -cache` would remove, measured from `go clean -cache -n`'s list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Measured {
    /// Paths `-n` listed that exist.
    pub listed: usize,
    pub files: u64,
    pub bytes: u64,
    /// The walk stopped at its budget: the figures are lower bounds.
    pub capped: bool,
}

/// One measurement, shared by the requests waiting for it.
type PreviewCell = Arc<OnceCell<Result<Measured, String>>>;

/// Code-action previews by (`go`, cache), valid for one check generation: code actions are
/// asked for on every cursor move, the measurement runs once (concurrent requests share it).
#[derive(Debug, Default)]
pub(crate) struct Previews {
    generation: u64,
    cells: HashMap<(PathBuf, PathBuf), PreviewCell>,
}

/// The preview of `go clean -cache` for a code action's title: `go clean -cache -n` and the
/// walk run on a blocking thread, once per (`go`, cache) until the next check.
async fn clean_preview(
    backend: &Backend,
    runner: CleanRunner,
    gocache: &Path,
) -> Result<Measured, String> {
    let generation = backend.queue.generation.load(Ordering::SeqCst);
    let cell = {
        let mut previews = backend.previews.lock().unwrap_or_else(|e| e.into_inner());
        if previews.generation != generation {
            previews.cells.clear();
            previews.generation = generation;
        }
        previews
            .cells
            .entry((runner.go.clone(), gocache.to_path_buf()))
            .or_default()
            .clone()
    };
    let gocache = gocache.to_path_buf();
    cell.get_or_init(|| async move {
        tokio::task::spawn_blocking(move || measure(&runner, &gocache))
            .await
            .unwrap_or_else(|e| Err(e.to_string()))
    })
    .await
    .clone()
}

/// Run `go clean -cache -n` and measure the paths it lists (bounded walk).
fn measure(runner: &CleanRunner, gocache: &Path) -> Result<Measured, String> {
    let started = std::time::Instant::now();
    let out = go_clean_n(runner, PREVIEW_TIMEOUT)?;
    let listed = listed_paths(&out, gocache);
    let mut m = measure_paths(&listed, started + MEASURE_BUDGET, MEASURE_MAX_ENTRIES);
    m.listed = listed.len();
    tracing::debug!(gocache = %gocache.display(), ?m, millis = ?started.elapsed(), "go clean -cache preview");
    Ok(m)
}

/// `go clean -cache -n`'s output, or why it failed.
fn go_clean_n(runner: &CleanRunner, timeout: Duration) -> Result<String, String> {
    match crate::facts::process::run(
        &runner.go,
        &["clean", "-cache", "-n"],
        &runner.env,
        &runner.folder,
        timeout,
    ) {
        CommandResult::Ok { value, .. } => Ok(value),
        CommandResult::Failed { stderr, .. } => Err(format!(
            "go clean -cache -n failed: {}",
            stderr.lines().next().unwrap_or("").trim()
        )),
        CommandResult::TimedOut { after_millis } => Err(format!(
            "go clean -cache -n timed out after {after_millis} ms"
        )),
        CommandResult::NotRun { reason } => Err(reason),
    }
}

/// The existing paths inside `gocache` that `go clean -cache -n` lists: Go 1.22+ prints one
/// `rm -rf <GOCACHE>/00 … <GOCACHE>/ff` line (the subdirectories that exist), Go 1.21
/// `rm -r …` and `rm -f <GOCACHE>/log.txt`. Paths may hold spaces: the line is split where
/// the next `<GOCACHE>/` starts.
pub(super) fn listed_paths(output: &str, gocache: &Path) -> Vec<PathBuf> {
    let dir: PathBuf = gocache.components().collect();
    let dir_text = dir.to_string_lossy().into_owned();
    let prefix = format!(
        "{}{}",
        dir_text.trim_end_matches('/'),
        std::path::MAIN_SEPARATOR
    );
    let mut out = Vec::new();
    for line in output.lines() {
        let line = line.trim_end();
        let Some(rest) = ["rm -rf ", "rm -r ", "rm -f "]
            .iter()
            .find_map(|p| line.strip_prefix(p))
        else {
            continue;
        };
        let parts: Vec<String> = match rest.strip_prefix(prefix.as_str()) {
            Some(tail) => tail
                .split(&format!(" {prefix}"))
                .map(|name| format!("{prefix}{name}"))
                .collect(),
            None => rest.split_whitespace().map(str::to_string).collect(),
        };
        for p in parts.into_iter().map(PathBuf::from) {
            if p.starts_with(&dir) && p != dir && p.symlink_metadata().is_ok() && !out.contains(&p)
            {
                out.push(p);
            }
        }
    }
    out
}

/// Files and bytes under `paths` (symlinks not followed), stopping at `deadline` or after
/// `max_entries` entries.
pub(super) fn measure_paths(
    paths: &[PathBuf],
    deadline: std::time::Instant,
    max_entries: u64,
) -> Measured {
    let mut m = Measured {
        listed: paths.len(),
        files: 0,
        bytes: 0,
        capped: false,
    };
    let mut stack: Vec<PathBuf> = paths.to_vec();
    let mut seen: u64 = 0;
    while let Some(p) = stack.pop() {
        seen += 1;
        if seen > max_entries || (seen % 256 == 0 && std::time::Instant::now() > deadline) {
            m.capped = true;
            break;
        }
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            if let Ok(entries) = std::fs::read_dir(&p) {
                stack.extend(entries.flatten().map(|e| e.path()));
            }
        } else {
            m.files += 1;
            m.bytes += meta.len();
        }
    }
    m
}

/// `1 234 567`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// `512 bytes`, `6.8 KiB`, `1.2 GiB`.
pub(super) fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return if bytes == 1 {
            "1 byte".to_string()
        } else {
            format!("{bytes} bytes")
        };
    }
    let mut v = bytes as f64 / 1024.0;
    let mut unit = UNITS[0];
    for u in &UNITS[1..] {
        if v < 1024.0 {
            break;
        }
        v /= 1024.0;
        unit = u;
    }
    format!("{v:.1} {unit}")
}

/// The clean-cache action's title: what `go clean -cache -n` lists, measured, or why the size
/// is unknown.
pub(super) fn clean_title(gocache: &Path, preview: &Result<Measured, String>) -> String {
    let dir = gocache.display();
    match preview {
        Ok(m) if m.listed == 0 => {
            format!("Empty the build cache {dir}: nothing to remove (go clean -cache)")
        }
        Ok(m) if m.files == 0 && !m.capped => {
            format!("Empty the build cache {dir}: no cached files (go clean -cache)")
        }
        Ok(m) => {
            let files = if m.files == 1 { "file" } else { "files" };
            let more = if m.capped { "more than " } else { "" };
            format!(
                "Empty the build cache {dir}: {more}{} in {more}{} {files} (go clean -cache)",
                human_size(m.bytes),
                grouped(m.files)
            )
        }
        Err(why) => {
            format!("Empty the build cache {dir} (go clean -cache; size unknown: {why})")
        }
    }
}

/// `goEnvDoctor.cleanCache`: `go clean -cache -n` first (what would go, reported as progress),
/// then `go clean -cache` with `$/progress` and a cancel button; cancelling kills it. Runs with
/// the shell side's `go` and environment (GOCACHE = the `gocache` argument when given), never
/// with a `go` an untrusted workspace chose. Returns the closing message.
pub(super) async fn clean_cache(
    backend: &Backend,
    arg: serde_json::Value,
    cancel: crate::facts::process::Cancel,
    progress: Option<&OngoingProgress<Unbounded, Cancellable>>,
) -> Result<String, String> {
    let snapshot = snapshot_for(backend, &arg)?;
    let gocache = arg
        .get("gocache")
        .and_then(|v| v.as_str())
        .map(PathBuf::from);
    if let Some(c) = gocache.as_ref().filter(|c| !c.is_absolute()) {
        return Err(format!("not an absolute path: {}", c.display()));
    }
    let runner = clean_runner(&snapshot, gocache.as_deref())?;
    let runner2 = runner.clone();
    let preview = tokio::task::spawn_blocking(move || go_clean_n(&runner2, GO_ENV_TIMEOUT))
        .await
        .map_err(|e| e.to_string())??;
    let listed = match &gocache {
        Some(c) => listed_paths(&preview, c).len(),
        None => preview
            .split_whitespace()
            .filter(|w| *w != "rm" && !w.starts_with('-'))
            .count(),
    };
    if let Some(p) = progress {
        p.report_with_message(
            format!("go clean -cache -n: {listed} entries to remove; running go clean -cache"),
            Some(true),
        )
        .await;
    }
    tokio::task::spawn_blocking(move || {
        let CleanRunner { go, env, folder } = runner;
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
                    let mut stderr = String::new();
                    if let Some(mut e) = child.stderr.take() {
                        let _ = std::io::Read::read_to_string(&mut e, &mut stderr);
                    }
                    let first = stderr.lines().next().unwrap_or("").trim();
                    Err(format!("go clean -cache failed ({status}): {first}"))
                };
            }
            if cancel.is_cancelled() {
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

/// The side and `go` the fix commands run with: the shell's (so `go env -w` writes the env file
/// the shell's `go` reads; the shell is the source of truth), the editor's when the shell has
/// none — never a `go` an untrusted workspace chose (such a `go` is inspected, never run).
fn command_go(
    snapshot: &Snapshot,
) -> Result<(&crate::model::SideFacts, &crate::model::GoBinary), String> {
    let side = snapshot
        .shell
        .as_ref()
        .filter(|s| s.go.is_some())
        .unwrap_or(&snapshot.editor);
    let go = side
        .go
        .as_ref()
        .ok_or_else(|| format!("{} has no go to run", side.label))?;
    if go.workspace_chosen && !snapshot.trusted {
        return Err(format!(
            "{} is chosen by the workspace, which is not trusted, so it is not run",
            go.path.display()
        ));
    }
    Ok((side, go))
}

/// `go env ARGS` with [`command_go`].
fn run_go_env(snapshot: &Snapshot, args: &[String]) -> Result<(), String> {
    let (side, go) = command_go(snapshot)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{GoBinary, GoFoundBy};

    #[test]
    fn listed_paths_of_go_1_22_and_1_21_output_with_spaces_in_the_cache_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = dir.path().join("my cache");
        for sub in ["00", "5d"] {
            std::fs::create_dir_all(cache.join(sub)).expect("mkdir");
        }
        std::fs::write(cache.join("log.txt"), "x").expect("write");
        let c = cache.display();
        let go122 = format!("rm -rf {c}/00 {c}/5d\n");
        assert_eq!(
            listed_paths(&go122, &cache),
            [cache.join("00"), cache.join("5d")]
        );
        // Go 1.21; a trailing separator in GOCACHE; a listed path that is gone is skipped.
        let go121 = format!("rm -r {c}/00 {c}/5d {c}/ff\nrm -f {c}/log.txt\n");
        let with_slash = PathBuf::from(format!("{c}/"));
        assert_eq!(
            listed_paths(&go121, &with_slash),
            [cache.join("00"), cache.join("5d"), cache.join("log.txt")]
        );
        // Nothing outside the cache counts.
        assert!(listed_paths("rm -rf /etc\n", &cache).is_empty());
    }

    #[test]
    fn measured_sizes_and_the_title() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sub = dir.path().join("ab");
        std::fs::create_dir_all(&sub).expect("mkdir");
        std::fs::write(sub.join("a"), vec![0u8; 3000]).expect("write");
        std::fs::write(sub.join("b"), vec![0u8; 4000]).expect("write");
        let far = std::time::Instant::now() + Duration::from_secs(60);
        let m = measure_paths(std::slice::from_ref(&sub), far, 1000);
        assert_eq!((m.files, m.bytes, m.capped), (2, 7000, false));
        assert_eq!(
            clean_title(Path::new("/c"), &Ok(m)),
            "Empty the build cache /c: 6.8 KiB in 2 files (go clean -cache)"
        );
        let capped = measure_paths(&[sub], far, 2);
        assert!(capped.capped);
        assert!(clean_title(Path::new("/c"), &Ok(capped)).contains(": more than "));
        assert_eq!(human_size(512), "512 bytes");
        assert_eq!(human_size(1_288_490_189), "1.2 GiB");
        assert_eq!(grouped(3456), "3 456");
        assert_eq!(grouped(1_234_567), "1 234 567");
        assert_eq!(
            clean_title(Path::new("/c"), &Err("go clean -cache -n timed out".into())),
            "Empty the build cache /c (go clean -cache; size unknown: go clean -cache -n timed out)"
        );
    }

    #[test]
    fn an_untrusted_workspace_go_is_never_run() {
        let mut s = Snapshot {
            folder: PathBuf::from("/w"),
            ..Snapshot::default()
        };
        s.editor.go = Some(GoBinary {
            path: PathBuf::from("/w/sdk/bin/go"),
            found_by: GoFoundBy::AlternateTools,
            own_goroot: None,
            static_version: None,
            executable: true,
            workspace_chosen: true,
        });
        let why = clean_runner(&s, Some(Path::new("/c"))).expect_err("must not run");
        assert!(why.contains("not trusted"), "{why}");
        // `go env -w` / `-u` too: /w/sdk/bin/go does not exist, so a run would say so.
        let why =
            run_go_env(&s, &["-u".to_string(), "GOPROXY".to_string()]).expect_err("must not run");
        assert!(why.contains("not trusted"), "{why}");
        s.trusted = true;
        let r = clean_runner(&s, Some(Path::new("/c"))).expect("trusted");
        assert_eq!(r.env.get("GOCACHE").map(String::as_str), Some("/c"));
        assert_eq!(r.env.get("GOTOOLCHAIN").map(String::as_str), Some("local"));
    }
}
