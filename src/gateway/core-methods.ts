import { z } from "zod";
import { defineMethod, type AnyMethodDef } from "./methods/registry.js";

/**
 * `health` → `{ok, ts, durationMs, degraded?}` (`ok` false while a store is degraded: disk full, open-file
 * limit, I/O errors); `status` → the status document (no secrets).
 */
export function coreMethods(
  now: () => number,
  status: () => Promise<unknown>,
  health: () => { ok: boolean; degraded?: unknown[] },
): AnyMethodDef[] {
  return [
    defineMethod({
      name: "health",
      scope: null,
      params: z.looseObject({}),
      handler() {
        const t = now();
        return { ...health(), ts: t, durationMs: 0 };
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
