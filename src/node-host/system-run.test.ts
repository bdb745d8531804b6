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

function deps(p: ExecPolicy) {
  const remember = vi.fn(async () => undefined);
  const d: SystemRunDeps = {
    policy: async () => p,
    remember,
    defaultCwd: os.tmpdir(),
    env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", OPENAI_API_KEY: "sk-should-not-leak-0123456789" },
    limits: { timeoutMs: 5_000, maxOutputBytes: 10_000 },
    log: silentLogger(),
    signal: new AbortController().signal,
  };
  return { d, remember };
}

describe("system.run on a node", () => {
  it("runs an allowlisted program without asking, with a scrubbed environment", async () => {
    const { d } = deps(policy({ allowlist: [{ pattern: "printenv", source: "config" }] }));
    const r = await systemRun({ argv: ["printenv"] }, d);
    expect(r).toMatchObject({ ok: true, payload: { exitCode: 0, success: true, approval: "allowlisted" } });
    expect(JSON.stringify(r)).not.toContain("sk-should-not-leak");
  });

  it("refuses shell and privilege wrappers, even with an approver's decision", async () => {
    for (const argv of [
      ["sh", "-c", "id"],
      ["bash", "-lc", "id"],
      ["su", "-c", "id"],
      ["chroot", "/", "id"],
    ]) {
      const r = await systemRun({ argv, approvalDecision: "allow-always" }, deps(policy()).d);
      expect(r).toMatchObject({ ok: false, error: { code: "exec_wrapper_refused" } });
    }
  });

  it("answers a miss with approval required; runs it with a decision, remembering allow-always as the exact argv", async () => {
    const { d, remember } = deps(policy());
    expect(await systemRun({ argv: ["echo", "x"] }, d)).toEqual({
      ok: false,
      error: {
        code: "SYSTEM_RUN_DENIED",
        message: "SYSTEM_RUN_DENIED: approval required",
        details: { reason: "not in tools.exec.allowlist", persistable: true },
      },
    });
    const r = await systemRun({ argv: ["echo", "x"], approvalDecision: "allow-always" }, d);
    expect(r).toMatchObject({ ok: true, payload: { stdout: "x\n", approval: "allow-always" } });
    expect(remember).toHaveBeenCalledWith([{ pattern: expect.stringMatching(/\/echo$/), args: ["x"] }]);
  });

  it("asks every time for inline code and never remembers it", async () => {
    const { d, remember } = deps(policy());
    expect(await systemRun({ argv: ["env", "true"] }, d)).toMatchObject({
      error: { details: { persistable: false } },
    });
    await systemRun({ argv: ["env", "true"], approvalDecision: "allow-always" }, d);
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
