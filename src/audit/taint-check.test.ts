import { describe, expect, it } from "vitest";
import { auditFindings, auditIds } from "./test-context.fixture.js";

/** A config where the agent reads nothing untrusted: no web tools, no hooks, a Telegram bot only its owner reaches. */
const ownerOnly = {
  tools: { deny: ["web_fetch", "web_search", "browser"] },
  commands: { ownerAllowFrom: ["telegram:42"] },
  channels: { telegram: { dmPolicy: "allowlist", allowFrom: ["42"], groupPolicy: "disabled" } },
};

describe("tools.taint.off", () => {
  it("is critical for an agent with the gate off that can fetch web pages (web_fetch is on by default)", async () => {
    const findings = await auditFindings({ tools: { taint: { mode: "off" } } });
    const f = findings.find((x) => x.checkId === "tools.taint.off");
    expect(f).toMatchObject({ severity: "critical" });
    expect(f?.detail).toContain("tool web_fetch");
  });

  it("names the source for each agent whose own mode is off, not for the others", async () => {
    const findings = await auditFindings({
      ...ownerOnly,
      hooks: { enabled: true, token: "hooks-token-0123456789abcdefghijkl" },
      agents: { list: [{ id: "main" }, { id: "ops", tools: { taint: { mode: "off" } } }] },
    });
    const off = findings.filter((x) => x.checkId === "tools.taint.off");
    expect(off).toHaveLength(1);
    expect(off[0]?.title).toContain("agent ops");
    expect(off[0]?.detail).toContain("hooks");
  });

  it("counts a channel that admits someone besides the owner, and not an owner-only one", async () => {
    expect(await auditIds({ ...ownerOnly, tools: { ...ownerOnly.tools, taint: { mode: "off" } } })).not.toContain(
      "tools.taint.off:critical",
    );
    const stranger = {
      ...ownerOnly,
      tools: { ...ownerOnly.tools, taint: { mode: "off" } },
      channels: { telegram: { dmPolicy: "allowlist", allowFrom: ["42", "43"], groupPolicy: "disabled" } },
    };
    const f = (await auditFindings(stranger)).find((x) => x.checkId === "tools.taint.off");
    expect(f?.detail).toContain("channels.telegram");
    const paired = { ...stranger, channels: { telegram: { dmPolicy: "pairing", groupPolicy: "disabled" } } };
    expect(await auditIds(paired)).toContain("tools.taint.off:critical");
  });

  it("counts a channel only for the agents its bindings route it to", async () => {
    // Telegram admits strangers (pairing); ops has the gate off and reads nothing else untrusted.
    const base = {
      ...ownerOnly,
      channels: { telegram: { dmPolicy: "pairing", groupPolicy: "disabled" } },
      agents: { list: [{ id: "main" }, { id: "ops", tools: { taint: { mode: "off" } } }] },
    };
    const offFor = async (extra: Record<string, unknown>) =>
      (await auditFindings({ ...base, ...extra })).filter((x) => x.checkId === "tools.taint.off");
    // Nothing routes Telegram to ops: main (the default agent) gets it.
    expect(await offFor({})).toEqual([]);
    // Only the owner's own DMs go to ops.
    const ownerDm = { agentId: "ops", match: { channel: "telegram", peer: { kind: "direct", id: "42" } } };
    expect(await offFor({ bindings: [ownerDm] })).toEqual([]);
    // A stranger's DMs, or the whole channel, go to ops.
    const strangerDm = { agentId: "ops", match: { channel: "telegram", peer: { kind: "direct", id: "43" } } };
    const whole = { agentId: "ops", match: { channel: "telegram" } };
    for (const binding of [strangerDm, whole]) {
      const off = await offFor({ bindings: [binding] });
      expect(off).toHaveLength(1);
      expect(off[0]?.detail).toContain("channels.telegram");
    }
  });

  it("does not count a channel bound away from the default agent", async () => {
    const config = {
      ...ownerOnly,
      tools: { ...ownerOnly.tools, taint: { mode: "off" } },
      channels: { telegram: { dmPolicy: "pairing", groupPolicy: "disabled" } },
      agents: { list: [{ id: "main" }, { id: "ops", tools: { taint: { mode: "approve" } } }] },
    };
    expect(await auditIds(config)).toContain("tools.taint.off:critical");
    const bound = { ...config, bindings: [{ agentId: "ops", match: { channel: "telegram" } }] };
    expect(await auditIds(bound)).not.toContain("tools.taint.off:critical");
    // An account binding for another account leaves the default account's messages with main.
    const other = { ...config, bindings: [{ agentId: "ops", match: { channel: "telegram", accountId: "work" } }] };
    expect(await auditIds(other)).toContain("tools.taint.off:critical");
  });

  it("says nothing while the gate is on (approve, deny, warn)", async () => {
    for (const mode of ["approve", "deny", "warn"])
      expect(await auditIds({ tools: { taint: { mode } } })).not.toContain("tools.taint.off:critical");
  });
});
