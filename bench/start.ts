/**
 * Start benchmark: spawn to the first authenticated WebSocket (`hello-ok`) and the idle RSS one second
 * later, of a real gateway with the mock model configured; with `--against <dir>` the runs alternate
 * with the build in `<dir>` (a copy of this repository's `bin/` and `dist/` with `node_modules` next to
 * them), so both see the same machine load. Prints medians; asserts nothing. Targets (issue 19): start
 * ≤ 250 ms, idle RSS ≤ 70 MB.
 *
 * Run: npm run build && npx tsx bench/start.ts [--runs 10] [--against /tmp/holdfast-before]
 */
import path from "node:path";
import { startMockModelServer } from "../test/support/mock-model-server.js";
import { loadavg, median, rssMb, startLoadGateway } from "./lib/gateway-load.js";

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(arg("runs") ?? 10);
const against = arg("against");
const builds: { name: string; bin?: string }[] = [
  { name: "this build" },
  ...(against ? [{ name: path.resolve(against), bin: path.resolve(against, "bin/holdfast.mjs") }] : []),
];

const mock = await startMockModelServer({ script: () => ({ text: "ok" }) });
const figures = new Map(builds.map((b) => [b.name, { start: [] as number[], rss: [] as number[] }]));
console.log(`start benchmark: ${RUNS} runs per build (load average ${await loadavg()})`);
for (let i = 0; i < RUNS; i++) {
  for (const b of i % 2 === 0 ? builds : [...builds].reverse()) {
    const gw = await startLoadGateway(mock.url, b.bin ? { bin: b.bin } : {});
    await new Promise((r) => setTimeout(r, 1000));
    const fig = figures.get(b.name) as { start: number[]; rss: number[] };
    fig.start.push(gw.startMs);
    fig.rss.push(await rssMb(gw.pid));
    await gw.gw.stop();
  }
}
await mock.close();
for (const [name, fig] of figures)
  console.log(
    `  ${name}: start to authenticated WebSocket median ${median(fig.start).toFixed(1)} ms ` +
      `(min ${Math.min(...fig.start).toFixed(1)}), idle RSS median ${median(fig.rss).toFixed(1)} MB   [targets ≤ 250 ms, ≤ 70 MB]`,
  );
console.log(`  load average ${await loadavg()}`);
