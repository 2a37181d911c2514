//! The shell side's `go env` run inside the login shell's own process chain.
//!
//! Why: the shell side's `go` can only start once the shell has said which `go` it finds, so a
//! check used to wait for the shell to exit, for our guard to report it, for the environment
//! to be parsed — and only then start `go`. A user's terminal does none of that: `go` starts
//! the moment the shell has read its startup files. Here the helper the shell runs
//! (`__print-env MARK REQUEST`) prints the environment and then runs that side's `go env` itself,
//! exactly as the check would have run it (the same binary, environment, directory and
//! `GOTOOLCHAIN=local`), and prints the result in a second block. The check takes that answer
//! only when its own choice of `go` and of the runs it needs is the same; otherwise it runs `go`
//! as before.
//!
//! The helper applies the same trust gate as the check ([`super::trust::refusal`]): a `go`
//! inside an untrusted folder is never run, here either. A `go` slower than [`BUDGET`] is
//! killed and left to the check, which gives it its full timeout; the shell's own timeout is
//! never spent on `go`.

use super::go::{self, GoRun};
use super::process;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Longest the helper lets `go` run before leaving it to the check.
pub const BUDGET: Duration = Duration::from_secs(2);
/// What the shell's timeout keeps free of the helper's `go`: the environment must still
/// reach the check when `go` is slow.
const SHELL_MARGIN: Duration = Duration::from_secs(1);

/// What the check asks of the helper (the last argument of `__print-env`, hex-encoded JSON so
/// that no shell's quoting can touch it).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Request {
    /// The mark around the answer's block (another one than the environment's).
    pub mark: String,
    /// The workspace folder: where `go` runs, and what the trust gate looks at.
    pub folder: PathBuf,
    pub trusted: bool,
    /// Variables the check removes from the shell's environment (our own flags and tokens):
    /// `go` runs without them, as it would from the check.
    pub strip: Vec<String>,
    /// When the shell's timeout ends (milliseconds since the Unix epoch).
    pub deadline_ms: u64,
    /// Runs the check makes anyway ([`Ask::skip`]).
    #[serde(default)]
    pub skip: Vec<String>,
    /// [`Ask::yield_if_predicted`].
    #[serde(default)]
    pub yield_if_predicted: bool,
}

/// What the check asks for, before the shell starts: the folder, its trust, and the runs the
/// check makes anyway ([`super::go::run_digest`] of each): when the shell's `go` is one of
/// them — the usual healthy case, where the editor runs the same `go` with the same settings
/// — the helper leaves it to the check, which runs it once for both sides.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ask {
    pub folder: PathBuf,
    pub trusted: bool,
    pub skip: Vec<String>,
    /// The check goes on with what `go` will most likely answer ([`super::go_predict`]) when
    /// that can be told: `go` then runs at a lower priority, so that it does not take the
    /// processor from that work (its answer only confirms it).
    pub yield_if_predicted: bool,
}

/// The helper's answer: which `go` ran, whether `go version` ran too, and what they said.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EarlyGo {
    pub go: PathBuf,
    pub wants_version: bool,
    pub run: GoRun,
}

impl Request {
    /// The request for a shell started now with `timeout`.
    pub fn new(ask: &Ask, strip: Vec<String>, timeout: Duration) -> Request {
        let deadline = SystemTime::now() + timeout;
        Request {
            mark: super::shell::new_mark(),
            folder: ask.folder.clone(),
            trusted: ask.trusted,
            strip,
            deadline_ms: millis_since_epoch(deadline),
            skip: ask.skip.clone(),
            yield_if_predicted: ask.yield_if_predicted,
        }
    }

    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        json.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn decode(hex: &str) -> Option<Request> {
        if hex.len() % 2 != 0 {
            return None;
        }
        let bytes: Option<Vec<u8>> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
            .collect();
        let req: Request = serde_json::from_slice(&bytes?).ok()?;
        let mark_ok = !req.mark.is_empty() && req.mark.bytes().all(|b| b.is_ascii_alphanumeric());
        (mark_ok && req.folder.is_absolute()).then_some(req)
    }
}

fn millis_since_epoch(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// In the helper, with the shell's environment `env`: the shell side's `go` run, or `None`
/// when the check must run it itself (no `go` on PATH, one the trust gate refuses, a variable
/// that is not UTF-8, too little time left, or a `go` slower than [`BUDGET`]).
pub fn run_in_helper(req: &Request, env: BTreeMap<String, String>) -> Option<EarlyGo> {
    let mut env = env;
    for name in &req.strip {
        env.remove(name);
    }
    let dirs = env
        .get("PATH")
        .map(|p| go::split_path(p))
        .unwrap_or_default();
    // A relative PATH entry means something else to the check, which runs elsewhere.
    let path = go::which("go", &dirs).filter(|p| p.is_absolute())?;
    let mut binary = go::inspect(&path, crate::model::GoFoundBy::Path, &req.folder);
    if super::trust::refusal(&mut binary, &req.folder, req.trusted).is_some() {
        return None;
    }
    let env_file = super::side_env_file(&env, &req.folder, crate::settings::paths::Os::current());
    let wants_version = go::wants_version(&env, env_file.as_ref());
    if req
        .skip
        .contains(&go::run_digest(&path, &env, &req.folder, wants_version))
    {
        return None;
    }
    let left = Duration::from_millis(
        req.deadline_ms
            .saturating_sub(millis_since_epoch(SystemTime::now())),
    )
    .checked_sub(SHELL_MARGIN)?;
    let timeout = left.min(BUDGET);
    if timeout < Duration::from_millis(100) {
        return None;
    }
    if req.yield_if_predicted
        && super::go_predict::predict(&binary, &env, &req.folder, env_file.as_ref()).is_some()
    {
        // This process only waits for `go` from here on.
        process::lower_this_threads_priority();
    }
    let run = go::run_probe(
        &path,
        &env,
        &req.folder,
        wants_version,
        &process::Cancel::default(),
        timeout,
    );
    use crate::model::CommandResult::TimedOut;
    // Slower than the budget: the check runs it again with its full timeout.
    if matches!(run.env_json, TimedOut { .. }) || matches!(run.version, Some(TimedOut { .. })) {
        return None;
    }
    Some(EarlyGo {
        go: path,
        wants_version,
        run,
    })
}

/// The helper's last word, printed whenever a request reached it: its `go` run if it made one,
/// and whether it was the shell's own process.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Answer {
    #[serde(default)]
    pub early: Option<EarlyGo>,
    /// The shell ran the helper in its own process (`exec`, as bash, zsh and dash do with the
    /// last command of `-c`): once this answer is printed nothing of the shell is left to run
    /// (no logout file, no exit trap, no later output), so the check need not wait for the
    /// shell's exit to have everything it will ever print.
    #[serde(default)]
    pub last: bool,
}

/// `MARK{json}MARK` of the answer, as the helper prints it.
pub fn render(mark: &str, answer: &Answer) -> Option<String> {
    let json = serde_json::to_string(answer).ok()?;
    Some(format!("{mark}{json}{mark}"))
}

/// The helper's answer in the shell's stdout, if it printed one.
pub fn extract(stdout: &[u8], mark: &str) -> Option<Answer> {
    let m = mark.as_bytes();
    if m.is_empty() {
        return None;
    }
    let open = find(stdout, m, 0)?;
    let start = open + m.len();
    let close = find(stdout, m, start)?;
    serde_json::from_slice(stdout.get(start..close)?).ok()
}

/// Whether the helper, running now, is the login shell's own process (see [`Answer::last`]).
/// The probe's guard leads the shell's session and the shell is its only child (Linux);
/// elsewhere the shell leads the session itself.
#[cfg(unix)]
pub fn replaced_the_shell() -> bool {
    // SAFETY: getsid(0), getppid and getpid only read this process's ids.
    let (sid, parent, me) = unsafe { (libc::getsid(0), libc::getppid(), libc::getpid()) };
    if cfg!(target_os = "linux") {
        sid == parent
    } else {
        sid == me
    }
}

#[cfg(not(unix))]
pub fn replaced_the_shell() -> bool {
    false
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::CommandResult;

    #[test]
    fn a_request_survives_its_encoding_and_garbage_is_refused() {
        let ask = Ask {
            folder: PathBuf::from("/w/it's here"),
            trusted: false,
            skip: vec!["ab12".into()],
            yield_if_predicted: false,
        };
        let req = Request::new(
            &ask,
            vec!["GO_ENV_DOCTOR_RESOLVING_ENVIRONMENT".into()],
            Duration::from_secs(10),
        );
        let hex = req.encode();
        assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()), "{hex}");
        assert_eq!(Request::decode(&hex), Some(req.clone()));
        assert_eq!(Request::decode("zz"), None);
        assert_eq!(Request::decode(&hex[1..]), None);
        let relative = Request {
            folder: PathBuf::from("w"),
            ..req
        };
        assert_eq!(Request::decode(&relative.encode()), None);
    }

    #[test]
    fn the_answer_is_found_among_noise_and_a_broken_one_is_ignored() {
        let early = EarlyGo {
            go: PathBuf::from("/usr/local/go/bin/go"),
            wants_version: false,
            run: GoRun {
                env_json: CommandResult::Ok {
                    value: [("GOROOT".to_string(), "/usr/local/go".to_string())].into(),
                    millis: 2,
                },
                version: None,
                gotoolchain: CommandResult::NotRun {
                    reason: go::GOTOOLCHAIN_FROM_LAYERS.into(),
                },
            },
        };
        let answer = Answer {
            early: Some(early),
            last: true,
        };
        let block = render("abc123", &answer).unwrap();
        let out = format!("banner\nenvMARK{{}}envMARK{block}trailing");
        assert_eq!(extract(out.as_bytes(), "abc123"), Some(answer));
        assert_eq!(extract(b"abc123{\"go\":abc123", "abc123"), None);
        assert_eq!(extract(b"nothing here", "abc123"), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_go_inside_an_untrusted_folder_is_not_run_by_the_helper() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let folder = tmp.path().join("ws");
        let bin = folder.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let ran = tmp.path().join("ran");
        let go = bin.join("go");
        std::fs::write(&go, format!("#!/bin/sh\necho ran > '{}'\n", ran.display())).unwrap();
        std::fs::set_permissions(&go, std::fs::Permissions::from_mode(0o755)).unwrap();
        let env: BTreeMap<String, String> = [
            ("PATH".to_string(), bin.display().to_string()),
            ("HOME".to_string(), tmp.path().display().to_string()),
        ]
        .into();
        let ask = Ask {
            folder: folder.clone(),
            ..Ask::default()
        };
        let req = Request::new(&ask, Vec::new(), Duration::from_secs(10));
        assert_eq!(run_in_helper(&req, env.clone()), None);
        assert!(
            !ran.exists(),
            "the workspace's go ran in an untrusted folder"
        );
        let trusted = Request {
            trusted: true,
            ..req
        };
        let early = run_in_helper(&trusted, env.clone()).expect("a trusted folder's go runs");
        assert_eq!(early.go, go);
        assert!(ran.exists());
        // A run the check makes anyway is left to it.
        std::fs::remove_file(&ran).unwrap();
        let digest = go::run_digest(&go, &env, &folder, false);
        let skipping = Request {
            skip: vec![digest],
            yield_if_predicted: false,
            ..trusted
        };
        assert_eq!(run_in_helper(&skipping, env), None);
        assert!(!ran.exists(), "the helper ran a go the check runs anyway");
    }

    #[test]
    fn no_time_left_means_no_early_run() {
        let tmp = tempfile::tempdir().unwrap();
        let ask = Ask {
            folder: tmp.path().to_path_buf(),
            trusted: true,
            skip: Vec::new(),
            yield_if_predicted: false,
        };
        let req = Request::new(&ask, Vec::new(), Duration::from_millis(500));
        let env: BTreeMap<String, String> =
            [("PATH".to_string(), "/usr/bin:/bin".to_string())].into();
        assert_eq!(run_in_helper(&req, env), None);
    }
}
