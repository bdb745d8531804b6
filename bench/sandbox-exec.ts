/**
 * Sandboxed exec spawn overhead: `/bin/true` through the bubblewrap backend vs a plain spawn (and
 * through the state-dir-masking host runner). Prints mean / median / p95 per variant and the added
 * median overhead. Target: ≤ 20 ms added by the sandbox.
 * Run: npx tsx bench/sandbox-exec.ts [iterations]
 */
import { chown, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  BubblewrapBackend,
  findSystemBinary,
  maskedHostRunner,
  SANDBOX_UID,
  sandboxRunner,
  spawnCapture,
  type ExecRunner,
  type SandboxSpec,
} from "../src/sandbox/index.js";

const iterations = Number(process.argv[2] ?? 100);
const signal = new AbortController().signal;
const env = { PATH: "/usr/bin:/bin" };

type Variant = { readonly name: string; readonly run: () => Promise<{ exitCode: number | null }> };

/**
 * Runs the variants interleaved (one of each per round), so a busy machine slows them alike, and
 * returns each variant's sorted times (ms).
 */
async function measure(variants: readonly Variant[]): Promise<number[][]> {
  for (const v of variants) for (let i = 0; i < 5; i++) await v.run();
  const times = variants.map(() => [] as number[]);
  for (let i = 0; i < iterations; i++) {
    for (const [k, v] of variants.entries()) {
      const t = process.hrtime.bigint();
      const r = await v.run();
      (times[k] as number[]).push(Number(process.hrtime.bigint() - t) / 1e6);
      if (r.exitCode !== 0) throw new Error(`${v.name}: exit ${r.exitCode}`);
    }
  }
  return times;
}

function report(name: string, times: number[]): void {
  const sorted = [...times].sort((a, b) => a - b);
  const q = (p: number) => (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number).toFixed(2);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  console.log(`${name.padEnd(30)} mean ${mean.toFixed(2)} ms  median ${q(0.5)} ms  p95 ${q(0.95)} ms`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function main(): Promise<void> {
  const root = process.getuid?.() === 0;
  const dir = await mkdtemp(path.join(os.tmpdir(), "holdfast-bench-"));
  if (root) await chown(dir, SANDBOX_UID, SANDBOX_UID);
  const spec: SandboxSpec = {
    scopeKey: "bench",
    workspaceDir: dir,
    network: "none",
    limits: { memoryMb: 512, pids: 64, cpuSeconds: 10, fileSizeMb: 10 },
    user: root
      ? { uid: SANDBOX_UID, gid: SANDBOX_UID }
      : { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 },
  };
  const backend = new BubblewrapBackend();
  const available = await backend.availability();
  if (!available.ok) throw new Error(available.reason);
  const req = { argv: ["/bin/true"], cwd: dir, env, timeoutMs: 10_000, maxOutputBytes: 4096, signal };
  console.log(
    `${iterations} runs of /bin/true (${root ? "as root: sandbox runs as uid 65534" : "unprivileged"}), ${os.cpus().length} cores, ${os.release()}`,
  );
  const box: ExecRunner = sandboxRunner(backend, spec);
  const bwrap = await findSystemBinary("bwrap");
  const variants: Variant[] = [
    { name: "plain spawn", run: () => spawnCapture(["/bin/true"], req) },
    { name: "bubblewrap sandbox", run: () => box.run(req) },
    ...(bwrap ? [{ name: "host exec, state dir masked", run: () => maskedHostRunner(bwrap, dir, "/").run(req) }] : []),
  ];
  const times = await measure(variants);
  variants.forEach((v, i) => report(v.name, times[i] as number[]));
  const plain = times[0] as number[];
  const added = (times[1] as number[]).map((t, i) => t - (plain[i] as number));
  console.log(
    `added by the sandbox (median of paired differences): ${median(added).toFixed(2)} ms (target ≤ 20 ms); load average ${os.loadavg()[0]?.toFixed(2)}`,
  );
  await rm(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
