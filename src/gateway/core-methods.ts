import { z } from "zod";
import type { Degradation } from "./hub.js";
import { defineMethod, type AnyMethodDef } from "./methods/registry.js";

/**
 * `health` → `{ok, ts, durationMs}`, with `ok: false` and the `degraded` list (component, code,
 * message, sinceMs) while something is degraded; `status` → the status document (no secrets).
 */
export function coreMethods(
  now: () => number,
  status: () => Promise<unknown>,
  degraded: () => readonly Degradation[] = () => [],
): AnyMethodDef[] {
  return [
    defineMethod({
      name: "health",
      scope: null,
      params: z.looseObject({}),
      handler() {
        const t = now();
        const d = degraded();
        return { ok: d.length === 0, ts: t, durationMs: now() - t, ...(d.length > 0 ? { degraded: d } : {}) };
      },
    }),
    defineMethod({
      name: "status",
      scope: "operator.read",
      params: z.looseObject({}),
      handler: () => status(),
    }),
  ];
}
