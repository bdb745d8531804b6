import type { Api } from "grammy";
import type { Update } from "grammy/types";
import { describe, expect, it } from "vitest";
import { flushAsync, manualClock } from "../../../test/support/fake-clock.js";
import { POLL_WATCHDOG_GRACE_MS, pollUpdates } from "./polling.js";

/** A Bot API stand-in whose getUpdates answers from a script; `"hang"` never answers and ignores its signal. */
function scriptedApi(answers: (Update[] | "hang")[]) {
  let calls = 0;
  const api = {
    deleteWebhook: async () => true,
    getUpdates: () => {
      const a = answers[Math.min(calls++, answers.length - 1)] as Update[] | "hang";
      return a === "hang" ? new Promise<Update[]>(() => undefined) : Promise.resolve(a);
    },
  };
  return { api: api as unknown as Api, calls: () => calls };
}

const update = (id: number) => ({ update_id: id }) as Update;

describe("pollUpdates watchdog (fake clock)", () => {
  it("abandons a getUpdates still hanging after the request timeout plus grace, and polls again", async () => {
    const clock = manualClock();
    const ctl = new AbortController();
    const { api, calls } = scriptedApi(["hang", [update(7)], "hang"]);
    const handled: number[] = [];
    const retries: { attempt: number; err: unknown }[] = [];
    let running = 0;
    const loop = pollUpdates({
      api,
      clock,
      signal: ctl.signal,
      timeoutSec: 30,
      requestTimeoutSec: 60,
      offset: () => undefined,
      accept: async (batch) => void handled.push(...batch.map((u) => u.update_id)),
      onRetry: (attempt, _delayMs, err) => retries.push({ attempt, err }),
      onRunning: () => running++,
    });
    await flushAsync();
    expect(calls()).toBe(1);
    await clock.advance(60_000 + POLL_WATCHDOG_GRACE_MS - 1);
    expect(retries).toEqual([]);
    await clock.advance(1);
    expect(retries).toHaveLength(1);
    expect(retries[0]?.err).toMatchObject({
      code: "HF_CHANNEL_NETWORK",
      message: "getUpdates did not answer within 70 s",
    });
    await clock.advance(500);
    expect(handled).toEqual([7]);
    expect(running).toBe(1);
    expect(calls()).toBe(3);
    ctl.abort();
    await loop;
    expect(clock.pending).toBe(0);
  });
});
