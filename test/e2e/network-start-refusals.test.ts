import { access } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeStateDir, runCli } from "../support/gateway-process.js";

const STRONG = "Vq8rT2mK5xW9zL3pN7bC4fH6jD1sG0yA";

async function start(config: Record<string, unknown>, env: Record<string, string> = {}, args: string[] = []) {
  const stateDir = await makeStateDir(config);
  const res = await runCli(stateDir, ["gateway", "--port", "0", ...args], { env });
  return { ...res, stateDir };
}

describe("the gateway refuses unsafe exposure at start (real process exits)", () => {
  it("refuses bind lan without auth: exit 78 and the refusal on stderr, no token generated", async () => {
    const res = await start({ gateway: { bind: "lan" } });
    expect(res.code).toBe(78);
    expect(res.stderr.split("\n")[0]).toBe("Refusing to bind gateway to lan without auth.");
    expect(res.stdout).not.toContain("listening");
    await expect(access(path.join(res.stateDir, "credentials", "gateway-token"))).rejects.toThrow();
  });

  it("refuses --bind lan on the command line just the same, and auth none on lan", async () => {
    expect(await start({}, {}, ["--bind", "lan"])).toMatchObject({
      code: 78,
      stderr: expect.stringMatching(/^Refusing to bind gateway to lan without auth\./),
    });
    expect(await start({ gateway: { bind: "lan", auth: { mode: "none" } } })).toMatchObject({
      code: 78,
      stderr: expect.stringMatching(/^Refusing to bind gateway to lan without auth\./),
    });
    expect(await start({}, {}, ["--bind", "everywhere"])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--bind must be one of"),
    });
  });

  it("refuses tailscale funnel without password auth", async () => {
    const res = await start(
      { gateway: { tailscale: { mode: "funnel" }, auth: { mode: "token" } } },
      { HOLDFAST_GATEWAY_TOKEN: STRONG },
    );
    expect(res.code).toBe(78);
    expect(res.stderr).toContain("tailscale funnel requires gateway auth mode=password");
  });

  it("refuses weak tokens and passwords from config or environment without printing them", async () => {
    for (const [config, env, source] of [
      [{ gateway: { auth: { token: "replace-with-long-random-token" } } }, {}, "gateway.auth.token"],
      [{}, { HOLDFAST_GATEWAY_TOKEN: "changeme" }, "HOLDFAST_GATEWAY_TOKEN"],
      [{}, { HOLDFAST_GATEWAY_TOKEN: "only-20-characters!!" }, "HOLDFAST_GATEWAY_TOKEN"],
      [{ gateway: { auth: { mode: "password", password: "your-password" } } }, {}, "gateway.auth.password"],
    ] as const) {
      const res = await start(config, env);
      expect(res.code, source).toBe(78);
      expect(res.stderr).toContain(`Gateway ${source.includes("password") ? "password" : "token"} from ${source}`);
      for (const v of ["replace-with-long-random-token", "changeme", "only-20-characters", "your-password"])
        expect(res.stderr + res.stdout).not.toContain(v);
    }
  });
});
