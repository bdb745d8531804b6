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
});
