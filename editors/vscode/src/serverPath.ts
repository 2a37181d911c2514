// Where the language server binary is: pure logic (the file system is injected) so the lookup
// order is unit-tested without VS Code.

import * as path from "node:path";

export type ServerSource = "setting" | "env" | "bundled" | "path";

export interface LookupInput {
  /** `goEnvDoctor.server.path` as configured (may be empty). */
  setting: string | undefined;
  /** The process environment (for `GO_ENV_DOCTOR_PATH`, `PATH`, `${env:…}`, `PATHEXT`). */
  env: Record<string, string | undefined>;
  /** The extension's install directory (holds `server/go-env-doctor[.exe]` in platform vsix). */
  extensionPath: string;
  platform: NodeJS.Platform;
  home: string;
  /** Whether a file exists and can be executed; the reason when not. */
  check: (file: string) => "ok" | "missing" | "not-executable" | "not-a-file";
}

export interface Attempt {
  source: ServerSource;
  path: string;
  problem: "missing" | "not-executable" | "not-a-file" | "not found";
}

export type LookupResult =
  | { ok: true; path: string; source: ServerSource; tried: Attempt[] }
  | { ok: false; tried: Attempt[]; message: string };

export const ENV_VAR = "GO_ENV_DOCTOR_PATH";
export const SETTING = "goEnvDoctor.server.path";

/** `~` / `~/…` → home, `${env:VAR}` → its value (missing → empty), like vscode-go does. */
export function expandPath(raw: string, env: Record<string, string | undefined>, home: string): string {
  let p = raw.trim().replace(/\$\{env:([^}]+)\}/g, (_m, name: string) => env[name] ?? "");
  if (p === "~") {
    p = home;
  } else if (p.startsWith("~/") || p.startsWith("~\\")) {
    p = path.join(home, p.slice(2));
  }
  return p;
}

export function binaryName(platform: NodeJS.Platform): string {
  return platform === "win32" ? "go-env-doctor.exe" : "go-env-doctor";
}

function pathLookup(input: LookupInput): string[] {
  const sep = input.platform === "win32" ? ";" : ":";
  const dirs = (input.env.PATH ?? input.env.Path ?? "").split(sep).filter((d) => d.length > 0);
  const join = input.platform === "win32" ? path.win32.join : path.posix.join;
  return dirs.map((d) => join(d, binaryName(input.platform)));
}

/**
 * The server binary, first hit wins: the setting, `GO_ENV_DOCTOR_PATH`, the bundled binary,
 * then `PATH`. An explicitly configured path (setting or environment variable) that does not
 * work is an error naming it: silently running some other binary would hide the mistake.
 */
export function findServer(input: LookupInput): LookupResult {
  const tried: Attempt[] = [];
  const explicit: [ServerSource, string | undefined][] = [
    ["setting", input.setting],
    ["env", input.env[ENV_VAR]],
  ];
  for (const [source, raw] of explicit) {
    if (raw === undefined || raw.trim() === "") {
      continue;
    }
    const p = expandPath(raw, input.env, input.home);
    const state = input.check(p);
    if (state === "ok") {
      return { ok: true, path: p, source, tried };
    }
    tried.push({ source, path: p, problem: state });
    return { ok: false, tried, message: failureMessage(tried, input.platform) };
  }
  const bundled = path.join(input.extensionPath, "server", binaryName(input.platform));
  const bundledState = input.check(bundled);
  if (bundledState === "ok") {
    return { ok: true, path: bundled, source: "bundled", tried };
  }
  tried.push({ source: "bundled", path: bundled, problem: bundledState });
  for (const candidate of pathLookup(input)) {
    if (input.check(candidate) === "ok") {
      return { ok: true, path: candidate, source: "path", tried };
    }
  }
  tried.push({ source: "path", path: binaryName(input.platform), problem: "not found" });
  return { ok: false, tried, message: failureMessage(tried, input.platform) };
}

const SOURCE_LABEL: Record<ServerSource, string> = {
  setting: `the "${SETTING}" setting`,
  env: `the ${ENV_VAR} environment variable`,
  bundled: "the binary bundled with the extension",
  path: "PATH",
};

const PROBLEM_LABEL: Record<Attempt["problem"], string> = {
  missing: "does not exist",
  "not-executable": "is not executable",
  "not-a-file": "is not a file",
  "not found": "not found",
};

/** One actionable sentence list: what was tried, and how to fix it. */
export function failureMessage(tried: Attempt[], platform: NodeJS.Platform): string {
  const parts = tried.map((t) =>
    t.source === "path"
      ? `${binaryName(platform)} is not on PATH`
      : `${t.path} (${SOURCE_LABEL[t.source]}) ${PROBLEM_LABEL[t.problem]}`,
  );
  const fix =
    tried.length > 0 && tried[0].problem === "not-executable"
      ? `Make it executable (chmod +x) or set "${SETTING}" to a working go-env-doctor binary.`
      : `Set "${SETTING}" to the go-env-doctor binary (build it with \`cargo build --release\`), or install a platform-specific build of this extension.`;
  return `Go Env Doctor cannot start its language server: ${parts.join("; ")}. ${fix}`;
}
