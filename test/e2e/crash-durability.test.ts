import { randomUUID } from "node:crypto";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/client/index.js";
import {
  makeStateDir,
  mockModelConfig,
  runCli,
  spawnGateway,
  type GatewayProcess,
} from "../support/gateway-process.js";
import { FakeTelegram } from "../support/fake-telegram.js";
import { lastUserText, startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";
import { messageText } from "../support/wire-message.js";

const BOT = { token: "222222:CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC", id: 222222, username: "holdfast_crash_bot" };
/** Rounds of start → traffic → kill -9 (at least 50; each takes 1–2 s, 3–4 s on one busy core). */
const ROUNDS = 52;
/**
 * Time budget of the whole loop: a gateway start dominates each round and slows down several times
 * on a loaded machine, so the budget is per round (nothing here asserts on speed).
 */
const BUDGET_MS = ROUNDS * 8_000 + 90_000;

interface Acked {
  readonly sessionKey: string;
  readonly nonce: string;
  readonly idempotencyKey: string;
  readonly runId: string;
}

/** The last user message a model request answers (inside its boundary when a stranger sent it). */
const lastUser = lastUserText;

/**
 * Crash safety through real processes: the gateway is killed with SIGKILL at random points — right
 * after an ack, mid-stream, under 10 concurrent clients, and mid Telegram reply — round after round.
 * After the restarts every acked message is in its transcript, every run is answered or marked
 * interrupted, same-key retries do not call the model again, each model call happened at most once
 * per message, every Telegram message got its reply, and no reply chunk was sent twice unless the
 * outbox recorded it as resent after an unconfirmed send.
 */
describe("kill -9 at random points", () => {
  let mock: MockModelServer;
  let fake: FakeTelegram;
  let stateDir: string;
  let gw: GatewayProcess | undefined;
  const acked: Acked[] = [];
  const telegramNonces: { chat: number; nonce: string }[] = [];

  beforeAll(async () => {
    mock = await startMockModelServer({
      script: (req) => {
        const text = lastUser(req);
        if (text.startsWith("tg-"))
          return { text: `${text} `.repeat(Math.ceil(5000 / (text.length + 1))), chunkDelayMs: 10 };
        return { text: `echo: ${text}`, chunkDelayMs: 15 };
      },
    });
    fake = await FakeTelegram.start([BOT]);
    stateDir = await makeStateDir({
      ...mockModelConfig(mock.url),
      channels: { telegram: { apiRoot: fake.url, pollingTimeoutSec: 1, dmPolicy: "open", allowFrom: ["*"] } },
    });
  });

  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await mock?.close();
  });

  const startTimes: number[] = [];
  const start = async () => {
    const t0 = Date.now();
    gw = await spawnGateway(stateDir, { env: { TELEGRAM_BOT_TOKEN: BOT.token }, timeoutMs: 60_000 });
    startTimes.push(Date.now() - t0);
    return GatewayClient.connect({ url: gw.url, token: await gw.token() });
  };
  const kill = async () => {
    const g = gw as GatewayProcess;
    g.proc.kill("SIGKILL");
    await g.exited;
    gw = undefined;
  };
  const send = async (client: GatewayClient, round: number, i: number) => {
    const nonce = `r${round}c${i}-${randomUUID().slice(0, 8)}`;
    const sessionKey = `agent:main:crash-${nonce.toLowerCase()}`;
    const idempotencyKey = randomUUID();
    const res = (await client.request("chat.send", { sessionKey, message: nonce, idempotencyKey })) as {
      runId: string;
    };
    acked.push({ sessionKey, nonce, idempotencyKey, runId: res.runId });
    return res.runId;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it("keeps every acknowledged message and answers each one at most once", { timeout: BUDGET_MS }, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const client = await start();
      const kind = round % 4;
      if (kind === 0) {
        await send(client, round, 0);
      } else if (kind === 1) {
        const firstDelta = new Promise<void>((resolve) =>
          client.on(
            "event",
            (name: string, p: { state?: string }) => name === "chat" && p.state === "delta" && resolve(),
          ),
        );
        await send(client, round, 0);
        await Promise.race([firstDelta, sleep(500)]);
      } else if (kind === 2) {
        const g = gw as GatewayProcess;
        const token = await g.token();
        const others = await Promise.all(Array.from({ length: 9 }, () => GatewayClient.connect({ url: g.url, token })));
        const live = [client, ...others];
        const sends = live.map((c, i) => send(c, round, i).catch(() => undefined));
        await Promise.race([Promise.all(sends), sleep(40 + Math.random() * 120)]);
      } else {
        const chat = 5000 + round;
        const nonce = `tg-r${round}-${randomUUID().slice(0, 8)}`;
        telegramNonces.push({ chat, nonce });
        const firstChunk = fake.waitForSent((m) => m.chatId === String(chat), 5_000).catch(() => undefined);
        await fake.userSends(BOT.token, { from: { id: chat, first_name: `C${chat}` }, text: nonce });
        if (round % 8 === 3) {
          // Mid reply: just after Telegram took the first of its two chunks.
          await firstChunk;
          await sleep(Math.random() * 4);
        } else await sleep(150 + Math.random() * 900); // any point while the reply streams and goes out
      }
      await kill();
    }

    const client = await start();
    // The last rounds can leave Telegram updates queued (not fetched, or fetched and not yet run) and
    // reply chunks unconfirmed: the restarted gateway works them off now. The model-call baseline is
    // taken once every Telegram message has its answer and no run is active, however long that takes.
    const unanswered = () => telegramNonces.filter((t) => !fake.sent.some((s) => s.chatId === String(t.chat)));
    await expect.poll(() => unanswered().length, { timeout: 60_000, interval: 250 }).toBe(0);
    const activeRuns = async () => ((await client.request("status")) as { runs: { active: number } }).runs.active;
    await expect.poll(activeRuns, { timeout: 60_000, interval: 250 }).toBe(0);
    const modelCalls = mock.requests.length;

    // Every acked message is in its transcript; its run is answered or marked interrupted.
    for (const a of acked) {
      const h = (await client.request("chat.history", { sessionKey: a.sessionKey, limit: 1000 })) as {
        messages: { role: string; content: unknown; runId?: string; stopReason?: string }[];
      };
      expect(h.messages.filter((m) => m.role === "user" && m.runId === a.runId).map(messageText), a.nonce).toEqual([
        a.nonce,
      ]);
      const answers = h.messages.filter((m) => m.role === "assistant" && m.runId === a.runId);
      expect(answers.length, `run of ${a.nonce}`).toBe(1);
      expect(answers[0]?.stopReason === "interrupted" || messageText(answers[0] ?? {}) === `echo: ${a.nonce}`).toBe(
        true,
      );
    }
    expect(acked.length).toBeGreaterThanOrEqual(ROUNDS / 2);

    // Same-key retries return the first run and never call the model again.
    for (const a of acked.slice(0, 25)) {
      const res = (await client.request("chat.send", {
        sessionKey: a.sessionKey,
        message: a.nonce,
        idempotencyKey: a.idempotencyKey,
      })) as { runId: string; deduped?: boolean; status: string };
      expect(res).toMatchObject({ runId: a.runId, deduped: true });
      expect(["ok", "interrupted"]).toContain(res.status);
    }
    await sleep(300);
    expect(mock.requests.length).toBe(modelCalls);

    // The model was asked at most once per message, whatever the restarts.
    const perMessage = new Map<string, number>();
    for (const r of mock.requests) perMessage.set(lastUser(r), (perMessage.get(lastUser(r)) ?? 0) + 1);
    expect([...perMessage].filter(([, n]) => n > 1)).toEqual([]);

    // Telegram: every message got its reply (or the interruption notice, checked above); duplicates
    // only where resent.
    client.close();
    await (gw as GatewayProcess | undefined)?.stop();
    gw = undefined;
    const db = new Database(path.join(stateDir, "state", "holdfast.sqlite"), { readonly: true });
    expect(db.pragma("quick_check", { simple: true })).toBe("ok");
    const resent = (db.prepare("SELECT COUNT(*) AS n FROM channel_outbox WHERE attempts > 1").get() as { n: number }).n;
    const pending = db.prepare("SELECT COUNT(*) AS n FROM channel_outbox WHERE state != 'sent'").get() as { n: number };
    db.close();
    const seen = new Map<string, number>();
    for (const s of fake.sent)
      seen.set(`${s.chatId}\u0000${s.text}`, (seen.get(`${s.chatId}\u0000${s.text}`) ?? 0) + 1);
    const duplicates = [...seen.values()].reduce((n, c) => n + c - 1, 0);
    expect(duplicates).toBeLessThanOrEqual(resent);
    expect(pending.n).toBe(0);
    for (const t of telegramNonces) {
      const texts = fake.sent.filter((s) => s.chatId === String(t.chat)).map((s) => s.text);
      expect(
        texts.every((x) => x.startsWith(t.nonce) || x.startsWith("holdfast: the gateway stopped")),
        t.nonce,
      ).toBe(true);
    }

    // Every store opens again: the CLI reads the index the gateway wrote.
    const list = await runCli(stateDir, ["sessions", "list", "--json"]);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { count: number }).count).toBeGreaterThanOrEqual(acked.length);
    const notices = fake.sent.filter((s) => s.text.startsWith("holdfast: the gateway stopped")).length;
    const slowest = Math.max(...startTimes);
    console.log(
      `crash test: gateway starts took ${Math.round(startTimes.reduce((a, b) => a + b, 0) / startTimes.length)} ms on average (slowest ${slowest} ms); ${ROUNDS} kill -9 rounds, ${acked.length} acked messages, ${telegramNonces.length} Telegram messages (${notices} interrupted), ${fake.sent.length} chunks sent, ${duplicates} duplicates (${resent} resent after an unconfirmed send)`,
    );
  });
});
