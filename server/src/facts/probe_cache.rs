//! The persistent probe cache: what the login shell and each side's `go` said, kept on disk so a
//! language server that starts again (a new editor window) can publish at once instead of
//! waiting for the login shell, the slowest probe. The server re-probes right after and
//! publishes again if anything differs (`lsp::queue`); `check --cache` trusts a hit.
//!
//! **Where**: `<user cache dir>/go-env-doctor/probes/` (`$XDG_CACHE_HOME` or `~/.cache` on Linux
//! and other Unixes, `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows), one JSON file per
//! folder, shell and server environment, mode 0600 in a 0700 directory, at most
//! [`MAX_ENTRIES`] files (the least recently written are evicted), each at most
//! [`MAX_FILE_BYTES`]. Written to a temporary file in the same directory and renamed over the
//! old one, so two servers writing at once leave one whole file.
//!
//! **Key**: the folder, the shell's working directory, the shell, the probe's timeout, trust,
//! a digest of the server's own environment (without the per-process variables VS Code sets,
//! [`VOLATILE`]), and the identity (path, size, mtime, inode — or absence) of the shell binary,
//! our own binary (it prints the environment), every startup file the shell reported reading
//! (`facts::shell`'s trace: bash and zsh) and every documented candidate
//! ([`shell::documented_startup_files`]). Each `go` run is filed by a digest of its own inputs:
//! the binary's identity, its working directory, the variables cmd/go reads, the env file and
//! `$GOROOT/go.env` (see `go::RunKey`). Anything different is a miss.
//!
//! **What**: only what the rules read — the shell's report, the shell's environment as a
//! difference from the server's (variables equal to the server's are taken from the live
//! environment when read back), and each `go` run's answers. No secret is written: a variable
//! whose name says it holds one (`*_TOKEN`, `*PASSWORD*`, …) is left out, and a value with
//! credentials in a URL (`https://user:token@host`) is written redacted — or, when it equals the
//! value the run's own environment gives it, as a reference to that value.
//!
//! **The answer**: next to the probes, an entry may keep what the language server published
//! from them ([`Answer`]: an opaque payload the server writes and reads), with the identity of
//! every file that check read (settings, go.mod/go.work, env files) and a digest of the
//! client's side of the session (its capabilities and configuration). When all of those and
//! the probe's key are as they were, a new server publishes the answer before it has checked
//! anything — the first diagnostics of a restart cost reading one file. The fresh check follows
//! as on any hit and replaces the answer if anything differs, so a stale answer (a GOROOT
//! deleted since, a new go.mod below the folder) is shown no longer than the fresh probe
//! takes. Answers hold the published messages, which never contain credentials.
//!
//! A file that cannot be parsed, or was written by another format, is ignored with a log line
//! (and replaced by the next write).

use super::{go, shell, CheckOptions};
use crate::model::{CommandResult, ProbeOutcome, ProbeReport, SideFacts, Snapshot};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The layout of a cache file; a file with another one is ignored.
pub const FORMAT: u32 = 2;
/// Files kept; older ones are deleted on write.
pub const MAX_ENTRIES: usize = 64;
/// A larger entry is not written (and a larger file not read).
pub const MAX_FILE_BYTES: u64 = 2 << 20;

/// Variables VS Code gives each of its processes anew (ids, sockets of this window): in the
/// server's environment but meaningless to rc files, so left out of the key — otherwise every
/// new window would miss.
pub const VOLATILE: &[&str] = &[
    "VSCODE_PID",
    "VSCODE_IPC_HOOK",
    "VSCODE_IPC_HOOK_CLI",
    "VSCODE_IPC_HOOK_EXTHOST",
    "VSCODE_HANDLES_UNCAUGHT_ERRORS",
    "VSCODE_HANDLES_SIGPIPE",
    "VSCODE_NLS_CONFIG",
    "VSCODE_CODE_CACHE_PATH",
    "VSCODE_CRASH_REPORTER_PROCESS_TYPE",
    "VSCODE_ESM_ENTRYPOINT",
    "VSCODE_L10N_BUNDLE_LOCATION",
];

/// A value written in place of a secret that equals the one the run's environment gives the
/// same variable (restored from there when read back).
const FROM_ENV: &str = "\u{1}from-env";

/// What a password in a URL is written as. Still a password to the rules (a GOPROXY with
/// credentials is reported from the cached probe too) and shown redacted like any other.
const PLACEHOLDER: &str = "not-cached";

/// `value` with the password of every URL in it replaced by [`PLACEHOLDER`].
fn mask(value: &str) -> String {
    crate::redact::redact(value).replace("***", PLACEHOLDER)
}

/// The identity of a file (or its absence) when the entry was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStamp {
    pub path: PathBuf,
    pub exists: bool,
    pub size: u64,
    pub mtime_secs: i64,
    pub mtime_nanos: u32,
    pub inode: u64,
}

/// The identity of `path` now (following symlinks, as the shell does when it reads it).
pub fn stamp(path: &Path) -> FileStamp {
    let mut out = FileStamp {
        path: path.to_path_buf(),
        exists: false,
        size: 0,
        mtime_secs: 0,
        mtime_nanos: 0,
        inode: 0,
    };
    let Ok(m) = std::fs::metadata(path) else {
        return out;
    };
    out.exists = true;
    out.size = m.len();
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        out.mtime_secs = m.mtime();
        out.mtime_nanos = u32::try_from(m.mtime_nsec()).unwrap_or(0);
        out.inode = m.ino();
    }
    #[cfg(not(unix))]
    if let Ok(d) = m
        .modified()
        .map(|t| t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default())
    {
        out.mtime_secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
        out.mtime_nanos = d.subsec_nanos();
    }
    out
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a variable's name says it holds a secret: never written.
pub fn secret_name(name: &str) -> bool {
    const PARTS: &[&str] = &[
        "TOKEN",
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "CREDENTIAL",
        "API_KEY",
        "APIKEY",
        "ACCESS_KEY",
        "PRIVATE_KEY",
        "COOKIE",
    ];
    let upper = name.to_ascii_uppercase();
    PARTS.iter().any(|p| upper.contains(p))
}

/// The user cache directory's `go-env-doctor/probes`, from this process's environment.
pub fn default_dir() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    let base = if cfg!(windows) {
        var("LOCALAPPDATA")
    } else if cfg!(target_os = "macos") {
        var("HOME").map(|h| h.join("Library").join("Caches"))
    } else {
        var("XDG_CACHE_HOME").or_else(|| var("HOME").map(|h| h.join(".cache")))
    }?;
    Some(base.join("go-env-doctor").join("probes"))
}

/// Everything besides files an entry depends on; compared in full on read (the file name is
/// only its digest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Key {
    folder: PathBuf,
    cwd: PathBuf,
    shell: PathBuf,
    timeout_ms: u64,
    trusted: bool,
    /// SHA-256 of the server's environment without [`VOLATILE`].
    env: String,
}

impl Key {
    fn of(opts: &CheckOptions, editor_env: &BTreeMap<String, String>) -> Key {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        for (k, v) in editor_env {
            if VOLATILE.contains(&k.as_str()) {
                continue;
            }
            h.update(k.as_bytes());
            h.update([0]);
            h.update(v.as_bytes());
            h.update([0]);
        }
        Key {
            folder: opts.folder.clone(),
            cwd: super::shell_probe_cwd(opts, editor_env),
            shell: shell::resolve_shell(opts.shell.as_deref(), editor_env),
            timeout_ms: u64::try_from(opts.shell_timeout.as_millis()).unwrap_or(u64::MAX),
            trusted: opts.trusted,
            env: hex(&h.finalize()),
        }
    }

    fn file_name(&self) -> String {
        use sha2::Digest;
        let text = serde_json::to_string(self).unwrap_or_default();
        let digest = sha2::Sha256::digest(format!("{FORMAT}\0{text}").as_bytes());
        format!("{}.json", &hex(&digest)[..32])
    }
}

/// The shell's environment as a difference from the server's.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct EnvDiff {
    /// Variables the shell set to another value (redacted when they hold credentials).
    set: BTreeMap<String, String>,
    /// The server's variables the shell removed.
    unset: Vec<String>,
    /// Variables the shell set that are not written (secret names): read back as absent.
    withheld: Vec<String>,
}

impl EnvDiff {
    fn of(shell: &BTreeMap<String, String>, editor: &BTreeMap<String, String>) -> EnvDiff {
        let mut d = EnvDiff::default();
        for (k, v) in shell {
            if editor.get(k) == Some(v) {
                continue;
            }
            if secret_name(k) {
                d.withheld.push(k.clone());
            } else {
                d.set.insert(k.clone(), mask(v));
            }
        }
        d.unset = editor
            .keys()
            .filter(|k| !shell.contains_key(*k))
            .cloned()
            .collect();
        d
    }

    fn apply(&self, editor: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        let mut env = editor.clone();
        for k in &self.unset {
            env.remove(k);
        }
        for k in &self.withheld {
            env.remove(k);
        }
        env.extend(self.set.iter().map(|(k, v)| (k.clone(), v.clone())));
        env
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    format: u32,
    key: Key,
    /// The shell binary, our own binary, the startup files: all must be as they were.
    files: Vec<FileStamp>,
    report: ProbeReport,
    env: EnvDiff,
    /// (digest of the run's inputs, the run with secrets encoded).
    go_runs: Vec<(String, go::GoRun)>,
    /// What the server published from these probes, while its inputs are unchanged.
    #[serde(default)]
    answer: Option<Answer>,
}

/// What a language server published from a probe, reusable while every input is as it was:
/// the probe's (the entry's key and files), `files` (what the check read) and `context` (a
/// digest of the client's capabilities and configuration, made by the server).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Answer {
    pub context: String,
    /// Each file the check read, as it was when it read it (taken right after the check).
    pub files: Vec<FileStamp>,
    /// The server's own format (the facts layer does not know it).
    pub payload: serde_json::Value,
}

/// A hit: the login shell's probe and the `go` runs, ready for [`CheckOptions`].
#[derive(Debug, Clone)]
pub struct Cached {
    pub shell_probe: (ProbeReport, Option<BTreeMap<String, String>>),
    pub go_runs: Vec<(String, go::GoRun)>,
}

/// A valid entry ([`Store::lookup`]).
#[derive(Debug)]
pub struct Hit {
    entry: Entry,
    editor_env: BTreeMap<String, String>,
}

impl Hit {
    /// The published answer in `context`, when every file the answer's check read is as it
    /// was; taken out of the hit (its probes stay).
    pub fn take_answer(&mut self, context: &str) -> Option<serde_json::Value> {
        let Some(answer) = self.entry.answer.take() else {
            tracing::debug!("the cached probe has no answer");
            return None;
        };
        if answer.context != context {
            tracing::debug!("the cached answer is for another client or configuration");
            return None;
        }
        if let Some(changed) = answer.files.iter().find(|f| stamp(&f.path) != **f) {
            tracing::debug!(file = %changed.path.display(), "a file the cached answer read changed");
            return None;
        }
        Some(answer.payload)
    }

    /// The probes, ready for [`CheckOptions`].
    pub fn into_probes(self) -> Cached {
        let env = self.entry.env.apply(&self.editor_env);
        Cached {
            shell_probe: (self.entry.report, Some(env)),
            go_runs: self.entry.go_runs,
        }
    }
}

/// The cache in `dir`.
#[derive(Debug, Clone)]
pub struct Store {
    pub dir: PathBuf,
}

impl Store {
    /// The user's cache ([`default_dir`]).
    pub fn user() -> Option<Store> {
        default_dir().map(|dir| Store { dir })
    }

    /// The entry for `opts` if every input is as it was when it was written.
    /// Whether a cache file exists for `opts`'s inputs (not whether it is still valid).
    pub fn has_entry(&self, opts: &CheckOptions) -> bool {
        let editor_env = opts.editor_env.clone().unwrap_or_else(super::process_env);
        self.dir
            .join(Key::of(opts, &editor_env).file_name())
            .is_file()
    }

    pub fn load(&self, opts: &CheckOptions) -> Option<Cached> {
        self.lookup(opts).map(Hit::into_probes)
    }

    /// The entry for `opts` when its probe's inputs are as they were: read once for both what
    /// it keeps (the answer, then the probes when the answer no longer applies).
    pub fn lookup(&self, opts: &CheckOptions) -> Option<Hit> {
        let (entry, editor_env) = self.load_entry(opts)?;
        Some(Hit { entry, editor_env })
    }

    fn load_entry(&self, opts: &CheckOptions) -> Option<(Entry, BTreeMap<String, String>)> {
        let editor_env = opts.editor_env.clone().unwrap_or_else(super::process_env);
        let key = Key::of(opts, &editor_env);
        let path = self.dir.join(key.file_name());
        let bytes = match super::fs::read_bounded(&path, MAX_FILE_BYTES) {
            Ok(b) => b,
            Err(super::fs::ReadError::NotFound) => {
                tracing::debug!(path = %path.display(), "no cached probe");
                return None;
            }
            Err(super::fs::ReadError::Refused(why)) => {
                tracing::info!(path = %path.display(), "ignoring the probe cache file: {why}");
                return None;
            }
        };
        let value: serde_json::Value = match serde_json::from_slice(&bytes) {
            Ok(v) => v,
            Err(e) => {
                tracing::info!(path = %path.display(), "ignoring a corrupt probe cache file: {e}");
                return None;
            }
        };
        let format = value.get("format").and_then(serde_json::Value::as_u64);
        if format != Some(u64::from(FORMAT)) {
            tracing::info!(path = %path.display(), ?format, "ignoring a probe cache file of another format (this one reads {FORMAT})");
            return None;
        }
        let entry: Entry = match serde_json::from_value(value) {
            Ok(e) => e,
            Err(e) => {
                tracing::info!(path = %path.display(), "ignoring a corrupt probe cache file: {e}");
                return None;
            }
        };
        if entry.key != key {
            tracing::debug!(path = %path.display(), "the cached probe is for other inputs");
            return None;
        }
        if let Some(changed) = entry.files.iter().find(|f| stamp(&f.path) != **f) {
            tracing::debug!(file = %changed.path.display(), "a startup file changed since the probe was cached");
            return None;
        }
        Some((entry, editor_env))
    }

    /// Remember the probes of `snap` (a successful shell probe only) with the `go` runs made
    /// for it. Failures are logged: the cache is an optimisation.
    pub fn save(&self, opts: &CheckOptions, snap: &Snapshot, runs: Vec<go::RecordedRun>) {
        self.save_shell(opts, snap.shell.as_ref(), runs, None);
    }

    /// [`Store::save`] from the shell side alone (what a caller keeps to save after it
    /// published), with what it published when it can be reused.
    pub fn save_shell(
        &self,
        opts: &CheckOptions,
        shell: Option<&SideFacts>,
        runs: Vec<go::RecordedRun>,
        answer: Option<Answer>,
    ) {
        if let Err(e) = self.try_save(opts, shell, runs, answer) {
            tracing::info!(dir = %self.dir.display(), "could not write the probe cache: {e}");
        }
    }

    fn try_save(
        &self,
        opts: &CheckOptions,
        shell: Option<&SideFacts>,
        runs: Vec<go::RecordedRun>,
        answer: Option<Answer>,
    ) -> std::io::Result<()> {
        let Some(side) = shell else {
            return Ok(());
        };
        let Some(report) = side
            .probe
            .as_ref()
            .filter(|r| r.outcome == ProbeOutcome::Ok)
        else {
            return Ok(());
        };
        let editor_env = opts.editor_env.clone().unwrap_or_else(super::process_env);
        let key = Key::of(opts, &editor_env);
        let mut paths: Vec<PathBuf> = vec![
            report.shell.clone(),
            opts.helper_exe.clone(),
            shell::print_env_program(&opts.helper_exe),
        ];
        // The candidates as the server's environment and as the shell's (zsh's ZDOTDIR is
        // often set in ~/.zshenv) name them.
        paths.extend(shell::documented_startup_files(&report.shell, &editor_env));
        paths.extend(shell::documented_startup_files(&report.shell, &side.os_env));
        paths.extend(report.startup_files.iter().cloned());
        paths.sort();
        paths.dedup();
        let mut entry = Entry {
            format: FORMAT,
            files: paths.iter().map(|p| stamp(p)).collect(),
            report: report.clone(),
            env: EnvDiff::of(&side.os_env, &editor_env),
            go_runs: runs
                .into_iter()
                .map(|(digest, run, env)| (digest, encode_run(run, &env)))
                .collect(),
            key,
            answer,
        };
        let mut text = serde_json::to_vec(&entry).map_err(std::io::Error::other)?;
        if text.len() as u64 > MAX_FILE_BYTES && entry.answer.is_some() {
            // Thousands of diagnostics (a large monorepo): keep the probes, which are small.
            tracing::info!(
                bytes = text.len(),
                "the published answer is too large to cache; caching the probes alone"
            );
            entry.answer = None;
            text = serde_json::to_vec(&entry).map_err(std::io::Error::other)?;
        }
        if text.len() as u64 > MAX_FILE_BYTES {
            tracing::info!(
                bytes = text.len(),
                "the probe is too large to cache; not written"
            );
            return Ok(());
        }
        self.ensure_dir()?;
        let target = self.dir.join(entry.key.file_name());
        write_atomic(&self.dir, &target, &text)?;
        tracing::debug!(path = %target.display(), "cached the probe");
        self.evict();
        Ok(())
    }

    fn ensure_dir(&self) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&self.dir, std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }

    /// Keep the [`MAX_ENTRIES`] most recently written entries; remove temporary files a
    /// crashed writer left (older than a minute, so a concurrent writer's is spared).
    fn evict(&self) {
        let Ok(dir) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let now = std::time::SystemTime::now();
        let mut entries: Vec<(std::time::SystemTime, PathBuf)> = Vec::new();
        for e in dir.flatten() {
            let path = e.path();
            let Ok(m) = e.metadata() else { continue };
            let mtime = m.modified().unwrap_or(std::time::UNIX_EPOCH);
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".tmp") {
                let old = now.duration_since(mtime).is_ok_and(|d| d.as_secs() > 60);
                if old {
                    let _ = std::fs::remove_file(&path);
                }
            } else if name.ends_with(".json") {
                entries.push((mtime, path));
            }
        }
        if entries.len() <= MAX_ENTRIES {
            return;
        }
        entries.sort();
        let excess = entries.len() - MAX_ENTRIES;
        for (_, path) in entries.into_iter().take(excess) {
            tracing::debug!(path = %path.display(), "evicting an old cached probe");
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Write `bytes` to `target` through a 0600 temporary file in `dir` and a rename.
fn write_atomic(dir: &Path, target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = dir.join(format!(
        ".{}.{}.{}.tmp",
        target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id(),
        shell::new_mark()
    ));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    // No fsync: the rename makes the file whole for a concurrent reader, and a file a crash
    // tore is ignored as corrupt — the cache is an optimisation, not worth a disk flush on the
    // way to the first diagnostics.
    let result = (|| {
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        drop(f);
        std::fs::rename(&tmp, target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// `run` with every secret replaced: by [`FROM_ENV`] when it equals the value `env` (the run's
/// own environment) gives that variable, else redacted. Error text is redacted.
fn encode_run(mut run: go::GoRun, env: &BTreeMap<String, String>) -> go::GoRun {
    match &mut run.env_json {
        CommandResult::Ok { value, .. } => {
            for (k, v) in value.iter_mut() {
                if secret_name(k) || crate::redact::has_credentials(v) {
                    *v = if env.get(k) == Some(v) {
                        FROM_ENV.to_string()
                    } else if secret_name(k) {
                        String::new()
                    } else {
                        mask(v)
                    };
                }
            }
        }
        CommandResult::Failed { stderr, .. } => *stderr = crate::redact::redact(stderr),
        _ => {}
    }
    if let Some(CommandResult::Failed { stderr, .. }) = &mut run.version {
        *stderr = crate::redact::redact(stderr);
    }
    run
}

/// A cached run as it was, its [`FROM_ENV`] values taken from `env` (the environment it runs
/// with now: its digest says those variables are as they were).
pub fn decode_run(run: &go::GoRun, env: &BTreeMap<String, String>) -> go::GoRun {
    let mut run = run.clone();
    if let CommandResult::Ok { value, .. } = &mut run.env_json {
        for (k, v) in value.iter_mut() {
            if v == FROM_ENV {
                *v = env.get(k).cloned().unwrap_or_default();
            }
        }
    }
    run
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    use crate::test_support::env;

    #[test]
    fn the_shell_env_is_a_difference_without_secrets() {
        let editor = env(&[
            ("PATH", "/bin"),
            ("HOME", "/h"),
            ("GOPROXY", "https://u:tok@p"),
        ]);
        let shell = env(&[
            ("PATH", "/go/bin:/bin"),
            ("HOME", "/h"),
            ("GOPROXY", "https://u:tok@p"),
            ("GONOSUMDB", "https://v:other@q"),
            ("GITHUB_TOKEN", "ghp_x"),
        ]);
        let d = EnvDiff::of(&shell, &editor);
        let text = serde_json::to_string(&d).unwrap();
        assert!(!text.contains("tok") && !text.contains("other") && !text.contains("ghp_x"));
        let back = d.apply(&editor);
        assert_eq!(back["GOPROXY"], "https://u:tok@p");
        assert_eq!(back["GONOSUMDB"], "https://v:not-cached@q");
        assert!(crate::redact::has_credentials(&back["GONOSUMDB"]));
        assert_eq!(back["PATH"], "/go/bin:/bin");
        assert!(!back.contains_key("GITHUB_TOKEN"));
    }

    /// Two servers writing one entry at once: every write is whole (a reader never sees a mix)
    /// and no temporary file is left.
    #[test]
    fn concurrent_writes_leave_one_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("entry.json");
        std::thread::scope(|s| {
            for t in 0..4u8 {
                let (dir, target) = (dir.path(), &target);
                s.spawn(move || {
                    let body = vec![b'a' + t; 64 << 10];
                    for _ in 0..25 {
                        write_atomic(dir, target, &body).unwrap();
                        let seen = std::fs::read(target).unwrap();
                        assert_eq!(seen.len(), 64 << 10);
                        assert!(seen.iter().all(|b| *b == seen[0]), "a torn file");
                    }
                });
            }
        });
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["entry.json"]);
    }

    #[test]
    fn old_entries_are_evicted_beyond_the_bound() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store {
            dir: dir.path().to_path_buf(),
        };
        for i in 0..MAX_ENTRIES + 6 {
            let p = dir.path().join(format!("{i:03}.json"));
            std::fs::write(&p, "{}").unwrap();
            let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000 + i as u64);
            std::fs::File::options()
                .write(true)
                .open(&p)
                .unwrap()
                .set_modified(t)
                .unwrap();
        }
        store.evict();
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left.len(), MAX_ENTRIES);
        assert_eq!(left[0], "006.json", "the oldest go first");
    }

    #[test]
    fn go_run_secrets_are_references_or_redacted() {
        let run = go::GoRun {
            env_json: CommandResult::Ok {
                value: env(&[
                    ("GOPROXY", "https://u:tok@p"),
                    ("GOPRIVATE", "x.io"),
                    ("GOAUTH", "netrc"),
                ]),
                millis: 1,
            },
            version: None,
            gotoolchain: CommandResult::NotRun { reason: "r".into() },
        };
        let run_env = env(&[("GOPROXY", "https://u:tok@p")]);
        let stored = encode_run(run.clone(), &run_env);
        let text = serde_json::to_string(&stored).unwrap();
        assert!(!text.contains("tok"), "{text}");
        assert_eq!(decode_run(&stored, &run_env), run);
    }
}
