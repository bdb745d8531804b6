import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { silentLogger } from "../../logging/index.js";
import { defineMethod, MethodRegistry, type ConnectionInfo } from "../methods/registry.js";
import { dispatch } from "./dispatch.js";

const conn = (scopes: string[]): ConnectionInfo => ({
  connId: "c1",
  role: "operator",
  scopes: new Set(scopes),
  clientId: "cli",
  client: { id: "cli" } as ConnectionInfo["client"],
  caps: [],
  commands: [],
  connectedAt: 1,
  clientIp: "127.0.0.1",
  isLocal: true,
  authMethod: "token",
});

async function call(method: string, scopes: string[]) {
  const methods = new MethodRegistry();
  methods.register(
    defineMethod({ name: "config.get", scope: "operator.admin", params: z.looseObject({}), handler: () => ({}) }),
  );
  const ctx = { log: silentLogger(), sendEvent: () => undefined, accept: () => undefined, redact: (t: string) => t };
  return dispatch({ type: "req", id: "1", method }, conn(scopes), methods, ctx);
}

describe("dispatch of an unknown method", () => {
  it("answers the reference's unknown-method error, which clients match to fall back", async () => {
    expect(await call("board.get", ["operator.read"])).toMatchObject({
      ok: false,
      unauthorized: false,
      error: { code: "INVALID_REQUEST", message: "unknown method: board.get" },
    });
  });

  it("authorizes admin-only prefixes before the lookup, so a non-admin cannot probe which exist", async () => {
    for (const m of ["config.set", "config.get", "wizard.start", "update.run", "exec.approvals.set"])
      expect(await call(m, ["operator.read", "operator.write"])).toMatchObject({
        ok: false,
        unauthorized: true,
        error: { message: "missing scope: operator.admin" },
      });
    expect(await call("config.set", ["operator.admin"])).toMatchObject({
      error: { message: "unknown method: config.set" },
    });
  });
});

describe("admin-only prefixes (property)", () => {
  it("no method under an admin prefix, registered or not, answers a connection without operator.admin", async () => {
    const nonAdmin = fc.subarray(["operator.read", "operator.write", "operator.approvals", "operator.pairing"]);
    const method = fc
      .tuple(
        fc.constantFrom("config.", "exec.approvals.", "wizard.", "update."),
        fc.stringMatching(/^[a-zA-Z.]{0,20}$/),
      )
      .map(([prefix, rest]) => prefix + rest);
    await fc.assert(
      fc.asyncProperty(method, nonAdmin, async (m, scopes) => {
        const r = await call(m, scopes);
        expect(r).toMatchObject({ ok: false, error: { message: "missing scope: operator.admin" } });
      }),
      { numRuns: 200 },
    );
  });
});
