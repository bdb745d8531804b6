import { z } from "zod";
import { getAtPath, setAtPath, type LoadedConfig } from "../config/index.js";
import { defineMethod, type AnyMethodDef } from "../gateway/index.js";
import { listSecretSlots } from "./secret-paths.js";

/** The placeholder shown instead of a secret value wherever config is read (`config get`, `config.get`). */
export const REDACTED_SECRET = "__HOLDFAST_REDACTED__";

/**
 * The config as read by a client: every secret slot that holds a literal value (gateway token and
 * password, provider keys, channel tokens and webhook secrets, ...) replaced by
 * {@link REDACTED_SECRET}, and then every string passed through the process redactor, so a
 * configured secret that sits anywhere else is masked too. SecretRefs stay (they name a source,
 * not a value). Source: reference §8.3.
 */
export function redactedConfig(loaded: Pick<LoadedConfig, "raw" | "config">, redact: (s: string) => string): unknown {
  let raw: Record<string, unknown> = loaded.raw;
  for (const slot of listSecretSlots(loaded.config))
    if (getAtPath(raw, slot.path) !== undefined && typeof slot.value === "string")
      raw = setAtPath(raw, slot.path, REDACTED_SECRET);
  return mapStrings(raw, redact);
}

function mapStrings(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === "string") return f(v);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f));
  if (v !== null && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapStrings(x, f)]));
  return v;
}

/**
 * `config.get` (operator.admin, like every `config.*` method; reference §3.5): the config in force,
 * read-only, secrets redacted — `{path, exists, valid:true, raw, parsed, config, resolved,
 * runtimeConfig, warnings}` where `raw` is the redacted file content as JSON text and the object
 * views are the same redacted config (holdfast has no writes through the gateway: `config.set`,
 * `config.patch` and `config.apply` are not methods).
 */
export function configReadMethods(loaded: LoadedConfig, redact: (s: string) => string): AnyMethodDef[] {
  return [
    defineMethod({
      name: "config.get",
      scope: "operator.admin",
      params: z.looseObject({}),
      handler() {
        const view = redactedConfig(loaded, redact);
        return {
          path: loaded.path,
          exists: loaded.exists,
          valid: true,
          raw: JSON.stringify(view, null, 2),
          parsed: view,
          config: view,
          resolved: view,
          runtimeConfig: view,
          warnings: [...loaded.warnings],
        };
      },
    }),
  ];
}
