/**
 * Helpers of the load benchmarks (`bench/load.ts`, `bench/soak.ts`, `bench/telegram-load.ts`): a real
 * gateway process with a zero-latency mock model, the CPU time and RSS of its process tree read from
 * /proc, and clients that each send `chat.send` and wait for the final event. They print figures only.
 */
import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { GatewayClient, chatTurn } from "../../src/client/index.js";
import {
  makeStateDir,
  mockModelConfig,
  nodeFlagsWrap,
  spawnGateway,
  type GatewayProcess,
} from "../../test/support/gateway-process.js";

/** Clock ticks per second of /proc/<pid>/stat (`getconf CLK_TCK`; 100 on Linux). */
const CLK_TCK = 100;

/** The fields of /proc/<pid>/stat after the command name: [0] state, [1] ppid, ... (man 5 proc). */
async function statFields(pid: number): Promise<string[] | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** `pid` and its live descendants. */
export async function processTree(pid: number): Promise<number[]> {
  const parents = new Map<number, number[]>();
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const f = await statFields(Number(name));
    if (!f) continue;
    const ppid = Number(f[1]);
    parents.set(ppid, [...(parents.get(ppid) ?? []), Number(name)]);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    for (const c of parents.get(p) ?? []) walk(c);
  };
  walk(pid);
  return out;
}

/**
 * CPU time (ms) of `pid`'s process tree: utime + stime of each live process, plus cutime + cstime
 * (children that ended and were waited for). Resolution 10 ms.
 */
export async function treeCpuMs(pid: number): Promise<number> {
  let ticks = 0;
  for (const p of await processTree(pid)) {
    const f = await statFields(p);
    if (!f) continue;
    // utime, stime, cutime, cstime are fields 14-17 of the line (11-14 after the name and state).
    ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  }
  return (ticks * 1000) / CLK_TCK;
}

/** Resident memory (MB) of one process. */
export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Resident memory (MB) of `pid`'s process tree (shared pages counted once per process). */
export async function treeRssMb(pid: number): Promise<number> {
  let sum = 0;
  for (const p of await processTree(pid)) sum += await rssMb(p);
  return sum;
}

/** The `p` percentile (0..100) of `xs`. */
export function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

/** A gateway started for a load run, with the time from spawn to an authenticated WebSocket. */
export interface LoadGateway {
  readonly gw: GatewayProcess;
  readonly token: string;
  readonly pid: number;
  /** ms from spawning the process to `hello-ok` of the first client. */
  readonly startMs: number;
  connect(): Promise<GatewayClient>;
}

/**
 * Spawns a gateway (fresh state dir, the mock model as its default model, `extra` config on top) and
 * connects one client to time the start. `env` goes to the process; `nodeFlags` are node's own flags
 * (`--cpu-prof --cpu-prof-dir=<dir>`; the profile is written when the gateway exits).
 */
export async function startLoadGateway(
  mockUrl: string,
  opts: {
    env?: Record<string, string>;
    config?: Record<string, unknown>;
    nodeFlags?: readonly string[];
    /** `bin/holdfast.mjs` of another build (default: this one). */
    bin?: string;
  } = {},
): Promise<LoadGateway> {
  const token = randomBytes(24).toString("hex");
  const stateDir = await makeStateDir({ ...mockModelConfig(mockUrl), ...opts.config });
  const t0 = performance.now();
  const wrap = nodeFlagsWrap(opts.nodeFlags);
  const gw = await spawnGateway(stateDir, {
    env: { HOLDFAST_GATEWAY_TOKEN: token, ...opts.env },
    ...(wrap ? { wrap } : {}),
    ...(opts.bin ? { bin: opts.bin } : {}),
  });
  const first = await GatewayClient.connect({ url: gw.url, token });
  const startMs = performance.now() - t0;
  first.close();
  return {
    gw,
    token,
    pid: gw.proc.pid as number,
    startMs,
    connect: () => GatewayClient.connect({ url: gw.url, token }),
  };
}

/** The outcome of a load run. */
export interface LoadResult {
  /** Round trip of each turn (chat.send until its final event), ms. */
  readonly rtts: number[];
  readonly errors: number;
  readonly wallMs: number;
  /** Gateway process-tree CPU over the run, ms. */
  readonly cpuMs: number;
}

/**
 * Each client sends `perClient` turns one after the other in its own session (`<tag><i>`, or spread
 * over `sessions` sessions per client), all clients at once. A turn that ends in `error` or throws counts as an error.
 */
export async function runLoad(
  gw: LoadGateway,
  clients: readonly GatewayClient[],
  perClient: number,
  opts: { tag: string; sessionsPerClient?: number; onTurn?: (n: number) => Promise<void> | void },
): Promise<LoadResult> {
  const rtts: number[] = [];
  let errors = 0;
  let done = 0;
  const spread = opts.sessionsPerClient ?? 1;
  const cpu0 = await treeCpuMs(gw.pid);
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (client, c) => {
      for (let i = 0; i < perClient; i++) {
        const s = performance.now();
        const sessionKey = `${opts.tag}${c * spread + (i % spread)}`;
        const turn = await chatTurn(client, { sessionKey, message: `m${i}`, timeoutMs: 30_000 }).catch(() => undefined);
        rtts.push(performance.now() - s);
        if (turn?.state !== "final") errors++;
        done++;
        await opts.onTurn?.(done);
      }
    }),
  );
  const wallMs = performance.now() - t0;
  return { rtts, errors, wallMs, cpuMs: (await treeCpuMs(gw.pid)) - cpu0 };
}

/** Median of `xs`. */
export const median = (xs: readonly number[]): number => pct(xs, 50);

/** The load average (1, 5, 15 min) as /proc prints it. */
export async function loadavg(): Promise<string> {
  return (await readFile("/proc/loadavg", "utf8")).split(" ").slice(0, 3).join(" ");
}
