import os from "node:os";
import path from "node:path";
import { z } from "zod";
import type { AllowAlwaysStore } from "../approvals/index.js";
import { GatewayClient, GatewayRequestError } from "../client/index.js";
import { errorMessage } from "../errors/index.js";
import { cliHint, backoffDelayMs, ensurePrivateDir, type Clock } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import { NODE_EXEC_POLICY_CAP, SYSTEM_RUN } from "../nodes/index.js";
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

/** The `node.invoke.request` event (reference node protocol). */
const InvokeRequest = z.looseObject({
  id: z.string().min(1).max(64),
  nodeId: z.string().max(128),
  command: z.string().max(128),
  paramsJSON: z.string().max(1_000_000),
});

/** `system.run` params inside `paramsJSON`: `command` is the argv (never a shell line). */
const SystemRunParams = z.looseObject({
  command: z.array(z.string()).min(1).max(256),
  cwd: z.string().max(4096).optional(),
  timeoutMs: z.number().int().positive().optional(),
  approvalDecision: z.enum(["allow-once", "allow-always", "deny"]).optional(),
});

/**
 * The headless node host: connects to a gateway with role `node` and its Ed25519 device identity,
 * declaring in `connect` what it offers (`commands:["system.run"]`, `caps:["system","exec-policy"]`,
 * `client.displayName`) — the reference node protocol, so the same gateway code serves it and the
 * reference's node host. It pairs (loopback pairs at once; remote nodes wait until an operator runs
 * `holdfast devices approve <id>`), keeps the device token it is given, answers
 * `node.invoke.request` events with `node.invoke.result`, and reconnects with backoff until `signal`
 * aborts. Every command runs under the node's own exec approvals (see system-run.ts).
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
  const displayName = o.displayName ?? os.hostname();
  const client = await GatewayClient.connect({
    url: o.gatewayUrl,
    role: "node",
    scopes: [],
    clientId: "node-host",
    device: identity,
    extraConnectParams: () => ({
      client: { id: "node-host", displayName, version: "1", platform: process.platform, mode: "node" },
      caps: ["system", NODE_EXEC_POLICY_CAP],
      commands: [SYSTEM_RUN],
    }),
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
    if (name === "node.invoke.request") void handleInvoke(o, client, payload);
  });
  o.log.info({ nodeId }, "node host connected");
  o.onConnected?.(nodeId);
  await closed;
  o.signal.removeEventListener("abort", onAbort);
}

async function handleInvoke(o: NodeHostOptions, client: GatewayClient, payload: unknown): Promise<void> {
  const req = InvokeRequest.safeParse(payload);
  if (!req.success) return o.log.warn("ignored a malformed node.invoke.request");
  const { id, nodeId, command } = req.data;
  const result = await invoke(o, command, req.data.paramsJSON);
  const reply =
    result.ok === true
      ? { id, nodeId, ok: true, payloadJSON: JSON.stringify(result.payload) }
      : { id, nodeId, ...result };
  await client
    .request("node.invoke.result", reply)
    .catch((err: unknown) => o.log.warn({ err: errorMessage(err) }, "could not deliver a node result"));
}

async function invoke(o: NodeHostOptions, command: string, paramsJSON: string): Promise<SystemRunResult> {
  if (command !== SYSTEM_RUN)
    return {
      ok: false,
      error: { code: "unknown_command", message: `this node does not offer ${command.slice(0, 64)}` },
    };
  let raw: unknown;
  try {
    raw = JSON.parse(paramsJSON);
  } catch {
    return { ok: false, error: { code: "INVALID_REQUEST", message: "paramsJSON is not JSON" } };
  }
  const p = SystemRunParams.safeParse(raw);
  if (!p.success) return { ok: false, error: { code: "INVALID_REQUEST", message: "invalid system.run params" } };
  if (p.data.approvalDecision === "deny")
    return { ok: false, error: { code: "approval_denied", message: "not approved (deny)" } };
  return systemRun(
    {
      argv: p.data.command,
      ...(p.data.cwd ? { cwd: p.data.cwd } : {}),
      ...(p.data.timeoutMs ? { timeoutMs: p.data.timeoutMs } : {}),
      ...(p.data.approvalDecision ? { approvalDecision: p.data.approvalDecision } : {}),
    },
    {
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
      remember: (patterns) => o.approvals.add(NODE_APPROVALS_KEY, patterns),
      defaultCwd: o.workDir,
      env: o.env,
      limits: o.limits,
      log: o.log,
      signal: o.signal,
    },
  ).catch((err: unknown): SystemRunResult => ({
    ok: false,
    error: { code: "node_failed", message: errorMessage(err).slice(0, 500) },
  }));
}

/** The node host's directory inside a state dir. */
export function nodeDir(stateDir: string): string {
  return path.join(stateDir, "node");
}
