/**
 * Soak benchmark: 10,000 turns over 100 sessions (10 clients, 10 sessions each) through a real gateway
 * with a zero-latency mock model. Prints the gateway's RSS every 1,000 messages (as is, and after a
 * full GC), the RSS after a GC at the end against idle, and the growth between the 5,000th and the
 * 10,000th message. Asserts nothing. Targets (issue 19): after GC within 1.3× idle; no growth 5k → 10k.
 *
 * The GC is asked for over the inspector protocol (`--inspect=127.0.0.1:0`, loopback, this run only;
 * `HeapProfiler.collectGarbage`), so the gateway needs no switch for it.
 *
 * Run: npm run bench:soak -- [--messages 10000] [--sessions 100] [--snapshots <dir>]
 * (`--snapshots`: heap snapshots of the gateway at idle, half way and at the end, each after a GC, to
 * compare in Chrome DevTools' Memory tab.)
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import WebSocket from "ws";
import { startMockModelServer } from "../test/support/mock-model-server.js";
import { loadavg, rssMb, runLoad, startLoadGateway } from "./lib/gateway-load.js";

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const MESSAGES = arg("messages", 10_000);
const SESSIONS = arg("sessions", 100);
/** `--snapshots <dir>`: heap snapshots of the gateway at idle, at half and at the end (after a GC). */
const snapshotsAt = process.argv.includes("--snapshots")
  ? process.argv[process.argv.indexOf("--snapshots") + 1]
  : undefined;
const CLIENTS = 10;

/** Connects to the gateway's inspector (its URL is on stderr): a full-GC function and the way to disconnect. */
async function inspectorGc(stderr: readonly string[]): Promise<Inspector> {
  let url: string | undefined;
  for (let i = 0; i < 50 && !url; i++) {
    url = /Debugger listening on (ws:\/\/\S+)/.exec(stderr.join(""))?.[1];
    if (!url) await new Promise((r) => setTimeout(r, 100));
  }
  if (!url) throw new Error("the gateway printed no inspector URL");
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  let id = 0;
  /** Sends one command; `onEvent` sees the protocol events until its result arrives. */
  const call = <T>(method: string, onEvent?: (msg: { method?: string; params?: unknown }) => void) =>
    new Promise<T>((resolve) => {
      const mine = ++id;
      const on = (data: WebSocket.RawData) => {
        const msg = JSON.parse(data.toString()) as { id?: number; method?: string; params?: unknown; result?: T };
        if (msg.id === undefined) return onEvent?.(msg);
        if (msg.id !== mine) return;
        ws.off("message", on);
        resolve(msg.result as T);
      };
      ws.on("message", on);
      ws.send(JSON.stringify({ id: mine, method }));
    });
  const snapshot = async (file: string) => {
    const chunks: string[] = [];
    await call("HeapProfiler.takeHeapSnapshot", (m) => {
      if (m.method === "HeapProfiler.addHeapSnapshotChunk") chunks.push((m.params as { chunk: string }).chunk);
    });
    await writeFile(file, chunks.join(""));
  };
  return {
    gc: () => call("HeapProfiler.collectGarbage").then(() => undefined),
    heapMb: async () => (await call<{ usedSize: number }>("Runtime.getHeapUsage")).usedSize / 2 ** 20,
    snapshot,
    close: () => ws.close(),
  };
}

/** The gateway's inspector: a full GC, the V8 heap in use, heap snapshots. */
interface Inspector {
  gc(): Promise<void>;
  /** V8 heap in use (MB). */
  heapMb(): Promise<number>;
  /** Writes a heap snapshot (for Chrome DevTools' Memory tab) to `file`. */
  snapshot(file: string): Promise<void>;
  close(): void;
}

const f = (n: number) => n.toFixed(1);
const mock = await startMockModelServer({ script: () => ({ text: "ok" }) });
const gw = await startLoadGateway(mock.url, { env: { NODE_OPTIONS: "--inspect=127.0.0.1:0" } });
const inspector = await inspectorGc(gw.gw.stderr);
const gc = inspector.gc;
await new Promise((r) => setTimeout(r, 1000));
await gc();
const idle = await rssMb(gw.pid);
const snap = async (name: string) => {
  if (!snapshotsAt) return;
  await mkdir(snapshotsAt, { recursive: true });
  await inspector.snapshot(path.join(snapshotsAt, `${name}.heapsnapshot`));
};
console.log(`soak benchmark: ${MESSAGES} messages over ${SESSIONS} sessions (load average ${await loadavg()})`);
console.log(`  idle RSS after GC: ${f(idle)} MB, V8 heap in use ${f(await inspector.heapMb())} MB`);
await snap("idle");

const marks = new Map<number, number>();
const clients = await Promise.all(Array.from({ length: CLIENTS }, () => gw.connect()));
const result = await runLoad(gw, clients, Math.ceil(MESSAGES / CLIENTS), {
  tag: "soak",
  sessionsPerClient: SESSIONS / CLIENTS,
  onTurn: async (n) => {
    if (n % 1000 !== 0) return;
    mock.requests.length = 0;
    const rss = await rssMb(gw.pid);
    await gc();
    const after = await rssMb(gw.pid);
    marks.set(n, after);
    const heap = f(await inspector.heapMb());
    console.log(`  ${String(n).padStart(6)} messages: RSS ${f(rss)} MB, after GC ${f(after)} MB (V8 heap ${heap} MB)`);
    if (n === MESSAGES / 2 || n === MESSAGES) await snap(String(n));
  },
});
await new Promise((r) => setTimeout(r, 2000));
await gc();
const end = await rssMb(gw.pid);
for (const c of clients) c.close();
inspector.close();
await gw.gw.stop();
await mock.close();

const half = marks.get(Math.floor(MESSAGES / 2000) * 1000) ?? NaN;
const last = marks.get(Math.floor(MESSAGES / 1000) * 1000) ?? NaN;
console.log(`  errors ${result.errors}, ${f((result.rtts.length * 1000) / result.wallMs)} msg/s`);
console.log(
  `  RSS after GC at the end: ${f(end)} MB = ${(end / idle).toFixed(2)}× idle   [target ≤ 1.3×]; ` +
    `growth ${MESSAGES / 2} → ${MESSAGES}: ${f(last - half)} MB   [target: none]; load average ${await loadavg()}`,
);
