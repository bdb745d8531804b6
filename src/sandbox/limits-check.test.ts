import { describe, expect, it } from "vitest";
import type { CgroupProbe } from "./cgroups.js";
import { unenforceableLimits } from "./limits-check.js";

const withControllers = (...c: ("memory" | "pids" | "cpu")[]): CgroupProbe => ({
  ok: true,
  kind: "v2",
  controllers: new Set(c),
});
const none: CgroupProbe = { ok: false, reason: "no cgroup file system is mounted" };

describe("unenforceableLimits", () => {
  it("accepts configured limits whose controllers exist, and defaults anywhere", () => {
    const config = { agents: { defaults: { sandbox: { limits: { memoryMb: 100, pids: 10, cpus: 1 } } } } };
    expect(unenforceableLimits(config, withControllers("memory", "pids", "cpu"), "bubblewrap")).toEqual([]);
    expect(unenforceableLimits({}, none, "bubblewrap")).toEqual([]);
    expect(
      unenforceableLimits({ agents: { defaults: { sandbox: { limits: { cpuSeconds: 5 } } } } }, none, "bubblewrap"),
    ).toEqual([]);
  });

  it("refuses a configured session limit without cgroups, naming the key and the reason", () => {
    const config = { agents: { list: [{ id: "w", sandbox: { limits: { memoryMb: 100 } } }] } };
    expect(unenforceableLimits(config, none, "bubblewrap")).toEqual([
      "agents.list.0.sandbox.limits.memoryMb: a session-wide limit needs a cgroup, and no cgroup file system is mounted",
    ]);
  });

  it("refuses a limit whose controller is missing", () => {
    const config = { agents: { defaults: { sandbox: { limits: { cpus: 0.5, pids: 5 } } } } };
    expect(unenforceableLimits(config, withControllers("pids"), "bubblewrap")).toEqual([
      "agents.defaults.sandbox.limits.cpus: the cgroup cpu controller is not available to the gateway here",
    ]);
  });

  it("refuses session limits with the Docker backend and names the per-container key", () => {
    const config = { agents: { defaults: { sandbox: { backend: "docker" as const, limits: { memoryMb: 256 } } } } };
    const [line] = unenforceableLimits(config, withControllers("memory"), "bubblewrap");
    expect(line).toContain("agents.defaults.sandbox.limits.memoryMb");
    expect(line).toContain("docker.memory");
  });
});
