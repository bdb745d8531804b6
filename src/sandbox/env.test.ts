import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isSandboxedSession } from "./config.js";
import { scrubbedEnv } from "./env.js";

describe("child environment", () => {
  it("passes only PATH, locale, TERM and TZ, whatever the gateway's environment holds (property)", () => {
    const name = fc.oneof(
      fc.constantFrom(
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "HOLDFAST_GATEWAY_TOKEN",
        "TELEGRAM_BOT_TOKEN",
        "LD_PRELOAD",
        "PATH",
        "LANG",
        "HOME",
      ),
      fc.string({ minLength: 1, maxLength: 12 }),
    );
    fc.assert(
      fc.property(fc.dictionary(name, fc.string({ maxLength: 20 })), (env) => {
        const out = scrubbedEnv(env, "/workspace");
        expect(
          Object.keys(out).every((k) =>
            ["PATH", "LANG", "LC_ALL", "LC_CTYPE", "TERM", "TZ", "HOME", "HOLDFAST_SHELL"].includes(k),
          ),
        ).toBe(true);
        expect(out.HOME).toBe("/workspace");
      }),
      { numRuns: 300 },
    );
  });
});

describe("non-main sandboxing", () => {
  it("sandboxes every session key except the agent's main key (property)", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9:_-]{1,30}$/), (rest) => {
        const key = `agent:main:${rest}`;
        expect(isSandboxedSession({ mode: "non-main" }, "main", key)).toBe(key !== "agent:main:main");
        expect(isSandboxedSession({ mode: "all" }, "main", key)).toBe(true);
        expect(isSandboxedSession({ mode: "off" }, "main", key)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
