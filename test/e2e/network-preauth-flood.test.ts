import { readFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/client/index.js";
import { sendAndWait } from "../support/chat.js";
import { makeStateDir, mockModelConfig, spawnGateway, type GatewayProcess } from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

/** Opens `n` TCP connections from `localAddress` that never send a byte; `closed` counts the ones the server closed. */
function idleSockets(n: number, port: number, localAddress: string) {
  const sockets: net.Socket[] = [];
  let closed = 0;
  for (let i = 0; i < n; i++) {
    const s = net.connect({ host: "127.0.0.1", port, localAddress });
    s.on("error", () => undefined);
    s.on("close", () => closed++);
    sockets.push(s);
  }
  return { closed: () => closed, destroy: () => sockets.forEach((s) => s.destroy()) };
}

/**
 * An unauthenticated peer holding 1,000 idle sockets against a real gateway whose open-file limit is
 * lowered to 192 (`prlimit`), far below what 1,000 sockets need: the excess is closed at once and
 * logged once, and an operator from another address still connects and gets an answer (which also
 * writes the transcript: the gateway has descriptors left).
 */
describe("pre-handshake connection caps against 1,000 idle sockets", () => {
  let mock: MockModelServer;
  let gw: GatewayProcess;
  let stateDir: string;

  beforeAll(async () => {
    mock = await startMockModelServer();
    stateDir = await makeStateDir(mockModelConfig(mock.url));
    gw = await spawnGateway(stateDir, { wrap: ["prlimit", "--nofile=192:192"] });
  });
  afterAll(async () => {
    await gw?.stop();
    await mock?.close();
  });

  it("closes all but maxPendingPerIp of them at once; an authenticated client still connects and chats", async () => {
    const flood = idleSockets(1_000, gw.port, "127.0.0.2");
    try {
      await expect.poll(() => flood.closed(), { timeout: 15_000, interval: 100 }).toBe(1_000 - 32);
      const client = await GatewayClient.connect({ url: gw.url, token: await gw.token() });
      try {
        const res = await sendAndWait(client, "main", "still answering?");
        expect(res).toMatchObject({ state: "final", text: "echo: still answering?" });
        const status = (await client.request("status")) as { handshakes: Record<string, number> };
        expect(status.handshakes).toEqual({ pending: 32, refused: 968, maxPendingPerIp: 32, maxPending: 48 });
      } finally {
        client.close();
      }
      const log = path.join(stateDir, "logs", "holdfast.log");
      await expect
        .poll(
          async () => (await readFile(log, "utf8")).match(/too many connections waiting for the handshake/g)?.length,
        )
        .toBe(1);
      expect(flood.closed()).toBe(968);
      expect(gw.proc.exitCode).toBeNull();
    } finally {
      flood.destroy();
    }
  });
});
