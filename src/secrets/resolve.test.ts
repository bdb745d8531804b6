import { chmod, readFile, symlink } from "node:fs/promises";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { HoldfastConfig } from "../config/index.js";
import { isHoldfastError } from "../errors/index.js";
import { resolveAll, resolveSecrets } from "./resolve.js";
import { execProviderScript, privateTmp, writeWithMode } from "./test-helpers.fixture.js";

const withKey = (apiKey: unknown, secrets?: HoldfastConfig["secrets"]): HoldfastConfig =>
  ({ models: { providers: { openai: { apiKey } } }, ...(secrets ? { secrets } : {}) }) as HoldfastConfig;

describe("resolveAll: env refs", () => {
  it("resolves env refs (default alias) and the $NAME shorthand", async () => {
    const config = {
      gateway: { auth: { token: "$GW_TOKEN" } },
      models: { providers: { openai: { apiKey: { source: "env", provider: "default", id: "OPENAI_API_KEY" } } } },
    } as HoldfastConfig;
    const res = await resolveAll(config, { env: { OPENAI_API_KEY: "sk-env-value", GW_TOKEN: "tok-from-env" } });
    expect(res.failures).toEqual([]);
    expect(res.snapshot.get("models.providers.openai.apiKey")).toBe("sk-env-value");
    expect(res.snapshot.get("gateway.auth.token")).toBe("tok-from-env");
    expect(res.refsChecked).toBe(2);
  });

  it("reports a missing variable with the reference's message, never a value", async () => {
    const res = await resolveAll(withKey({ source: "env", provider: "default", id: "OPENAI_API_KEY" }), { env: {} });
    expect(res.failures).toHaveLength(1);
    expect(res.failures[0]?.message).toBe(
      "models.providers.openai.apiKey SecretRef is unresolved (env:default:OPENAI_API_KEY): environment variable OPENAI_API_KEY is not set.",
    );
  });

  it("honours an env provider allowlist ([] denies all) and refuses unknown providers", async () => {
    const denied = await resolveAll(
      withKey(
        { source: "env", provider: "strict", id: "OPENAI_API_KEY" },
        { providers: { strict: { source: "env", allowlist: [] } } },
      ),
      { env: { OPENAI_API_KEY: "x-value" } },
    );
    expect(denied.failures[0]?.message).toContain("not in the provider's allowlist");
    const unknown = await resolveAll(withKey({ source: "env", provider: "vault", id: "OPENAI_API_KEY" }), {
      env: { OPENAI_API_KEY: "x-value" },
    });
    expect(unknown.failures[0]?.message).toContain("no provider secrets.providers.vault is configured");
  });

  it("rejects ids outside the source grammar", async () => {
    const res = await resolveAll(withKey({ source: "env", provider: "default", id: "lower_case" }), {
      env: { lower_case: "v" },
    });
    expect(res.failures[0]?.message).toContain("env ids must match");
  });

  it("resolveSecrets throws HF_SECRET_UNRESOLVED naming the path", async () => {
    const err = await resolveSecrets(withKey("$NOPE_NOT_SET"), { env: {} }).catch((e: unknown) => e);
    expect(isHoldfastError(err, "HF_SECRET_UNRESOLVED")).toBe(true);
    expect((err as Error).message).toContain("models.providers.openai.apiKey");
  });
});

describe("resolveAll: file refs", () => {
  const fileConfig = (file: string, id: string, mode?: "json" | "singleValue") =>
    withKey(
      { source: "file", provider: "vault", id },
      { providers: { vault: { source: "file", path: file, ...(mode ? { mode } : {}) } } },
    );

  it("reads JSON pointers and single-value files from files of mode 600", async () => {
    const dir = await privateTmp();
    const json = await writeWithMode(
      path.join(dir, "s.json"),
      JSON.stringify({ providers: { "open/ai": { key: "file-secret-1" } } }),
      0o600,
    );
    expect(
      (await resolveAll(fileConfig(json, "/providers/open~1ai/key"), { env: {} })).snapshot.get(
        "models.providers.openai.apiKey",
      ),
    ).toBe("file-secret-1");
    const single = await writeWithMode(path.join(dir, "s.txt"), "single-secret\n", 0o400);
    expect(
      (await resolveAll(fileConfig(single, "value", "singleValue"), { env: {} })).snapshot.get(
        "models.providers.openai.apiKey",
      ),
    ).toBe("single-secret");
  });

  it("refuses files readable by group or others, naming the mode", async () => {
    const dir = await privateTmp();
    for (const mode of [0o644, 0o640, 0o604, 0o660]) {
      const file = await writeWithMode(
        path.join(dir, `m${mode.toString(8)}.json`),
        JSON.stringify({ k: "v-secret" }),
        mode,
      );
      const res = await resolveAll(fileConfig(file, "/k"), { env: {} });
      expect(res.failures[0]?.code).toBe("HF_SECRET_INSECURE_FILE");
      expect(res.failures[0]?.message).toContain(`mode ${mode.toString(8)}`);
      expect(res.snapshot.get("models.providers.openai.apiKey")).toBeUndefined();
    }
  });

  it("accepts a secret file exactly when no group/other permission bit is set (property)", async () => {
    const dir = await privateTmp();
    const file = await writeWithMode(path.join(dir, "p.json"), JSON.stringify({ k: "property-secret" }), 0o600);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 0o777 }), async (mode) => {
        await chmod(file, mode);
        const res = await resolveAll(fileConfig(file, "/k"), { env: {} });
        if ((mode & 0o077) !== 0) expect(res.failures[0]?.code).toBe("HF_SECRET_INSECURE_FILE");
        else expect(res.failures.every((f) => f.code !== "HF_SECRET_INSECURE_FILE")).toBe(true);
        if ((mode & 0o077) !== 0) expect(res.snapshot.get("models.providers.openai.apiKey")).toBeUndefined();
      }),
      { numRuns: 60 },
    );
  });

  it("refuses symlinks, missing pointers, non-string values and bad JSON", async () => {
    const dir = await privateTmp();
    const real = await writeWithMode(
      path.join(dir, "real.json"),
      JSON.stringify({ k: "v-secret", n: 42, e: "" }),
      0o600,
    );
    const link = path.join(dir, "link.json");
    await symlink(real, link);
    expect((await resolveAll(fileConfig(link, "/k"), { env: {} })).failures[0]?.message).toContain("symbolic link");
    expect((await resolveAll(fileConfig(real, "/missing"), { env: {} })).failures[0]?.message).toContain(
      "no value at JSON pointer /missing",
    );
    expect((await resolveAll(fileConfig(real, "/n"), { env: {} })).failures[0]?.message).toBe(
      "models.providers.openai.apiKey SecretRef resolved to a non-string value.",
    );
    expect((await resolveAll(fileConfig(real, "/e"), { env: {} })).failures[0]?.message).toBe(
      "models.providers.openai.apiKey SecretRef resolved to an empty value.",
    );
    const bad = await writeWithMode(path.join(dir, "bad.json"), "{nope", 0o600);
    expect((await resolveAll(fileConfig(bad, "/k"), { env: {} })).failures[0]?.message).toContain("not valid JSON");
  });

  it("needs a provider entry of the same source", async () => {
    const res = await resolveAll(
      withKey({ source: "file", provider: "vault", id: "/k" }, { providers: { vault: { source: "env" } } }),
      { env: {} },
    );
    expect(res.failures[0]?.message).toContain('has source "env", not "file"');
  });
});

describe("resolveAll: exec refs", () => {
  const execConfig = (command: string, extra: Record<string, unknown> = {}) =>
    ({
      gateway: { auth: { token: { source: "exec", provider: "vault", id: "gw/token" } } },
      models: { providers: { openai: { apiKey: { source: "exec", provider: "vault", id: "openai" } } } },
      secrets: { providers: { vault: { source: "exec", command, ...extra } } },
    }) as HoldfastConfig;

  it("runs the command once per provider with every id and reads the JSON protocol", async () => {
    const dir = await privateTmp();
    const cmd = await execProviderScript(dir, { openai: "exec-openai-secret", "gw/token": "exec-gateway-token" });
    const res = await resolveAll(execConfig(cmd), { env: {} });
    expect(res.failures).toEqual([]);
    expect(res.snapshot.get("gateway.auth.token")).toBe("exec-gateway-token");
    expect(res.snapshot.get("models.providers.openai.apiKey")).toBe("exec-openai-secret");
    expect((await readFile(path.join(dir, "runs.log"), "utf8")).trim().split("\n")).toHaveLength(1);
  });

  it("passes args literally (no shell) and the request on stdin", async () => {
    const dir = await privateTmp();
    const marker = path.join(dir, "pwned");
    const cmd = await writeWithMode(
      path.join(dir, "echo-args.sh"),
      `#!/bin/sh\nreq=$(cat)\nprintf '{"protocolVersion":1,"values":{"openai":"%s","gw/token":"%s"}}' "$1" "$(printf '%s' "$req" | tr -d '"{}:[],' )"\n`,
      0o700,
    );
    const res = await resolveAll(execConfig(cmd, { args: [`$(touch ${marker})`] }), { env: {} });
    expect(res.snapshot.get("models.providers.openai.apiKey")).toBe(`$(touch ${marker})`);
    expect(res.snapshot.get("gateway.auth.token")).toContain("protocolVersion1providervaultids");
    await expect(readFile(marker)).rejects.toThrow();
  });

  it("kills a command that overruns its timeout", async () => {
    const dir = await privateTmp();
    const cmd = await execProviderScript(dir, { openai: "late" }, { sleepSec: 5 });
    const res = await resolveAll(execConfig(cmd, { timeoutMs: 200 }), { env: {} });
    expect(res.failures[0]?.message).toContain("timed out after 200 ms");
  });

  it("fails on a non-zero exit, an untrusted command, or a relative path", async () => {
    const dir = await privateTmp();
    const failing = await execProviderScript(dir, { openai: "x-secret" }, { exitCode: 3, name: "fail.sh" });
    expect((await resolveAll(execConfig(failing), { env: {} })).failures[0]?.message).toContain("exited with code 3");
    const writable = await execProviderScript(dir, { openai: "x-secret" }, { name: "writable.sh" });
    await writeWithMode(writable, await readFile(writable, "utf8"), 0o777);
    expect((await resolveAll(execConfig(writable), { env: {} })).failures[0]?.message).toContain(
      "writable by group or others",
    );
    expect((await resolveAll(execConfig("provider.sh"), { env: {} })).failures[0]?.message).toContain(
      "must be an absolute path",
    );
    expect(
      (await resolveAll(execConfig(failing, { trustedDirs: ["/usr/local/libexec"] }), { env: {} })).failures[0]
        ?.message,
    ).toContain("not inside trustedDirs");
  });

  it("skips exec refs when allowExec is false", async () => {
    const res = await resolveAll(execConfig("/nonexistent"), { env: {}, allowExec: false });
    expect(res.skippedExecRefs).toBe(2);
    expect(res.failures).toEqual([]);
  });
});
