// The status bar item's text and tooltip, and what the tooltip reads from the server's report:
// pure, unit-tested.

export interface SideLine {
  role: "editor" | "shell";
  /** The cells of the report's header row: label, Go version, `GOROOT …` (or a note). */
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

/** Parse the `editor`/`shell` header rows of each folder in the server's Markdown report. */
export function parseReport(markdown: string): FolderSides[] {
  const out: FolderSides[] = [];
  let current: FolderSides | undefined;
  let inHeader = false;
  for (const raw of markdown.split(/\r?\n/)) {
    const line = raw.replace(/\s+$/, "");
    const folder = /^folder {2}(.*)$/.exec(line);
    if (folder) {
      current = { folder: folder[1], sides: [] };
      out.push(current);
      inHeader = true;
      continue;
    }
    if (!current || !inHeader) {
      continue;
    }
    const side = /^(editor|shell)\s+(.*)$/.exec(line);
    if (side) {
      current.sides.push({
        role: side[1] as "editor" | "shell",
        cells: side[2].split(/\s{2,}/).filter((c) => c.length > 0),
      });
    } else {
      inHeader = false;
    }
  }
  return out;
}

/** Whether the report says that no folder has been checked yet. */
export function reportIsEmpty(markdown: string): boolean {
  return /No workspace folder has been checked yet/.test(markdown);
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
