import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewayClient } from "../../src/client/index.js";
import type { CleanupReport } from "../../src/lifecycle/index.js";
import { sendAndWait } from "../support/chat.js";
import {
  makeStateDir,
  mockModelConfig,
  runCli,
  spawnConnectedGateway,
  type ConnectedGateway,
} from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

const cleanup = async (stateDir: string, ...args: string[]) => {
  const r = await runCli(stateDir, ["sessions", "cleanup", "--json", ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as CleanupReport;
};
const listKeys = async (stateDir: string) => {
  const r = await runCli(stateDir, ["sessions", "list", "--json"]);
  return (JSON.parse(r.stdout) as { sessions: { key: string; messageCount: number }[] }).sessions;
};

describe("retention end to end (CLI + gateway + mock model)", () => {
  let mock: MockModelServer;
  let stateDir: string;
  let running: ConnectedGateway;
  let client: GatewayClient;

  beforeAll(async () => {
    mock = await startMockModelServer();
    const model = mockModelConfig(mock.url);
    stateDir = await makeStateDir({
      ...model,
      agents: {
        defaults: { ...(model.agents as { defaults: object }).defaults, sessionPruning: { maxMessages: 4 } },
        list: [{ id: "main" }, { id: "aged", sessionPruning: { maxAge: "3s" } }],
      },
      session: { maintenance: { maxEntries: 3 } },
    });
    running = await spawnConnectedGateway(stateDir);
    client = running.client;
  });

  afterAll(() => running?.close(mock));

  it("prunes a transcript by count: dry run lists it and changes nothing, the real run trims it", async () => {
    for (const n of [1, 2, 3, 4])
      expect((await sendAndWait(client, "agent:main:count", `turn ${n}`)).state).toBe("final");
    const dry = await cleanup(stateDir, "--dry-run");
    expect(dry.dryRun).toBe(true);
    expect(dry.rows).toBeUndefined();
    expect(dry.transcripts).toEqual([{ key: "agent:main:count", removedMessages: 4, keptMessages: 4 }]);
    expect((await listKeys(stateDir)).find((s) => s.key === "agent:main:count")?.messageCount).toBe(8);
    const human = await runCli(stateDir, ["sessions", "cleanup"]);
    expect(human.stdout).toContain("trimmed agent:main:count: 4 oldest messages (4 kept)");
    const shown = await runCli(stateDir, ["sessions", "show", "agent:main:count", "--json"]);
    const { messages } = JSON.parse(shown.stdout) as { messages: { content: string }[] };
    expect(messages.map((m) => m.content)).toEqual(["turn 3", "echo: turn 3", "turn 4", "echo: turn 4"]);
    // The gateway keeps appending to the trimmed transcript, and the model sees only what is left.
    await sendAndWait(client, "agent:main:count", "turn 5");
    const seen = mock.requests.at(-1)?.messages.map((m) => m.content) ?? [];
    expect(seen).not.toContain("turn 1");
    expect(seen).toContain("turn 5");
    const again = await cleanup(stateDir);
    expect(again.transcripts).toEqual([{ key: "agent:main:count", removedMessages: 2, keptMessages: 4 }]);
    // The gateway's sweep also expires state rows; the finished runs of these turns are kept 7 days.
    expect(again.rows).toEqual({ runs: 0, outboxChunks: 0, inboundUpdates: 0 });
  });

  it("prunes messages older than maxAge and keeps the session", async () => {
    await sendAndWait(client, "agent:aged:chat", "an old question");
    await new Promise((r) => setTimeout(r, 3_500));
    await sendAndWait(client, "agent:aged:chat", "a new question");
    const r = await cleanup(stateDir);
    expect(r.transcripts).toEqual([{ key: "agent:aged:chat", removedMessages: 2, keptMessages: 2 }]);
    const shown = await runCli(stateDir, ["sessions", "show", "agent:aged:chat", "--json"]);
    expect(shown.stdout).not.toContain("an old question");
    expect(shown.stdout).toContain("a new question");
  });

  it("archives the least recently used sessions beyond session.maintenance.maxEntries", async () => {
    await sendAndWait(client, "agent:main:third", "hi");
    await sendAndWait(client, "agent:main:fourth", "hi");
    const dry = await cleanup(stateDir, "--dry-run");
    expect(dry.sessions).toEqual([{ key: "agent:main:count", reason: "maxEntries", archived: true, applied: false }]);
    const r = await cleanup(stateDir);
    expect(r.sessions).toEqual([{ key: "agent:main:count", reason: "maxEntries", archived: true, applied: true }]);
    expect((await listKeys(stateDir)).map((s) => s.key).sort()).toEqual([
      "agent:aged:chat",
      "agent:main:fourth",
      "agent:main:third",
    ]);
  });

  it("runs on the files when the gateway is stopped", async () => {
    await running.gw.stop();
    const r = await cleanup(stateDir, "--dry-run");
    expect(r).toMatchObject({ dryRun: true, sessions: [] });
    // Only the maxAge session can have more to prune: its newest messages age out while the tests run.
    for (const t of r.transcripts) expect(t).toEqual({ key: "agent:aged:chat", removedMessages: 2, keptMessages: 0 });
    const log = await readFile(path.join(stateDir, "logs", "holdfast.log"), "utf8");
    expect(log).not.toContain("retention sweep failed");
  });
});
