import { describe, expect, it } from "vitest";
import { AdapterHealth, scrubErrorText } from "./health.js";

const clock = { now: () => 1_000 };

describe("scrubErrorText", () => {
  it("replaces URLs and the account's credentials, and cuts long texts", () => {
    const token = "123456:ABCdefGhIJKlmnoPQRstuVWxyz";
    const text = `request to https://api.telegram.org/bot${token}/getUpdates failed; token ${token} rejected`;
    const out = scrubErrorText(text, [token]);
    expect(out).toBe("request to <url> failed; token *** rejected");
    expect(scrubErrorText("x".repeat(1000), []).length).toBe(300);
  });

  it("ignores secrets too short to mask safely", () => {
    expect(scrubErrorText("abc failed", ["abc"])).toBe("abc failed");
  });
});

describe("AdapterHealth", () => {
  it("never keeps a credential in the last error", () => {
    const health = new AdapterHealth(clock, ["xoxb-secret-token-1"]);
    health.failed("HF_CHANNEL_AUTH", new Error("invalid_auth for xoxb-secret-token-1"));
    const status = health.status();
    expect(status).toMatchObject({ state: "failed", errorCode: "HF_CHANNEL_AUTH", lastErrorAt: 1_000 });
    expect(status.lastError).toBe("invalid_auth for ***");
    expect(health.scrub(new Error("see https://slack.com/api/auth.test"))).toBe("see <url>");
  });
});
