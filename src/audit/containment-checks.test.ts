import { describe, expect, it } from "vitest";
import { auditIds } from "./test-context.fixture.js";

const STRONG = "Aq7mW2zK9xR4vL1pN8bC3fH6jD5sG0yE";

describe("checks for configurations that re-open a closed hole", () => {
  it("flags cross-peer session visibility, critical when strangers reach the bot", async () => {
    expect(await auditIds({})).not.toContain("security.trust_model.cross_peer_session_access:warn");
    expect(await auditIds({ tools: { sessions: { visibility: "agent" } } })).toContain(
      "security.trust_model.cross_peer_session_access:warn",
    );
    const open = await auditIds({
      tools: { sessions: { visibility: "all" } },
      channels: { telegram: { dmPolicy: "open", allowFrom: ["*"] } },
      agents: { list: [{ id: "main" }, { id: "ops" }] },
    });
    expect(open).toEqual(
      expect.arrayContaining([
        "security.trust_model.cross_peer_session_access:critical",
        "security.trust_model.cross_agent_session_access_default:info",
      ]),
    );
    expect(await auditIds({ tools: { sessions: { visibility: "agent" }, deny: ["group:sessions"] } })).not.toContain(
      "security.trust_model.cross_peer_session_access:warn",
    );
  });

  it("flags a wildcard trusted-proxy range, critical with trusted-proxy auth", async () => {
    const tp = { mode: "trusted-proxy", trustedProxy: { userHeader: "x-user" } };
    expect(await auditIds({ gateway: { auth: tp, trustedProxies: ["0.0.0.0/0"] } })).toContain(
      "gateway.trusted_proxies_wildcard:critical",
    );
    expect(await auditIds({ gateway: { trustedProxies: ["::/0"] } })).toContain(
      "gateway.trusted_proxies_wildcard:warn",
    );
    expect(await auditIds({ gateway: { trustedProxies: ["10.1.0.0/16"] } })).toContain(
      "gateway.trusted_proxies_broad:warn",
    );
    expect(
      (await auditIds({ gateway: { trustedProxies: ["127.0.0.1", "10.1.2.0/24"] } })).filter((i) =>
        i.startsWith("gateway.trusted_proxies_"),
      ),
    ).toEqual([]);
  });

  it("rates a network bind without TLS critical, and its explicit opt-out too", async () => {
    const lan = { bind: "lan", auth: { token: STRONG, rateLimit: { maxAttempts: 5 } } };
    expect(await auditIds({ gateway: lan })).toContain("gateway.remote_bind_no_tls:critical");
    const optOut = await auditIds({ gateway: { ...lan, tls: { dangerouslyAllowPlaintext: true } } });
    expect(optOut).toEqual(
      expect.arrayContaining(["gateway.tls.plaintext_opt_out:critical", "config.insecure_or_dangerous_flags:warn"]),
    );
    expect(await auditIds({ gateway: { ...lan, tls: { enabled: true } } })).not.toContain(
      "gateway.remote_bind_no_tls:critical",
    );
  });

  it("rates a guessable credential on a network bind critical", async () => {
    const ids = await auditIds({ gateway: { bind: "lan", auth: { token: "a".repeat(40) }, tls: { enabled: true } } });
    expect(ids).toContain("gateway.token_low_entropy:critical");
    expect(await auditIds({ gateway: { auth: { token: "a".repeat(40) } } })).not.toContain(
      "gateway.token_low_entropy:critical",
    );
  });
});
