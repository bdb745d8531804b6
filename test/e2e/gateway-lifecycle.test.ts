import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/client/index.js";
import { sendAndWait } from "../support/chat.js";
import { makeStateDir, mockModelConfig, spawnGateway } from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

describe("gateway without any model", () => {
  it("starts anyway and every reply says exactly how to configure a model", async () => {
    const stateDir = await makeStateDir({ models: { providers: { ollama: { baseUrl: "http://127.0.0.1:9" } } } });
    const gw = await spawnGateway(stateDir, { env: { HOME: stateDir } });
    try {
      const client = await GatewayClient.connect({ url: gw.url, token: await gw.token() });
      const res = await sendAndWait(client, "main", "hello?");
      expect(res.state).toBe("error");
      expect(res.events.at(-1)?.errorCode).toBe("HF_NO_MODEL");
      for (const hint of [
        "ANTHROPIC_API_KEY",
        "OPENAI_API_KEY",
        "OPENROUTER_API_KEY",
        "http://127.0.0.1:11434",
        path.join(stateDir, "holdfast.json"),
        "agents: { defaults: { model",
        // The example holds no secret: it is shown as written, never masked.
        'apiKey: "${OPENAI_API_KEY}"',
        "run `npx holdfast onboard`",
      ]) {
        expect(res.text).toContain(hint);
      }
      expect(gw.stdout.join("")).toContain("Set one up with: npx holdfast onboard");
      client.close();
    } finally {
      await gw.stop();
    }
  });
});

describe("graceful shutdown", () => {
  let mock: MockModelServer;
  beforeAll(async () => {
    mock = await startMockModelServer({ script: () => ({ text: "a slow but complete answer", chunkDelayMs: 300 }) });
  });
  afterAll(() => mock.close());

  it("aborts a running turn with chat.abort", async () => {
    const stateDir = await makeStateDir(mockModelConfig(mock.url));
    const gw = await spawnGateway(stateDir);
    try {
      const client = await GatewayClient.connect({ url: gw.url, token: await gw.token() });
      const reply = sendAndWait(client, "agent:main:abortme", "long answer please");
      await new Promise((r) => setTimeout(r, 350));
      expect(await client.request("chat.abort", { sessionKey: "agent:main:abortme" })).toEqual({
        ok: true,
        aborted: 1,
      });
      const res = await reply;
      expect(res.state).toBe("error");
      expect(res.events.at(-1)?.errorCode).toBe("HF_RUN_ABORTED");
      client.close();
    } finally {
      await gw.stop();
    }
  });

  it("finishes the running turn, flushes the transcript and exits 0 on SIGTERM, ignoring a second one", async () => {
    const stateDir = await makeStateDir(mockModelConfig(mock.url));
    const gw = await spawnGateway(stateDir);
    const client = await GatewayClient.connect({ url: gw.url, token: await gw.token() });
    const reply = sendAndWait(client, "main", "take your time");
    await new Promise((r) => setTimeout(r, 350));
    const exit = gw.stop("SIGTERM");
    // A second SIGTERM while the turn still runs (the default action would kill the process unflushed).
    await new Promise((r) => setTimeout(r, 300));
    expect(gw.proc.exitCode).toBeNull();
    gw.proc.kill("SIGTERM");
    expect(await reply).toMatchObject({ state: "final", text: "a slow but complete answer" });
    expect(await exit).toBe(0);
    const dir = path.join(stateDir, "agents", "main", "sessions");
    const transcript = (await readdir(dir)).find((f) => f.endsWith(".jsonl")) as string;
    expect((await readFile(path.join(dir, transcript), "utf8")).trim().split("\n")).toHaveLength(3);
    await expect(readFile(path.join(stateDir, "gateway.pid"))).rejects.toThrow();
    const log = await readFile(path.join(stateDir, "logs", "holdfast.log"), "utf8");
    expect(log).toContain("received SIGTERM again; still flushing state");
    expect(log).toContain("gateway stopped");
  });

  it("tells a reconnecting WebChat client about the run a kill -9 cut off, once, and never runs it again", async () => {
    const stateDir = await makeStateDir(mockModelConfig(mock.url));
    let gw = await spawnGateway(stateDir);
    let client = await GatewayClient.connect({ url: gw.url, token: await gw.token() });
    const sessionKey = "agent:main:cutoff";
    const idempotencyKey = randomUUID();
    const firstDelta = new Promise<void>((resolve) =>
      client.on("event", (name: string, p: { state?: string }) => name === "chat" && p.state === "delta" && resolve()),
    );
    const { runId } = (await client.request("chat.send", { sessionKey, message: "cut me off", idempotencyKey })) as {
      runId: string;
    };
    await firstDelta;
    await gw.stop("SIGKILL");
    const modelCalls = mock.requests.length;

    gw = await spawnGateway(stateDir);
    client = await GatewayClient.connect({ url: gw.url, token: await gw.token() });
    const snapshot = (client.hello as { snapshot?: { interruptedRuns?: unknown[] } }).snapshot;
    expect(snapshot?.interruptedRuns).toEqual([
      expect.objectContaining({
        runId,
        sessionKey,
        errorCode: "HF_RUN_INTERRUPTED",
        errorMessage: expect.stringContaining("please send the message again"),
      }),
    ]);
    const h = (await client.request("chat.history", { sessionKey })) as {
      messages: { role: string; runId?: string; stopReason?: string }[];
    };
    expect(h.messages.filter((m) => m.runId === runId).map((m) => [m.role, m.stopReason])).toEqual([
      ["user", undefined],
      ["assistant", "interrupted"],
    ]);
    const retry = await client.request("chat.send", { sessionKey, message: "cut me off", idempotencyKey });
    expect(retry).toMatchObject({ runId, deduped: true, status: "interrupted" });
    expect(mock.requests.length).toBe(modelCalls);
    client.close();
    expect(await gw.stop()).toBe(0);

    // After a clean stop nothing was cut off: the next start reports no interrupted run.
    gw = await spawnGateway(stateDir);
    client = await GatewayClient.connect({ url: gw.url, token: await gw.token() });
    expect((client.hello as { snapshot?: { interruptedRuns?: unknown[] } }).snapshot?.interruptedRuns).toEqual([]);
    client.close();
    expect(await gw.stop()).toBe(0);
  });

  it("exits non-zero before it listens when the PID file cannot be written, and leaves the state dir usable", async () => {
    const stateDir = await makeStateDir(mockModelConfig(mock.url));
    await mkdir(path.join(stateDir, "gateway.pid"), { mode: 0o700 });
    const failed = await spawnGateway(stateDir, { timeoutMs: 10_000 }).then(
      async (gw) => {
        await gw.stop();
        throw new Error("the gateway started without its PID file");
      },
      (err: Error) => err.message,
    );
    expect(failed).toMatch(/exited with [1-9]\d* before ready/);
    expect(failed).not.toContain("listening");
    await rm(path.join(stateDir, "gateway.pid"), { recursive: true });
    // The failed start released the state-dir lock and closed the store: the next start works.
    const again = await spawnGateway(stateDir);
    expect(await readFile(path.join(stateDir, "gateway.pid"), "utf8")).toContain(String(again.proc.pid));
    expect(await again.stop()).toBe(0);
  });

  it("runs one gateway per state dir: a second one stops before touching state; a kill -9 leaves no stale lock", async () => {
    const stateDir = await makeStateDir(mockModelConfig(mock.url));
    const first = await spawnGateway(stateDir);
    const pid = await readFile(path.join(stateDir, "gateway.pid"), "utf8");
    // --port 0 passes the port check, so only the state-dir lock can stop the second one.
    const second = await spawnGateway(stateDir).then(
      async (gw) => {
        await gw.stop();
        throw new Error("a second gateway started on the same state dir");
      },
      (err: Error) => err.message,
    );
    expect(second).toContain("Another holdfast gateway is running on the state dir");
    expect(second).toContain("holdfast gateway stop");
    expect(await readFile(path.join(stateDir, "gateway.pid"), "utf8")).toBe(pid);
    const client = await GatewayClient.connect({ url: first.url, token: await first.token() });
    expect(await sendAndWait(client, "main", "still there?")).toMatchObject({ state: "final" });
    client.close();
    await first.stop("SIGKILL");
    const again = await spawnGateway(stateDir);
    expect(await again.stop()).toBe(0);
  });
});
