//! The persistent probe cache across server processes (`facts::probe_cache`, used by
//! `lsp::queue`): a second server publishes from the first one's probes before its own login
//! shell is done; an edited startup file — one a startup file sources too — is never served
//! from the cache; a corrupt or foreign cache file is ignored with a log line; the files are
//! private and hold no secret; a restart publishes the last start's answer only while nothing
//! that check read has changed. Real bash, real Go (the `stdio` scenarios).
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use super::stdio::{append, shell_runs, Lsp, Scenario};
use crate::support::lsp::has_code;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// The login shell's rc files take this long: a server publishing well before it did not
/// wait for the shell.
const SLOW_SHELL: Duration = Duration::from_secs(2);

fn probes_dir(s: &Scenario) -> PathBuf {
    s.home.join(".cache/go-env-doctor/probes")
}

fn cache_files(s: &Scenario) -> Vec<PathBuf> {
    std::fs::read_dir(probes_dir(s))
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect()
        })
        .unwrap_or_default()
}

/// A gocache-off world whose `.bashrc` sources `~/lib/extra.sh`, which sleeps [`SLOW_SHELL`]
/// and counts its runs.
fn slow_world() -> (Scenario, PathBuf, PathBuf, PathBuf) {
    let (s, env_file) = Scenario::gocache_off();
    let (runs, extra) = slow_shell(&s);
    (s, env_file, runs, extra)
}

/// `.bashrc` sources `~/lib/extra.sh`, which sleeps [`SLOW_SHELL`] and counts its runs in the
/// returned file — the probes' runs; the traced runs that learn the startup files for the
/// cache (bash's xtrace, `$-` has `x`) are counted in [`traced_runs`].
fn slow_shell(s: &Scenario) -> (PathBuf, PathBuf) {
    let runs = s.root.join("shell-runs");
    let traced = s.root.join("traced-runs");
    let extra = s.home.join("lib/extra.sh");
    std::fs::create_dir_all(extra.parent().unwrap()).unwrap();
    std::fs::write(
        &extra,
        format!(
            "case $- in *x*) echo run >> '{}' ;; *) echo run >> '{}' ;; esac\nsleep {}\n",
            traced.display(),
            runs.display(),
            SLOW_SHELL.as_secs()
        ),
    )
    .unwrap();
    append(s.home.join(".bashrc"), ". ~/lib/extra.sh\n");
    (runs, extra)
}

/// How often the slow shell ran traced (see [`slow_shell`]).
fn traced_runs(s: &Scenario) -> usize {
    shell_runs(&s.root.join("traced-runs"))
}

/// Shuts `lsp` down once it has written the cache: for bash that is after a second, traced
/// run of the login shell that follows the first diagnostics.
fn shutdown_once_cached(s: &Scenario, mut lsp: Lsp, old: Option<&[u8]>) {
    let path = |s: &Scenario| cache_files(s).pop();
    lsp.serve_until(
        "the server never wrote its probe to the cache",
        Duration::from_millis(50),
        || {
            path(s).is_some_and(|p| {
                std::fs::read(p).is_ok_and(|b| Some(&b[..]) != old && b.len() > 100)
            })
        },
    );
    assert!(lsp.shutdown().success());
}

/// Starts a server, returns it with the time its first diagnostics for `env_file` took.
fn first_diagnostics(s: &Scenario, env_file: &Path, stderr: Stdio) -> (Lsp, Duration) {
    let started = Instant::now();
    let mut lsp = Lsp::spawn_with_stderr(s, stderr);
    lsp.initialize(s, &["utf-16"]);
    lsp.wait_diagnostics(env_file, has_code("gocache-off"));
    (lsp, started.elapsed())
}

/// The second server publishes from the cache well before its login shell (which sleeps 2 s)
/// could have answered, then re-probes in the background; the cache is a 0600 file in a 0700
/// directory.
#[test]
fn a_second_server_publishes_from_the_first_ones_probe_before_its_shell_is_done() {
    let (s, env_file, runs, _) = slow_world();
    let (lsp, cold) = first_diagnostics(&s, &env_file, Stdio::inherit());
    assert!(cold >= SLOW_SHELL, "cold: {cold:?}");
    // Published before the traced run that learns the startup files could have finished.
    assert!(
        cold < 2 * SLOW_SHELL,
        "cold: {cold:?}: waited for the traced shell"
    );
    shutdown_once_cached(&s, lsp, None);
    assert_eq!(shell_runs(&runs), 1);
    assert_eq!(
        traced_runs(&s),
        1,
        "bash runs once more, traced, for the cache key"
    );
    let files = cache_files(&s);
    assert_eq!(files.len(), 1, "{files:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&files[0]), 0o600);
        assert_eq!(mode(&probes_dir(&s)), 0o700);
    }

    let (mut lsp, warm) = first_diagnostics(&s, &env_file, Stdio::inherit());
    assert!(
        warm < SLOW_SHELL / 2,
        "warm: {warm:?}: published only after the login shell"
    );
    // The fresh probe still runs, in the background.
    lsp.serve_until(
        "the login shell did not run again",
        Duration::from_millis(50),
        || shell_runs(&runs) >= 2,
    );
    assert!(lsp.shutdown().success());
}

/// Editing a file `.bashrc` sources (not `.bashrc` itself) is a miss: the next server waits
/// for its login shell as without a cache.
#[test]
fn an_edited_sourced_startup_file_is_never_served_from_the_cache() {
    let (s, env_file, runs, extra) = slow_world();
    let (lsp, _) = first_diagnostics(&s, &env_file, Stdio::inherit());
    shutdown_once_cached(&s, lsp, None);
    assert_eq!(cache_files(&s).len(), 1);

    append(&extra, "export GED_EDITED=1\n");
    let (lsp, after_edit) = first_diagnostics(&s, &env_file, Stdio::inherit());
    assert!(
        after_edit >= SLOW_SHELL,
        "published after {after_edit:?}, before the login shell finished: from a stale cache"
    );
    assert_eq!(shell_runs(&runs), 2);
    assert!(lsp.shutdown().success());
}

/// A corrupt cache file and one of another format are ignored, each with a log line; the
/// server probes as without a cache and writes a good file over them.
#[test]
fn a_corrupt_or_foreign_cache_file_is_ignored_with_a_log_line() {
    let (mut s, env_file, _, _) = slow_world();
    s.env.insert("RUST_LOG".into(), "go_env_doctor=info".into());
    let (lsp, _) = first_diagnostics(&s, &env_file, Stdio::inherit());
    shutdown_once_cached(&s, lsp, None);
    let file = cache_files(&s).pop().unwrap();
    let good = std::fs::read(&file).unwrap();

    for (bad, logged) in [
        (
            &b"{\"format\": 1, \"key\": tru"[..],
            "ignoring a corrupt probe cache file",
        ),
        (&b"{\"format\": 999}"[..], "of another format"),
    ] {
        std::fs::write(&file, bad).unwrap();
        let log = s.root.join("server.log");
        let stderr = Stdio::from(std::fs::File::create(&log).unwrap());
        let (lsp, took) = first_diagnostics(&s, &env_file, stderr);
        shutdown_once_cached(&s, lsp, Some(bad));
        assert!(took >= SLOW_SHELL, "{took:?}");
        let text = std::fs::read_to_string(&log).unwrap();
        assert!(text.contains(logged), "no {logged:?} in the log:\n{text}");
        let rewritten = std::fs::read(&file).unwrap();
        assert_ne!(rewritten, bad, "the bad file was not replaced");
        assert_eq!(rewritten.len() > 100, good.len() > 100);
    }
}

/// Secrets never reach the cache: a token in GOPROXY's URL and a `*_TOKEN` variable, set by
/// `.bashrc` and by the server's own environment.
#[test]
fn the_cache_holds_no_secret() {
    let (mut s, env_file) = Scenario::gocache_off();
    let proxy_token = "s3cr3tPr0xyT0ken";
    let var_token = "ghp_n0tInTheCache";
    let editor_token = "edit0rT0kenValue";
    append(
        s.home.join(".bashrc"),
        &format!(
            "export GOPROXY=https://alice:{proxy_token}@proxy.example.com,direct\n\
             export MY_SERVICE_TOKEN={var_token}\n"
        ),
    );
    s.env.insert(
        "GONOSUMDB".into(),
        format!("https://bob:{editor_token}@sum.example.com"),
    );
    s.env.insert("DEPLOY_PASSWORD".into(), editor_token.into());
    let (lsp, _) = first_diagnostics(&s, &env_file, Stdio::inherit());
    shutdown_once_cached(&s, lsp, None);
    let files = cache_files(&s);
    assert_eq!(files.len(), 1);
    let text = std::fs::read_to_string(&files[0]).unwrap();
    for secret in [proxy_token, var_token, editor_token] {
        assert!(!text.contains(secret), "{secret} in {}", files[0].display());
    }
    // The shell's proxy is still known to have credentials (the finding stays).
    assert!(text.contains("alice:"), "{text}");
}

/// A restart with nothing changed publishes what the last start published before it has read
/// a setting (the log says so), well before its login shell answers. A settings file edited
/// in between — read by the check, not by the shell — is never answered from there: the first
/// diagnostics of the restart already show the edit.
#[test]
fn a_restart_publishes_the_last_answer_until_a_file_it_read_changes() {
    // The editor pinned to Go 1.21.13 in settings.json, the shell on 1.22.10.
    let (mut s, settings, _) = Scenario::settings_pin_go121();
    slow_shell(&s);
    s.env
        .insert("RUST_LOG".into(), "go_env_doctor=debug".into());
    let uri = crate::support::lsp::file_uri(&settings);
    let first_publish = |lsp: &mut Lsp| -> Vec<serde_json::Value> {
        let msg = lsp.wait_logged("the first diagnostics of settings.json", |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str()
        });
        msg["params"]["diagnostics"].as_array().unwrap().clone()
    };
    let started = |log: &Path| {
        let stderr = Stdio::from(std::fs::File::create(log).unwrap());
        let started = Instant::now();
        let mut lsp = Lsp::spawn_with_stderr(&s, stderr);
        lsp.initialize(&s, &["utf-16"]);
        (lsp, started)
    };

    let (mut lsp, _) = started(&s.root.join("cold.log"));
    let cold = first_publish(&mut lsp);
    assert!(has_code("goroot-mismatch")(&cold), "{cold:#?}");
    shutdown_once_cached(&s, lsp, None);

    let log = s.root.join("warm.log");
    let (mut lsp, t0) = started(&log);
    let warm = first_publish(&mut lsp);
    let took = t0.elapsed();
    assert!(
        took < SLOW_SHELL / 2,
        "{took:?}: published only after the login shell"
    );
    assert_eq!(
        warm, cold,
        "the answer differs from what the last start published"
    );
    assert!(lsp.shutdown().success());
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("published the cached answer"), "{text}");

    std::fs::write(&settings, "{}\n").unwrap();
    let log = s.root.join("edited.log");
    let (mut lsp, _) = started(&log);
    // Without go.goroot the editor finds no `go` (go-not-found): the first diagnostics of the
    // restart, which must not come with the edited file's old ones.
    lsp.wait_logged("the first diagnostics after the edit", |m| {
        m["method"] == "textDocument/publishDiagnostics"
    });
    let stale = lsp.log.iter().any(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri.as_str()
            && has_code("goroot-mismatch")(m["params"]["diagnostics"].as_array().unwrap())
    });
    assert!(
        !stale,
        "the edited settings file got its old diagnostics: {:#?}",
        lsp.log
    );
    assert!(lsp.shutdown().success());
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains("published the cached answer"), "{text}");
    assert!(
        text.contains("a file the cached answer read changed"),
        "{text}"
    );
    // The entry the answer came with still serves its probes: a check with them published
    // before the slow login shell was back.
    assert!(text.contains("published from the probe cache"), "{text}");
}
