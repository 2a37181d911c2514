//! Running external programs with a deadline. A hung `go` must never hang us: every child gets
//! its own process group, which is killed whole when the deadline passes.

use crate::model::CommandResult;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Run `program args…` in `cwd` with exactly `env`, stdin closed, and return its stdout.
/// Non-zero exit → `Failed` with the (trimmed) stderr.
pub fn run(
    program: &Path,
    args: &[&str],
    env: &BTreeMap<String, String>,
    cwd: &Path,
    timeout: Duration,
) -> CommandResult<String> {
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
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let (tx, rx) = mpsc::channel();
    // Drain both pipes on their own threads so a chatty child never blocks on a full pipe.
    let err_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stderr.as_mut() {
            let _ = s.read_to_end(&mut buf);
        }
        buf
    });
    std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(s) = stdout.as_mut() {
            let _ = s.read_to_end(&mut out);
        }
        let status = child.wait();
        let _ = tx.send((status, out));
    });
    match rx.recv_timeout(timeout) {
        Ok((status, out)) => {
            let err = err_thread.join().unwrap_or_default();
            let millis = elapsed_ms(start);
            let stdout = String::from_utf8_lossy(&out).into_owned();
            let stderr = String::from_utf8_lossy(&err).trim().to_string();
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
        Err(_) => {
            kill_group(pid);
            tracing::warn!(program = %program.display(), ?args, "timed out after {timeout:?}; killed");
            CommandResult::TimedOut {
                after_millis: elapsed_ms(start),
            }
        }
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
