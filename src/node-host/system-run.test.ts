import os from "node:os";
import { describe, expect, it, vi } from "vitest";
import { silentLogger } from "../logging/index.js";
import { DEFAULT_SAFE_BIN_DIRS, DEFAULT_SAFE_BINS, type ExecPolicy } from "../tools/index.js";
import { systemRun, type SystemRunDeps } from "./system-run.js";

const policy = (over: Partial<ExecPolicy> = {}): ExecPolicy => ({
  security: "allowlist",
  ask: "on-miss",
  allowlist: [],
  safeBins: DEFAULT_SAFE_BINS,
  safeBinTrustedDirs: DEFAULT_SAFE_BIN_DIRS,
  ...over,
});

function deps(p: ExecPolicy, decision: Awaited<ReturnType<SystemRunDeps["approve"]>> = "deny") {
  const approve = vi.fn(async () => decision);
  const remember = vi.fn(async () => undefined);
  const d: SystemRunDeps = {
    policy: async () => p,
    approve,
    remember,
    defaultCwd: os.tmpdir(),
    env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", OPENAI_API_KEY: "sk-should-not-leak-0123456789" },
    limits: { timeoutMs: 5_000, maxOutputBytes: 10_000 },
    log: silentLogger(),
    signal: new AbortController().signal,
  };
  return { d, approve, remember };
}

describe("system.run on a node", () => {
  it("runs an allowlisted program without asking, with a scrubbed environment", async () => {
    const { d, approve } = deps(policy({ allowlist: [{ pattern: "env", source: "config" }] }));
    const r = await systemRun(
      { argv: ["printenv"] },
      { ...d, policy: async () => policy({ allowlist: [{ pattern: "printenv", source: "config" }] }) },
    );
    expect(r).toMatchObject({ ok: true, payload: { exitCode: 0, approval: "allowlisted" } });
    expect(JSON.stringify(r)).not.toContain("sk-should-not-leak");
    expect(approve).not.toHaveBeenCalled();
  });

  it("refuses shell and privilege wrappers without asking", async () => {
    for (const argv of [
      ["sh", "-c", "id"],
      ["bash", "-lc", "id"],
      ["su", "-c", "id"],
      ["chroot", "/", "id"],
    ]) {
      const { d, approve } = deps(policy(), "allow-once");
      const r = await systemRun({ argv }, d);
      expect(r).toMatchObject({ ok: false, error: { code: "exec_wrapper_refused" } });
      expect(approve).not.toHaveBeenCalled();
    }
  });

  it("asks on a miss; a denial or an expiry refuses, allow-always is remembered as the exact argv", async () => {
    const denied = deps(policy(), "expired");
    expect(await systemRun({ argv: ["echo", "x"] }, denied.d)).toMatchObject({
      ok: false,
      error: { code: "approval_denied", message: "not approved (expired)" },
    });
    const always = deps(policy(), "allow-always");
    const r = await systemRun({ argv: ["echo", "x"] }, always.d);
    expect(r).toMatchObject({ ok: true, payload: { stdout: "x\n", approval: "allow-always" } });
    expect(always.remember).toHaveBeenCalledWith([{ pattern: expect.stringMatching(/\/echo$/), args: ["x"] }]);
  });

  it("asks every time for inline code and never remembers it", async () => {
    const { d, approve, remember } = deps(policy(), "allow-always");
    await systemRun({ argv: ["env", "true"] }, d);
    expect(approve).toHaveBeenCalledWith(expect.objectContaining({ persistable: false }));
    expect(remember).not.toHaveBeenCalled();
  });

  it("refuses everything under security deny and unknown programs", async () => {
    expect(await systemRun({ argv: ["echo", "x"] }, deps(policy({ security: "deny" })).d)).toMatchObject({
      ok: false,
      error: { code: "exec_security_deny" },
    });
    expect(await systemRun({ argv: ["no-such-program-xyz"] }, deps(policy()).d)).toMatchObject({
      ok: false,
      error: { code: "exec_command_not_found" },
    });
  });
});
