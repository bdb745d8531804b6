import { mkdtemp, readFile, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PairingStore } from "../index.js";
import {
  PAIRING_ALPHABET,
  PAIRING_MAX_PENDING,
  PAIRING_TTL_MS,
  findByCode,
  pruneRequests,
  upsertRequest,
  type PairingFile,
} from "./state.js";

const op = fc.oneof(
  fc.record({
    t: fc.constant("upsert" as const),
    account: fc.constantFrom("default", "work"),
    sender: fc.integer({ min: 1, max: 8 }),
    dt: fc.integer({ min: 0, max: 40 * 60_000 }),
  }),
  fc.record({ t: fc.constant("approve" as const), pick: fc.nat(), dt: fc.integer({ min: 0, max: 40 * 60_000 }) }),
);

describe("pairing TTL and cap (formal property: pairing)", () => {
  it("never holds more than 3 pending per account, never accepts a code older than 1 h, never duplicates a sender", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        let file: PairingFile = { version: 1, requests: [] };
        let now = Date.UTC(2026, 0, 1);
        const issued = new Map<string, number>();
        for (const o of ops) {
          now += o.dt;
          if (o.t === "upsert") {
            const before = pruneRequests(file, now).requests.find(
              (r) => r.meta.accountId === o.account && r.id === String(o.sender),
            );
            const r = upsertRequest(file, { accountId: o.account, senderId: String(o.sender) }, now);
            file = r.file;
            if (before) expect(r.outcome).toEqual({ code: before.code, created: false });
            if (r.outcome.created) {
              expect(r.outcome.code).toMatch(new RegExp(`^[${PAIRING_ALPHABET}]{8}$`));
              issued.set(r.outcome.code, now);
            }
            if (r.outcome.code === "")
              expect(file.requests.some((q) => q.meta.accountId === o.account && q.id === String(o.sender))).toBe(
                false,
              );
          } else {
            const codes = [...issued.keys()];
            const code = codes[o.pick % Math.max(codes.length, 1)];
            if (code === undefined) continue;
            const found = findByCode(file, code.toLowerCase(), now);
            if (found) {
              expect(now - (issued.get(code) as number)).toBeLessThan(PAIRING_TTL_MS);
              file = { version: 1, requests: file.requests.filter((q) => q !== found) };
            }
          }
          const live = pruneRequests(file, now).requests;
          for (const acct of ["default", "work"])
            expect(live.filter((q) => q.meta.accountId === acct).length).toBeLessThanOrEqual(PAIRING_MAX_PENDING);
          expect(new Set(live.map((q) => `${q.meta.accountId}/${q.id}`)).size).toBe(live.length);
          expect(live.every((q) => now - Date.parse(q.createdAt) < PAIRING_TTL_MS)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("keeps the cap under concurrent writers (gateway and CLI processes share the file)", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "hf-pair-"));
    const clock = { now: () => Date.now(), sleep: async () => undefined };
    const stores = [0, 1, 2].map(() => new PairingStore(dir, "telegram", clock));
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (stores[i % 3] as PairingStore).upsert("default", String(100 + i))),
    );
    expect(outcomes.filter((o) => o.created)).toHaveLength(3);
    expect(outcomes.filter((o) => o.code === "")).toHaveLength(9);
    expect(await (stores[0] as PairingStore).list()).toHaveLength(3);
    expect((await stat(path.join(dir, "telegram-pairing.json"))).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path.join(dir, "telegram-pairing.json"), "utf8"))).toMatchObject({
      version: 1,
      requests: expect.any(Array),
    });
  });

  it("approves through the file store only within the TTL, into the DM allow store", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 * PAIRING_TTL_MS }), async (ageMs) => {
        const dir = await mkdtemp(path.join(os.tmpdir(), "hf-pair-"));
        let t = Date.UTC(2026, 0, 1);
        const store = new PairingStore(dir, "telegram", { now: () => t, sleep: async () => undefined });
        const { code } = await store.upsert("default", "tg:4242", "Ada");
        t += ageMs;
        if (ageMs < PAIRING_TTL_MS) {
          expect(await store.approve(code.toLowerCase())).toMatchObject({
            id: "4242",
            meta: { accountId: "default", name: "Ada" },
          });
          expect(await store.allow.entries("default")).toEqual(["4242"]);
          expect(await store.list()).toEqual([]);
        } else {
          await expect(store.approve(code)).rejects.toMatchObject({ code: "HF_PAIRING_NOT_FOUND" });
          expect(await store.allow.entries("default")).toEqual([]);
        }
      }),
      { numRuns: 20 },
    );
  });
});
