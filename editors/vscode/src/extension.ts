// Go Env Doctor for VS Code: a thin client of `go-env-doctor serve`. The server does the
// thinking (facts, rules, diagnostics, quick fixes, hovers); this file starts it, forwards
// configuration and workspace trust, and shows a status bar item and the report.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  RevealOutputChannelOn,
  type ServerOptions,
  State,
} from "vscode-languageclient/node";
import { serverConfig, type ServerConfig } from "./config";
import { findServer, type LookupInput } from "./serverPath";
import { foldersFromStatus, statusView, type FolderSides, type ServerStatus } from "./status";

const SECTION = "goEnvDoctor";
const SOURCE = "go-env-doctor";
const REPORT_SCHEME = "go-env-doctor-report";
const REPORT_URI = vscode.Uri.from({ scheme: REPORT_SCHEME, path: "/go-env-doctor report.md" });
const SERVER_STATUS = "goEnvDoctor/serverStatus";

/** The files the server reads: synced to it when open, diagnostics shown for them. */
export const DOCUMENT_SELECTOR = [
  { scheme: "file", pattern: "**/go.mod" },
  { scheme: "file", pattern: "**/go.work" },
  { scheme: "file", pattern: "**/.vscode/settings.json" },
  { scheme: "file", pattern: "**/*.code-workspace" },
  { scheme: "file", pattern: "**/go/env" },
  { scheme: "file", language: "go.mod" },
  { scheme: "file", language: "go.work" },
];

let doctor: Doctor | undefined;
/** When `activate` was entered (cleared once the first start reported its cost). */
let activatedAt: number | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  activatedAt = performance.now();
  doctor = new Doctor(context);
  context.subscriptions.push(doctor);
  await doctor.start();
}

export async function deactivate(): Promise<void> {
  await doctor?.stop();
  doctor = undefined;
}

class ReportProvider implements vscode.TextDocumentContentProvider {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  text = "";
  provideTextDocumentContent(): string {
    return this.text;
  }
  update(uri: vscode.Uri, text: string): void {
    this.text = text;
    this.emitter.fire(uri);
  }
  dispose(): void {
    this.emitter.dispose();
  }
}

class Doctor implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly output: vscode.OutputChannel;
  private readonly status: vscode.StatusBarItem;
  private readonly report = new ReportProvider();
  private readonly disposables: vscode.Disposable[] = [];
  private failed: string | undefined;
  private checking = true;
  private folders: FolderSides[] = [];
  /** Files that had our diagnostics at the last render (to notice them being cleared). */
  private ours = new Set<string>();
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel("Go Env Doctor");
    this.status = vscode.window.createStatusBarItem("goEnvDoctor.status", vscode.StatusBarAlignment.Left, 0);
    this.status.name = "Go Env Doctor";
    this.disposables.push(
      this.output,
      this.status,
      this.report,
      vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, this.report),
      vscode.commands.registerCommand("goEnvDoctor.showReport", () => this.showReport()),
      vscode.commands.registerCommand("goEnvDoctor.recheckAll", () => this.recheck()),
      vscode.commands.registerCommand("goEnvDoctor.restartServer", () => this.restart()),
      vscode.commands.registerCommand("goEnvDoctor.showOutput", () => this.output.show(true)),
      vscode.languages.onDidChangeDiagnostics((e) => {
        // Only changes to our diagnostics (gopls and others publish a lot).
        if (e.uris.some((u) => this.ours.has(u.toString()) || (this.client?.diagnostics?.has(u) ?? false))) {
          this.scheduleRefresh();
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.sendConfiguration()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SECTION}.server.path`)) {
          void this.restart();
        } else if (
          e.affectsConfiguration(SECTION) ||
          e.affectsConfiguration("go") ||
          e.affectsConfiguration("gopls")
        ) {
          this.sendConfiguration();
        }
      }),
    );
    this.render();
    this.status.show();
  }

  /** The `goEnvDoctor` section as the server reads it, with `trusted` from workspace trust. */
  private serverConfig(): ServerConfig {
    const c = vscode.workspace.getConfiguration(SECTION);
    let userSettings: string | undefined;
    if (!process.env.GO_ENV_DOCTOR_USER_SETTINGS) {
      // <user data>/User/globalStorage/<extension id>: the user settings.json is two levels up
      // (desktop VS Code, VSCodium, Cursor and code-server alike).
      const g = this.context.globalStorageUri;
      if (g.scheme === "file") {
        const candidate = path.join(path.dirname(path.dirname(g.fsPath)), "settings.json");
        if (fs.existsSync(candidate)) {
          userSettings = candidate;
        }
      }
    }
    return serverConfig(
      {
        shell: c.get<string>("shell"),
        shellTimeoutSeconds: c.get<number>("shellTimeoutSeconds"),
        disabledChecks: c.get<string[]>("disabledChecks"),
        userSettings,
      },
      vscode.workspace.isTrusted,
    );
  }

  private sendConfiguration(): void {
    if (this.client?.state === State.Running) {
      // The server pulls the sections back with workspace/configuration and re-checks.
      void this.client
        .sendNotification(DidChangeConfigurationNotification.type, { settings: { [SECTION]: this.serverConfig() } })
        .catch((e: unknown) => this.output.appendLine(`didChangeConfiguration failed: ${String(e)}`));
    }
  }

  async start(): Promise<void> {
    const lookup: LookupInput = {
      setting: vscode.workspace.getConfiguration(SECTION).get<string>("server.path"),
      env: process.env,
      extensionPath: this.context.extensionPath,
      platform: process.platform,
      home: os.homedir(),
      check: checkExecutable,
    };
    const found = findServer(lookup);
    if (!found.ok) {
      this.failed = found.message;
      this.output.appendLine(found.message);
      this.render();
      void vscode.window.showErrorMessage(found.message, "Open Settings", "Show Output").then((choice) => {
        if (choice === "Open Settings") {
          void vscode.commands.executeCommand("workbench.action.openSettings", `${SECTION}.server.path`);
        } else if (choice === "Show Output") {
          this.output.show(true);
        }
      });
      return;
    }
    this.output.appendLine(`Starting ${found.path} serve (from ${found.source})`);
    const serverOptions: ServerOptions = {
      command: found.path,
      args: ["serve"],
      options: { env: process.env },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: this.output,
      traceOutputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      // `serverStatus`: the server tells us after each check what the status bar shows.
      initializationOptions: { ...this.serverConfig(), serverStatus: true },
      middleware: {
        workspace: {
          // Answer `goEnvDoctor` with the cleaned-up section (+ trust); `go` and `gopls`
          // (and anything else asked for) come from VS Code's configuration as they are.
          configuration: async (params, token, next) => {
            const result = await next(params, token);
            if (!Array.isArray(result)) {
              return result;
            }
            return params.items.map((item, i) =>
              item.section === SECTION ? this.serverConfig() : (result[i] as unknown),
            );
          },
        },
      },
    };
    const client = new LanguageClient(SECTION, "Go Env Doctor", serverOptions, clientOptions);
    this.client = client;
    client.onNotification(SERVER_STATUS, (status: ServerStatus) => {
      if (this.client !== client) {
        return;
      }
      this.checking = false;
      this.folders = foldersFromStatus(status);
      this.render();
      this.scheduleRefresh();
    });
    this.failed = undefined;
    this.checking = true;
    this.render();
    const spawning = performance.now();
    try {
      await client.start();
      // What activation adds to the server's own start, in the output (the e2e suite reads it).
      if (activatedAt !== undefined) {
        const ready = performance.now();
        this.output.appendLine(
          `Activation: ${(spawning - activatedAt).toFixed(1)} ms before starting the server; ` +
            `the server answered initialize ${(ready - spawning).toFixed(1)} ms after`,
        );
        activatedAt = undefined;
      }
    } catch (e) {
      this.failed = `Go Env Doctor: the language server ${found.path} failed to start: ${String(e)}`;
      this.output.appendLine(this.failed);
      this.render();
      return;
    }
    client.onDidChangeState((e) => {
      if (e.newState === State.Stopped && this.client === client) {
        this.failed = "Go Env Doctor: the language server stopped (see the output).";
        this.render();
      }
    });
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client && client.state !== State.Stopped) {
      try {
        await client.stop(4000);
      } catch (e) {
        this.output.appendLine(`stopping the server: ${String(e)}`);
      }
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  private async request<T>(command: string): Promise<T | undefined> {
    const client = this.client;
    if (!client || client.state !== State.Running) {
      return undefined;
    }
    return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [] })) as T;
  }

  private async recheck(): Promise<void> {
    this.checking = true;
    this.render();
    try {
      await this.request("goEnvDoctor.recheck");
    } finally {
      // The status notification normally said so already; a check that published nothing new
      // (another one overtook it) still ends the spinner.
      this.checking = false;
      await this.refresh();
    }
  }

  private async showReport(): Promise<void> {
    if (this.failed !== undefined) {
      void vscode.window.showErrorMessage(this.failed);
      this.output.show(true);
      return;
    }
    const md = (await this.request<string>("goEnvDoctor.report")) ?? "# go-env-doctor report\n\nThe language server is not running.\n";
    this.report.update(REPORT_URI, md);
    const doc = await vscode.workspace.openTextDocument(REPORT_URI);
    await vscode.window.showTextDocument(doc, { preview: false });
  }

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refresh(), 150);
  }

  /** Re-render, and bring an open report up to date (the status bar needs no request). */
  private async refresh(): Promise<void> {
    if (this.report.text !== "") {
      try {
        const md = await this.request<string>("goEnvDoctor.report");
        if (typeof md === "string") {
          this.report.update(REPORT_URI, md);
        }
      } catch (e) {
        this.output.appendLine(`report failed: ${String(e)}`);
      }
    }
    this.render();
  }

  private render(): void {
    let errors = 0;
    let warnings = 0;
    const ours = new Set<string>();
    this.client?.diagnostics?.forEach((uri, diags) => {
      if (diags.length > 0) {
        ours.add(uri.toString());
      }
      for (const d of diags) {
        if (d.source !== SOURCE) {
          continue;
        }
        if (d.severity === vscode.DiagnosticSeverity.Error) {
          errors++;
        } else if (d.severity === vscode.DiagnosticSeverity.Warning) {
          warnings++;
        }
      }
    });
    this.ours = ours;
    const view = statusView({ failed: this.failed, checking: this.checking, errors, warnings, folders: this.folders });
    this.status.text = view.text;
    this.status.tooltip = view.tooltip;
    this.status.command = this.failed !== undefined ? "goEnvDoctor.showOutput" : "goEnvDoctor.showReport";
    this.status.backgroundColor =
      errors > 0 || this.failed !== undefined ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    for (const d of this.disposables) {
      d.dispose();
    }
  }
}

function checkExecutable(file: string): "ok" | "missing" | "not-executable" | "not-a-file" {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) {
      return "not-a-file";
    }
    if (process.platform !== "win32") {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return "ok";
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : "not-executable";
  }
}
