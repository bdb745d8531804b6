/**
 * Telegram DM benchmark: a real gateway long-polling the fake Bot API (the one the Telegram e2e tests
 * use), zero-latency mock model. A message goes through the whole inbound pipeline (update ledger and
 * durable inbound queue, routing, access control, run ledger, agent, leak scan, outbox, sendMessage).
 * Prints gateway CPU per message (process tree, /proc), throughput and p50/p99 from the user's message
 * to the bot's reply, for 1 sender and for 10 senders at once (each its own DM session). Asserts nothing.
 *
 * Run: npm run bench:telegram -- [--messages 300] [--warmup 300] [--rounds 1] [--against /tmp/holdfast-before]
 * `--warmup`: DMs from one sender before the measured ones, so V8 has compiled the path (the first
 * few hundred messages of a fresh process cost up to twice as much; docs/performance.md).
 * Profile the gateway: HOLDFAST_BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench:telegram
 * With `--against <dir>` (another build: its `bin/` and `dist/`) each round runs that build first, then
 * this one, each with a fresh gateway, so both see the same machine load.
 */
import path from "node:path";
import { startTelegramGateway, type TelegramGateway } from "../test/support/telegram-gateway.js";
import { loadavg, pct, treeCpuMs } from "./lib/gateway-load.js";

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const MESSAGES = Number(arg("messages") ?? 300);
const ROUNDS = Number(arg("rounds") ?? 1);
const WARMUP = Number(arg("warmup") ?? 300);
const nodeFlags = process.env.HOLDFAST_BENCH_NODE_FLAGS?.split(" ").filter(Boolean);
const against = arg("against");
const BUILDS: { name: string; bin?: string }[] = [
  ...(against ? [{ name: path.resolve(against), bin: path.resolve(against, "bin/holdfast.mjs") }] : []),
  { name: "this build" },
];
const BOT = { token: "700019:BenchTokenBenchTokenBenchTokenBench0", id: 700019, username: "holdfast_bench_bot" };
const SENDERS = Array.from({ length: 10 }, (_, k) => 5000 + k);

/** Each sender sends `n` DMs one after the other (the next once the reply arrived), all senders at once. */
async function dms(tg: TelegramGateway, senders: readonly number[], n: number, tag: string) {
  const pid = tg.gw.proc.pid as number;
  const rtts: number[] = [];
  let errors = 0;
  const cpu0 = await treeCpuMs(pid);
  const t0 = performance.now();
  await Promise.all(
    senders.map(async (from) => {
      for (let k = 0; k < n; k++) {
        const text = `${tag}-${from}-${k}`;
        const s = performance.now();
        const reply = tg.fake.waitForSent((m) => m.chatId === String(from) && m.text === `echo: ${text}`, 30_000);
        await tg.fake.userSends(BOT.token, { from: { id: from }, text });
        await reply.catch(() => errors++);
        rtts.push(performance.now() - s);
      }
    }),
  );
  const wallMs = performance.now() - t0;
  return { rtts, errors, wallMs, cpuMs: (await treeCpuMs(pid)) - cpu0 };
}

const f = (x: number, d = 2) => x.toFixed(d);
const line = (name: string, r: Awaited<ReturnType<typeof dms>>) =>
  `  ${name}: ${r.rtts.length} DMs, CPU/msg ${f(r.cpuMs / r.rtts.length)} ms, ` +
  `${f((r.rtts.length * 1000) / r.wallMs, 0)} msg/s, p50 ${f(pct(r.rtts, 50))} ms, p99 ${f(pct(r.rtts, 99))} ms, errors ${r.errors}`;

console.log(`telegram DM benchmark (fake Bot API, long polling; load average ${await loadavg()})`);
for (let i = 0; i < ROUNDS; i++) {
  for (const build of BUILDS) {
    const tg = await startTelegramGateway(BOT, {
      telegram: { dmPolicy: "allowlist", allowFrom: SENDERS.map(String) },
      ...(build.bin ? { bin: build.bin } : {}),
      ...(nodeFlags ? { nodeFlags } : {}),
    });
    console.log(`round ${i + 1}${BUILDS.length > 1 ? ` (${build.name})` : ""}:`);
    await dms(tg, [SENDERS[0] as number], WARMUP, "warm");
    console.log(line("1 sender", await dms(tg, [SENDERS[0] as number], MESSAGES, "one")));
    console.log(line("10 senders", await dms(tg, SENDERS, Math.ceil(MESSAGES / 10) * 3, "many")));
    console.log(`  load average ${await loadavg()}`);
    await tg.close();
  }
}
