import { describe, expect, it } from "vitest";
import { expandPath, findServer, type LookupInput } from "../src/serverPath";

function input(files: Record<string, "ok" | "not-executable">, over: Partial<LookupInput> = {}): LookupInput {
  return {
    setting: "",
    env: { PATH: "/usr/local/bin:/usr/bin" },
    extensionPath: "/ext",
    platform: "linux",
    home: "/home/u",
    check: (f) => files[f] ?? "missing",
    ...over,
  };
}

describe("findServer", () => {
  const all = {
    "/opt/ged": "ok",
    "/from/env/ged": "ok",
    "/ext/server/go-env-doctor": "ok",
    "/usr/bin/go-env-doctor": "ok",
  } as const;

  it("prefers the setting, then GO_ENV_DOCTOR_PATH, then the bundled binary, then PATH", () => {
    const env = { PATH: "/usr/local/bin:/usr/bin", GO_ENV_DOCTOR_PATH: "/from/env/ged" };
    expect(findServer(input(all, { setting: "/opt/ged", env }))).toMatchObject({ ok: true, path: "/opt/ged", source: "setting" });
    expect(findServer(input(all, { env }))).toMatchObject({ ok: true, path: "/from/env/ged", source: "env" });
    expect(findServer(input(all))).toMatchObject({ ok: true, path: "/ext/server/go-env-doctor", source: "bundled" });
    expect(findServer(input({ "/usr/bin/go-env-doctor": "ok" }))).toMatchObject({
      ok: true,
      path: "/usr/bin/go-env-doctor",
      source: "path",
    });
  });

  it("takes the first PATH entry that has it", () => {
    const r = findServer(input({ "/usr/local/bin/go-env-doctor": "ok", "/usr/bin/go-env-doctor": "ok" }));
    expect(r).toMatchObject({ ok: true, path: "/usr/local/bin/go-env-doctor" });
  });

  it("expands ~ and ${env:VAR} in the setting", () => {
    const r = findServer(input({ "/home/u/bin/ged": "ok" }, { setting: "~/bin/ged" }));
    expect(r).toMatchObject({ ok: true, path: "/home/u/bin/ged" });
    const r2 = findServer(input({ "/tools/ged": "ok" }, { setting: "${env:TOOLS}/ged", env: { TOOLS: "/tools" } }));
    expect(r2).toMatchObject({ ok: true, path: "/tools/ged" });
  });

  it("reports a configured path that does not work instead of running another binary", () => {
    const r = findServer(input(all, { setting: "/nope/ged" }));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toContain("/nope/ged");
      expect(r.message).toContain('"goEnvDoctor.server.path" setting');
      expect(r.message).toContain("does not exist");
      expect(r.message).toContain('Set "goEnvDoctor.server.path"');
    }
    const r2 = findServer(input({ "/x/ged": "not-executable" }, { env: { GO_ENV_DOCTOR_PATH: "/x/ged" } }));
    expect(r2.ok).toBe(false);
    if (!r2.ok) {
      expect(r2.message).toContain("/x/ged (the GO_ENV_DOCTOR_PATH environment variable) is not executable");
      expect(r2.message).toContain("chmod +x");
    }
  });

  it("lists every place it looked when nothing is found", () => {
    const r = findServer(input({}));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.tried.map((t) => t.source)).toEqual(["bundled", "path"]);
      expect(r.message).toContain("/ext/server/go-env-doctor (the binary bundled with the extension) does not exist");
      expect(r.message).toContain("go-env-doctor is not on PATH");
    }
  });

  it("looks for go-env-doctor.exe on Windows", () => {
    const r = findServer(
      input({ "C:\\tools\\go-env-doctor.exe": "ok" }, { platform: "win32", env: { Path: "C:\\tools;C:\\other" } }),
    );
    expect(r).toMatchObject({ ok: true, path: "C:\\tools\\go-env-doctor.exe", source: "path" });
  });
});

describe("expandPath", () => {
  it("replaces a missing variable with nothing and keeps other text", () => {
    expect(expandPath("${env:NOPE}/x", {}, "/h")).toBe("/x");
    expect(expandPath("~", {}, "/h")).toBe("/h");
    expect(expandPath("/a/~b", {}, "/h")).toBe("/a/~b");
  });
});
