import { describe, expect, it } from "vitest";
import { AbortRace, abortable } from "./abortable.js";

const reason = new Error("stop");

describe("abortable", () => {
  it("resolves with the promise, or rejects with the reason when the signal aborts first", async () => {
    await expect(abortable(Promise.resolve(1), new AbortController().signal)).resolves.toBe(1);
    const ctl = new AbortController();
    const waiting = abortable(new Promise<number>(() => undefined), ctl.signal);
    ctl.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });
});

describe("AbortRace", () => {
  it("waits on each promise in turn with one abort listener", async () => {
    const ctl = new AbortController();
    let listeners = 0;
    const add = ctl.signal.addEventListener.bind(ctl.signal);
    ctl.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      listeners++;
      add(...args);
    }) as typeof add;
    const race = new AbortRace(ctl.signal);
    for (let i = 0; i < 5; i++) await expect(race.next(Promise.resolve(i))).resolves.toBe(i);
    await expect(race.next(Promise.reject(new Error("own")))).rejects.toThrow("own");
    expect(listeners).toBe(1);
    race.dispose();
  });

  it("rejects the pending wait with the reason when the signal aborts, and every later one", async () => {
    const ctl = new AbortController();
    const race = new AbortRace(ctl.signal);
    await race.next(Promise.resolve("first"));
    const stuck = race.next(new Promise<never>(() => undefined));
    ctl.abort(reason);
    await expect(stuck).rejects.toBe(reason);
    let late!: (err: Error) => void;
    const later = race.next(new Promise<never>((_, reject) => (late = reject)));
    late(new Error("absorbed"));
    await expect(later).rejects.toBe(reason);
    race.dispose();
  });

  it("rejects at once on a signal aborted before it was made", async () => {
    const ctl = new AbortController();
    ctl.abort(reason);
    const race = new AbortRace(ctl.signal);
    await expect(race.next(Promise.resolve(1))).rejects.toBe(reason);
  });
});
