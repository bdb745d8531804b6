import { execFile } from "node:child_process";
import net from "node:net";
import { HoldfastError } from "../errors/index.js";
import type { Logger } from "../logging/index.js";
import type { TailscaleWhois } from "./auth/identity-headers.js";

/** Runs the `tailscale` CLI; resolves with stdout, rejects when it fails or times out. */
export type TailscaleRunner = (args: readonly string[]) => Promise<string>;

/** Longest a `tailscale` call may take (ms). */
export const TAILSCALE_TIMEOUT_MS = 15_000;

/**
 * The real runner: `tailscale <args>` found on the `PATH` of `env`, no shell, bounded time and output.
 */
export function tailscaleCli(env: NodeJS.ProcessEnv): TailscaleRunner {
  return (args) =>
    new Promise((resolve, reject) => {
      execFile(
        "tailscale",
        [...args],
        { env, timeout: TAILSCALE_TIMEOUT_MS, maxBuffer: 1024 * 1024, windowsHide: true },
        (err, stdout, stderr) => {
          if (err)
            reject(
              new HoldfastError(
                "HF_GATEWAY_TAILSCALE",
                `tailscale ${args[0] ?? ""} failed: ${String(stderr || err.message)
                  .trim()
                  .slice(0, 300)}`,
              ),
            );
          else resolve(stdout);
        },
      );
    });
}

/**
 * `tailscale whois --json <ip>` → the tailnet login that owns the address (`UserProfile.LoginName`),
 * or undefined. The address is validated before the CLI is called.
 */
export function tailscaleWhois(run: TailscaleRunner): TailscaleWhois {
  return async (ip) => {
    if (!net.isIP(ip)) return undefined;
    const out = JSON.parse(await run(["whois", "--json", ip])) as { UserProfile?: { LoginName?: unknown } };
    const login = out.UserProfile?.LoginName;
    return typeof login === "string" && login.trim() !== "" ? login.trim() : undefined;
  };
}

/**
 * Publishes the loopback gateway through Tailscale Serve (tailnet only) or Funnel (public HTTPS)
 * while it runs (seeds security-architecture.md "Tailscale Integration"; reference §2.5), and
 * resets the route on stop (unless `resetOnExit` is false).
 */
export class TailscaleExposure {
  private active = false;

  constructor(
    private readonly run: TailscaleRunner,
    private readonly mode: "serve" | "funnel",
    private readonly log: Logger,
    private readonly resetOnExit = true,
  ) {}

  /** Routes the tailnet (or the internet, for funnel) to `127.0.0.1:<port>`. @throws HoldfastError HF_GATEWAY_TAILSCALE. */
  async start(port: number, tls: boolean): Promise<void> {
    const target = `${tls ? "https+insecure" : "http"}://127.0.0.1:${port}`;
    try {
      await this.run([this.mode, "--bg", "--yes", target]);
    } catch (err) {
      throw new HoldfastError(
        "HF_GATEWAY_TAILSCALE",
        `cannot start tailscale ${this.mode}: ${(err as Error).message}`,
        { mode: this.mode },
        { cause: err },
      );
    }
    this.active = true;
    this.log.info({ mode: this.mode, target }, `tailscale ${this.mode} route established`);
  }

  /** Removes the route (best effort; failures are logged). */
  async stop(): Promise<void> {
    if (!this.active || !this.resetOnExit) return;
    this.active = false;
    await this.run([this.mode, "reset"]).then(
      () => this.log.info({ mode: this.mode }, `tailscale ${this.mode} route released`),
      (err: Error) => this.log.warn({ mode: this.mode, err: err.message }, `tailscale ${this.mode} reset failed`),
    );
  }
}
