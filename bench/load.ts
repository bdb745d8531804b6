/**
 * Load benchmark: a real gateway process (this build) with a zero-latency mock model, protocol-v4
 * WebSocket clients each in its own session doing `chat.send` → final. Prints, per round and as the
 * median of the rounds: gateway CPU per message (process tree, /proc), throughput, round-trip p50/p99
 * at 1 and 10 clients, errors, start to an authenticated WebSocket and idle RSS. Asserts nothing.
 *
 * Phases of a round: "cold" is the first `--warmup` messages of the fresh process at 1 client (V8
 * still compiles the hot path: it costs up to twice the steady state); "1 client" follows on the same
 * single connection; then the other clients connect (every operator connection receives every
 * `chat` event, so the 1-client phase has no other connection to fan out to) and "10 clients" runs
 * after a short warm-up of theirs.
 * Targets (issue 19): CPU/message ≤ 1.5 ms; ≥ 1,000 msg/s at 10 clients; p50 ≤ 2 ms, p99 ≤ 8 ms at 1
 * client; p99 ≤ 50 ms at 10 clients; start ≤ 250 ms; idle RSS ≤ 70 MB.
 *
 * Run: npm run bench:load -- [--rounds 3] [--messages 1000] [--warmup 2000] [--clients 10] [--against /tmp/holdfast-before]
 * With `--against <dir>` (another build: its `bin/` and `dist/`) each round runs that build first,
 * then this one, so both see the same machine load; figures are printed per build.
 * Profile the gateway: HOLDFAST_BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench:load
 */
import path from "node:path";
import { startMockModelServer } from "../test/support/mock-model-server.js";
import { loadavg, median, pct, runLoad, startLoadGateway, treeRssMb, type LoadResult } from "./lib/gateway-load.js";

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const ROUNDS = arg("rounds", 3);
const MESSAGES = arg("messages", 1000);
const CLIENTS = arg("clients", 10);
const WARMUP = arg("warmup", 2000);
const nodeFlags = process.env.HOLDFAST_BENCH_NODE_FLAGS?.split(" ").filter(Boolean);
const againstAt = process.argv.indexOf("--against");
const against = againstAt > 0 ? path.resolve(process.argv[againstAt + 1] as string) : undefined;
/** The builds compared: `bin` undefined is this one. */
const BUILDS: { name: string; bin?: string }[] = [
  ...(against ? [{ name: against, bin: path.join(against, "bin/holdfast.mjs") }] : []),
  { name: "this build" },
];

interface Round {
  startMs: number;
  idleRssMb: number;
  cold: LoadResult;
  one: LoadResult;
  many: LoadResult;
  rssAfterMb: number;
}

const mock = await startMockModelServer({ script: () => ({ text: "ok" }) });

async function round(bin: string | undefined): Promise<Round> {
  const gw = await startLoadGateway(mock.url, { ...(nodeFlags ? { nodeFlags } : {}), ...(bin ? { bin } : {}) });
  await new Promise((r) => setTimeout(r, 1000));
  const idleRssMb = await treeRssMb(gw.pid);
  const first = await gw.connect();
  const cold = await runLoad(gw, [first], WARMUP, { tag: "cold" });
  const one = await runLoad(gw, [first], MESSAGES, { tag: "one" });
  const clients = [first, ...(await Promise.all(Array.from({ length: CLIENTS - 1 }, () => gw.connect())))];
  await runLoad(gw, clients, 20, { tag: "warm-many" });
  const many = await runLoad(gw, clients, Math.ceil(MESSAGES / CLIENTS) * 3, { tag: "many" });
  const rssAfterMb = await treeRssMb(gw.pid);
  for (const c of clients) c.close();
  await gw.gw.stop();
  mock.requests.length = 0;
  return { startMs: gw.startMs, idleRssMb, cold, one, many, rssAfterMb };
}

const f = (n: number, d = 2) => n.toFixed(d);
const perMsg = (r: LoadResult) => r.cpuMs / r.rtts.length;
const rate = (r: LoadResult) => (r.rtts.length * 1000) / r.wallMs;
const q = (r: LoadResult, p: number) => pct(r.rtts, p);
const line = (name: string, r: LoadResult) =>
  `${name}: ${r.rtts.length} msgs, CPU/msg ${f(perMsg(r))} ms, ${f(rate(r), 0)} msg/s, ` +
  `p50 ${f(q(r, 50))} ms, p99 ${f(q(r, 99))} ms, errors ${r.errors}`;

console.log(`load benchmark (${ROUNDS} rounds, load average ${await loadavg()} at start)`);
const rounds: Round[][] = BUILDS.map(() => []);
for (let i = 0; i < ROUNDS; i++) {
  for (const [b, build] of BUILDS.entries()) {
    const r = await round(build.bin);
    rounds[b]?.push(r);
    const who = BUILDS.length > 1 ? ` (${build.name})` : "";
    console.log(`round ${i + 1}${who}: start-to-authenticated ${f(r.startMs, 1)} ms, idle RSS ${f(r.idleRssMb, 1)} MB`);
    console.log(`  ${line("1 client, cold", r.cold)}`);
    console.log(`  ${line("1 client", r.one)}`);
    console.log(`  ${line(`${CLIENTS} clients`, r.many)}`);
    console.log(`  RSS after the round ${f(r.rssAfterMb, 1)} MB; load average ${await loadavg()}`);
  }
}
await mock.close();

for (const [b, build] of BUILDS.entries()) {
  const rs = rounds[b] as Round[];
  const med = (pick: (r: Round) => number, d = 2) => f(median(rs.map(pick)), d);
  console.log(`median of ${ROUNDS} rounds${BUILDS.length > 1 ? ` (${build.name})` : ""}:`);
  console.log(`  start to authenticated WebSocket ${med((r) => r.startMs, 1)} ms   [target ≤ 250 ms]`);
  console.log(`  idle RSS ${med((r) => r.idleRssMb, 1)} MB   [target ≤ 70 MB]`);
  console.log(
    `  1 client, cold (first ${WARMUP} messages): CPU/msg ${med((r) => perMsg(r.cold))} ms, ` +
      `p50 ${med((r) => q(r.cold, 50))} ms, p99 ${med((r) => q(r.cold, 99))} ms`,
  );
  console.log(
    `  1 client: CPU/msg ${med((r) => perMsg(r.one))} ms, ${med((r) => rate(r.one), 0)} msg/s, ` +
      `p50 ${med((r) => q(r.one, 50))} ms, p99 ${med((r) => q(r.one, 99))} ms   [target CPU ≤ 1.5 ms, p50 ≤ 2 ms, p99 ≤ 8 ms]`,
  );
  console.log(
    `  ${CLIENTS} clients: CPU/msg ${med((r) => perMsg(r.many))} ms, ${med((r) => rate(r.many), 0)} msg/s, ` +
      `p50 ${med((r) => q(r.many, 50))} ms, p99 ${med((r) => q(r.many, 99))} ms   [target ≥ 1,000 msg/s, p99 ≤ 50 ms]`,
  );
  console.log(`  errors ${rs.reduce((n, r) => n + r.cold.errors + r.one.errors + r.many.errors, 0)} in all rounds`);
}
