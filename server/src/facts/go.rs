//! Finding `go` binaries and asking them about their environment.
//!
//! Probing is careful (SPEC §3): `go env -json` runs with `GOTOOLCHAIN=local` (toolchain
//! switching downloads and executes code), the user's own GOTOOLCHAIN is resolved from its
//! layers (see [`GOTOOLCHAIN_FROM_LAYERS`]), and `go version` runs only when GOFLAGS is set,
//! because its only extra information is the GOFLAGS error that `go env` hides.

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
    let mut out = BTreeMap::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let bare = name.strip_suffix(".exe").unwrap_or(&name);
            if is_toolchain_name(bare) && is_executable(&entry.path()) {
                out.entry(bare.to_string()).or_insert_with(|| entry.path());
            }
        }
    }
    out
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
    })
}

/// Go SDKs in the places people keep them: `~/sdk/*` (golang.org/dl), `~/go/pkg/mod/golang.org/
/// toolchain@*` (downloaded toolchains), `/usr/local/go`, `/usr/lib/go-*`.
pub fn well_known_installs(home: Option<&Path>) -> Vec<PathBuf> {
    let mut roots = Vec::new();
    let mut scan = |dir: PathBuf, prefix: &str| {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            let mut found: Vec<PathBuf> = entries
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
                .map(|e| e.path())
                .collect();
            found.sort();
            roots.extend(found);
        }
    };
    if let Some(home) = home {
        scan(home.join("sdk"), "go");
        scan(home.join("go/pkg/mod/golang.org"), "toolchain@");
    }
    scan(PathBuf::from("/usr/lib"), "go-");
    roots.push(PathBuf::from("/usr/local/go"));
    roots
}

/// What running `go` on one side told us.
pub struct GoRun {
    pub env_json: CommandResult<BTreeMap<String, String>>,
    pub version: Option<CommandResult<String>>,
    pub gotoolchain: CommandResult<String>,
}

/// Why no `go env GOTOOLCHAIN` runs: the rules resolve GOTOOLCHAIN from its layers exactly as
/// cmd/go does (non-empty OS env > go env file > `$GOROOT/go.env` > empty), with provenance,
/// which `go env GOTOOLCHAIN` cannot give; `tests/cli_check.rs` checks the two agree against
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
    ];
    crate::rules::resolve::KEYS.iter().chain(MORE).copied()
}

/// Run the probes for one side in parallel. `env` is the exact environment of that side.
/// `env_file` is the side's go env file as facts read it: GOFLAGS set there also needs
/// `go version` to surface its errors.
pub fn probe(
    go: &Path,
    env: &BTreeMap<String, String>,
    cwd: &Path,
    env_file: Option<&EnvFile>,
) -> GoRun {
    let mut local = env.clone();
    local.insert("GOTOOLCHAIN".into(), "local".into());
    let in_env_file = env_file
        .and_then(|f| f.get("GOFLAGS"))
        .is_some_and(|e| !e.value.trim().is_empty());
    let wants_version = env.get("GOFLAGS").is_some_and(|v| !v.trim().is_empty()) || in_env_file;
    std::thread::scope(|s| {
        let ver = wants_version
            .then(|| s.spawn(|| process::run(go, &["version"], &local, cwd, GO_TIMEOUT)));
        let mut args = vec!["env", "-json"];
        args.extend(env_keys());
        let json = process::run(go, &args, &local, cwd, GO_TIMEOUT);
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

fn not_run<T>(reason: &str) -> CommandResult<T> {
    CommandResult::NotRun {
        reason: reason.into(),
    }
}

fn parse_env_json(r: CommandResult<String>) -> CommandResult<BTreeMap<String, String>> {
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
