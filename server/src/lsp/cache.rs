//! The login-shell probe cache (the shell is the slowest probe): a re-check whose inputs did not
//! change reuses the shell's environment instead of starting the login shell again. The inputs are
//! the shell, its timeout, the folder (per-folder version managers look at the working directory)
//! and the size and modification time of each of the shell's rc files; an edit to one of them (seen
//! by the watcher) changes the key and the shell runs again.

use super::watch;
use crate::facts::{self, CheckOptions};
use crate::model::{ProbeOutcome, ProbeReport, SideFacts};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ShellKey {
    shell: PathBuf,
    timeout: Duration,
    folder: PathBuf,
    /// Where the shell starts: the folder, or home while the folder is not trusted.
    cwd: PathBuf,
    /// zsh's `$ZDOTDIR` as the shell set it last time (often in `~/.zshenv`), else the editor's.
    zdotdir: Option<PathBuf>,
    /// Each rc file and its (mtime, size) when it exists.
    rc: Vec<(PathBuf, Option<(SystemTime, u64)>)>,
}

impl ShellKey {
    /// The inputs now; `zdotdir`: the `$ZDOTDIR` the last probe of the shell reported.
    pub(crate) fn of(opts: &CheckOptions, zdotdir: Option<PathBuf>) -> ShellKey {
        let env: BTreeMap<String, String> = match &opts.editor_env {
            Some(env) => env.clone(),
            None => ["SHELL", "HOME", "ZDOTDIR"]
                .into_iter()
                .filter_map(|k| std::env::var(k).ok().map(|v| (k.to_string(), v)))
                .collect(),
        };
        let shell = facts::shell::resolve_shell(opts.shell.as_deref(), &env);
        let home = env.get("HOME").filter(|h| !h.is_empty()).map(PathBuf::from);
        let zdotdir = zdotdir.or_else(|| {
            env.get("ZDOTDIR")
                .filter(|z| !z.is_empty())
                .map(PathBuf::from)
        });
        let rc = home
            .map(|home| {
                watch::rc_paths(&shell, &home, zdotdir.as_deref())
                    .into_iter()
                    .map(|path| {
                        let stamp = std::fs::metadata(&path)
                            .ok()
                            .and_then(|m| Some((m.modified().ok()?, m.len())));
                        (path, stamp)
                    })
                    .collect()
            })
            .unwrap_or_default();
        ShellKey {
            shell,
            timeout: opts.shell_timeout,
            folder: opts.folder.clone(),
            cwd: facts::shell_probe_cwd(opts, &env),
            zdotdir,
            rc,
        }
    }
}

impl ShellKey {
    /// The rc files the shell will read.
    pub(crate) fn rc_paths(&self) -> impl Iterator<Item = &Path> {
        self.rc.iter().map(|(p, _)| p.as_path())
    }
}

type Entry = (ShellKey, ProbeReport, Option<BTreeMap<String, String>>);

/// Login-shell probes by workspace folder, failed ones too: a shell that timed out after 10 s
/// times out again until one of its rc files changes (or the user asks for a re-check), so
/// every re-check would otherwise wait for it again.
#[derive(Debug, Default)]
pub(crate) struct ShellCache {
    entries: HashMap<PathBuf, Entry>,
}

impl ShellCache {
    /// The cached probe for these inputs, if any.
    pub(crate) fn get(
        &self,
        key: &ShellKey,
    ) -> Option<(ProbeReport, Option<BTreeMap<String, String>>)> {
        self.entries
            .get(&key.folder)
            .filter(|(k, _, _)| k == key)
            .map(|(_, r, e)| (r.clone(), e.clone()))
    }

    /// The `$ZDOTDIR` the cached probe of `folder` reported.
    pub(crate) fn zdotdir(&self, folder: &Path) -> Option<PathBuf> {
        self.entries
            .get(folder)
            .and_then(|(_, _, env)| env.as_ref()?.get("ZDOTDIR"))
            .filter(|z| !z.is_empty())
            .map(PathBuf::from)
    }

    /// Remember a check's shell side, whatever the probe's outcome — except a cancelled
    /// one, which says nothing about the shell. `key` was taken before the probe (an rc file
    /// edited meanwhile then misses next time); it is taken again when the shell reported
    /// another `$ZDOTDIR` (other rc files).
    pub(crate) fn put(
        &mut self,
        opts: &CheckOptions,
        mut key: ShellKey,
        shell: Option<&SideFacts>,
    ) {
        let Some(shell) = shell else {
            return;
        };
        match &shell.probe {
            Some(report) if report.outcome == ProbeOutcome::Ok => {
                let reported = shell
                    .os_env
                    .get("ZDOTDIR")
                    .filter(|z| !z.is_empty())
                    .map(PathBuf::from);
                if reported.is_some() && reported != key.zdotdir {
                    key = ShellKey::of(opts, reported);
                }
                self.entries.insert(
                    key.folder.clone(),
                    (key, report.clone(), Some(shell.os_env.clone())),
                );
            }
            Some(report) if report.outcome != ProbeOutcome::Cancelled => {
                tracing::debug!(outcome = ?report.outcome, "remembering a failed login-shell probe until its inputs change");
                self.entries
                    .insert(key.folder.clone(), (key, report.clone(), None));
            }
            _ => {
                self.entries.remove(&key.folder);
            }
        }
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }
}

/// The server's [`ShellCache`], shared by the checks (each takes the lock for one lookup or one
/// insertion, never across a probe), and the probes started ahead of their check.
#[derive(Default)]
pub(crate) struct ShellProbes(std::sync::Mutex<ShellCache>, std::sync::Mutex<Prefetched>);

/// Login shells started at `initialize`, by folder: the inputs they were started with (the
/// key, whether the startup files are traced, the trust the helper's `go` was gated by).
type Prefetched = HashMap<PathBuf, (ShellKey, bool, bool, facts::shell::Prefetch)>;

impl ShellProbes {
    fn cache(&self) -> std::sync::MutexGuard<'_, ShellCache> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn prefetched(&self) -> std::sync::MutexGuard<'_, Prefetched> {
        self.1.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Start the login shell of `opts`'s folder now, for the check to come (see
    /// [`facts::shell::Prefetch`]); nothing when this session has its probe already.
    pub(crate) fn prefetch(&self, opts: &CheckOptions, key: ShellKey) {
        if !opts.probe_shell || self.get(&key).is_some() {
            return;
        }
        let editor_env = opts.editor_env.clone().unwrap_or_else(facts::process_env);
        let mut probe = facts::shell_probe_options(opts, &editor_env, None);
        // The check that takes it goes on with the shell's `go` answer predicted, when it can
        // (`facts::collect_speculating`): that `go` only confirms it.
        if let Some(ask) = &mut probe.early_go {
            ask.yield_if_predicted = true;
        }
        let Some(prefetch) = facts::shell::Prefetch::start(probe) else {
            return;
        };
        let entry = (key, opts.trace_startup, opts.trusted, prefetch);
        if let Some(old) = self.prefetched().insert(opts.folder.clone(), entry) {
            old.3.abandon();
        }
    }

    /// The prefetched probe of `opts`'s folder when it was started with these inputs; one
    /// started with others is abandoned (its shell killed).
    pub(crate) fn take_prefetched(
        &self,
        opts: &CheckOptions,
        key: &ShellKey,
    ) -> Option<facts::shell::Prefetch> {
        let (k, traced, trusted, prefetch) = self.prefetched().remove(&opts.folder)?;
        if k == *key && traced == opts.trace_startup && trusted == opts.trusted {
            tracing::debug!(folder = %opts.folder.display(), "taking the login shell started at initialize");
            Some(prefetch)
        } else {
            tracing::debug!(folder = %opts.folder.display(), "the login shell started at initialize had other inputs; starting another");
            prefetch.abandon();
            None
        }
    }

    pub(crate) fn get(
        &self,
        key: &ShellKey,
    ) -> Option<(ProbeReport, Option<BTreeMap<String, String>>)> {
        self.cache().get(key)
    }

    pub(crate) fn zdotdir(&self, folder: &Path) -> Option<PathBuf> {
        self.cache().zdotdir(folder)
    }

    pub(crate) fn put(&self, opts: &CheckOptions, key: ShellKey, shell: Option<&SideFacts>) {
        self.cache().put(opts, key, shell);
    }

    pub(crate) fn clear(&self) {
        self.cache().clear();
        for (_, (_, _, _, prefetch)) in self.prefetched().drain() {
            prefetch.abandon();
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_rc_file_edit_under_zdotdir_changes_the_key() {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        let zdot = home.join(".config/zsh");
        std::fs::create_dir_all(&zdot).unwrap();
        std::fs::write(zdot.join(".zshrc"), "export A=1\n").unwrap();
        let mut opts = CheckOptions::new(tmp.path().to_path_buf(), PathBuf::from("/x"));
        opts.shell = Some(PathBuf::from("/bin/zsh"));
        opts.editor_env = Some(
            [("HOME".to_string(), home.display().to_string())]
                .into_iter()
                .collect(),
        );
        let before = ShellKey::of(&opts, Some(zdot.clone()));
        assert_eq!(before, ShellKey::of(&opts, Some(zdot.clone())));
        // Without the shell's ZDOTDIR, ~/.zshrc is looked at instead: unaffected.
        let home_only = ShellKey::of(&opts, None);
        std::fs::write(zdot.join(".zshrc"), "export A=22\n").unwrap();
        assert_ne!(before, ShellKey::of(&opts, Some(zdot)));
        assert_eq!(home_only, ShellKey::of(&opts, None));
    }
}
