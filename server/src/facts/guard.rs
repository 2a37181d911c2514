//! The login shell's guard (`go-env-doctor __probe-guard --parent PID -- SHELL ARGS…`): a tiny
//! process of our own that leads the probe's session, starts the shell in it and waits.
//!
//! Why: when the tool itself is killed with SIGKILL (a client that kills its server, an OOM
//! kill) nothing of ours runs to end the probe, and a slow rc file would keep the shell and
//! whatever it started running for as long as it likes. The kernel tells the guard that its
//! parent died (`PR_SET_PDEATHSIG`); the guard then kills everything carrying the probe's
//! token and its own session. Otherwise it is transparent: the shell inherits the guard's
//! stdio and environment, and the guard ends the way the shell ended (same exit code, or the
//! same signal).

use std::ffi::OsString;
use std::process::ExitCode;

/// The exit code that means "the shell could not be started"; stderr says why.
pub const SPAWN_FAILED: u8 = 125;
/// The prefix of that stderr line.
pub const SPAWN_FAILED_PREFIX: &str = "__probe-guard: cannot start ";

#[cfg(target_os = "linux")]
pub fn run(parent: u32, command: &[OsString]) -> ExitCode {
    use std::os::unix::process::ExitStatusExt;
    let Some((program, args)) = command.split_first() else {
        eprintln!("__probe-guard: no command");
        return ExitCode::from(2);
    };
    // SAFETY: plain-data signal set and this thread's mask; prctl only sets a flag of ours.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for sig in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP, libc::SIGCHLD] {
            libc::sigaddset(&mut set, sig);
        }
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
        set
    };
    // The parent may have died before the prctl: then nobody will signal us.
    // SAFETY: getppid cannot fail.
    if u32::try_from(unsafe { libc::getppid() }).ok() != Some(parent) {
        end_everything();
    }
    // std resets the signal mask in the child, so the shell starts with default signals.
    let mut child = match std::process::Command::new(program).args(args).spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{SPAWN_FAILED_PREFIX}{}: {e}", program.to_string_lossy());
            return ExitCode::from(SPAWN_FAILED);
        }
    };
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            if let Some(code) = status.code() {
                return ExitCode::from(u8::try_from(code & 0xff).unwrap_or(1));
            }
            if let Some(sig) = status.signal() {
                // End the way the shell ended, so the caller sees the same signal.
                // SAFETY: restores the default action of `sig`, unblocks it and raises it.
                unsafe {
                    libc::signal(sig, libc::SIG_DFL);
                    let mut one: libc::sigset_t = std::mem::zeroed();
                    libc::sigemptyset(&mut one);
                    libc::sigaddset(&mut one, sig);
                    libc::pthread_sigmask(libc::SIG_UNBLOCK, &one, std::ptr::null_mut());
                    libc::raise(sig);
                }
                return ExitCode::from(u8::try_from(128 + sig).unwrap_or(1));
            }
        }
        let mut sig: libc::c_int = 0;
        // SAFETY: `set` is initialised; sigwait stores the signal taken.
        if unsafe { libc::sigwait(&set, &mut sig) } != 0 {
            continue;
        }
        if sig != libc::SIGCHLD {
            // The tool that started us is gone (or asks us to stop): end the probe whole.
            end_everything();
        }
    }
}

/// Kills every process carrying the probe's token (some may have left the session), then the
/// guard's own session — the guard included.
#[cfg(target_os = "linux")]
fn end_everything() -> ! {
    if let Ok(token) = std::env::var(super::children::TOKEN_VAR) {
        super::children::sweep(&token);
    }
    // SAFETY: signals our own process group (we lead it), which ends us too.
    unsafe {
        libc::killpg(0, libc::SIGKILL);
    }
    std::process::exit(137)
}

/// Elsewhere the guard only runs the shell (no parent-death signal to build on).
#[cfg(not(target_os = "linux"))]
pub fn run(_parent: u32, command: &[OsString]) -> ExitCode {
    let Some((program, args)) = command.split_first() else {
        return ExitCode::from(2);
    };
    match std::process::Command::new(program).args(args).status() {
        Ok(status) => ExitCode::from(
            status
                .code()
                .and_then(|c| u8::try_from(c).ok())
                .unwrap_or(1),
        ),
        Err(e) => {
            eprintln!("{SPAWN_FAILED_PREFIX}{}: {e}", program.to_string_lossy());
            ExitCode::from(SPAWN_FAILED)
        }
    }
}
