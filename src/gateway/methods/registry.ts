import type { z } from "zod";
import type { Logger } from "../../logging/index.js";
import { Sealable } from "../sealable.js";
import type { Scope } from "../scopes.js";
import { HoldfastError } from "../../errors/index.js";

/** The client a connection declared in `connect.params.client` (reference §3.3); all optional but `id`. */
export interface ClientMeta {
  readonly id: string;
  readonly mode?: string;
  readonly displayName?: string;
  readonly version?: string;
  readonly platform?: string;
  readonly deviceFamily?: string;
  readonly instanceId?: string;
}

/** What a method handler knows about the connection that called it. */
export interface ConnectionInfo {
  readonly connId: string;
  readonly role: "operator" | "node";
  readonly scopes: ReadonlySet<string>;
  /** `client.id` of `connect` (`"unknown"` when absent). */
  readonly clientId: string;
  readonly client: ClientMeta;
  /** `connect.params.caps` (what the client can handle; node hosts: their capability groups). */
  readonly caps: readonly string[];
  /** `connect.params.commands`: the commands a node host offers (empty for operators). */
  readonly commands: readonly string[];
  /** When the handshake completed (ms since the epoch). */
  readonly connectedAt: number;
  /** Resolved client IP (after trusted-proxy handling). */
  readonly clientIp: string;
  /** True for a direct loopback peer without forwarding headers. */
  readonly isLocal: boolean;
  /** How the connection authenticated (`token`, `password`, `device-token`, `none`, ...). */
  readonly authMethod: string;
  readonly deviceId?: string;
}

/** Context handed to a method handler. */
export interface MethodContext {
  readonly conn: ConnectionInfo;
  readonly log: Logger;
  /** Sends an event to this connection only. */
  readonly sendEvent: (event: string, payload: unknown) => void;
  /**
   * Sends an interim success `res` for this request right away (e.g. `{runId, status:"accepted"}`);
   * the handler's return value is still sent as the final `res` with the same id (reference `agent`).
   */
  readonly accept: (payload: unknown) => void;
}

/**
 * A gateway method. `params` validates the request's params (a bad field is answered with
 * `INVALID_REQUEST` naming it); `scope` is required of the connection (`null`: any authenticated
 * connection). Handlers throw HoldfastError for failures; the message is sent to the client.
 */
export interface MethodDef<P = unknown> {
  readonly name: string;
  readonly scope: Scope | null;
  /** Roles allowed to call it. Default: operator only. */
  readonly roles?: readonly ("operator" | "node")[];
  readonly params: z.ZodType<P>;
  handler(params: P, ctx: MethodContext): unknown;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyMethodDef = MethodDef<any>;

/**
 * Method table of the gateway: stages register their methods while they are built; the gateway seals
 * it when it starts.
 */
export class MethodRegistry extends Sealable {
  private readonly methods = new Map<string, AnyMethodDef>();

  /**
   * Adds methods. @throws Error when a name is registered twice (a wiring bug); HoldfastError
   * HF_STAGE_STARTED after the gateway started.
   */
  register(...defs: AnyMethodDef[]): void {
    this.assertOpen(`gateway method ${defs.map((d) => d.name).join(", ")}`);
    for (const d of defs) {
      if (this.methods.has(d.name)) throw new HoldfastError("HF_INTERNAL", `gateway method ${d.name} registered twice`);
      this.methods.set(d.name, d);
    }
  }

  get(name: string): AnyMethodDef | undefined {
    return this.methods.get(name);
  }

  names(): string[] {
    return [...this.methods.keys()].sort();
  }
}

/** Defines a method with inferred param types. */
export function defineMethod<P>(def: MethodDef<P>): MethodDef<P> {
  return def;
}
