import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/client/index.js";
import { openSessionCgroups } from "../../src/sandbox/index.js";
import { sendAndWait } from "../support/chat.js";
import { FakeTelegram } from "../support/fake-telegram.js";
import {
  makeStateDir,
  mockModelConfig,
  runCli,
  spawnGateway,
  type GatewayProcess,
} from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

/**
 * The containment escape table: each row is a way out of the jail that a manipulated model tried,
 * driven end to end through a real gateway process, a channel (WebChat or the fake Telegram) and the
 * mock model issuing the tool calls. Every row must stay closed.
 */

const withModel = (mockUrl: string, extra: Record<string, unknown>) => {
  const base = mockModelConfig(mockUrl) as { agents: { defaults: Record<string, unknown> } };
  const agents = (extra.agents as { defaults?: Record<string, unknown> } | undefined)?.defaults ?? {};
  return { ...base, ...extra, agents: { defaults: { ...base.agents.defaults, ...agents } } };
};

/** Every text a tool result sent to the model contained. */
const toolResults = (mock: MockModelServer) =>
  mock.requests.flatMap((r) => r.messages.filter((m) => m.role === "tool").map((m) => m.content)).join("\n");

describe("escape table: the main session over WebChat (host jail)", () => {
  let mock: MockModelServer;
  let stateDir: string;
  let gw: GatewayProcess;
  let client: GatewayClient;
  let outside: string;
  let workspace: string;
  const canary = `canary-${randomBytes(8).toString("hex")}`;

  beforeAll(async () => {
    mock = await startMockModelServer();
    outside = await mkdtemp(path.join(os.tmpdir(), "holdfast-escape-outside-"));
    stateDir = await makeStateDir(
      withModel(mock.url, {
        tools: {
          deny: ["web_fetch"],
          exec: {
            approvalTimeoutMs: 1000,
            allowlist: [
              { pattern: "/usr/bin/git", args: ["init", "-q"] },
              { pattern: "/usr/bin/git", args: ["status"] },
              "cat",
              "mkfifo",
              "python3",
            ],
          },
        },
      }),
    );
    workspace = path.join(stateDir, "workspace");
    gw = await spawnGateway(stateDir, { env: { HOLDFAST_E2E_CANARY: canary } });
    client = await GatewayClient.connect({ url: gw.url, token: await gw.token() });
  });

  afterAll(async () => {
    client?.close();
    await gw?.stop();
    await mock?.close();
  });

  it("an allowlisted `git status` does not run a core.fsmonitor the model wrote into .git/config", async () => {
    expect((await sendAndWait(client, "main", "exec git init -q")).text).toContain("exit code 0");
    const inside = path.join(workspace, "fsmonitor-ran");
    const host = path.join(outside, "fsmonitor-on-host");
    const config = `[core]\n\trepositoryformatversion = 0\n\tfsmonitor = touch ${inside}; touch ${host}\n`;
    expect((await sendAndWait(client, "main", `write .git/config ${config}`)).text).toContain("Wrote");
    const res = await sendAndWait(client, "main", "exec git status");
    expect(res.text).not.toContain("approval");
    expect(existsSync(inside)).toBe(false);
    expect(existsSync(host)).toBe(false);
  });

  it("host exec cannot read the gateway's /proc/<pid>/environ or /proc/<pid>/root/<stateDir>", async () => {
    const pid = gw.proc.pid as number;
    const token = await gw.token();
    await sendAndWait(client, "main", `exec cat /proc/${pid}/environ`);
    await sendAndWait(client, "main", `exec cat /proc/${pid}/root${stateDir}/credentials/gateway-token`);
    await sendAndWait(client, "main", `exec cat /proc/${pid}/root${stateDir}/holdfast.json`);
    const seen = toolResults(mock);
    expect(seen).not.toContain(canary);
    expect(seen).not.toContain(token);
    expect(seen).not.toContain("mock-key-not-secret");
  });

  it("a FIFO in the workspace does not stall `read`, and the gateway keeps answering", async () => {
    expect((await sendAndWait(client, "main", "exec mkfifo stall-pipe")).text).toContain("exit code 0");
    const res = await sendAndWait(client, "main", "read stall-pipe", 15_000);
    expect(res.text).toContain("not a regular file");
    const reads = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => sendAndWait(client, `agent:main:fifo-${i}`, "read /nonexistent", 15_000)),
    );
    expect(reads).toHaveLength(5);
    expect((await sendAndWait(client, "main", "still there?")).text).toBe("echo: still there?");
  });

  it("`python3 -Ic` with python3 allowlisted is inline code: it needs an approval and does not run", async () => {
    const marker = path.join(workspace, "python-ran");
    const res = await sendAndWait(client, "main", `exec python3 -Ic "open('${marker}','w')"`, 15_000);
    expect(res.text).toContain("exec was not approved");
    expect(existsSync(marker)).toBe(false);
    for (const flags of ["-uc", "-Sc", "-Ec"]) {
      const r = await sendAndWait(client, "main", `exec python3 ${flags} "open('${marker}','w')"`, 15_000);
      expect(r.text).toContain("exec was not approved");
    }
    expect(existsSync(marker)).toBe(false);
  });

  it("stops on SIGTERM after all of it", async () => {
    expect(await gw.stop()).toBe(0);
  });
});

const BOT = { token: "700410:JailTokenJailTokenJailTokenJailTok", id: 700410, username: "holdfast_jail_bot" };

describe("escape table: a sandboxed Telegram DM session", () => {
  let mock: MockModelServer;
  let fake: FakeTelegram;
  let gw: GatewayProcess;
  const channel = (fakeUrl: string) => ({
    telegram: { apiRoot: fakeUrl, pollingTimeoutSec: 1, dmPolicy: "allowlist", allowFrom: ["3001"] },
  });
  const reply = (prefix: string) =>
    fake
      .waitForSent((s) => s.chatId === "3001" && s.text.startsWith(prefix) && !seen.has(s), 20_000)
      .then((s) => {
        seen.add(s);
        return s;
      });
  const seen = new Set<unknown>();

  beforeAll(async () => {
    mock = await startMockModelServer();
    fake = await FakeTelegram.start([BOT]);
    const stateDir = await makeStateDir(
      withModel(mock.url, {
        agents: { defaults: { sandbox: { backend: "bubblewrap" } } },
        tools: { exec: { allowlist: ["ln"] } },
        // Ada is the owner: her own turns are trusted, so an allowlisted exec runs unasked.
        commands: { ownerAllowFrom: ["telegram:3001"] },
        channels: channel(fake.url),
      }),
    );
    gw = await spawnGateway(stateDir, { env: { TELEGRAM_BOT_TOKEN: BOT.token } });
    await fake.waitForPoll(BOT.token);
  });

  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await mock?.close();
  });

  it("a symlink planted at /workspace/inbox does not redirect the next attachment onto the host", async () => {
    const hostDir = await mkdtemp(path.join(os.tmpdir(), "holdfast-planted-"));
    const modeBefore = (await stat(hostDir)).mode & 0o777;
    await fake.userSends(BOT.token, { from: { id: 3001, first_name: "Ada" }, text: `exec ln -s ${hostDir} inbox` });
    expect((await reply("Tool exec returned:")).text).toContain("exit code 0");
    fake.addFile("photo-1", Buffer.from("\xff\xd8\xff fake jpeg bytes", "latin1"), "photos/p1.jpg");
    await fake.userSends(BOT.token, {
      from: { id: 3001, first_name: "Ada" },
      photo: [{ file_id: "photo-1", file_size: 19, width: 10, height: 10 }],
    });
    const echoed = await reply("echo:");
    expect(await readdir(hostDir)).toEqual([]);
    expect((await stat(hostDir)).mode & 0o777).toBe(modeBefore);
    const saved = /saved as (\S+)\]/.exec(echoed.text)?.[1] ?? "";
    expect(saved).toMatch(/^\/inbox\//);
    await fake.userSends(BOT.token, { from: { id: 3001, first_name: "Ada" }, text: `read ${saved}` });
    expect((await reply("Tool read returned:")).text).toContain("fake jpeg bytes");
  });
});

describe("escape table: the sandbox memory limit holds for the whole session", () => {
  it("five 80 MB processes of one Telegram session under a 200 MB session limit do not all live", async () => {
    const probe = await openSessionCgroups({ name: `holdfast-e2e-probe-${process.pid}` });
    if (probe.ok) await probe.cgroups.close();
    const mock = await startMockModelServer();
    const fake = await FakeTelegram.start([BOT]);
    const stateDir = await makeStateDir(
      withModel(mock.url, {
        agents: { defaults: { sandbox: { backend: "bubblewrap", limits: { memoryMb: 200 } } } },
        tools: { exec: { security: "full", ask: "off" } },
        commands: { ownerAllowFrom: ["telegram:3001"] },
        channels: {
          telegram: { apiRoot: fake.url, pollingTimeoutSec: 1, dmPolicy: "allowlist", allowFrom: ["3001"] },
        },
      }),
    );
    try {
      if (!probe.ok || !probe.cgroups.controllers.has("memory")) {
        const res = await runCli(stateDir, ["gateway", "--port", "0"], { env: { TELEGRAM_BOT_TOKEN: BOT.token } });
        expect(res.code).toBe(78);
        expect(res.stderr).toContain("agents.defaults.sandbox.limits.memoryMb");
        return;
      }
      const gw = await spawnGateway(stateDir, { env: { TELEGRAM_BOT_TOKEN: BOT.token } });
      try {
        await fake.waitForPoll(BOT.token);
        const alloc = `python3 -c 'import time; b = bytearray(80 << 20); time.sleep(2); print("alive")'`;
        await fake.userSends(BOT.token, {
          from: { id: 3001, first_name: "Ada" },
          text: `exec for i in 1 2 3 4 5; do ${alloc} & done; wait`,
        });
        const out = await fake.waitForSent(
          (s) => s.chatId === "3001" && s.text.startsWith("Tool exec returned:"),
          30_000,
        );
        const alive = out.text.split("\n").filter((l) => l.trim() === "alive").length;
        expect(alive).toBeLessThan(5);
      } finally {
        await gw.stop();
      }
    } finally {
      await fake.close();
      await mock.close();
    }
  }, 60_000);
});
