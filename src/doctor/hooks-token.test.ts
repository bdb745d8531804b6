import { describe, expect, it } from "vitest";
import type { HoldfastConfig } from "../config/index.js";
import { hooksTokenFix, withHooksToken } from "./hooks-token.js";

const GW = "g".repeat(40);
const paths = { generatedTokenFile: "/nonexistent/gateway-token" };

function fix(hooks: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const raw = { gateway: { auth: { token: GW } }, hooks };
  const config = raw as HoldfastConfig;
  const secrets = { get: (p: string) => (p === "gateway.auth.token" ? GW : undefined) };
  return hooksTokenFix({ config, raw, secrets, env, paths });
}

describe("hooksTokenFix (doctor --fix)", () => {
  it("rotates a written hooks token that is short or equals the gateway token, and names why without the value", () => {
    expect(fix({ enabled: true, token: "short" })).toContain("fewer than 24 characters");
    const reused = fix({ enabled: true, token: GW });
    expect(reused).toContain("equals the gateway credential");
    expect(reused).not.toContain(GW);
  });

  it("leaves a good token, ${VAR} and SecretRef tokens, and disabled hooks alone", () => {
    expect(fix({ enabled: true, token: "h".repeat(40) })).toBeUndefined();
    expect(fix({ enabled: true, token: "${HOOKS_TOKEN}" })).toBeUndefined();
    expect(fix({ enabled: true, token: { source: "env", provider: "default", id: "X" } })).toBeUndefined();
    expect(fix({ enabled: false, token: "short" })).toBeUndefined();
  });

  it("writes the new token into hooks without touching the rest", () => {
    expect(withHooksToken({ a: 1, hooks: { enabled: true, token: "x" } }, "new")).toEqual({
      a: 1,
      hooks: { enabled: true, token: "new" },
    });
  });
});
