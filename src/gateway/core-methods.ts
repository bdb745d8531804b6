import { z } from "zod";
import type { Degradation, FactView } from "./hub.js";
import { defineMethod, type AnyMethodDef, type MethodContext } from "./methods/registry.js";

/** What the core methods read. */
export interface CoreMethodDeps {
  readonly now: () => number;
  /** The status document for a caller. */
  readonly status: (view: FactView) => Promise<Record<string, unknown>>;
  /** Agent ids, the default first (the CLI projection of `status`). */
  readonly agentIds: () => readonly string[];
  /** The health facts (agents, sessions, channels, ...) for a caller. */
  readonly health: (view: FactView) => Promise<Record<string, unknown>>;
  /** What is degraded right now (the registered health checks; empty when all is well). */
  readonly degraded: () => readonly Degradation[];
  /** The presence snapshot (`system-presence`). */
  readonly presence: () => readonly unknown[];
}

const viewOf = (ctx: MethodContext): FactView => ({ admin: ctx.conn.scopes.has("operator.admin") });

/**
 * The gateway's own methods (reference §3.3, Appendix A):
 * - `health` {probe?} (any authenticated operator) → `{...facts, ok, degraded?, ts, durationMs}` with
 *   `ok: false` and the `degraded` list (component, code, message, sinceMs) while something is
 *   degraded, where the facts are what the stages registered (`defaultAgentId`, `agents`, `sessions`,
 *   `channels`, `channelOrder`, `channelLabels`, `heartbeatSeconds`);
 * - `status` {includeChannelSummary?, includeCliProjection?} (operator.read) → the status document (no
 *   secrets); with `includeCliProjection`, also `cliProjection: {agents:{defaultId, ownership:"sole",
 *   selectionRequired:false, rows:[{id}]}, updateChannel:null}` (what the reference CLI reads);
 * - `system-presence` (operator.read) → the presence entries (gateway first, then connections).
 * Host paths in the facts read `"[redacted]"` unless the caller holds operator.admin.
 */
export function coreMethods(d: CoreMethodDeps): AnyMethodDef[] {
  return [
    defineMethod({
      name: "health",
      scope: null,
      params: z.looseObject({ probe: z.boolean().optional() }),
      async handler(_p, ctx) {
        const ts = d.now();
        // Taken before the facts are read (they read the stores), so the answer reports what the probe found.
        const degraded = d.degraded();
        const facts = await d.health(viewOf(ctx));
        return {
          ...facts,
          ok: degraded.length === 0,
          ...(degraded.length > 0 ? { degraded } : {}),
          ts,
          durationMs: d.now() - ts,
        };
      },
    }),
    defineMethod({
      name: "status",
      scope: "operator.read",
      params: z.looseObject({ includeCliProjection: z.boolean().optional() }),
      async handler(p, ctx) {
        const doc = await d.status(viewOf(ctx));
        if (!p.includeCliProjection) return doc;
        const ids = d.agentIds();
        const agents = {
          defaultId: ids[0] ?? "main",
          ownership: "sole",
          selectionRequired: false,
          rows: ids.map((id) => ({ id })),
        };
        return { ...doc, cliProjection: { agents, updateChannel: null } };
      },
    }),
    defineMethod({
      name: "system-presence",
      scope: "operator.read",
      params: z.looseObject({}),
      handler: () => d.presence(),
    }),
  ];
}
