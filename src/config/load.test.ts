import { mkdtemp, readFile, stat, writeFile, chmod } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isHoldfastError } from "../errors/index.js";
import { loadConfig, parseConfigText, resolvePaths, setAtPath, updateConfigFile } from "./index.js";

const parse = (text: string, env: NodeJS.ProcessEnv = {}) => parseConfigText(text, "test.json5", env);
const failure = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (isHoldfastError(err)) return err;
    throw err;
  }
  throw new Error("expected a HoldfastError");
};

describe("config loading", () => {
  it("reads JSON5 (comments, trailing commas, unquoted keys)", () => {
    const { config } = parse(`{ // comment\n gateway: { port: 19000, }, }`);
    expect(config.gateway?.port).toBe(19000);
  });

  it("substitutes ${VAR}, leaves ${lower} alone and turns $${VAR} into a literal", () => {
    const { config } = parse(
      `{ models: { providers: { x: { baseUrl: "http://\${HOST}/v1", apiKey: "$\${KEEP}" } } }, agents: { defaults: { systemPrompt: "\${lower}" } } }`,
      { HOST: "127.0.0.1:9" },
    );
    expect(config.models?.providers?.x?.baseUrl).toBe("http://127.0.0.1:9/v1");
    expect(config.models?.providers?.x?.apiKey).toBe("${KEEP}");
    expect(config.agents?.defaults?.systemPrompt).toBe("${lower}");
  });

  it("names the key path of a missing environment variable", () => {
    const err = failure(() => parse(`{ gateway: { auth: { token: "\${NOPE_TOKEN}" } } }`));
    expect(err.code).toBe("HF_CONFIG_ENV_MISSING");
    expect(err.message).toBe('Missing env var "NOPE_TOKEN" referenced at config path: gateway.auth.token');
  });

  it("rejects unknown keys with their full path, wrong types and dangerous values", () => {
    const err = failure(() =>
      parse(
        `{ gateway: { auht: {}, bind: "0.0.0.0", port: 70000 }, channels: { telegram: { dmPolicy: "everyone" } } }`,
      ),
    );
    expect(err.code).toBe("HF_CONFIG_INVALID");
    const issues = err.details?.issues as string[];
    expect(issues).toContain('gateway.auht: unrecognized key (did you mean "auth"?)');
    expect(issues).toContainEqual(
      expect.stringMatching(
        /^gateway\.bind: invalid value "0\.0\.0\.0" \(allowed: "loopback", "lan", "tailnet", "auto", "custom"\)$/,
      ),
    );
    expect(issues).toContainEqual(expect.stringMatching(/^gateway\.port: /));
    expect(issues).toContainEqual(expect.stringMatching(/^channels\.telegram\.dmPolicy: invalid value "everyone"/));
  });

  it("accepts OpenClaw keys holdfast does not implement, with a warning each", () => {
    const { warnings } = parse(
      `{ browser: { enabled: true }, session: { resetByType: { group: { mode: "daily" } } }, gateway: { token: "x" } }`,
    );
    expect(warnings).toContain("browser: accepted for OpenClaw compatibility; not implemented by holdfast (ignored)");
    expect(warnings).toContain(
      "session.resetByType: accepted for OpenClaw compatibility; not implemented by holdfast (ignored)",
    );
    expect(warnings.find((w) => w.startsWith("gateway.token"))).toContain('Use "gateway.auth.token" instead.');
  });

  it("reads retention keys and refuses durations that do not parse", () => {
    const { config, warnings } = parse(
      `{ agents: { defaults: { sessionPruning: { maxMessages: 10, maxAge: "30d" } } }, session: { maintenance: { pruneAfter: "12h" }, reset: { mode: "idle", idleMinutes: 5 } } }`,
    );
    expect(warnings).toEqual([]);
    expect(config.agents?.defaults?.sessionPruning).toEqual({ maxMessages: 10, maxAge: "30d" });
    expect(failure(() => parse(`{ session: { maintenance: { pruneAfter: "soon" } } }`)).message).toContain(
      "session.maintenance.pruneAfter",
    );
    expect(failure(() => parse(`{ session: { reset: { mode: "idle" } } }`)).message).toContain("idleMinutes");
  });

  it("migrates legacy shapes with warnings", () => {
    const { config, warnings } = parse(
      `{ agent: { model: "ollama/llama3" }, channels: { discord: { dm: { policy: "pairing", allowFrom: ["1"] } } }, agents: { entries: { work: { name: "Work" } } } }`,
    );
    expect(config.agents?.defaults?.model).toBe("ollama/llama3");
    expect(config.channels?.discord?.dmPolicy).toBe("pairing");
    expect(config.channels?.discord?.allowFrom).toEqual(["1"]);
    expect(config.agents?.list?.map((a) => a.id)).toEqual(["work"]);
    expect(warnings).toHaveLength(3);
  });

  it("rejects allow together with alsoAllow in one scope", () => {
    const err = failure(() => parse(`{ tools: { allow: ["read"], alsoAllow: ["exec"] } }`));
    expect(err.message).toContain("tools cannot set both allow and alsoAllow");
  });

  it("returns secure defaults (an empty config) when the file is missing", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "hf-cfg-"));
    const loaded = await loadConfig(path.join(dir, "holdfast.json"), {});
    expect(loaded).toMatchObject({ exists: false, config: {} });
  });

  it("resolves paths from HOLDFAST_STATE_DIR and HOLDFAST_CONFIG_PATH", () => {
    expect(resolvePaths({ HOLDFAST_STATE_DIR: "/srv/hf" }, "/home/u").configPath).toBe("/srv/hf/holdfast.json");
    expect(resolvePaths({ HOLDFAST_CONFIG_PATH: "~/c.json" }, "/home/u").configPath).toBe("/home/u/c.json");
    expect(resolvePaths({}, "/home/u").stateDir).toBe("/home/u/.holdfast");
  });
});

describe("config writes", () => {
  it("writes atomically with mode 600, tightens the state dir and refuses invalid results", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "hf-cfgw-"));
    await chmod(dir, 0o755);
    const file = path.join(dir, "holdfast.json");
    await writeFile(file, `{ gateway: { port: 19001 } }`, { mode: 0o644 });
    await updateConfigFile(file, (raw) => setAtPath(raw, "gateway.auth.token", "a".repeat(48)), {
      HOLDFAST_STATE_DIR: dir,
    });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({
      gateway: { port: 19001, auth: { token: "a".repeat(48) } },
    });
    const before = await readFile(file, "utf8");
    await expect(
      updateConfigFile(file, (raw) => setAtPath(raw, "gateway.bind", "everywhere"), {}),
    ).rejects.toMatchObject({ code: "HF_CONFIG_INVALID" });
    expect(await readFile(file, "utf8")).toBe(before);
  });

  it("refuses prototype-polluting key paths", () => {
    expect(() => setAtPath({}, "__proto__.x", 1)).toThrow(/invalid config key path/);
  });
});
