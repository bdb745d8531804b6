import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { callMethod } from "../../test/support/call-method.js";
import { webLoginMethods } from "./methods.js";
import { whatsappAuthDir } from "./whatsapp/auth-store.js";

describe("web.login.* account ids (security property)", () => {
  it("every account id a caller can pass names one directory directly under credentials/whatsapp", async () => {
    const seen: string[] = [];
    const defs = webLoginMethods({
      start: async (accountId) => {
        seen.push(accountId);
        return { accountId, message: "" };
      },
      wait: async (accountId) => {
        seen.push(accountId);
        return { accountId, connected: false, message: "" };
      },
    });
    const root = path.join("/state", "credentials");
    const id = fc.oneof(
      fc.string(),
      fc.constantFrom("..", ".", "../x", "a/b", "a\\b", "", " ", "default\u0000", "%2e%2e", "~", "a".repeat(65)),
      fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
    );
    await fc.assert(
      fc.asyncProperty(id, fc.constantFrom("web.login.start", "web.login.wait"), async (accountId, method) => {
        seen.length = 0;
        const accepted = await callMethod(defs, method, { accountId }).then(
          () => true,
          () => false,
        );
        expect(accepted).toBe(/^[A-Za-z0-9_-]{1,64}$/.test(accountId));
        for (const got of seen) {
          const dir = whatsappAuthDir(root, got);
          expect(path.dirname(dir)).toBe(path.join(root, "whatsapp"));
          expect(path.basename(dir)).toBe(got);
        }
      }),
      { numRuns: 300 },
    );
  });
});
