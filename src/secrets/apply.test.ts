import { mkdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isHoldfastError } from "../errors/index.js";
import { parseSecretsPlan } from "./apply-plan.js";
import { applySecretsPlan } from "./apply.js";
import { auditSecrets, secretsAuditExitCode } from "./secrets-audit.js";
import { loadConfig } from "../config/index.js";
import { privateTmp, writeWithMode } from "./test-helpers.fixture.js";

const TOKEN = "plain-gateway-token-0123456789abcdef";
const KEY = "sk-plain-provider-key-0123456789abcdef";

async function setup() {
  const dir = await privateTmp();
  const configPath = path.join(dir, "holdfast.json");
  await writeWithMode(
    configPath,
    JSON.stringify({ gateway: { auth: { token: TOKEN } }, models: { providers: { openai: { apiKey: KEY } } } }),
    0o600,
  );
  const secretsDir = path.join(dir, "secrets");
  await mkdir(secretsDir, { mode: 0o700 });
  return { dir, configPath, secretFile: path.join(secretsDir, "vault.json") };
}

const planFor = (secretFile: string) =>
  parseSecretsPlan(
    JSON.stringify({
      version: 1,
      providers: { vault: { source: "file", path: secretFile } },
      moves: [
        { path: "gateway.auth.token", ref: { source: "file", provider: "vault", id: "/gateway/token" } },
        { path: "models.providers.openai.apiKey", ref: { source: "env", provider: "default", id: "OPENAI_API_KEY" } },
      ],
    }),
    "plan.json",
  );

describe("holdfast secrets apply", () => {
  it("moves plaintext values into refs: file values written 600, config rewritten without them", async () => {
    const s = await setup();
    const env = { OPENAI_API_KEY: KEY };
    const res = await applySecretsPlan(s.configPath, planFor(s.secretFile), env);
    expect(res.moved).toEqual([
      "gateway.auth.token -> file:vault:/gateway/token",
      "models.providers.openai.apiKey -> env:default:OPENAI_API_KEY",
    ]);
    expect(JSON.stringify(res)).not.toContain(TOKEN);
    const config = await readFile(s.configPath, "utf8");
    expect(config).not.toContain(TOKEN);
    expect(config).not.toContain(KEY);
    expect(JSON.parse(await readFile(s.secretFile, "utf8"))).toEqual({ gateway: { token: TOKEN } });
    expect((await stat(s.secretFile)).mode & 0o777).toBe(0o600);
    expect((await stat(s.configPath)).mode & 0o777).toBe(0o600);
    const loaded = await loadConfig(s.configPath, env);
    const audit = await auditSecrets({
      config: loaded.config,
      raw: loaded.raw,
      configPath: s.configPath,
      env,
      workspaceDir: s.dir,
    });
    expect(audit.status).toBe("clean");
  });

  it("writes nothing in a dry run", async () => {
    const s = await setup();
    const before = await readFile(s.configPath, "utf8");
    const res = await applySecretsPlan(s.configPath, planFor(s.secretFile), { OPENAI_API_KEY: KEY }, { dryRun: true });
    expect(res).toMatchObject({ dryRun: true, configWritten: false, filesWritten: [s.secretFile] });
    expect(await readFile(s.configPath, "utf8")).toBe(before);
    await expect(stat(s.secretFile)).rejects.toThrow();
  });

  it("leaves the config alone when a target ref would not yield the same value", async () => {
    const s = await setup();
    const before = await readFile(s.configPath, "utf8");
    const err = await applySecretsPlan(s.configPath, planFor(s.secretFile), {
      OPENAI_API_KEY: "a-different-value-entirely",
    }).catch((e: unknown) => e);
    expect(isHoldfastError(err, "HF_SECRETS_APPLY_FAILED")).toBe(true);
    expect((err as Error).message).toContain("does not yield the current value");
    expect((err as Error).message).not.toContain(KEY);
    expect(await readFile(s.configPath, "utf8")).toBe(before);
  });

  it("refuses plans with unknown fields, duplicate moves, or non-secret paths", async () => {
    expect(() => parseSecretsPlan("{version: 2, moves: []}", "p")).toThrow(/version/);
    const dup = {
      version: 1,
      moves: [1, 2].map(() => ({ path: "gateway.auth.token", ref: { source: "env", provider: "default", id: "X" } })),
    };
    expect(() => parseSecretsPlan(JSON.stringify(dup), "p")).toThrow(/twice/);
    const s = await setup();
    const bad = parseSecretsPlan(
      JSON.stringify({
        version: 1,
        moves: [{ path: "gateway.port", ref: { source: "env", provider: "default", id: "X" } }],
      }),
      "p",
    );
    await expect(applySecretsPlan(s.configPath, bad, {})).rejects.toThrow();
  });
});

describe("holdfast secrets audit", () => {
  it("finds plaintext, unresolved refs, loose secret files and secrets in tool environments", async () => {
    const dir = await privateTmp();
    const loose = await writeWithMode(
      path.join(dir, "loose.json"),
      JSON.stringify({ k: "loose-file-secret-value" }),
      0o644,
    );
    const config = {
      gateway: { auth: { token: TOKEN } },
      models: {
        providers: {
          openai: { apiKey: { source: "env", provider: "default", id: "MISSING_KEY" } },
          other: { apiKey: { source: "file", provider: "loose", id: "/k" } },
        },
      },
      secrets: { providers: { loose: { source: "file", path: loose } } },
      agents: { defaults: { sandbox: { docker: { env: { GITHUB_TOKEN: TOKEN } } } } },
    };
    const configPath = await writeWithMode(path.join(dir, "holdfast.json"), JSON.stringify(config), 0o644);
    const loaded = await loadConfig(configPath, {});
    const env = { TZ: `UTC ${TOKEN}` };
    const report = await auditSecrets({ config: loaded.config, raw: loaded.raw, configPath, env, workspaceDir: dir });
    expect(report.findings.map((f) => f.code).sort()).toEqual([
      "FILE_MODE_LOOSE",
      "FILE_MODE_LOOSE",
      "PLAINTEXT_FOUND",
      "REF_UNRESOLVED",
      "REF_UNRESOLVED",
      "TOOL_ENV_SECRET",
      "TOOL_ENV_SECRET",
    ]);
    expect(report.findings.filter((f) => f.code === "TOOL_ENV_SECRET").map((f) => f.path)).toEqual([
      "exec environment",
      "agents.defaults.sandbox.docker.env",
    ]);
    expect(report.status).toBe("unresolved");
    expect(secretsAuditExitCode(report)).toBe(2);
    expect(JSON.stringify(report)).not.toContain(TOKEN);
  });
});
