import { randomUUID } from "node:crypto";
import type { SecurityTrail } from "../trail/index.js";
import type { Clock } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import { authWireError } from "./auth/failures.js";
import type { DeviceAuthority, GatewayAuthenticator } from "./auth/types.js";
import { coreMethods } from "./core-methods.js";
import { exposureAuthenticator, type GatewayExposure } from "./exposure-stage.js";
import type { FactView, GatewayHub } from "./hub.js";
import { presenceSnapshot } from "./presence.js";
import { resolveClientAddress, type ClientAddress } from "./net.js";
import { checkOrigin, ORIGIN_NOT_ALLOWED } from "./origin.js";
import {
  MAX_BUFFERED_BYTES,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  TICK_INTERVAL_MS,
  type WireError,
} from "./protocol/frames.js";
import type { RedactText } from "./protocol/wire-errors.js";
import { PreAuthGate, preAuthLimits } from "./preauth.js";
import { GatewayServer } from "./server.js";

/** The events a client can receive (listed in `hello-ok`, docs/protocol.md). */
const GATEWAY_EVENTS = [
  "connect.challenge",
  "tick",
  "chat",
  "agent",
  "sessions.changed",
  "session.message",
  "exec.approval.requested",
  "exec.approval.resolved",
  "node.invoke.request",
  "node.pair.requested",
  "node.pair.resolved",
] as const;

/** Dependencies of {@link createGatewayStage}. */
export interface GatewayStageDeps {
  /** Methods, events, public routes and status facts the other stages registered. */
  readonly hub: GatewayHub;
  readonly exposure: GatewayExposure;
  /** Device pairing, consulted by the authenticator. */
  readonly devices?: DeviceAuthority;
  readonly clock: Clock;
  readonly log: Logger;
  /** The package version (status, `hello-ok`). */
  readonly version: string;
  /** Masks secrets in error messages sent to clients (the process redactor). */
  readonly redact: RedactText;
  /** Agent ids, default first (the `hello-ok` snapshot). */
  readonly agentIds: () => readonly string[];
  /** `gateway.handshake`: caps on connections that have not completed the handshake. */
  readonly handshake?: { readonly maxPendingPerIp?: number; readonly maxPending?: number };
  /** More facts for the `hello-ok` snapshot (runs interrupted by the previous process's end). */
  readonly snapshot?: () => Readonly<Record<string, unknown>>;
  /** Where failed authentications and lockouts are recorded. */
  readonly trail?: SecurityTrail;
}

/** The gateway as built: not listening until {@link GatewayStage.start}. */
export interface GatewayStage {
  readonly server: GatewayServer;
  readonly authenticator: GatewayAuthenticator;
  /** Seals the hub (later registrations throw HF_STAGE_STARTED) and listens. @throws HF_GATEWAY_LISTEN. */
  start(): Promise<{ port: number }>;
}

/**
 * Builds the gateway: the authenticator (exposure settings, failed-auth limiter, devices, Tailscale
 * identity), the cap on connections still before the handshake ({@link PreAuthGate}: per client and
 * in all, `gateway.handshake`), browser-origin and proxy-attribution admission at upgrade, the `health`,
 * `status` and `system-presence` methods (status: version, uptime, exposure, then the registered facts;
 * health: the registered health facts and checks), and the HTTP+WS server
 * (TLS when configured) over the hub's methods, events and public routes.
 */
export function createGatewayStage(deps: GatewayStageDeps): GatewayStage {
  const { hub, exposure, clock } = deps;
  const started = clock.now();
  const authenticator = exposureAuthenticator(deps, exposure, deps.devices);
  const preAuth = new PreAuthGate(preAuthLimits(deps.handshake), {
    log: deps.log,
    exempt: (ip) => exposure.proxyTrust.isTrustedProxy(ip),
  });
  hub.status.add("connections", () => hub.broadcaster.size);
  hub.status.add("handshakes", () => preAuth.stats());
  const bootId = randomUUID();
  const status = async (view: FactView) => ({
    version: deps.version,
    runtimeVersion: deps.version,
    uptimeMs: clock.now() - started,
    gateway: {
      bind: exposure.plan.bindMode,
      hosts: exposure.plan.hosts,
      port: server.port,
      auth: { mode: authenticator.mode },
      tls: exposure.tls ? { enabled: true, fingerprint256: exposure.tls.fingerprint256 } : { enabled: false },
      tailscale: { mode: exposure.plan.tailscale },
    },
    ...(await hub.status.collect(view)),
  });
  const degraded = () => hub.health.degraded();
  hub.methods.register(
    ...coreMethods({
      now: () => clock.now(),
      status,
      agentIds: deps.agentIds,
      health: (view) => hub.healthFacts.collect(view),
      degraded,
      presence: () =>
        presenceSnapshot({ version: deps.version, instanceId: bootId, startedAt: started }, hub.broadcaster.all()),
    }),
  );
  const admitUpgrade = (client: ClientAddress): WireError | undefined => {
    if (client.unattributedProxy) return authWireError("proxy_attribution_required");
    return checkOrigin(client, exposure.origin).allow ? undefined : ORIGIN_NOT_ALLOWED;
  };
  const server: GatewayServer = new GatewayServer({
    hosts: exposure.plan.hosts,
    port: exposure.port,
    authenticator,
    methods: hub.methods,
    broadcaster: hub.broadcaster,
    log: deps.log,
    now: () => clock.now(),
    status: () => status({ admin: true }),
    healthy: () => degraded().length === 0,
    publicRoutes: (app, client) => hub.routes.mount(app, client),
    clientAddress: (remote, headers) => resolveClientAddress(remote, headers, exposure.proxyTrust),
    admitUpgrade,
    redact: deps.redact,
    controlUi: exposure.controlUi,
    preAuth,
    ...(exposure.tls ? { tls: { cert: exposure.tls.cert, key: exposure.tls.key } } : {}),
    hello: (conn) => ({
      protocol: PROTOCOL_VERSION,
      server: { version: deps.version, bootId, connId: conn.connId },
      features: { methods: hub.methods.names(), events: [...GATEWAY_EVENTS] },
      snapshot: { agents: deps.agentIds(), defaultAgentId: deps.agentIds()[0], ...deps.snapshot?.() },
      policy: { maxPayload: MAX_FRAME_BYTES, maxBufferedBytes: MAX_BUFFERED_BYTES, tickIntervalMs: TICK_INTERVAL_MS },
    }),
  });
  return {
    server,
    authenticator,
    start: () => {
      hub.seal();
      return server.start();
    },
  };
}
