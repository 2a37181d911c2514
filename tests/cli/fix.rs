//! `go-env-doctor fix` end to end, with REAL Go (1.25.5) and a REAL login shell (bash): each
//! kind of fix applied to real files, the dry run, the refusal paths, the terminal prompt
//! (through a real pseudo-terminal, util-linux `script`) and the undo.
//!
//! Each scenario is a temp world under /tmp: HOME with a go env file and a `.bash_profile`, a
//! workspace folder with go.mod and `.vscode/settings.json`, and a controlled environment
//! (`env_clear()`, then HOME, PATH, SHELL, and `GO_ENV_DOCTOR_USER_SETTINGS` so the developer's
//! own VS Code settings never leak in). Tools come from `bash tests/run.sh`; a missing one fails.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use crate::support;
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const GO: &str = "1.25.5";

struct World {
    _dir: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
    folder: PathBuf,
    env: BTreeMap<String, String>,
}

impl World {
    /// A healthy world: Go 1.25.5 first on PATH for the terminal and the login shell.
    fn new() -> World {
        let dir = tempfile::Builder::new()
            .prefix("gedfix-")
            .tempdir_in("/tmp")
            .unwrap();
        let root = dir.path().canonicalize().unwrap();
        let home = root.join("home");
        let folder = root.join("ws");
        std::fs::create_dir_all(home.join(".config/go")).unwrap();
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("go.mod"), "module example.com/x\n\ngo 1.21\n").unwrap();
        std::fs::write(root.join("user-settings.json"), "{}\n").unwrap();
        // A gopls where VS Code looks (GOPATH/bin): a world with VS Code settings otherwise
        // gets tool-missing, whose fix downloads gopls. Not a Go binary: nothing is judged.
        let gopls = home.join("go/bin/gopls");
        std::fs::create_dir_all(gopls.parent().unwrap()).unwrap();
        std::fs::write(&gopls, "#!/bin/sh\nexit 0\n").unwrap();
        std::fs::set_permissions(&gopls, std::fs::Permissions::from_mode(0o755)).unwrap();
        let go_bin = support::goroot(GO).join("bin");
        std::fs::write(
            home.join(".bash_profile"),
            format!("export PATH={}:$PATH\n", go_bin.display()),
        )
        .unwrap();
        let mut env = BTreeMap::new();
        env.insert("HOME".into(), home.display().to_string());
        env.insert("PATH".into(), format!("{}:/usr/bin:/bin", go_bin.display()));
        env.insert("SHELL".into(), support::shell("bash").display().to_string());
        env.insert(
            "GO_ENV_DOCTOR_USER_SETTINGS".into(),
            root.join("user-settings.json").display().to_string(),
        );
        World {
            _dir: dir,
            root,
            home,
            folder,
            env,
        }
    }

    fn env_file(&self) -> PathBuf {
        self.home.join(".config/go/env")
    }

    fn settings(&self) -> PathBuf {
        self.folder.join(".vscode/settings.json")
    }

    fn write(&self, path: &Path, bytes: &[u8]) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    fn undo_record(&self) -> PathBuf {
        self.home.join(".local/state/go-env-doctor/last-fix.json")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(support::bin());
        cmd.args(args)
            .env_clear()
            .envs(&self.env)
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    fn run(&self, args: &[&str]) -> Run {
        Run::of(self.command(args).output().unwrap(), args)
    }

    /// `fix` on a real terminal, answering `answer` to its question.
    fn run_on_terminal(&self, answer: &str) -> Run {
        let cmdline = format!("{} fix ws", support::bin().display());
        let mut child = Command::new("script")
            .args(["-qec", &cmdline, "/dev/null"])
            .env_clear()
            .envs(&self.env)
            .current_dir(&self.root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("util-linux `script` runs (it provides the pseudo-terminal)");
        {
            use std::io::Write;
            let stdin = child.stdin.as_mut().unwrap();
            // The question comes after the plan (the probes take a moment); the terminal
            // buffers what is typed meanwhile, as it would for a user typing ahead.
            stdin.write_all(format!("{answer}\n").as_bytes()).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        Run::of(out, &["fix", "ws", "(on a terminal)"])
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn of(out: Output, args: &[&str]) -> Run {
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        eprintln!(
            "$ go-env-doctor {}\nexit {}\n--- stdout\n{}--- stderr\n{}",
            args.join(" "),
            run.code,
            run.stdout,
            run.stderr
        );
        run
    }
}

/// A settings file with a BOM, CRLF line ends and a comment, whose go.goroot does not exist;
/// and a go env file whose `GOPROXY=` line empties the proxy list.
fn broken_world() -> (World, Vec<u8>, Vec<u8>) {
    let w = World::new();
    let settings: &[u8] =
        b"\xef\xbb\xbf{\r\n  // mine\r\n  \"go.goroot\": \"/nonexistent/go\",\r\n  \"editor.tabSize\": 4\r\n}\r\n";
    w.write(&w.settings(), settings);
    let env: &[u8] = b"GOPROXY=\nGOFLAGS=-mod=mod\n";
    w.write(&w.env_file(), env);
    (w, settings.to_vec(), env.to_vec())
}

#[test]
fn a_dry_run_shows_each_diff_and_command_and_changes_nothing() {
    let (w, settings, env) = broken_world();
    let r = w.run(&["fix", "ws", "--dry-run"]);
    assert_eq!(r.code, 0, "no error is expected to remain");
    assert!(r.stdout.contains("Found 2 errors"), "{}", r.stdout);
    let settings_path = w.settings().display().to_string();
    assert!(
        r.stdout.contains(&format!("--- a{settings_path}"))
            && r.stdout.contains(&format!("+++ b{settings_path}")),
        "a unified diff of the settings file: {}",
        r.stdout
    );
    assert!(
        r.stdout.contains("-  \"go.goroot\": \"/nonexistent/go\","),
        "{}",
        r.stdout
    );
    let go = support::go_binary(GO).display().to_string();
    assert!(
        r.stdout.contains(&format!("$ {go} env -u GOPROXY")),
        "the command, with the go that runs it: {}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("Dry run: nothing was changed. Afterwards the checks expect 0 errors."),
        "{}",
        r.stdout
    );
    assert_eq!(std::fs::read(w.settings()).unwrap(), settings);
    assert_eq!(std::fs::read(w.env_file()).unwrap(), env);
    assert!(!w.undo_record().exists(), "a dry run keeps no undo record");
}

#[test]
fn without_a_terminal_and_without_yes_it_refuses_and_changes_nothing() {
    let (w, settings, env) = broken_world();
    let r = w.run(&["fix", "ws"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("run with --yes"), "{}", r.stderr);
    assert!(
        r.stdout.contains("Plan (2 changes)"),
        "the plan is shown: {}",
        r.stdout
    );
    assert_eq!(std::fs::read(w.settings()).unwrap(), settings);
    assert_eq!(std::fs::read(w.env_file()).unwrap(), env);
}

#[test]
fn a_terminal_is_asked_once_and_no_changes_nothing() {
    let (w, settings, env) = broken_world();
    let r = w.run_on_terminal("n");
    assert!(
        r.stdout.contains("Apply these changes? [y/N]"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Nothing was changed."), "{}", r.stdout);
    assert_eq!(r.code, 2);
    assert_eq!(std::fs::read(w.settings()).unwrap(), settings);
    assert_eq!(std::fs::read(w.env_file()).unwrap(), env);

    let r = w.run_on_terminal("y");
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.stdout.matches("Apply these changes?").count(), 1);
    assert!(
        r.stdout
            .contains("Before: 2 errors, 0 warnings. After: 0 errors"),
        "{}",
        r.stdout
    );
    assert_ne!(std::fs::read(w.env_file()).unwrap(), env);
}

#[test]
fn fixes_apply_in_place_keeping_bom_crlf_comments_mode_and_symlinks_then_undo_restores_every_byte()
{
    let (w, _, env) = broken_world();
    // The settings file is a symlink into a dotfiles directory, and private.
    let real = w.root.join("dotfiles/vscode-settings.json");
    let settings: &[u8] =
        b"\xef\xbb\xbf{\r\n  // mine\r\n  \"go.goroot\": \"/nonexistent/go\",\r\n  \"editor.tabSize\": 4\r\n}\r\n";
    w.write(&real, settings);
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::remove_file(w.settings()).unwrap();
    std::os::unix::fs::symlink(&real, w.settings()).unwrap();

    let r = w.run(&["fix", "ws", "--yes"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains(&format!(
            "edited {} (through the symlink {})",
            real.display(),
            w.settings().display()
        )),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("ran go env -u GOPROXY"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("Before: 2 errors, 0 warnings. After: 0 errors, 0 warnings."),
        "{}",
        r.stdout
    );
    assert!(std::fs::symlink_metadata(w.settings())
        .unwrap()
        .is_symlink());
    assert_eq!(
        std::fs::read(&real).unwrap(),
        b"\xef\xbb\xbf{\r\n  // mine\r\n  \"editor.tabSize\": 4\r\n}\r\n",
        "only the member went: BOM, CRLF, the comment and the other member stay"
    );
    let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // The real `go env -u` rewrote the env file.
    assert_eq!(
        std::fs::read_to_string(w.env_file()).unwrap(),
        "GOFLAGS=-mod=mod\n"
    );
    let check = w.run(&["check", "ws"]);
    assert_eq!(check.code, 0, "the check agrees: {}", check.stdout);

    let undo = w.run(&["fix", "--undo"]);
    assert_eq!(undo.code, 0);
    assert!(
        undo.stdout.contains("go env -w GOPROXY="),
        "{}",
        undo.stdout
    );
    assert_eq!(std::fs::read(&real).unwrap(), settings);
    assert_eq!(std::fs::read(w.env_file()).unwrap(), env);
    assert!(std::fs::symlink_metadata(w.settings())
        .unwrap()
        .is_symlink());
    let again = w.run(&["fix", "--undo"]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("nothing to undo"), "{}", again.stderr);
}

#[test]
fn undo_leaves_a_file_edited_since_the_fix_alone() {
    let (w, settings, env) = broken_world();
    assert_eq!(w.run(&["fix", "ws", "--yes"]).code, 0);
    let mine = b"{ \"editor.tabSize\": 8 }\n";
    std::fs::write(w.settings(), mine).unwrap();
    let undo = w.run(&["fix", "--undo"]);
    assert_eq!(undo.code, 1);
    assert!(
        undo.stdout.contains(&format!(
            "NOT restored {}: changed since the fix run",
            w.settings().display()
        )),
        "{}",
        undo.stdout
    );
    assert_eq!(
        std::fs::read(w.settings()).unwrap(),
        mine,
        "the user's edit stays"
    );
    assert_eq!(
        std::fs::read(w.env_file()).unwrap(),
        env,
        "the rest is undone"
    );
    assert_ne!(settings, mine);
}

#[test]
fn only_and_side_choose_what_is_fixed_and_say_what_remains() {
    let (w, settings, env) = broken_world();
    let r = w.run(&["fix", "ws", "--yes", "--only", "goproxy-empty"]);
    assert_eq!(r.code, 1, "goroot-missing remains");
    assert_eq!(std::fs::read(w.settings()).unwrap(), settings);
    assert_ne!(std::fs::read(w.env_file()).unwrap(), env);
    assert!(r.stdout.contains("goroot-missing"), "{}", r.stdout);
    assert!(r.stdout.contains("not selected (--only)"), "{}", r.stdout);

    let (w, settings, env) = broken_world();
    let r = w.run(&["fix", "ws", "--yes", "--side", "editor"]);
    assert_eq!(r.code, 1, "the shell's GOPROXY remains");
    assert_ne!(std::fs::read(w.settings()).unwrap(), settings);
    assert_eq!(std::fs::read(w.env_file()).unwrap(), env);

    let bad = w.run(&["fix", "ws", "--only", "goroot-mising"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("did you mean goroot-missing"),
        "{}",
        bad.stderr
    );
}

#[test]
fn a_goroot_line_that_stops_go_from_running_is_removed_from_the_env_file_directly() {
    let w = World::new();
    let env = "GOPROXY=https://proxy.golang.org,direct\nGOROOT=/nonexistent/goroot\n";
    w.write(&w.env_file(), env.as_bytes());
    let dry = w.run(&["fix", "ws", "--dry-run"]);
    assert!(
        dry.stdout.contains("-GOROOT=/nonexistent/goroot"),
        "a line removal, not `go env -u` (go cannot run): {}",
        dry.stdout
    );
    let r = w.run(&["fix", "ws", "--yes"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        std::fs::read_to_string(w.env_file()).unwrap(),
        "GOPROXY=https://proxy.golang.org,direct\n"
    );
    assert_eq!(w.run(&["fix", "--undo"]).code, 0);
    assert_eq!(std::fs::read_to_string(w.env_file()).unwrap(), env);
}

#[test]
fn a_missing_cache_directory_is_created_and_undo_removes_what_it_created() {
    let w = World::new();
    let link = w.home.join("cache-link");
    let target = w.root.join("missing/go-build");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    w.write(
        &w.env_file(),
        format!("GOCACHE={}\n", link.display()).as_bytes(),
    );
    let r = w.run(&["fix", "ws", "--yes"]);
    assert!(
        r.stdout.contains(&format!("created {}", target.display())),
        "{}",
        r.stdout
    );
    assert!(target.is_dir());
    assert_eq!(r.code, 0);
    assert_eq!(w.run(&["fix", "--undo"]).code, 0);
    assert!(!target.exists() && !w.root.join("missing").exists());
}

#[test]
fn the_build_cache_is_emptied_only_with_its_flag_after_showing_what_goes() {
    let w = World::new();
    let cache = w.root.join("gocache");
    for sub in ["00", "5d"] {
        w.write(&cache.join(sub).join("entry-d"), &[7u8; 2048]);
    }
    w.write(
        &cache.join("README"),
        b"This directory holds cached build artifacts from the Go build system.\n",
    );
    w.write(
        &w.env_file(),
        format!("GOCACHE={}\n", cache.display()).as_bytes(),
    );
    let r = w.run(&["fix", "ws", "--yes"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("Nothing to apply."), "{}", r.stdout);
    assert!(
        cache.join("00/entry-d").exists(),
        "never without --clean-cache"
    );

    let dry = w.run(&["fix", "ws", "--dry-run", "--clean-cache"]);
    assert!(
        dry.stdout.contains("Empty the build cache") && dry.stdout.contains("4.0 KiB in 2 files"),
        "what `go clean -cache -n` lists, measured: {}",
        dry.stdout
    );
    assert!(cache.join("00/entry-d").exists());

    let r = w.run(&["fix", "ws", "--yes", "--clean-cache"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stderr.contains("go clean -cache -n lists 2 entries"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("emptied the build cache"), "{}", r.stdout);
    assert!(!cache.join("00").exists() && !cache.join("5d").exists());
    let undo = w.run(&["fix", "--undo"]);
    assert!(
        undo.stdout
            .contains("cannot be undone: emptied the build cache"),
        "{}",
        undo.stdout
    );
}

#[test]
fn a_go_inside_an_untrusted_workspace_is_never_run_by_a_fix() {
    let (w, _, env) = broken_world();
    // The login shell puts the workspace's own `go` first: a stranger's script.
    let marker = w.root.join("ran");
    let fake = w.folder.join("bin/go");
    w.write(
        &fake,
        format!("#!/bin/sh\ntouch {}\nexit 1\n", marker.display()).as_bytes(),
    );
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(
        w.home.join(".bash_profile"),
        format!("export PATH={}:$PATH\n", fake.parent().unwrap().display()),
    )
    .unwrap();
    let mut env_map = w.env.clone();
    env_map.insert(
        "PATH".into(),
        format!("{}:/usr/bin:/bin", fake.parent().unwrap().display()),
    );
    let out = Command::new(support::bin())
        .args(["fix", "ws", "--yes", "--only", "goproxy-empty"])
        .env_clear()
        .envs(&env_map)
        .current_dir(&w.root)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let r = Run::of(out, &["fix", "ws", "--yes", "--only", "goproxy-empty"]);
    assert!(!marker.exists(), "the workspace's go ran");
    assert_eq!(std::fs::read(w.env_file()).unwrap(), env);
    assert_ne!(r.code, 0);
}

#[test]
fn a_go_work_below_its_modules_gets_its_go_line_raised() {
    let w = World::new();
    w.write(
        &w.folder.join("a/go.mod"),
        b"module example.com/a\n\ngo 1.25.0\n",
    );
    w.write(
        &w.folder.join("go.work"),
        b"go 1.21\r\n\r\nuse (\r\n\t.\r\n\t./a\r\n)\r\n",
    );
    let r = w.run(&["fix", "ws", "--yes"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        std::fs::read(w.folder.join("go.work")).unwrap(),
        b"go 1.25.0\r\n\r\nuse (\r\n\t.\r\n\t./a\r\n)\r\n"
    );
}

#[test]
fn go_env_w_runs_with_the_login_shells_go_under_zsh_and_undo_restores_the_env_file() {
    let mut w = World::new();
    let go_bin = support::goroot(GO).join("bin");
    std::fs::write(
        w.home.join(".zprofile"),
        format!("export PATH={}:$PATH\n", go_bin.display()),
    )
    .unwrap();
    w.env
        .insert("SHELL".into(), support::shell("zsh").display().to_string());
    w.write(
        &w.folder.join("go.mod"),
        b"module example.com/x\n\ngo 1.26.0\n",
    );
    w.write(&w.env_file(), b"GOTOOLCHAIN=local\n");
    let r = w.run(&["fix", "ws", "--yes"]);
    assert!(
        r.stdout.contains("1. ran go env -w GOTOOLCHAIN=auto"),
        "{}",
        r.stdout
    );
    assert_eq!(r.code, 0);
    assert_eq!(
        std::fs::read_to_string(w.env_file()).unwrap(),
        "GOTOOLCHAIN=auto\n"
    );
    let undo = w.run(&["fix", "--undo"]);
    assert!(
        undo.stdout
            .contains("the same as: go env -w GOTOOLCHAIN=local"),
        "{}",
        undo.stdout
    );
    assert_eq!(
        std::fs::read_to_string(w.env_file()).unwrap(),
        "GOTOOLCHAIN=local\n"
    );
}

#[test]
fn golands_workspace_xml_is_edited_in_place() {
    let w = World::new();
    let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project version=\"4\">\n  <component name=\"ChangeListManager\">\n    <list default=\"true\" id=\"1\" name=\"Changes\" comment=\"Première 🚀\" />\n  </component>\n  <component name=\"GOROOT\" url=\"file:///nonexistent/sdk/go1.21.13\" />\n</project>\n";
    let file = w.folder.join(".idea/workspace.xml");
    w.write(&file, xml.as_bytes());
    let r = w.run(&["fix", "ws", "--yes", "--side", "editor"]);
    assert_eq!(r.code, 0);
    let after = std::fs::read_to_string(&file).unwrap();
    let goroot = support::goroot(GO).display().to_string();
    assert!(
        after.contains(&format!("url=\"file://{goroot}\"")),
        "GoLand now uses the shell's SDK: {after}"
    );
    assert_eq!(
        after.replace(
            &format!("file://{goroot}"),
            "file:///nonexistent/sdk/go1.21.13"
        ),
        xml,
        "nothing else changed"
    );
    assert_eq!(w.run(&["fix", "--undo"]).code, 0);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), xml);
}

#[test]
fn the_module_cache_is_emptied_only_with_its_own_flag() {
    let w = World::new();
    let modcache = w.root.join("gomodcache");
    let module = modcache.join("example.com/m@v1.0.0");
    w.write(&module.join("m.go"), b"package m\n");
    // As cmd/go leaves them: read-only.
    std::fs::set_permissions(&module, std::fs::Permissions::from_mode(0o555)).unwrap();
    w.write(
        &w.env_file(),
        format!("GOMODCACHE={}\n", modcache.display()).as_bytes(),
    );
    assert_eq!(w.run(&["fix", "ws", "--yes", "--clean-cache"]).code, 0);
    assert!(
        module.join("m.go").exists(),
        "--clean-cache leaves the module cache"
    );
    let dry = w.run(&["fix", "ws", "--dry-run", "--clean-modcache"]);
    assert!(
        dry.stdout.contains(&format!(
            "Empty the module cache {} (go clean -modcache)",
            modcache.display()
        )),
        "{}",
        dry.stdout
    );
    assert!(module.join("m.go").exists());
    let r = w.run(&["fix", "ws", "--yes", "--clean-modcache"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("emptied the module cache"),
        "{}",
        r.stdout
    );
    assert!(!module.exists());
}

/// tool-missing's fix through `go-env-doctor fix`, for real: `go install` runs with the real
/// Go 1.25.5 and builds the tool into the directory VS Code searches. There is no network here,
/// so what it installs is a LOCAL STAND-IN: a tiny module with gopls's module path
/// (`golang.org/x/tools/gopls`, a `main` that prints a line) served by a `file://` GOPROXY in
/// the go env file — the command, the environment, the trust gate and the process handling are
/// the ones a real `gopls@latest` install goes through.
#[test]
fn a_missing_gopls_is_installed_where_vs_code_looks_with_the_real_go() {
    let w = World::new();
    std::fs::remove_file(w.home.join("go/bin/gopls")).unwrap();
    // VS Code settings for the folder: VS Code's view of it is checked.
    w.write(&w.settings(), b"{\n  \"editor.tabSize\": 4\n}\n");
    let proxy = w.root.join("proxy");
    let version = "v0.99.0";
    support::modproxy::main_module(
        &proxy,
        "golang.org/x/tools/gopls",
        version,
        "stand-in gopls",
    );
    // The stand-in is in no checksum database: GONOSUMDB exempts its path (GOSUMDB stays on).
    w.write(
        &w.env_file(),
        format!(
            "GOPROXY=file://{}\nGONOSUMDB=golang.org/x/tools/gopls\nGOFLAGS=-modcacherw\n",
            proxy.display()
        )
        .as_bytes(),
    );

    let before = w.run(&["check", "ws", "--format", "json"]);
    assert!(
        before.stdout.contains("\"tool-missing\""),
        "VS Code finds no gopls: {}",
        before.stdout
    );
    let gobin = w.home.join("go/bin");
    let command = format!(
        "GOBIN={} go install golang.org/x/tools/gopls@latest",
        gobin.display()
    );
    let r = w.run(&["fix", "ws", "--only", "tool-missing", "--yes"]);
    assert!(
        r.stdout
            .contains(&format!("Install gopls into ~/go/bin: `{command}`")),
        "the plan shows the command: {}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!(
            "installed {} ({command})",
            gobin.join("gopls").display()
        )),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains(&format!("$ {command}")), "{}", r.stderr);
    assert!(
        r.stderr.contains("go install gopls"),
        "progress is reported: {}",
        r.stderr
    );

    // The real Go says what was built: the stand-in's module, by Go 1.25.5, for this machine.
    let m = Command::new(support::go_binary(GO))
        .args(["version", "-m"])
        .arg(gobin.join("gopls"))
        .env_clear()
        .env("HOME", &w.home)
        .output()
        .unwrap();
    let m = String::from_utf8_lossy(&m.stdout);
    assert!(m.contains(&format!("go{GO}")), "{m}");
    assert!(m.contains("\tpath\tgolang.org/x/tools/gopls"), "{m}");
    assert!(
        m.contains(&format!("\tmod\tgolang.org/x/tools/gopls\t{version}")),
        "{m}"
    );
    let ran = Command::new(gobin.join("gopls")).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&ran.stdout), "stand-in gopls\n");

    let after = w.run(&["check", "ws", "--format", "json"]);
    assert!(
        !after.stdout.contains("\"tool-missing\""),
        "the finding is gone: {}",
        after.stdout
    );
}

/// A gopls built for another architecture (cross-built here by the real Go from the same LOCAL
/// STAND-IN module as above, there being no network) where VS Code looks for it: the fix
/// reinstalls the same module version with the real Go into that directory, for this machine.
#[test]
fn a_gopls_for_another_arch_is_reinstalled_for_this_machine_with_the_real_go() {
    let w = World::new();
    w.write(&w.settings(), b"{\n  \"editor.tabSize\": 4\n}\n");
    let proxy = w.root.join("proxy");
    let version = "v0.99.0";
    support::modproxy::main_module(
        &proxy,
        "golang.org/x/tools/gopls",
        version,
        "stand-in gopls",
    );
    let env_file = format!(
        "GOPROXY=file://{}\nGONOSUMDB=golang.org/x/tools/gopls\nGOFLAGS=-modcacherw\n",
        proxy.display()
    );
    w.write(&w.env_file(), env_file.as_bytes());
    let other = if std::env::consts::ARCH == "aarch64" {
        "amd64"
    } else {
        "arm64"
    };
    // Without GOBIN, go puts a cross-built binary under GOPATH/bin/linux_<arch>.
    let xgopath = w.root.join("xgopath");
    let built = Command::new(support::go_binary(GO))
        .args(["install", &format!("golang.org/x/tools/gopls@{version}")])
        .env_clear()
        .env("HOME", &w.home)
        .env("PATH", &w.env["PATH"])
        .env("GOPATH", &xgopath)
        .env("GOOS", "linux")
        .env("GOARCH", other)
        .env("GOTOOLCHAIN", "local")
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let gobin = w.home.join("go/bin");
    std::fs::copy(
        xgopath.join(format!("bin/linux_{other}/gopls")),
        gobin.join("gopls"),
    )
    .unwrap();

    let command = format!(
        "GOBIN={} go install golang.org/x/tools/gopls@{version}",
        gobin.display()
    );
    let before = w.run(&["check", "ws", "--format", "json"]);
    assert!(
        before.stdout.contains("\"tool-wrong-arch\""),
        "VS Code finds a gopls for linux/{other}: {}",
        before.stdout
    );
    assert!(
        before
            .stdout
            .contains(&format!("Install gopls into ~/go/bin: `{command}`")),
        "the reinstall is offered: {}",
        before.stdout
    );
    let r = w.run(&["fix", "ws", "--only", "tool-wrong-arch", "--yes"]);
    assert!(
        r.stdout.contains(&format!(
            "installed {} ({command})",
            gobin.join("gopls").display()
        )),
        "{}\n{}",
        r.stdout,
        r.stderr
    );
    let ran = Command::new(gobin.join("gopls")).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&ran.stdout), "stand-in gopls\n");
    let after = w.run(&["check", "ws", "--format", "json"]);
    assert!(
        !after.stdout.contains("\"tool-wrong-arch\""),
        "the finding is gone: {}",
        after.stdout
    );
}
