import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openTempStore, tempStateDir } from "../../test/support/temp-state.js";

const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

function legacy(dirs: { stateDir: string; agentsDir: string }) {
  const sessions = path.join(dirs.agentsDir, "main", "sessions");
  mkdirSync(path.join(sessions, "sessions.json.lock"), { recursive: true });
  writeFileSync(
    path.join(sessions, "sessions.json"),
    JSON.stringify({
      "agent:main:main": {
        key: "agent:main:main",
        sessionId: ID(1),
        agentId: "main",
        createdAt: 1,
        updatedAt: 5,
        messageCount: 4,
        channel: "webchat",
        chatType: "direct",
      },
      "agent:main:bad": { sessionId: "../../etc" },
    }),
  );
  const tg = path.join(dirs.stateDir, "telegram");
  mkdirSync(tg, { recursive: true });
  writeFileSync(
    path.join(tg, "update-offset-default.json"),
    JSON.stringify({ version: 1, lastUpdateId: 41, recent: [39, 40, 41] }),
  );
  return { sessions, tg };
}

describe("legacy state migration", () => {
  it("imports sessions.json and the Telegram offsets once, keeping the files as .migrated", async () => {
    const dirs = tempStateDir();
    const { sessions, tg } = legacy(dirs);
    const s = await openTempStore(dirs);
    expect(s.recovery.migrated).toEqual({ sessions: 1, telegramAccounts: 1, corrupt: 0 });
    expect(s.sessions.get("agent:main:main")).toMatchObject({ sessionId: ID(1), messageCount: 4, channel: "webchat" });
    expect(s.sessions.get("agent:main:bad")).toBeUndefined();
    const q = s.channel("telegram", "default").inbound;
    expect([q.cursor(), q.seen("40"), q.seen("42")]).toEqual(["42", true, false]);
    expect(readdirSync(sessions).sort()).toEqual(["sessions.json.migrated"]);
    expect(existsSync(path.join(tg, "update-offset-default.json.migrated"))).toBe(true);
    s.close();
    const again = await openTempStore(dirs);
    expect(again.recovery.migrated).toEqual({ sessions: 0, telegramAccounts: 0, corrupt: 0 });
    again.close();
  });

  it("finishes a migration that crashed after its commit without importing twice", async () => {
    const dirs = tempStateDir();
    const { sessions } = legacy(dirs);
    const s = await openTempStore(dirs);
    s.sessions.delete("agent:main:main");
    s.close();
    writeFileSync(path.join(sessions, "sessions.json"), JSON.stringify({ "agent:main:main": { sessionId: ID(1) } }));
    const t = await openTempStore(dirs);
    expect(t.sessions.get("agent:main:main")).toBeUndefined();
    expect(readdirSync(sessions)).not.toContain("sessions.json");
    t.close();
  });

  it("moves a garbled legacy file aside and reports it instead of dropping it silently", async () => {
    const dirs = tempStateDir();
    const { sessions, tg } = legacy(dirs);
    writeFileSync(path.join(sessions, "sessions.json"), '{"agent:main:main": {"sessionId": "');
    writeFileSync(path.join(tg, "update-offset-default.json"), "garbage");
    const s = await openTempStore(dirs, { now: () => 1_900_000_000_000 });
    expect(s.recovery.migrated.corrupt).toBe(2);
    expect(readdirSync(sessions)).toContain("sessions.json.corrupt.1900000000000");
    expect(readdirSync(tg)).toContain("update-offset-default.json.corrupt.1900000000000");
    expect(
      s.db
        .issues()
        .map((i) => path.basename(i.file))
        .sort(),
    ).toEqual(["sessions.json", "update-offset-default.json"]);
    expect(s.health.snapshot().corrupt).toHaveLength(2);
    s.close();
  });
});
