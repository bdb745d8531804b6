import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../logging/index.js";
import { openTempStore, tempStateDir } from "../../test/support/temp-state.js";
import { reconcileIndex } from "./index.js";

const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

function transcript(
  at: { agentsDir: string; agent: string; id: string },
  header: Record<string, unknown>,
  messages: number,
) {
  const { agentsDir, agent, id } = at;
  const dir = path.join(agentsDir, agent, "sessions");
  mkdirSync(dir, { recursive: true });
  const lines = [JSON.stringify({ type: "session", version: 3, id, timestamp: "2027-01-01T00:00:00.000Z", ...header })];
  for (let i = 0; i < messages; i++)
    lines.push(
      JSON.stringify({
        type: "message",
        message: { role: "user", content: `m${i}`, timestamp: 1_800_000_000_000 + i },
      }),
    );
  writeFileSync(path.join(dir, `${id}.jsonl`), `${lines.join("\n")}\n`);
}

describe("session index rebuild", () => {
  it("re-indexes orphaned transcripts under their recorded key, or a recovered key", async () => {
    const dirs = tempStateDir();
    transcript(
      { agentsDir: dirs.agentsDir, agent: "main", id: ID(1) },
      { key: "agent:main:demo", channel: "webchat", chatType: "direct" },
      3,
    );
    transcript({ agentsDir: dirs.agentsDir, agent: "main", id: ID(2) }, {}, 1);
    transcript({ agentsDir: dirs.agentsDir, agent: "main", id: ID(3) }, { key: "agent:main:demo" }, 2);
    writeFileSync(path.join(dirs.agentsDir, "main", "sessions", `${ID(4)}.jsonl.deleted.5`), "{}\n");
    const s = await openTempStore(dirs);
    const byId = new Map(s.sessions.list().map((e) => [e.sessionId, e]));
    expect(byId.size).toBe(3);
    expect(s.sessions.get("agent:main:demo")).toMatchObject({
      sessionId: ID(1),
      messageCount: 3,
      channel: "webchat",
      chatType: "direct",
      createdAt: Date.parse("2027-01-01T00:00:00.000Z"),
    });
    expect(byId.get(ID(3))?.key).toBe(`agent:main:recovered:${ID(3)}`);
    expect(byId.get(ID(2))).toMatchObject({
      key: `agent:main:recovered:${ID(2)}`,
      messageCount: 1,
      updatedAt: 1_800_000_000_000,
    });
    expect(s.recovery.reindexed).toHaveLength(3);
    s.close();
  });

  it("re-derives counts in a full rebuild", async () => {
    const dirs = tempStateDir();
    transcript({ agentsDir: dirs.agentsDir, agent: "main", id: ID(1) }, { key: "agent:main:a" }, 5);
    const s = await openTempStore(dirs);
    s.sessions.put({
      ...(s.sessions.get("agent:main:a") as NonNullable<ReturnType<typeof s.sessions.get>>),
      messageCount: 1,
    });
    const fixed = await reconcileIndex({
      index: s.sessions,
      agentsDir: dirs.agentsDir,
      log: silentLogger(),
      full: true,
    });
    expect(fixed.map((e) => e.messageCount)).toEqual([5]);
    s.close();
  });
});
