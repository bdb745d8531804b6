import { describe, expect, it } from "vitest";
import { validateConfig } from "../config/index.js";
import { migrateLegacyKeys } from "./migrations.js";
import { generateGatewayToken } from "./token.js";

describe("doctor migrations", () => {
  it("rewrites legacy keys, keeps ${VAR} references, and yields a config without warnings", () => {
    const raw = {
      agent: { model: "ollama/llama3" },
      agents: { entries: { helper: { model: "openai/gpt-5" } } },
      channels: {
        telegram: { dm: { policy: "allowlist", allowFrom: ["123"] }, accounts: { b: { dm: { enabled: false } } } },
      },
      gateway: { token: "${GW_TOKEN}", controlUi: { allowInsecureAuth: true } },
    };
    const { next, changes } = migrateLegacyKeys(raw);
    expect(changes).toHaveLength(6);
    expect(next).toEqual({
      agents: { defaults: { model: "ollama/llama3" }, list: [{ model: "openai/gpt-5", id: "helper" }] },
      channels: { telegram: { dmPolicy: "allowlist", allowFrom: ["123"], accounts: { b: { dmPolicy: "disabled" } } } },
      gateway: { auth: { token: "${GW_TOKEN}" }, controlUi: {} },
    });
    expect(validateConfig(JSON.parse(JSON.stringify(next).replace("${GW_TOKEN}", "t"))).warnings).toEqual([]);
    expect(migrateLegacyKeys(next).changes).toEqual([]);
  });

  it("does not overwrite gateway.auth.token with a misplaced gateway.token", () => {
    const { next } = migrateLegacyKeys({ gateway: { token: "misplaced", auth: { token: "kept" } } });
    expect(next).toEqual({ gateway: { auth: { token: "kept" } } });
  });

  it("generates 32-byte hex gateway tokens", () => {
    const a = generateGatewayToken();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(generateGatewayToken()).not.toBe(a);
  });
});
