//! Every process a check starts is ours to end. A login shell's rc file can leave work behind
//! that escapes the shell's process group and session (`setsid -f`, a double fork), and the
//! tool itself can be stopped mid-check (Ctrl-C of `check`, a client that sends `exit` or
//! closes the pipe): none of that may keep running after us.
//!
//! Two mechanisms, because neither is enough alone:
//! - a registry of the process groups (and the login shell's session) that are running right
//!   now, which [`kill_all`] ends when the tool stops early;
//! - a token in the login shell's environment ([`TOKEN_VAR`]) that every descendant inherits,
//!   even one that started a new session: [`sweep`] finds those through `/proc/PID/environ`
//!   (Linux; elsewhere only the session is killed).

use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Carries a fresh random token into the login shell's environment; removed from the result.
pub const TOKEN_VAR: &str = "GO_ENV_DOCTOR_PROBE_TOKEN";

/// What is running now: a process group id and, for a login shell, its token; and whether
/// [`kill_all`] has run (then nothing more may start).
static LIVE: Mutex<Registry> = Mutex::new(Registry {
    groups: BTreeMap::new(),
    closed: false,
});

struct Registry {
    groups: BTreeMap<u32, Option<String>>,
    closed: bool,
}

impl Registry {
    fn register(&mut self, pgid: u32, token: Option<&str>) -> bool {
        if self.closed {
            return false;
        }
        self.groups.insert(pgid, token.map(str::to_string));
        true
    }

    /// Everything registered, and no more from now on.
    fn close(&mut self) -> Vec<(u32, Option<String>)> {
        self.closed = true;
        std::mem::take(&mut self.groups).into_iter().collect()
    }
}

/// Records a running process group (its leader's pid); `token` for a login shell. `false`
/// once [`kill_all`] has ended everything: a check still running when the tool stops can
/// start a process after that sweep, and nothing would end it; the caller ends it itself
/// ([`end_refused`]).
#[must_use = "a refused process must be ended by its caller"]
pub fn register(pgid: u32, token: Option<&str>) -> bool {
    LIVE.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .register(pgid, token)
}

/// Whether [`kill_all`] has run: the tool is stopping, no process may start.
pub fn closed() -> bool {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner).closed
}

/// Ends a process group that [`register`] refused (and, for a login shell, whatever carries
/// its token).
pub fn end_refused(pgid: u32, token: Option<&str>) {
    tracing::debug!(
        pgid,
        "the tool is stopping: ending a process that started too late"
    );
    end_group(pgid, token);
}

/// Kills process group `pgid` and, for a login shell, whatever carries its `token`. Returns
/// how many were signalled.
fn end_group(pgid: u32, token: Option<&str>) -> usize {
    kill_group(pgid) + token.map_or(0, sweep)
}

/// The group ended normally (its leftovers already handled by its owner).
pub fn unregister(pgid: u32) {
    LIVE.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .groups
        .remove(&pgid);
}

/// How many callers want the cores for themselves right now ([`hold_cores`]).
static HOLDS: Mutex<usize> = Mutex::new(0);
static RELEASED: Condvar = Condvar::new();

/// While held, the end of a login shell whose answer was read ([`wait_for_cores`]) waits:
/// the language server holds it from a check's start until its diagnostics are written. On
/// two cores, ending the shell's session, sweeping `/proc` for its token and reaping it ran
/// beside the rules and the publish they delay; the leftovers they end live a few
/// milliseconds longer instead. Dropping the hold releases it.
#[must_use = "the hold ends when it is dropped"]
pub struct CoresHeld(());

/// Takes a [`CoresHeld`].
pub fn hold_cores() -> CoresHeld {
    *HOLDS.lock().unwrap_or_else(PoisonError::into_inner) += 1;
    CoresHeld(())
}

impl Drop for CoresHeld {
    fn drop(&mut self) {
        let mut holds = HOLDS.lock().unwrap_or_else(PoisonError::into_inner);
        *holds = holds.saturating_sub(1);
        if *holds == 0 {
            RELEASED.notify_all();
        }
    }
}

/// Waits until nothing holds the cores ([`hold_cores`]), or `at_most` (so that a long check
/// cannot keep a probe's leftovers alive for long), or at once when the tool is stopping.
pub fn wait_for_cores(at_most: Duration) {
    let deadline = Instant::now() + at_most;
    let mut holds = HOLDS.lock().unwrap_or_else(PoisonError::into_inner);
    while *holds > 0 && !closed() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        // kill_all notifies without this lock, so a wake-up can come between the check above
        // and the wait: waking now and then bounds what that costs.
        holds = RELEASED
            .wait_timeout(holds, left.min(Duration::from_millis(50)))
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
}

/// Work that ends a probe, still running: sweeps, and the end of a login shell whose answer
/// was read before it exited. The probe's caller need not wait for them (reading every
/// process's environment costs about a millisecond, on the path to the shell's `go`), but the
/// process must not exit before they are done ([`finish_sweeps`]).
static SWEEPS: Mutex<Vec<std::thread::JoinHandle<()>>> = Mutex::new(Vec::new());

/// [`sweep`] on a thread of its own; [`finish_sweeps`] waits for it.
pub fn sweep_in_background(token: String) {
    in_background("probe-sweep", move || {
        let swept = sweep(&token);
        if swept > 0 {
            tracing::debug!(
                swept,
                "killed processes the rc files started outside the shell's session"
            );
        }
    });
}

/// Runs `work` on a thread named `name` that [`finish_sweeps`] waits for — or right here
/// when no thread can be started (it must run either way: it ends processes).
pub fn in_background<F: FnOnce() + Send + 'static>(name: &str, work: F) {
    let slot = std::sync::Arc::new(Mutex::new(Some(work)));
    let theirs = std::sync::Arc::clone(&slot);
    let spawned = std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let work = theirs.lock().unwrap_or_else(PoisonError::into_inner).take();
            if let Some(work) = work {
                work();
            }
        });
    match spawned {
        Ok(handle) => {
            let mut sweeps = SWEEPS.lock().unwrap_or_else(PoisonError::into_inner);
            sweeps.retain(|h| !h.is_finished());
            sweeps.push(handle);
        }
        Err(e) => {
            tracing::warn!(error = %e, name, "cannot start a thread; doing its work now");
            let work = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
            if let Some(work) = work {
                work();
            }
        }
    }
}

/// Waits for the background work still running, including what it starts meanwhile: call
/// before the process exits.
pub fn finish_sweeps() {
    loop {
        let pending = std::mem::take(&mut *SWEEPS.lock().unwrap_or_else(PoisonError::into_inner));
        if pending.is_empty() {
            return;
        }
        for handle in pending {
            let _ = handle.join();
        }
    }
}

/// Ends everything still running: each registered group and session is killed, and every
/// process carrying a registered token. Called when the tool stops before its checks are
/// done (a signal to `check`, the language server's exit); from then on [`register`] refuses
/// (a check thread may still be about to start something). Returns how many were signalled.
pub fn kill_all() -> usize {
    let live = LIVE.lock().unwrap_or_else(PoisonError::into_inner).close();
    // A probe's end waiting for the cores goes on at once (see wait_for_cores).
    RELEASED.notify_all();
    let mut killed = 0;
    for (pgid, token) in live {
        killed += end_group(pgid, token.as_deref());
    }
    finish_sweeps();
    killed
}

/// For `check`: SIGINT (Ctrl-C), SIGTERM and SIGHUP end every registered process, then the
/// tool (exit 128 + the signal, as a shell reports it). The signals are blocked in the calling
/// thread and waited for on a thread of their own, so call this before any other thread
/// starts (threads inherit the mask; children do not: std resets it when it spawns).
#[cfg(unix)]
pub fn end_with_signals() {
    // SAFETY: sigset_t is plain data that sigemptyset initialises; the calls only change this
    // thread's signal mask.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::sigaddset(&mut set, sig);
        }
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        set
    };
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let mut sig: libc::c_int = 0;
            // SAFETY: `set` is initialised; sigwait writes the signal number into `sig`.
            if unsafe { libc::sigwait(&set, &mut sig) } != 0 {
                return;
            }
            STOPPING.store(true, std::sync::atomic::Ordering::SeqCst);
            let killed = kill_all();
            tracing::info!(
                signal = sig,
                killed,
                "stopped: ended the processes we started"
            );
            std::process::exit(128 + sig);
        });
    if let Err(e) = spawned {
        tracing::warn!("cannot watch for signals: {e}");
        // SAFETY: as above; restores the default delivery.
        unsafe { libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut()) };
    }
}

#[cfg(not(unix))]
pub fn end_with_signals() {}

/// Set once a signal is being handled: killing the probes lets the check finish at once, and
/// its normal exit must not overtake the signal's exit status.
static STOPPING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether a signal is ending the process (its handler exits with 128 + the signal).
pub fn stopping() -> bool {
    STOPPING.load(std::sync::atomic::Ordering::SeqCst)
}

#[cfg(unix)]
fn kill_group(pgid: u32) -> usize {
    let Ok(pgid) = libc::pid_t::try_from(pgid) else {
        return 0;
    };
    // SAFETY: killpg only sends a signal. A group that is already gone gives ESRCH.
    let rc = unsafe { libc::killpg(pgid, libc::SIGKILL) };
    usize::from(rc == 0)
}

#[cfg(not(unix))]
fn kill_group(_pgid: u32) -> usize {
    0
}

/// Kills every process of ours whose environment holds `TOKEN_VAR=token`, in rounds until
/// none is left (a process can fork while it is being killed). Returns how many were killed.
#[cfg(target_os = "linux")]
pub fn sweep(token: &str) -> usize {
    let needle = format!("{TOKEN_VAR}={token}");
    let mut killed = 0;
    for _ in 0..5 {
        let found = carriers(needle.as_bytes());
        if found.is_empty() {
            break;
        }
        for pid in &found {
            tracing::debug!(pid, "killing a process the login shell left behind");
            // SAFETY: kill only sends a signal; the pid was just seen carrying our token.
            unsafe { libc::kill(*pid, libc::SIGKILL) };
        }
        killed += found.len();
    }
    killed
}

#[cfg(not(target_os = "linux"))]
pub fn sweep(_token: &str) -> usize {
    0
}

/// Processes owned by us whose environment contains `needle` as one whole entry.
#[cfg(target_os = "linux")]
fn carriers(needle: &[u8]) -> Vec<libc::pid_t> {
    use std::os::unix::fs::MetadataExt;
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    // SAFETY: geteuid and getpid cannot fail.
    let (me, uid) = unsafe { (libc::getpid(), libc::geteuid()) };
    dir.filter_map(Result::ok)
        .filter_map(|e| {
            let pid = e.file_name().to_str()?.parse::<libc::pid_t>().ok()?;
            (pid != me).then_some((pid, e.path()))
        })
        // Only our own processes: reading another user's environ fails anyway, and costs.
        .filter(|(_, path)| std::fs::metadata(path).is_ok_and(|m| m.uid() == uid))
        .filter(|(_, path)| {
            std::fs::read(path.join("environ"))
                .is_ok_and(|env| env.split(|&b| b == 0).any(|entry| entry == needle))
        })
        .map(|(pid, _)| pid)
        .collect()
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    #[test]
    fn a_probes_end_waits_for_the_cores_and_no_longer_than_it_may() {
        let held = hold_cores();
        let waiter = std::thread::spawn(|| {
            let t = Instant::now();
            wait_for_cores(Duration::from_secs(10));
            t.elapsed()
        });
        std::thread::sleep(Duration::from_millis(150));
        drop(held);
        let waited = waiter.join().expect("the waiter ends");
        assert!(
            waited >= Duration::from_millis(140) && waited < Duration::from_secs(5),
            "waited {waited:?}: until the hold was dropped"
        );

        let _held = hold_cores();
        let t = Instant::now();
        wait_for_cores(Duration::from_millis(100));
        let waited = t.elapsed();
        assert!(
            waited >= Duration::from_millis(100) && waited < Duration::from_secs(5),
            "waited {waited:?}: the bound, not the hold"
        );
    }

    fn alive(pid: i32) -> bool {
        // A zombie still has a /proc entry; its state is Z.
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| {
                !s.rsplit(')')
                    .next()
                    .unwrap_or("")
                    .trim_start()
                    .starts_with('Z')
            })
            .unwrap_or(false)
    }

    #[test]
    fn a_daemon_in_its_own_session_is_found_by_its_token_and_killed() {
        let token = format!("t{}", std::process::id());
        // `setsid -f` forks a new session and returns at once: the daemon is not our child
        // and not in any group we know.
        let out = Command::new("sh")
            .args([
                "-c",
                "setsid -f sleep 300 </dev/null >/dev/null 2>&1; echo started",
            ])
            .env(TOKEN_VAR, &token)
            .stdout(Stdio::piped())
            .output()
            .expect("sh runs");
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "started");
        let needle = format!("{TOKEN_VAR}={token}");
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut daemons = carriers(needle.as_bytes());
        while daemons.is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
            daemons = carriers(needle.as_bytes());
        }
        assert_eq!(daemons.len(), 1, "the daemon carries the token");
        assert!(sweep(&token) >= 1);
        let deadline = Instant::now() + Duration::from_secs(5);
        while daemons.iter().any(|&p| alive(p)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!daemons.iter().any(|&p| alive(p)), "the daemon was killed");
        assert!(carriers(needle.as_bytes()).is_empty());
    }

    /// What runs when the tool stops is ended, and what a check thread starts afterwards is
    /// refused (a local registry: closing the process-wide one would stop every other test).
    #[test]
    fn after_closing_the_registry_refuses_what_starts_late() {
        let mut registry = Registry {
            groups: BTreeMap::new(),
            closed: false,
        };
        assert!(registry.register(10, None));
        assert!(registry.register(11, Some("tok")));
        let ended = registry.close();
        assert_eq!(ended, vec![(10, None), (11, Some("tok".to_string()))]);
        assert!(!registry.register(12, None), "a late start is refused");
        assert!(registry.close().is_empty(), "and never recorded");
    }

    #[test]
    fn a_refused_process_is_ended_with_its_group_and_token() {
        use std::os::unix::process::CommandExt;
        let token = format!("refused{}", std::process::id());
        // A group leader and a child of it in the same group, as a probe's `go` or shell.
        let mut leader = Command::new("sh")
            .args(["-c", "sleep 300 & wait"])
            .env(TOKEN_VAR, &token)
            .process_group(0)
            .stdout(Stdio::null())
            .spawn()
            .expect("sh runs");
        let pid = leader.id();
        let needle = format!("{TOKEN_VAR}={token}");
        let deadline = Instant::now() + Duration::from_secs(5);
        while carriers(needle.as_bytes()).len() < 2 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let started = carriers(needle.as_bytes());
        assert_eq!(started.len(), 2, "sh and its sleep");
        end_refused(pid, Some(&token));
        let _ = leader.wait();
        let deadline = Instant::now() + Duration::from_secs(5);
        while started.iter().any(|&p| alive(p)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!started.iter().any(|&p| alive(p)), "both were ended");
    }
}
