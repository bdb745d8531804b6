import { spawn } from "node:child_process";
import { appendFile, chmod, mkdir, readFile, readdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/client/index.js";
import { cleanEnv, makeStateDir, REPO_ROOT, runCli, spawnGateway } from "../support/gateway-process.js";

const mode = async (p: string) => (await stat(p)).mode & 0o777;
const readJson = async (p: string) => JSON.parse(await readFile(p, "utf8")) as Record<string, unknown>;

describe("gateway token rotation: doctor --generate-gateway-token, config set, restart", () => {
  it("generates a 32-byte token, writes it atomically with mode 600, and the restarted gateway uses it", async () => {
    const stateDir = await makeStateDir({ gateway: { auth: { token: "old-token-0123456789abcdef0123" } } });
    const configPath = path.join(stateDir, "holdfast.json");
    await chmod(configPath, 0o644);
    await chmod(stateDir, 0o755);
    const gen = await runCli(stateDir, ["doctor", "--generate-gateway-token"]);
    expect(gen.code).toBe(0);
    const token = gen.stdout.trim();
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    const inodeBefore = (await stat(configPath)).ino;
    const set = await runCli(stateDir, ["config", "set", "gateway.auth.token", token]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout + set.stderr).not.toContain(token);
    expect(await mode(configPath)).toBe(0o600);
    expect(await mode(stateDir)).toBe(0o700);
    expect((await stat(configPath)).ino).not.toBe(inodeBefore);
    expect((await readdir(stateDir)).filter((f) => f.includes(".tmp"))).toEqual([]);
    expect(((await readJson(configPath)).gateway as { auth: { token: string } }).auth.token).toBe(token);
    expect((await runCli(stateDir, ["config", "get", "gateway.auth.token"])).stdout.trim()).toBe(
      "__HOLDFAST_REDACTED__",
    );
    const gw = await spawnGateway(stateDir);
    try {
      const client = await GatewayClient.connect({ url: gw.url, token });
      client.close();
      await expect(
        GatewayClient.connect({ url: gw.url, token: "old-token-0123456789abcdef0123" }),
      ).rejects.toMatchObject({ wireDetails: expect.objectContaining({ code: "AUTH_TOKEN_MISMATCH" }) });
    } finally {
      await gw.stop();
    }
  });
});

describe("holdfast secrets audit --check exit codes", () => {
  it("exits 0 when clean, 1 on plaintext findings, 2 on unresolved refs", async () => {
    const clean = await makeStateDir({ gateway: { auth: { token: "${GW_TOKEN}" } } });
    const r0 = await runCli(clean, ["secrets", "audit", "--check", "--json"], {
      env: { GW_TOKEN: "env-token-0123456789abcdef0123456789" },
    });
    expect(r0.code, r0.stderr).toBe(0);
    expect(JSON.parse(r0.stdout)).toMatchObject({
      status: "clean",
      summary: { plaintextCount: 0, unresolvedRefCount: 0 },
    });
    const plain = await makeStateDir({ gateway: { auth: { token: "plaintext-token-0123456789abcdef" } } });
    const r1 = await runCli(plain, ["secrets", "audit", "--check"]);
    expect(r1.code).toBe(1);
    expect(r1.stdout).toContain("PLAINTEXT_FOUND");
    expect(r1.stdout).not.toContain("plaintext-token-0123456789abcdef");
    const unresolved = await makeStateDir({
      gateway: { auth: { token: "plaintext-token-0123456789abcdef" } },
      models: { providers: { openai: { apiKey: { source: "env", provider: "default", id: "NOT_SET_ANYWHERE" } } } },
    });
    const r2 = await runCli(unresolved, ["secrets", "audit", "--check", "--json"]);
    expect(r2.code).toBe(2);
    expect(JSON.parse(r2.stdout)).toMatchObject({
      status: "unresolved",
      findings: expect.arrayContaining([
        expect.objectContaining({ code: "REF_UNRESOLVED", path: "models.providers.openai.apiKey" }),
      ]),
    });
    expect((await runCli(unresolved, ["secrets", "audit"])).code).toBe(0);
  });
});

describe("holdfast security audit", () => {
  it("prints {ts, summary, findings}, exits 0 with critical findings, and honours --fail-on", async () => {
    const stateDir = await makeStateDir({
      gateway: { auth: { mode: "none" } },
      channels: { telegram: { dmPolicy: "open", allowFrom: ["*"] } },
    });
    const res = await runCli(stateDir, ["security", "audit", "--json"]);
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout) as {
      ts: number;
      summary: Record<string, number>;
      findings: { checkId: string; severity: string; title: string; detail: string; remediation: string }[];
    };
    expect(Object.keys(report).sort()).toEqual(["findings", "summary", "ts"]);
    expect(report.summary.critical).toBeGreaterThan(0);
    expect(report.findings.map((f) => f.checkId)).toEqual(
      expect.arrayContaining(["gateway.loopback_no_auth", "channels.telegram.dm.open", "summary.attack_surface"]),
    );
    for (const f of report.findings)
      expect(Object.keys(f).sort()).toEqual(["checkId", "detail", "remediation", "severity", "title"]);
    expect((await runCli(stateDir, ["security", "audit", "--fail-on", "critical"])).code).toBe(1);
    const human = await runCli(stateDir, ["security", "audit"]);
    expect(human.stdout).toMatch(/Summary: \d+ critical · \d+ warn · \d+ info/);
    expect(human.stdout.indexOf("CRITICAL")).toBeLessThan(human.stdout.indexOf("WARN"));
    expect(human.stdout).toContain("Fix: ");
    const usage = await runCli(stateDir, ["security", "audit", "--fail-on", "bogus"]);
    expect(usage.code).toBe(2);
  });

  it("--fix --json reports the config changes and chmods, and touches nothing else", async () => {
    const stateDir = await makeStateDir({
      channels: { telegram: { groupPolicy: "open", dmPolicy: "open", allowFrom: ["*"] } },
      logging: { redactSensitive: "off" },
    });
    await chmod(path.join(stateDir, "holdfast.json"), 0o640);
    await mkdir(path.join(stateDir, "workspace"), { recursive: true });
    await writeFile(path.join(stateDir, "workspace", "shared.txt"), "x");
    await chmod(path.join(stateDir, "workspace", "shared.txt"), 0o644);
    const res = await runCli(stateDir, ["security", "audit", "--fix", "--json"]);
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout) as {
      fix: { changes: string[]; actions: { path: string; mode: string; skipped?: string }[]; configWritten: boolean };
      report: { findings: { checkId: string }[] };
    };
    expect(out.fix.changes).toEqual([
      "channels.telegram.groupPolicy: open -> allowlist",
      "logging.redactSensitive: off -> tools",
    ]);
    expect(out.fix.actions).toContainEqual(
      expect.objectContaining({ path: path.join(stateDir, "holdfast.json"), mode: "600" }),
    );
    const config = await readJson(path.join(stateDir, "holdfast.json"));
    expect(config.channels).toEqual({ telegram: { groupPolicy: "allowlist", dmPolicy: "open", allowFrom: ["*"] } });
    expect(await mode(path.join(stateDir, "workspace", "shared.txt"))).toBe(0o644);
    expect(out.report.findings.map((f) => f.checkId)).toContain("channels.telegram.dm.open");
    expect(out.report.findings.map((f) => f.checkId)).not.toContain("channels.telegram.groups.open");
  });
});

describe("holdfast doctor", () => {
  it("names invalid keys by path and exits 1", async () => {
    const stateDir = await makeStateDir({ gateway: { auht: {} }, channels: { telegram: { dmPolicy: "opne" } } });
    const res = await runCli(stateDir, ["doctor"]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain("gateway.auht: unrecognized key");
    expect(res.stdout).toContain('channels.telegram.dmPolicy: invalid value "opne"');
    expect(res.stdout).toContain("Next steps:");
  });

  it("lists legacy keys, rewrites them with --fix, and reports channel credentials", async () => {
    const stateDir = await makeStateDir({
      agent: { model: "ollama/llama3" },
      channels: { telegram: { dm: { policy: "pairing" } }, discord: {} },
      gateway: { token: "${GW_TOKEN}" },
    });
    const env = {
      GW_TOKEN: "doctor-token-0123456789abcdef0123",
      TELEGRAM_BOT_TOKEN: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawXYZ",
    };
    const before = await runCli(stateDir, ["doctor"], { env });
    // Discord runs when configured: an account without a token is a start failure, not only a gap.
    expect(before.code, before.stderr).toBe(1);
    expect(before.stdout).toMatch(
      /FAIL\s+channels: channels\.discord\.token: no bot token for Discord account "default"/,
    );
    expect(before.stdout).toContain("gateway.token: moved to gateway.auth.token");
    expect(before.stdout).toMatch(/ok\s+channels\.telegram: from \$TELEGRAM_BOT_TOKEN/);
    expect(before.stdout).toMatch(/MISSING channels\.discord: set channels\.discord\.token \(or \$DISCORD_BOT_TOKEN\)/);
    expect(before.stdout).toContain("holdfast doctor --fix");
    expect(before.stdout).not.toContain(env.TELEGRAM_BOT_TOKEN);
    const fixed = await runCli(stateDir, ["doctor", "--fix", "--json"], { env });
    const report = JSON.parse(fixed.stdout) as { migrations: { applied: string[]; pending: string[] } };
    expect(report.migrations.applied.length).toBe(3);
    const config = await readJson(path.join(stateDir, "holdfast.json"));
    expect(config).toMatchObject({
      agents: { defaults: { model: "ollama/llama3" } },
      channels: { telegram: { dmPolicy: "pairing" } },
      gateway: { auth: { token: "${GW_TOKEN}" } },
    });
    expect(config.agent).toBeUndefined();
    expect(await mode(path.join(stateDir, "holdfast.json"))).toBe(0o600);
    expect(JSON.parse((await runCli(stateDir, ["doctor", "--json"], { env })).stdout)).toMatchObject({
      migrations: { pending: [] },
    });
  });
});

describe("holdfast logs", () => {
  const line = (msg: string, extra: Record<string, unknown> = {}) =>
    `${JSON.stringify({ level: 30, time: Date.UTC(2026, 0, 2, 3, 4, 5), pid: 1, msg, ...extra })}\n`;

  it("prints the last N lines, redacted, as text or JSON lines", async () => {
    const secret = "logs-cli-secret-0123456789abcdef";
    const stateDir = await makeStateDir({ gateway: { auth: { token: secret } } });
    const logFile = path.join(stateDir, "logs", "holdfast.log");
    await mkdir(path.dirname(logFile), { recursive: true, mode: 0o700 });
    await writeFile(logFile, [1, 2, 3, 4, 5].map((i) => line(`line ${i}`)).join("") + line(`leaked ${secret}`), {
      mode: 0o600,
    });
    const json = await runCli(stateDir, ["logs", "--limit", "3", "--json"]);
    expect(json.code, json.stderr).toBe(0);
    const lines = json.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { msg: string });
    expect(lines.map((l) => l.msg)).toEqual(["line 4", "line 5", "leaked ***"]);
    const text = await runCli(stateDir, ["logs", "--limit", "1"]);
    expect(text.stdout.trim()).toBe("2026-01-02T03:04:05.000Z INFO  [pid 1] leaked ***");
  });

  it("--follow prints lines as they are appended until interrupted", async () => {
    const stateDir = await makeStateDir();
    const logFile = path.join(stateDir, "logs", "holdfast.log");
    await mkdir(path.dirname(logFile), { recursive: true, mode: 0o700 });
    await writeFile(logFile, line("first"), { mode: 0o600 });
    const proc = spawn(process.execPath, [path.join(REPO_ROOT, "bin/holdfast.mjs"), "logs", "--follow", "--json"], {
      env: cleanEnv(stateDir),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    proc.stdout.on("data", (b: Buffer) => (out += b.toString()));
    const seen = (text: string) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`did not see ${text}: ${out}`)), 10_000);
        const check = () => {
          if (!out.includes(text)) return;
          clearTimeout(timer);
          proc.stdout.off("data", check);
          resolve();
        };
        proc.stdout.on("data", check);
        check();
      });
    await seen("first");
    await appendFile(logFile, line("second", { url: "https://user:pa55w0rd@example.test/x" }));
    await seen("second");
    const exited = new Promise<number | null>((r) => proc.on("exit", (c) => r(c)));
    proc.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(out).not.toContain("pa55w0rd");
  });
});
