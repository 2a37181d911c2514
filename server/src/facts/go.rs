//! Finding `go` binaries and asking them about their environment.
//!
//! Probing is careful: `go env -json` runs with `GOTOOLCHAIN=local` (toolchain switching downloads
//! and executes code), the user's own GOTOOLCHAIN is resolved from its layers (see
//! [`GOTOOLCHAIN_FROM_LAYERS`]), and `go version` runs only when GOFLAGS is set, because its only
//! extra information is the GOFLAGS error that `go env` hides.

use super::process;
use crate::model::{CommandResult, EnvFile, GoBinary, GoFoundBy, GoInstall};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const GO_TIMEOUT: Duration = Duration::from_secs(10);

pub fn exe_name(name: &str) -> String {
    if cfg!(windows) {
        format!("{name}.exe")
    } else {
        name.to_string()
    }
}

pub fn split_path(path_var: &str) -> Vec<PathBuf> {
    std::env::split_paths(path_var)
        .filter(|p| !p.as_os_str().is_empty())
        .collect()
}

/// The first executable `name` in `dirs`.
pub fn which(name: &str, dirs: &[PathBuf]) -> Option<PathBuf> {
    let file = exe_name(name);
    dirs.iter()
        .map(|d| d.join(&file))
        .find(|p| is_executable(p))
}

pub fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p)
            .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

/// The GOROOT a `go` binary finds by itself (cmd/go findGOROOT): `exe/../..`, then
/// `exe/../../..`, after resolving symlinks; it must contain `pkg/tool`.
pub fn own_goroot(go: &Path) -> Option<PathBuf> {
    let exe = dunce::canonicalize(go).ok()?;
    let dir = exe.parent()?;
    let candidates = [dir.parent(), dir.parent().and_then(Path::parent)];
    let found = candidates
        .into_iter()
        .flatten()
        .find(|root| root.join("pkg").join("tool").is_dir());
    found.map(Path::to_path_buf)
}

/// Facts about a `go` binary without running it.
pub fn inspect(path: &Path, found_by: GoFoundBy, folder: &Path) -> GoBinary {
    let own = own_goroot(path);
    GoBinary {
        path: path.to_path_buf(),
        found_by,
        static_version: own.as_deref().and_then(super::fs::read_version),
        own_goroot: own.map(|p| p.to_string_lossy().into_owned()),
        executable: is_executable(path),
        workspace_chosen: is_inside(path, folder),
    }
}

pub fn is_inside(path: &Path, folder: &Path) -> bool {
    let canon = |p: &Path| dunce::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    canon(path).starts_with(canon(folder))
}

/// `goX.Y.Z` binaries on PATH (for GOTOOLCHAIN=path), first occurrence wins.
pub fn path_toolchains(dirs: &[PathBuf]) -> BTreeMap<String, PathBuf> {
    Toolchains::default().on_path(dirs)
}

/// The `goX.Y.Z` binaries of each PATH directory, listed once per check: both sides' PATHs
/// usually share their largest directories (`/usr/bin` has thousands of entries), and the two
/// sides read them at the same time (the shell side while its helper's `go` runs): a directory
/// one side is listing is waited for by the other, not listed twice.
#[derive(Default)]
pub struct Toolchains(std::sync::Mutex<std::collections::HashMap<DirKey, Listing>>);

/// One directory's toolchains (name, file name), listed by whichever side asks first.
type Listing = std::sync::Arc<std::sync::OnceLock<Vec<(String, std::ffi::OsString)>>>;

/// A PATH directory as the file system knows it: on merged-/usr systems (Debian, Ubuntu,
/// Fedora, Arch) `/bin` is `/usr/bin`, and the default PATHs name both.
#[derive(PartialEq, Eq, Hash)]
enum DirKey {
    #[cfg(unix)]
    Inode(u64, u64),
    Path(PathBuf),
}

impl DirKey {
    fn of(dir: &Path) -> DirKey {
        #[cfg(unix)]
        if let Ok(meta) = std::fs::metadata(dir) {
            use std::os::unix::fs::MetadataExt;
            return DirKey::Inode(meta.dev(), meta.ino());
        }
        DirKey::Path(dir.to_path_buf())
    }
}

impl Toolchains {
    /// [`path_toolchains`] of `dirs`, with directories listed earlier in this check reused.
    /// Each binary is named under the PATH entry it was found through, as `exec` finds it.
    pub fn on_path(&self, dirs: &[PathBuf]) -> BTreeMap<String, PathBuf> {
        let mut out = BTreeMap::new();
        for dir in dirs {
            let listing = std::sync::Arc::clone(
                self.0
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .entry(DirKey::of(dir))
                    .or_default(),
            );
            for (name, file_name) in listing.get_or_init(|| list_toolchains(dir)) {
                out.entry(name.clone())
                    .or_insert_with(|| dir.join(file_name));
            }
        }
        out
    }
}

fn list_toolchains(dir: &Path) -> Vec<(String, std::ffi::OsString)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let file_name = entry.file_name();
            // Most names are not `go1…`: looked at as bytes, without a String for each.
            if !file_name.as_encoded_bytes().starts_with(b"go1") {
                return None;
            }
            let name = file_name.to_string_lossy();
            let bare = name.strip_suffix(".exe").unwrap_or(&name).to_string();
            (is_toolchain_name(&bare) && is_executable(&entry.path())).then_some((bare, file_name))
        })
        .collect()
}

fn is_toolchain_name(name: &str) -> bool {
    name.strip_prefix("go1").is_some_and(|rest| {
        !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
    })
}

/// A GOROOT as an install, if it has a `bin/go`.
pub fn install_at(root: &Path) -> Option<GoInstall> {
    let go = root.join("bin").join(exe_name("go"));
    go.is_file().then(|| GoInstall {
        goroot: root.to_string_lossy().into_owned(),
        version: super::fs::read_version(root),
        go_binary: go,
        installed_by: None,
    })
}

/// Go SDKs in the places installers put them ([`super::sdks`]), for the environment `env`:
/// each root with how it was installed.
pub fn well_known_installs(env: &BTreeMap<String, String>) -> Vec<(PathBuf, &'static str)> {
    let os = crate::settings::paths::Os::current();
    let dirs = super::sdks::dirs_of(env, default_gomodcache(env));
    super::sdks::inventory(os, &super::sdks::locations(os, &dirs))
        .into_iter()
        .map(|sdk| (sdk.path, sdk.installer.words()))
        .collect()
}

/// `$GOMODCACHE` from the environment alone, before any `go` has run (where GOTOOLCHAIN put
/// downloaded toolchains): GOMODCACHE, else the first GOPATH entry's `pkg/mod`, else
/// `~/go/pkg/mod`. The rules read the resolved value (go env file included) from `goenv`.
pub fn default_gomodcache(env: &BTreeMap<String, String>) -> Option<PathBuf> {
    let set = |k: &str| env.get(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    set("GOMODCACHE")
        .or_else(|| {
            let gopath = env.get("GOPATH").filter(|v| !v.is_empty())?;
            let sep = if cfg!(windows) { ';' } else { ':' };
            gopath
                .split(sep)
                .find(|p| !p.is_empty())
                .map(|p| PathBuf::from(p).join("pkg").join("mod"))
        })
        .or_else(|| {
            set(if cfg!(windows) { "USERPROFILE" } else { "HOME" })
                .map(|h| h.join("go").join("pkg").join("mod"))
        })
        .filter(|p| p.is_absolute())
}

/// What running `go` on one side told us.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GoRun {
    pub env_json: CommandResult<BTreeMap<String, String>>,
    pub version: Option<CommandResult<String>>,
    pub gotoolchain: CommandResult<String>,
}

/// Why no `go env GOTOOLCHAIN` runs: the rules resolve GOTOOLCHAIN from its layers exactly as
/// cmd/go does (non-empty OS env > go env file > `$GOROOT/go.env` > empty), with provenance,
/// which `go env GOTOOLCHAIN` cannot give; `tests/cli/check.rs` checks the two agree against
/// real Go. A second `go` process per side would cost a third of the check's time on two cores.
pub const GOTOOLCHAIN_FROM_LAYERS: &str =
    "resolved from its layers (OS env, go env file, $GOROOT/go.env) as cmd/go does";

/// The variables we ask `go env -json` for. Naming them (as vscode-go does) lets cmd/go skip
/// the costly ones (CGO_CFLAGS…, GOGCCFLAGS) that run the C compiler: half the time of a bare
/// `go env -json`. Unknown names (GOTELEMETRY before 1.23) come back empty.
pub fn env_keys() -> impl Iterator<Item = &'static str> {
    const MORE: &[&str] = &[
        "GOHOSTOS",
        "GOHOSTARCH",
        "GOOS",
        "GOARCH",
        "GOTOOLDIR",
        "GOMOD",
        "GOWORK",
        "GOEXE",
        "GO111MODULE",
        "GOTMPDIR",
        "GOTELEMETRY",
        "CGO_ENABLED",
        // Cheap to compute (no C compiler run), compared between the sides (`env-mismatch`).
        "CC",
        "CXX",
        "AR",
        "GOEXPERIMENT",
        "GOAMD64",
        "GOARM64",
        "GOARM",
        "GO386",
        "GOFIPS140",
        "GOAUTH",
        "GOVCS",
    ];
    crate::goenv::resolve::KEYS.iter().chain(MORE).copied()
}

/// Run the probes for one side in parallel. `env` is the exact environment of that side.
/// `env_file` is the side's go env file as facts read it: GOFLAGS set there also needs
/// `go version` to surface its errors. When `runs` already has (or is running) a probe with
/// the same inputs, its result is reused instead of starting `go` again.
pub fn probe(
    runs: &Runs,
    go: &Path,
    env: &BTreeMap<String, String>,
    cwd: &Path,
    env_file: Option<&EnvFile>,
) -> GoRun {
    let wants_version = wants_version(env, env_file);
    let key = RunKey::of(go, env, cwd, wants_version);
    let digest = (runs.persist || !runs.seeded.is_empty()).then(|| {
        let mut roots: Vec<PathBuf> = own_goroot(go).into_iter().collect();
        roots.extend(
            env_file
                .and_then(|f| f.get("GOROOT"))
                .map(|e| PathBuf::from(&e.value))
                .into_iter()
                .chain(env.get("GOROOT").map(PathBuf::from))
                .filter(|r| r.is_absolute()),
        );
        let mut files: Vec<PathBuf> = roots.iter().map(|r| r.join("go.env")).collect();
        files.extend(env_file.map(|f| f.path.clone()));
        key.digest(&files)
    });
    if let Some(run) = digest.as_ref().and_then(|d| runs.seeded.get(d)) {
        tracing::debug!(go = %go.display(), "reusing a persisted go probe with the same inputs");
        return super::probe_cache::decode_run(run, env);
    }
    if let Some(run) = runs.predicted(&key, go, env, cwd, env_file) {
        return run;
    }
    let run = runs.get_or_run(key.clone(), || {
        let run = || run_probe(go, env, cwd, wants_version, &runs.cancel, GO_TIMEOUT);
        let predicted = || {
            let binary = inspect(go, GoFoundBy::Path, cwd);
            super::go_predict::predict(&binary, env, cwd, env_file).is_some()
        };
        if runs.yielding && predicted() {
            if let Some(done) = process::yielding(run) {
                return done;
            }
        }
        run()
    });
    if let (true, Some(digest)) = (runs.persist, digest) {
        // Runs a cancellation or a timeout cut short say nothing about `go`: never persisted.
        let complete = |r: &CommandResult<BTreeMap<String, String>>| {
            !matches!(
                r,
                CommandResult::TimedOut { .. } | CommandResult::NotRun { .. }
            )
        };
        if complete(&run.env_json) && !runs.cancel.is_cancelled() {
            let env: BTreeMap<String, String> = key.env.iter().cloned().collect();
            runs.recorded
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((digest, run.clone(), env));
        }
    }
    run
}

/// The identity of a probe's inputs (the binary, the directory, the variables cmd/go reads),
/// the same in every process: what the login shell's helper compares with the runs the check
/// makes anyway ([`super::early_go::Ask::skip`]).
pub fn run_digest(
    go: &Path,
    env: &BTreeMap<String, String>,
    cwd: &Path,
    wants_version: bool,
) -> String {
    RunKey::of(go, env, cwd, wants_version).digest(&[])
}

/// Whether a side's probe also runs `go version`: only GOFLAGS (from the environment or the
/// env file) makes it say something `go env` does not.
pub fn wants_version(env: &BTreeMap<String, String>, env_file: Option<&EnvFile>) -> bool {
    let in_env_file = env_file
        .and_then(|f| f.get("GOFLAGS"))
        .is_some_and(|e| !e.value.trim().is_empty());
    env.get("GOFLAGS").is_some_and(|v| !v.trim().is_empty()) || in_env_file
}

/// What a side's probe runs: `go env -json` for [`env_keys`] (and `go version` when asked),
/// with `GOTOOLCHAIN=local`. The login shell's helper runs exactly this too
/// ([`super::early_go`]).
pub(crate) fn run_probe(
    go: &Path,
    env: &BTreeMap<String, String>,
    cwd: &Path,
    wants_version: bool,
    cancel: &process::Cancel,
    timeout: Duration,
) -> GoRun {
    let mut local = env.clone();
    local.insert("GOTOOLCHAIN".into(), "local".into());
    std::thread::scope(|s| {
        let ver = wants_version.then(|| {
            s.spawn(|| process::run_cancellable(go, &["version"], &local, cwd, timeout, cancel))
        });
        let mut args = vec!["env", "-json"];
        args.extend(env_keys());
        let json = process::run_cancellable(go, &args, &local, cwd, timeout, cancel);
        let env_json = parse_env_json(json);
        let version = ver.map(|h| {
            h.join()
                .unwrap_or_else(|_| not_run("go version thread panicked"))
        });
        GoRun {
            env_json,
            version,
            gotoolchain: not_run(GOTOOLCHAIN_FROM_LAYERS),
        }
    })
}

/// Everything `go env -json` (for [`env_keys`]) and `go version` can depend on besides files
/// both sides read alike (the env file, `$GOROOT/go.env`, go.mod): the binary, the working
/// directory and the variables cmd/go consults. Two sides with equal keys get equal answers,
/// so the second one reuses the first one's run — the common healthy case, where the editor
/// and the shell run the same `go` with the same Go settings.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RunKey {
    go: PathBuf,
    /// (inode, size, mtime) of the binary: a `go` replaced in place is a different `go`.
    stamp: Option<(u64, u64, std::time::SystemTime)>,
    /// The working directory as cmd/go's `os.Getwd` reports it (GOMOD, GOWORK are built on it).
    wd: PathBuf,
    env: Vec<(String, String)>,
    /// The C compilers PATH offers when CC is unset: CGO_ENABLED defaults to 0 without one.
    cc_on_path: Vec<bool>,
    version: bool,
}

impl RunKey {
    /// The key with the identity of the files `go` reads besides its environment (the env
    /// file, `$GOROOT/go.env`), as one hex digest: what the persistent cache files runs by.
    fn digest(&self, files: &[PathBuf]) -> String {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(format!("{self:?}").as_bytes());
        for f in files {
            h.update(format!("{:?}", super::probe_cache::stamp(f)).as_bytes());
        }
        super::probe_cache::hex(&h.finalize())
    }

    fn of(go: &Path, env: &BTreeMap<String, String>, cwd: &Path, version: bool) -> RunKey {
        // Locations of the env file, the cache, GOPATH and the telemetry config come from
        // these; the `GO*`/`CGO_*` families are cmd/go's own settings.
        const READ_BY_GO: &[&str] = &[
            "HOME",
            "XDG_CONFIG_HOME",
            "XDG_CACHE_HOME",
            "APPDATA",
            "LOCALAPPDATA",
            "USERPROFILE",
            "home",
            "CC",
            "CXX",
            "AR",
            "FC",
            "PKG_CONFIG",
            "GCCGO",
        ];
        let path_var = env.get("PATH").map(String::as_str).unwrap_or("");
        let env_pwd = env.get("PWD").map(String::as_str);
        let env: Vec<(String, String)> = env
            .iter()
            .filter(|(k, _)| {
                k.starts_with("GO") || k.starts_with("CGO_") || READ_BY_GO.contains(&k.as_str())
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let cc_on_path = if env.iter().any(|(k, _)| k == "CC" || k == "CGO_ENABLED") {
            Vec::new()
        } else {
            let dirs = split_path(path_var);
            ["gcc", "clang"]
                .iter()
                .map(|c| which(c, &dirs).is_some())
                .collect()
        };
        #[cfg(unix)]
        let stamp = std::fs::metadata(go).ok().and_then(|m| {
            use std::os::unix::fs::MetadataExt;
            Some((m.ino(), m.len(), m.modified().ok()?))
        });
        #[cfg(not(unix))]
        let stamp = std::fs::metadata(go)
            .ok()
            .and_then(|m| Some((0, m.len(), m.modified().ok()?)));
        RunKey {
            go: std::fs::canonicalize(go).unwrap_or_else(|_| go.to_path_buf()),
            stamp,
            wd: go_getwd(env_pwd, cwd),
            env,
            cc_on_path,
            version,
        }
    }
}

/// What Go's `os.Getwd` returns in `cwd` with `$PWD` = `pwd`: `$PWD` when it is absolute and
/// names the same directory (a symlinked spelling survives), else the real path. A shell sets
/// PWD, an editor often does not; both come out the same when the folder has no symlink.
fn go_getwd(pwd: Option<&str>, cwd: &Path) -> PathBuf {
    #[cfg(unix)]
    if let Some(pwd) = pwd.map(Path::new).filter(|p| p.is_absolute()) {
        use std::os::unix::fs::MetadataExt;
        let same = match (std::fs::metadata(pwd), std::fs::metadata(cwd)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        };
        if same {
            return pwd.to_path_buf();
        }
    }
    #[cfg(not(unix))]
    let _ = pwd;
    std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf())
}

/// The `go` probes of one check, by their inputs: single-flight, so a side whose inputs equal a
/// running probe's waits for it instead of starting `go` again.
#[derive(Default)]
pub struct Runs {
    /// Shared with the [`Runs::ahead`] of these runs.
    slots: std::sync::Arc<std::sync::Mutex<Slots>>,
    /// Shared with the [`Runs::ahead`] of these runs, as the two that follow.
    started: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    cancel: process::Cancel,
    /// Runs of an earlier process, by the digest of their inputs (the persistent cache).
    seeded: std::collections::HashMap<String, GoRun>,
    /// Record the runs made, for the persistent cache.
    persist: bool,
    /// (digest, run, the environment variables it depended on) of each run made.
    recorded: std::sync::Arc<std::sync::Mutex<Vec<RecordedRun>>>,
    /// [`well_known_installs`] by environment: an editor view is derived twice in a check
    /// (before the login shell is back, to start its `go`, and after), looking in the same
    /// places both times.
    installs: std::sync::Arc<std::sync::Mutex<Vec<WellKnown>>>,
    /// Set in [`Runs::ahead`]: the predictions given for runs still going, to be confirmed.
    ahead: Option<std::sync::Mutex<Vec<(RunKey, GoRun)>>>,
    /// [`Runs::yielding_if_predicted`].
    yielding: bool,
}

type WellKnown = (BTreeMap<String, String>, Vec<(PathBuf, &'static str)>);

/// Each run by its inputs.
type Slots = Vec<(RunKey, std::sync::Arc<Slot>)>;

/// A `go` run for the persistent cache: its inputs' digest, what it said, and the variables
/// of its environment it depended on (to tell a secret that came from them).
pub type RecordedRun = (String, GoRun, BTreeMap<String, String>);

#[derive(Default)]
struct Slot {
    run: std::sync::Mutex<Option<GoRun>>,
    done: std::sync::Condvar,
}

impl Slot {
    /// The run's answer, once there is one.
    fn wait(&self) -> GoRun {
        let mut guard = self.run.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(r) = guard.as_ref() {
                return r.clone();
            }
            guard = self.done.wait(guard).unwrap_or_else(|e| e.into_inner());
        }
    }
}

impl Runs {
    /// Probes whose `go` is killed when `cancel` is set.
    pub fn with_cancel(cancel: process::Cancel) -> Runs {
        Runs {
            cancel,
            ..Runs::default()
        }
    }

    /// Probes that reuse `seeded` runs (by their inputs' digest) and, with `persist`, record
    /// the runs they make.
    pub fn seeded(cancel: process::Cancel, seeded: Vec<(String, GoRun)>, persist: bool) -> Runs {
        Runs {
            cancel,
            seeded: seeded.into_iter().collect(),
            persist,
            ..Runs::default()
        }
    }

    /// The same runs, for work whose `go` runs a check goes on without ([`Runs::ahead`]
    /// predicts them): a run whose answer can be predicted is started at a lower priority (it
    /// only confirms the prediction).
    pub fn yielding_if_predicted(&self) -> Runs {
        Runs {
            yielding: true,
            ..self.shared()
        }
    }

    /// The same runs, for a check that goes on before they end: a probe whose run is still
    /// going gets what `go` will most likely answer ([`super::go_predict`]) instead of
    /// waiting, when that can be told; [`Runs::confirm_ahead`] then says whether every answer
    /// given was right. Runs not started yet are made as usual.
    pub fn ahead(&self) -> Runs {
        Runs {
            ahead: Some(std::sync::Mutex::default()),
            ..self.shared()
        }
    }

    /// Another handle on these runs: the same slots, counts, records and installs.
    fn shared(&self) -> Runs {
        Runs {
            slots: std::sync::Arc::clone(&self.slots),
            started: std::sync::Arc::clone(&self.started),
            recorded: std::sync::Arc::clone(&self.recorded),
            installs: std::sync::Arc::clone(&self.installs),
            persist: self.persist,
            cancel: self.cancel.clone(),
            seeded: self.seeded.clone(),
            ahead: None,
            yielding: false,
        }
    }

    /// Whether each prediction [`Runs::ahead`] gave is what its `go` answered (waiting for
    /// the runs still going). Plain runs: `true`.
    pub fn confirm_ahead(&self) -> bool {
        let Some(given) = &self.ahead else {
            return true;
        };
        let given = std::mem::take(&mut *given.lock().unwrap_or_else(|e| e.into_inner()));
        given.iter().all(|(key, predicted)| {
            self.slot(key)
                .is_some_and(|slot| super::go_predict::same_answer(predicted, &slot.wait()))
        })
    }

    /// The run with these inputs, done or going.
    fn slot(&self, key: &RunKey) -> Option<std::sync::Arc<Slot>> {
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, slot)| slot.clone())
    }

    /// Ahead of a run with these inputs that is still going: what it will most likely say.
    fn predicted(
        &self,
        key: &RunKey,
        go: &Path,
        env: &BTreeMap<String, String>,
        cwd: &Path,
        env_file: Option<&EnvFile>,
    ) -> Option<GoRun> {
        let given = self.ahead.as_ref()?;
        let going = self
            .slot(key)
            .is_some_and(|slot| slot.run.lock().is_ok_and(|r| r.is_none()));
        if !going {
            return None;
        }
        let binary = inspect(go, GoFoundBy::Path, cwd);
        let run = super::go_predict::predict(&binary, env, cwd, env_file)?;
        tracing::debug!(go = %go.display(), "going on with what a running go will most likely answer");
        given
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((key.clone(), run.clone()));
        Some(run)
    }

    /// [`well_known_installs`] of `env`, looked for once per check.
    pub fn well_known_installs(
        &self,
        env: &BTreeMap<String, String>,
    ) -> Vec<(PathBuf, &'static str)> {
        let known = self
            .installs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .find(|(e, _)| e == env)
            .map(|(_, found)| found.clone());
        known.unwrap_or_else(|| {
            let found = well_known_installs(env);
            self.installs
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((env.clone(), found.clone()));
            found
        })
    }

    /// The runs made so far that the persistent cache may keep.
    pub fn recorded(&self) -> Vec<RecordedRun> {
        self.recorded
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// How many probes actually ran `go`.
    pub fn started(&self) -> usize {
        self.started.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// A run of `go` made elsewhere with these inputs (the login shell's helper): a probe with
    /// the same inputs takes it instead of starting `go`. Ignored when one already ran.
    pub fn offer(
        &self,
        go: &Path,
        env: &BTreeMap<String, String>,
        cwd: &Path,
        wants_version: bool,
        run: GoRun,
    ) {
        let key = RunKey::of(go, env, cwd, wants_version);
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if slots.iter().any(|(k, _)| *k == key) {
            return;
        }
        let slot = Slot {
            run: std::sync::Mutex::new(Some(run)),
            done: std::sync::Condvar::new(),
        };
        slots.push((key, std::sync::Arc::new(slot)));
    }

    fn get_or_run(&self, key: RunKey, run: impl FnOnce() -> GoRun) -> GoRun {
        let (slot, mine) = {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            match slots.iter().find(|(k, _)| *k == key) {
                Some((_, slot)) => (slot.clone(), false),
                None => {
                    let slot = std::sync::Arc::new(Slot::default());
                    slots.push((key, slot.clone()));
                    (slot, true)
                }
            }
        };
        if mine {
            self.started
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            // Waiters must wake up even if the probe panics.
            struct Fill<'a>(&'a Slot, Option<GoRun>);
            impl Drop for Fill<'_> {
                fn drop(&mut self) {
                    let run = self.1.take().unwrap_or_else(|| GoRun {
                        env_json: not_run("the go probe panicked"),
                        version: None,
                        gotoolchain: not_run(GOTOOLCHAIN_FROM_LAYERS),
                    });
                    *self.0.run.lock().unwrap_or_else(|e| e.into_inner()) = Some(run);
                    self.0.done.notify_all();
                }
            }
            let mut fill = Fill(&slot, None);
            let result = run();
            fill.1 = Some(result.clone());
            return result;
        }
        tracing::debug!("reusing a go probe with the same inputs");
        slot.wait()
    }
}

fn not_run<T>(reason: &str) -> CommandResult<T> {
    CommandResult::NotRun {
        reason: reason.into(),
    }
}

/// Turns `go env -json` output into a map (non-string values as their JSON text). Public only
/// so the fuzz targets and property tests can feed it arbitrary output.
#[doc(hidden)]
pub fn parse_env_json(r: CommandResult<String>) -> CommandResult<BTreeMap<String, String>> {
    match r {
        CommandResult::Ok { value, millis } => {
            match serde_json::from_str::<BTreeMap<String, serde_json::Value>>(&value) {
                Ok(map) => CommandResult::Ok {
                    value: map
                        .into_iter()
                        .map(|(k, v)| {
                            let s = match v {
                                serde_json::Value::String(s) => s,
                                other => other.to_string(),
                            };
                            (k, s)
                        })
                        .collect(),
                    millis,
                },
                Err(e) => CommandResult::Failed {
                    exit_code: Some(0),
                    stderr: format!("`go env -json` printed something that is not JSON ({e})"),
                    millis,
                },
            }
        }
        CommandResult::Failed {
            exit_code,
            stderr,
            millis,
        } => CommandResult::Failed {
            exit_code,
            stderr,
            millis,
        },
        CommandResult::TimedOut { after_millis } => CommandResult::TimedOut { after_millis },
        CommandResult::NotRun { reason } => CommandResult::NotRun { reason },
    }
}

/// `go version go1.22.10 linux/amd64` → `go1.22.10`.
pub fn version_from_output(out: &str) -> Option<String> {
    out.split_whitespace()
        .nth(2)
        .filter(|v| v.starts_with("go"))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toolchain_names() {
        assert!(is_toolchain_name("go1.22.10"));
        assert!(is_toolchain_name("go1.23rc1"));
        assert!(!is_toolchain_name("go"));
        assert!(!is_toolchain_name("gofmt"));
        assert!(!is_toolchain_name("go1.2-x"));
    }

    /// `/bin` → `/usr/bin` on merged-/usr systems: the directory is listed once, and each
    /// toolchain is named under the PATH entry that comes first, as `exec` finds it.
    #[test]
    #[cfg(unix)]
    fn a_directory_on_path_under_two_names_is_listed_once_and_named_as_found() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().expect("temp dir");
        let real = tmp.path().join("usr-bin");
        let alias = tmp.path().join("bin");
        std::fs::create_dir(&real).expect("dir");
        std::os::unix::fs::symlink(&real, &alias).expect("symlink");
        let go = real.join("go1.22.0");
        std::fs::write(&go, "#!/bin/sh\n").expect("write");
        std::fs::set_permissions(&go, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        std::fs::write(real.join("gofmt"), "").expect("write");

        let toolchains = Toolchains::default();
        let found = toolchains.on_path(&[alias.clone(), real.clone()]);
        assert_eq!(
            found.into_iter().collect::<Vec<_>>(),
            vec![("go1.22.0".to_string(), alias.join("go1.22.0"))]
        );
        // Listed already (under the other name): a new binary is not seen, the PATH order is.
        std::fs::write(real.join("go1.23.0"), "").expect("write");
        std::fs::set_permissions(
            real.join("go1.23.0"),
            std::fs::Permissions::from_mode(0o755),
        )
        .expect("chmod");
        let found = toolchains.on_path(&[real.clone(), alias.clone()]);
        assert_eq!(
            found.into_iter().collect::<Vec<_>>(),
            vec![("go1.22.0".to_string(), real.join("go1.22.0"))]
        );
        assert_eq!(toolchains.0.lock().map(|m| m.len()).unwrap_or(0), 1);
    }

    #[test]
    fn garbage_from_go_env_is_a_failure_not_a_panic() {
        let r = parse_env_json(CommandResult::Ok {
            value: "{\"GOROOT\": ".into(),
            millis: 1,
        });
        assert!(matches!(r, CommandResult::Failed { .. }));
    }

    #[test]
    fn version_line() {
        assert_eq!(
            version_from_output("go version go1.22.10 linux/amd64\n").as_deref(),
            Some("go1.22.10")
        );
        assert_eq!(version_from_output("garbage"), None);
    }
}
