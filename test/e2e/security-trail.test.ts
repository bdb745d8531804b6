import { readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/client/index.js";
import { makeStateDir, runCli, spawnGateway, type GatewayProcess } from "../support/gateway-process.js";

interface Shown {
  entries: { seq: number; type: string; actor?: Record<string, string>; details?: Record<string, unknown> }[];
}

describe("security trail: events from the gateway and the CLI, hash-chained, verify catches an edited line", () => {
  let stateDir: string;
  let gw: GatewayProcess;
  let trailFile: string;

  beforeAll(async () => {
    stateDir = await makeStateDir();
    trailFile = path.join(stateDir, "audit", "security.jsonl");
    gw = await spawnGateway(stateDir);
  });

  afterAll(async () => {
    await gw?.stop();
  });

  it("records a failed connect, a config change and a secrets reload; show filters; verify passes", async () => {
    const wrong = "wrong-token-000000000000000000000000";
    await expect(GatewayClient.connect({ url: gw.url, token: wrong, scopes: ["operator.read"] })).rejects.toThrow();
    expect((await runCli(stateDir, ["config", "set", "logging.level", "debug"])).code).toBe(0);
    expect((await runCli(stateDir, ["secrets", "reload"])).code).toBe(0);
    await expect.poll(async () => (await readFile(trailFile, "utf8")).includes("secrets.reloaded")).toBe(true);

    const all = JSON.parse((await runCli(stateDir, ["audit-log", "show", "--json"])).stdout) as Shown;
    expect(all.entries.map((e) => e.type)).toEqual(
      expect.arrayContaining(["auth.failed", "config.changed", "secrets.reloaded"]),
    );
    const config = all.entries.find((e) => e.type === "config.changed");
    expect(config?.actor).toEqual({ kind: "cli", command: "config set" });
    expect(config?.details).toEqual({ paths: ["logging.level"] });
    expect(all.entries.find((e) => e.type === "auth.failed")?.actor).toEqual({ kind: "network", ip: "127.0.0.1" });
    expect(all.entries.find((e) => e.type === "secrets.reloaded")?.actor?.kind).toBe("gateway");

    const auth = JSON.parse(
      (await runCli(stateDir, ["audit-log", "show", "--type", "auth", "--json"])).stdout,
    ) as Shown;
    expect(auth.entries.every((e) => e.type.startsWith("auth."))).toBe(true);
    const later = await runCli(stateDir, ["audit-log", "show", "--since", "2999-01-01"]);
    expect(later.stdout).toContain("no security events match");
    expect((await runCli(stateDir, ["audit-log", "show", "--type", "nonsense"])).code).not.toBe(0);

    const text = await readFile(trailFile, "utf8");
    expect(text).not.toContain(wrong);
    expect(text).not.toContain(await gw.token());
    expect((await stat(trailFile)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(trailFile))).mode & 0o777).toBe(0o700);
    const ok = await runCli(stateDir, ["audit-log", "verify"]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^ok: \d+ entries, chain intact/);
  });

  it("verify exits non-zero and names the first broken entry after one line is edited, and after the last is removed", async () => {
    const lines = (await readFile(trailFile, "utf8")).split("\n").filter((l) => l !== "");
    const i = lines.findIndex((l) => l.includes('"config.changed"'));
    const edited = [...lines];
    edited[i] = (lines[i] as string).replace("logging.level", "logging.file");
    await writeFile(trailFile, `${edited.join("\n")}\n`);
    const bad = await runCli(stateDir, ["audit-log", "verify"]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`BROKEN at line ${i + 1} (seq ${i + 1}): the entry was changed`);
    const json = JSON.parse((await runCli(stateDir, ["audit-log", "verify", "--json"])).stdout) as {
      ok: boolean;
      line: number;
    };
    expect(json).toMatchObject({ ok: false, line: i + 1 });

    await writeFile(trailFile, `${lines.slice(0, -1).join("\n")}\n`);
    const cut = await runCli(stateDir, ["audit-log", "verify"]);
    expect(cut.code).toBe(1);
    expect(cut.stdout).toContain("were removed");
    await writeFile(trailFile, `${lines.join("\n")}\n`);
    expect((await runCli(stateDir, ["audit-log", "verify"])).code).toBe(0);
  });
});
