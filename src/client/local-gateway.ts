import { HoldfastError } from "../errors/index.js";
import { cliHint, readFileIfExists } from "../infra/index.js";
import type { HoldfastPaths } from "../config/index.js";
import { GatewayClient } from "./gateway-client.js";

/** The PID file the running gateway writes: `<stateDir>/gateway.pid`. */
export interface PidInfo {
  readonly pid: number;
  /** null while the gateway is starting (the PID file is written before it listens). */
  readonly port: number | null;
  readonly hosts: readonly string[];
  readonly tls?: boolean;
  /** SHA-256 fingerprint of the certificate the gateway serves (with `tls`). */
  readonly tlsFingerprint?: string;
  /** ISO time it started. */
  readonly startedAt?: string;
  /** The CLI arguments it was started with (`gateway restart` runs them again). */
  readonly argv?: readonly string[];
}

/**
 * Reads the PID file; undefined when no gateway is running (or the PID is gone). A gateway that is
 * still starting has `port` null and no `hosts` yet.
 */
export async function readPidInfo(pidFile: string): Promise<PidInfo | undefined> {
  const text = await readFileIfExists(pidFile);
  if (!text) return undefined;
  try {
    const info = JSON.parse(text) as Partial<PidInfo> & { pid: number };
    process.kill(info.pid, 0);
    return { ...info, port: typeof info.port === "number" ? info.port : null, hosts: info.hosts ?? [] };
  } catch {
    return undefined;
  }
}

/**
 * Connects to the gateway of this state dir (address from the PID file, credentials from config, env
 * or the generated token file) with the given scopes. Over TLS the certificate is pinned to the
 * fingerprint the gateway recorded in its PID file; without one the connection is refused.
 * @throws HoldfastError HF_GATEWAY_UNREACHABLE when it is not running; HF_TLS_PIN_MISMATCH.
 */
export async function connectLocalGateway(
  ctx: { readonly paths: Pick<HoldfastPaths, "pidFile"> },
  scopes: readonly string[],
  credential: { token?: string; password?: string },
): Promise<GatewayClient> {
  const info = await readPidInfo(ctx.paths.pidFile);
  if (!info)
    throw new HoldfastError(
      "HF_GATEWAY_UNREACHABLE",
      `the gateway is not running (no live PID in ${ctx.paths.pidFile}); start it with: ${cliHint("gateway")}`,
    );
  if (info.port === null)
    throw new HoldfastError(
      "HF_GATEWAY_UNREACHABLE",
      `the gateway (pid ${info.pid}) is still starting and not listening yet; try again in a moment`,
    );
  if (info.tls && !info.tlsFingerprint)
    throw new HoldfastError(
      "HF_TLS_PIN_MISMATCH",
      `the gateway serves TLS but ${ctx.paths.pidFile} records no certificate fingerprint to pin`,
    );
  return GatewayClient.connect({
    url: `${info.tls ? "wss" : "ws"}://127.0.0.1:${info.port}`,
    ...credential,
    scopes,
    clientId: "cli",
    ...(info.tls && info.tlsFingerprint ? { tlsFingerprint: info.tlsFingerprint } : {}),
  });
}
