import type { Hono } from "hono";
import { Broadcaster } from "./broadcaster.js";
import { MethodRegistry } from "./methods/registry.js";
import { Sealable } from "./sealable.js";

/** One fact of the status document (`status` method, `GET /api/status`); may be async. No secrets. */
export type StatusFact = () => unknown;

/** Named facts of the status document, in registration order. */
export class StatusRegistry extends Sealable {
  private readonly facts = new Map<string, StatusFact>();

  /** Adds a fact under `key`. @throws HoldfastError HF_STAGE_STARTED after the gateway started. */
  add(key: string, fact: StatusFact): void {
    this.assertOpen(`status fact ${key}`);
    this.facts.set(key, fact);
  }

  /** Every fact, evaluated (async ones awaited), in registration order. */
  async collect(): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const [key, fact] of this.facts) out[key] = await fact();
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

/** HTTP routes served before gateway auth: platform webhooks that authenticate their caller themselves. */
export class PublicRoutes extends Sealable {
  private readonly mounts: ((app: Hono) => void)[] = [];

  /** Adds routes (mounted on every listener). @throws HoldfastError HF_STAGE_STARTED after start. */
  add(mount: (app: Hono) => void): void {
    this.assertOpen("public HTTP routes");
    this.mounts.push(mount);
  }

  /** Mounts every registered route on `app`. */
  mount(app: Hono): void {
    for (const m of this.mounts) m(app);
  }
}

/** Registering gateway methods (`{name, scope, params, handler}`), before the gateway starts. */
export type MethodRegistrar = Pick<MethodRegistry, "register">;
/** Sending an event to every operator connection holding a scope (default `operator.read`). */
export type EventBroadcaster = Pick<Broadcaster, "broadcast">;
/** The live connections (role, scopes, connId), e.g. to find the connected node hosts. */
export type GatewayConnections = Pick<Broadcaster, "all" | "size">;

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
  readonly status = new StatusRegistry();
  readonly health = new HealthRegistry();

  /** Seals methods, routes, status facts and health checks (called by the gateway's `start`). */
  seal(): void {
    this.methods.seal();
    this.routes.seal();
    this.status.seal();
    this.health.seal();
  }
}
