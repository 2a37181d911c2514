//! Running external programs with a deadline. A hung `go` must never hang us: every child gets
//! its own process group, which is killed whole when the deadline passes.

use crate::model::CommandResult;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

/// Asks running probes to stop: the language server cancels a check that a newer one
/// supersedes, so its processes are killed instead of running to completion for nothing.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// How often a wait looks at its [`Cancel`].
const CANCEL_POLL: Duration = Duration::from_millis(10);

/// How a bounded wait for a channel ended.
pub enum Waited<T> {
    Got(T),
    TimedOut,
    Cancelled,
    Disconnected,
}

/// `rx.recv_timeout(timeout)` that also returns early when `cancel` is set.
pub fn recv_or_cancel<T>(rx: &mpsc::Receiver<T>, timeout: Duration, cancel: &Cancel) -> Waited<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if cancel.is_cancelled() {
            return Waited::Cancelled;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Waited::TimedOut;
        }
        match rx.recv_timeout(left.min(CANCEL_POLL)) {
            Ok(v) => return Waited::Got(v),
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => return Waited::Disconnected,
        }
    }
}

/// Why a cancelled command has no result.
pub const CANCELLED: &str = "cancelled: a newer check superseded this one";

/// `NotRun` reason of a process that would have started while the tool was stopping.
pub const STOPPING: &str = "not run: go-env-doctor is stopping";

/// Run `program args…` in `cwd` with exactly `env`, stdin closed, and return its stdout.
/// Non-zero exit → `Failed` with the (trimmed) stderr.
pub fn run(
    program: &Path,
    args: &[&str],
    env: &BTreeMap<String, String>,
    cwd: &Path,
    timeout: Duration,
) -> CommandResult<String> {
    run_cancellable(program, args, env, cwd, timeout, &Cancel::default())
}

/// Lower the scheduling priority of the calling thread by [`YIELDING_NICE`] (nice values
/// stop at 19), and so of the processes it starts from now on (they inherit it), to let other
/// work of the check run first on a busy machine. It cannot be raised again without
/// privileges. Linux only (elsewhere a priority is the whole process's): nothing happens on
/// other systems.
pub fn lower_this_threads_priority() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: getpriority/setpriority read and change the calling thread's nice value (on
        // Linux PRIO_PROCESS with `who` 0 names the calling thread); no memory is touched.
        // getpriority's -1 is also a valid nice value: errno tells them apart.
        let now = unsafe {
            *libc::__errno_location() = 0;
            let now = libc::getpriority(libc::PRIO_PROCESS, 0);
            (*libc::__errno_location() == 0).then_some(now)
        };
        let lowered = now.map(|n| (n + YIELDING_NICE).min(19));
        // SAFETY: as above.
        let failed =
            lowered.is_none_or(|n| unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, n) } != 0);
        if failed {
            tracing::debug!(error = %std::io::Error::last_os_error(), "could not lower a thread's priority");
        }
    }
}

/// How much work that yields the processor to the rest of a check lowers its priority.
#[cfg(target_os = "linux")]
const YIELDING_NICE: libc::c_int = 10;

/// `f` on a thread of its own at [`lower_this_threads_priority`]: a process it starts yields the
/// processor to the rest of the check.
pub fn yielding<T: Send>(f: impl FnOnce() -> T + Send) -> Option<T> {
    std::thread::scope(|s| {
        s.spawn(|| {
            lower_this_threads_priority();
            f()
        })
        .join()
        .ok()
    })
}

/// [`run`], killing the process group when `cancel` is set (then `NotRun` with [`CANCELLED`]).
pub fn run_cancellable(
    program: &Path,
    args: &[&str],
    env: &BTreeMap<String, String>,
    cwd: &Path,
    timeout: Duration,
    cancel: &Cancel,
) -> CommandResult<String> {
    if cancel.is_cancelled() {
        return CommandResult::NotRun {
            reason: CANCELLED.into(),
        };
    }
    if super::children::closed() {
        return CommandResult::NotRun {
            reason: STOPPING.into(),
        };
    }
    let start = Instant::now();
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env_clear()
        .envs(env)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return CommandResult::Failed {
                exit_code: None,
                stderr: format!("could not start {}: {e}", program.display()),
                millis: elapsed_ms(start),
            }
        }
    };
    let pid = child.id();
    if !super::children::register(pid, None) {
        super::children::end_refused(pid, None);
        let _ = child.wait();
        return CommandResult::NotRun {
            reason: STOPPING.to_string(),
        };
    }
    let waited = wait_for_output(child, timeout, cancel);
    super::children::unregister(pid);
    match waited {
        Waited::Got((status, out, err)) => {
            let millis = elapsed_ms(start);
            let mut stderr = String::from_utf8_lossy(&err.bytes).trim().to_string();
            if err.dropped > 0 {
                stderr = format!("[first {} bytes not kept] {stderr}", err.dropped);
            }
            if out.dropped > 0 {
                // Half an answer is no answer: refused whole, whatever the exit status.
                let code = status.as_ref().ok().and_then(|s| s.code());
                let mut why = format!(
                    "printed more than {} MiB on stdout, which is not used",
                    MAX_STDOUT >> 20
                );
                if !stderr.is_empty() {
                    why.push_str("; stderr: ");
                    why.push_str(&stderr);
                }
                return CommandResult::Failed {
                    exit_code: code,
                    stderr: why,
                    millis,
                };
            }
            let stdout = String::from_utf8_lossy(&out.bytes).into_owned();
            match status {
                Ok(s) if s.success() => CommandResult::Ok {
                    value: stdout,
                    millis,
                },
                Ok(s) => CommandResult::Failed {
                    exit_code: s.code(),
                    stderr,
                    millis,
                },
                Err(e) => CommandResult::Failed {
                    exit_code: None,
                    stderr: format!("waiting for {}: {e}", program.display()),
                    millis,
                },
            }
        }
        Waited::Cancelled => {
            kill_group(pid);
            tracing::debug!(program = %program.display(), ?args, "cancelled; killed");
            CommandResult::NotRun {
                reason: CANCELLED.into(),
            }
        }
        Waited::TimedOut | Waited::Disconnected => {
            kill_group(pid);
            tracing::warn!(program = %program.display(), ?args, "timed out after {timeout:?}; killed");
            CommandResult::TimedOut {
                after_millis: elapsed_ms(start),
            }
        }
    }
}

/// The exit status and the bounded stdout and stderr of `child`, once it has exited and both
/// pipes are closed; killed by the caller on timeout or cancellation.
fn wait_for_output(
    mut child: std::process::Child,
    timeout: Duration,
    cancel: &Cancel,
) -> Waited<(std::io::Result<std::process::ExitStatus>, Bounded, Bounded)> {
    #[cfg(target_os = "linux")]
    if let Some(exited) = pidfd(child.id()) {
        let waited = poll_output(&mut child, exited, timeout, cancel);
        if !matches!(waited, Waited::Got(_)) {
            // The caller kills it: reaped once it is dead.
            std::thread::spawn(move || child.wait());
        }
        return waited;
    }
    drain_on_threads(child, timeout, cancel)
}

/// A descriptor that becomes readable when `pid` exits (Linux 5.3 and later).
#[cfg(target_os = "linux")]
fn pidfd(pid: u32) -> Option<std::os::fd::OwnedFd> {
    use std::os::fd::FromRawFd;
    let pid = libc::pid_t::try_from(pid).ok()?;
    // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    let fd = libc::c_int::try_from(fd).ok().filter(|fd| *fd >= 0)?;
    // SAFETY: the kernel just returned this descriptor, owned by nothing else.
    Some(unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) })
}

/// Both pipes and the exit, waited for in this thread with poll(2): a `go` run costs no
/// threads (two per run, and their wake-ups, on the path to the first diagnostics otherwise).
#[cfg(target_os = "linux")]
fn poll_output(
    child: &mut std::process::Child,
    exited: std::os::fd::OwnedFd,
    timeout: Duration,
    cancel: &Cancel,
) -> Waited<(std::io::Result<std::process::ExitStatus>, Bounded, Bounded)> {
    use std::os::fd::{AsRawFd, OwnedFd};
    let deadline = Instant::now() + timeout;
    let mut sinks = [
        Bounded::keep_head(MAX_STDOUT),
        Bounded::keep_tail(MAX_STDERR),
    ];
    let mut pipes: [Option<OwnedFd>; 2] = [
        child.stdout.take().map(OwnedFd::from),
        child.stderr.take().map(OwnedFd::from),
    ];
    let mut gone = false;
    let mut chunk = vec![0u8; 16 << 10];
    while !gone || pipes.iter().any(Option::is_some) {
        if cancel.is_cancelled() {
            return Waited::Cancelled;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Waited::TimedOut;
        }
        let mut fds: Vec<libc::pollfd> = pipes
            .iter()
            .flatten()
            .map(|p| p.as_raw_fd())
            .chain((!gone).then(|| exited.as_raw_fd()))
            .map(|fd| libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            })
            .collect();
        let wait_ms = left.min(CANCEL_POLL).as_millis().max(1);
        let wait_ms = libc::c_int::try_from(wait_ms).unwrap_or(libc::c_int::MAX);
        let count = libc::nfds_t::try_from(fds.len()).unwrap_or(0);
        // SAFETY: `fds` is a valid array of `count` pollfd structs for the call's duration.
        let rc = unsafe { libc::poll(fds.as_mut_ptr(), count, wait_ms) };
        if rc < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Waited::Disconnected;
        }
        for ready in fds.iter().filter(|f| f.revents != 0) {
            if ready.fd == exited.as_raw_fd() {
                gone = true;
                continue;
            }
            let Some(i) = pipes
                .iter()
                .position(|p| p.as_ref().is_some_and(|p| p.as_raw_fd() == ready.fd))
            else {
                continue;
            };
            // SAFETY: reading into `chunk`, valid for its length, from a descriptor we own;
            // poll said it is readable (data, or the end of the pipe), so this does not block.
            let n = unsafe { libc::read(ready.fd, chunk.as_mut_ptr().cast(), chunk.len()) };
            match usize::try_from(n) {
                Ok(0) => pipes[i] = None,
                Ok(n) => sinks[i].push(&chunk[..n]),
                Err(_) => {
                    let e = std::io::Error::last_os_error();
                    if e.kind() != std::io::ErrorKind::Interrupted {
                        pipes[i] = None;
                    }
                }
            }
        }
    }
    let [out, err] = sinks;
    let mut err = err;
    err.trim();
    Waited::Got((child.wait(), out, err))
}

/// Both pipes drained on threads of their own, the exit waited for on one of them.
fn drain_on_threads(
    mut child: std::process::Child,
    timeout: Duration,
    cancel: &Cancel,
) -> Waited<(std::io::Result<std::process::ExitStatus>, Bounded, Bounded)> {
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let (tx, rx) = mpsc::channel();
    // Drain both pipes on their own threads so a chatty child never blocks on a full pipe, and
    // keep only bounded amounts: a `go` printing gigabytes must not make us hold them.
    let err_thread = std::thread::spawn(move || {
        let mut tail = Bounded::keep_tail(MAX_STDERR);
        if let Some(s) = stderr.as_mut() {
            tail.drain(s);
        }
        tail
    });
    std::thread::spawn(move || {
        let mut out = Bounded::keep_head(MAX_STDOUT);
        if let Some(s) = stdout.as_mut() {
            out.drain(s);
        }
        let status = child.wait();
        let _ = tx.send((status, out));
    });
    match recv_or_cancel(&rx, timeout, cancel) {
        Waited::Got((status, out)) => {
            let err = err_thread.join().unwrap_or_else(|_| Bounded::keep_tail(0));
            Waited::Got((status, out, err))
        }
        Waited::Cancelled => Waited::Cancelled,
        Waited::TimedOut => Waited::TimedOut,
        Waited::Disconnected => Waited::Disconnected,
    }
}

/// Stdout kept from a command: `go env -json` prints a few KiB; more than this is not an
/// answer we can use.
pub const MAX_STDOUT: usize = 4 << 20;
/// Stderr kept from a command: its end, where the error is.
pub const MAX_STDERR: usize = 64 << 10;

/// What is kept of a pipe read to its end: the first (or last) `max` bytes, and how many
/// were dropped. The pipe is always drained, so the child never blocks writing. The login
/// shell's probe keeps its output the same way.
pub(super) struct Bounded {
    bytes: Vec<u8>,
    max: usize,
    tail: bool,
    dropped: u64,
}

impl Bounded {
    pub(super) fn keep_head(max: usize) -> Bounded {
        Bounded {
            bytes: Vec::new(),
            max,
            tail: false,
            dropped: 0,
        }
    }

    pub(super) fn keep_tail(max: usize) -> Bounded {
        Bounded {
            tail: true,
            ..Bounded::keep_head(max)
        }
    }

    pub(super) fn push(&mut self, chunk: &[u8]) {
        if !self.tail {
            let room = self.max.saturating_sub(self.bytes.len());
            let take = room.min(chunk.len());
            self.bytes.extend_from_slice(&chunk[..take]);
            self.dropped += (chunk.len() - take) as u64;
            return;
        }
        self.bytes.extend_from_slice(chunk);
        // Trim in big steps, not per chunk: amortised linear.
        if self.bytes.len() > self.max.saturating_mul(2).max(8192) {
            let cut = self.bytes.len() - self.max;
            self.bytes.drain(..cut);
            self.dropped += cut as u64;
        }
    }

    fn drain(&mut self, pipe: &mut impl Read) {
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            match pipe.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => self.push(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        self.trim();
    }

    /// Down to `max` bytes now (pushes trim only in big steps).
    fn trim(&mut self) {
        if self.tail && self.bytes.len() > self.max {
            let cut = self.bytes.len() - self.max;
            self.bytes.drain(..cut);
            self.dropped += cut as u64;
        }
    }

    /// A copy of the bytes kept (at most `max`, the newest for a tail) and how many were
    /// dropped, leaving `self` as it is.
    pub(super) fn peek(&self) -> (Vec<u8>, u64) {
        let cut = if self.tail {
            self.bytes.len().saturating_sub(self.max)
        } else {
            0
        };
        (self.bytes[cut..].to_vec(), self.dropped + cut as u64)
    }

    /// Whether the bytes kept end with `suffix`.
    pub(super) fn ends_with(&self, suffix: &[u8]) -> bool {
        self.bytes.ends_with(suffix)
    }

    /// The bytes kept and how many were dropped, emptying `self`.
    pub(super) fn take(&mut self) -> (Vec<u8>, u64) {
        self.trim();
        let dropped = std::mem::take(&mut self.dropped);
        (std::mem::take(&mut self.bytes), dropped)
    }
}

fn elapsed_ms(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
}

#[cfg(unix)]
fn kill_group(pid: u32) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        // SAFETY: killpg only sends a signal; the group id is the child's pid (process_group(0)).
        unsafe {
            libc::killpg(pid, libc::SIGKILL);
        }
    }
}

#[cfg(not(unix))]
fn kill_group(_pid: u32) {}

#[cfg(test)]
mod tests {
    use super::*;

    /// A program started by [`yielding`] work runs at a lower priority (its nice value, field
    /// 19 of /proc/PID/stat, as `awk` reads its own); the caller's thread keeps its own.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_program_started_by_yielding_work_runs_at_a_lower_priority() {
        let env: BTreeMap<String, String> =
            [("PATH".to_string(), "/usr/bin:/bin".to_string())].into();
        let nice = || {
            run(
                Path::new("/bin/sh"),
                &["-c", "awk '{print $19}' /proc/self/stat"],
                &env,
                Path::new("/"),
                Duration::from_secs(10),
            )
        };
        let niced = |r: CommandResult<String>| match r {
            CommandResult::Ok { value, .. } => value.trim().parse::<i32>().ok(),
            _ => None,
        };
        let before = niced(nice()).expect("the nice value of a plain run");
        let lowered = niced(yielding(nice).expect("the yielding thread ran")).expect("its value");
        let after = niced(nice()).expect("the nice value of a plain run, afterwards");
        assert_eq!(lowered, (before + YIELDING_NICE).min(19));
        assert_eq!(after, before, "the caller's own thread was lowered too");
    }

    #[test]
    fn a_hanging_program_is_killed_at_the_deadline() {
        let env: BTreeMap<String, String> =
            [("PATH".to_string(), "/usr/bin:/bin".to_string())].into();
        let start = Instant::now();
        let r = run(
            Path::new("/bin/sh"),
            &["-c", "sleep 30"],
            &env,
            Path::new("/"),
            Duration::from_millis(300),
        );
        assert!(matches!(r, CommandResult::TimedOut { .. }), "{r:?}");
        assert!(start.elapsed() < Duration::from_secs(3));
    }

    #[test]
    fn cancelling_kills_the_program_at_once() {
        let env: BTreeMap<String, String> =
            [("PATH".to_string(), "/usr/bin:/bin".to_string())].into();
        let cancel = Cancel::default();
        let start = Instant::now();
        let r = std::thread::scope(|s| {
            let h = s.spawn(|| {
                run_cancellable(
                    Path::new("/bin/sh"),
                    &["-c", "sleep 30"],
                    &env,
                    Path::new("/"),
                    Duration::from_secs(20),
                    &cancel,
                )
            });
            std::thread::sleep(Duration::from_millis(100));
            cancel.cancel();
            h.join()
        });
        assert!(
            matches!(&r, Ok(CommandResult::NotRun { reason }) if reason == CANCELLED),
            "{r:?}"
        );
        assert!(start.elapsed() < Duration::from_secs(3));
    }

    #[test]
    fn a_flood_on_stdout_is_refused_and_stderr_keeps_its_end() {
        let env: BTreeMap<String, String> =
            [("PATH".to_string(), "/usr/bin:/bin".to_string())].into();
        // 6 MiB of stdout, 200 KiB of stderr ending in a recognisable line.
        let r = run(
            Path::new("/bin/sh"),
            &[
                "-c",
                "head -c 6291456 /dev/zero; head -c 204800 /dev/zero | tr '\\0' x >&2; echo; echo THE-END >&2",
            ],
            &env,
            Path::new("/"),
            Duration::from_secs(20),
        );
        match &r {
            CommandResult::Failed {
                exit_code, stderr, ..
            } => {
                assert_eq!(*exit_code, Some(0));
                assert!(
                    stderr.contains("more than 4 MiB on stdout"),
                    "{stderr:.200}"
                );
                assert!(
                    stderr.ends_with("THE-END"),
                    "{}",
                    &stderr[stderr.len() - 50..]
                );
                assert!(stderr.len() < MAX_STDERR + 400, "{}", stderr.len());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bounded_tail_keeps_the_last_bytes() {
        let mut b = Bounded::keep_tail(10);
        for i in 0..10_000u32 {
            b.push(format!("{i},").as_bytes());
        }
        b.drain(&mut std::io::empty());
        assert_eq!(b.bytes, b"9998,9999,".to_vec());
        let mut h = Bounded::keep_head(4);
        h.push(b"abcdef");
        assert_eq!((h.bytes.as_slice(), h.dropped), (&b"abcd"[..], 2));
    }

    #[test]
    fn failure_keeps_exit_code_and_stderr() {
        let env = BTreeMap::new();
        let r = run(
            Path::new("/bin/sh"),
            &["-c", "echo boom >&2; exit 3"],
            &env,
            Path::new("/"),
            Duration::from_secs(5),
        );
        assert_eq!(
            r,
            CommandResult::Failed {
                exit_code: Some(3),
                stderr: "boom".into(),
                millis: match &r {
                    CommandResult::Failed { millis, .. } => *millis,
                    _ => 0,
                }
            }
        );
    }
}
