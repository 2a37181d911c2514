//! `go-env-doctor check` end to end, against REAL Go toolchains and REAL shells.
//!
//! Every scenario builds a broken (or healthy) environment for real in a temp directory under
//! `/tmp`: a temp HOME with rc files and a go env file, a workspace folder with `go.mod` and
//! `.vscode/settings.json`, and a controlled process environment (`env_clear()` then HOME, PATH
//! with the chosen Go first, SHELL, and `GO_ENV_DOCTOR_USER_SETTINGS` pointing at a fixture so
//! the developer's own VS Code settings never leak in). It then runs the built binary
//! `check <folder> --format json` and asserts codes, severities, key message parts and the exit
//! code. The tools come from `tests/provision.sh` (run `bash tests/run.sh`); missing tools fail
//! the test, they never skip it.
//!
//! Scenarios needing an unprivileged user (root ignores mode bits) run the binary through
//! `setpriv --reuid=65534 --regid=65534 --clear-groups`, with a hard-linked copy of the Go
//! toolchain inside the scenario directory (the provisioned tools live under /root, 0700).
//!
//! Not buildable here, left to the rules' unit snapshots: `gocache-network-fs` (needs an
//! NFS/SMB/FUSE mount), `go-not-found` is built (empty PATH), `untrusted-not-executed` belongs to
//! the language server issue.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use crate::support;
use crate::support::cli::*;

use serde_json::Value;
use std::net::TcpListener;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const GO121: &str = "1.21.13";
const GO122: &str = "1.22.10";
const GO125: &str = "1.25.5";

// =============================================================================================
// Harness
// =============================================================================================

/// Is any process still running with `needle` in its command line?
fn process_with_arg(needle: &str) -> bool {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return false;
    };
    dir.flatten().any(|e| {
        std::fs::read(e.path().join("cmdline"))
            .map(|c| String::from_utf8_lossy(&c).contains(needle))
            .unwrap_or(false)
    })
}

/// A local TCP listener that counts connections and drops them at once. Pointing the proxy
/// variables at it makes any download attempt fail fast *and* visible.
fn tripwire() -> (String, Arc<AtomicUsize>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    std::thread::spawn(move || {
        for c in l.incoming() {
            if c.is_ok() {
                h.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    (format!("http://{addr}"), hits)
}

// =============================================================================================
// Healthy
// =============================================================================================

#[test]
fn healthy_environment_reports_no_problem() {
    let mut s = Scenario::new();
    let go = support::goroot(GO122);
    s.editor_path(&[&go]);
    s.bash_profile(&prepend_path(&go));
    let r = s.check_bash();
    r.no_problems();
    r.exit(0);
    for side in ["editor", "shell"] {
        let v = r.env(side, "GOPROXY");
        assert_eq!(
            v["value"],
            "https://proxy.golang.org,direct",
            "{side}{}",
            r.context()
        );
        assert_eq!(v["origin"], "goroot-go.env", "{side}{}", r.context());
        assert_eq!(
            v["path"].as_str().map(PathBuf::from),
            Some(go.join("go.env")),
            "{side}{}",
            r.context()
        );
        assert_eq!(v["line"], 7, "GOPROXY is line 7 of go.env{}", r.context());
        let env = r.json["sides"][side]["env"].as_object().unwrap();
        let foreign: Vec<&String> = env
            .keys()
            .filter(|k| k.starts_with("GO_ENV_DOCTOR"))
            .collect();
        assert!(
            foreign.is_empty(),
            "{side} env lists non-Go variables {foreign:?}{}",
            r.context()
        );
        let ver = r.json["sides"][side]["goVersion"].as_str().unwrap_or("");
        assert!(
            ver.contains(GO122),
            "{side} goVersion {ver:?}{}",
            r.context()
        );
        let gobin = r.json["sides"][side]["go"].as_str().unwrap_or("");
        assert!(
            Path::new(gobin).starts_with(&go),
            "{side} go {gobin:?}{}",
            r.context()
        );
    }
}

/// The same healthy world through each real login shell: the rc file that shell reads puts
/// Go 1.22.10 first on PATH, and the shell side must find it.
#[test]
fn healthy_through_every_login_shell() {
    let go = support::goroot(GO122);
    let bin = go.join("bin").display().to_string();
    let posix = format!("PATH=\"{bin}:$PATH\"; export PATH\n");
    let cases: [(&str, &str, String); 4] = [
        ("zsh", ".zprofile", posix.clone()),
        ("dash", ".profile", posix),
        (
            "fish",
            ".config/fish/config.fish",
            format!("set -gx PATH {bin} $PATH\n"),
        ),
        ("tcsh", ".tcshrc", format!("setenv PATH \"{bin}:$PATH\"\n")),
    ];
    for (name, rc, text) in cases {
        let mut s = Scenario::new();
        s.editor_path(&[&go]);
        let shell = support::shell(name).display().to_string();
        s.set("SHELL", &shell);
        let rc_path = s.home.join(rc);
        std::fs::create_dir_all(rc_path.parent().unwrap()).unwrap();
        std::fs::write(&rc_path, text).unwrap();
        let r = s.check(&["--shell", &shell]);
        r.no_problems();
        let ver = r.json["sides"]["shell"]["goVersion"].as_str().unwrap_or("");
        assert!(
            ver.contains(GO122),
            "{name}: shell goVersion {ver:?}{}",
            r.context()
        );
    }
}

#[test]
fn no_shell_leaves_the_shell_side_null() {
    let mut s = Scenario::new();
    s.editor_path(&[&support::goroot(GO122)]);
    let r = s.check_no_shell();
    r.no_problems();
    assert!(r.json["sides"]["shell"].is_null(), "{}", r.context());
}

#[test]
fn go_not_found_with_nothing_on_path() {
    let s = Scenario::new();
    let r = s.check_no_shell();
    r.expect("go-not-found", "error");
}

// =============================================================================================
// GOROOT and the go binary
// =============================================================================================

#[test]
fn goroot_mismatch_names_both_versions_and_roots() {
    let s = Scenario::new();
    let go121 = support::goroot(GO121);
    let go122 = support::goroot(GO122);
    let settings = s.settings(&format!(
        "{{\n  \"go.goroot\": \"{}\"\n}}\n",
        go121.display()
    ));
    // The editor's own PATH has no go at all; the login shell puts 1.22.10 first via .bashrc.
    s.bash_profile("[ -f ~/.bashrc ] && . ~/.bashrc\n");
    s.home_file(".bashrc", &prepend_path(&go122));
    let r = s.check_bash();
    let f = r.expect("goroot-mismatch", "error");
    r.message_has(
        f,
        &[
            GO121,
            GO122,
            &go121.display().to_string(),
            &go122.display().to_string(),
        ],
    );
    r.located(f, &settings, 2);
    // Removing go.goroot would leave the editor without go: the fix sets it to the shell's root.
    let fix = &f["fixes"][0];
    assert_eq!(fix["kind"], "set-setting", "{}", r.context());
    assert_eq!(fix["key"], "go.goroot", "{}", r.context());
    assert_eq!(
        fix["value"].as_str().map(PathBuf::from),
        Some(go122.clone()),
        "{}",
        r.context()
    );
}

#[test]
fn goroot_mismatch_prefers_removing_the_override_when_path_finds_the_shells_go() {
    let mut s = Scenario::new();
    let go121 = support::goroot(GO121);
    let go122 = support::goroot(GO122);
    s.editor_path(&[&go122]);
    s.settings(&format!("{{ \"go.goroot\": \"{}\" }}\n", go121.display()));
    s.bash_profile(&prepend_path(&go122));
    let r = s.check_bash();
    let f = r.expect("goroot-mismatch", "error");
    let fix = &f["fixes"][0];
    assert_eq!(fix["kind"], "remove-setting", "{}", r.context());
    assert_eq!(fix["key"], "go.goroot", "{}", r.context());
}

#[test]
fn goroot_through_a_symlink_is_the_same_goroot() {
    let mut s = Scenario::new();
    let go122 = support::goroot(GO122);
    let link = s.dir("sdk").join("current");
    symlink(&go122, &link).unwrap();
    s.settings(&format!("{{ \"go.goroot\": \"{}/\" }}\n", link.display()));
    s.bash_profile(&prepend_path(&go122));
    // The terminal `check` runs in finds the same Go on its PATH (without one it would rightly
    // report go-not-found for itself).
    s.editor_path(&[&go122]);
    // VS Code's view of the folder (it has settings) looks for gopls too.
    s.gopls_on_path();
    let r = s.check_bash();
    r.absent("goroot-mismatch");
    r.absent("go-version-mismatch");
    r.no_problems();
}

#[test]
fn go_version_mismatch_from_path_order() {
    let mut s = Scenario::new();
    s.editor_path(&[&support::goroot(GO121)]);
    s.bash_profile(&prepend_path(&support::goroot(GO125)));
    let r = s.check_bash();
    let f = r.expect("go-version-mismatch", "warning");
    r.message_has(f, &[GO121, GO125]);
}

#[test]
fn goroot_missing_from_settings() {
    let mut s = Scenario::new();
    s.editor_path(&[&support::goroot(GO122)]);
    let missing = s.root.join("no-such-go");
    let settings = s.settings(&format!(
        "{{\n  \"go.goroot\": \"{}\"\n}}\n",
        missing.display()
    ));
    let r = s.check_no_shell();
    let f = r.expect("goroot-missing", "error");
    r.message_has(f, &[&missing.display().to_string()]);
    r.located(f, &settings, 2);
}

#[test]
fn goroot_missing_from_env_file_still_reports_although_go_env_fails() {
    let mut s = Scenario::new();
    s.editor_path(&[&support::goroot(GO122)]);
    let missing = s.root.join("nonexistent");
    let envf = s.env_file(&format!("GOROOT={}\n", missing.display()));
    // Sanity: the real go really fails here (a missing GOROOT is fatal, exit 2).
    let out = Command::new(support::go_binary(GO122))
        .args(["env", "GOROOT"])
        .env_clear()
        .env("HOME", &s.home)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let r = s.check_no_shell();
    let f = r.expect("goroot-missing", "error");
    r.message_has(f, &[&missing.display().to_string()]);
    r.located(f, &envf, 1);
}

#[test]
fn goroot_dangling_symlink_shows_the_chain() {
    let mut s = Scenario::new();
    s.editor_path(&[&support::goroot(GO122)]);
    let sdk = s.dir("sdk");
    let gone = sdk.join("go1.20-removed-by-upgrade");
    symlink(&gone, sdk.join("go")).unwrap();
    let link = s.root.join("goroot-link");
    symlink(sdk.join("go"), &link).unwrap();
    s.set("GOROOT", link.display().to_string());
    let r = s.check_no_shell();
    let f = r.expect("goroot-dangling-symlink", "error");
    r.message_has(f, &[&gone.display().to_string()]);
}

#[test]
fn goroot_not_a_goroot_for_an_empty_dir() {
    let mut s = Scenario::new();
    s.editor_path(&[&support::goroot(GO122)]);
    let empty = s.dir("empty-goroot");
    s.set("GOROOT", empty.display().to_string());
    let r = s.check_no_shell();
    let f = r.expect("goroot-not-a-goroot", "error");
    r.message_has(f, &[&empty.display().to_string()]);
}

#[test]
fn goroot_version_skew_in_the_login_shell() {
    // gvm-style: the shell exports GOROOT of 1.21.13 while 1.22.10 is first on PATH.
    let mut s = Scenario::new();
    let go121 = support::goroot(GO121);
    let go122 = support::goroot(GO122);
    s.editor_path(&[&go122]);
    s.bash_profile(&format!(
        "export GOROOT=\"{}\"\n{}",
        go121.display(),
        prepend_path(&go122)
    ));
    let r = s.check_bash();
    let f = r.expect("goroot-version-skew", "error");
    r.message_has(f, &[GO121, GO122]);
}

#[test]
fn goroot_version_skew_in_the_editor_via_user_alternate_tools() {
    // User-level go.alternateTools.go (the user's own, so it may run) + GOROOT env of 1.21.13.
    let mut s = Scenario::new();
    let go121 = support::goroot(GO121);
    let go122 = support::goroot(GO122);
    s.user_settings(&format!(
        "{{ \"go.alternateTools\": {{ \"go\": \"{}\" }} }}\n",
        go122.join("bin/go").display()
    ));
    s.set("GOROOT", go121.display().to_string());
    let r = s.check_no_shell();
    let f = r.expect("goroot-version-skew", "error");
    r.message_has(f, &[GO121, GO122]);
}

#[test]
fn goroot_explicit_is_only_info() {
    let mut s = Scenario::new();
    let go122 = support::goroot(GO122);
    s.editor_path(&[&go122]);
    s.set("GOROOT", go122.display().to_string());
    let r = s.check_no_shell();
    r.expect("goroot-explicit", "info");
    r.no_problems();
    r.exit(0);
}

#[test]
fn goroot_in_env_file() {
    let mut s = Scenario::new();
    let go122 = support::goroot(GO122);
    s.editor_path(&[&go122]);
    let envf = s.env_file(&format!(
        "GOPRIVATE=example.com/private\nGOROOT={}\n",
        go122.display()
    ));
    let r = s.check_no_shell();
    let f = r.expect("goroot-in-env-file", "warning");
    r.located(f, &envf, 2);
}

#[test]
fn goroot_unreadable_go_binary_not_executable() {
    // As uid 65534: GOROOT is a copy of 1.22.10 whose bin/go is mode 000.
    let mut s = Scenario::new();
    let good = s.private_goroot(GO122, "sdk/go-ok");
    let broken = s.private_goroot(GO122, "sdk/go-broken");
    let bin_go = broken.join("bin/go");
    std::fs::remove_file(&bin_go).unwrap();
    std::fs::copy(good.join("bin/go"), &bin_go).unwrap();
    chmod(&bin_go, 0o000);
    s.editor_path(&[&good]);
    s.set("GOROOT", broken.display().to_string());
    s.unprivileged();
    let r = s.check_no_shell();
    let f = r.expect("goroot-unreadable", "error");
    r.message_has(f, &[&broken.display().to_string()]);
    // vscode-go skips a GOROOT/bin/go that is not executable (executableFileExists: X_OK) and
    // falls back to PATH, so the editor runs the good copy, whose own root is not GOROOT.
    assert_eq!(
        r.json["sides"]["editor"]["go"].as_str().map(PathBuf::from),
        Some(good.join("bin/go")),
        "the editor's go{}",
        r.context()
    );
    r.absent("goroot-explicit");
}

#[test]
fn goroot_unreadable_directory_mode_000() {
    let mut s = Scenario::new();
    let good = s.private_goroot(GO122, "sdk/go-ok");
    let locked = s.private_goroot(GO122, "sdk/go-locked");
    chmod(&locked, 0o000);
    s.editor_path(&[&good]);
    s.set("GOROOT", locked.display().to_string());
    s.unprivileged();
    let r = s.check_no_shell();
    // Let the temp dir be removed afterwards.
    chmod(&locked, 0o755);
    let f = r.expect("goroot-unreadable", "error");
    r.message_has(f, &[&locked.display().to_string()]);
}

// =============================================================================================
// GOCACHE
// =============================================================================================

#[test]
fn gocache_relative() {
    let mut s = Scenario::new();
    s.editor_path(&[&support::goroot(GO122)]);
    s.set("GOCACHE", "rel/cache");
    let r = s.check_no_shell();
    let f = r.expect("gocache-relative", "error");
    r.message_has(f, &["rel/cache"]);
}

#[test]
fn gocache_off_in_env_file() {
    let mut s = Scenario::new();
    s.editor_path(&[&support::goroot(GO122)]);
    let envf = s.env_file("GOCACHE=off\n");
    let r = s.check_no_shell();
    let f = r.expect("gocache-off", "error");
    r.located(f, &envf, 1);
    r.absent("gocache-relative");
    r.absent("gocache-unlocatable");
}

#[test]
fn gocache_unlocatable_without_home_and_xdg() {
    let mut s = Scenario::new();
    s.editor_path(&[&support::goroot(GO122)]);
    s.unset("HOME");
    let r = s.check_no_shell();
    r.expect("gocache-unlocatable", "error");
    r.absent("gocache-off");
}

#[test]
fn gocache_unwritable_for_an_unprivileged_user() {
    // (a) GOCACHE is an existing root-owned 0755 directory.
    let mut s = Scenario::new();
    let go = s.private_goroot(GO122, "sdk/go");
    let cache = s.dir("shared-cache");
    chmod(&cache, 0o755);
    s.editor_path(&[&go]);
    s.set("GOCACHE", cache.display().to_string());
    s.unprivileged();
    let r = s.check_no_shell();
    let f = r.expect("gocache-unwritable", "error");
    r.message_has(f, &[&cache.display().to_string()]);

    // (b) GOCACHE does not exist and its parent is a root-owned 0755 directory.
    let sub = cache.join("sub");
    s.set("GOCACHE", sub.display().to_string());
    let r = s.check_no_shell();
    r.expect("gocache-unwritable", "error");
}

#[test]
fn gocache_not_a_directory() {
    let mut s = Scenario::new();
    s.editor_path(&[&support::goroot(GO122)]);
    let file = s.root.join("a-file");
    std::fs::write(&file, "not a dir\n").unwrap();
    let gocache = file.join("sub");
    s.set("GOCACHE", gocache.display().to_string());
    let r = s.check_no_shell();
    let f = r.expect("gocache-not-a-directory", "error");
    r.message_has(f, &[&file.display().to_string()]);
}

#[test]
fn gocache_foreign_owner() {
    // As uid 65534, a populated cache owned by root (as `sudo go build` leaves behind).
    let mut s = Scenario::new();
    let go = s.private_goroot(GO122, "sdk/go");
    let cache = s.dir("root-cache");
    chmod(&cache, 0o777);
    std::fs::write(
        cache.join("README"),
        "This directory holds cached build artifacts from the Go build system.\n",
    )
    .unwrap();
    std::fs::write(cache.join("trim.txt"), "1732000000\n").unwrap();
    for d in ["00", "5d", "ff"] {
        std::fs::create_dir(cache.join(d)).unwrap();
        std::fs::write(cache.join(d).join(format!("{d}6a0000-d")), "x").unwrap();
    }
    s.editor_path(&[&go]);
    s.set("GOCACHE", cache.display().to_string());
    s.unprivileged();
    let r = s.check_no_shell();
    let f = r.expect("gocache-foreign-owner", "warning");
    r.message_has(f, &[&cache.display().to_string()]);
}

#[test]
fn gocache_mismatch_between_tools_env_vars_and_the_shell() {
    let mut s = Scenario::new();
    let go = support::goroot(GO122);
    s.editor_path(&[&go]);
    let editor_cache = s.dir("editor-cache");
    s.settings(&format!(
        "{{ \"go.toolsEnvVars\": {{ \"GOCACHE\": \"{}\" }} }}\n",
        editor_cache.display()
    ));
    s.bash_profile(&prepend_path(&go));
    let r = s.check_bash();
    let f = r.expect("gocache-mismatch", "warning");
    r.message_has(
        f,
        &[
            &editor_cache.display().to_string(),
            &s.home.join(".cache/go-build").display().to_string(),
        ],
    );
}

// gocache-network-fs: needs a cache on an NFS/SMB/FUSE mount, which cannot be built in this
// sandbox (no mount privileges, no FUSE). It is covered by the rules' unit snapshot only.

// =============================================================================================
// Module download and verification
// =============================================================================================

#[test]
fn goproxy_empty_written_by_real_go_env_w() {
    let mut s = Scenario::new();
    s.editor_path(&[&support::goroot(GO122)]);
    s.go_env_w(GO122, &["GOPROXY="]);
    let envf = s.env_file_path();
    assert_eq!(std::fs::read_to_string(&envf).unwrap(), "GOPROXY=\n");
    let r = s.check_no_shell();
    let f = r.expect("goproxy-empty", "error");
    r.located(f, &envf, 1);
    let v = r.env("editor", "GOPROXY");
    assert_eq!(v["value"], "", "{}", r.context());
    assert_eq!(v["origin"], "env-file", "{}", r.context());
}

fn env_file_case(line: &str, code: &str, severity: &str) -> Report {
    let mut s = Scenario::new();
    s.editor_path(&[&support::goroot(GO122)]);
    let envf = s.env_file(&format!("{line}\n"));
    let r = s.check_no_shell();
    let f = r.expect(code, severity);
    r.located(f, &envf, 1);
    r
}

#[test]
fn goproxy_off() {
    env_file_case("GOPROXY=off", "goproxy-off", "warning");
}

#[test]
fn goproxy_invalid_scheme() {
    let r = env_file_case("GOPROXY=ftp://x", "goproxy-invalid", "error");
    let f = r.expect("goproxy-invalid", "error");
    r.message_has(f, &["ftp://x"]);
}

#[test]
fn goproxy_insecure_http() {
    env_file_case(
        "GOPROXY=http://proxy.corp.example,direct",
        "goproxy-insecure-http",
        "warning",
    );
}

#[test]
fn goproxy_credentials_are_redacted_in_every_format() {
    let mut s = Scenario::new();
    let go = support::goroot(GO122);
    s.editor_path(&[&go]);
    let url = "https://alice:s3cret@proxy.example";
    s.env_file(&format!("GOPROXY={url}\n"));
    s.bash_profile(&format!(
        "{}export GOPROXY={url},direct\n",
        prepend_path(&go)
    ));
    s.set("RUST_LOG", "trace");
    let b = bash().display().to_string();
    let r = s.check(&["--shell", &b]);
    let f = r.expect("goproxy-credentials", "warning");
    assert!(
        r.env("editor", "GOPROXY")["value"]
            .as_str()
            .unwrap_or("")
            .contains("alice:***@"),
        "{}",
        r.context()
    );
    let _ = f;
    let folder = s.folder.display().to_string();
    for format in ["json", "human", "sarif", "github"] {
        let run = s.run(&["check", &folder, "--format", format, "--shell", &b]);
        assert!(
            !run.stdout.contains("s3cret") && !run.stderr.contains("s3cret"),
            "the password leaked in --format {format}{}",
            run.context()
        );
        assert!(
            run.stdout.contains("goproxy-credentials") || format == "human",
            "--format {format} does not mention the finding{}",
            run.context()
        );
    }
}

#[test]
fn goproxy_mismatch_between_settings_and_the_shell() {
    let mut s = Scenario::new();
    let go = support::goroot(GO122);
    s.editor_path(&[&go]);
    s.settings(
        "{\n  // the editor's proxy\n  \"go.toolsEnvVars\": {\n    \"GOPROXY\": \"https://editor-proxy.example,direct\",\n  },\n}\n",
    );
    s.bash_profile(&format!(
        "{}export GOPROXY=https://shell-proxy.example,direct\n",
        prepend_path(&go)
    ));
    let r = s.check_bash();
    r.expect("goproxy-mismatch", "warning");
    // This terminal (no GOPROXY in its environment) disagrees with the shell too; the
    // setting's finding is VS Code's.
    let f = r
        .findings()
        .iter()
        .find(|f| {
            f["code"] == "goproxy-mismatch"
                && f["message"].as_str().unwrap_or("").starts_with("VS Code")
        })
        .unwrap_or_else(|| panic!("no goproxy-mismatch for VS Code{}", r.context()));
    r.message_has(f, &["editor-proxy.example", "shell-proxy.example"]);
    // The setting is VS Code's: `check` itself runs in a terminal, which never reads it.
    assert_eq!(
        r.env("VS Code", "GOPROXY")["origin"],
        "editor-setting",
        "{}",
        r.context()
    );
    assert_eq!(
        r.env("shell", "GOPROXY")["origin"],
        "os-env",
        "{}",
        r.context()
    );
}

#[test]
fn gosumdb_off_is_an_error_with_goproxy_direct() {
    let mut s = Scenario::new();
    s.editor_path(&[&support::goroot(GO122)]);
    s.env_file("GOPROXY=direct\nGOSUMDB=off\n");
    let r = s.check_no_shell();
    let f = r.expect("gosumdb-off", "error");
    r.located(f, &s.env_file_path(), 2);
}

#[test]
fn gosumdb_off_is_a_warning_with_a_proxy() {
    env_file_case("GOSUMDB=off", "gosumdb-off", "warning");
}

#[test]
fn gosumdb_empty() {
    env_file_case("GOSUMDB=", "gosumdb-empty", "error");
}

#[test]
fn gosumdb_invalid() {
    env_file_case("GOSUMDB=a b c", "gosumdb-invalid", "error");
}

#[test]
fn goinsecure_broad() {
    env_file_case("GOINSECURE=*", "goinsecure-broad", "warning");
}

#[test]
fn gonosumdb_broad() {
    env_file_case("GONOSUMDB=*", "gonosumdb-broad", "warning");
}

#[test]
fn goflags_invalid_from_go_version() {
    let r = env_file_case("GOFLAGS=-foo", "goflags-invalid", "error");
    let f = r.expect("goflags-invalid", "error");
    r.message_has(f, &["unknown flag -foo"]);
}

#[test]
fn goflags_insecure_modcacherw() {
    // -modcacherw keeps the module cache writable: works, but dependency sources can be altered
    // after verification (the rules engineer's definition, server/src/rules/modules.rs).
    let r = env_file_case("GOFLAGS=-modcacherw", "goflags-insecure", "warning");
    r.absent("goflags-invalid");
}

#[test]
fn goflags_insecure_flag_is_invalid_on_modern_go() {
    // `-insecure` was removed in Go 1.17: with 1.22 it is an error, not a mere weakening.
    env_file_case("GOFLAGS=-insecure", "goflags-invalid", "error");
}

// =============================================================================================
// Toolchain
// =============================================================================================

const GO_MOD_199: &str = "module example.com/hello\n\ngo 1.99\n";

#[test]
fn toolchain_too_old_with_gotoolchain_local() {
    let mut s = Scenario::new();
    s.editor_path(&[&support::goroot(GO122)]);
    let gomod = s.go_mod(GO_MOD_199);
    s.set("GOTOOLCHAIN", "local");
    let r = s.check_no_shell();
    let f = r.expect("toolchain-too-old", "error");
    r.message_has(f, &["1.99", GO122]);
    r.located(f, &gomod, 3);
}

#[test]
fn toolchain_will_download_but_nothing_is_downloaded() {
    let mut s = Scenario::new();
    let go = support::goroot(GO122);
    s.editor_path(&[&go]);
    s.go_mod(GO_MOD_199);
    s.bash_profile(&prepend_path(&go));
    let (proxy, hits) = tripwire();
    for k in ["HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"] {
        s.set(k, &proxy);
    }
    let r = s.check_bash();
    r.expect("toolchain-will-download", "info");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "something tried to download a toolchain{}",
        r.context()
    );
    assert!(
        !s.home.join("go/pkg/mod/golang.org").exists(),
        "a toolchain was downloaded into the module cache{}",
        r.context()
    );
    assert!(
        r.run.elapsed < Duration::from_secs(5),
        "check took {:?}{}",
        r.run.elapsed,
        r.context()
    );
}

#[test]
fn toolchain_not_in_path() {
    let mut s = Scenario::new();
    s.editor_path(&[&support::goroot(GO122)]);
    s.go_mod(GO_MOD_199);
    s.env_file("GOTOOLCHAIN=path\n");
    let r = s.check_no_shell();
    let f = r.expect("toolchain-not-in-path", "error");
    r.message_has(f, &["go1.99"]);
}

#[test]
fn gotoolchain_invalid_written_by_real_go_env_w() {
    let mut s = Scenario::new();
    s.editor_path(&[&support::goroot(GO122)]);
    s.go_env_w(GO122, &["GOTOOLCHAIN=bogus"]);
    let r = s.check_no_shell();
    let f = r.expect("gotoolchain-invalid", "error");
    r.message_has(f, &["bogus"]);
    r.located(f, &s.env_file_path(), 1);
}

// =============================================================================================
// Env files and paths
// =============================================================================================

#[test]
fn env_file_value_shadowed_in_the_shell_only() {
    let mut s = Scenario::new();
    let go = support::goroot(GO122);
    s.editor_path(&[&go]);
    let envf = s.env_file("GOPROXY=https://file-proxy.example,direct\n");
    s.bash_profile(&format!(
        "{}export GOPROXY=https://shell-proxy.example,direct\n",
        prepend_path(&go)
    ));
    let r = s.check_bash();
    let f = r.expect("env-file-shadowed", "warning");
    r.message_has(f, &["GOPROXY"]);
    r.located(f, &envf, 1);
}

#[test]
fn gopath_relative() {
    let mut s = Scenario::new();
    s.editor_path(&[&support::goroot(GO122)]);
    s.set("GOPATH", "rel");
    let r = s.check_no_shell();
    let f = r.expect("gopath-relative", "error");
    r.message_has(f, &["rel"]);
}

#[test]
fn gopath_tilde_exported_by_the_shell() {
    let mut s = Scenario::new();
    let go = support::goroot(GO122);
    s.editor_path(&[&go]);
    s.bash_profile(&format!("{}export GOPATH=\"~/go\"\n", prepend_path(&go)));
    let r = s.check_bash();
    let f = r.expect("gopath-tilde", "error");
    r.message_has(f, &["~/go"]);
}

#[test]
fn gobin_not_on_path() {
    let mut s = Scenario::new();
    s.editor_path(&[&support::goroot(GO122)]);
    let gobin = s.dir("gobin");
    s.set("GOBIN", gobin.display().to_string());
    let r = s.check_no_shell();
    let f = r.expect("gobin-not-on-path", "info");
    r.message_has(f, &[&gobin.display().to_string()]);
}

// =============================================================================================
// Probe and inputs
// =============================================================================================

#[test]
fn shell_probe_failed_exit_code() {
    let mut s = Scenario::new();
    s.editor_path(&[&support::goroot(GO122)]);
    s.bash_profile("echo 'Welcome!'\nexit 3\n");
    let r = s.check_bash();
    let f = r.expect("shell-probe-failed", "warning");
    r.message_has(f, &["3"]);
}

#[test]
fn shell_probe_timeout_returns_quickly_and_kills_the_shell() {
    let mut s = Scenario::new();
    s.editor_path(&[&support::goroot(GO122)]);
    // A unique duration marks our sleep so we can look for leftovers.
    let marker = format!("30.{}", std::process::id());
    s.bash_profile(&format!("sleep {marker}\n"));
    let b = bash().display().to_string();
    let r = s.check(&["--shell", &b, "--shell-timeout", "2"]);
    assert!(
        r.run.elapsed < Duration::from_secs(5),
        "check took {:?} with --shell-timeout 2{}",
        r.run.elapsed,
        r.context()
    );
    let f = r.expect("shell-probe-failed", "warning");
    r.message_has(f, &["2"]);
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !process_with_arg(&format!("sleep {marker}")),
        "the rc's `sleep {marker}` survived the timeout{}",
        r.context()
    );
}

#[test]
fn shell_probe_slow() {
    let mut s = Scenario::new();
    let go = support::goroot(GO122);
    s.editor_path(&[&go]);
    s.bash_profile(&format!("sleep 3.5\n{}", prepend_path(&go)));
    let r = s.check_bash();
    r.expect("shell-probe-slow", "info");
    r.absent("shell-probe-failed");
}

#[test]
fn settings_unparseable_is_located_and_the_rest_still_reported() {
    let mut s = Scenario::new();
    s.editor_path(&[&support::goroot(GO122)]);
    let settings = s.settings("{\n  \"go.goroot\": /usr/local/go,\n}\n");
    s.env_file("GOPROXY=off\n");
    let r = s.check_no_shell();
    let f = r.expect("settings-unparseable", "error");
    r.located(f, &settings, 2);
    assert!(
        f["locations"][0]["column"].as_u64().unwrap_or(0) >= 1,
        "{}",
        r.context()
    );
    r.expect("goproxy-off", "warning");
}

// =============================================================================================
// Command line
// =============================================================================================

/// A scenario with one error (GOCACHE=off) and otherwise healthy areas.
fn one_error_scenario() -> Scenario {
    let mut s = Scenario::new();
    s.editor_path(&[&support::goroot(GO122)]);
    s.env_file("GOCACHE=off\n");
    s
}

#[test]
fn missing_dir_exits_2() {
    let s = Scenario::new();
    let missing = s.root.join("no-such-folder").display().to_string();
    let run = s.run(&["check", &missing, "--no-shell"]);
    run.assert_exit(2);
    assert!(
        !run.stderr.trim().is_empty(),
        "no explanation{}",
        run.context()
    );
}

#[test]
fn bad_flag_exits_2() {
    let s = Scenario::new();
    let run = s.run(&["check", "--format", "yaml"]);
    run.assert_exit(2);
}

#[test]
fn sarif_output() {
    let s = one_error_scenario();
    let folder = s.folder.display().to_string();
    let run = s.run(&["check", &folder, "--format", "sarif", "--no-shell"]);
    run.assert_exit(1);
    let v: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("SARIF is not JSON: {e}{}", run.context()));
    assert_eq!(v["version"], "2.1.0", "{}", run.context());
    let results = v["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "gocache-off" && r["level"] == "error"),
        "no gocache-off error result{}",
        run.context()
    );
    let rules = v["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        rules.iter().any(|r| r["id"] == "gocache-off"),
        "no gocache-off rule{}",
        run.context()
    );
}

#[test]
fn github_output() {
    let s = one_error_scenario();
    let folder = s.folder.display().to_string();
    let run = s.run(&["check", &folder, "--format", "github", "--no-shell"]);
    run.assert_exit(1);
    let lines: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(!lines.is_empty(), "{}", run.context());
    for l in &lines {
        assert!(
            l.starts_with("::"),
            "not a workflow command: {l:?}{}",
            run.context()
        );
    }
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::error") && l.contains("gocache-off")),
        "no ::error for gocache-off{}",
        run.context()
    );
}

#[test]
fn human_output_piped_has_no_colour_and_section_markers() {
    let s = one_error_scenario();
    let folder = s.folder.display().to_string();
    let run = s.run(&["check", &folder, "--no-shell"]);
    run.assert_exit(1);
    assert!(
        !run.stdout.contains('\x1b'),
        "ESC in piped output{}",
        run.context()
    );
    assert!(run.stdout.contains('✓'), "no ✓ section{}", run.context());
    assert!(run.stdout.contains('✗'), "no ✗ section{}", run.context());
    assert!(run.stdout.contains("GOCACHE"), "{}", run.context());
}

/// A gopls built with the real Go 1.22.10 in GOPATH/bin, a module asking for `go 1.25.0`:
/// `tool-built-with-old-go` on the go line, with the rebuild command; the binary is read, never
/// run (it is a plain hello-world named gopls: running it would print "hello").
#[test]
fn tool_built_with_old_go_end_to_end() {
    let mut s = Scenario::new();
    let src = s.root.join("toolsrc");
    crate::tools::write_program(&src, "example.com/fakegopls");
    let gopath = s.root.join("gopath");
    let bin_dir = gopath.join("bin");
    std::fs::create_dir_all(&bin_dir).unwrap();
    let gopls = bin_dir.join("gopls");
    crate::tools::build(GO122, &src, "", "", &gopls);
    s.editor_path(&[&support::goroot(GO125)]);
    s.set("GOPATH", gopath.display().to_string());
    let gomod = s.go_mod("module example.com/hello\n\ngo 1.25.0\n");
    // VS Code's view of the folder (its settings file exists) looks in GOPATH/bin, which the
    // terminal's PATH does not hold.
    s.settings("{}\n");
    let r = s.check_no_shell();
    let f = r.expect("tool-built-with-old-go", "error");
    r.located(f, &gomod, 3);
    r.message_has(
        f,
        &[
            &gopls.display().to_string(),
            "built with go1.22.10",
            "found in GOPATH",
            "of VS Code",
            "package requires newer Go version go1.25 (application built with go1.22.10)",
            "`GOTOOLCHAIN=go1.25.0+auto go install example.com/fakegopls@latest`",
        ],
    );
}

/// `check` probes afresh and leaves the probe cache alone by default; `--cache` writes it, and
/// the next `--cache` run answers from it (the login shell does not run: its profile counts its
/// runs) with the same findings; an edit to the profile is a miss, and so is creating a startup
/// file bash only might read; `--no-cache` after `--cache` wins.
#[test]
fn cache_flag_reuses_the_probe_and_the_default_leaves_the_cache_alone() {
    let mut s = Scenario::new();
    let go = support::goroot(GO122);
    s.editor_path(&[&go]);
    let runs = s.root.join("shell-runs");
    let profile = format!("{}echo run >> '{}'\n", prepend_path(&go), runs.display());
    s.bash_profile(&profile);
    s.home_file(".config/go/env", "GOCACHE=off\n");
    let count = || {
        std::fs::read_to_string(&runs)
            .map(|t| t.lines().count())
            .unwrap_or(0)
    };
    let probes = s.home.join(".cache/go-env-doctor/probes");
    let b = bash().display().to_string();

    let plain = s.check_bash();
    assert_eq!(count(), 1);
    assert!(!probes.exists(), "the default wrote a cache");
    let first = s.check(&["--shell", &b, "--cache"]);
    assert_eq!(count(), 2);
    assert_eq!(std::fs::read_dir(&probes).unwrap().count(), 1);
    let second = s.check(&["--shell", &b, "--cache"]);
    assert_eq!(count(), 2, "--cache ran the login shell again");
    assert_eq!(second.json["findings"], first.json["findings"]);
    assert_eq!(second.json["findings"], plain.json["findings"]);
    assert!(
        !second.json["findings"].as_array().unwrap().is_empty(),
        "{}",
        second.context()
    );

    s.bash_profile(&format!("{profile}# edited\n"));
    s.check(&["--shell", &b, "--cache"]);
    assert_eq!(count(), 3, "an edited profile was served from the cache");
    s.check(&["--shell", &b, "--cache", "--no-cache"]);
    assert_eq!(count(), 4, "--no-cache did not win");
    s.check(&["--shell", &b, "--cache"]);
    assert_eq!(count(), 4, "the entry written after the edit was not used");
    // bash reads ~/.bash_profile and never ~/.bash_login beside it, but creating a documented
    // candidate is still a miss.
    s.home_file(".bash_login", "");
    s.check(&["--shell", &b, "--cache"]);
    assert_eq!(count(), 5, "a new ~/.bash_login was not a miss");
}
