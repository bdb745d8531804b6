/**
 * Sandboxed exec spawn overhead: `/bin/true` through the bubblewrap backend (the session's jail
 * agent) vs a plain spawn. Prints mean / median / p95 per variant and the added
 * median overhead. Target: ≤ 20 ms added by the sandbox.
 * Run: npx tsx bench/sandbox-exec.ts [iterations]
 */
import { chown, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  BubblewrapBackend,
  SANDBOX_UID,
  sandboxRunner,
  spawnCapture,
  type ExecRunner,
  type SandboxSpec,
} from "../src/sandbox/index.js";
import { measure, pairedMedian, report, type Variant } from "./lib/measure.js";

const iterations = Number(process.argv[2] ?? 100);
const signal = new AbortController().signal;
const env = { PATH: "/usr/bin:/bin" };

/** A variant that must exit 0. */
const exits0 = (name: string, run: () => Promise<{ exitCode: number | null }>): Variant => ({
  name,
  run: async () => {
    const r = await run();
    if (r.exitCode !== 0) throw new Error(`${name}: exit ${r.exitCode}`);
  },
});

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
  const variants: Variant[] = [
    exits0("plain spawn", () => spawnCapture(["/bin/true"], req)),
    exits0("bubblewrap sandbox", () => box.run(req)),
  ];
  const times = await measure(variants, iterations);
  variants.forEach((v, i) => report(v.name, times[i] as number[], 30));
  console.log(
    `added by the sandbox (median of paired differences): ${pairedMedian(times[0] as number[], times[1] as number[]).toFixed(2)} ms (target ≤ 20 ms); load average ${os.loadavg()[0]?.toFixed(2)}`,
  );
  await backend.close();
  await rm(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
