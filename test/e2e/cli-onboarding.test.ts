import { spawn } from "node:child_process";
import { mkdtemp, readFile, stat, writeFile, chmod } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/client/index.js";
import { sendAndWait } from "../support/chat.js";
import {
  REPO_ROOT,
  cleanEnv,
  makeStateDir,
  mockModelConfig,
  mockOnboardArgs,
  pipedToHead,
  runCli,
  spawnGateway,
} from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

const freshDir = async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "holdfast-onboard-"));
  await chmod(dir, 0o700);
  return dir;
};

describe("onboarding and the CLI through real processes", () => {
  let mock: MockModelServer;
  beforeAll(async () => {
    mock = await startMockModelServer();
  });
  afterAll(() => mock.close());

  it("onboard --non-interactive on a fresh state dir: the gateway starts and answers, also through holdfast agent", async () => {
    const stateDir = await freshDir();
    const env = { MOCK_KEY: "mock-key-not-secret" };
    const args = ["onboard", "--non-interactive", "--provider", "mock", "--base-url", `${mock.url}/v1`];
    const onboard = await runCli(stateDir, [...args, "--api-key-env", "MOCK_KEY", "--model", "mock-model", "--json"], {
      env,
    });
    expect(onboard.code, onboard.stderr).toBe(0);
    const report = JSON.parse(onboard.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ written: true, model: "mock/mock-model", probe: { ok: true } });
    expect((report.probe as { reply: string }).reply).toContain("echo: ");
    const config = await readFile(path.join(stateDir, "holdfast.json"), "utf8");
    expect(config).toContain("${MOCK_KEY}");
    expect(config).not.toContain("mock-key-not-secret");
    expect((await stat(path.join(stateDir, "credentials", "gateway-token"))).mode & 0o777).toBe(0o600);
    // Idempotent: the same run changes nothing; a different model is refused without --force.
    const again = await runCli(stateDir, [...args, "--api-key-env", "MOCK_KEY", "--model", "mock-model"], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("nothing changed");
    const other = await runCli(stateDir, [...args, "--api-key-env", "MOCK_KEY", "--model", "other-model"], { env });
    expect(other.code).toBe(1);
    expect(other.stderr).toContain("agents.defaults.model.primary");
    expect(other.stderr).toContain("--force");
    const gw = await spawnGateway(stateDir, { env });
    try {
      const client = await GatewayClient.connect({ url: gw.url, token: await gw.token() });
      expect(await sendAndWait(client, "main", "hello")).toMatchObject({ state: "final", text: "echo: hello" });
      client.close();
      // The CLI shell lacks MOCK_KEY (only the gateway has it): client commands still work.
      const agent = await runCli(stateDir, ["agent", "--message", "from the cli"]);
      expect(agent, agent.stderr).toMatchObject({ code: 0, stdout: "echo: from the cli\n" });
      const json = await runCli(stateDir, ["agent", "-m", "json please", "--json"]);
      expect(JSON.parse(json.stdout)).toMatchObject({
        status: "ok",
        result: { payloads: [{ text: "echo: json please" }] },
      });
      const status = await runCli(stateDir, ["gateway", "status", "--json"]);
      expect(JSON.parse(status.stdout)).toMatchObject({
        running: true,
        port: gw.port,
        status: { version: expect.any(String) },
      });
      // Logs go to <stateDir>/logs by default, each line with the pid of the gateway that wrote it.
      const logs = await runCli(stateDir, ["logs", "--limit", "50"]);
      expect(logs.stdout).toContain(`[pid ${gw.proc.pid}] gateway listening`);
      // Not a terminal: the console shows human lines only, never JSON log records.
      for (const l of [...gw.stdout.join("").split("\n"), ...gw.stderr.join("").split("\n")])
        expect(l).not.toMatch(/^\{/);
    } finally {
      await gw.stop();
    }
  }, 90_000);

  it("onboard --non-interactive --telegram-token-env sets up Telegram with DM policy pairing and an env reference", async () => {
    const stateDir = await freshDir();
    const env = { MOCK_KEY: "mock-key-not-secret", TG_TOKEN: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawXYZ" };
    const res = await runCli(stateDir, [...mockOnboardArgs(mock.url), "--telegram-token-env", "TG_TOKEN", "--json"], {
      env,
    });
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ channels: [{ id: "telegram", dmPolicy: "pairing" }] });
    const text = await readFile(path.join(stateDir, "holdfast.json"), "utf8");
    expect(text).not.toContain(env.TG_TOKEN);
    expect((JSON.parse(text) as { channels: unknown }).channels).toEqual({
      telegram: { enabled: true, dmPolicy: "pairing", botToken: "${TG_TOKEN}" },
    });
  }, 60_000);

  it("doctor fails, naming the reason, for no model, a placeholder token and a busy port; | head -1 exits quietly", async () => {
    const none = await freshDir();
    const noModel = await runCli(none, ["doctor"], { env: { HOME: none } });
    expect(noModel.code).toBe(1);
    expect(noModel.stdout).toContain("Model (agent main): NONE");
    expect(noModel.stdout).toContain("npx holdfast onboard");
    const placeholder = await makeStateDir({ ...mockModelConfig(mock.url), gateway: { auth: { token: "changeme" } } });
    const weak = await runCli(placeholder, ["doctor", "--json"]);
    expect(weak.code).toBe(1);
    const failed = (
      JSON.parse(weak.stdout) as { gateway: { preconditions: { id: string; ok: boolean; detail: string }[] } }
    ).gateway.preconditions.find((p) => !p.ok);
    expect(failed).toMatchObject({
      id: "exposure",
      detail: expect.stringContaining("gateway.auth.token is a placeholder"),
    });
    // The gateway refuses the same config (the same code path).
    const refused = await runCli(placeholder, ["gateway", "--port", "0"]);
    expect(refused.code).toBe(78);
    expect(refused.stderr).toContain("gateway.auth.token is a placeholder");
    // A port held by another process.
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const busy = await makeStateDir({ ...mockModelConfig(mock.url), gateway: { port } });
      const doc = await runCli(busy, ["doctor"]);
      expect(doc.code).toBe(1);
      expect(doc.stdout).toMatch(new RegExp(`port: Port 127\\.0\\.0\\.1:${port} is in use by process ${process.pid}`));
      const start = await runCli(busy, ["gateway"]);
      expect(start.code).toBe(1);
      expect(start.stderr).toContain(`Port 127.0.0.1:${port} is in use by process ${process.pid}`);
      expect(start.stderr).toContain(`--port ${port + 1}`);
    } finally {
      blocker.close();
    }
    const ok = await makeStateDir(mockModelConfig(mock.url));
    for (const args of [
      ["doctor", "--probe"],
      ["security", "audit"],
      ["secrets", "audit"],
      ["status", "--all"],
      ["models", "list"],
      ["channels", "status"],
      ["config", "get", "models"],
      ["--help"],
    ]) {
      const res = await pipedToHead(ok, args);
      expect({ args, code: res.code, stderr: res.stderr }).toEqual({ args, code: 0, stderr: "" });
      expect(res.stdout.split("\n")).toHaveLength(2);
    }
  }, 120_000);

  it("doctor and the gateway refuse the same unsafe sandbox and unwritable state dir; doctor creates nothing", async () => {
    type Doc = { gateway: { preconditions: { id: string; ok: boolean; detail: string }[] } };
    const failedCheck = (out: string) => (JSON.parse(out) as Doc).gateway.preconditions.find((p) => !p.ok);
    const unsafe = await makeStateDir({
      ...mockModelConfig(mock.url),
      agents: { defaults: { model: { primary: "mock/mock-model" }, sandbox: { docker: { network: "host" } } } },
    });
    const doc = await runCli(unsafe, ["doctor", "--json"]);
    expect(doc.code).toBe(1);
    expect(failedCheck(doc.stdout)).toMatchObject({
      id: "sandbox",
      detail: expect.stringContaining('agents.defaults.sandbox.docker.network: "host"'),
    });
    const refused = await runCli(unsafe, ["gateway", "--port", "0"]);
    expect(refused.code).toBe(78);
    expect(refused.stderr).toContain('agents.defaults.sandbox.docker.network: "host"');
    // A state dir whose agents directory cannot be created (a file is in the way).
    const blocked = await makeStateDir(mockModelConfig(mock.url));
    await writeFile(path.join(blocked, "agents"), "not a directory\n");
    const doc2 = await runCli(blocked, ["doctor", "--json"]);
    expect(doc2.code).toBe(1);
    expect(failedCheck(doc2.stdout)).toMatchObject({ id: "storage", detail: expect.stringContaining("agents") });
    for (const dir of ["credentials", "devices"]) await expect(stat(path.join(blocked, dir))).rejects.toThrow();
    const start = await runCli(blocked, ["gateway", "--port", "0"]);
    expect(start.code).not.toBe(0);
    expect(start.stderr).toContain(`writing to ${path.join(blocked, "agents")}`);
  }, 60_000);

  it("config get of a missing key exits 1 and suggests the nearest key; --json on read commands", async () => {
    const stateDir = await makeStateDir(mockModelConfig(mock.url));
    const missing = await runCli(stateDir, ["config", "get", "nope.nope"]);
    expect(missing).toMatchObject({ code: 1, stdout: "" });
    expect(missing.stderr).toContain("nope: unknown key");
    const typo = await runCli(stateDir, ["config", "get", "gateway.auht"]);
    expect(typo.stderr).toContain('gateway.auht: unknown key (did you mean "auth"?)');
    expect((await runCli(stateDir, ["config", "get", "gateway.port"])).stderr).toContain("is not set");
    // Hints are commands that work as printed: holdfast is not on PATH here, so they say npx holdfast.
    const noSession = await runCli(stateDir, ["sessions", "delete", "agent:main:nope"]);
    expect(noSession.code).not.toBe(0);
    expect(noSession.stderr).toContain("(see: npx holdfast sessions list)");
    const audit = await runCli(stateDir, ["security", "audit", "--json"]);
    const remediations = (
      JSON.parse(audit.stdout) as { findings: { checkId: string; remediation?: string }[] }
    ).findings
      .filter((f) => f.checkId === "secrets.plaintext_in_config")
      .map((f) => f.remediation);
    expect(remediations.length).toBeGreaterThan(0);
    for (const r of remediations) expect(r).toContain("see npx holdfast secrets apply.");
    const token = await runCli(stateDir, ["gateway", "token", "--json"]);
    expect(token.code).toBe(1);
    expect(JSON.parse(token.stdout)).toMatchObject({ token: null });
    const valid = await runCli(stateDir, ["config", "validate", "--json"]);
    expect(JSON.parse(valid.stdout)).toMatchObject({ ok: true, errors: [] });
    await writeFile(path.join(stateDir, "holdfast.json"), JSON.stringify({ gateway: { auht: {} } }));
    const invalid = await runCli(stateDir, ["config", "validate", "--json"]);
    expect(invalid.code).toBe(78);
    expect(JSON.parse(invalid.stdout)).toMatchObject({
      ok: false,
      errors: ['gateway.auht: unrecognized key (did you mean "auth"?)'],
    });
    // The gateway refuses to start with the same suggestion.
    const start = await runCli(stateDir, ["gateway", "--port", "0"]);
    expect(start.code).toBe(78);
    expect(start.stderr).toContain('gateway.auht: unrecognized key (did you mean "auth"?)');
    const help = await runCli(stateDir, ["channels", "logout", "--help"]);
    expect(help.stdout).toContain("one of telegram");
    for (const channel of ["slack", "discord", "signal", "bluebubbles", "whatsapp"])
      expect(help.stdout).toContain(channel);
    expect(help.stdout).not.toMatch(/imessage|msteams/);
  }, 60_000);

  it("the gateway's console is all JSON with logging.consoleStyle json", async () => {
    const stateDir = await makeStateDir({ ...mockModelConfig(mock.url), logging: { consoleStyle: "json" } });
    const proc = spawn(process.execPath, [path.join(REPO_ROOT, "bin/holdfast.mjs"), "gateway", "--port", "0"], {
      env: cleanEnv(stateDir),
    });
    let out = "";
    proc.stdout.on("data", (b: Buffer) => (out += b.toString()));
    proc.stderr.on("data", (b: Buffer) => (out += b.toString()));
    await expect.poll(() => out, { timeout: 15_000 }).toContain("holdfast gateway listening on");
    proc.kill("SIGTERM");
    await new Promise((r) => proc.on("exit", r));
    const lines = out.trim().split("\n");
    for (const l of lines) expect(() => JSON.parse(l) as unknown, l).not.toThrow();
  });
});
