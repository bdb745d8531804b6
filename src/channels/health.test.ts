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
    expect(status).toMatchObject({ state: "failed", errorCode: "HF_CHANNEL_AUTH", sinceMs: 1_000 });
    expect(status.lastError).toEqual({ code: "HF_CHANNEL_AUTH", message: "invalid_auth for ***", atMs: 1_000 });
    expect(health.scrub(new Error("see https://slack.com/api/auth.test"))).toBe("see <url>");
  });

  it("shows the problem while retrying and since when; running clears it and keeps the last error", () => {
    let now = 1_000;
    const health = new AdapterHealth({ now: () => now });
    health.running();
    expect(health.retrying(new Error("socket hang up"))).toBe(true);
    now = 5_000;
    expect(health.retrying(new Error("socket hang up again"))).toBe(false);
    expect(health.status()).toMatchObject({ state: "retrying", errorCode: "HF_CHANNEL_NETWORK", sinceMs: 1_000 });
    expect(health.running()).toEqual({ code: "HF_CHANNEL_NETWORK", downMs: 4_000 });
    const after = health.status();
    expect(after).toEqual({
      state: "running",
      lastError: { code: "HF_CHANNEL_NETWORK", message: "socket hang up again", atMs: 5_000 },
    });
  });

  it("keeps why an adapter was stopped, and a failed adapter stays failed", () => {
    const health = new AdapterHealth(clock);
    health.stopped("logged out");
    expect(health.status()).toMatchObject({ state: "stopped", detail: "logged out" });
    const failed = new AdapterHealth(clock);
    failed.failed("HF_CHANNEL_AUTH", "rejected");
    failed.stopped();
    expect(failed.running()).toBeUndefined();
    expect(failed.status().state).toBe("failed");
  });
});
