//! The open documents and the files the checks read. Edits to settings files (open buffers
//! included) are re-diagnosed at once from the cached probes, without a process
//! ([`Backend::refresh`]); go.mod/go.work changes are re-read or re-walked; only a change to a
//! probe input (env file, `$GOROOT/go.env`, a watched file) re-probes through the scheduler.

use super::convert;
use super::publish::{diagnostics_by_file, replace_published};
use super::queue::DEBOUNCE;
use super::session::{Doc, State};
use super::{watch, Backend};
use crate::facts::{self, CheckOptions, Overrides};
use crate::model::{Finding, SideKind, Snapshot};
use crate::rules;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_lsp_server::lsp_types::{
    Diagnostic, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    FileChangeType,
};

/// The last check of one workspace folder.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    /// The snapshot as the probes left it (settings read from disk): the base every
    /// settings-only re-check starts from.
    pub probed: Arc<Snapshot>,
    /// `probed` with the settings as they are now (open buffers' text included); the same
    /// snapshot as `probed` when nothing was re-read (no copy is made).
    pub snapshot: Arc<Snapshot>,
    pub findings: Vec<Finding>,
}

impl Checked {
    /// The real shell side of a check that ran ahead of the shell's `go`
    /// ([`facts::Collected::Confirmed`]): it differs from the predicted one only in timings,
    /// which the findings do not depend on; what is kept (hovers, later re-checks, the probe
    /// cache) must still be the real thing.
    pub(super) fn adopt_shell(&mut self, shell: &crate::model::SideFacts) {
        let shared = Arc::ptr_eq(&self.probed, &self.snapshot);
        if shared {
            // One owner, so that the change is made in place rather than on a copy.
            self.snapshot = Arc::default();
        }
        facts::adopt_shell(Arc::make_mut(&mut self.probed), shell);
        if shared {
            self.snapshot = Arc::clone(&self.probed);
        } else {
            facts::adopt_shell(Arc::make_mut(&mut self.snapshot), shell);
        }
    }

    /// Rules run on `probed` with the settings re-read (`reread`, no process) with the open
    /// buffers' text.
    pub(super) fn new(
        probed: Arc<Snapshot>,
        opts: &CheckOptions,
        overrides: &Overrides,
        reread: bool,
    ) -> Checked {
        let snapshot = if reread {
            let mut snapshot = Snapshot::clone(&probed);
            facts::refresh_settings(&mut snapshot, opts, overrides);
            Arc::new(snapshot)
        } else {
            Arc::clone(&probed)
        };
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

impl Backend {
    pub(super) async fn opened(&self, params: DidOpenTextDocumentParams) {
        let Some(path) = convert::uri_path(&params.text_document.uri) else {
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

    pub(super) async fn changed(&self, params: DidChangeTextDocumentParams) {
        let Some(path) = convert::uri_path(&params.text_document.uri) else {
            return;
        };
        let covered = {
            let mut state = self.state();
            let enc = state.caps.enc;
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

    pub(super) async fn saved(&self, params: DidSaveTextDocumentParams) {
        let Some(path) = convert::uri_path(&params.text_document.uri) else {
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

    pub(super) async fn closed(&self, params: DidCloseTextDocumentParams) {
        let Some(path) = convert::uri_path(&params.text_document.uri) else {
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

    pub(super) async fn watched_files_changed(&self, params: DidChangeWatchedFilesParams) {
        let (covered, reprobe, rewalk) = {
            let state = self.state();
            let paths: Vec<PathBuf> = params
                .changes
                .iter()
                .filter_map(|c| convert::uri_path(&c.uri))
                .collect();
            // A go.mod/go.work appeared, went away, or is one the last walk did not see.
            let rewalk = params.changes.iter().any(|c| {
                convert::uri_path(&c.uri).is_some_and(|p| {
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
            .filter_map(|c| convert::uri_path(&c.uri))
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

    /// Re-diagnose every folder from its cached probes and the settings as they are now (open
    /// buffers included): no process runs. Called with the state locked — only by a finished
    /// check whose buffers changed while it probed (keystrokes go through [`Self::refresh`],
    /// which works without the lock); returns what to publish.
    pub(super) fn refresh_locked(&self, state: &mut State) -> Vec<(PathBuf, Vec<Diagnostic>)> {
        let started = std::time::Instant::now();
        let overrides = overrides(state);
        let folders: Vec<PathBuf> = state.results.keys().cloned().collect();
        for folder in folders {
            let opts = self.options(state, &folder);
            if let Some(checked) = state.results.get_mut(&folder) {
                *checked = Checked::new(Arc::clone(&checked.probed), &opts, &overrides, true);
            }
        }
        let versions: HashMap<PathBuf, i32> = state
            .docs
            .iter()
            .map(|(p, d)| (p.clone(), d.version))
            .collect();
        let diagnostics = diagnostics_by_file(
            state.results.values(),
            state.caps.enc,
            &overrides,
            &versions,
        );
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
    ///
    /// The files are read and the rules run without the state lock (a monorepo's rules take
    /// milliseconds, and every other handler waits on that lock): the inputs are taken under it,
    /// and the result is stored only if no check or re-walk replaced the results meanwhile (that
    /// one publishes its own).
    async fn refresh(&self, reprobe_if_stale: bool) {
        type Job = (PathBuf, Arc<Snapshot>, CheckOptions);
        // A buffer edited while the rules ran (any buffer: some clients sync every file) means
        // the result is already old: compute again from the new text, a few times at most.
        for attempt in 0..4 {
            let (jobs, overrides, versions, enc, docs_epoch, results_epoch) = {
                let state = self.state();
                if state.shut_down || state.results.is_empty() {
                    return;
                }
                let jobs: Vec<Job> = state
                    .results
                    .iter()
                    .map(|(f, c)| (f.clone(), c.probed.clone(), self.options(&state, f)))
                    .collect();
                let versions: HashMap<PathBuf, i32> = state
                    .docs
                    .iter()
                    .map(|(p, d)| (p.clone(), d.version))
                    .collect();
                (
                    jobs,
                    overrides(&state),
                    versions,
                    state.caps.enc,
                    state.docs_epoch,
                    state.results_epoch,
                )
            };
            let started = std::time::Instant::now();
            let work = tokio::task::spawn_blocking(move || {
                let results: std::collections::BTreeMap<PathBuf, Checked> = jobs
                    .into_iter()
                    .map(|(f, probed, opts)| (f, Checked::new(probed, &opts, &overrides, true)))
                    .collect();
                let diagnostics = diagnostics_by_file(results.values(), enc, &overrides, &versions);
                (results, diagnostics)
            })
            .await;
            let Ok((results, diagnostics)) = work else {
                tracing::error!("the settings refresh failed");
                return;
            };
            let (to_publish, stale) = {
                let mut state = self.state();
                if state.shut_down || state.results_epoch != results_epoch {
                    // A check or a re-walk replaced the results: it publishes its own.
                    tracing::debug!("dropping a superseded refresh");
                    return;
                }
                if state.docs_epoch != docs_epoch && attempt < 3 {
                    continue;
                }
                state.results = results;
                tracing::debug!(
                    micros = started.elapsed().as_micros() as u64,
                    processes = 0,
                    "re-diagnosed from cached probes"
                );
                let out = replace_published(&mut state, diagnostics);
                let stale = state.results.values().any(Checked::editor_probe_stale);
                (out, stale)
            };
            self.publish(to_publish).await;
            self.send_status().await;
            if reprobe_if_stale && stale {
                tracing::debug!("the settings choose another editor go or environment: re-probing");
                self.spawn_recheck(DEBOUNCE);
            }
            return;
        }
    }

    /// Walk every folder again for go.mod/go.work files (one was created or deleted), off the
    /// message loop and without the state lock, then re-diagnose: no process runs.
    async fn rewalk(&self) {
        let jobs: Vec<(PathBuf, Arc<Snapshot>, CheckOptions)> = {
            let state = self.state();
            state
                .results
                .iter()
                .map(|(f, c)| (f.clone(), Arc::clone(&c.probed), self.options(&state, f)))
                .collect()
        };
        // Copied off the state lock, in the blocking task: keystrokes wait for neither.
        let walked = tokio::task::spawn_blocking(move || {
            jobs.into_iter()
                .map(|(folder, probed, opts)| {
                    let mut snap = Snapshot::clone(&probed);
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
                        facts::take_workspace(Arc::make_mut(&mut c.probed), &snap);
                    }
                    state.results_epoch += 1;
                }
            }
            Err(e) => tracing::error!("the workspace walk failed: {e}"),
        }
        self.refresh(false).await;
    }

    /// Known go.mod/go.work files changed on disk (saved, or edited outside the editor):
    /// re-read into the probed snapshots, then re-diagnosed. No process, no walk, and the
    /// files are read off the message loop without the state lock (a slow disk must not stall
    /// keystrokes); a result that a check or walk replaced meanwhile is re-read on the new one.
    async fn module_files_changed(&self, paths: Vec<PathBuf>) {
        for _attempt in 0..3 {
            let (jobs, epoch) = {
                let state = self.state();
                let jobs: Vec<(PathBuf, Arc<Snapshot>)> = state
                    .results
                    .iter()
                    .map(|(f, c)| (f.clone(), Arc::clone(&c.probed)))
                    .collect();
                (jobs, state.results_epoch)
            };
            let paths = paths.clone();
            let reread = tokio::task::spawn_blocking(move || {
                jobs.into_iter()
                    .map(|(folder, probed)| {
                        // Copied here, off the state lock.
                        let mut snap = Snapshot::clone(&probed);
                        facts::reread_module_files(&mut snap, &paths);
                        (folder, snap)
                    })
                    .collect::<Vec<_>>()
            })
            .await;
            let Ok(reread) = reread else {
                tracing::error!("re-reading go.mod/go.work failed");
                return;
            };
            let mut state = self.state();
            if state.results_epoch != epoch {
                continue;
            }
            for (folder, snap) in reread {
                if let Some(c) = state.results.get_mut(&folder) {
                    facts::take_workspace(Arc::make_mut(&mut c.probed), &snap);
                }
            }
            state.results_epoch += 1;
            break;
        }
        self.refresh(false).await;
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

/// A go.mod or go.work: its changes are re-read (the probes run with GOTOOLCHAIN=local, so
/// what `go` says does not depend on them), never re-probed.
fn is_module_file(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n == "go.mod" || n == "go.work")
}

/// Whether a change to this file (saved) calls for running the probes again, not only for
/// re-reading the settings: an env file, a `$GOROOT/go.env`, another watched probe input
/// (go.mod/go.work are re-read instead, see [`is_module_file`]).
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

/// The open documents' text by path: what the checks read instead of the disk.
pub(super) fn overrides(state: &State) -> Overrides {
    state
        .docs
        .iter()
        .map(|(p, d)| (p.clone(), d.text.clone()))
        .collect()
}
