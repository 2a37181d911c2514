//! The check scheduler. Every re-check takes the next generation; a debounced one gives up when
//! a newer one started while it waited. Probes run on a blocking thread, one check in flight:
//! a newer check cancels the running one (its processes are killed) and results a newer check
//! superseded are dropped. `checked` tells waiters (commands that reply once the results are
//! in place) which generation was published last.

use super::documents::{overrides, Checked};
use super::publish::{diagnostics_by_file, replace_published};
use super::{cache, Backend};
use crate::facts::{self, CheckOptions};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower_lsp_server::lsp_types::Diagnostic;

/// Re-check after this long without further changes.
pub(super) const DEBOUNCE: Duration = Duration::from_millis(150);

/// How long a check waits for its diagnostics to be written before it goes on with what
/// follows them (a client that stopped reading must not hold that up).
const WRITE_AT_MOST: Duration = Duration::from_millis(100);

/// The scheduler's handles, shared by every clone of the [`Backend`].
#[derive(Clone)]
pub(crate) struct Queue {
    /// Bumped by every re-check (and at shutdown): a check that is no longer the newest
    /// generation gives up or drops its results.
    pub(super) generation: Arc<AtomicU64>,
    /// Held while probes run: one probe in flight per side.
    pub(super) probe_lock: Arc<tokio::sync::Mutex<()>>,
    /// Stops the running check's processes when a newer check supersedes it, with that
    /// check's generation.
    pub(super) running: Arc<Mutex<(u64, facts::process::Cancel)>>,
    /// The newest generation whose results are in place and published.
    pub(super) checked: Arc<tokio::sync::watch::Sender<u64>>,
    /// Held from a check's results to the end of its write to the persistent probe cache:
    /// `shutdown` waits for it, so a client that exits right after the diagnostics still
    /// leaves the probe cached.
    pub(super) saving: Arc<tokio::sync::Mutex<()>>,
}

impl Default for Queue {
    fn default() -> Self {
        Queue {
            generation: Arc::default(),
            probe_lock: Arc::default(),
            running: Arc::default(),
            checked: Arc::new(tokio::sync::watch::Sender::new(0)),
            saving: Arc::default(),
        }
    }
}

impl Backend {
    /// Re-collect every folder after `delay` (unless a newer re-check started meanwhile), then
    /// publish. Results a newer re-check superseded are dropped.
    pub(crate) async fn recheck(&self, delay: Duration) {
        let generation = self.queue.generation.fetch_add(1, Ordering::SeqCst) + 1;
        self.check_generation(generation, delay).await;
    }

    /// Re-check now and return once this check or a newer one is published: a command that
    /// re-checks replies with the results in place, even when a re-check started by something
    /// else overtook its own.
    pub(super) async fn recheck_and_wait(&self) {
        let generation = self.queue.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let mut done = self.queue.checked.subscribe();
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
            if self.queue.generation.load(Ordering::SeqCst) != generation {
                return;
            }
        }
        let (opts, caps, overrides, epoch, use_store) = {
            let state = self.state();
            if state.shut_down {
                return;
            }
            let use_store = state.config.probe_cache != Some(false);
            let opts: Vec<CheckOptions> = state
                .folders
                .iter()
                .map(|f| self.options(&state, f))
                .collect();
            (
                opts,
                state.caps,
                overrides(&state),
                state.docs_epoch,
                use_store,
            )
        };
        let enc = caps.enc;
        let store = self.services.probe_store.clone().filter(|_| use_store);
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
            let mut running = self.queue.running.lock().unwrap_or_else(|e| e.into_inner());
            if running.0 > generation {
                return;
            }
            std::mem::replace(&mut *running, (generation, cancel.clone()))
                .1
                .cancel();
        }
        let _probing = self.queue.probe_lock.lock().await;
        if self.queue.generation.load(Ordering::SeqCst) != generation {
            return;
        }
        // The login-shell probes' inputs, taken once: the cache key of each folder's probe, and
        // the rc files to watch while it runs.
        let keys: Vec<cache::ShellKey> = opts
            .iter()
            .map(|o| cache::ShellKey::of(o, self.services.shell_probes.zdotdir(&o.folder)))
            .collect();
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
        // Until this check's diagnostics are written, a login shell that has answered is ended
        // later (its leftovers live a few milliseconds longer; the publish does not wait).
        let cores = facts::children::hold_cores();
        let started = std::time::Instant::now();
        let superseded = cancel.clone();
        // Folders this session has not probed yet: the persistent cache may answer for them at
        // once; the fresh probe follows and publishes again only if anything differs.
        let first_published = match store.clone() {
            Some(store) if opts.iter().zip(&keys).any(|(o, k)| self.fresh(o, k)) => {
                self.publish_cached(&store, &opts, &keys, generation, &superseded, epoch)
                    .await
            }
            _ => None,
        };
        let services = self.services.clone();
        let persist = store.is_some();
        // One folder: its inputs are watched while its rules run (the update before the
        // publish then finds nothing to do); with several, each check replaces the whole set.
        let watcher = (opts.len() == 1).then(|| self.clone());
        // One folder with nothing published from the cache: its first analysis is published
        // the moment it exists — when facts ran it ahead of the login shell's `go`, before
        // that `go` has answered; the real answer follows and is published if it differs.
        let (early_tx, mut early_rx) = tokio::sync::oneshot::channel::<Early>();
        let early_tx = std::sync::Mutex::new(
            (opts.len() == 1 && first_published.is_none()).then_some(early_tx),
        );
        let work = tokio::task::spawn_blocking(move || {
            // Written to the persistent cache once published: off the first diagnostics' path.
            let mut to_save: Vec<ToSave> = Vec::new();
            // Folders whose attribution needs a traced shell: traced after publishing.
            let mut to_attribute = Vec::new();
            // Folders checked ahead of their shell's `go`, with the real shell side.
            let mut to_adopt: Vec<(PathBuf, Box<crate::model::SideFacts>)> = Vec::new();
            let results: BTreeMap<PathBuf, Checked> = opts
                .into_iter()
                .zip(keys)
                .map(|(mut o, key)| {
                    o.cancel = cancel.clone();
                    o.shell_probe = services.shell_probes.get(&key);
                    let reused = o.shell_probe.is_some();
                    if reused {
                        tracing::debug!(folder = %o.folder.display(), "reusing the login shell's environment");
                    }
                    o.probe_cache = persist && !reused && o.probe_shell;
                    o.trace_startup = super::session::traces_inline(&o);
                    if !reused && o.probe_shell {
                        o.shell_prefetch = services.shell_probes.take_prefetched(&o, &key);
                    }
                    o.attribution = false;
                    // Just read from disk: only unsaved buffers can make a difference.
                    let reread = !overrides.is_empty();
                    // What the check makes of the folder's snapshot; facts may run it ahead of
                    // the login shell's `go`, on what that `go` is about to answer.
                    let analyse = |mut snap: crate::model::Snapshot| {
                        let mut incomplete = false;
                        if facts::attribution::needed(&snap) {
                            let (found, complete) = facts::attribution::collect_cheap(&snap, &o);
                            facts::attribution::attach(&mut snap, found);
                            incomplete = !complete;
                        }
                        let rules_started = std::time::Instant::now();
                        let watching = watcher.as_ref().and_then(|this| {
                            let inputs = super::watch::snapshot_inputs([&snap]);
                            let this = this.clone();
                            let runtime = tokio::runtime::Handle::current();
                            std::thread::Builder::new()
                                .name("watch-update".into())
                                .spawn(move || {
                                    let _inside = runtime.enter();
                                    this.watch_inputs(inputs);
                                })
                                .ok()
                        });
                        let checked = Checked::new(std::sync::Arc::new(snap), &o, &overrides, reread);
                        if let Some(watching) = watching {
                            let _ = watching.join();
                        }
                        tracing::trace!(ms = ?rules_started.elapsed(), "rules and fix simulation");
                        let early = early_tx.lock().ok().and_then(|mut tx| tx.take());
                        if let Some(tx) = early {
                            let diagnostics =
                                diagnostics_by_file([&checked], enc, &overrides, &versions);
                            // This check writes the probe cache after it (see `early_saving`).
                            let saves = o.probe_cache;
                            let _ = tx.send((checked.clone(), diagnostics, saves));
                        }
                        (checked, incomplete)
                    };
                    let (collected, runs) = facts::collect_speculating(&o, Some(&analyse));
                    let (checked, incomplete) = match collected {
                        facts::Collected::Plain(snap) => analyse(*snap),
                        facts::Collected::Confirmed { result, shell } => {
                            // Put in place once the early analysis is no longer published
                            // (then nothing else holds the snapshot and it is not copied).
                            to_adopt.push((o.folder.clone(), shell));
                            result
                        }
                    };
                    let shell = match to_adopt.last().filter(|(f, _)| *f == o.folder) {
                        Some((_, real)) => Some(real.as_ref()),
                        None => checked.probed.shell.as_ref(),
                    };
                    if !reused && !cancel.is_cancelled() {
                        services.shell_probes.put(&o, key, shell);
                        if o.probe_cache {
                            to_save.push((o.clone(), shell.cloned(), runs, None));
                        }
                    }
                    if let Some(save) = to_save.last_mut().filter(|s| s.0.folder == o.folder) {
                        // What a restart may publish at once: only diagnostics of the files
                        // on disk (an unsaved buffer's are not what the next start reads).
                        if overrides.is_empty() {
                            save.3 = super::answer::of(&checked, &caps, &o);
                        }
                    }
                    // The shell is traced only for findings its lines would explain.
                    if incomplete && crate::rules::attribution::wanted(&checked.findings) {
                        to_attribute.push(o.clone());
                    }
                    (o.folder.clone(), checked)
                })
                .collect();
            let diagnostics = diagnostics_by_file(results.values(), enc, &overrides, &versions);
            (results, diagnostics, to_save, to_attribute, to_adopt)
        });
        // Off the probes' critical path: they have started.
        if watch_rc {
            self.update_watches();
        }
        let mut work = work;
        let mut first_published = first_published;
        let mut early_saving = None;
        let work = tokio::select! {
            biased;
            early = &mut early_rx => {
                if let Ok((checked, diagnostics, saves)) = early {
                    // The check goes on after this publish: a shutdown the client sends once
                    // it has the diagnostics waits for the check's probe cache write.
                    if saves {
                        early_saving = Some(self.queue.saving.clone().lock_owned().await);
                    }
                    let early = (checked, diagnostics);
                    first_published = self.publish_early(early, generation, &superseded, epoch).await;
                }
                work.await
            }
            done = &mut work => done,
        };
        let (results, diagnostics, to_save, to_attribute, to_adopt) = match work {
            Ok(r) => r,
            // A blocking task is cancelled only by a runtime shutting down before it started
            // (an exit right after a change): nothing went wrong.
            Err(e) if e.is_cancelled() => {
                tracing::debug!("the check did not start: the server is shutting down");
                return;
            }
            Err(e) => {
                tracing::error!("the check failed: {e}");
                return;
            }
        };
        let saving = match (to_save.is_empty(), early_saving) {
            (true, _) => None,
            (false, Some(held)) => Some(held),
            (false, None) => Some(self.queue.saving.clone().lock_owned().await),
        };
        tracing::debug!(generation, millis = ?started.elapsed(), "checked");
        // `Err(closing)`: the check is dropped, the server shutting down or not.
        let to_publish: std::result::Result<Option<ToPublish>, bool> = 'decided: {
            let mut state = self.state();
            // A newer check cancelled this one (its probes were killed, its shell side says
            // "cancelled"): that one publishes, even when both started for one generation.
            if state.shut_down
                || self.queue.generation.load(Ordering::SeqCst) != generation
                || superseded.is_cancelled()
            {
                tracing::debug!(generation, "dropping a superseded check");
                break 'decided Err(state.shut_down);
            }
            state.results = results;
            state.results_epoch += 1;
            for (folder, shell) in to_adopt {
                if let Some(checked) = state.results.get_mut(&folder) {
                    checked.adopt_shell(&shell);
                }
            }
            if state.docs_epoch != epoch {
                // Buffers changed while the probes ran: re-derive from them.
                Ok(Some(self.refresh_locked(&mut state)))
            } else if first_published.as_ref() == Some(&diagnostics) {
                tracing::debug!(generation, "the check agrees with what was published first (from the probe cache or ahead of the shell's go)");
                Ok(None)
            } else {
                Ok(Some(replace_published(&mut state, diagnostics)))
            }
        };
        let to_publish = match to_publish {
            Ok(to_publish) => to_publish,
            Err(closing) => {
                // A shutdown that came after the first diagnostics were published ahead of the
                // check's end waited for it (see `early_saving`): what it probed is kept for
                // the next start all the same.
                if let (true, Some(store), Some(_)) = (closing, store, &saving) {
                    save_probes(store, to_save).await;
                }
                drop(saving);
                return;
            }
        };
        // Before the diagnostics: an edit the user makes once they are shown must be seen.
        self.update_watches();
        if let Some(to_publish) = to_publish {
            let written = super::transport::published_written() + to_publish.len() as u64;
            self.publish(to_publish).await;
            // What follows starts processes and ends others: not while the diagnostics are
            // still on their way out (a fork stalls every thread of ours for its duration).
            super::transport::published_reached(written, WRITE_AT_MOST).await;
            self.send_status().await;
        }
        drop(cores);
        if !to_attribute.is_empty() {
            let this = self.clone();
            tokio::spawn(async move { this.attribute_later(generation, to_attribute).await });
        }
        self.queue.checked.send_if_modified(|done| {
            let newer = generation > *done;
            *done = (*done).max(generation);
            newer
        });
        if let Some(store) = store {
            save_probes(store, to_save).await;
        }
        drop(saving);
    }

    /// Attribution's traced login shell (`facts::attribution`), after the check published: the
    /// first diagnostics never wait for it. Its result is attached to the folders' probed
    /// snapshots and the diagnostics re-derived, unless a newer check came meanwhile.
    async fn attribute_later(&self, generation: u64, pending: Vec<CheckOptions>) {
        let _probing = self.queue.probe_lock.lock().await;
        let (work, epoch) = {
            let state = self.state();
            if state.shut_down || self.queue.generation.load(Ordering::SeqCst) != generation {
                return;
            }
            let work: Vec<(CheckOptions, std::sync::Arc<crate::model::Snapshot>)> = pending
                .into_iter()
                .filter_map(|o| {
                    let snap = state.results.get(&o.folder)?.probed.clone();
                    Some((o, snap))
                })
                .collect();
            (work, state.results_epoch)
        };
        let started = std::time::Instant::now();
        let found = tokio::task::spawn_blocking(move || {
            work.into_iter()
                .map(|(o, snap)| (o.folder.clone(), facts::attribution::collect(&snap, &o)))
                .collect::<Vec<_>>()
        })
        .await;
        let Ok(found) = found else {
            tracing::error!("attribution failed");
            return;
        };
        let to_publish = {
            let mut state = self.state();
            if state.shut_down
                || self.queue.generation.load(Ordering::SeqCst) != generation
                || state.results_epoch != epoch
            {
                tracing::debug!(generation, "dropping superseded attribution");
                return;
            }
            for (folder, attribution) in found {
                if let Some(checked) = state.results.get_mut(&folder) {
                    facts::attribution::attach(
                        std::sync::Arc::make_mut(&mut checked.probed),
                        attribution,
                    );
                }
            }
            self.refresh_locked(&mut state)
        };
        tracing::debug!(generation, millis = ?started.elapsed(), "attribution published");
        self.publish(to_publish).await;
        self.send_status().await;
    }

    /// An answer from the probe cache for `generation` may no longer be published: the server
    /// is shutting down, a newer check started or cancelled this one, or a document changed.
    fn cached_answer_stale(
        &self,
        state: &super::State,
        generation: u64,
        superseded: &facts::process::Cancel,
        epoch: u64,
    ) -> bool {
        state.shut_down
            || self.queue.generation.load(Ordering::SeqCst) != generation
            || superseded.is_cancelled()
            || state.docs_epoch != epoch
    }

    /// Publish a check's first analysis ahead of its end (see the `early_tx` of a check);
    /// what was published, for the end of the check to compare with.
    async fn publish_early(
        &self,
        (checked, diagnostics): (Checked, BTreeMap<PathBuf, Vec<Diagnostic>>),
        generation: u64,
        superseded: &facts::process::Cancel,
        epoch: u64,
    ) -> Option<BTreeMap<PathBuf, Vec<Diagnostic>>> {
        let to_publish = {
            let mut state = self.state();
            if self.cached_answer_stale(&state, generation, superseded, epoch) {
                return None;
            }
            state.results = BTreeMap::from([(checked.probed.folder.clone(), checked)]);
            state.results_epoch += 1;
            replace_published(&mut state, diagnostics.clone())
        };
        tracing::debug!(
            generation,
            "published the first analysis; the check goes on"
        );
        self.publish(to_publish).await;
        self.send_status().await;
        Some(diagnostics)
    }

    /// Whether this session has no probe of the folder's login shell for these inputs.
    fn fresh(&self, o: &CheckOptions, key: &cache::ShellKey) -> bool {
        o.probe_shell && self.services.shell_probes.get(key).is_none()
    }

    /// Publish from the persistent probe cache, when it has every folder this session has not
    /// probed yet (a folder it misses would show without its shell side): the answer the last
    /// start published when nothing it read has changed, else a check with the cached probes.
    /// Each folder's cache entry is read once, for both. Returns what was published, for the
    /// fresh probe to compare with; `None` when nothing was.
    async fn publish_cached(
        &self,
        store: &facts::probe_cache::Store,
        opts: &[CheckOptions],
        keys: &[cache::ShellKey],
        generation: u64,
        superseded: &facts::process::Cancel,
        epoch: u64,
    ) -> Option<BTreeMap<PathBuf, Vec<Diagnostic>>> {
        let (caps, overrides, versions) = {
            let state = self.state();
            let versions: HashMap<PathBuf, i32> = state
                .docs
                .iter()
                .map(|(p, d)| (p.clone(), d.version))
                .collect();
            (state.caps, overrides(&state), versions)
        };
        let enc = caps.enc;
        let mut opts = opts.to_vec();
        for (o, key) in opts.iter_mut().zip(keys) {
            o.shell_probe = self.services.shell_probes.get(key);
        }
        // Nothing open yet (a restart) and no folder probed this session: what the last start
        // published stands if nothing it read has changed — no settings to read, no rules to run.
        let answer_may_apply = overrides.is_empty()
            && versions.is_empty()
            && opts
                .iter()
                .all(|o| o.probe_shell && o.shell_probe.is_none());
        let store = store.clone();
        let cancel = superseded.clone();
        let work = tokio::task::spawn_blocking(move || {
            let mut hits = Vec::with_capacity(opts.len());
            for o in &opts {
                let wanted = o.probe_shell && o.shell_probe.is_none();
                hits.push(if wanted { Some(store.lookup(o)?) } else { None });
            }
            if answer_may_apply {
                if let Some(answer) = kept_answer(&mut hits, &opts, &caps) {
                    return Some(Cached::Answer(answer));
                }
            }
            for (o, hit) in opts.iter_mut().zip(hits) {
                if let Some(hit) = hit {
                    let probes = hit.into_probes();
                    o.shell_probe = Some(probes.shell_probe);
                    o.go_runs = probes.go_runs;
                }
            }
            let results: BTreeMap<PathBuf, Checked> = opts
                .into_iter()
                .map(|mut o| {
                    o.cancel = cancel.clone();
                    // Only what is memoised: the cached answer is published at once.
                    o.attribution = false;
                    let mut snap = facts::collect(&o);
                    if facts::attribution::needed(&snap) {
                        let (found, _) = facts::attribution::collect_cheap(&snap, &o);
                        facts::attribution::attach(&mut snap, found);
                    }
                    let reread = !overrides.is_empty();
                    (
                        o.folder.clone(),
                        Checked::new(std::sync::Arc::new(snap), &o, &overrides, reread),
                    )
                })
                .collect();
            let diagnostics = diagnostics_by_file(results.values(), enc, &overrides, &versions);
            Some(Cached::Checked(results, diagnostics))
        });
        let cached = match work.await {
            Ok(Some(c)) => c,
            Ok(None) => return None,
            Err(e) if e.is_cancelled() => {
                tracing::debug!(
                    "the check from the probe cache did not start: the server is shutting down"
                );
                return None;
            }
            Err(e) => {
                tracing::error!("the check from the probe cache failed: {e}");
                return None;
            }
        };
        let (to_publish, diagnostics, checked) = {
            let mut state = self.state();
            if self.cached_answer_stale(&state, generation, superseded, epoch) {
                tracing::debug!(
                    generation,
                    "dropping a superseded check from the probe cache"
                );
                return None;
            }
            match cached {
                Cached::Answer(diagnostics) => {
                    tracing::info!(
                        generation,
                        "published the cached answer (nothing it read changed); probing afresh"
                    );
                    let to_publish = replace_published(&mut state, diagnostics.clone());
                    (to_publish, diagnostics, false)
                }
                Cached::Checked(results, diagnostics) => {
                    tracing::info!(generation, "published from the probe cache; probing afresh");
                    state.results = results;
                    state.results_epoch += 1;
                    let to_publish = replace_published(&mut state, diagnostics.clone());
                    (to_publish, diagnostics, true)
                }
            }
        };
        self.publish(to_publish).await;
        if checked {
            self.send_status().await;
        }
        Some(diagnostics)
    }

    /// Re-check in the background: handlers return at once (tower-lsp runs only a few at a
    /// time, so a handler waiting on a probe would hold up the message loop).
    pub(super) fn spawn_recheck(&self, delay: Duration) {
        let this = self.clone();
        tokio::spawn(async move { this.recheck(delay).await });
    }
}

/// A folder's probes for the persistent cache: its options, the shell side, the `go` runs made,
/// and the answer a restart may publish at once.
type ToSave = (
    CheckOptions,
    Option<crate::model::SideFacts>,
    Vec<facts::go::RecordedRun>,
    Option<facts::probe_cache::Answer>,
);

/// Write each folder's probes to the persistent cache, after a second, traced run of the login
/// shell where the cache key needs its startup files (off the first diagnostics' path).
async fn save_probes(store: facts::probe_cache::Store, to_save: Vec<ToSave>) {
    if to_save.is_empty() {
        return;
    }
    let saved = tokio::task::spawn_blocking(move || {
        for (o, mut shell, runs, answer) in to_save {
            // The cache is keyed by the files the shell read: a second, traced run
            // learns them, after the first diagnostics (tracing slows the shell).
            if let Some(side) = shell
                .as_mut()
                .filter(|s| crate::goenv::resolve::probe_ok(s))
            {
                let traces = side
                    .probe
                    .as_ref()
                    .is_some_and(|r| facts::shell::traces_startup(&r.shell));
                let untraced = side
                    .probe
                    .as_ref()
                    .is_some_and(|r| r.startup_files.is_empty());
                if traces && untraced {
                    // Known already when the cached probe's files are unchanged.
                    let known = store.load(&o).map(|hit| hit.shell_probe.0.startup_files);
                    let Some(files) = known.or_else(|| facts::trace_startup_files(&o, side)) else {
                        continue;
                    };
                    if let Some(report) = side.probe.as_mut() {
                        report.startup_files = files;
                    }
                }
            }
            store.save_shell(&o, shell.as_ref(), runs, answer);
        }
    });
    if let Err(e) = saved.await {
        tracing::error!("writing the probe cache failed: {e}");
    }
}

/// Each file's diagnostics to send, as [`replace_published`] lists them.
type ToPublish = Vec<(PathBuf, Vec<Diagnostic>)>;

/// A folder's first analysis and its diagnostics, published before its check ends, and whether
/// the check writes the probe cache after it.
type Early = (Checked, BTreeMap<PathBuf, Vec<Diagnostic>>, bool);

/// What the probe cache let a server publish before its fresh probe.
enum Cached {
    /// The answer the last start published (nothing it read changed).
    Answer(BTreeMap<PathBuf, Vec<Diagnostic>>),
    /// A check with the cached probes.
    Checked(
        BTreeMap<PathBuf, Checked>,
        BTreeMap<PathBuf, Vec<Diagnostic>>,
    ),
}

/// Every folder's kept answer merged, when each has one that applies; the answers are taken
/// out of the hits (their probes stay for a check).
fn kept_answer(
    hits: &mut [Option<facts::probe_cache::Hit>],
    opts: &[CheckOptions],
    caps: &super::session::ClientCaps,
) -> Option<BTreeMap<PathBuf, Vec<Diagnostic>>> {
    let mut all: super::answer::Published = BTreeMap::new();
    for (o, hit) in opts.iter().zip(hits.iter_mut()) {
        let payload = hit
            .as_mut()?
            .take_answer(&super::answer::context(caps, o))?;
        for (file, mut diags) in super::answer::decode(payload)? {
            let list = all.entry(file).or_default();
            diags.retain(|d| !list.contains(d));
            list.extend(diags);
        }
    }
    Some(all)
}
