//! What a side's `go env -json` ([`super::go::run_probe`]) will answer, worked out before
//! `go` has answered — for the common case only, and never trusted on its own.
//!
//! Why: on a first start the login shell's `go` is the last process a check waits for, and
//! everything after its answer (the editor views, the tools, the rules with every fix
//! simulated) used to wait with it. When this model can say what `go` will print, a check
//! runs all of that while `go` still runs, and keeps the result only if `go`'s real answer is
//! exactly the predicted one ([`same_answer`]); otherwise it starts over from the real answer,
//! so a wrong prediction costs time, never a wrong diagnostic.
//!
//! The model follows cmd/go's reading of its settings (a non-empty OS variable, else the user
//! go env file, else `$GOROOT/go.env`, else the built-in default) and declines — `None` — for
//! anything it does not model: GOFLAGS, GOOS or a compiler chosen anywhere, a GOENV, a
//! telemetry mode file, a go.mod in the system temp root or a GOPATH root, another host than
//! linux/amd64, a Go older than 1.21, a binary whose version is not its GOROOT's.
//! `tests/cli/go_predict.rs` compares it with real `go`.

use super::go::{GoRun, GOTOOLCHAIN_FROM_LAYERS};
use crate::goenv::resolve::{default_gocache, go_clean, is_go_var};
use crate::model::{CommandResult, EnvFile, GoBinary};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Settings whose value `go env` prints as it reads it (OS env, env file, `$GOROOT/go.env`):
/// the rest of the `GO*`/`CGO_*` family changes answers this model does not follow.
const AS_READ: &[&str] = &[
    "GOPROXY",
    "GOSUMDB",
    "GOPRIVATE",
    "GONOPROXY",
    "GONOSUMDB",
    "GOINSECURE",
    "GOVCS",
    "GOPATH",
    "GOMODCACHE",
    "GOCACHE",
    "GOBIN",
];

/// Variables of the `GO` family that only the Go runtime reads (each `go` process's own
/// behaviour), or that the probe sets itself (GOTOOLCHAIN=local): no effect on the answer.
const NOT_READ_BY_GO_ENV: &[&str] = &[
    "GOGC",
    "GOMAXPROCS",
    "GOMEMLIMIT",
    "GOTRACEBACK",
    "GODEBUG",
    "GOTOOLCHAIN",
];

/// For tests only: `KEY=VALUE` in this variable of the process that predicts makes every
/// prediction say VALUE for KEY — a model that is wrong, on demand, so that the correction of
/// a wrong prediction can be tested end to end with real shells and real `go` (the model is
/// right on every setup the tests can build).
pub const MISPREDICT_FOR_TESTS: &str = "GO_ENV_DOCTOR_TEST_MISPREDICT";

/// The answer [`super::go::run_probe`] will get from `binary` run with `env` in `cwd`, its
/// user env file being `env_file` (as facts read it); `None` where this model cannot say.
pub fn predict(
    binary: &GoBinary,
    env: &BTreeMap<String, String>,
    cwd: &Path,
    env_file: Option<&EnvFile>,
) -> Option<GoRun> {
    if !(cfg!(target_os = "linux") && cfg!(target_arch = "x86_64")) {
        return None;
    }
    let (version, minor) = own_version(binary)?;
    if env_file.is_some_and(|f| f.error.is_some()) {
        return None;
    }
    let env_file = env_file.filter(|f| f.exists);
    let (goroot, shown_goroot) = chosen_goroot(binary, env, env_file)?;
    let goroot_env = super::read_env_file(&Path::new(&goroot).join("go.env"));
    if goroot_env.error.is_some() || goroot_env.get("GOROOT").is_some() {
        return None;
    }
    let layers = Layers {
        env,
        env_file,
        goroot_env: &goroot_env,
    };
    if layers.set_beyond_the_model() {
        return None;
    }
    let (home, config_dir) = user_dirs(env)?;

    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let mut put = |k: &str, v: String| {
        out.insert(k.to_string(), v);
    };
    let none = String::new;
    for k in [
        "GOPROXY",
        "GOSUMDB",
        "GOPRIVATE",
        "GOINSECURE",
        "GOVCS",
        "GOBIN",
    ] {
        put(k, layers.read(k, &none));
    }
    let private = layers.read("GOPRIVATE", &none);
    for k in ["GONOPROXY", "GONOSUMDB"] {
        put(k, layers.read(k, &|| private.clone()));
    }
    let gopath = layers.read("GOPATH", &|| {
        let p = go_clean(&format!("{home}/go"));
        if go_clean(&goroot) == p {
            String::new()
        } else {
            p
        }
    });
    let modcache = layers.read(
        "GOMODCACHE",
        &|| match gopath.split(':').next().unwrap_or_default() {
            "" => String::new(),
            first => go_clean(&format!("{first}/pkg/mod")),
        },
    );
    let lookup = |k: &str| env.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let default_cache = default_gocache("linux", &lookup).filter(|c| !c.is_empty())?;
    let gocache = layers.read("GOCACHE", &|| default_cache.clone());
    // cmd/go refuses a relative one (`go env` then says `off` for GOCACHE): not modelled.
    // GOCACHE=off itself is shown as it is.
    let absolute = |v: &str| v.is_empty() || v.split(':').all(|p| p.starts_with('/'));
    if ![&gopath, &modcache].iter().all(|v| absolute(v))
        || !(gocache == "off" || absolute(&gocache))
    {
        return None;
    }
    let (gomod, gowork) = module_files(env, cwd, &goroot, &gopath)?;
    put("GOMOD", gomod);
    put("GOWORK", gowork);
    put("GOPATH", gopath);
    put("GOMODCACHE", modcache);
    put("GOCACHE", gocache);
    put("GOENV", format!("{config_dir}/go/env"));
    put(
        "GOTOOLDIR",
        format!("{}/pkg/tool/linux_amd64", goroot.trim_end_matches('/')),
    );
    put("GOROOT", shown_goroot);
    put("GOVERSION", version);
    put("GOTOOLCHAIN", "local".into());
    put("CGO_ENABLED", cgo_enabled(env)?.into());
    for (k, v) in [
        ("GOHOSTOS", "linux"),
        ("GOOS", "linux"),
        ("GOHOSTARCH", "amd64"),
        ("GOARCH", "amd64"),
        ("GOAMD64", "v1"),
        ("CC", "gcc"),
        ("CXX", "g++"),
        ("AR", "ar"),
    ] {
        put(k, v.into());
    }
    for k in [
        "GOFLAGS",
        "GOEXE",
        "GO111MODULE",
        "GOTMPDIR",
        "GOEXPERIMENT",
        "GOARM64",
        "GOARM",
        "GO386",
    ] {
        put(k, String::new());
    }
    // Settings that came with later releases; `go env` prints unknown names empty.
    let since = |m: u32, v: &str| {
        if minor >= m {
            v.to_string()
        } else {
            String::new()
        }
    };
    put("GOFIPS140", since(24, "off"));
    put("GOAUTH", since(24, "netrc"));
    // `go telemetry on|off` writes the mode there; without it the mode is "local".
    if minor >= 23 && Path::new(&config_dir).join("go/telemetry/mode").exists() {
        return None;
    }
    put("GOTELEMETRY", since(23, "local"));

    if let Some((k, v)) = std::env::var(MISPREDICT_FOR_TESTS).ok().and_then(|kv| {
        kv.split_once('=')
            .map(|(k, v)| (k.to_string(), v.to_string()))
    }) {
        out.insert(k, v);
    }
    Some(GoRun {
        env_json: CommandResult::Ok {
            value: out,
            millis: 0,
        },
        version: None,
        gotoolchain: CommandResult::NotRun {
            reason: GOTOOLCHAIN_FROM_LAYERS.into(),
        },
    })
}

/// The binary's version (`go1.22.10`) and minor release (22), from its build information:
/// what `go env GOVERSION` prints. `None` for a binary not built for linux/amd64, older than
/// Go 1.21, or whose GOROOT's VERSION file says otherwise — a skew the rules report, not
/// something to guess around.
fn own_version(binary: &GoBinary) -> Option<(String, u32)> {
    let build = super::tools::read(&binary.path).ok()?;
    let version = build.go_version;
    let native = build.goarch.as_deref() == Some("amd64")
        && build.goos.as_deref().is_none_or(|os| os == "linux");
    if !native || binary.static_version.as_deref() != Some(version.as_str()) {
        return None;
    }
    let minor = go_minor(&version)?;
    (minor >= 21 && !version.contains(char::is_whitespace)).then_some((version, minor))
}

/// cmd/go's findGOROOT: a GOROOT set in the environment (vscode-go sets it for `go.goroot`;
/// `go env` shows it as it is set) or in the env file (cleaned), else the binary's own root.
/// The directory and what `go env` prints.
fn chosen_goroot(
    binary: &GoBinary,
    env: &BTreeMap<String, String>,
    env_file: Option<&EnvFile>,
) -> Option<(String, String)> {
    let from_env = env.get("GOROOT").filter(|v| !v.is_empty()).cloned();
    let from_file = env_file
        .and_then(|f| f.get("GOROOT"))
        .map(|e| e.value.clone())
        .filter(|v| !v.is_empty())
        .map(|v| go_clean(&v));
    match from_env.or(from_file) {
        Some(r) if r.starts_with('/') && Path::new(&r).join("pkg/tool").is_dir() => {
            Some((go_clean(&r), r))
        }
        Some(_) => None,
        None => {
            let own = binary.own_goroot.clone()?;
            Some((own.clone(), own))
        }
    }
}

/// Where cmd/go reads its settings from, highest first.
struct Layers<'a> {
    env: &'a BTreeMap<String, String>,
    env_file: Option<&'a EnvFile>,
    goroot_env: &'a EnvFile,
}

impl Layers<'_> {
    /// cmd/go's Getenv: a non-empty OS variable, else the user file's last line for the key,
    /// else `$GOROOT/go.env`'s first (a key read once is never read again there). An empty
    /// value found that way still hides the layers below it, but counts as unset: `default`
    /// applies ([`crate::goenv::resolve`] models the same layers).
    fn read(&self, k: &str, default: &dyn Fn() -> String) -> String {
        let layered = match self.env.get(k).filter(|v| !v.is_empty()) {
            Some(v) => Some(v.clone()),
            None => match self.env_file.and_then(|f| f.get(k)) {
                Some(e) => Some(e.value.clone()),
                None => self
                    .goroot_env
                    .entries
                    .iter()
                    .find(|e| e.key == k)
                    .map(|e| e.value.clone()),
            },
        };
        layered.filter(|v| !v.is_empty()).unwrap_or_else(default)
    }

    /// Whether a variable or file line sets something this model does not follow. Names
    /// cmd/go does not know (GOOGLE_APPLICATION_CREDENTIALS, our own GO_ENV_DOCTOR_*) change
    /// nothing.
    fn set_beyond_the_model(&self) -> bool {
        let declined = |k: &str| {
            let modelled = AS_READ.contains(&k) || NOT_READ_BY_GO_ENV.contains(&k) || k == "GOROOT";
            is_go_var(k) && !modelled
        };
        let in_env = self.env.iter().any(|(k, v)| !v.is_empty() && declined(k));
        let files = self
            .env_file
            .into_iter()
            .chain(std::iter::once(self.goroot_env));
        let in_files = files.flat_map(|f| &f.entries).any(|e| declined(&e.key));
        in_env || in_files
    }
}

/// HOME and the user configuration directory (`os.UserConfigDir`); `None` without an
/// absolute HOME, or with a relative XDG directory (Go releases treat those differently).
fn user_dirs(env: &BTreeMap<String, String>) -> Option<(String, String)> {
    let home = env.get("HOME").filter(|h| h.starts_with('/'))?;
    let config_dir = match env.get("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        Some(x) if x.starts_with('/') => x.clone(),
        Some(_) => return None,
        None => format!("{}/.config", home.trim_end_matches('/')),
    };
    let relative_cache = env
        .get("XDG_CACHE_HOME")
        .is_some_and(|x| !x.is_empty() && !x.starts_with('/'));
    (!relative_cache).then(|| (home.clone(), config_dir))
}

/// Go 1.20+: cgo is off by default when the default C compiler is not on PATH. `None` for a
/// PATH with relative entries (looked up from where `go` runs).
fn cgo_enabled(env: &BTreeMap<String, String>) -> Option<&'static str> {
    let path = env.get("PATH").map(String::as_str).unwrap_or_default();
    if path.split(':').any(|d| !d.starts_with('/')) {
        return None;
    }
    let found = path
        .split(':')
        .any(|d| super::go::is_executable(&Path::new(d).join("gcc")));
    Some(if found { "1" } else { "0" })
}

/// GOMOD and GOWORK as cmd/go finds them from its working directory. `None` inside GOROOT
/// (cmd/go does not look for go.work past it) and where cmd/go ignores the go.mod it finds:
/// in the system temp root (`go` sees TMPDIR from `env`) or a GOPATH root.
fn module_files(
    env: &BTreeMap<String, String>,
    cwd: &Path,
    goroot: &str,
    gopath: &str,
) -> Option<(String, String)> {
    let wd = working_directory(env, cwd)?;
    if wd.starts_with(goroot) {
        return None;
    }
    let gomod = match find_upward(&wd, "go.mod") {
        Some(m) => {
            let dir = m.parent()?;
            let temp = env.get("TMPDIR").filter(|t| !t.is_empty());
            let temp_root = temp.is_some_and(|t| Path::new(&go_clean(t)) == dir);
            let gopath_root = gopath.split(':').any(|g| Path::new(g) == dir);
            if temp_root || dir == Path::new("/tmp") || gopath_root {
                return None;
            }
            m.to_string_lossy().into_owned()
        }
        None => "/dev/null".into(),
    };
    let gowork = find_upward(&wd, "go.work").map(|w| w.to_string_lossy().into_owned());
    Some((gomod, gowork.unwrap_or_default()))
}

/// Whether `real` is the answer `predicted` said, up to how long `go` took.
pub fn same_answer(predicted: &GoRun, real: &GoRun) -> bool {
    let values = |r: &GoRun| match &r.env_json {
        CommandResult::Ok { value, .. } => Some(value.clone()),
        _ => None,
    };
    values(predicted).is_some()
        && values(predicted) == values(real)
        && predicted.version == real.version
        && predicted.gotoolchain == real.gotoolchain
}

/// `go1.22.10` → 22.
fn go_minor(version: &str) -> Option<u32> {
    let rest = version.strip_prefix("go1.")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// cmd/go's working directory as `os.Getwd` reports it: `$PWD` when it names the same
/// directory, else the directory with its symbolic links resolved.
#[cfg(unix)]
fn working_directory(env: &BTreeMap<String, String>, cwd: &Path) -> Option<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let here = std::fs::metadata(cwd).ok()?;
    if let Some(pwd) = env.get("PWD").filter(|p| p.starts_with('/')) {
        if let Ok(m) = std::fs::metadata(pwd) {
            if m.dev() == here.dev() && m.ino() == here.ino() {
                return Some(PathBuf::from(go_clean(pwd)));
            }
        }
    }
    std::fs::canonicalize(cwd).ok()
}

/// Not modelled elsewhere ([`predict`] declines first).
#[cfg(not(unix))]
fn working_directory(_: &BTreeMap<String, String>, _: &Path) -> Option<PathBuf> {
    None
}

/// The first `name` that is a file (not a directory), from `dir` up to the root.
fn find_upward(dir: &Path, name: &str) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join(name))
        .find(|f| std::fs::metadata(f).is_ok_and(|m| !m.is_dir()))
}
