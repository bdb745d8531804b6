import type { Context, Hono } from "hono";
import type { ClientAddress } from "./net.js";
import { Broadcaster } from "./broadcaster.js";
import { MethodRegistry } from "./methods/registry.js";
import { Sealable } from "./sealable.js";

/**
 * Who reads a fact: `admin` is true for an `operator.admin` caller (and the authenticated HTTP
 * status), so a fact may leave out host details such as file paths for everyone else (they read
 * `"[redacted]"`, as in the reference's status and health).
 */
export interface FactView {
  readonly admin: boolean;
}

/** One fact of a gateway document (`status`, `health`); may be async. No secrets. */
export type StatusFact = (view: FactView) => unknown;

/** The `"[redacted]"` placeholder a fact shows a non-admin caller instead of a host path. */
export const REDACTED_PATH = "[redacted]";

/** Named facts of a gateway document (`status` or `health`), in registration order. */
export class StatusRegistry extends Sealable {
  private readonly facts = new Map<string, StatusFact>();

  /** Adds a fact under `key`. @throws HoldfastError HF_STAGE_STARTED after the gateway started. */
  add(key: string, fact: StatusFact): void {
    this.assertOpen(`status fact ${key}`);
    this.facts.set(key, fact);
  }

  /** Every fact, evaluated (async ones awaited), in registration order. */
  async collect(view: FactView): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const [key, fact] of this.facts) out[key] = await fact(view);
    return out;
  }
}

/**
 * A part of the gateway that is not working as configured (a channel that cannot receive, ...):
 * what, the catalogue code, a secret-free message and since when (ms since the epoch).
 */
export interface Degradation {
  readonly component: string;
  readonly code: string;
  readonly message: string;
  readonly sinceMs?: number;
}

/** A health check: what is degraded right now (empty when all is well). Called on every health probe: keep it cheap. */
export type HealthCheck = () => readonly Degradation[];

/** Named health checks (the `health` method and `GET /health`), in registration order. */
export class HealthRegistry extends Sealable {
  private readonly checks = new Map<string, HealthCheck>();

  /** Adds a check under `key`. @throws HoldfastError HF_STAGE_STARTED after the gateway started. */
  add(key: string, check: HealthCheck): void {
    this.assertOpen(`health check ${key}`);
    this.checks.set(key, check);
  }

  /** Every current degradation. */
  degraded(): Degradation[] {
    return [...this.checks.values()].flatMap((c) => c());
  }
}

/**
 * The client address of a request as the gateway's own auth sees it (the socket peer, or the
 * trusted-proxy resolution of `X-Forwarded-For`), for public routes that rate-limit their callers.
 */
export type RequestClient = (c: Context) => ClientAddress;

/** Mounts public routes on a listener's app; `client` tells who sent a request. */
export type PublicRouteMount = (app: Hono, client: RequestClient) => void;

/** HTTP routes served before gateway auth: platform webhooks that authenticate their caller themselves. */
export class PublicRoutes extends Sealable {
  private readonly mounts: PublicRouteMount[] = [];

  /** Adds routes (mounted on every listener). @throws HoldfastError HF_STAGE_STARTED after start. */
  add(mount: PublicRouteMount): void {
    this.assertOpen("public HTTP routes");
    this.mounts.push(mount);
  }

  /** Mounts every registered route on `app`. */
  mount(app: Hono, client: RequestClient): void {
    for (const m of this.mounts) m(app, client);
  }
}

/** Registering gateway methods (`{name, scope, params, handler}`), before the gateway starts. */
export type MethodRegistrar = Pick<MethodRegistry, "register">;
/** Sending an event to every operator connection holding a scope (default `operator.read`). */
export type EventBroadcaster = Pick<Broadcaster, "broadcast">;
/**
 * The live connections (role, scopes, client, caps, commands), to find node hosts, to send one
 * connection an event, and to hear when connections open and close.
 */
export type GatewayConnections = Pick<Broadcaster, "all" | "size" | "send" | "watch">;

/** What a stage that serves gateway methods and events is built with. */
export interface GatewayPorts {
  readonly methods: MethodRegistrar;
  readonly broadcaster: EventBroadcaster;
}

/**
 * What stages plug into the gateway while they are built: the method table, the event fan-out, the
 * public (pre-auth) routes, the status facts and the health checks. Created first by the composition root (like a
 * fastify instance), handed to each stage as narrow ports, and sealed when the gateway starts.
 */
export class GatewayHub {
  readonly methods = new MethodRegistry();
  readonly broadcaster = new Broadcaster();
  readonly routes = new PublicRoutes();
  /** Facts of the `status` document. */
  readonly status = new StatusRegistry();
  /** Facts of the `health` document (agents, sessions, channels), besides `ok`, `ts` and `durationMs`. */
  readonly healthFacts = new StatusRegistry();
  /** Checks that make `health` report `ok: false` with a `degraded` list. */
  readonly health = new HealthRegistry();

  /** Seals methods, routes, the status and health facts and the health checks (called by the gateway's `start`). */
  seal(): void {
    this.methods.seal();
    this.routes.seal();
    this.status.seal();
    this.healthFacts.seal();
    this.health.seal();
  }
}
