import { mkdir, readFile, stat, writeFile, readdir } from "node:fs/promises";
import path from "node:path";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient, GatewayRequestError } from "../../src/client/index.js";
import { sendAndWait } from "../support/chat.js";
import {
  makeStateDir,
  mockModelConfig,
  runCli,
  spawnGateway,
  type GatewayProcess,
} from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

const mode = async (p: string) => (await stat(p)).mode & 0o777;

describe("the main job, end to end: WebSocket client → gateway process → streaming model → tool → reply", () => {
  let mock: MockModelServer;
  let stateDir: string;
  let gw: GatewayProcess;
  let client: GatewayClient;

  beforeAll(async () => {
    mock = await startMockModelServer();
    stateDir = await makeStateDir(mockModelConfig(mock.url));
    await mkdir(path.join(stateDir, "workspace"), { recursive: true });
    await writeFile(path.join(stateDir, "workspace", "notes.txt"), "hello from the workspace");
    gw = await spawnGateway(stateDir);
    client = await GatewayClient.connect({ url: gw.url, token: await gw.token() });
  });

  afterAll(async () => {
    client?.close();
    await gw?.stop();
    await mock?.close();
  });

  it("generates a token on first start, says where it is, and keeps it out of the log", async () => {
    expect(gw.stdout.join("")).toContain(path.join(stateDir, "credentials", "gateway-token"));
    const token = await gw.token();
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(gw.stdout.join("") + gw.stderr.join("")).not.toContain(token);
    const logs = await readdir(path.join(stateDir, "logs"));
    expect(logs.length).toBeGreaterThan(0);
    for (const f of logs) expect(await readFile(path.join(stateDir, "logs", f), "utf8")).not.toContain(token);
    expect(await mode(path.join(stateDir, "credentials", "gateway-token"))).toBe(0o600);
    expect(await mode(stateDir)).toBe(0o700);
  });

  it("completes the protocol v4 handshake", () => {
    expect(client.hello).toMatchObject({ type: "hello-ok", protocol: 4, auth: { method: "token", role: "operator" } });
  });

  it("streams a reply after the model calls the read tool, and stores the transcript with mode 600", async () => {
    const res = await sendAndWait(client, "main", "read notes.txt");
    expect(res.state).toBe("final");
    expect(res.text).toBe("Tool read returned: hello from the workspace");
    const deltas = res.events.filter((e) => e.state === "delta");
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((d) => d.deltaText).join("")).toBe(res.text);
    const offered = mock.requests[0]?.tools ?? [];
    expect(offered).toEqual(expect.arrayContaining(["read", "write", "edit", "exec"]));

    const history = (await client.request("chat.history", { sessionKey: "main", limit: 10 })) as {
      messages: { role: string }[];
    };
    expect(history.messages.map((m) => m.role)).toEqual(["user", "assistant", "toolResult", "assistant"]);

    const sessionsDir = path.join(stateDir, "agents", "main", "sessions");
    expect(await mode(sessionsDir)).toBe(0o700);
    expect(await mode(path.join(stateDir, "state"))).toBe(0o700);
    expect(await mode(path.join(stateDir, "state", "holdfast.sqlite"))).toBe(0o600);
    const transcripts = (await readdir(sessionsDir)).filter((f) => f.endsWith(".jsonl"));
    expect(transcripts).toHaveLength(1);
    expect(await mode(path.join(sessionsDir, transcripts[0] as string))).toBe(0o600);

    const cli = await runCli(stateDir, ["sessions", "list"]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain("agent:main:main");
    // Message counts in the index are gathered for up to 200 ms before they are written.
    await new Promise((r) => setTimeout(r, 400));
    expect((await runCli(stateDir, ["sessions", "list"])).stdout).toContain("4 messages");
  });

  it("runs a chat.send with the same idempotencyKey once", async () => {
    const params = { sessionKey: "agent:main:idem", message: "hello once", idempotencyKey: "same-key-1" };
    const a = (await client.request("chat.send", params)) as { runId: string; status: string };
    const b = (await client.request("chat.send", params)) as { runId: string };
    expect(a.status).toBe("started");
    expect(b.runId).toBe(a.runId);
    await new Promise((r) => setTimeout(r, 300));
    const history = (await client.request("chat.history", { sessionKey: "agent:main:idem" })) as {
      messages: unknown[];
    };
    expect(history.messages).toHaveLength(2);
  });

  it("lists and deletes sessions over the socket", async () => {
    const list = (await client.request("sessions.list")) as { sessions: { key: string }[] };
    expect(list.sessions.map((s) => s.key)).toContain("agent:main:idem");
    expect(await client.request("sessions.delete", { key: "agent:main:idem" })).toEqual({ ok: true, deleted: true });
    const after = (await client.request("sessions.list")) as { sessions: { key: string }[] };
    expect(after.sessions.map((s) => s.key)).not.toContain("agent:main:idem");
  });

  it("answers bad frames with errors and keeps the connection", async () => {
    const errors: unknown[] = [];
    client.on("orphan", (f) => errors.push(f));
    client.sendRaw("{not json");
    client.sendRaw(JSON.stringify({ type: "req", id: "x1" }));
    await expect(client.request("chat.send", { sessionKey: "main" })).rejects.toMatchObject({
      wireCode: "INVALID_REQUEST",
      message: expect.stringContaining("chat.send.message"),
    });
    await expect(client.request("no.such.method")).rejects.toMatchObject({ wireCode: "INVALID_REQUEST" });
    await expect(client.request("chat.history", { sessionKey: "agent:Bad Key!" })).rejects.toBeInstanceOf(
      GatewayRequestError,
    );
    expect(errors).toEqual([
      expect.objectContaining({
        ok: false,
        error: expect.objectContaining({ code: "INVALID_REQUEST", message: "invalid frame: not JSON" }),
      }),
      expect.objectContaining({ id: "x1", ok: false, error: expect.objectContaining({ code: "INVALID_REQUEST" }) }),
    ]);
    expect(await client.request("health")).toMatchObject({ ok: true });
  });

  it("rejects a wrong token with AUTH_TOKEN_MISMATCH and closes 1008", async () => {
    const err = await GatewayClient.connect({ url: gw.url, token: "wrong-token" }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      wireCode: "INVALID_REQUEST",
      wireDetails: expect.objectContaining({ code: "AUTH_TOKEN_MISMATCH" }),
    });
    const close = await rawConnect(gw.url, {
      type: "req",
      id: "1",
      method: "connect",
      params: { minProtocol: 4, maxProtocol: 4, auth: {} },
    });
    expect(close.code).toBe(1008);
    expect(close.frames[1]).toMatchObject({ ok: false, error: { details: { code: "AUTH_TOKEN_MISSING" } } });
  });

  it("closes 1008 when the first frame is not connect, 1002 on protocol mismatch", async () => {
    const notConnect = await rawConnect(gw.url, { type: "req", id: "1", method: "health", params: {} });
    expect(notConnect.code).toBe(1008);
    expect(notConnect.frames[1]).toMatchObject({
      error: { message: "invalid handshake: first request must be connect" },
    });
    const oldProto = await rawConnect(gw.url, {
      type: "req",
      id: "1",
      method: "connect",
      params: { minProtocol: 1, maxProtocol: 2, auth: { token: await gw.token() } },
    });
    expect(oldProto.code).toBe(1002);
    expect(oldProto.frames[1]).toMatchObject({
      error: { message: "protocol mismatch", details: { expectedProtocol: 4 } },
    });
  });

  it("serves /health without auth and nothing else", async () => {
    const base = gw.url.replace("ws", "http");
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    const status = await fetch(`${base}/api/status`);
    expect(status.status).toBe(401);
    expect(await status.json()).toEqual({ error: { message: "Unauthorized", type: "unauthorized" } });
    const authed = await fetch(`${base}/api/status`, { headers: { authorization: `Bearer ${await gw.token()}` } });
    expect(authed.status).toBe(200);
    expect(JSON.stringify(await authed.json())).not.toContain(await gw.token());
  });

  it("shuts down cleanly on SIGTERM with exit code 0", async () => {
    client.close();
    expect(await gw.stop("SIGTERM")).toBe(0);
  });
});

describe("config errors at start", () => {
  it("refuses an unknown key, naming its path, with exit code 78", async () => {
    const stateDir = await makeStateDir({ gateway: { auht: { token: "x" } } });
    const res = await runCli(stateDir, ["gateway", "--port", "0"]);
    expect(res.code).toBe(78);
    expect(res.stderr).toContain("gateway.auht: unrecognized key");
  });
});

/** Opens a raw socket, sends one frame after the challenge, and collects frames until close. */
function rawConnect(url: string, frame: unknown): Promise<{ code: number; frames: Record<string, unknown>[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const frames: Record<string, unknown>[] = [];
    ws.on("message", (d) => {
      frames.push(JSON.parse(d.toString()) as Record<string, unknown>);
      if (frames.length === 1) ws.send(JSON.stringify(frame));
    });
    ws.on("close", (code) => resolve({ code, frames }));
    ws.on("error", reject);
  });
}
