//! Root-cause attribution through `check --format json`, with real shells and real startup
//! files in a temp HOME: bash and zsh are traced (file and line asserted), fish, tcsh and dash
//! cannot trace lines, so their startup files are read and the message says so (or says
//! "unknown" when no startup file shows it). Version managers are not installed here: their
//! shims are plain scripts at the managers' shim paths that run a real Go, which is all a shim
//! is to the tool (it reads the managers' files, never runs the managers).

#![allow(clippy::unwrap_used)]

use crate::support;
use crate::support::cli::{prepend_path, Scenario};
use serde_json::Value;
use std::path::Path;

const OLD: &str = "1.22.10";
const NEW: &str = "1.25.5";

/// The terminal (`check`'s editor side) runs Go 1.22.10 from its PATH; the login shell's
/// startup files put Go 1.25.5 first.
fn world() -> Scenario {
    let mut s = Scenario::new();
    s.editor_path(&[&support::goroot(OLD)]);
    s
}

fn related(f: &Value) -> Vec<(String, u64, String)> {
    f["related"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    (
                        r["path"].as_str().unwrap_or("").to_string(),
                        r["line"].as_u64().unwrap_or(0),
                        r["note"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn has_related(f: &Value, path: &Path, line: u64) -> bool {
    related(f)
        .iter()
        .any(|(p, l, _)| Path::new(p) == path && *l == line)
}

fn message(f: &Value) -> String {
    f["message"].as_str().unwrap_or("").to_string()
}

fn shell_arg(name: &str) -> String {
    support::shell(name).display().to_string()
}

#[test]
fn bash_names_the_line_of_bashrc_that_puts_the_shells_go_on_path_and_redacts_secrets() {
    let mut s = world();
    s.set("RUST_LOG", "go_env_doctor=debug");
    s.bash_profile("# login\n[ -f ~/.bashrc ] && . ~/.bashrc\n");
    s.home_file(
        ".bashrc",
        &format!(
            "# go\nexport GOPROXY=https://user:hunter2secret@proxy.example.com\n{}",
            prepend_path(&support::goroot(NEW))
        ),
    );
    let r = s.check(&["--shell", &shell_arg("bash")]);
    let bashrc = s.home.join(".bashrc");
    let f = r.expect("go-version-mismatch", "warning");
    assert!(has_related(f, &bashrc, 3), "{}", r.context());
    let m = message(f);
    assert!(
        m.contains("This terminal's PATH lacks") && m.contains("~/.bashrc:3 adds"),
        "{}",
        r.context()
    );
    let p = r.expect("goproxy-mismatch", "warning");
    assert!(has_related(p, &bashrc, 2), "{}", r.context());
    assert!(message(p).contains("~/.bashrc:2"), "{}", r.context());
    assert!(
        related(p).iter().any(|(_, _, n)| n.contains("user:***@")),
        "{}",
        r.context()
    );
    // Never in the report, the log, or anywhere else the run printed.
    assert!(!r.run.stdout.contains("hunter2secret"), "{}", r.context());
    assert!(!r.run.stderr.contains("hunter2secret"), "{}", r.context());
    assert!(
        r.run
            .stderr
            .contains("traced the login shell for attribution"),
        "{}",
        r.context()
    );
}

#[test]
fn zsh_names_the_line_of_a_path_array_and_of_an_export() {
    let mut s = world();
    s.set("RUST_LOG", "go_env_doctor=debug");
    s.home_file(
        ".zshrc",
        &format!(
            "# z\nexport GOFLAGS=-mod=mod\npath=({}/bin $path)\nexport MY_TOKEN=zsh-token-s3cret\n",
            support::goroot(NEW).display()
        ),
    );
    let r = s.check(&["--shell", &shell_arg("zsh")]);
    let zshrc = s.home.join(".zshrc");
    let f = r.expect("go-version-mismatch", "warning");
    assert!(has_related(f, &zshrc, 3), "{}", r.context());
    assert!(message(f).contains("~/.zshrc:3 adds"), "{}", r.context());
    assert!(!message(f).contains("not traced"), "{}", r.context());
    // zsh traces on stderr: none of it reaches the log (a token in a plain variable is not
    // something redaction could recognise).
    assert!(
        r.run
            .stderr
            .contains("traced the login shell for attribution"),
        "{}",
        r.context()
    );
    assert!(
        !r.run.stderr.contains("zsh-token-s3cret"),
        "{}",
        r.context()
    );
    assert!(
        !r.run.stdout.contains("zsh-token-s3cret"),
        "{}",
        r.context()
    );
}

#[test]
fn fish_and_tcsh_lines_are_read_from_their_startup_files_and_say_so() {
    let new_bin = support::goroot(NEW).join("bin");
    let s = world();
    let config = s.home.join(".config/fish/config.fish");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        format!(
            "set -gx GOPROXY https://proxy.example.com\nfish_add_path {}\n",
            new_bin.display()
        ),
    )
    .unwrap();
    let r = s.check(&["--shell", &shell_arg("fish")]);
    let f = r.expect("go-version-mismatch", "warning");
    assert!(has_related(f, &config, 2), "{}", r.context());
    assert!(
        message(f).contains("(read from the file, not traced)"),
        "{}",
        r.context()
    );
    let p = r.expect("goproxy-mismatch", "warning");
    assert!(has_related(p, &config, 1), "{}", r.context());

    let s = world();
    s.home_file(
        ".tcshrc",
        &format!(
            "setenv GOPROXY https://proxy.example.com\nset path = ( {} $path )\n",
            new_bin.display()
        ),
    );
    let r = s.check(&["--shell", &shell_arg("tcsh")]);
    let tcshrc = s.home.join(".tcshrc");
    let f = r.expect("go-version-mismatch", "warning");
    assert!(has_related(f, &tcshrc, 2), "{}", r.context());
    assert!(
        message(f).contains("(read from the file, not traced)"),
        "{}",
        r.context()
    );
    assert!(
        has_related(r.expect("goproxy-mismatch", "warning"), &tcshrc, 1),
        "{}",
        r.context()
    );
}

#[test]
fn dash_says_unknown_when_no_startup_file_names_the_directory() {
    let s = world();
    // ~/.profile sources another file, which dash cannot report and the documented files do
    // not name: the message says the line is unknown instead of guessing.
    s.home_file(".profile", ". \"$HOME/go-setup.sh\"\n");
    s.home_file("go-setup.sh", &prepend_path(&support::goroot(NEW)));
    let r = s.check(&["--shell", &shell_arg("dash")]);
    let f = r.expect("go-version-mismatch", "warning");
    let m = message(f);
    assert!(
        m.contains("is unknown") && m.contains("dash cannot report"),
        "{}",
        r.context()
    );
    assert!(related(f).is_empty(), "{}", r.context());

    // With the line in ~/.profile itself, reading finds it.
    let s = world();
    s.home_file(
        ".profile",
        &format!("# p\n{}", prepend_path(&support::goroot(NEW))),
    );
    let r = s.check(&["--shell", &shell_arg("dash")]);
    let f = r.expect("go-version-mismatch", "warning");
    assert!(
        has_related(f, &s.home.join(".profile"), 2),
        "{}",
        r.context()
    );
}

#[test]
fn nothing_is_traced_when_the_sides_agree() {
    let mut s = Scenario::new();
    s.editor_path(&[&support::goroot(NEW)]);
    s.set("RUST_LOG", "go_env_doctor=debug");
    s.bash_profile(&prepend_path(&support::goroot(NEW)));
    let r = s.check(&["--shell", &shell_arg("bash")]);
    r.absent("go-version-mismatch");
    assert!(
        r.findings().iter().all(|f| related(f).is_empty()),
        "{}",
        r.context()
    );
    assert!(
        !r.run
            .stderr
            .contains("traced the login shell for attribution"),
        "{}",
        r.context()
    );
}

/// A plain script at `rel` under HOME that runs the real Go `version` (what a shim does after
/// its manager picked the version).
fn shim(s: &Scenario, rel: &str, version: &str) -> std::path::PathBuf {
    let p = s.home.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(
        &p,
        format!(
            "#!/bin/sh\nexec '{}' \"$@\"\n",
            support::go_binary(version).display()
        ),
    )
    .unwrap();
    support::cli::chmod(&p, 0o755);
    p
}

#[test]
fn a_mise_shim_says_which_file_selects_the_version() {
    let s = world();
    let go = shim(&s, ".local/share/mise/shims/go", NEW);
    s.bash_profile(&format!(
        "export PATH=\"{}:$PATH\"\n",
        go.parent().unwrap().display()
    ));
    let toml = s.folder.join(".mise.toml");
    std::fs::write(&toml, "[tools]\ngo = \"1.25.5\"\n").unwrap();
    let r = s.check(&["--shell", &shell_arg("bash")]);
    let f = r.expect("go-version-mismatch", "warning");
    assert!(
        message(f).contains("mise selects Go 1.25.5 in this folder from"),
        "{}",
        r.context()
    );
    assert!(has_related(f, &toml, 2), "{}", r.context());
}

#[test]
fn asdf_and_goenv_shims_walk_up_and_fall_back_to_the_global_file() {
    // asdf: a .tool-versions in a parent of the folder.
    let s = world();
    let go = shim(&s, ".asdf/shims/go", NEW);
    s.bash_profile(&format!(
        "export PATH=\"{}:$PATH\"\n",
        go.parent().unwrap().display()
    ));
    let tv = s.root.join(".tool-versions");
    std::fs::write(&tv, "nodejs 20.1.0\ngolang 1.25.5\n").unwrap();
    let r = s.check(&["--shell", &shell_arg("bash")]);
    let f = r.expect("go-version-mismatch", "warning");
    assert!(
        message(f).contains("asdf selects Go 1.25.5 in this folder from"),
        "{}",
        r.context()
    );
    assert!(has_related(f, &tv, 2), "{}", r.context());

    // goenv: no .go-version anywhere up, so ~/.goenv/version.
    let s = world();
    let go = shim(&s, ".goenv/shims/go", NEW);
    s.bash_profile(&format!(
        "export PATH=\"{}:$PATH\"\n",
        go.parent().unwrap().display()
    ));
    s.home_file(".goenv/version", "1.25.5\n");
    let r = s.check(&["--shell", &shell_arg("bash")]);
    let f = r.expect("go-version-mismatch", "warning");
    assert!(
        message(f).contains("goenv selects Go 1.25.5 in this folder from ~/.goenv/version:1"),
        "{}",
        r.context()
    );
}

#[test]
fn an_envrc_the_editor_did_not_load_is_a_finding_located_in_it() {
    // The login shell sets its own GOPROXY; the folder's .envrc another, which neither the
    // terminal `check` runs in nor the login shell (no prompt, no direnv hook) loaded.
    let s = world();
    s.bash_profile(&format!(
        "export GOPROXY=https://shell.example.com\n{}",
        prepend_path(&support::goroot(OLD))
    ));
    let envrc = s.folder.join(".envrc");
    std::fs::write(
        &envrc,
        "# direnv\nexport GOPROXY=https://corp.example.com\n",
    )
    .unwrap();
    let r = s.check(&["--shell", &shell_arg("bash")]);
    let f = r.expect("envrc-not-loaded", "info");
    r.located(f, &envrc, 2);
    assert!(
        message(f).contains("this terminal does not have"),
        "{}",
        r.context()
    );
    let m = r.expect("goproxy-mismatch", "warning");
    assert!(has_related(m, &envrc, 2), "{}", r.context());
    assert!(
        has_related(m, &s.home.join(".bash_profile"), 1),
        "{}",
        r.context()
    );
    assert!(
        message(m).contains("only a shell with direnv's hook loads"),
        "{}",
        r.context()
    );
}

#[test]
fn a_gvm_go_says_it_was_chosen_with_gvm_use_and_sarif_carries_related_locations() {
    let s = world();
    let go = shim(&s, ".gvm/gos/go1.25.5/bin/go", NEW);
    s.bash_profile(&format!(
        "# gvm use go1.25.5\nexport PATH=\"{}:$PATH\"\n",
        go.parent().unwrap().display()
    ));
    let r = s.check(&["--shell", &shell_arg("bash")]);
    let f = r.expect("go-version-mismatch", "warning");
    assert!(
        message(f).contains(
            "your shell's `go` is gvm's Go 1.25.5 (chosen with `gvm use`, not from a file)"
        ) || message(f).contains(
            "Your shell's `go` is gvm's Go 1.25.5 (chosen with `gvm use`, not from a file)"
        ),
        "{}",
        r.context()
    );
    assert!(
        has_related(f, &s.home.join(".bash_profile"), 2),
        "{}",
        r.context()
    );

    let folder = s.folder.display().to_string();
    let b = shell_arg("bash");
    let run = s.run(&["check", &folder, "--format", "sarif", "--shell", &b]);
    let sarif: Value = serde_json::from_str(&run.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let mismatch = results
        .iter()
        .find(|x| x["ruleId"] == "go-version-mismatch")
        .unwrap();
    let related = mismatch["relatedLocations"].as_array().unwrap();
    assert!(
        related
            .iter()
            .any(|l| l["physicalLocation"]["region"]["startLine"] == 2
                && l["message"]["text"]
                    .as_str()
                    .unwrap_or("")
                    .contains("on your login shell's PATH")),
        "{}",
        run.stdout
    );
}
