import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KNOWN_WEAK_SECRETS, MIN_TOKEN_LENGTH, weakSecretMessage, weakSecretReason } from "./secret-strength.js";

describe("weakSecretReason", () => {
  it("refuses the placeholders printed in the seeds and the reference", () => {
    for (const v of [
      "replace-with-long-random-token",
      "your-password",
      "your-token",
      "secure-password",
      "strong-password-here",
      "your-secure-password",
      "<strong-password>",
      "<secure-random-token>",
      "changeme",
      "change-me-to-a-long-random-token",
      "***",
      "__OPENCLAW_REDACTED__",
      "undefined",
    ]) {
      expect(weakSecretReason("token", v), v).toBe("placeholder");
      expect(weakSecretReason("password", v), v).toBe("placeholder");
    }
  });

  it("refuses blank values and short tokens, accepts long random ones", () => {
    expect(weakSecretReason("token", "  ")).toBe("blank");
    expect(weakSecretReason("token", "a".repeat(MIN_TOKEN_LENGTH - 1))).toBe("too_short");
    expect(weakSecretReason("token", "a".repeat(MIN_TOKEN_LENGTH))).toBeUndefined();
    expect(weakSecretReason("password", "eight ch")).toBeUndefined();
  });

  it("property: every placeholder is refused in any case and with surrounding spaces", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KNOWN_WEAK_SECRETS),
        fc.boolean(),
        fc.string({ unit: fc.constantFrom(" ", "\t") }),
        (p, upper, pad) => {
          expect(weakSecretReason("token", `${pad}${upper ? p.toUpperCase() : p}${pad}`)).toBeDefined();
        },
      ),
    );
  });

  it("property: random 32-byte hex tokens are accepted and messages never contain the value", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const token = Buffer.from(bytes).toString("hex");
        expect(weakSecretReason("token", token)).toBeUndefined();
        expect(weakSecretMessage("token", "gateway.auth.token", "too_short")).not.toContain(token);
      }),
    );
  });
});
