/**
 * Host-jail exec overhead: `/bin/true` in the host jail (bubblewrap, `host` profile, as the gateway's
 * user; commands go through the session's long-lived jail agent) vs a plain spawn, with and without
 * the session cgroup; and a file read by the jail agent vs a read in the gateway. Prints mean / median / p95 per variant and the added
 * median overhead (paired differences). Target: ≤ 20 ms added by the host jail.
 * Run: npx tsx bench/host-jail-exec.ts [iterations]   (the jail agent needs `npm run build` first)
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  BubblewrapBackend,
  hostJailSpec,
  JAIL_PATH,
  openSessionCgroups,
  sandboxRunner,
  spawnCapture,
  type SandboxSpec,
} from "../src/sandbox/index.js";
import { measure, pairedMedian, report, type Variant } from "./lib/measure.js";

const iterations = Number(process.argv[2] ?? 100);
const signal = new AbortController().signal;

function added(label: string, base: number[], other: number[], target?: number): void {
  const t = target !== undefined ? ` (target ≤ ${target} ms)` : "";
  console.log(`added by ${label} (median of paired differences): ${pairedMedian(base, other).toFixed(2)} ms${t}`);
}

async function ok(p: Promise<{ exitCode: number | null; stderr: string }>, what: string): Promise<void> {
  const r = await p;
  if (r.exitCode !== 0) throw new Error(`${what}: exit ${r.exitCode} ${r.stderr}`);
}

async function main(): Promise<void> {
  const ws = await mkdtemp(path.join(os.tmpdir(), "holdfast-bench-hj-"));
  await writeFile(path.join(ws, "f.txt"), "x".repeat(4096));
  const backend = new BubblewrapBackend();
  const a = await backend.availability();
  if (!a.ok) throw new Error(a.reason);
  const cg = await openSessionCgroups({ name: `holdfast-bench-${process.pid}` });
  const base: SandboxSpec = hostJailSpec({
    scopeKey: "session:bench",
    workspaceDir: ws,
    user: { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 },
    network: "host",
    limits: { memoryMb: 1024, pids: 256, cpuSeconds: 30, fileSizeMb: 64 },
  });
  const join = cg.ok ? await cg.cgroups.prepare("bench", { memoryMb: 1024, pids: 256 }) : undefined;
  const withCg: SandboxSpec | undefined =
    cg.ok && join ? { ...base, cgroup: { procs: join.procs, controllers: [...cg.cgroups.controllers] } } : undefined;
  const req = {
    argv: ["/bin/true"],
    cwd: ws,
    env: { PATH: JAIL_PATH },
    timeoutMs: 10_000,
    maxOutputBytes: 4096,
    signal,
  };
  const readOp = {
    cwd: ws,
    roots: [{ path: ws, writable: true }],
    confine: true,
    ops: [{ op: "read" as const, path: "f.txt", maxBytes: 65536 }],
  };
  console.log(
    `${iterations} runs each, ${process.getuid?.() === 0 ? "as root" : "unprivileged"}, ${os.cpus().length} cores, ${os.release()}, cgroups: ${cg.ok ? cg.cgroups.kind : cg.reason}`,
  );
  const variants: Variant[] = [
    { name: "plain spawn /bin/true", run: () => ok(spawnCapture(["/bin/true"], req), "plain") },
    { name: "host jail /bin/true", run: () => ok(sandboxRunner(backend, base).run(req), "jail") },
    ...(withCg
      ? [{ name: "host jail + session cgroup", run: () => ok(sandboxRunner(backend, withCg).run(req), "jail+cg") }]
      : []),
    {
      name: "file read in the gateway (fs)",
      run: () => readFile(path.join(ws, "f.txt")),
    },
    { name: "file read in the jail (agent)", run: () => backend.files(withCg ?? base, readOp, signal) },
  ];
  const times = await measure(variants, iterations);
  variants.forEach((v, i) => report(v.name, times[i] as number[]));
  const [plain, jail] = times as [number[], number[]];
  added("the host jail", plain, jail, 20);
  if (withCg) added("the host jail with its cgroup", plain, times[2] as number[], 20);
  const k = withCg ? 3 : 2;
  added("reading a file in the jail (vs in the gateway)", times[k] as number[], times[k + 1] as number[]);
  console.log(`load average ${os.loadavg()[0]?.toFixed(2)}`);
  await backend.close();
  if (cg.ok) await cg.cgroups.close();
  await rm(ws, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
