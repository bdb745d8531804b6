import { describe, expect, it } from "vitest";
import { openSessionCgroups } from "../../src/sandbox/index.js";
import { makeStateDir, runCli } from "../support/gateway-process.js";

interface Finding {
  readonly checkId: string;
  readonly severity: string;
  readonly detail: string;
}

/** `holdfast security audit --json` on a state dir with `config`: its findings. */
async function audit(config: Record<string, unknown>): Promise<Finding[]> {
  const res = await runCli(await makeStateDir(config), ["security", "audit", "--json"]);
  expect(res.code, res.stderr).toBe(0);
  return (JSON.parse(res.stdout) as { findings: Finding[] }).findings;
}

const severities = (findings: readonly Finding[], checkId: string) =>
  findings.filter((f) => f.checkId === checkId).map((f) => f.severity);

/**
 * Each configuration that re-opens a hole the containment work closed is named by `security audit`
 * (the real CLI, with its machine probe): the host jail turned off, cross-peer session visibility
 * with strangers reaching the bot, a wildcard trusted-proxy range with trusted-proxy auth, and
 * session limits this machine cannot enforce.
 */
describe("security audit names every configuration that re-opens a containment hole", () => {
  it("flags host jail off, cross-peer visibility, a wildcard trusted proxy and unenforceable limits", async () => {
    const findings = await audit({
      tools: { exec: { hostJail: "off" }, sessions: { visibility: "all" } },
      channels: { telegram: { dmPolicy: "open", allowFrom: ["*"] } },
      gateway: {
        auth: { mode: "trusted-proxy", trustedProxy: { userHeader: "x-user" } },
        trustedProxies: ["0.0.0.0/0"],
      },
      agents: { defaults: { sandbox: { limits: { memoryMb: 200, pids: 64 } } } },
    });
    expect(severities(findings, "tools.exec.host_jail_off")).toEqual(["critical"]);
    expect(severities(findings, "security.trust_model.cross_peer_session_access")).toEqual(["critical"]);
    expect(severities(findings, "gateway.trusted_proxies_wildcard")).toEqual(["critical"]);

    const probe = await openSessionCgroups({ name: `holdfast-e2e-audit-probe-${process.pid}` });
    const controllers = probe.ok ? probe.cgroups.controllers : new Set<string>();
    if (probe.ok) await probe.cgroups.close();
    const limits = findings.filter((f) => f.checkId === "sandbox.limits_not_enforceable");
    const refused = (["memory", "pids"] as const).filter((c) => !controllers.has(c));
    // One critical finding per configured key this machine cannot enforce (the gateway would refuse to start).
    expect(limits.filter((f) => f.severity === "critical")).toHaveLength(refused.length);
    if (refused.includes("memory"))
      expect(limits.map((f) => f.detail).join("\n")).toContain("agents.defaults.sandbox.limits.memoryMb");
  });

  it("stays quiet about them on the defaults", async () => {
    const findings = await audit({});
    for (const id of [
      "tools.exec.host_jail_off",
      "security.trust_model.cross_peer_session_access",
      "gateway.trusted_proxies_wildcard",
    ])
      expect(severities(findings, id), id).toEqual([]);
    expect(severities(findings, "sandbox.limits_not_enforceable").filter((s) => s === "critical")).toEqual([]);
  });
});
