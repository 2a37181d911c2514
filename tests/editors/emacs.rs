//! A REAL client: Debian's Emacs 28 (`emacs-nox`) with eglot (`elpa-eglot`) and go-mode
//! (`elpa-go-mode`), provisioned by `tests/provision.sh`, loading the user-facing
//! `editors/emacs/go-env-doctor.el` and running `go-env-doctor serve` against REAL Go toolchains
//! and a REAL login shell (bash).
//!
//! Each test writes a temp world (HOME whose `.bash_profile` puts Go 1.22.10 first, a workspace
//! with go.mod and no VCS), runs `emacs -Q --batch` with a driver that opens a file the way a
//! user would (the mode hook's `eglot-ensure`), waits with bounded `accept-process-output`
//! loops for what Flymake shows, and writes it to a JSON file. Emacs itself is killed if it
//! outlives [`EMACS_DEADLINE`]; afterwards no process of the world may be left.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use crate::support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GO121: &str = "1.21.13";
const GO122: &str = "1.22.10";
const EMACS_DEADLINE: Duration = Duration::from_secs(300);

/// Helpers shared by the drivers: bounded waits that also run `post-command-hook` (where
/// `eglot-ensure` and Flymake defer their start; batch Emacs has no command loop), what Flymake
/// shows in a buffer, and the JSON result.
const PRELUDE: &str = r#"
(require 'cl-lib)
(require 'json)
(defvar ged-result nil)
(defun ged-put (key value) (setq ged-result (plist-put ged-result key value)))
(defun ged-finish ()
  (with-temp-file (getenv "GED_RESULT")
    (insert (json-encode (or ged-result '(:empty t)))))
  (kill-emacs 0))
(defun ged-wait (seconds pred)
  (let ((deadline (+ (float-time) seconds)) (ok nil))
    (while (and (not (setq ok (funcall pred))) (< (float-time) deadline))
      (run-hooks 'post-command-hook)
      (accept-process-output nil 0.05))
    ok))
(defun ged-lsp (d) (cdr (assoc 'eglot-lsp-diag (flymake-diagnostic-data d))))
(defun ged-diag (code)
  (cl-find-if (lambda (d) (equal (plist-get (ged-lsp d) :code) code)) (flymake-diagnostics)))
(defun ged-diags ()
  (vconcat (mapcar (lambda (d) (list :code (plist-get (ged-lsp d) :code)
                                     :text (flymake-diagnostic-text d)))
                   (flymake-diagnostics))))
(defun ged-describe (d)
  (list :code (plist-get (ged-lsp d) :code) :text (flymake-diagnostic-text d)
        :line (line-number-at-pos (flymake-diagnostic-beg d))))
(defun ged-live-server ()
  "The running go-env-doctor server (not a buffer's cached one, which a reconnect replaces)."
  (let (found)
    (maphash (lambda (_project servers)
               (dolist (s servers)
                 (when (and (cl-typep s 'go-env-doctor-server) (jsonrpc-running-p s))
                   (setq found s))))
             eglot--servers-by-project)
    found))
(defun ged-open (file)
  (find-file file)
  (ged-put :mode (symbol-name major-mode))
  (ged-put :attached (and (ged-wait 30 #'eglot-current-server) t))
  (let ((s (eglot-current-server)))
    (when s
      (ged-put :server-class (symbol-name (eieio-object-class s)))
      (ged-put :project-root (project-root (eglot--project s))))))
"#;

/// go.mod: the diagnostic names Emacs; its code action runs goEnvDoctor.editorSetup; the elisp
/// it returns, evaluated, gives Emacs the shell's PATH; after a reconnect the finding is gone.
const DRIVER_GO_MOD: &str = r#"
(condition-case err
    (progn
      (ged-open (getenv "GED_FILE"))
      (let ((d nil))
        (ged-wait 120 (lambda () (setq d (cl-find-if
                                          (lambda (d) (string-match-p "Emacs" (flymake-diagnostic-text d)))
                                          (flymake-diagnostics)))))
        (ged-put :seen (ged-diags))
        (when d
          (ged-put :diagnostic (ged-describe d))
          (let* ((server (eglot-current-server))
                 (actions (eglot-code-actions (flymake-diagnostic-beg d) (flymake-diagnostic-end d)))
                 (setup (cl-find-if
                         (lambda (a) (equal (or (plist-get (plist-get a :command) :command)
                                                (plist-get a :command))
                                            "goEnvDoctor.editorSetup"))
                         actions)))
            (ged-put :titles (vconcat (mapcar (lambda (a) (plist-get a :title)) actions)))
            (when setup
              (let* ((cmd (if (stringp (plist-get setup :command)) setup (plist-get setup :command)))
                     (result (eglot-execute-command server (intern (plist-get cmd :command))
                                                    (plist-get cmd :arguments))))
                (ged-put :setup result)
                (ged-put :setup-buffer (and (get-buffer "*go-env-doctor: Emacs setup*") t))
                (go-env-doctor-apply-setup (plist-get result :text))
                (ged-put :path-after (getenv "PATH"))
                (ged-put :reattached
                         (and (ged-wait 30 (lambda () (let ((s (ged-live-server)))
                                                        (and s (not (eq s server))))))
                              t))
                (let ((new (ged-live-server)))
                  (ged-put :new-server (and new (not (eq new server))))
                  ;; Returns once the re-check is published.
                  (jsonrpc-request new :workspace/executeCommand
                                   '(:command "goEnvDoctor.recheck" :arguments []))
                  (ged-put :cleared
                           (ged-wait 60 (lambda ()
                                          (not (cl-find-if
                                                (lambda (d) (string-match-p "Emacs" (flymake-diagnostic-text d)))
                                                (flymake-diagnostics))))))
                  (ged-put :after (ged-diags))
                  (ged-put :report (jsonrpc-request new :workspace/executeCommand
                                                    '(:command "goEnvDoctor.report" :arguments []))))))))
        (let ((s (eglot-current-server)))
          (when s
            (eglot-shutdown s)
            (ged-put :server-live (if (process-live-p (jsonrpc--process s)) t :json-false))))))
  (error (ged-put :error (format "%S" err))))
(ged-finish)
"#;

/// .vscode/settings.json pins Go 1.21.13, the shell uses 1.22.10: the quick fix's workspace edit
/// applied through eglot rewrites the file, and the diagnostic clears once it is saved.
const DRIVER_SETTINGS: &str = r#"
(condition-case err
    (progn
      (ged-open (getenv "GED_FILE"))
      (ged-wait 120 (lambda () (ged-diag "goroot-mismatch")))
      (ged-put :seen (ged-diags))
      (let ((d (ged-diag "goroot-mismatch")))
        (when d
          (ged-put :diagnostic (ged-describe d))
          (let* ((actions (eglot-code-actions (flymake-diagnostic-beg d) (flymake-diagnostic-end d)))
                 (fix (or (cl-find-if (lambda (a) (plist-get a :isPreferred)) actions)
                          (cl-find-if (lambda (a) (plist-get a :edit)) actions))))
            (ged-put :titles (vconcat (mapcar (lambda (a) (plist-get a :title)) actions)))
            (when fix
              (ged-put :fix (plist-get fix :title))
              (eglot--apply-workspace-edit (plist-get fix :edit))
              (save-buffer)
              (ged-put :cleared (ged-wait 120 (lambda () (not (ged-diag "goroot-mismatch")))))
              (ged-put :after (ged-diags))))))
      (let ((s (eglot-current-server)))
        (when s
          (eglot-shutdown s)
          (ged-put :server-live (if (process-live-p (jsonrpc--process s)) t :json-false)))))
  (error (ged-put :error (format "%S" err))))
(ged-finish)
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
            .prefix("ged-emacs-")
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

    /// The login shell puts `goroot/bin` first (after Debian's /etc/profile resets PATH).
    fn shell_go(&self, goroot: &Path) {
        std::fs::write(
            self.home.join(".bash_profile"),
            format!("export PATH=\"{}/bin:$PATH\"\n", goroot.display()),
        )
        .unwrap();
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.folder.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    /// Run batch Emacs with the repo's snippet (go.mod opted in) and `driver` on `file`, with
    /// `path` as Emacs' own PATH (what the server inherits: the editor side). Returns the
    /// driver's result; asserts no process of this world outlives Emacs.
    fn emacs(&self, file: &Path, driver: &str, path: &str) -> Value {
        let snippet =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../editors/emacs/go-env-doctor.el");
        assert!(snippet.is_file(), "{} is missing", snippet.display());
        let user_settings = self.root.join("user-settings.json");
        std::fs::write(&user_settings, "{}\n").unwrap();
        let elisp_str = |p: &Path| format!("{:?}", p.display().to_string());
        // What a user's init file does: Debian's ELPA packages (emacs -Q skips site files),
        // the options, then the snippet.
        let init = format!(
            "(setq package-directory-list (list {elpa}))\n\
             (package-initialize)\n\
             (setq go-env-doctor-go-mod t)\n\
             (setq go-env-doctor-program (list {bin} \"serve\"))\n\
             (setq go-env-doctor-options '(:shell {shell} :shellTimeoutSeconds 30 :trusted t :userSettings {user}))\n\
             (setq-default eglot-workspace-configuration '(:gopls (:staticcheck t)))\n\
             (load {snippet} nil t)\n",
            elpa = elisp_str(&support::emacs_elpa()),
            bin = elisp_str(&support::bin()),
            shell = elisp_str(&support::shell("bash")),
            user = elisp_str(&user_settings),
            snippet = elisp_str(&snippet),
        );
        let script = self.root.join("test.el");
        std::fs::write(&script, format!("{init}{PRELUDE}{driver}")).unwrap();
        let result = self.root.join("result.json");
        let mut child = Command::new(support::emacs())
            .args(["-Q", "--batch", "-l"])
            .arg(&script)
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
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > EMACS_DEADLINE {
                let _ = child.kill();
                let _ = child.wait();
                panic!("emacs did not finish within {EMACS_DEADLINE:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let log = log.join().unwrap();
        let text = std::fs::read_to_string(&result)
            .unwrap_or_else(|e| panic!("emacs ({status:?}) wrote no result: {e}\n{log}"));
        let value: Value = serde_json::from_str(&text).unwrap();
        eprintln!("emacs result: {value:#}");
        assert!(
            value.get("error").is_none(),
            "driver failed: {}\n{log}",
            value["error"]
        );
        assert_eq!(
            value["attached"], true,
            "eglot never attached go-env-doctor: {value:#}\n{log}"
        );
        assert_eq!(value["server-class"], "go-env-doctor-server", "{value:#}");
        // No VCS here: the snippet's project finder gives the folder with go.mod.
        assert_eq!(
            value["project-root"],
            format!("{}/", self.folder.display()),
            "{value:#}"
        );
        self.assert_no_leftovers();
        value
    }

    /// No process of this world is left: nothing whose command line names the temp dir or
    /// whose environment has its HOME (the server, a login shell, a `__print-env` probe).
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
                "processes left after Emacs quit: {left:#?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Emacs is started with Go 1.21.13 first on PATH, the login shell puts 1.22.10 first. On
/// go.mod (go-dot-mod-mode from go-mode) eglot attaches go-env-doctor; the diagnostic names
/// Emacs, not VS Code; the "give Emacs your login shell's environment" action's elisp, evaluated,
/// puts the shell's Go first, and once eglot reconnects the finding is gone.
#[test]
fn emacs_eglot_go_mod_finding_and_editor_setup_fix() {
    let w = World::new();
    let go121 = support::goroot(GO121);
    let go122 = support::goroot(GO122);
    let go_mod = w.write("go.mod", "module example.com/hello\n\ngo 1.21\n");
    w.shell_go(&go122);
    let path = format!("{}/bin:/usr/bin:/bin", go121.display());

    let r = w.emacs(&go_mod, DRIVER_GO_MOD, &path);
    assert_eq!(r["mode"], "go-dot-mod-mode", "{r:#}");
    let d = &r["diagnostic"];
    let text = d["text"].as_str().unwrap_or_else(|| {
        panic!("no diagnostic naming Emacs on go.mod (needs the server's editor name from initializationOptions.editor): {r:#}")
    });
    assert!(
        text.contains(&format!("Emacs runs go{GO121}")) || text.contains("Emacs uses GOROOT"),
        "{text}"
    );
    assert!(!text.contains("VS Code"), "{text}");
    assert!(
        r["seen"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| !d["text"].as_str().unwrap().contains("VS Code")),
        "{r:#}"
    );

    let setup = &r["setup"];
    assert!(
        setup.is_object(),
        "no goEnvDoctor.editorSetup action among {}: {r:#}",
        r["titles"]
    );
    assert_eq!(setup["editor"], "Emacs", "{r:#}");
    let elisp = setup["text"].as_str().unwrap();
    assert!(elisp.contains("(setenv \"PATH\""), "{elisp}");
    assert!(elisp.contains("exec-path"), "{elisp}");
    assert_eq!(
        r["setup-buffer"], true,
        "the snippet shows the setup: {r:#}"
    );
    let path_after = r["path-after"].as_str().unwrap();
    assert!(
        path_after.starts_with(&format!("{}/bin", go122.display())),
        "{path_after}"
    );
    assert_eq!(r["reattached"], true, "{r:#}");
    assert_eq!(r["new-server"], true, "{r:#}");
    assert_eq!(
        r["cleared"], true,
        "the finding stayed after the fix: {r:#}"
    );
    let report = r["report"].as_str().unwrap();
    assert!(!report.contains(&format!("runs go{GO121}")), "{report}");
    assert_eq!(r["server-live"], false, "{r:#}");
}

/// `.vscode/settings.json` (go-env-doctor-json-mode, not every JSON buffer) pins Go 1.21.13
/// while the login shell uses 1.22.10: the diagnostic is on the file, the quick fix's workspace
/// edit applied by eglot rewrites the file on disk (go.goroot removed or set to the shell's
/// GOROOT), the file still parses, and the diagnostic
/// clears.
#[test]
fn emacs_eglot_settings_json_quick_fix_rewrites_the_file() {
    let w = World::new();
    let go121 = support::goroot(GO121);
    let go122 = support::goroot(GO122);
    w.write("go.mod", "module example.com/hello\n\ngo 1.21\n");
    let text = format!("{{\"go.goroot\": \"{}\"}}\n", go121.display());
    let settings = w.write(".vscode/settings.json", &text);
    w.shell_go(&go122);
    // Emacs itself agrees with the shell: only the settings file disagrees.
    let path = format!("{}/bin:/usr/bin:/bin", go122.display());

    let r = w.emacs(&settings, DRIVER_SETTINGS, &path);
    assert_eq!(r["mode"], "go-env-doctor-json-mode", "{r:#}");
    let d = &r["diagnostic"];
    let msg = d["text"]
        .as_str()
        .unwrap_or_else(|| panic!("no goroot-mismatch on settings.json: {r:#}"));
    assert!(msg.contains(GO121) && msg.contains(GO122), "{msg}");
    assert!(
        r["fix"].is_string(),
        "no quick fix among {}: {r:#}",
        r["titles"]
    );
    assert_eq!(r["cleared"], true, "the diagnostic stayed: {r:#}");
    let on_disk = std::fs::read_to_string(&settings).unwrap();
    let v: Value = jsonc_parser::parse_to_serde_value(&on_disk, &Default::default()).unwrap();
    // Either fix ends the disagreement: go.goroot removed, or set to the shell's GOROOT.
    assert!(
        v["go.goroot"].is_null() || v["go.goroot"] == go122.display().to_string(),
        "settings.json after {}: {on_disk}",
        r["fix"]
    );
    assert_eq!(r["server-live"], false, "{r:#}");
}
