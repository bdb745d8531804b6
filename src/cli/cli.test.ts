import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { noModelHelp } from "../agent/index.js";
import { nearest } from "../infra/index.js";
import { Redactor } from "../logging/index.js";
import { applyChanges, classify, configChanges, type OnboardAnswers } from "./onboard/plan.js";
import { buildProgram } from "./program.js";
import { referencedVars } from "./service/service-env.js";
import { envFileText, launchdPlist } from "./service/unit-files.js";

const io = { out: () => undefined, err: () => undefined };

function walk(c: Command, at: string[] = []): { path: string; description: string; options: string[] }[] {
  return c.commands.flatMap((sub) => [
    {
      path: [...at, sub.name()].join(" "),
      description: sub.description(),
      options: sub.options.map((o) => o.long ?? ""),
    },
    ...walk(sub, [...at, sub.name()]),
  ]);
}

describe("the holdfast command tree", () => {
  it("gives every command a --help description, and --json to every command but the listed actions", async () => {
    const all = walk(await buildProgram(io, () => undefined));
    for (const c of all) expect(c.description, c.path).not.toBe("");
    // Commands that change something (or run in the foreground) and print no report. Every other
    // command reads or reports, so it takes --json: a new command either does too or is added here.
    const actions = [
      "gateway run",
      "gateway stop",
      "sessions delete",
      "sessions export",
      "pairing approve",
      "pairing reject",
      "pairing revoke",
      "approvals approve",
      "approvals deny",
      "node run",
      "devices approve",
      "devices reject",
      "devices revoke",
      "config set",
      "config unset",
      "secrets reload",
      "secrets apply",
    ];
    const leaves = all.filter((c) => !all.some((o) => o.path.startsWith(`${c.path} `)));
    const withoutJson = leaves.filter((c) => !c.options.includes("--json")).map((c) => c.path);
    expect(withoutJson.sort()).toEqual([...actions].sort());
    for (const r of ["status", "config get", "config validate", "gateway token", "gateway status", "doctor", "logs"])
      expect(leaves.map((c) => c.path)).toContain(r);
  });
});

describe("onboarding plan", () => {
  const answers: OnboardAnswers = {
    provider: "local",
    api: "openai-completions",
    baseUrl: "http://127.0.0.1:8000/v1",
    model: "m1",
    key: { kind: "file", value: "the-key" },
    channels: { telegram: { botToken: { kind: "env", name: "TELEGRAM_BOT_TOKEN" } } },
  };
  const changes = configChanges(answers, "/s/credentials/secrets.json");

  it("writes secrets as references, channels with DM policy pairing, and is idempotent", () => {
    const next = applyChanges({}, changes, false);
    expect(next).toMatchObject({
      secrets: { providers: { holdfast: { source: "file", path: "/s/credentials/secrets.json" } } },
      models: {
        providers: { local: { apiKey: { source: "file", provider: "holdfast", id: "/models/local/apiKey" } } },
      },
      agents: { defaults: { model: { primary: "local/m1" } } },
      channels: { telegram: { enabled: true, dmPolicy: "pairing", botToken: "${TELEGRAM_BOT_TOKEN}" } },
    });
    expect(JSON.stringify(next)).not.toContain("the-key");
    expect(classify(next, changes).every((a) => a === "unchanged")).toBe(true);
  });

  it("never overwrites without force, including a legacy string where an object goes", () => {
    const raw = { agents: { defaults: { model: "openai/gpt-5" } } };
    expect(() => applyChanges(raw, changes, false)).toThrow(/agents.defaults.model.primary.*--force/);
    expect(applyChanges(raw, changes, true)).toMatchObject({
      agents: { defaults: { model: { primary: "local/m1" } } },
    });
  });
});

describe("service files", () => {
  it("quotes env values both systemd and node read literally, and refuses what neither can carry", () => {
    expect(envFileText({ A: "plain-1.2", B: "has space$x" })).toContain("A=plain-1.2\nB='has space$x'\n");
    expect(() => envFileText({ C: "it's" })).toThrow(/single quote/);
    expect(() => envFileText({ D: "a\nb" })).toThrow(/newline/);
  });

  it("writes a launchd agent that loads the env file through node", () => {
    const plist = launchdPlist({
      name: "ai.holdfast.gateway",
      nodePath: "/usr/local/bin/node",
      binPath: "/opt/holdfast/bin/holdfast.mjs",
      stateDir: "/Users/me/.holdfast",
      envFile: "/Users/me/.holdfast/gateway.env",
      outputFile: "/Users/me/.holdfast/logs/service.log",
    });
    expect(plist).toContain("<key>Label</key><string>ai.holdfast.gateway</string>");
    expect(plist).toContain("<string>--env-file=/Users/me/.holdfast/gateway.env</string>");
    expect(plist).toContain("<string>gateway</string>");
    expect(plist).toContain("<key>Umask</key><integer>63</integer>");
  });

  it("finds the variables a config names (${VAR} and env SecretRefs, not escapes)", () => {
    const raw = { a: "${ONE}/x", b: ["$${NOT}"], c: { source: "env", provider: "default", id: "TWO" } };
    expect([...referencedVars(raw)].sort()).toEqual(["ONE", "TWO"]);
  });
});

describe("text that is copied as printed", () => {
  it("the no-model help is never redacted and names the onboarding", () => {
    const help = noModelHelp("/home/me/.holdfast/holdfast.json");
    expect(new Redactor().redact(help)).toBe(help);
    expect(help).toContain('apiKey: "${OPENAI_API_KEY}"');
    expect(help).toMatch(/holdfast onboard/);
  });

  it("the redactor leaves ${VAR} references alone but still masks values", () => {
    const r = new Redactor();
    expect(r.redact('token: "${GW_TOKEN}" --password ${PW}')).toBe('token: "${GW_TOKEN}" --password ${PW}');
    expect(r.redact("token=abcdefgh12345")).toBe("token=***");
  });

  it("suggests the nearest key for a typo only", () => {
    expect(nearest("auht", ["auth", "bind", "port"])).toBe("auth");
    expect(nearest("loging", ["logging", "gateway"])).toBe("logging");
    expect(nearest("zzzz", ["auth", "bind"])).toBeUndefined();
  });
});
