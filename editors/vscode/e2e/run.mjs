// End-to-end tests of the extension in a real VS Code: code-server 4.100.3 (VS Code 1.100.3)
// serves the workbench, Debian's Chromium renders it headless, playwright-core drives it
// (recipe: shared/reference/VSCODE-E2E.md). The built vsix is installed into a fresh profile;
// the extension spawns the real `go-env-doctor serve`, which probes a real login shell (a temp
// HOME whose .bash_profile puts Go 1.22.10 first) and real Go toolchains.
//
//   VSIX=editors/vscode/go-env-doctor-linux-x64-0.1.0.vsix node editors/vscode/e2e/run.mjs
//
// Env: VSIX (required), GO_ENV_DOCTOR_SERVER (default target/release/go-env-doctor),
// CODE_SERVER / PLAYWRIGHT_CORE / CHROMIUM (default: what provision.sh installs).
// Screenshots and results.json go to target/vscode-e2e/.

import { spawn, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../../..");
const tools = process.env.GO_ENV_DOCTOR_TOOLS ?? path.join(os.homedir(), ".cache/go-env-doctor/tools");
const CODE_SERVER = process.env.CODE_SERVER ?? path.join(tools, "vscode/node_modules/.bin/code-server");
const PLAYWRIGHT_CORE = process.env.PLAYWRIGHT_CORE ?? path.join(tools, "vscode/node_modules/playwright-core");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const SERVER = process.env.GO_ENV_DOCTOR_SERVER ?? path.join(repo, "target/release/go-env-doctor");
const VSIX = process.env.VSIX;
const ART = path.join(repo, "target/vscode-e2e");
const WAIT = 45_000;

const require = createRequire(import.meta.url);
const { chromium } = require(PLAYWRIGHT_CORE);

function log(...a) {
  console.log("[e2e]", ...a);
}

function readTools() {
  const env = {};
  for (const line of fs.readFileSync(path.join(tools, "tools.env"), "utf8").split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2];
  }
  return env;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitHealthy(port, child) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) return;
    } catch {
      // not yet listening
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("code-server did not become healthy in 60 s");
}

const MISMATCH_SETTINGS = (goroot) => `{
  // Pinned by a teammate long ago: keep this comment.
  "go.goroot": "${goroot}", // the old SDK
  /* formatting stays as it is */
  "editor.tabSize": 4,
  "files.trimTrailingWhitespace": true,
}
`;

/**
 * Install the vsix into a fresh profile and start code-server in its own process group.
 * `extraArgs`: e.g. `--disable-workspace-trust` for suites that do not exercise trust.
 */
async function startCodeServer(s, env, name, extraArgs) {
  const userData = path.join(s.root, name, "user-data");
  const extensions = path.join(s.root, name, "extensions");
  fs.mkdirSync(path.join(userData, "User"), { recursive: true });
  fs.mkdirSync(extensions, { recursive: true });
  fs.copyFileSync(path.join(s.userData, "User/settings.json"), path.join(userData, "User/settings.json"));
  const profile = ["--user-data-dir", userData, "--extensions-dir", extensions];
  execFileSync(CODE_SERVER, [...profile, "--install-extension", VSIX], { env, stdio: "inherit" });
  const port = await freePort();
  const serverLog = fs.openSync(path.join(ART, `code-server-${name}.log`), "w");
  const cs = spawn(
    CODE_SERVER,
    [
      ...profile,
      "--bind-addr",
      `127.0.0.1:${port}`,
      "--auth",
      "none",
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-getting-started-override",
      "--disable-proxy",
      ...extraArgs,
    ],
    { env, detached: true, stdio: ["ignore", serverLog, serverLog] },
  );
  try {
    await waitHealthy(port, cs);
  } catch (e) {
    await stopCodeServer(cs);
    throw e;
  }
  return { cs, port };
}

/** VS Code keeps a disconnected extension host (and our server) alive for hours: kill the
 * whole process group. */
async function stopCodeServer(cs) {
  if (!cs) return;
  try {
    process.kill(-cs.pid, "SIGTERM");
  } catch {
    // already gone
  }
  await new Promise((r) => setTimeout(r, 1000));
  try {
    process.kill(-cs.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Everything the run needs on disk: HOME with a login rc, profile dirs, two workspaces. */
function setup(t) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ged-vscode-e2e-"));
  const d = (p) => {
    const full = path.join(root, p);
    fs.mkdirSync(full, { recursive: true });
    return full;
  };
  const home = d("home");
  // Debian's /etc/profile resets PATH for login shells: prepend in the rc file.
  // The usual Go setup: Go's bin and GOPATH/bin (~/go/bin, where `go install` puts tools) on
  // PATH, gopls installed there. Without gopls every workspace would also show tool-missing (VS
  // Code resolves its environment from this login shell); a stand-in script: nothing runs it.
  fs.writeFileSync(
    path.join(home, ".bash_profile"),
    `export PATH="$HOME/go/bin:${t.GO_1_22_10}/bin:$PATH"\n`,
  );
  const editorTools = d("home/go/bin");
  fs.writeFileSync(path.join(editorTools, "gopls"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  const userData = d("user-data");
  d("user-data/User");
  fs.writeFileSync(
    path.join(userData, "User/settings.json"),
    JSON.stringify(
      {
        "workbench.startupEditor": "none",
        "telemetry.telemetryLevel": "off",
        "extensions.autoUpdate": false,
        "extensions.autoCheckUpdates": false,
        "workbench.tips.enabled": false,
        "editor.minimap.enabled": false,
        "window.commandCenter": false,
        "chat.commandCenter.enabled": false,
      },
      null,
      2,
    ),
  );
  const userSettingsFixture = path.join(root, "vscode-user-settings.json");
  fs.writeFileSync(userSettingsFixture, "{\n  // the machine's own user settings must not leak in\n}\n");
  const mismatch = d("ws/mismatch");
  fs.writeFileSync(path.join(mismatch, "go.mod"), "module example.com/mismatch\n\ngo 1.21\n");
  d("ws/mismatch/.vscode");
  fs.writeFileSync(path.join(mismatch, ".vscode/settings.json"), MISMATCH_SETTINGS(t.GO_1_21_13));
  const untrusted = d("ws/untrusted");
  fs.writeFileSync(path.join(untrusted, "go.mod"), "module example.com/untrusted\n\ngo 1.21\n");
  d("ws/untrusted/.vscode");
  fs.writeFileSync(path.join(untrusted, ".vscode/settings.json"), MISMATCH_SETTINGS(t.GO_1_21_13));
  const healthy = d("ws/healthy");
  fs.writeFileSync(path.join(healthy, "go.mod"), "module example.com/healthy\n\ngo 1.21\n");
  return {
    root,
    home,
    editorTools,
    userData,
    extensions: d("extensions"),
    xdg: { XDG_CONFIG_HOME: d("xdg/config"), XDG_DATA_HOME: d("xdg/data"), XDG_CACHE_HOME: d("xdg/cache") },
    userSettingsFixture,
    mismatch,
    untrusted,
    healthy,
  };
}

class Run {
  constructor() {
    this.results = [];
    this.shot = 0;
  }
  async screenshot(page, name) {
    this.shot += 1;
    const file = path.join(ART, `${String(this.shot).padStart(2, "0")}-${name}.png`);
    await page.screenshot({ path: file });
    log(`screenshot ${path.relative(repo, file)}`);
    return file;
  }
  async scenario(name, page, fn) {
    const started = Date.now();
    try {
      await fn();
      this.results.push({ name, ok: true, ms: Date.now() - started });
      log(`PASS ${name} (${Date.now() - started} ms)`);
    } catch (e) {
      this.results.push({ name, ok: false, ms: Date.now() - started, error: String(e?.stack ?? e) });
      log(`FAIL ${name}: ${e?.stack ?? e}`);
      if (page) await this.screenshot(page, `FAILED-${name.replace(/[^a-z0-9]+/gi, "-")}`).catch(() => {});
    }
  }
}

function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

const norm = (s) => s.replace(/\u00a0/g, " ");

async function statusItem(page) {
  return page.locator(".part.statusbar .statusbar-item").filter({ hasText: "Go env" }).first();
}

async function waitStatus(page, codicon) {
  const item = await statusItem(page);
  await item.locator(`.codicon-${codicon}`).waitFor({ timeout: WAIT });
  return norm((await item.innerText()).trim());
}

async function openWorkbench(page, port, folder) {
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`);
  await page.locator(".monaco-workbench .part.statusbar").waitFor({ timeout: WAIT });
}

async function openProblems(page) {
  await page.locator(".monaco-workbench .part.editor").click();
  if (!(await page.locator(".markers-panel").isVisible().catch(() => false))) {
    await page.keyboard.press("Control+Shift+M");
  }
  await page.locator(".markers-panel").waitFor({ timeout: WAIT });
}

async function runCommand(page, title) {
  await page.locator(".monaco-workbench .part.editor").click();
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ timeout: WAIT });
  await input.fill(`>${title}`);
  await page.locator(".quick-input-widget .monaco-list-row").filter({ hasText: title }).first().waitFor({ timeout: WAIT });
  await page.keyboard.press("Enter");
}

async function main() {
  check(VSIX && fs.existsSync(VSIX), `VSIX=${VSIX} does not exist (build it with npm run package)`);
  check(fs.existsSync(SERVER), `no server binary at ${SERVER} (cargo build --release)`);
  fs.rmSync(ART, { recursive: true, force: true });
  fs.mkdirSync(ART, { recursive: true });
  const t = readTools();
  check(t.GO_1_21_13 && t.GO_1_22_10, "tools.env lacks GO_1_21_13 / GO_1_22_10 (run tests/provision.sh)");
  const s = setup(t);
  log(`temp root ${s.root}`);
  const env = {
    // The editor's own environment: Go 1.22.10 on PATH too, so removing go.goroot would make
    // the editor find the shell's Go by itself.
    PATH: [path.join(t.GO_1_22_10, "bin"), s.editorTools, path.dirname(process.execPath), "/usr/local/bin", "/usr/bin", "/bin"].join(":"),
    HOME: s.home,
    SHELL: "/bin/bash",
    LANG: "C.UTF-8",
    TMPDIR: os.tmpdir(),
    GO_ENV_DOCTOR_PATH: SERVER,
    GO_ENV_DOCTOR_USER_SETTINGS: s.userSettingsFixture,
    RUST_LOG: "go_env_doctor=debug",
    ...s.xdg,
  };
  const suiteA = await startCodeServer(s, env, "suite-a", ["--disable-workspace-trust"]);
  const cs = suiteA.cs;
  const port = suiteA.port;
  const run = new Run();
  let browser;
  let suiteB;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const page = await context.newPage();
    const settingsFile = path.join(s.mismatch, ".vscode/settings.json");

    await run.scenario("1 goroot-mismatch appears in Problems and the status bar", page, async () => {
      await openWorkbench(page, port, s.mismatch);
      await run.screenshot(page, "mismatch-workbench-loaded");
      const status = await waitStatus(page, "warning");
      check(/Go env: 1\b/.test(status), `status bar reads "${status}", wanted "Go env: 1"`);
      await openProblems(page);
      const row = page.locator(".markers-panel .monaco-list-row").filter({ hasText: "goroot-mismatch" }).first();
      await row.waitFor({ timeout: WAIT });
      const text = norm(await row.innerText());
      log(`problem row: ${text.replace(/\s+/g, " ")}`);
      for (const want of ["go1.21.13", "go1.22.10", "go-env-doctor", "goroot-mismatch"]) {
        check(text.includes(want), `Problems row lacks "${want}": ${text}`);
      }
      await run.screenshot(page, "mismatch-problems-panel-and-status-bar");
      // The tooltip of the status bar item shows both sides.
      await (await statusItem(page)).hover();
      const hover = page.locator(".workbench-hover, .monaco-hover").filter({ hasText: "Editor:" }).first();
      await hover.waitFor({ timeout: 10_000 });
      const tip = norm(await hover.innerText());
      check(tip.includes("go1.21.13") && tip.includes("go1.22.10"), `tooltip lacks both versions: ${tip}`);
      await run.screenshot(page, "mismatch-status-bar-tooltip");
      await page.mouse.move(800, 400);
    });

    await run.scenario("1b activation adds at most 50 ms to the server's start", page, async () => {
      const logs = fs
        .readdirSync(path.join(s.root, "suite-a/user-data/logs"), { recursive: true })
        .filter((f) => String(f).endsWith("Go Env Doctor.log"))
        .map((f) => fs.readFileSync(path.join(s.root, "suite-a/user-data/logs", String(f)), "utf8"))
        .join("\n");
      const m = /Activation: ([\d.]+) ms before starting the server; the server answered initialize ([\d.]+) ms after/.exec(logs);
      check(m, "the extension logged no activation time");
      const [activation, initialize] = [Number(m[1]), Number(m[2])];
      log(`activation: ${activation.toFixed(1)} ms before the server started (target <= 50 ms); server initialize: ${initialize.toFixed(1)} ms`);
      check(activation <= 50, `activation took ${activation} ms before the server started`);
    });

    await run.scenario("3 Show Report lists the findings", page, async () => {
      await runCommand(page, "Go Env Doctor: Show Report");
      const tab = page.locator(".tabs-container .tab").filter({ hasText: "go-env-doctor report" });
      await tab.waitFor({ timeout: WAIT });
      const lines = page.locator(".part.editor .editor-instance .monaco-editor .view-lines").first();
      await lines.filter({ hasText: "goroot-mismatch" }).waitFor({ timeout: WAIT });
      const text = norm(await lines.innerText());
      for (const want of ["go-env-doctor report", s.mismatch, "go1.21.13", "go1.22.10", "Editor ↔ shell", "[goroot-mismatch]"]) {
        check(text.includes(want), `report lacks "${want}"`);
      }
      await run.screenshot(page, "report-lists-findings");
      await page.keyboard.press("Control+W");
    });

    await run.scenario("2 the preferred quick fix rewrites settings.json, keeps comments, turns the status to check", page, async () => {
      const before = fs.readFileSync(settingsFile, "utf8");
      await openProblems(page);
      const row = page.locator(".markers-panel .monaco-list-row").filter({ hasText: "goroot-mismatch" }).first();
      await row.waitFor({ timeout: WAIT });
      await row.dblclick();
      await page.locator(".part.editor .monaco-editor.focused").waitFor({ timeout: WAIT });
      await page.keyboard.press("Control+.");
      const widget = page.locator(".action-widget").first();
      await widget.waitFor({ timeout: WAIT });
      const focused = widget.locator(".monaco-list-row.focused").first();
      await focused.waitFor({ timeout: WAIT });
      const title = norm(await focused.innerText()).trim();
      log(`quick fix menu: ${norm(await widget.innerText()).replace(/\s+/g, " | ")}`);
      check(/go\.goroot/.test(title), `the first (preferred) fix is "${title}"`);
      await run.screenshot(page, "quick-fix-menu-preferred-first");
      await page.keyboard.press("Enter");
      await widget.waitFor({ state: "hidden", timeout: WAIT });
      await page.keyboard.press("Control+S");
      // The file on disk: go.goroot changed or gone, everything else as it was.
      const deadline = Date.now() + WAIT;
      let after = before;
      while (Date.now() < deadline && after === before) {
        await new Promise((r) => setTimeout(r, 200));
        after = fs.readFileSync(settingsFile, "utf8");
      }
      log(`settings.json after the fix:\n${after}`);
      check(after !== before, "settings.json was not rewritten");
      check(!after.includes(t.GO_1_21_13), "settings.json still names Go 1.21.13");
      for (const keep of [
        "// Pinned by a teammate long ago: keep this comment.",
        "/* formatting stays as it is */",
        '  "editor.tabSize": 4,',
        '  "files.trimTrailingWhitespace": true,\n}',
      ]) {
        check(after.includes(keep), `settings.json lost ${JSON.stringify(keep)}`);
      }
      if (/^(Set|Use installed)/.test(title)) check(after.includes(t.GO_1_22_10), "go.goroot was not set to the shell's GOROOT");
      await page
        .locator(".markers-panel .monaco-list-row")
        .filter({ hasText: "goroot-mismatch" })
        .waitFor({ state: "detached", timeout: WAIT });
      const status = await waitStatus(page, "check");
      check(status === "Go env", `status bar reads "${status}"`);
      await run.screenshot(page, "after-fix-no-problem-status-check");
    });

    const page2 = await context.newPage();
    await run.scenario("4 a healthy workspace shows no problem and a check", page2, async () => {
      await openWorkbench(page2, port, s.healthy);
      const status = await waitStatus(page2, "check");
      check(status === "Go env", `status bar reads "${status}"`);
      await openProblems(page2);
      await page2.waitForTimeout(1000);
      const rows = await page2.locator(".markers-panel .monaco-list-row").filter({ hasText: "go-env-doctor" }).count();
      check(rows === 0, `${rows} go-env-doctor problems in a healthy workspace`);
      const panel = norm(await page2.locator(".markers-panel").innerText());
      log(`problems panel: ${panel.replace(/\s+/g, " ").slice(0, 200)}`);
      await (await statusItem(page2)).hover();
      await page2.locator(".workbench-hover, .monaco-hover").filter({ hasText: "agree" }).first().waitFor({ timeout: 10_000 });
      await run.screenshot(page2, "healthy-no-problems-status-check");
    });

    // Suite B: workspace trust on (a fresh profile and server).
    suiteB = await startCodeServer(s, env, "suite-b", []);
    const page3 = await context.newPage();
    await run.scenario("5 untrusted: the workspace's go is inspected, not run; trusting re-checks fully", page3, async () => {
      await openWorkbench(page3, suiteB.port, s.untrusted);
      const dialog = page3.locator(".monaco-dialog-box");
      await dialog.waitFor({ timeout: WAIT });
      await run.screenshot(page3, "untrusted-trust-prompt");
      await dialog.locator(".monaco-button").filter({ hasText: "No" }).first().click();
      await dialog.waitFor({ state: "hidden", timeout: WAIT });
      await openProblems(page3);
      const note = page3.locator(".markers-panel .monaco-list-row").filter({ hasText: "untrusted-not-executed" }).first();
      await note.waitFor({ timeout: WAIT });
      const text = norm(await note.innerText());
      check(text.includes("inspected, not run"), `untrusted note reads: ${text}`);
      await page3.locator(".markers-panel .monaco-list-row").filter({ hasText: "goroot-mismatch" }).first().waitFor({ timeout: WAIT });
      await run.screenshot(page3, "untrusted-inspected-not-run");
      await runCommand(page3, "Workspaces: Manage Workspace Trust");
      const trustButton = page3.locator(".workspace-trust-editor .monaco-button").filter({ hasText: /^Trust$/ }).first();
      await trustButton.waitFor({ timeout: WAIT });
      await trustButton.click();
      await note.waitFor({ state: "detached", timeout: WAIT });
      await page3.keyboard.press("Control+W");
      await page3.locator(".markers-panel .monaco-list-row").filter({ hasText: "goroot-mismatch" }).first().waitFor({ timeout: WAIT });
      const status = await waitStatus(page3, "warning");
      check(/Go env: 1\b/.test(status), `status bar reads "${status}"`);
      await run.screenshot(page3, "trusted-full-check");
      // Same server process, told about the trust (not a restart of the extension host).
      const logs = fs
        .readdirSync(path.join(s.root, "suite-b/user-data/logs"), { recursive: true })
        .filter((f) => String(f).endsWith("Go Env Doctor.log"))
        .map((f) => fs.readFileSync(path.join(s.root, "suite-b/user-data/logs", String(f)), "utf8"))
        .join("\n");
      const starts = logs.split("\n").filter((l) => l.startsWith("Starting ")).length;
      check(starts === 1, `the server was started ${starts} times`);
      check(/configuration config=.*trusted: true/.test(logs), "the server never saw trusted: true");
    });
  } catch (e) {
    run.results.push({ name: "setup", ok: false, error: String(e?.stack ?? e) });
    log(`FAIL setup: ${e?.stack ?? e}`);
  } finally {
    await browser?.close().catch(() => {});
    await stopCodeServer(cs);
    await stopCodeServer(suiteB?.cs);
    if (!process.env.KEEP_E2E_TEMP) fs.rmSync(s.root, { recursive: true, force: true });
  }
  const passed = run.results.filter((r) => r.ok).length;
  const failed = run.results.length - passed;
  fs.writeFileSync(path.join(ART, "results.json"), JSON.stringify({ passed, failed, results: run.results }, null, 2));
  log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
