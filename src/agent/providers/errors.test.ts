import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HoldfastError } from "../../errors/index.js";
import { describeEndpoint, retryAfterMs, toProviderError } from "./errors.js";

const secretish = fc.stringMatching(/^[A-Za-z0-9]{12,24}$/);

describe("provider error messages", () => {
  it("never show the credentials, query or fragment of a base URL (any URL)", () => {
    fc.assert(
      fc.property(secretish, secretish, secretish, secretish, (user, pass, query, frag) => {
        const baseUrl = `https://${user}:${pass}@models.example.test:8443/v1/?key=${query}#${frag}`;
        const err = Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNRESET" } });
        for (const text of [
          describeEndpoint({ providerId: "p", baseUrl }),
          toProviderError(err, { providerId: "p", baseUrl }).message,
          toProviderError({ status: 503, headers: new Headers() }, { providerId: "p", baseUrl }).message,
        ]) {
          for (const s of [user, pass, query, frag]) expect(text).not.toContain(s);
          expect(text).toContain("https://models.example.test:8443/v1");
        }
      }),
    );
  });

  it("finds the errno under an SDK's connection error, and calls a JSON parse failure a bad response", () => {
    const at = { providerId: "local", baseUrl: "http://127.0.0.1:11434" };
    const sdk = Object.assign(new Error("Connection error."), {
      cause: Object.assign(new TypeError("fetch failed"), {
        cause: Object.assign(new Error("x"), { code: "ENOTFOUND" }),
      }),
    });
    expect(toProviderError(sdk, at)).toMatchObject({
      kind: "network",
      errno: "ENOTFOUND",
      message: "local at http://127.0.0.1:11434 could not be reached (ENOTFOUND)",
    });
    const cut = new HoldfastError("HF_PROVIDER_NETWORK", "the model server closed the connection", {
      errno: "ECONNRESET",
    });
    expect(toProviderError(cut, at)).toMatchObject({ kind: "network", errno: "ECONNRESET" });
    expect(toProviderError(new SyntaxError("Unexpected token"), at)).toMatchObject({ kind: "bad_response" });
    expect(toProviderError({ error: { type: "error", error: { type: "overloaded_error" } } }, at)).toMatchObject({
      kind: "server",
      message: "local at http://127.0.0.1:11434 reported an error in the stream (overloaded_error)",
    });
  });

  it("reads retry-after-ms, Retry-After seconds and HTTP dates, ignoring garbage", () => {
    const now = Date.parse("2030-01-01T00:00:00Z");
    const h = (o: Record<string, string>) => new Headers(o);
    expect(retryAfterMs(h({ "retry-after-ms": "250" }), now)).toBe(250);
    expect(retryAfterMs(h({ "retry-after": "2.5" }), now)).toBe(2500);
    expect(retryAfterMs(h({ "retry-after": "Tue, 01 Jan 2030 00:00:10 GMT" }), now)).toBe(10_000);
    expect(retryAfterMs(h({ "retry-after": "Mon, 31 Dec 2029 23:59:00 GMT" }), now)).toBe(0);
    expect(retryAfterMs(h({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs({ "retry-after": "3" }, now)).toBe(3000);
  });
});
