import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyEnvAliases, ENV_ALIASES, withEnvAliases } from "./env-aliases.js";
import { resolvePaths } from "./paths.js";

describe("reference environment aliases", () => {
  it("maps OPENCLAW_* to HOLDFAST_* when the holdfast name is not set", () => {
    const env = withEnvAliases({
      OPENCLAW_GATEWAY_TOKEN: "t",
      OPENCLAW_GATEWAY_PASSWORD: "p",
      OPENCLAW_STATE_DIR: "/srv/state",
      OPENCLAW_CONFIG_PATH: "/srv/cfg.json5",
      OPENCLAW_DISABLE_BONJOUR: "1",
    });
    expect(env).toMatchObject({
      HOLDFAST_GATEWAY_TOKEN: "t",
      HOLDFAST_GATEWAY_PASSWORD: "p",
      HOLDFAST_STATE_DIR: "/srv/state",
      HOLDFAST_CONFIG_PATH: "/srv/cfg.json5",
      HOLDFAST_DISABLE_BONJOUR: "1",
    });
    expect(resolvePaths(env, "/home/u")).toMatchObject({ stateDir: "/srv/state", configPath: "/srv/cfg.json5" });
  });

  it("lets the HOLDFAST_* name win whenever it is set, and treats an empty one as unset", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ENV_ALIASES),
        fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
        fc.option(fc.string(), { nil: undefined }),
        ([ours, theirs], mine, reference) => {
          const env = withEnvAliases({ [ours]: mine, [theirs]: reference });
          const expected = mine ?? (reference === "" ? undefined : reference);
          expect(env[ours]).toBe(expected);
          expect(env[theirs]).toBe(reference);
        },
      ),
    );
    expect(withEnvAliases({ HOLDFAST_GATEWAY_TOKEN: "", OPENCLAW_GATEWAY_TOKEN: "x" }).HOLDFAST_GATEWAY_TOKEN).toBe(
      "x",
    );
  });

  it("applies in place without touching unrelated names", () => {
    const env: NodeJS.ProcessEnv = { OPENCLAW_STATE_DIR: "/x", OPENCLAW_PROFILE: "dev", PATH: "/bin" };
    applyEnvAliases(env);
    expect(env).toEqual({ OPENCLAW_STATE_DIR: "/x", HOLDFAST_STATE_DIR: "/x", OPENCLAW_PROFILE: "dev", PATH: "/bin" });
  });
});
