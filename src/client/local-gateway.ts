import { HoldfastError } from "../errors/index.js";
import { readFileIfExists } from "../infra/index.js";
import type { AppContext } from "../app/context.js";
import { GatewayClient } from "./gateway-client.js";

/** The PID file the running gateway writes: `<stateDir>/gateway.pid`. */
export interface PidInfo {
  readonly pid: number;
  readonly port: number;
  readonly hosts: readonly string[];
  readonly tls?: boolean;
}

/** Reads the PID file; undefined when no gateway is running (or the PID is gone). */
export async function readPidInfo(pidFile: string): Promise<PidInfo | undefined> {
  const text = await readFileIfExists(pidFile);
  if (!text) return undefined;
  try {
    const info = JSON.parse(text) as PidInfo;
    process.kill(info.pid, 0);
    return info;
  } catch {
    return undefined;
  }
}

/**
 * Connects to the gateway of this state dir (address from the PID file, credentials from config, env
 * or the generated token file) with the given scopes.
 * @throws HoldfastError HF_GATEWAY_UNREACHABLE when it is not running.
 */
export async function connectLocalGateway(ctx: AppContext, scopes: readonly string[], credential: { token?: string; password?: string }): Promise<GatewayClient> {
  const info = await readPidInfo(ctx.paths.pidFile);
  if (!info) throw new HoldfastError("HF_GATEWAY_UNREACHABLE", `the gateway is not running (no live PID in ${ctx.paths.pidFile}); start it with: holdfast gateway`);
  const scheme = info.tls ? "wss" : "ws";
  return GatewayClient.connect({
    url: `${scheme}://127.0.0.1:${info.port}`,
    ...credential,
    scopes,
    clientId: "cli",
    ...(info.tls ? { wsOptions: { rejectUnauthorized: false } } : {}),
  });
}
