//! A REAL client: Debian's Vim with ALE (`vim-ale`), provisioned by `tests/provision.sh`,
//! sourcing the user-facing `editors/vim/go_env_doctor.vim` and running `go-env-doctor serve`
//! against REAL Go toolchains and a REAL login shell (bash).
//!
//! The test writes a temp world (HOME whose `.bash_profile` puts Go 1.22.10 first, a workspace
//! with go.mod and no VCS), runs `vim -N -u <vimrc> -i NONE -es` with Go 1.21.13 first on its
//! PATH and a driver that lints go.mod (`:ALELint`), waits with bounded `:sleep` loops (Vim runs
//! job and channel callbacks while it sleeps), asks for code actions the way `:ALECodeAction`
//! does (`ale#codefix#Execute`, which sends no `data` back), runs `:GoEnvDoctorSetup`, writes
//! what it saw to a JSON file and quits. Vim is killed if it outlives [`VIM_DEADLINE`];
//! afterwards no process of the world may be left.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use crate::support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GO121: &str = "1.21.13";
const GO122: &str = "1.22.10";
const VIM_DEADLINE: Duration = Duration::from_secs(300);

const DRIVER: &str = r#"
let s:result = {}
let s:actions = v:null

function! s:Wait(ms, Cond) abort
  let l:start = reltime()
  while !a:Cond() && reltimefloat(reltime(l:start)) * 1000 < a:ms
    sleep 50m
  endwhile
  return a:Cond()
endfunction

function! s:Mine(buf) abort
  let l:list = get(get(g:ale_buffer_info, a:buf, {}), 'loclist', [])
  return filter(copy(l:list), {_, v -> get(v, 'linter_name', '') is# 'go_env_doctor'})
endfunction

function! s:Menu(data, items) abort
  let s:actions = a:items
endfunction

try
  execute 'edit' fnameescape($GED_FILE)
  let s:buf = bufnr('')
  let s:result.filetype = &filetype
  ALELint
  call s:Wait(120000, {-> !empty(s:Mine(s:buf))})
  let s:result.diagnostics = map(s:Mine(s:buf),
  \ {_, v -> {'code': get(v, 'code', ''), 'text': v.text, 'lnum': v.lnum, 'col': v.col}})
  if !empty(s:result.diagnostics)
    let s:d = s:result.diagnostics[0]
    call cursor(s:d.lnum, s:d.col)
    call ale#codefix#Execute(0, function('s:Menu'))
    call s:Wait(60000, {-> s:actions isnot v:null})
    let s:result.actions = map(copy(s:actions is v:null ? [] : s:actions), {_, v -> v[1]})
    " :GoEnvDoctorSetup asks for the actions itself and runs the editorSetup one.
    if !empty(filter(copy(s:result.actions), {_, a -> type(get(a, 'command', '')) is v:t_dict
    \ && a.command.command is# 'goEnvDoctor.editorSetup'}))
      GoEnvDoctorSetup
      call s:Wait(60000, {-> exists('g:go_env_doctor_setup')})
    endif
    let s:result.setup = get(g:, 'go_env_doctor_setup', v:null)
  endif
catch
  let s:result.error = v:exception . ' at ' . v:throwpoint
endtry
call writefile([json_encode(s:result)], $GED_RESULT)
qa!
"#;

struct World {
    _dir: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
    folder: PathBuf,
}

impl World {
    fn new() -> World {
        let dir = tempfile::Builder::new()
            .prefix("ged-vim-")
            .tempdir_in("/tmp")
            .unwrap();
        let root = dir.path().canonicalize().unwrap();
        let home = root.join("home");
        let folder = root.join("ws");
        std::fs::create_dir_all(home.join(".config/go")).unwrap();
        std::fs::create_dir_all(&folder).unwrap();
        World {
            _dir: dir,
            root,
            home,
            folder,
        }
    }

    /// Run Vim with ALE and the repo's adapter on `file`, with `path` as Vim's own PATH (what
    /// the server inherits: the editor side).
    fn vim(&self, file: &Path, path: &str) -> Value {
        let adapter =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../editors/vim/go_env_doctor.vim");
        assert!(adapter.is_file(), "{} is missing", adapter.display());
        let user_settings = self.root.join("user-settings.json");
        std::fs::write(&user_settings, "{}\n").unwrap();
        let options = serde_json::json!({
            "shell": support::shell("bash"),
            "shellTimeoutSeconds": 30,
            "trusted": true,
            "userSettings": user_settings,
        });
        let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
        // What a user's vimrc does (Debian: `packadd! ale`; here ALE's directory directly).
        let vimrc = format!(
            "set nocompatible\n\
             let &runtimepath = {ale} . ',' . &runtimepath\n\
             filetype plugin on\n\
             runtime! plugin/ale.vim\n\
             let g:ale_linters_explicit = 1\n\
             let g:ale_linters = {{'gomod': ['go_env_doctor'], 'json': ['go_env_doctor'], 'jsonc': ['go_env_doctor'], 'xml': ['go_env_doctor']}}\n\
             let g:go_env_doctor_executable = {bin}\n\
             let g:go_env_doctor_options = json_decode({options})\n\
             source {adapter}\n",
            ale = quote(&support::vim_ale().display().to_string()),
            bin = quote(&support::bin().display().to_string()),
            options = quote(&options.to_string()),
            adapter = adapter.display(),
        );
        let rc = self.root.join("vimrc");
        std::fs::write(&rc, vimrc).unwrap();
        let driver = self.root.join("driver.vim");
        std::fs::write(&driver, DRIVER).unwrap();
        let result = self.root.join("result.json");
        let mut child = Command::new(support::vim())
            .args(["-N", "-i", "NONE", "-es", "-u"])
            .arg(&rc)
            .arg("-c")
            .arg(format!("source {}", driver.display()))
            .env_clear()
            .env("HOME", &self.home)
            .env("PATH", path)
            .env("SHELL", support::shell("bash"))
            .env("TERM", "dumb")
            .env("GED_FILE", file)
            .env("GED_RESULT", &result)
            .env("RUST_LOG", "go_env_doctor=warn")
            .current_dir(&self.folder)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > VIM_DEADLINE {
                let _ = child.kill();
                let _ = child.wait();
                panic!("vim did not finish within {VIM_DEADLINE:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let text = std::fs::read_to_string(&result)
            .unwrap_or_else(|e| panic!("vim ({status:?}) wrote no result: {e}"));
        let value: Value = serde_json::from_str(text.trim()).unwrap();
        eprintln!("vim result: {value:#}");
        assert!(
            value.get("error").is_none(),
            "driver failed: {}",
            value["error"]
        );
        self.assert_no_leftovers();
        value
    }

    /// No process of this world is left once Vim quit (the server, a login shell, a probe).
    fn assert_no_leftovers(&self) {
        let root = self.root.display().to_string();
        let home = format!("HOME={}", self.home.display());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let mut left = Vec::new();
            for entry in std::fs::read_dir("/proc").unwrap().filter_map(Result::ok) {
                let pid = entry.file_name().to_string_lossy().to_string();
                if !pid.bytes().all(|b| b.is_ascii_digit()) {
                    continue;
                }
                let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
                let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
                let environ = std::fs::read(entry.path().join("environ")).unwrap_or_default();
                let mine = cmdline.contains(&root)
                    || environ.split(|b| *b == 0).any(|v| v == home.as_bytes());
                if mine && !cmdline.is_empty() {
                    left.push(format!("{pid}: {cmdline}"));
                }
            }
            if left.is_empty() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "processes left after Vim quit: {left:#?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Vim runs with Go 1.21.13 first on PATH, the login shell with 1.22.10: ALE shows a
/// diagnostic on go.mod naming Vim (never VS Code), `:ALECodeAction`'s request gets at least
/// one action although ALE sends no `data` back, and `:GoEnvDoctorSetup` gets Vimscript that
/// puts the shell's Go first on Vim's PATH.
#[test]
fn vim_ale_go_mod_finding_names_vim_and_has_code_actions() {
    let w = World::new();
    let go121 = support::goroot(GO121);
    let go122 = support::goroot(GO122);
    let go_mod = w.folder.join("go.mod");
    std::fs::write(&go_mod, "module example.com/hello\n\ngo 1.21\n").unwrap();
    std::fs::write(
        w.home.join(".bash_profile"),
        format!("export PATH=\"{}/bin:$PATH\"\n", go122.display()),
    )
    .unwrap();
    let path = format!("{}/bin:/usr/bin:/bin", go121.display());

    let r = w.vim(&go_mod, &path);
    assert_eq!(r["filetype"], "gomod", "{r:#}");
    let diags = r["diagnostics"].as_array().unwrap();
    assert!(
        !diags.is_empty(),
        "ALE showed no go-env-doctor diagnostic: {r:#}"
    );
    for d in diags {
        assert!(!d["text"].as_str().unwrap().contains("VS Code"), "{r:#}");
    }
    let d = &diags[0];
    let text = d["text"].as_str().unwrap();
    assert!(
        text.contains(&format!("Vim runs go{GO121}")) || text.contains("Vim uses GOROOT"),
        "{text}"
    );
    let actions = r["actions"].as_array().unwrap();
    assert!(!actions.is_empty(), "no code action: {r:#}");
    let setup = &r["setup"];
    assert_eq!(setup["editor"], "Vim", "{r:#}");
    let script = setup["text"].as_str().unwrap();
    assert!(
        script.contains(&format!("let $PATH = '{}/bin", go122.display())),
        "{script}"
    );
}
