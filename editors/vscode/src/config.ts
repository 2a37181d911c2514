// The `goEnvDoctor` section as the server expects it (README, *Language server*): only the members
// it knows, empty values left out so the server's defaults apply, and `trusted` from VS Code's
// workspace trust.

export interface ExtensionSettings {
  shell?: string;
  shellTimeoutSeconds?: number;
  disabledChecks?: string[];
  userSettings?: string;
}

export interface ServerConfig {
  trusted: boolean;
  shell?: string;
  shellTimeoutSeconds?: number;
  disabledChecks?: string[];
  userSettings?: string;
}

export function serverConfig(settings: ExtensionSettings, trusted: boolean): ServerConfig {
  const out: ServerConfig = { trusted };
  if (typeof settings.shell === "string" && settings.shell.trim() !== "") {
    out.shell = settings.shell.trim();
  }
  const t = settings.shellTimeoutSeconds;
  if (typeof t === "number" && Number.isFinite(t)) {
    out.shellTimeoutSeconds = Math.min(120, Math.max(1, Math.round(t)));
  }
  if (Array.isArray(settings.disabledChecks)) {
    out.disabledChecks = settings.disabledChecks.filter((c): c is string => typeof c === "string" && c !== "");
  }
  if (typeof settings.userSettings === "string" && settings.userSettings !== "") {
    out.userSettings = settings.userSettings;
  }
  return out;
}
