import { execFile } from "node:child_process";
import { chmod, mkdtemp, readFile, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { instanceId } from "../../src/logging/index.js";
import { REPO_ROOT, makeStateDir, runCli } from "../support/gateway-process.js";

const userSystemd = await promisify(execFile)("systemctl", ["--user", "is-system-running"]).then(
  () => true,
  (err: { stdout?: string }) => /running|degraded/.test(err.stdout ?? ""),
);

describe.skipIf(process.platform !== "linux")("holdfast daemon (systemd user unit)", () => {
  it("writes the unit and a 600 env file with what the config needs; status and uninstall", async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), "holdfast-home-"));
    await chmod(home, 0o700);
    const stateDir = await makeStateDir({
      models: { providers: { openai: { apiKey: "${OPENAI_API_KEY}" } } },
      channels: { telegram: { botToken: "${MY_BOT_TOKEN}" } },
    });
    const env = { HOME: home, OPENAI_API_KEY: "sk-test-daemon-0123456789" };
    const res = await runCli(stateDir, ["daemon", "install", "--no-start", "--json"], { env });
    expect(res.code, res.stderr).toBe(0);
    const report = JSON.parse(res.stdout) as { file: string; envFile: string; missingVars: string[]; unit: string };
    expect(report.unit).toBe(`holdfast-gateway-${instanceId(stateDir)}.service`);
    expect(report.file).toBe(path.join(home, ".config", "systemd", "user", report.unit));
    expect(report.missingVars).toEqual(["MY_BOT_TOKEN"]);
    const unit = await readFile(report.file, "utf8");
    expect(unit).toContain(`ExecStart=${process.execPath} ${path.join(REPO_ROOT, "bin/holdfast.mjs")} gateway`);
    expect(unit).toContain(`EnvironmentFile=${path.join(stateDir, "gateway.env")}`);
    expect(unit).toContain("RestartPreventExitStatus=78");
    expect(unit).toContain("UMask=0077");
    expect(unit).toContain("WantedBy=default.target");
    expect((await stat(report.envFile)).mode & 0o777).toBe(0o600);
    const envText = await readFile(report.envFile, "utf8");
    expect(envText).toContain(`HOLDFAST_STATE_DIR=${stateDir}`);
    expect(envText).toContain("OPENAI_API_KEY=sk-test-daemon-0123456789");
    expect(envText).not.toContain("MY_BOT_TOKEN");
    const again = await runCli(stateDir, ["daemon", "install", "--no-start"], { env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("--force");
    const status = await runCli(stateDir, ["daemon", "status", "--json"], { env });
    expect(JSON.parse(status.stdout)).toMatchObject({ installed: true, envFile: { mode: "600" }, gateway: null });
    const gone = await runCli(stateDir, ["daemon", "uninstall"], { env });
    expect(gone.code).toBe(0);
    await expect(stat(report.file)).rejects.toThrow();
    await expect(stat(report.envFile)).rejects.toThrow();
    expect((await runCli(stateDir, ["daemon", "status"], { env })).code).toBe(1);
  }, 60_000);

  it.skipIf(!userSystemd)(
    "starts the gateway under systemctl --user and stops it on uninstall",
    async () => {
      const stateDir = await makeStateDir({ gateway: { port: 0 } });
      const res = await runCli(stateDir, ["daemon", "install", "--json"]);
      expect(res.code, res.stderr).toBe(0);
      try {
        await expect
          .poll(async () => JSON.parse((await runCli(stateDir, ["daemon", "status", "--json"])).stdout) as unknown, {
            timeout: 20_000,
          })
          .toMatchObject({ active: true, gateway: { supervised: true } });
      } finally {
        expect((await runCli(stateDir, ["daemon", "uninstall"])).code).toBe(0);
      }
    },
    60_000,
  );
});
