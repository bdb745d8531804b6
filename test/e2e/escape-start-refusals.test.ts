import { randomBytes } from "node:crypto";
import { chmod, chown, link, mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeStateDir, runCli } from "../support/gateway-process.js";

/** Starts `holdfast gateway` as a real process in a state dir prepared by `prepare`; it must exit. */
async function start(
  config: Record<string, unknown>,
  opts: { env?: Record<string, string>; prepare?: (stateDir: string) => Promise<void> } = {},
) {
  const stateDir = await makeStateDir(config);
  await opts.prepare?.(stateDir);
  const res = await runCli(stateDir, ["gateway", "--port", "0"], { env: opts.env ?? {}, timeoutMs: 10_000 });
  return { ...res, stateDir };
}

/** Writes the generated-token file (`credentials/gateway-token`) with `content` and `mode`. */
async function tokenFile(stateDir: string, content: string, mode = 0o600): Promise<string> {
  const dir = path.join(stateDir, "credentials");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, "gateway-token");
  await writeFile(file, content, { mode });
  await chmod(file, mode);
  return file;
}

const STRONG = "Tq5mW8zK2xR7vL1pN4bC9fH3jD6sG0yE";
const hex32 = () => `${randomBytes(32).toString("hex")}\n`;

/**
 * Escape table, start-up refusals (each started on the gateway before): a guessable secret on a network
 * bind, a generated token file others can read, plant or share, and a state dir of another user.
 */
describe("escape table: the gateway refuses to start on unsafe credentials and state (real process exits)", () => {
  it("refuses an aaaaaaaa-grade token on a network bind however long it is, without printing it", async () => {
    const weak = "a".repeat(40);
    const res = await start(
      { gateway: { bind: "lan", tls: { enabled: true, autoGenerate: true } } },
      { env: { HOLDFAST_GATEWAY_TOKEN: weak } },
    );
    expect(res.code).toBe(78);
    expect(res.stderr).toContain("Gateway token from HOLDFAST_GATEWAY_TOKEN is too easy to guess");
    expect(res.stdout + res.stderr).not.toContain("aaaaaaaa");
  });

  it("refuses a generated token file that is world-readable, symlinked, hard-linked or short", async () => {
    const cases: [string, (dir: string) => Promise<void>][] = [
      ["has mode 644", async (dir) => void (await tokenFile(dir, hex32(), 0o644))],
      [
        "is a symbolic link",
        async (dir) => {
          const real = path.join(dir, "elsewhere-token");
          await writeFile(real, hex32(), { mode: 0o600 });
          await mkdir(path.join(dir, "credentials"), { mode: 0o700 });
          await symlink(real, path.join(dir, "credentials", "gateway-token"));
        },
      ],
      [
        "has 2 hard links",
        async (dir) => void (await link(await tokenFile(dir, hex32()), path.join(dir, "token-copy"))),
      ],
      ["does not hold 32 random bytes", async (dir) => void (await tokenFile(dir, "0123456789abcdef\n"))],
    ];
    for (const [why, prepare] of cases) {
      const res = await start({}, { prepare });
      expect(res.code, why).toBe(78);
      expect(res.stderr, why).toContain(why);
      expect(res.stdout, why).not.toContain("listening");
    }
  });

  it.skipIf(process.getuid?.() !== 0)("refuses a state dir that belongs to another user", async () => {
    const res = await start({}, { prepare: (dir) => chown(dir, 65534, 65534) });
    expect(res.code).toBe(78);
    expect(res.stderr).toContain("belongs to uid 65534, not to this user");
  });

  it("refuses a network bind without TLS and says how to turn on the built-in TLS", async () => {
    const res = await start({ gateway: { bind: "lan" } }, { env: { HOLDFAST_GATEWAY_TOKEN: STRONG } });
    expect(res.code).toBe(78);
    expect(res.stderr).toContain("Refusing to bind gateway to lan (0.0.0.0) without TLS");
    expect(res.stderr).toContain("holdfast config set gateway.tls.autoGenerate true");
    expect(res.stderr).toContain("gateway.tls.dangerouslyAllowPlaintext");
    expect(res.stdout).not.toContain("listening");
  });

  it("refuses trusted-proxy auth that trusts every address as a proxy", async () => {
    for (const range of ["0.0.0.0/0", "::/0", "10.0.0.0/7"]) {
      const res = await start({
        gateway: { auth: { mode: "trusted-proxy", trustedProxy: { userHeader: "x-user" } }, trustedProxies: [range] },
      });
      expect(res.code, range).toBe(78);
      expect(res.stderr, range).toContain(`gateway.trustedProxies "${range}"`);
      expect(res.stderr, range).toContain("can claim any user");
    }
  });

  it("refuses a privilege-narrowing key it does not enforce instead of ignoring it", async () => {
    const res = await start({
      tools: { loopDetection: { enabled: true } },
      session: { sendPolicy: { default: "deny" } },
    });
    expect(res.code).toBe(78);
    expect(res.stderr).toContain("tools.loopDetection: would narrow privileges, but holdfast does not enforce it");
    expect(res.stderr).toContain("session.sendPolicy: would narrow privileges");
  });
});
