// The status bar item's text and tooltip, from the server's `goEnvDoctor/serverStatus`
// notification: pure, unit-tested.

export interface SideLine {
  role: "editor" | "shell";
  /** Label, Go version, `GOROOT …` (or a note). */
  cells: string[];
}

export interface FolderSides {
  folder: string;
  sides: SideLine[];
}

export interface StatusInput {
  /** The server is not running (no binary, crashed). */
  failed?: string;
  /** No check has finished yet. */
  checking: boolean;
  errors: number;
  warnings: number;
  folders: FolderSides[];
}

export interface StatusView {
  text: string;
  tooltip: string;
}

/** One side as `goEnvDoctor/serverStatus` describes it. */
export interface ServerSide {
  role: "editor" | "shell";
  label: string;
  go?: string | null;
  goVersion?: string | null;
  goroot?: string | null;
  note?: string | null;
}

/** The `goEnvDoctor/serverStatus` notification's parameters (the fields used here). */
export interface ServerStatus {
  health: "ok" | "warning" | "error";
  errors: number;
  warnings: number;
  folders: { folder: string; sides: ServerSide[]; modules?: number; goWork?: string[] }[];
}

/** The tooltip's rows from the server's status: label, Go version, GOROOT (or a note). */
export function foldersFromStatus(status: ServerStatus): FolderSides[] {
  return status.folders.map((f) => ({
    folder: f.folder,
    sides: f.sides.map((s) => {
      const cells = [s.label];
      if (s.note) {
        cells.push(s.note);
      } else if (!s.go) {
        cells.push("no go found");
      } else {
        cells.push(s.goVersion ?? "go ?");
        cells.push(s.goroot ? `GOROOT ${s.goroot}` : "GOROOT unknown");
      }
      return { role: s.role, cells };
    }),
  }));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function tooltipSides(folders: FolderSides[]): string[] {
  const lines: string[] = [];
  for (const f of folders) {
    if (folders.length > 1) {
      lines.push(f.folder);
    }
    for (const s of f.sides) {
      const who = s.role === "editor" ? "Editor" : "Shell";
      lines.push(`${who}: ${s.cells.join(" · ")}`);
    }
  }
  return lines;
}

/** `$(check) Go env` when nothing is wrong, `$(warning) Go env: N` otherwise. */
export function statusView(input: StatusInput): StatusView {
  if (input.failed !== undefined) {
    return { text: "$(error) Go env", tooltip: `${input.failed}\n\nClick to show the output.` };
  }
  if (input.checking) {
    return { text: "$(sync~spin) Go env", tooltip: "Go Env Doctor: checking the editor and shell Go environments…" };
  }
  const n = input.errors + input.warnings;
  const sides = tooltipSides(input.folders);
  if (n === 0) {
    return {
      text: "$(check) Go env",
      tooltip: ["Go Env Doctor: the editor and your shell agree.", ...sides, "", "Click to show the report."].join("\n"),
    };
  }
  const counts = [
    input.errors > 0 ? plural(input.errors, "error") : "",
    input.warnings > 0 ? plural(input.warnings, "warning") : "",
  ]
    .filter((s) => s.length > 0)
    .join(", ");
  return {
    text: `$(warning) Go env: ${n}`,
    tooltip: [`Go Env Doctor: ${counts}.`, ...sides, "", "Click to show the report."].join("\n"),
  };
}
