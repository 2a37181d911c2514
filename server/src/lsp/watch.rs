//! Watching the probes' inputs: the env files, `$GOROOT/go.env`, each GOROOT path and every hop
//! of its symlink chain, go.mod/go.work and the login shell's rc files. A change to one of them
//! re-probes.
//!
//! Clients that can watch files for us get them registered dynamically
//! (`workspace/didChangeWatchedFiles`, a `RelativePattern` per file, based at its directory so
//! files outside the workspace work too); for the others the server watches with `notify`.
//! Either way a file is watched through its directory, non-recursively, filtered by name: this
//! also sees a symlink replaced by `ln -sfn` (a rename over the link) and a file that does not
//! exist yet being created. A missing directory is watched through its nearest existing
//! ancestor (filtered by the next component); the re-check that follows its creation moves the
//! watch down.

use super::documents::Checked;
use super::{convert, Backend};
use crate::model::{SideFacts, Snapshot};
use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower_lsp_server::lsp_types::{
    DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher, GlobPattern, OneOf, Registration,
    RelativePattern, Unregistration,
};

/// Re-probe after this long without further changes of watched files.
pub(crate) const WATCH_DEBOUNCE: Duration = Duration::from_millis(200);
/// At most this many directories are watched (inotify watches are a per-user resource).
pub(crate) const MAX_WATCHED_DIRS: usize = 64;

/// Watched directory → names in it whose change matters.
pub(crate) type Targets = BTreeMap<PathBuf, BTreeSet<OsString>>;

/// The login shell's startup files, relative to HOME, by the shell's file name.
pub(crate) fn rc_files(shell: &Path) -> &'static [&'static str] {
    match shell.file_name().and_then(|n| n.to_str()).unwrap_or("") {
        "bash" => &[".bashrc", ".bash_profile", ".bash_login", ".profile"],
        "zsh" => &[".zshrc", ".zprofile", ".zshenv", ".zlogin"],
        "fish" => &[".config/fish/config.fish"],
        "tcsh" | "csh" => &[".tcshrc", ".cshrc", ".login"],
        "dash" | "sh" | "ksh" | "mksh" => &[".profile"],
        _ => &[],
    }
}

/// The login shell's startup files: [`rc_files`] under HOME; zsh reads all but `~/.zshenv`
/// from `$ZDOTDIR` when that is set (`zdotdir`, usually set in `~/.zshenv` itself).
pub(crate) fn rc_paths(shell: &Path, home: &Path, zdotdir: Option<&Path>) -> Vec<PathBuf> {
    let is_zsh = shell.file_name().is_some_and(|n| n == "zsh");
    let mut out: Vec<PathBuf> = rc_files(shell)
        .iter()
        .map(|rc| match zdotdir {
            Some(z) if is_zsh => z.join(rc),
            _ => home.join(rc),
        })
        .collect();
    if is_zsh && zdotdir.is_some() {
        out.push(home.join(".zshenv"));
    }
    out
}

/// Every file whose change calls for a re-probe, most important first.
pub(crate) fn probe_inputs<'a>(results: impl IntoIterator<Item = &'a Checked>) -> Vec<PathBuf> {
    snapshot_inputs(
        results
            .into_iter()
            .flat_map(|checked| [&*checked.probed, &*checked.snapshot]),
    )
}

/// [`probe_inputs`] of snapshots.
pub(crate) fn snapshot_inputs<'a>(snaps: impl IntoIterator<Item = &'a Snapshot>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    let mut push = |p: PathBuf| {
        if p.is_absolute() && !out.contains(&p) {
            out.push(p);
        }
    };
    for snap in snaps {
        for side in sides(snap) {
            if let Some(f) = &side.env_file {
                push(f.path.clone());
            }
            for f in side.goroot_env_files.values() {
                push(f.path.clone());
            }
        }
        // GOROOT candidates (the settings', each side's): the path and each symlink hop.
        for facts in snap.paths.values() {
            if facts.goroot_layout.is_none() && facts.symlink_chain.is_empty() {
                continue;
            }
            if facts.goroot_layout.is_some() {
                push(facts.path.clone());
            }
            for hop in &facts.symlink_chain {
                push(hop.link.clone());
            }
        }
        push(snap.folder.join("go.mod"));
        push(snap.folder.join("go.work"));
        if let Some(shell) = &snap.shell {
            let home = shell
                .os_env
                .get("HOME")
                .filter(|h| !h.is_empty())
                .map(PathBuf::from)
                .or_else(|| snap.home.clone());
            let zdotdir = shell
                .os_env
                .get("ZDOTDIR")
                .filter(|z| !z.is_empty())
                .map(PathBuf::from);
            if let (Some(probe), Some(home)) = (&shell.probe, home) {
                for rc in rc_paths(&probe.shell, &home, zdotdir.as_deref()) {
                    push(rc);
                }
            }
        }
    }
    out
}

fn sides(snap: &Snapshot) -> impl Iterator<Item = &SideFacts> {
    [Some(&snap.editor), snap.shell.as_ref()]
        .into_iter()
        .flatten()
}

/// The directory to watch for `path` and the name to filter by: its parent, or the nearest
/// existing ancestor and the component below it.
pub(crate) fn watch_point(path: &Path) -> Option<(PathBuf, OsString)> {
    let mut name = path.file_name()?.to_os_string();
    let mut dir = path.parent()?.to_path_buf();
    while !dir.is_dir() {
        name = dir.file_name()?.to_os_string();
        dir = dir.parent()?.to_path_buf();
    }
    Some((dir, name))
}

/// The watch points of `inputs`, at most [`MAX_WATCHED_DIRS`] directories (the first inputs
/// win).
pub(crate) fn targets(inputs: &[PathBuf]) -> Targets {
    let mut out = Targets::new();
    for input in inputs {
        let Some((dir, name)) = watch_point(input) else {
            continue;
        };
        if !out.contains_key(&dir) && out.len() >= MAX_WATCHED_DIRS {
            tracing::debug!("not watching {}: too many directories", input.display());
            continue;
        }
        out.entry(dir).or_default().insert(name);
    }
    out
}

/// Whether a change of `path` (a watched file, or an ancestor of one that was missing) touches
/// `targets`.
pub(crate) fn matches(targets: &Targets, path: &Path) -> bool {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return false;
    };
    targets.get(dir).is_some_and(|names| names.contains(name))
}

/// How the probes' inputs are watched: by our own watcher, or by the client (what is
/// registered with it now; registrations are serialised by that lock, which is held across
/// the client round-trip and so is an async one).
#[derive(Default)]
pub(crate) struct Watching {
    own: Mutex<Option<FsWatch>>,
    registered: tokio::sync::Mutex<Option<Targets>>,
}

impl Watching {
    /// Stop our own watcher (shutdown).
    pub(crate) fn stop(&self) {
        self.own.lock().unwrap_or_else(|e| e.into_inner()).take();
    }
}

/// The server's own watcher, for clients that do not watch files for us.
pub(crate) struct FsWatch {
    watcher: RecommendedWatcher,
    /// What is watched now; shared with the event callback, which filters by it.
    targets: Arc<Mutex<Targets>>,
}

impl FsWatch {
    /// A watcher calling `on_change` (from its own thread) for every relevant change.
    pub(crate) fn new(on_change: impl Fn() + Send + 'static) -> notify::Result<FsWatch> {
        let targets: Arc<Mutex<Targets>> = Arc::default();
        let filter = targets.clone();
        let watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            let event = match res {
                Ok(e) => e,
                Err(e) => {
                    tracing::debug!("file watcher: {e}");
                    return;
                }
            };
            if !relevant(&event.kind) {
                return;
            }
            let hit = {
                let t = filter.lock().unwrap_or_else(|e| e.into_inner());
                event.paths.iter().any(|p| matches(&t, p))
            };
            if hit {
                tracing::debug!(paths = ?event.paths, kind = ?event.kind, "watched file changed");
                on_change();
            }
        })?;
        Ok(FsWatch { watcher, targets })
    }

    /// Watch exactly the directories of `new` (non-recursively).
    pub(crate) fn update(&mut self, new: &Targets) {
        let old: Targets = self
            .targets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        for dir in old.keys().filter(|d| !new.contains_key(*d)) {
            if let Err(e) = self.watcher.unwatch(dir) {
                tracing::debug!("unwatch {}: {e}", dir.display());
            }
        }
        let mut watched = Targets::new();
        for (dir, names) in new {
            if !old.contains_key(dir) {
                if let Err(e) = self.watcher.watch(dir, RecursiveMode::NonRecursive) {
                    tracing::debug!("cannot watch {}: {e}", dir.display());
                    continue;
                }
            }
            watched.insert(dir.clone(), names.clone());
        }
        *self.targets.lock().unwrap_or_else(|e| e.into_inner()) = watched;
    }
}

/// Creations, removals, renames, writes and attribute changes; not mere opens and reads (the
/// probes themselves read the rc files and go.env).
fn relevant(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        EventKind::Modify(notify::event::ModifyKind::Metadata(
            notify::event::MetadataKind::AccessTime,
        )) => false,
        _ => true,
    }
}

impl Backend {
    /// Watch what the last checks read, so a change re-probes: registered with the client when it
    /// can watch files, else with our own watcher. Nothing happens when the set is unchanged.
    pub(super) fn update_watches(&self) {
        let inputs = {
            let state = self.state();
            probe_inputs(state.results.values())
        };
        self.watch_inputs(inputs);
    }

    /// Watch `inputs` (and the login shells' rc files) instead of what was watched.
    pub(super) fn watch_inputs(&self, mut inputs: Vec<PathBuf>) {
        {
            let state = self.state();
            for rc in &state.starting_rc {
                if !inputs.contains(rc) {
                    inputs.push(rc.clone());
                }
            }
        }
        let targets = targets(&inputs);
        let registration = {
            let mut state = self.state();
            if state.shut_down || state.watched == targets {
                return;
            }
            state.watched = targets.clone();
            state.caps.watch_registration
        };
        if registration {
            let this = self.clone();
            tokio::spawn(async move { this.register_watches().await });
            return;
        }
        let mut guard = self
            .services
            .watching
            .own
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            let this = self.clone();
            let handle = tokio::runtime::Handle::current();
            let on_change = move || {
                let this = this.clone();
                // Every event restarts the debounce: only the last re-check goes on.
                handle.spawn(async move { this.recheck(WATCH_DEBOUNCE).await });
            };
            match FsWatch::new(on_change) {
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
        let mut registered = self.services.watching.registered.lock().await;
        let (targets, relative) = {
            let state = self.state();
            (state.watched.clone(), state.caps.relative_patterns)
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

    /// Ask the client to watch the settings and module files everywhere in the workspace, when
    /// it can (`initialized`).
    pub(super) fn register_settings_watchers(&self) {
        // Registering is a client round-trip: do it off the handler so it cannot deadlock.
        // A client that cannot watch files is not asked to (our own watcher covers the probes'
        // inputs; settings files are re-read on open/change/save).
        let client = self.client.clone();
        let can_watch = self.state().caps.watch_registration;
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
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_directory_is_watched_through_its_existing_ancestor() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let deep = dir.join("a/b/env");
        let (d, n) = watch_point(&deep).unwrap();
        assert_eq!(d, dir);
        assert_eq!(n, OsString::from("a"));
        let t = targets(&[deep, dir.join("go.mod")]);
        assert!(matches(&t, &dir.join("a")));
        assert!(matches(&t, &dir.join("go.mod")));
        assert!(!matches(&t, &dir.join("other")));
    }

    #[test]
    fn zsh_rc_files_follow_zdotdir() {
        let home = Path::new("/h");
        let z = Path::new("/h/.config/zsh");
        let paths = rc_paths(Path::new("/bin/zsh"), home, Some(z));
        assert!(paths.contains(&z.join(".zshrc")));
        assert!(paths.contains(&home.join(".zshenv")));
        assert!(!paths.contains(&home.join(".zshrc")));
        let bash = rc_paths(Path::new("/bin/bash"), home, Some(z));
        assert!(bash.contains(&home.join(".bashrc")));
    }

    #[test]
    fn watched_directories_are_bounded() {
        let tmp = tempfile::tempdir().unwrap();
        let inputs: Vec<PathBuf> = (0..100)
            .map(|i| {
                let d = tmp.path().join(format!("d{i}"));
                std::fs::create_dir_all(&d).unwrap();
                d.join("f")
            })
            .collect();
        assert_eq!(targets(&inputs).len(), MAX_WATCHED_DIRS);
    }
}
