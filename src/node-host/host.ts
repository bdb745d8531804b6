import os from "node:os";
import path from "node:path";
import { z } from "zod";
import type { AllowAlwaysStore } from "../approvals/index.js";
import { GatewayClient, GatewayRequestError } from "../client/index.js";
import { errorMessage } from "../errors/index.js";
import { cliHint, backoffDelayMs, ensurePrivateDir, type Clock } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import type { ExecPolicy } from "../tools/index.js";
import type { NodeIdentityStore } from "./identity.js";
import { systemRun, type SystemRunResult } from "./system-run.js";

/** Options of {@link runNodeHost}. */
export interface NodeHostOptions {
  /** `ws://host:port` or `wss://host:port` of the gateway. */
  readonly gatewayUrl: string;
  /** Shared gateway token or password, used until the node holds a device token. */
  readonly token?: string;
  readonly password?: string;
  /** SHA-256 fingerprint of the gateway's TLS certificate (wss only). */
  readonly tlsPin?: string;
  readonly displayName?: string;
  readonly identity: NodeIdentityStore;
  /** The node's allow-always store (`<stateDir>/node/exec-approvals.json`). */
  readonly approvals: AllowAlwaysStore;
  /** The node's exec policy from its own config (without allow-always entries). */
  readonly basePolicy: ExecPolicy;
  readonly workDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly limits: { readonly timeoutMs: number; readonly maxOutputBytes: number };
  readonly log: Logger;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** Called after each successful registration (tests, status lines). */
  readonly onConnected?: (nodeId: string) => void;
}

/** The allow-always key the node's entries are stored under. */
export const NODE_APPROVALS_KEY = "node";

const InvokeEvent = z.looseObject({
  invokeId: z.string().min(1).max(64),
  command: z.string().max(64),
  params: z.looseObject({
    argv: z.array(z.string()).min(1).max(256),
    cwd: z.string().max(4096).optional(),
    timeoutMs: z.number().int().positive().optional(),
  }),
});

/**
 * The headless node host: connects to a gateway with role `node` and its Ed25519 device identity,
 * pairs (loopback pairs at once; remote nodes wait until an operator runs
 * `holdfast devices approve <id>`), keeps the device token it is given, offers `system.run`, and
 * reconnects with backoff until `signal` aborts. Every command runs under the node's own exec
 * approvals (see system-run.ts).
 */
export async function runNodeHost(o: NodeHostOptions): Promise<void> {
  await ensurePrivateDir(o.workDir);
  const identity = await o.identity.identity();
  let attempt = 0;
  let announced: string | undefined;
  while (!o.signal.aborted) {
    try {
      const client = await connect(o, identity);
      attempt = 0;
      await serve(o, client, identity.deviceId);
    } catch (err) {
      const e = err instanceof GatewayRequestError ? err : undefined;
      const details = e?.wireDetails as { code?: string; requestId?: string } | undefined;
      if (e?.wireCode === "NOT_PAIRED" && details?.requestId && announced !== details.requestId) {
        announced = details.requestId;
        o.log.warn(
          { requestId: details.requestId },
          `node pairing pending; an operator approves it with: ${cliHint(`devices approve ${details.requestId}`)}`,
        );
      } else if (details?.code === "AUTH_DEVICE_TOKEN_MISMATCH") {
        o.log.warn("the stored device token was refused (revoked?); pairing again with the shared credential");
        await o.identity.setDeviceToken(undefined);
      } else if (e?.wireCode !== "NOT_PAIRED") {
        o.log.warn({ err: errorMessage(err) }, "node host could not connect; retrying");
      }
    }
    if (o.signal.aborted) break;
    await o.clock.sleep(backoffDelayMs(attempt++, 1_000, 15_000), o.signal).catch(() => undefined);
  }
}

async function connect(
  o: NodeHostOptions,
  identity: Awaited<ReturnType<NodeIdentityStore["identity"]>>,
): Promise<GatewayClient> {
  const deviceToken = await o.identity.deviceToken();
  const client = await GatewayClient.connect({
    url: o.gatewayUrl,
    role: "node",
    scopes: [],
    clientId: "node-host",
    device: identity,
    ...(deviceToken
      ? { deviceToken }
      : { ...(o.token ? { token: o.token } : {}), ...(o.password ? { password: o.password } : {}) }),
    ...(o.tlsPin ? { tlsFingerprint: o.tlsPin } : {}),
  });
  const issued = (client.hello?.auth as { deviceToken?: string } | undefined)?.deviceToken;
  if (issued) await o.identity.setDeviceToken(issued);
  return client;
}

async function serve(o: NodeHostOptions, client: GatewayClient, nodeId: string): Promise<void> {
  const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
  const onAbort = () => client.close();
  o.signal.addEventListener("abort", onAbort, { once: true });
  client.on("event", (name: string, payload: unknown) => {
    if (name === "node.invoke") void handleInvoke(o, client, payload);
  });
  await client.request("node.register", { displayName: o.displayName ?? os.hostname(), commands: ["system.run"] });
  o.log.info({ nodeId }, "node host connected");
  o.onConnected?.(nodeId);
  await closed;
  o.signal.removeEventListener("abort", onAbort);
}

async function handleInvoke(o: NodeHostOptions, client: GatewayClient, payload: unknown): Promise<void> {
  const ev = InvokeEvent.safeParse(payload);
  const invokeId = (payload as { invokeId?: unknown })?.invokeId;
  let result: SystemRunResult;
  if (!ev.success)
    result = { ok: false, error: { code: "invalid_invocation", message: "invalid node.invoke payload" } };
  else if (ev.data.command !== "system.run")
    result = {
      ok: false,
      error: { code: "unknown_command", message: `this node does not offer ${ev.data.command.slice(0, 64)}` },
    };
  else {
    const { invokeId: id } = ev.data;
    result = await systemRun(ev.data.params, {
      policy: async () => ({
        ...o.basePolicy,
        allowlist: [
          ...o.basePolicy.allowlist,
          ...(await o.approvals.entries(NODE_APPROVALS_KEY)).map((e) => ({
            pattern: e.pattern,
            args: e.args ?? [],
            source: "allow-always" as const,
          })),
        ],
      }),
      approve: async (req) =>
        (
          (await client.request("node.exec.approval.request", { invokeId: id, ...req })) as {
            decision: "allow-once" | "allow-always" | "deny" | "expired" | "aborted";
          }
        ).decision,
      remember: (patterns) => o.approvals.add(NODE_APPROVALS_KEY, patterns),
      defaultCwd: o.workDir,
      env: o.env,
      limits: o.limits,
      log: o.log,
      signal: o.signal,
    }).catch((err: unknown): SystemRunResult => ({
      ok: false,
      error: { code: "node_failed", message: errorMessage(err).slice(0, 500) },
    }));
  }
  if (typeof invokeId !== "string") return;
  await client
    .request("node.invoke.result", { invokeId, ...result })
    .catch((err: unknown) => o.log.warn({ err: errorMessage(err) }, "could not deliver a node result"));
}

/** The node host's directory inside a state dir. */
export function nodeDir(stateDir: string): string {
  return path.join(stateDir, "node");
}
