import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openTempStore, tempStateDir } from "../../test/support/temp-state.js";
import { installStateCipher, keyId } from "../infra/index.js";
import { recodeSealedColumns } from "./sealed-columns.js";

const CANARY = "wombatcanary";
const kek = () => {
  const key = randomBytes(32);
  return { id: keyId(key, "t"), key };
};
const cipher = (seal: boolean, ...keys: { id: string; key: Buffer }[]) =>
  installStateCipher({
    ring: { current: keys[0] as { id: string; key: Buffer }, byId: new Map(keys.map((k) => [k.id, k.key])) },
    seal,
    inScope: () => true,
  });

/** Files of the state db (main, -wal, -shm) that contain `needle`. */
function holding(stateDir: string, needle: string): string[] {
  const dir = path.join(stateDir, "state");
  return readdirSync(dir).filter((f) => readFileSync(path.join(dir, f)).includes(needle));
}

describe("sealed text columns", () => {
  afterEach(() => installStateCipher(undefined));

  it("enable rewrites plaintext rows and compacts, so no file of the db holds the text; rotate and disable recode", async () => {
    const dirs = tempStateDir();
    const s = await openTempStore(dirs);
    s.runs.admit({ runId: "r1", sessionKey: "agent:main:main", message: { content: `hi ${CANARY}` } });
    s.runs.finish("r1", "ok", { text: `reply ${CANARY}` });
    const ch = s.channel("telegram", "default");
    ch.inbound.enqueue([{ updateId: "1", payload: { message: { text: CANARY } } }]);
    ch.outbox.plan("u1", { chatId: "1" }, [`chunk ${CANARY}`]);
    const entry = { key: "agent:main:telegram:dm:1", sessionId: "0b2c1f3e-8d4a-4c55-9e61-2f7a9c0d1b2e" };
    s.sessions.put({ ...entry, agentId: "main", createdAt: 1, updatedAt: 1, messageCount: 0, displayName: CANARY });
    expect(holding(dirs.stateDir, CANARY).length).toBeGreaterThan(0);

    const a = kek();
    cipher(true, a);
    expect(recodeSealedColumns(s.db)).toBe(4);
    expect(holding(dirs.stateDir, CANARY)).toEqual([]);
    // New rows are sealed as they are written; everything reads back.
    s.runs.admit({ runId: "r2", sessionKey: "agent:main:main", message: { content: `again ${CANARY}` } });
    s.db.run("t", (d) => d.pragma("wal_checkpoint(TRUNCATE)"));
    expect(holding(dirs.stateDir, CANARY)).toEqual([]);
    expect(s.runs.get("r1")).toMatchObject({
      message: { content: `hi ${CANARY}` },
      outcome: { text: `reply ${CANARY}` },
    });
    expect(ch.inbound.pending()[0]?.payload).toEqual({ message: { text: CANARY } });
    expect(ch.outbox.due()[0]?.text).toBe(`chunk ${CANARY}`);
    expect(s.sessions.get(entry.key)?.displayName).toBe(CANARY);

    const b = kek();
    cipher(true, b, a);
    expect(recodeSealedColumns(s.db)).toBe(5);
    cipher(true, b);
    expect(s.runs.get("r2")?.message).toEqual({ content: `again ${CANARY}` });
    cipher(true, a);
    expect(() => s.runs.get("r2")).toThrow(expect.objectContaining({ code: "HF_ENCRYPTION_KEY_WRONG" }));

    cipher(false, b);
    expect(recodeSealedColumns(s.db)).toBe(5);
    installStateCipher(undefined);
    expect(s.runs.get("r2")?.message).toEqual({ content: `again ${CANARY}` });
    s.close();
    expect(holding(dirs.stateDir, CANARY)).toEqual(["holdfast.sqlite"]);
  });
});
