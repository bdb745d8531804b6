import { describe, expect, it } from "vitest";
import { isHoldfastError } from "../errors/index.js";
import { planExposure, type ExposureInput } from "./exposure.js";

const TOKEN = { value: "7c1e94b2a05fd83e6b29c4a1f07d5e3b", source: "gateway.auth.token" };
const PASSWORD = { value: "correct horse battery", source: "gateway.auth.password" };
const base: ExposureInput = { bind: { mode: "loopback" }, trustedProxies: [], tailscale: "off" };

function refusal(input: ExposureInput): { code: string; message: string } {
  try {
    planExposure(input);
  } catch (err) {
    if (isHoldfastError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error("expected a refusal");
}

describe("planExposure", () => {
  it("judges credentials by estimated entropy, not length, once the gateway is reachable from the network", () => {
    const lan = { ...base, bind: { mode: "lan" as const } };
    const weak = refusal({ ...lan, token: { value: "a".repeat(40), source: "gateway.auth.token" } });
    expect(weak).toMatchObject({ code: "HF_GATEWAY_AUTH_CONFIG" });
    expect(weak.message).toContain("too easy to guess");
    expect(weak.message).not.toContain("aaaa");
    expect(planExposure({ ...lan, token: { value: "rW4k9ZqT2vLx7bNc3hPf", source: "t" } }).token).toBeDefined();
    const pw = { value: "hunter2hunter2hunter2", source: "gateway.auth.password" };
    expect(refusal({ ...base, tailscale: "funnel", password: pw }).message).toContain("too easy to guess");
    expect(planExposure({ ...base, password: pw }).authMode).toBe("password");
  });

  it("starts on loopback with a generated token when nothing is configured", () => {
    expect(planExposure(base)).toMatchObject({
      hosts: ["127.0.0.1"],
      loopbackOnly: true,
      authMode: "token",
      generateToken: true,
    });
  });

  it("refuses lan, custom and auto-in-container binds without a configured secret", () => {
    for (const bind of [
      { mode: "lan" },
      { mode: "custom", customBindHost: "192.0.2.10" },
      { mode: "auto", inContainer: true },
    ] as const) {
      const r = refusal({ ...base, bind });
      expect(r.code).toBe("HF_GATEWAY_BIND_REFUSED");
      expect(r.message.split("\n")[0]).toBe(`Refusing to bind gateway to ${bind.mode} without auth.`);
    }
  });

  it("accepts lan with a strong token and listens on 0.0.0.0", () => {
    expect(planExposure({ ...base, bind: { mode: "lan" }, token: TOKEN })).toMatchObject({
      hosts: ["0.0.0.0"],
      loopbackOnly: false,
      authMode: "token",
      token: TOKEN.value,
      generateToken: false,
    });
  });

  it("binds tailnet to the Tailscale address plus loopback, and refuses it when no address exists", () => {
    expect(
      planExposure({ ...base, bind: { mode: "tailnet", tailnetAddress: "100.101.102.103" }, token: TOKEN }).hosts,
    ).toEqual(["100.101.102.103", "127.0.0.1"]);
    expect(refusal({ ...base, bind: { mode: "tailnet" }, token: TOKEN }).code).toBe("HF_GATEWAY_LISTEN");
  });

  it("accepts auth none on loopback only", () => {
    expect(planExposure({ ...base, authMode: "none" }).authMode).toBe("none");
    expect(refusal({ ...base, authMode: "none", bind: { mode: "lan" }, token: TOKEN }).message).toMatch(
      /^Refusing to bind gateway to lan without auth\./,
    );
  });

  it("rejects weak secrets wherever they come from, without echoing them", () => {
    for (const value of [
      "",
      "   ",
      "changeme",
      "CHANGEME",
      "replace-with-long-random-token",
      "your-token",
      "short-token-123",
    ]) {
      const r = refusal({ ...base, token: { value, source: "HOLDFAST_GATEWAY_TOKEN" } });
      expect(r.code).toBe("HF_GATEWAY_AUTH_CONFIG");
      expect(r.message).toContain("HOLDFAST_GATEWAY_TOKEN");
      if (value.trim()) expect(r.message).not.toContain(value);
    }
    for (const value of ["your-password", "secure-password", "strong-password-here", "<strong-password>", "pw"]) {
      expect(
        refusal({ ...base, authMode: "password", password: { value, source: "gateway.auth.password" } }).code,
      ).toBe("HF_GATEWAY_AUTH_CONFIG");
    }
  });

  it("requires a password in password mode and an explicit mode when both secrets are set", () => {
    expect(refusal({ ...base, authMode: "password" }).message).toContain("no password was configured");
    expect(refusal({ ...base, token: TOKEN, password: PASSWORD }).message).toContain("set gateway.auth.mode");
    expect(planExposure({ ...base, password: PASSWORD }).authMode).toBe("password");
  });

  it("checks trusted-proxy prerequisites", () => {
    const tp: ExposureInput = {
      ...base,
      authMode: "trusted-proxy",
      bind: { mode: "lan" },
      trustedProxyUserHeader: "x-forwarded-user",
      trustedProxies: ["10.0.0.1"],
    };
    expect(planExposure(tp).authMode).toBe("trusted-proxy");
    expect(refusal({ ...tp, trustedProxies: [] }).message).toContain("gateway.trustedProxies");
    expect(refusal({ ...tp, trustedProxyUserHeader: " " }).message).toContain("userHeader");
    expect(refusal({ ...tp, token: TOKEN }).message).toContain("mutually exclusive");
  });

  it("enforces the Tailscale rules: loopback bind, password for funnel, no auth none, a configured secret", () => {
    expect(refusal({ ...base, tailscale: "funnel", token: TOKEN }).message).toBe(
      "tailscale funnel requires gateway auth mode=password (set gateway.auth.password or HOLDFAST_GATEWAY_PASSWORD)",
    );
    expect(refusal({ ...base, tailscale: "serve", authMode: "none" }).message).toContain(
      "cannot be used with gateway.tailscale.mode=serve",
    );
    expect(refusal({ ...base, tailscale: "serve", bind: { mode: "lan" }, token: TOKEN }).message).toContain(
      "requires gateway bind=loopback",
    );
    expect(refusal({ ...base, tailscale: "serve" }).message).toMatch(
      /^Refusing to expose gateway through tailscale serve without auth\./,
    );
    expect(planExposure({ ...base, tailscale: "funnel", password: PASSWORD })).toMatchObject({
      authMode: "password",
      tailscale: "funnel",
      allowTailscale: false,
    });
    expect(planExposure({ ...base, tailscale: "serve", token: TOKEN, allowTailscale: true }).allowTailscale).toBe(true);
    expect(planExposure({ ...base, tailscale: "off", token: TOKEN, allowTailscale: true }).allowTailscale).toBe(false);
  });

  it("rejects an invalid customBindHost as a config error", () => {
    expect(refusal({ ...base, bind: { mode: "custom" }, token: TOKEN })).toMatchObject({
      code: "HF_CONFIG_INVALID",
      message: "gateway.bind=custom requires gateway.customBindHost",
    });
    expect(refusal({ ...base, bind: { mode: "custom", customBindHost: "0.0.0.0" }, token: TOKEN }).code).toBe(
      "HF_CONFIG_INVALID",
    );
  });
});
