//! The login-shell probe cache (SPEC §7 "Live"): a re-check whose inputs did not change reuses
//! the shell's environment instead of starting the login shell again. The inputs are the
//! shell, its timeout, the folder (per-folder version managers look at the working directory)
//! and the size and modification time of each of the shell's rc files; an edit to one of them
//! (seen by the watcher) changes the key and the shell runs again.

use super::watch;
use crate::facts::{self, CheckOptions};
use crate::model::{ProbeOutcome, ProbeReport, Snapshot};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ShellKey {
    shell: PathBuf,
    timeout: Duration,
    folder: PathBuf,
    /// Each rc file and its (mtime, size) when it exists.
    rc: Vec<(PathBuf, Option<(SystemTime, u64)>)>,
}

impl ShellKey {
    pub(crate) fn of(opts: &CheckOptions) -> ShellKey {
        let env: BTreeMap<String, String> = match &opts.editor_env {
            Some(env) => env.clone(),
            None => ["SHELL", "HOME"]
                .into_iter()
                .filter_map(|k| std::env::var(k).ok().map(|v| (k.to_string(), v)))
                .collect(),
        };
        let shell = facts::shell::resolve_shell(opts.shell.as_deref(), &env);
        let home = env.get("HOME").filter(|h| !h.is_empty()).map(PathBuf::from);
        let rc = home
            .map(|home| {
                watch::rc_files(&shell)
                    .iter()
                    .map(|rc| {
                        let path = home.join(rc);
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
            rc,
        }
    }
}

type Entry = (ShellKey, ProbeReport, BTreeMap<String, String>);

/// Successful login-shell probes by workspace folder.
#[derive(Debug, Default)]
pub(crate) struct ShellCache {
    entries: HashMap<PathBuf, Entry>,
}

impl ShellCache {
    /// The cached probe for these inputs, if any.
    pub(crate) fn get(&self, key: &ShellKey) -> Option<(ProbeReport, BTreeMap<String, String>)> {
        self.entries
            .get(&key.folder)
            .filter(|(k, _, _)| k == key)
            .map(|(_, r, e)| (r.clone(), e.clone()))
    }

    /// Remember the shell side of `snap` when its probe succeeded.
    pub(crate) fn put(&mut self, key: ShellKey, snap: &Snapshot) {
        let Some(shell) = &snap.shell else {
            return;
        };
        match &shell.probe {
            Some(report) if report.outcome == ProbeOutcome::Ok => {
                self.entries.insert(
                    key.folder.clone(),
                    (key, report.clone(), shell.os_env.clone()),
                );
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
