import type { AnyMethodDef } from "../../src/gateway/index.js";

/** Calls a gateway method definition the way the gateway does: params validated, then the handler. */
export async function callMethod(defs: readonly AnyMethodDef[], name: string, params: unknown): Promise<unknown> {
  const def = defs.find((d) => d.name === name);
  if (!def) throw new Error(`no method ${name}`);
  return def.handler(def.params.parse(params), {} as Parameters<AnyMethodDef["handler"]>[1]);
}
