import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmod, mkdtemp, readFile, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, makeStateDir, mockModelConfig, spawnGateway } from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

const run = promisify(execFile);
const hasTmux = await run("tmux", ["-V"]).then(
  () => true,
  () => false,
);

/** A tmux server of this test only (its own socket), holding one pseudo-terminal. */
class Terminal {
  private readonly socket = `holdfast-test-${randomUUID().slice(0, 8)}`;
  constructor(private readonly session = "wizard") {}
  tmux(...args: string[]) {
    return run("tmux", ["-L", this.socket, ...args]);
  }
  async start(command: string) {
    await this.tmux("new-session", "-d", "-s", this.session, "-x", "160", "-y", "60", command);
  }
  async screen(): Promise<string> {
    return (await this.tmux("capture-pane", "-p", "-t", this.session, "-S", "-200")).stdout;
  }
  async waitFor(text: string, timeoutMs = 20_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.screen();
      if (s.includes(text)) return s;
      if (Date.now() > until) throw new Error(`"${text}" did not appear; screen:\n${s}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  async keys(...keys: string[]) {
    await this.tmux("send-keys", "-t", this.session, ...keys);
  }
  async type(text: string) {
    await this.tmux("send-keys", "-t", this.session, "-l", text);
  }
  async close() {
    await this.tmux("kill-server").catch(() => undefined);
  }
}

describe.skipIf(!hasTmux)("holdfast onboard in a terminal", () => {
  let mock: MockModelServer;
  beforeAll(async () => {
    mock = await startMockModelServer();
  });
  afterAll(() => mock.close());

  it("asks for a provider, tests it with a real call, stores the key in a 600 secrets file and ends with the audit", async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), "holdfast-wizard-"));
    await chmod(stateDir, 0o700);
    const term = new Terminal();
    const bin = path.join(REPO_ROOT, "bin/holdfast.mjs");
    try {
      await term.start(
        `env -i PATH="${process.env.PATH}" HOME="${stateDir}" TERM=xterm-256color HOLDFAST_STATE_DIR="${stateDir}" "${process.execPath}" "${bin}" onboard; echo "EXIT=$?"; sleep 120`,
      );
      await term.waitFor("Which model provider?");
      await term.keys("Down", "Down", "Down", "Down", "Enter");
      await term.waitFor("Base URL");
      await term.type(`${mock.url}/v1`);
      await term.keys("Enter");
      await term.waitFor("A short name");
      await term.keys("Enter");
      await term.waitFor("Model");
      await term.type("mock-model");
      await term.keys("Enter");
      await term.waitFor("Does it need an API key?");
      await term.keys("Enter");
      await term.waitFor("Paste the local API key");
      await term.type("wizard-key-0123456789");
      await term.keys("Enter");
      await term.waitFor("Where should holdfast keep it?");
      await term.keys("Enter");
      for (const channel of ["Telegram", "Slack", "Discord"]) {
        await term.waitFor(`Set up ${channel} now?`);
        await term.keys("Enter");
      }
      // Signal: a number checked as the channel checks it; the daemon URL left at its default.
      await term.waitFor("Set up Signal now?");
      await term.keys("Left", "Enter");
      await term.waitFor("The Signal number signal-cli is registered");
      await term.type("5551234");
      await term.keys("Enter");
      await term.waitFor("a phone number in E.164 form");
      await term.keys("C-u");
      await term.type("+15550000001");
      await term.keys("Enter");
      await term.waitFor("URL of signal-cli daemon --http (empty: http://127.0.0.1:8080)");
      await term.keys("Enter");
      for (const channel of ["iMessage (BlueBubbles)", "WhatsApp"]) {
        await term.waitFor(`Set up ${channel} now?`);
        await term.keys("Enter");
      }
      const screen = await term.waitFor("EXIT=", 30_000);
      expect(screen).toContain("local/mock-model answered in");
      expect(screen).toContain("echo: This is a connection check");
      expect(screen).toContain("Security audit:");
      expect(screen).toContain("EXIT=0");
      expect(screen).not.toContain("wizard-key-0123456789");
      const config = JSON.parse(await readFile(path.join(stateDir, "holdfast.json"), "utf8")) as {
        models: { providers: { local: { apiKey: unknown; baseUrl: string } } };
        channels: unknown;
      };
      expect(config.channels).toEqual({ signal: { enabled: true, dmPolicy: "pairing", account: "+15550000001" } });
      expect(config.models.providers.local).toMatchObject({
        baseUrl: `${mock.url}/v1`,
        apiKey: { source: "file", provider: "holdfast", id: "/models/local/apiKey" },
      });
      const secrets = path.join(stateDir, "credentials", "secrets.json");
      expect((await stat(secrets)).mode & 0o777).toBe(0o600);
      expect(JSON.parse(await readFile(secrets, "utf8"))).toEqual({
        models: { local: { apiKey: "wizard-key-0123456789" } },
      });
      expect(mock.requests.at(-1)?.headers.authorization).toBe("Bearer wizard-key-0123456789");
    } finally {
      await term.close();
    }
  }, 90_000);

  it("holdfast agent streams the reply in a terminal as it arrives", async () => {
    const slow = await startMockModelServer({ script: () => ({ text: "AAAA BBBB CCCC", chunkDelayMs: 800 }) });
    const stateDir = await makeStateDir(mockModelConfig(slow.url));
    const gw = await spawnGateway(stateDir);
    const term = new Terminal("agent");
    try {
      await term.start(
        `env -i PATH="${process.env.PATH}" HOME="${stateDir}" TERM=xterm-256color HOLDFAST_STATE_DIR="${stateDir}" "${process.execPath}" "${path.join(REPO_ROOT, "bin/holdfast.mjs")}" agent --message hi; echo "EXIT=$?"; sleep 120`,
      );
      const partial = await term.waitFor("AAAA", 30_000);
      expect(partial).not.toContain("CCCC");
      expect(partial).not.toContain("EXIT=");
      const done = await term.waitFor("EXIT=", 30_000);
      expect(done).toContain("AAAA BBBB CCCC");
      expect(done).toContain("EXIT=0");
    } finally {
      await term.close();
      await gw.stop();
      await slow.close();
    }
  }, 90_000);
});
