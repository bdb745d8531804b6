import { EventEmitter } from "node:events";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { captureLogger } from "../../test/support/capture-log.js";
import { clientKey, openFileLimit, PreAuthGate, preAuthLimits, type PreAuthLimits } from "./preauth.js";

/** A socket stand-in: `destroy` records and emits `close` like net.Socket. */
class FakeSocket extends EventEmitter {
  destroyed = false;
  constructor(readonly remoteAddress: string) {
    super();
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit("close");
  }
}

const limits = (over: Partial<PreAuthLimits> = {}): PreAuthLimits => ({
  maxPerIp: 3,
  maxTotal: 5,
  idleMs: 15_000,
  ...over,
});

describe("PreAuthGate", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("closes a connection over the per-address cap at once and frees the slot when one closes", () => {
    const gate = new PreAuthGate(limits(), { log: captureLogger().log });
    const mine = [1, 2, 3].map(() => new FakeSocket("10.0.0.1"));
    expect(mine.map((s) => gate.admit(s))).toEqual([true, true, true]);
    const extra = new FakeSocket("::ffff:10.0.0.1");
    expect(gate.admit(extra)).toBe(false);
    expect(extra.destroyed).toBe(true);
    expect(gate.admit(new FakeSocket("10.0.0.2"))).toBe(true);
    mine[0]?.destroy();
    expect(gate.admit(new FakeSocket("10.0.0.1"))).toBe(true);
    expect(gate.stats()).toEqual({ pending: 4, refused: 1, maxPendingPerIp: 3, maxPending: 5 });
  });

  it("caps the total across addresses, and an authenticated connection stops counting", () => {
    const gate = new PreAuthGate(limits(), { log: captureLogger().log });
    const socks = [1, 2, 3, 4, 5].map((i) => new FakeSocket(`10.0.1.${i}`));
    for (const s of socks) expect(gate.admit(s)).toBe(true);
    expect(gate.admit(new FakeSocket("10.0.2.1"))).toBe(false);
    gate.authenticated(socks[0] as FakeSocket);
    expect(socks[0]?.destroyed).toBe(false);
    expect(gate.admit(new FakeSocket("10.0.2.1"))).toBe(true);
  });

  it("closes a connection that made no request within idleMs, but not one that did", () => {
    const gate = new PreAuthGate(limits(), { log: captureLogger().log });
    const idle = new FakeSocket("10.0.0.1");
    const busy = new FakeSocket("10.0.0.1");
    gate.admit(idle);
    gate.admit(busy);
    gate.active(busy);
    vi.advanceTimersByTime(14_999);
    expect(idle.destroyed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(idle.destroyed).toBe(true);
    expect(busy.destroyed).toBe(false);
    expect(gate.stats().pending).toBe(1);
  });

  it("holds trusted proxies to the total cap only", () => {
    const gate = new PreAuthGate(limits(), { log: captureLogger().log, exempt: (ip) => ip === "10.9.9.9" });
    const admitted = [1, 2, 3, 4, 5, 6].map(() => gate.admit(new FakeSocket("::ffff:10.9.9.9")));
    expect(admitted).toEqual([true, true, true, true, true, false]);
  });

  it("logs a burst of refusals once when it starts and once when it is over, not per socket", () => {
    const cap = captureLogger();
    const gate = new PreAuthGate(limits(), { log: cap.log });
    for (let i = 0; i < 1000; i++) gate.admit(new FakeSocket("10.0.0.7"));
    vi.advanceTimersByTime(4_000);
    for (let i = 0; i < 10; i++) gate.admit(new FakeSocket("10.0.0.8"));
    expect(cap.lines).toHaveLength(1);
    expect(cap.lines[0]).toMatchObject({ level: 40, reason: "preauth_per_ip_limit", client: "10.0.0.7" });
    vi.advanceTimersByTime(5_000);
    expect(cap.lines).toHaveLength(2);
    expect(cap.lines[1]).toMatchObject({ refused: 997 + 8, clients: ["10.0.0.7", "10.0.0.8"] });
    gate.admit(new FakeSocket("10.0.0.7"));
    expect(cap.lines).toHaveLength(3);
  });

  it("never lets pending connections exceed either cap, and destroys every refused one (any sequence)", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("open" as const), ip: fc.integer({ min: 0, max: 4 }) }),
      fc.record({ kind: fc.constantFrom("close" as const, "auth" as const, "idle" as const), at: fc.nat() }),
    );
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 200 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 12 }),
        (ops, perIp, total) => {
          const gate = new PreAuthGate(limits({ maxPerIp: perIp, maxTotal: total, idleMs: 10 }), {
            log: captureLogger().log,
          });
          const open: FakeSocket[] = [];
          const authed = new Set<FakeSocket>();
          for (const o of ops) {
            if (o.kind === "open") {
              const s = new FakeSocket(`10.0.0.${o.ip}`);
              if (gate.admit(s)) open.push(s);
              else expect(s.destroyed).toBe(true);
            } else if (o.kind === "idle") vi.advanceTimersByTime(10);
            else {
              const s = open[o.at % Math.max(1, open.length)];
              if (!s) continue;
              if (o.kind === "close") s.destroy();
              else {
                gate.active(s);
                gate.authenticated(s);
                authed.add(s);
              }
            }
            const pending = open.filter((s) => !s.destroyed && !authed.has(s));
            expect(pending.length).toBe(gate.stats().pending);
            expect(pending.length).toBeLessThanOrEqual(total);
            for (let ip = 0; ip < 5; ip++)
              expect(pending.filter((s) => s.remoteAddress === `10.0.0.${ip}`).length).toBeLessThanOrEqual(perIp);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("pre-handshake limits", () => {
  it("counts IPv6 clients by their /64 and IPv4-mapped addresses as IPv4", () => {
    expect(clientKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:0db8:0001:0002:ffff:1:2:3")).toBe("2001:db8:1:2::/64");
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
    expect(clientKey("::ffff:127.0.0.2")).toBe("127.0.0.2");
    expect(clientKey(undefined)).toBe("unknown");
  });

  it("defaults to 32 per address and 256 in all, keeping the total to a quarter of the open-file limit", () => {
    expect(preAuthLimits({}, 1_048_576)).toEqual({ maxPerIp: 32, maxTotal: 256, idleMs: 15_000 });
    expect(preAuthLimits({}, 200)).toMatchObject({ maxPerIp: 32, maxTotal: 50 });
    expect(preAuthLimits({}, 64)).toMatchObject({ maxPerIp: 16, maxTotal: 16 });
    expect(preAuthLimits({ maxPendingPerIp: 4, maxPending: 1000 }, 200)).toMatchObject({ maxPerIp: 4, maxTotal: 1000 });
    expect(preAuthLimits({}, undefined)).toMatchObject({ maxPerIp: 32, maxTotal: 256 });
  });

  it("reads the soft open-file limit from /proc/self/limits", () => {
    const limitsFile = [
      "Limit                     Soft Limit           Hard Limit           Units     ",
      "Max open files            200                  4096                 files     ",
    ].join("\n");
    expect(openFileLimit(() => limitsFile)).toBe(200);
    expect(openFileLimit(() => "garbage")).toBeUndefined();
    expect(
      openFileLimit(() => {
        throw new Error("ENOENT");
      }),
    ).toBeUndefined();
  });
});
