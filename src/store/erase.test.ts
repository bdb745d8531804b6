import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { openTempStore, tempStateDir } from "../../test/support/temp-state.js";
import { eraseRows } from "./erase.js";
import { stateDbPath } from "./state-store.js";

const closers: (() => void)[] = [];
afterAll(() => closers.forEach((c) => c()));

describe("eraseRows", () => {
  it("removes a person's runs, replies, outbox chunks and inbound updates, and compacts the file", async () => {
    const dirs = tempStateDir();
    const state = await openTempStore(dirs);
    closers.push(() => state.close());
    const admit = (runId: string, key: string, id: string, text: string) =>
      state.runs.admit({
        runId,
        sessionKey: key,
        idempotencyKey: runId,
        message: { role: "user", content: text, timestamp: 1, sender: { channel: "telegram", id } },
      });
    admit("r1", "agent:main:telegram:group:-5", "42", "erasable-canary");
    admit("r2", "agent:main:telegram:group:-5", "7", "keep-me");
    const q = state.channel("telegram", "default");
    q.inbound.enqueue([
      { updateId: "u1", payload: { message: { from: { id: 42 }, text: "erasable-canary" } } },
      { updateId: "u2", payload: { message: { from: { id: 7 }, text: "keep-me" } } },
    ]);
    q.outbox.reserve("42:1", { chatId: "42" }, "r1");
    const dry = eraseRows(
      state.db,
      { sessionKeys: [], senders: [{ channel: "telegram", id: "42" }] },
      { dryRun: true },
    );
    expect(dry).toEqual({ runs: 1, inbound: 1, replies: 1, outbox: 0 });
    expect(state.runs.get("r1")).toBeDefined();
    eraseRows(state.db, { sessionKeys: [], senders: [{ channel: "telegram", id: "42" }] });
    expect(state.runs.get("r1")).toBeUndefined();
    expect(state.runs.get("r2")).toBeDefined();
    const bytes = readFileSync(stateDbPath(dirs.stateDir)).toString("latin1");
    expect(bytes).not.toContain("erasable-canary");
    expect(bytes).toContain("keep-me");
  });
});
