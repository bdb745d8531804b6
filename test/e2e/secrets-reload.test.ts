import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/client/index.js";
import { sendAndWait } from "../support/chat.js";
import { makeStateDir, runCli, spawnGateway, type GatewayProcess } from "../support/gateway-process.js";
import { defaultScript, startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

const KEY_1 = "reload-key-one-0123456789abcdef";
const KEY_2 = "reload-key-two-fedcba9876543210";

describe("secrets reload: the running gateway swaps its secrets atomically, and keeps them on failure", () => {
  let mock: MockModelServer;
  let stateDir: string;
  let secretFile: string;
  let gw: GatewayProcess;
  let client: GatewayClient;
  let accepted = KEY_1;

  const writeSecret = async (value: string, mode = 0o600) => {
    const tmp = `${secretFile}.tmp`;
    await writeFile(tmp, JSON.stringify({ mock: value }));
    await chmod(tmp, mode);
    await rename(tmp, secretFile);
  };

  beforeAll(async () => {
    mock = await startMockModelServer({
      script: (req) => (req.headers.authorization === `Bearer ${accepted}` ? defaultScript(req) : { status: 401 }),
    });
    stateDir = await makeStateDir();
    secretFile = path.join(stateDir, "secrets", "keys.json");
    await mkdir(path.dirname(secretFile), { recursive: true, mode: 0o700 });
    await writeSecret(KEY_1);
    const config = JSON.parse(await readFile(path.join(stateDir, "holdfast.json"), "utf8")) as Record<string, unknown>;
    Object.assign(config, {
      models: {
        providers: {
          mock: {
            baseUrl: `${mock.url}/v1`,
            api: "openai-completions",
            apiKey: { source: "file", provider: "keys", id: "/mock" },
            models: ["mock-model"],
          },
        },
      },
      agents: { defaults: { model: { primary: "mock/mock-model" } } },
      secrets: { providers: { keys: { source: "file", path: secretFile } } },
    });
    await writeFile(path.join(stateDir, "holdfast.json"), JSON.stringify(config), { mode: 0o600 });
    gw = await spawnGateway(stateDir);
    client = await GatewayClient.connect({
      url: gw.url,
      token: await gw.token(),
      scopes: ["operator.read", "operator.write"],
    });
  });

  afterAll(async () => {
    client?.close();
    await gw?.stop();
    await mock?.close();
  });

  it("uses the key resolved at start-up", async () => {
    expect((await sendAndWait(client, "main", "hello")).text).toBe("echo: hello");
  });

  it("picks up a rotated key only after holdfast secrets reload", async () => {
    await writeSecret(KEY_2);
    accepted = KEY_2;
    const before = await sendAndWait(client, "main", "hello again");
    expect(before.state).toBe("error");
    expect(before.text).toContain("401");
    const res = await runCli(stateDir, ["secrets", "reload"]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(
      /secrets reloaded \(snapshot \d+\): \d+ secret\(s\); changed: models\.providers\.mock\.apiKey/,
    );
    expect((await sendAndWait(client, "main", "after reload")).text).toBe("echo: after reload");
  });

  it("keeps the previous snapshot when a ref no longer resolves", async () => {
    await writeSecret("reload-key-three-never-used-000", 0o644);
    const res = await runCli(stateDir, ["secrets", "reload"]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("secrets reload failed; the previous secrets stay in force");
    expect(res.stderr).toContain("mode 644");
    expect((await sendAndWait(client, "main", "still working")).text).toBe("echo: still working");
  });

  it("requires operator.admin", async () => {
    await expect(client.request("secrets.reload")).rejects.toMatchObject({
      wireCode: "FORBIDDEN",
      wireDetails: expect.objectContaining({ missingScope: "operator.admin" }),
    });
  });

  it("never logs the keys", async () => {
    await gw.stop();
    const log = await readFile(path.join(stateDir, "logs", "holdfast.log"), "utf8");
    expect(log).toContain("secrets reloaded");
    expect(log).toContain("secrets reload failed");
    for (const k of [KEY_1, KEY_2]) expect(log).not.toContain(k);
  });
});
