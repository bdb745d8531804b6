import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { openTempStore, tempStateDir } from "../../test/support/temp-state.js";
import type { SessionIndexEntry } from "./index.js";

const entry = (key: string, sessionId: string, updatedAt = 1): SessionIndexEntry => ({
  key,
  sessionId,
  agentId: key.split(":")[1] as string,
  createdAt: 1,
  updatedAt,
  messageCount: 0,
});
const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

describe("session index", () => {
  it("creates once, counts messages, lists newest first, deletes", async () => {
    const s = await openTempStore(tempStateDir());
    expect(
      s.sessions.create({ ...entry("agent:main:a", ID(1)), channel: "webchat", chatType: "direct" }),
    ).toMatchObject({
      sessionId: ID(1),
      channel: "webchat",
      chatType: "direct",
    });
    expect(s.sessions.create(entry("agent:main:a", ID(2))).sessionId).toBe(ID(1));
    s.sessions.create(entry("agent:work:b", ID(3), 5));
    s.sessions.touch("agent:main:a", 3);
    s.sessions.touchMany([{ key: "agent:main:a", at: 9, messages: 2 }]);
    expect(s.sessions.get("agent:main:a")).toMatchObject({ messageCount: 3, updatedAt: 9 });
    expect(s.sessions.list().map((e) => e.key)).toEqual(["agent:main:a", "agent:work:b"]);
    expect(s.sessions.list("work").map((e) => e.key)).toEqual(["agent:work:b"]);
    expect(s.sessions.bySessionId(ID(3))?.key).toBe("agent:work:b");
    expect(s.sessions.delete("agent:main:a")?.sessionId).toBe(ID(1));
    expect(s.sessions.delete("agent:main:a")).toBeUndefined();
    expect([...s.sessions.sessionIds()]).toEqual([ID(3)]);
    s.close();
  });

  it("is shared between two handles on the same file (gateway and CLI)", async () => {
    const dirs = tempStateDir();
    const gw = await openTempStore(dirs);
    const cli = await openTempStore(dirs);
    gw.sessions.create(entry("agent:main:a", ID(1)));
    expect(cli.sessions.get("agent:main:a")?.sessionId).toBe(ID(1));
    cli.sessions.delete("agent:main:a");
    expect(gw.sessions.get("agent:main:a")).toBeUndefined();
    gw.close();
    cli.close();
  });

  it("answers from its read cache only what the database still holds (model-based)", async () => {
    const dirs = tempStateDir();
    const gw = await openTempStore(dirs);
    const other = await openTempStore(dirs);
    const keys = ["agent:main:a", "agent:main:b", "agent:work:c"] as const;
    const key = fc.constantFrom(...keys);
    const op = fc.oneof(
      fc.record({ t: fc.constant("get" as const), key }),
      fc.record({ t: fc.constant("create" as const), key, id: fc.nat(50), other: fc.boolean() }),
      fc.record({ t: fc.constant("touch" as const), key, at: fc.nat(), other: fc.boolean() }),
      fc.record({ t: fc.constant("count" as const), key, n: fc.nat(9), other: fc.boolean() }),
      fc.record({ t: fc.constant("put" as const), key, id: fc.nat(50), other: fc.boolean() }),
      fc.record({ t: fc.constant("delete" as const), key, other: fc.boolean() }),
      fc.record({ t: fc.constant("rolledBack" as const), key, at: fc.nat() }),
    );
    // Session ids are unique across keys (the column is UNIQUE).
    const idOf = (k: (typeof keys)[number], n: number) => ID(keys.indexOf(k) * 1000 + n);
    // What the row is in the database, read without any cache.
    const truth = (k: string) =>
      gw.db.run("test", (d) =>
        d.prepare("SELECT session_id, updated_at, message_count FROM sessions WHERE key = ?").get(k),
      );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        for (const k of keys) gw.sessions.delete(k);
        for (const o of ops) {
          const by = "other" in o && o.other ? other.sessions : gw.sessions;
          if (o.t === "get") gw.sessions.get(o.key);
          else if (o.t === "create") by.create(entry(o.key, idOf(o.key, o.id)));
          else if (o.t === "touch") by.touch(o.key, o.at);
          else if (o.t === "count") by.setMessageCount(o.key, o.n);
          else if (o.t === "put") by.put(entry(o.key, idOf(o.key, 100 + o.id)));
          else if (o.t === "delete") by.delete(o.key);
          else {
            // A write inside a transaction that is rolled back, with a read of it before the rollback.
            expect(() =>
              gw.db.tx("test", () => {
                gw.sessions.touch(o.key, o.at);
                gw.sessions.get(o.key);
                throw new Error("roll back");
              }),
            ).toThrow();
          }
          for (const k of keys) {
            const row = truth(k) as { session_id: string; updated_at: number; message_count: number } | undefined;
            const got = gw.sessions.get(k);
            expect(got && [got.sessionId, got.updatedAt, got.messageCount]).toEqual(
              row && [row.session_id, row.updated_at, row.message_count],
            );
          }
        }
      }),
      { numRuns: 150 },
    );
    gw.close();
    other.close();
  });

  it("keeps at most its bound of entries and still answers the ones it dropped", async () => {
    const s = await openTempStore(tempStateDir());
    const { SessionIndex } = await import("./index.js");
    const small = new SessionIndex(s.db, 2);
    for (let i = 0; i < 5; i++) s.sessions.create(entry(`agent:main:k${i}`, ID(i)));
    for (let i = 0; i < 5; i++) expect(small.get(`agent:main:k${i}`)?.sessionId).toBe(ID(i));
    expect((small as unknown as { recent: Map<string, unknown> }).recent.size).toBe(2);
    expect(small.get("agent:main:k0")?.sessionId).toBe(ID(0));
    s.close();
  });
});
