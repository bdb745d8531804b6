import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/client/index.js";
import { sendAndWait } from "../support/chat.js";
import {
  makeStateDir,
  mockModelConfig,
  runCli,
  spawnGateway,
  type GatewayProcess,
} from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

/**
 * A machine without a jail runtime: the gateway runs in a private mount namespace where bubblewrap
 * is hidden (`/dev/null` over `/usr/bin/bwrap`, as on a fresh machine without the package).
 */
const HIDE_BWRAP = [
  "unshare",
  "--mount",
  "--propagation",
  "private",
  "/bin/sh",
  "-c",
  'mount --bind /dev/null /usr/bin/bwrap && exec "$@"',
  "hide-bwrap",
];
const canHide = process.getuid?.() === 0 && existsSync("/usr/bin/unshare") && existsSync("/usr/bin/bwrap");

describe.runIf(canHide)("a gateway without a jail runtime", () => {
  let mock: MockModelServer;
  let stateDir: string;
  let gw: GatewayProcess;
  let client: GatewayClient;

  beforeAll(async () => {
    mock = await startMockModelServer();
    stateDir = await makeStateDir({ ...mockModelConfig(mock.url), tools: { exec: { allowlist: ["ls"] } } });
    gw = await spawnGateway(stateDir, { wrap: HIDE_BWRAP });
    client = await GatewayClient.connect({ url: gw.url, token: await gw.token() });
  });

  afterAll(async () => {
    client?.close();
    await gw?.stop();
    await mock?.close();
  });

  it("says at start exactly what to install", () => {
    const out = gw.stderr.join("") + gw.stdout.join("");
    expect(out).toContain("the host jail (bubblewrap) this session's tools run in is unavailable");
    expect(out).toContain("sudo apt-get install bubblewrap");
  });

  it("keeps chat without tools working", async () => {
    expect((await sendAndWait(client, "main", "hello there")).text).toBe("echo: hello there");
  });

  it("refuses a file or command tool with what to install, and runs tools that need no jail", async () => {
    const exec = await sendAndWait(client, "main", "exec ls");
    expect(exec.text).toContain('Tool "exec" was refused by policy (jail_unavailable)');
    expect(exec.text).toContain("sudo apt-get install bubblewrap");
    const read = await sendAndWait(client, "main", "read notes.txt");
    expect(read.text).toContain("jail_unavailable");
    const list = await sendAndWait(client, "main", "tool sessions_list {}");
    expect(list.text).not.toContain("refused");
  });

  it("doctor says so too", async () => {
    const r = await runCli(stateDir, ["doctor"], { wrap: HIDE_BWRAP });
    expect(r.stdout).toContain("host jail: UNAVAILABLE");
    expect(r.stdout).toContain("sudo apt-get install bubblewrap");
  });
});
