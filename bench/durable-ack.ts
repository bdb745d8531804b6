/**
 * Durable-ack benchmark: the latency of `chat.send` until its ack (the user message and idempotency
 * key are committed and fsynced before the ack), sequential and with 10 concurrent clients, against a
 * zero-latency mock model. Prints p50/p99; asserts nothing.
 *
 * To compare with a build from before durable acks, point `--bin` at that build's `bin/holdfast.mjs`
 * (the same bench drives both): npx tsx bench/durable-ack.ts [--messages 300] [--bin <path>]
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import { GatewayClient } from "../src/client/index.js";
import { makeStateDir, mockModelConfig, REPO_ROOT, spawnGateway } from "../test/support/gateway-process.js";
import { startMockModelServer } from "../test/support/mock-model-server.js";

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const MESSAGES = Number(arg("messages") ?? 300);
const BIN = path.resolve(arg("bin") ?? path.join(REPO_ROOT, "bin/holdfast.mjs"));

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
};
const ms = (n: number) => `${n.toFixed(2)} ms`;

/** Ack latency of `n` chat.send calls on one client (each waits for its run to end before the next). */
async function acks(client: GatewayClient, n: number, tag: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const done = new Promise<void>((resolve) => {
      const on = (name: string, p: { state?: string; sessionKey?: string }) => {
        if (
          name === "chat" &&
          p.sessionKey === `agent:main:${tag}${i % 10}` &&
          (p.state === "final" || p.state === "error")
        ) {
          client.off("event", on);
          resolve();
        }
      };
      client.on("event", on);
    });
    const t0 = performance.now();
    await client.request("chat.send", {
      sessionKey: `${tag}${i % 10}`,
      message: `m${i}`,
      idempotencyKey: randomUUID(),
    });
    times.push(performance.now() - t0);
    await done;
  }
  return times;
}

const mock = await startMockModelServer({ script: () => ({ text: "ok" }) });
const gw = await spawnGateway(await makeStateDir(mockModelConfig(mock.url)), { bin: BIN });
const token = await gw.token();
const one = await GatewayClient.connect({ url: gw.url, token });
await acks(one, 30, "warm");
const sequential = await acks(one, MESSAGES, "seq");
const clients = await Promise.all(Array.from({ length: 10 }, () => GatewayClient.connect({ url: gw.url, token })));
const concurrent = (await Promise.all(clients.map((c, i) => acks(c, Math.ceil(MESSAGES / 10), `conc${i}-`)))).flat();
for (const c of [one, ...clients]) c.close();
await gw.stop();
await mock.close();

console.log(`durable ack benchmark (${BIN === path.join(REPO_ROOT, "bin/holdfast.mjs") ? "this build" : BIN})`);
console.log(
  `  chat.send → ack, sequential (${MESSAGES}): p50 ${ms(pct(sequential, 50))}, p99 ${ms(pct(sequential, 99))}`,
);
console.log(
  `  chat.send → ack, 10 concurrent clients (${concurrent.length}): p50 ${ms(pct(concurrent, 50))}, p99 ${ms(pct(concurrent, 99))}`,
);
