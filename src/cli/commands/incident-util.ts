import { readFileSync } from "node:fs";
import { readPidInfo, type PidInfo } from "../../client/index.js";
import { standInEnv } from "../../config/index.js";
import { HoldfastError } from "../../errors/index.js";
import { auditedConfigUpdate } from "../trail.js";

/** How long `gateway stop` waits for the gateway to exit after SIGTERM (ms). */
export const STOP_TIMEOUT_MS = 15_000;
const POLL_MS = 100;

/** One line of "what changed" output. */
export interface Change {
  readonly what: string;
  readonly from?: unknown;
  readonly to?: unknown;
  readonly note?: string;
}

/** Renders a change as `what: from → to (note)`. */
export function renderChange(c: Change): string {
  const fmt = (v: unknown) => (v === undefined ? "unset" : typeof v === "string" ? v : JSON.stringify(v));
  const arrow = "from" in c || "to" in c ? `: ${fmt(c.from)} → ${fmt(c.to)}` : "";
  return `${c.what}${arrow}${c.note ? ` (${c.note})` : ""}`;
}

/**
 * Edits the config file for incident response. The result is validated for shape only: `${VAR}`
 * references are checked with a stand-in value, because an operator containing an incident may run
 * this from a shell that lacks the gateway's environment. Atomic write, mode 600. The change is
 * recorded in the security trail as made by the CLI `command`.
 * @throws HoldfastError HF_CONFIG_PARSE / HF_CONFIG_INVALID.
 */
export async function updateConfigForIncident(
  configPath: string,
  change: (raw: Record<string, unknown>) => Record<string, unknown>,
  command: string,
): Promise<string[]> {
  return auditedConfigUpdate({ configPath, change, actor: { kind: "cli", command }, env: standInEnv(process.env) });
}

/** True when `pid` looks like a `holdfast gateway` process (Linux `/proc`; assumed true elsewhere). */
export function isGatewayProcess(pid: number): boolean {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return args.includes("gateway");
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== "ENOENT" || process.platform !== "linux";
  }
}

/**
 * Stops the gateway recorded in the PID file: SIGTERM (the gateway finishes or aborts runs, flushes
 * and closes clients), then waits for it to exit. Returns the stopped gateway, or undefined when none
 * was running. Never signals a PID that is not a holdfast gateway (a stale PID file after a reboot).
 * @throws HoldfastError HF_GATEWAY_STOP_FAILED when it does not exit within `timeoutMs`.
 */
export async function stopRunningGateway(pidFile: string, timeoutMs = STOP_TIMEOUT_MS): Promise<PidInfo | undefined> {
  const info = await readPidInfo(pidFile);
  if (!info) return undefined;
  if (!isGatewayProcess(info.pid))
    throw new HoldfastError(
      "HF_GATEWAY_STOP_FAILED",
      `PID ${info.pid} in ${pidFile} is not a holdfast gateway; not signalling it (remove the stale file)`,
    );
  process.kill(info.pid, "SIGTERM");
  for (let waited = 0; waited < timeoutMs; waited += POLL_MS) {
    if (!alive(info.pid)) return info;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new HoldfastError(
    "HF_GATEWAY_STOP_FAILED",
    `the gateway (pid ${info.pid}) did not exit within ${timeoutMs} ms of SIGTERM`,
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
