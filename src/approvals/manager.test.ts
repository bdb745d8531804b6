import { mkdtemp, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import type { Clock } from "../infra/index.js";
import { silentLogger } from "../logging/index.js";
import { AllowAlwaysStore, ExecApprovals, type ApprovalInput } from "./index.js";
import type { ApprovalEvent } from "./types.js";

/** A clock whose sleeps resolve only when the test advances time. */
function manualClock(): Clock & { advance(ms: number): Promise<void> } {
  let now = 1_000_000;
  const sleepers: { at: number; resolve: () => void; reject: (e: unknown) => void }[] = [];
  return {
    now: () => now,
    sleep(ms, signal) {
      return new Promise((resolve, reject) => {
        const s = { at: now + ms, resolve, reject };
        sleepers.push(s);
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
    },
    async advance(ms) {
      now += ms;
      for (const s of sleepers.splice(0))
        if (s.at <= now) s.resolve();
        else sleepers.push(s);
      await new Promise((r) => setImmediate(r));
    },
  };
}

const input = (over: Partial<ApprovalInput> = {}): ApprovalInput => ({
  argv: ["echo", "hi"],
  segments: [["echo", "hi"]],
  command: "echo hi",
  cwd: "/w",
  host: "host",
  agentId: "main",
  sessionKey: "agent:main:main",
  reason: "not in tools.exec.allowlist",
  persistable: true,
  patterns: [{ pattern: "/usr/bin/echo", args: ["hi"] }],
  ...over,
});

let dir: string;
let clock: ReturnType<typeof manualClock>;
let store: AllowAlwaysStore;
let approvals: ExecApprovals;
let events: ApprovalEvent[];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "holdfast-approvals-"));
  clock = manualClock();
  store = new AllowAlwaysStore(dir, clock.now);
  approvals = new ExecApprovals({ clock, store, log: silentLogger(), timeoutMs: 120_000 });
  events = [];
  approvals.onEvent((e) => events.push(e));
});

describe("exec approvals", () => {
  it("broadcasts the request with id, argv, cwd, agent, session and expiry", async () => {
    const pending = approvals.request(input(), new AbortController().signal);
    const req = approvals.list()[0];
    expect(req).toMatchObject({
      argv: ["echo", "hi"],
      cwd: "/w",
      agentId: "main",
      sessionKey: "agent:main:main",
      createdAtMs: 1_000_000,
      expiresAtMs: 1_120_000,
    });
    expect(req?.id).toMatch(/^[a-z2-9]{8}$/);
    expect(events[0]).toEqual({ type: "requested", request: req });
    await approvals.resolve(req?.id ?? "", "allow-once", "cli");
    expect(await pending).toEqual({ decision: "allow-once", by: "cli" });
    expect(events[1]).toEqual({ type: "resolved", id: req?.id, decision: "allow-once", by: "cli" });
  });

  it("expires after the timeout (= deny), and the id cannot be resolved afterwards", async () => {
    const pending = approvals.request(input(), new AbortController().signal);
    const id = approvals.list()[0]?.id ?? "";
    await clock.advance(119_999);
    expect(approvals.list()).toHaveLength(1);
    await clock.advance(1);
    expect(await pending).toEqual({ decision: "expired" });
    await expect(approvals.resolve(id, "allow-once", "cli")).rejects.toMatchObject({ code: "HF_NOT_FOUND" });
  });

  it("is single-use: a second resolve fails (no replay)", async () => {
    void approvals.request(input(), new AbortController().signal);
    const id = approvals.list()[0]?.id ?? "";
    await approvals.resolve(id, "deny", "cli");
    await expect(approvals.resolve(id, "allow-once", "cli")).rejects.toMatchObject({ code: "HF_NOT_FOUND" });
  });

  it("ends with aborted when the run is aborted, and on shutdown", async () => {
    const ac = new AbortController();
    const a = approvals.request(input(), ac.signal);
    ac.abort();
    expect(await a).toEqual({ decision: "aborted" });
    const b = approvals.request(input(), new AbortController().signal);
    approvals.shutdown();
    expect(await b).toEqual({ decision: "aborted" });
    expect(approvals.list()).toEqual([]);
  });

  it("allow-always persists the exact argv pattern in exec-approvals.json (600)", async () => {
    const pending = approvals.request(input(), new AbortController().signal);
    await approvals.resolve(approvals.list()[0]?.id ?? "", "allow-always", "cli");
    expect(await pending).toEqual({ decision: "allow-always", by: "cli" });
    expect(await store.entries("main")).toEqual([expect.objectContaining({ pattern: "/usr/bin/echo", args: ["hi"] })]);
    expect((await stat(path.join(dir, "exec-approvals.json"))).mode & 0o777).toBe(0o600);
    expect(await store.entries("other")).toEqual([]);
  });

  it("refuses allow-always for a request that cannot be persisted, and keeps it pending", async () => {
    void approvals.request(input({ persistable: false }), new AbortController().signal);
    const id = approvals.list()[0]?.id ?? "";
    await expect(approvals.resolve(id, "allow-always", "cli")).rejects.toMatchObject({ code: "HF_APPROVAL_REFUSED" });
    expect(approvals.list()).toHaveLength(1);
    expect(await store.entries("main")).toEqual([]);
  });

  it("at most one of any number of resolve attempts succeeds, and the outcome is that one (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom("allow-once", "deny", "allow-always"), { minLength: 1, maxLength: 6 }),
        async (decisions) => {
          const pending = approvals.request(input(), new AbortController().signal);
          const id = approvals.list()[0]?.id ?? "";
          const results = await Promise.allSettled(decisions.map((d) => approvals.resolve(id, d as "deny", "p")));
          const ok = results.filter((r) => r.status === "fulfilled");
          expect(ok).toHaveLength(1);
          expect((await pending).decision).toBe(decisions[0]);
        },
      ),
      { numRuns: 40 },
    );
  });
});
