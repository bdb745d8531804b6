import os from "node:os";
import path from "node:path";

/**
 * Where holdfast keeps its state. Everything lives under `stateDir` (mode 700) except the gateway
 * log (see logging). Source: seeds security-architecture.md "Credential Management".
 */
export interface HoldfastPaths {
  /** `$HOLDFAST_STATE_DIR` (tilde-expanded) or `~/.holdfast`. */
  readonly stateDir: string;
  /** `$HOLDFAST_CONFIG_PATH` or `<stateDir>/holdfast.json`. */
  readonly configPath: string;
  /** `<stateDir>/credentials`: pairing stores, allow stores, channel credentials, generated token. */
  readonly credentialsDir: string;
  /** `<stateDir>/workspace`: the default agent workspace. */
  readonly workspaceDir: string;
  /** `<stateDir>/agents`: per-agent sessions and transcripts. */
  readonly agentsDir: string;
  /** `<stateDir>/sandboxes`: per-scope sandbox workspaces. */
  readonly sandboxesDir: string;
  /** `<stateDir>/media`: inbound channel attachments, per session (mounted read-only into the session's jail). */
  readonly mediaDir: string;
  /** `<stateDir>/devices`: paired and pending devices. */
  readonly devicesDir: string;
  /** `<stateDir>/credentials/gateway-token`: the token generated on first start. */
  readonly generatedTokenFile: string;
  /** `<stateDir>/gateway.pid`: PID and address of the running gateway. */
  readonly pidFile: string;
}

/** Expands a leading `~` to `home`. */
export function expandTilde(p: string, home: string): string {
  if (p === "~") return home;
  if (p.startsWith("~/")) return path.join(home, p.slice(2));
  return p;
}

/** Resolves holdfast's paths from the environment (`HOLDFAST_STATE_DIR`, `HOLDFAST_CONFIG_PATH`). */
export function resolvePaths(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): HoldfastPaths {
  const stateDir = path.resolve(expandTilde(nonBlank(env.HOLDFAST_STATE_DIR) ?? path.join(home, ".holdfast"), home));
  const configPath = path.resolve(
    expandTilde(nonBlank(env.HOLDFAST_CONFIG_PATH) ?? path.join(stateDir, "holdfast.json"), home),
  );
  const credentialsDir = path.join(stateDir, "credentials");
  return {
    stateDir,
    configPath,
    credentialsDir,
    workspaceDir: path.join(stateDir, "workspace"),
    agentsDir: path.join(stateDir, "agents"),
    sandboxesDir: path.join(stateDir, "sandboxes"),
    mediaDir: path.join(stateDir, "media"),
    devicesDir: path.join(stateDir, "devices"),
    generatedTokenFile: path.join(credentialsDir, "gateway-token"),
    pidFile: path.join(stateDir, "gateway.pid"),
  };
}

function nonBlank(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== "" ? v.trim() : undefined;
}
