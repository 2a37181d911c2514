//! The login shell's guard: a process of ours that leads the probe's session, starts the shell
//! in it and waits.
//!
//! Why: when the tool itself is killed with SIGKILL (a client that kills its server, an OOM
//! kill) nothing of ours runs to end the probe, and a slow rc file would keep the shell and
//! whatever it started running for as long as it likes. The kernel tells the guard that its
//! parent died (`PR_SET_PDEATHSIG`); the guard then has every process carrying the probe's
//! token killed, and its own process group. Otherwise it is transparent: the shell inherits
//! the guard's stdio, and the guard ends the way the shell ended (same exit code, or the same
//! signal), so the caller waits for the guard as if it were the shell.
//!
//! The guard is a fork of the tool that never executes another program while the shell runs:
//! starting our own binary for it cost about 1.5 ms on every probe, on the path to the first
//! diagnostics. Between `fork` and its end it only makes system calls that are safe in the
//! child of a multi-threaded process (no allocation, no lock). When the tool dies it executes
//! our binary as `__probe-guard-end TOKEN` ([`end`]), which can then read `/proc` freely.

use std::process::ExitCode;

/// The hidden subcommand the guard becomes when the tool that started it died.
pub const END_SUBCOMMAND: &str = "__probe-guard-end";

/// Makes `cmd` start under a guard (Linux): the process `cmd.spawn()` creates becomes the guard
/// — it must already have called `setsid` (an earlier `pre_exec`) — and a child of it executes
/// the command. `helper_exe` and `token` are what the guard executes when the tool dies.
#[cfg(target_os = "linux")]
pub fn install(
    cmd: &mut std::process::Command,
    helper_exe: &std::path::Path,
    token: &str,
) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::process::CommandExt;
    let invalid = |_| std::io::Error::from(std::io::ErrorKind::InvalidInput);
    let exe = CString::new(helper_exe.as_os_str().as_bytes()).map_err(invalid)?;
    let sub = CString::new(END_SUBCOMMAND).map_err(invalid)?;
    let token = CString::new(token).map_err(invalid)?;
    // SAFETY: getpid cannot fail.
    let parent = unsafe { libc::getpid() };
    // SAFETY: the closure runs in the forked child; it only calls fork, and the guard below
    // only async-signal-safe system calls on memory prepared before the fork.
    unsafe {
        cmd.pre_exec(move || {
            let pid = libc::fork();
            if pid == -1 {
                return Err(std::io::Error::last_os_error());
            }
            if pid == 0 {
                // The shell's process: std executes the command.
                return Ok(());
            }
            guard(pid, parent, [&exe, &sub, &token])
        });
    }
    Ok(())
}

/// The guard's parent-death signal: its own, so that it is told apart from a request to stop.
#[cfg(target_os = "linux")]
const PARENT_GONE: libc::c_int = libc::SIGUSR2;

/// The guard's life: wait for the shell and end like it; when the tool dies first, [`end`].
///
/// # Safety
/// Only for the child of `fork` in [`install`]: it never returns.
#[cfg(target_os = "linux")]
unsafe fn guard(shell: libc::pid_t, parent: libc::pid_t, end_argv: [&std::ffi::CStr; 3]) -> ! {
    // SAFETY: see the function's contract.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for sig in [
            libc::SIGTERM,
            libc::SIGINT,
            libc::SIGHUP,
            libc::SIGCHLD,
            PARENT_GONE,
        ] {
            libc::sigaddset(&mut set, sig);
        }
        libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        libc::prctl(libc::PR_SET_PDEATHSIG, PARENT_GONE);
        // Every descriptor but stdio: among them std's pipe that tells the tool whether the
        // command was executed (the tool's `spawn` returns once the shell's copy closes).
        if libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, 0u32) != 0 {
            for fd in 3..4096 {
                libc::close(fd);
            }
        }
        // The tool may have died before the prctl: then nobody will signal us.
        if libc::getppid() != parent {
            exec_end(end_argv);
        }
        loop {
            let mut status = 0;
            if libc::waitpid(shell, &mut status, libc::WNOHANG) == shell {
                if libc::WIFEXITED(status) {
                    libc::_exit(libc::WEXITSTATUS(status));
                }
                if libc::WIFSIGNALED(status) {
                    // End the way the shell ended, so the caller sees the same signal.
                    let sig = libc::WTERMSIG(status);
                    libc::signal(sig, libc::SIG_DFL);
                    let mut one: libc::sigset_t = std::mem::zeroed();
                    libc::sigemptyset(&mut one);
                    libc::sigaddset(&mut one, sig);
                    libc::sigprocmask(libc::SIG_UNBLOCK, &one, std::ptr::null_mut());
                    libc::raise(sig);
                    libc::_exit(128 + sig);
                }
            }
            let mut sig: libc::c_int = 0;
            if libc::sigwait(&set, &mut sig) != 0 {
                continue;
            }
            // The kernel sends the parent-death signal when the *thread* that forked us ends
            // and we are handed to another thread of the tool: only a new parent process
            // means the tool is gone. (Thread pools end threads all the time; taking each
            // for the tool's death started `__probe-guard-end` and a /proc sweep on every
            // probe, right when the check needed the CPU, and would kill a shell still
            // running.)
            if sig == PARENT_GONE && libc::getppid() == parent {
                continue;
            }
            if sig != libc::SIGCHLD {
                // The tool that started us is gone (or asks us to stop): end the probe whole.
                exec_end(end_argv);
            }
        }
    }
}

/// Becomes `helper_exe __probe-guard-end TOKEN`; if that cannot be executed, kills at least
/// the session's process group.
///
/// # Safety
/// Only in the guard.
#[cfg(target_os = "linux")]
unsafe fn exec_end(argv: [&std::ffi::CStr; 3]) -> ! {
    // SAFETY: see the function's contract.
    unsafe {
        let ptrs = [
            argv[0].as_ptr(),
            argv[1].as_ptr(),
            argv[2].as_ptr(),
            std::ptr::null(),
        ];
        libc::execv(ptrs[0], ptrs.as_ptr());
        libc::killpg(0, libc::SIGKILL);
        libc::_exit(137)
    }
}

/// `__probe-guard-end TOKEN`: what the guard becomes when the tool died (same process, so
/// still the leader of the probe's process group): kills every process carrying the probe's
/// token (some may have left the session), then the group — itself included.
#[cfg(target_os = "linux")]
pub fn end(token: &str) -> ExitCode {
    // SAFETY: getsid and getpid cannot fail for the calling process.
    if unsafe { libc::getsid(0) != libc::getpid() } {
        // Run by hand, not as a guard: the process group is someone else's (a terminal's).
        eprintln!("{END_SUBCOMMAND}: only a probe's guard becomes this");
        return ExitCode::from(2);
    }
    super::children::sweep(token);
    // SAFETY: signals our own process group (we lead it), which ends us too.
    unsafe {
        libc::killpg(0, libc::SIGKILL);
    }
    ExitCode::from(137)
}

#[cfg(not(target_os = "linux"))]
pub fn end(_token: &str) -> ExitCode {
    ExitCode::from(2)
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};

    /// Thread pools end threads while the tool lives on: the thread that started a probe
    /// ending must not end the probe. (The guard's end here cannot be executed, so a guard
    /// that took the thread's end for the tool's death would kill the group at once.)
    #[test]
    fn the_guard_outlives_the_thread_that_started_it() {
        let child = std::thread::spawn(|| {
            let mut cmd = Command::new("sh");
            cmd.args(["-c", "sleep 0.3; echo done"])
                .stdin(Stdio::null())
                .stdout(Stdio::piped());
            // SAFETY: setsid is async-signal-safe.
            unsafe {
                cmd.pre_exec(|| {
                    if libc::setsid() == -1 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
            install(
                &mut cmd,
                std::path::Path::new("/nonexistent/guard-end"),
                "t",
            )
            .expect("guard installed");
            cmd.spawn().expect("sh starts")
        })
        .join()
        .expect("the starting thread ends");
        let out = child.wait_with_output().expect("waited");
        assert!(
            out.status.success(),
            "the probe was ended: {:?}",
            out.status
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "done");
    }
}
