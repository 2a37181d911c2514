import { describe, expect, it } from "vitest";
import { foldersFromStatus, statusView, type ServerStatus } from "../src/status";
import { serverConfig } from "../src/config";

const STATUS: ServerStatus = {
  health: "error",
  errors: 1,
  warnings: 0,
  folders: [
    {
      folder: "/w/demo",
      modules: 1,
      sides: [
        { role: "editor", label: "VS Code", go: "/sdk/go1.21.13/bin/go", goVersion: "go1.21.13", goroot: "/sdk/go1.21.13" },
        { role: "shell", label: "your shell (/bin/bash)", go: "/sdk/go1.22.10/bin/go", goVersion: "go1.22.10", goroot: "/sdk/go1.22.10" },
      ],
    },
  ],
};

describe("foldersFromStatus", () => {
  it("reads both sides of each folder", () => {
    expect(foldersFromStatus(STATUS)).toEqual([
      {
        folder: "/w/demo",
        sides: [
          { role: "editor", cells: ["VS Code", "go1.21.13", "GOROOT /sdk/go1.21.13"] },
          { role: "shell", cells: ["your shell (/bin/bash)", "go1.22.10", "GOROOT /sdk/go1.22.10"] },
        ],
      },
    ]);
  });

  it("keeps the note of a side that was not read, and says when a side has no go", () => {
    const status: ServerStatus = {
      health: "warning",
      errors: 0,
      warnings: 1,
      folders: [
        {
          folder: "/w",
          sides: [
            { role: "editor", label: "VS Code", go: null, goVersion: null, goroot: null },
            { role: "shell", label: "your shell (/bin/zsh)", note: "environment not read (timed out after 10 s)" },
          ],
        },
      ],
    };
    expect(foldersFromStatus(status)[0].sides).toEqual([
      { role: "editor", cells: ["VS Code", "no go found"] },
      { role: "shell", cells: ["your shell (/bin/zsh)", "environment not read (timed out after 10 s)"] },
    ]);
  });
});

describe("statusView", () => {
  const folders = foldersFromStatus(STATUS);

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
