import { describe, expect, it } from "vitest";
import { parseReport, reportIsEmpty, statusView } from "../src/status";
import { serverConfig } from "../src/config";

const REPORT = [
  "# go-env-doctor report",
  "",
  "## /w/demo",
  "",
  "```text",
  "folder  /w/demo",
  "editor  VS Code                 go1.21.13  GOROOT /sdk/go1.21.13",
  "shell   your shell (/bin/bash)  go1.22.10  GOROOT /sdk/go1.22.10",
  "",
  "[✗] Editor ↔ shell",
  "```",
  "",
].join("\n");

describe("parseReport", () => {
  it("reads both sides of each folder", () => {
    expect(parseReport(REPORT)).toEqual([
      {
        folder: "/w/demo",
        sides: [
          { role: "editor", cells: ["VS Code", "go1.21.13", "GOROOT /sdk/go1.21.13"] },
          { role: "shell", cells: ["your shell (/bin/bash)", "go1.22.10", "GOROOT /sdk/go1.22.10"] },
        ],
      },
    ]);
  });

  it("keeps notes for a side that was not read", () => {
    const md = "```text\nfolder  /w\neditor  VS Code  go1.22.10  GOROOT /g\nshell   /bin/zsh: environment not read (timed out after 10 s)\n\n```";
    expect(parseReport(md)[0].sides[1]).toEqual({ role: "shell", cells: ["/bin/zsh: environment not read (timed out after 10 s)"] });
  });

  it("knows an empty report", () => {
    expect(reportIsEmpty("# go-env-doctor report\n\nNo workspace folder has been checked yet.\n")).toBe(true);
    expect(reportIsEmpty(REPORT)).toBe(false);
  });
});

describe("statusView", () => {
  const folders = parseReport(REPORT);

  it("shows a check when nothing is wrong", () => {
    const v = statusView({ checking: false, errors: 0, warnings: 0, folders });
    expect(v.text).toBe("$(check) Go env");
    expect(v.tooltip).toContain("Editor: VS Code · go1.21.13 · GOROOT /sdk/go1.21.13");
  });

  it("counts errors and warnings", () => {
    const v = statusView({ checking: false, errors: 1, warnings: 2, folders });
    expect(v.text).toBe("$(warning) Go env: 3");
    expect(v.tooltip).toContain("1 error, 2 warnings");
    expect(v.tooltip).toContain("Shell: your shell (/bin/bash) · go1.22.10 · GOROOT /sdk/go1.22.10");
  });

  it("spins while checking and says when the server is not running", () => {
    expect(statusView({ checking: true, errors: 0, warnings: 0, folders: [] }).text).toBe("$(sync~spin) Go env");
    const f = statusView({ failed: "no binary", checking: false, errors: 0, warnings: 0, folders: [] });
    expect(f.text).toBe("$(error) Go env");
    expect(f.tooltip).toContain("no binary");
  });

  it("names the folder when there are several", () => {
    const two = [...folders, { folder: "/w/other", sides: [] }];
    expect(statusView({ checking: false, errors: 0, warnings: 0, folders: two }).tooltip).toContain("/w/other");
  });
});

describe("serverConfig", () => {
  it("passes trust and leaves empty settings out", () => {
    expect(serverConfig({ shell: "", shellTimeoutSeconds: 10, disabledChecks: [] }, false)).toEqual({
      trusted: false,
      shellTimeoutSeconds: 10,
      disabledChecks: [],
    });
  });

  it("clamps the timeout and keeps the shell", () => {
    expect(serverConfig({ shell: " /bin/zsh ", shellTimeoutSeconds: 500, disabledChecks: ["goroot-explicit", ""] }, true)).toEqual({
      trusted: true,
      shell: "/bin/zsh",
      shellTimeoutSeconds: 120,
      disabledChecks: ["goroot-explicit"],
    });
  });
});
