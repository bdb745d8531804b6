/**
 * Gateway benchmark: start-to-ready time, idle RSS, and message round trip through the gateway with a
 * zero-latency mock model. Prints figures; asserts nothing. Targets (issue "Gateway core"): ready
 * ≤ 250 ms, idle RSS ≤ 70 MB, added latency p50 ≤ 2 ms / p99 ≤ 10 ms.
 *
 * Run: npx tsx bench/gateway.ts [--runs 10] [--messages 300]
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { randomUUID } from "node:crypto";
import path from "node:path";
import OpenAI from "openai";
import { GatewayClient } from "../src/client/index.js";
import { cleanEnv, makeStateDir, mockModelConfig, REPO_ROOT, spawnGateway } from "../test/support/gateway-process.js";
import { startMockModelServer } from "../test/support/mock-model-server.js";

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const RUNS = arg("runs", 10);
const MESSAGES = arg("messages", 300);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
};
const ms = (n: number) => `${n.toFixed(2)} ms`;

async function startToReady(mockUrl: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const stateDir = await makeStateDir(mockModelConfig(mockUrl));
    const t0 = performance.now();
    const proc = spawn(process.execPath, [path.join(REPO_ROOT, "bin/holdfast.mjs"), "gateway", "--port", "0"], {
      env: cleanEnv(stateDir),
      stdio: ["ignore", "pipe", "ignore"],
    });
    await new Promise<void>((resolve) => {
      let out = "";
      proc.stdout.on("data", (b: Buffer) => {
        out += b.toString();
        if (out.includes("listening on")) resolve();
      });
    });
    times.push(performance.now() - t0);
    proc.kill("SIGTERM");
    await new Promise((r) => proc.on("exit", r));
  }
  return times;
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function directModelLatency(mockUrl: string, n: number): Promise<number[]> {
  const client = new OpenAI({ apiKey: "x", baseURL: `${mockUrl}/v1`, maxRetries: 0 });
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const stream = await client.chat.completions.create({
      model: "m",
      stream: true,
      messages: [{ role: "user", content: `m${i}` }],
    });
    for await (const _chunk of stream) void _chunk;
    times.push(performance.now() - t0);
  }
  return times;
}

async function roundTrips(client: GatewayClient, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      let runId: string | undefined;
      const onEvent = (name: string, p: { runId: string; state: string }) => {
        if (name === "chat" && p.runId === runId && (p.state === "final" || p.state === "error")) {
          client.off("event", onEvent);
          if (p.state === "error") reject(new Error("run failed"));
          else resolve();
        }
      };
      client.on("event", onEvent);
      client
        .request("chat.send", {
          sessionKey: `agent:main:bench${i % 20}`,
          message: `m${i}`,
          idempotencyKey: randomUUID(),
        })
        .then((r) => (runId = (r as { runId: string }).runId), reject);
    });
    times.push(performance.now() - t0);
  }
  return times;
}

const mock = await startMockModelServer({ script: () => ({ text: "ok" }) });
const ready = await startToReady(mock.url);
const gw = await spawnGateway(await makeStateDir(mockModelConfig(mock.url)));
await new Promise((r) => setTimeout(r, 1000));
const idleRss = await rssMb(gw.proc.pid as number);
const client = await GatewayClient.connect({ url: gw.url, token: await gw.token() });
await roundTrips(client, 30);
await directModelLatency(mock.url, 30);
const direct = await directModelLatency(mock.url, MESSAGES);
const rt = await roundTrips(client, MESSAGES);
const rssAfter = await rssMb(gw.proc.pid as number);
client.close();
await gw.stop();
await mock.close();

const added = (p: number) => pct(rt, p) - pct(direct, p);
console.log("holdfast gateway benchmark");
console.log(
  `  start-to-ready (${RUNS} runs): median ${ms(pct(ready, 50))}, min ${ms(Math.min(...ready))}, max ${ms(Math.max(...ready))}   [target ≤ 250 ms]`,
);
console.log(
  `  idle RSS after ready: ${idleRss.toFixed(1)} MB   [target ≤ 70 MB]; after ${MESSAGES} messages: ${rssAfter.toFixed(1)} MB`,
);
console.log(`  round trip via gateway (${MESSAGES} msgs): p50 ${ms(pct(rt, 50))}, p99 ${ms(pct(rt, 99))}`);
console.log(`  direct model call (same mock, same SDK): p50 ${ms(pct(direct, 50))}, p99 ${ms(pct(direct, 99))}`);
console.log(`  added by the gateway: p50 ${ms(added(50))}, p99 ${ms(added(99))}   [target p50 ≤ 2 ms, p99 ≤ 10 ms]`);
