import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildSessionKey } from "./session-key.js";

const key = (channel: string, groupId: string) =>
  buildSessionKey({
    agentId: "main",
    channel,
    accountId: "default",
    chatType: "group",
    groupId,
    dmScope: "per-channel-peer",
  });

describe("Signal group ids keep their case in session keys (reference §5.1)", () => {
  it("gives groups whose ids differ only in case distinct keys (property)", () => {
    const b64 = fc.stringMatching(/^[A-Za-z0-9+/]{43}=$/);
    fc.assert(
      fc.property(b64, b64, (a, b) => {
        const [ka, kb] = [key("signal", a), key("signal", b)];
        expect(ka === kb).toBe(a === b);
      }),
    );
    expect(key("signal", "aB+c=")).not.toBe(key("signal", "Ab+C="));
    expect(key("telegram", "-100ABC")).toBe(key("telegram", "-100abc"));
  });
});
