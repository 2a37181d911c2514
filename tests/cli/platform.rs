//! `check` end to end on the platform traps and on `env-mismatch`, with real Go, real bash and
//! real binaries: the Linux traps (GOPATH in GOROOT, a GOROOT inside the module cache that the
//! real `go clean -modcache` then deletes) as they are; the macOS and WSL ones with fixture
//! trees holding binaries the real Go cross-builds here (darwin/amd64, windows/amd64), and the
//! machine named by the platform data the facts layer reads (`GO_ENV_DOCTOR_HOST`,
//! `GO_ENV_DOCTOR_OSRELEASE`), since this machine is neither a Mac nor WSL.
#![allow(clippy::unwrap_used)]

use crate::support::cli::{prepend_path, Scenario};
use crate::support::{go_binary, goroot};
use crate::tools::{build, write_program, GO122, GO125};
use std::path::Path;
use std::process::Command;

fn message(f: &serde_json::Value) -> &str {
    f["message"].as_str().unwrap_or("")
}

fn findings_of<'a>(r: &'a crate::support::cli::Report, code: &str) -> Vec<&'a serde_json::Value> {
    r.findings().iter().filter(|f| f["code"] == code).collect()
}

/// The real go's stderr for `go version` with this environment.
fn go_version_stderr(version: &str, env: &[(&str, &Path)]) -> String {
    let mut cmd = Command::new(go_binary(version));
    cmd.env_clear()
        .env("HOME", "/tmp")
        .env("GOTOOLCHAIN", "local")
        .arg("version");
    for (k, v) in env {
        cmd.env(k, v);
    }
    String::from_utf8_lossy(&cmd.output().unwrap().stderr).into_owned()
}

#[test]
fn gopath_set_to_goroot_in_the_shell_quotes_gos_own_warning() {
    for version in [GO122, GO125] {
        let root = goroot(version);
        let mut s = Scenario::new();
        s.editor_path(&[&root]);
        s.bash_profile(&format!(
            "{}export GOPATH=\"{}\"\n",
            prepend_path(&root),
            root.display()
        ));
        let r = s.check_bash();
        let f = r.expect("gopath-in-goroot", "warning");
        assert!(
            f["shell"].is_object() && f["editor"].is_null(),
            "{}",
            r.context()
        );
        // The warning text is the real go's, word for word.
        let stderr = go_version_stderr(version, &[("GOPATH", &root), ("GOROOT", &root)]);
        let warning = stderr.lines().next().unwrap_or("").to_string();
        assert!(warning.starts_with("warning: "), "go{version}: {stderr}");
        assert!(
            message(f).contains(&warning),
            "go{version} prints {warning:?}{}",
            r.context()
        );
    }
}

#[test]
fn gopath_inside_goroot_from_vscode_settings() {
    let root = goroot(GO122);
    let mut s = Scenario::new();
    s.editor_path(&[&root]);
    s.bash_profile(&prepend_path(&root));
    let inside = root.join("work");
    let settings = s.settings(&format!(
        "{{\n  \"go.gopath\": \"{}\"\n}}\n",
        inside.display()
    ));
    let r = s.check_bash();
    let f = r.expect("gopath-in-goroot", "warning");
    assert!(message(f).contains("inside GOROOT"), "{}", r.context());
    r.located(f, &settings, 2);
    assert_eq!(f["fixes"][0]["kind"], "remove-setting", "{}", r.context());
}

#[test]
fn goroot_in_the_module_cache_and_go_clean_modcache_deletes_it() {
    let mut s = Scenario::new();
    let modcache = s.home.join("go/pkg/mod");
    let rel = "home/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64";
    let toolchain = s.private_goroot(GO122, rel);
    let root = goroot(GO122);
    s.editor_path(&[&root]);
    s.bash_profile(&prepend_path(&root));
    let settings = s.settings(&format!(
        "{{\n  \"go.goroot\": \"{}\"\n}}\n",
        toolchain.display()
    ));
    let r = s.check_bash();
    let f = r.expect("goroot-in-modcache", "warning");
    assert!(message(f).contains("go clean -modcache"), "{}", r.context());
    r.located(f, &settings, 2);
    assert_eq!(f["fixes"][0]["kind"], "remove-setting", "{}", r.context());
    // What the finding says: the real `go clean -modcache` removes that GOROOT.
    let out = Command::new(go_binary(GO125))
        .env_clear()
        .env("HOME", &s.home)
        .env("GOMODCACHE", &modcache)
        .env("GOTOOLCHAIN", "local")
        .args(["clean", "-modcache"])
        .current_dir(&s.root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!toolchain.exists(), "go clean -modcache left {toolchain:?}");
}

#[test]
fn intel_go_and_dlv_on_an_apple_silicon_mac() {
    let mut s = Scenario::new();
    let src = s.dir("src");
    write_program(&src, "example.com/fakego");
    // A fixture GOROOT whose bin/go is a real darwin/amd64 Go binary.
    let macroot = s.dir("usr-local-go");
    std::fs::create_dir_all(macroot.join("bin")).unwrap();
    build(GO122, &src, "darwin", "amd64", &macroot.join("bin/go"));
    std::fs::write(
        macroot.join("VERSION"),
        "go1.22.10\ntime 2024-12-03T17:25:12Z\n",
    )
    .unwrap();
    // A terminal runs the dlv on its PATH.
    let tools = s.dir("tools");
    std::fs::create_dir_all(tools.join("bin")).unwrap();
    build(GO122, &src, "darwin", "amd64", &tools.join("bin/dlv"));
    s.editor_path(&[&macroot, &tools]);
    s.set("GO_ENV_DOCTOR_HOST", "darwin/arm64");
    let r = s.check_no_shell();
    let go = findings_of(&r, "go-under-rosetta");
    let subjects: Vec<&str> = go.iter().filter_map(|f| f["subject"].as_str()).collect();
    assert!(subjects.contains(&"go"), "{}", r.context());
    assert!(subjects.contains(&"dlv"), "{}", r.context());
    let f = go.iter().find(|f| f["subject"] == "go").unwrap();
    assert!(
        message(f).contains(&macroot.join("bin/go").display().to_string()),
        "{}",
        r.context()
    );
    assert!(
        message(f).contains("can not run under Rosetta"),
        "{}",
        r.context()
    );

    // On an Intel Mac the same binaries are what the machine runs.
    s.set("GO_ENV_DOCTOR_HOST", "darwin/amd64");
    let r = s.check_no_shell();
    r.absent("go-under-rosetta");
}

#[test]
fn windows_go_exe_chosen_by_a_setting_inside_wsl() {
    let mut s = Scenario::new();
    let src = s.dir("src");
    write_program(&src, "example.com/fakego");
    let winbin = s.dir("mnt/c/Program Files/Go/bin");
    let exe = winbin.join("go.exe");
    build(GO122, &src, "windows", "amd64", &exe);
    crate::support::cli::chmod(&exe, 0o755);
    let root = goroot(GO122);
    s.editor_path(&[&root]);
    s.bash_profile(&prepend_path(&root));
    s.user_settings(&format!(
        "{{\n  \"go.alternateTools\": {{ \"go\": \"{}\" }}\n}}\n",
        exe.display()
    ));
    let release = s.root.join("osrelease");
    std::fs::write(&release, "5.15.167.4-microsoft-standard-WSL2\n").unwrap();
    s.set("GO_ENV_DOCTOR_OSRELEASE", release.display().to_string());
    let r = s.check_bash();
    let f = r.expect("go-windows-in-wsl", "error");
    assert!(
        f["editor"].is_object() && f["shell"].is_null(),
        "{}",
        r.context()
    );
    // Without the setting VS Code runs the Linux go on its PATH.
    assert_eq!(f["fixes"][0]["kind"], "remove-setting", "{}", r.context());

    // The same machine without WSL: no such finding.
    let plain = s.root.join("osrelease-plain");
    std::fs::write(&plain, "6.1.0-28-amd64\n").unwrap();
    s.set("GO_ENV_DOCTOR_OSRELEASE", plain.display().to_string());
    s.check_bash().absent("go-windows-in-wsl");
}

#[test]
fn flatpak_editor_is_reported() {
    let root = goroot(GO122);
    let mut s = Scenario::new();
    s.editor_path(&[&root]);
    s.set("FLATPAK_ID", "com.visualstudio.code");
    let r = s.check_no_shell();
    let f = r.expect("go-sandboxed", "warning");
    assert!(
        message(f).contains("com.visualstudio.code"),
        "{}",
        r.context()
    );
}

/// The editor's PATH has no C compiler, the login shell's has gcc: the real go turns cgo off
/// on the editor side, and the one finding says why.
#[test]
fn no_c_compiler_on_the_editors_path_with_real_go_and_bash() {
    let root = goroot(GO125);
    let mut s = Scenario::new();
    s.set("PATH", root.join("bin").display().to_string());
    s.bash_profile(&format!(
        "export PATH=\"{}/bin:/usr/bin:/bin\"\n",
        root.display()
    ));
    let r = s.check_bash();
    assert_eq!(
        r.env("editor", "CGO_ENABLED")["value"],
        "0",
        "{}",
        r.context()
    );
    assert_eq!(
        r.env("shell", "CGO_ENABLED")["value"],
        "1",
        "{}",
        r.context()
    );
    let f = findings_of(&r, "env-mismatch");
    assert_eq!(f.len(), 1, "{}", r.context());
    assert_eq!(f[0]["subject"], "CC");
    assert!(
        message(f[0]).contains("`gcc` (CC) is on your shell's PATH"),
        "{}",
        r.context()
    );
}

/// What the login shell exports and the editor lacks: GOFLAGS, GOPRIVATE, a proxy with a
/// password and a key for git — each compared, the secrets never printed.
#[test]
fn shell_exports_the_editor_lacks_are_compared_without_secrets() {
    let root = goroot(GO125);
    let mut s = Scenario::new();
    s.editor_path(&[&root]);
    s.bash_profile(&format!(
        "{}export GOFLAGS=-tags=integration\nexport GOPRIVATE='example.com/corp/*'\n\
         export HTTPS_PROXY=http://alice:s3cret@proxy.example:3128\n\
         export GIT_SSH_COMMAND='ssh -i ~/.ssh/corp_key'\n",
        prepend_path(&root)
    ));
    let r = s.check_bash();
    let subjects: Vec<&str> = findings_of(&r, "env-mismatch")
        .iter()
        .filter_map(|f| f["subject"].as_str())
        .collect();
    for want in ["GOFLAGS", "GOPRIVATE", "HTTPS_PROXY", "GIT_SSH_COMMAND"] {
        assert!(subjects.contains(&want), "{want} missing{}", r.context());
    }
    assert!(!r.run.stdout.contains("s3cret"), "{}", r.context());
    assert!(!r.run.stdout.contains("corp_key"), "{}", r.context());
    let goflags = findings_of(&r, "env-mismatch")
        .into_iter()
        .find(|f| f["subject"] == "GOFLAGS")
        .unwrap();
    let kinds: Vec<&str> = goflags["fixes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["kind"].as_str())
        .collect();
    // A terminal reads no settings file: the go env file for both, or its own environment.
    assert_eq!(
        kinds,
        ["go-env-write", "editor-environment"],
        "{}",
        r.context()
    );
}
