import { existsSync, statSync } from "node:fs";
import { mkdtemp, readFile, writeFile, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type * as Baileys from "baileys";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeWhatsApp, linkedCredsJson, WA_BOT } from "../../../test/support/fake-baileys.js";

/** Baileys' `makeWASocket` replaced by the fake: everything else of the real connector runs. */
const wa = vi.hoisted(() => ({ fake: undefined as FakeWhatsApp | undefined }));
vi.mock("baileys", async (importOriginal) => {
  const real = await importOriginal<typeof Baileys>();
  return {
    ...real,
    makeWASocket: (cfg: Parameters<typeof real.makeWASocket>[0]) =>
      wa.fake?.connector.connect({ auth: cfg.auth, log: undefined as never }),
  };
});

const { main } = await import("../main.js");

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => void out.push(l), err: (l: string) => void err.push(l) } };
}
const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!cond()) throw new Error(`timed out: ${what}`);
};
const cli = (args: string[], o: ReturnType<typeof io>) => main(["node", "holdfast", "channels", ...args], o.io);

describe("holdfast channels login|logout --channel whatsapp (real connector, Baileys' socket faked)", () => {
  let stateDir: string;
  let fake: FakeWhatsApp;
  const authDir = (account = "default") => path.join(stateDir, "credentials", "whatsapp", account);

  beforeEach(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), "hf-wa-cli-"));
    vi.stubEnv("HOLDFAST_STATE_DIR", stateDir);
    vi.stubEnv("HOLDFAST_CONFIG_PATH", path.join(stateDir, "holdfast.json"));
    fake = new FakeWhatsApp();
    wa.fake = fake;
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("login shows the QR in the terminal, links after the scan and stores the session 600 in 700", async () => {
    const o = io();
    const done = cli(["login", "--channel", "whatsapp", "--account", "work"], o);
    await until(() => o.out.some((l) => l.includes("a new code appears")), "the QR code");
    const qr = o.out.filter((l) => /[█▀▄]/.test(l));
    expect(qr.length).toBeGreaterThan(10);
    expect(o.out.join("\n")).toContain("Settings → Linked devices → Link a device");
    fake.scan();
    expect(await done).toBe(0);
    expect(o.out.at(-2)).toContain(`linked WhatsApp ${WA_BOT.number} as account "work"`);
    expect(fake.connections).toBe(2);
    expect(statSync(authDir("work")).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(authDir("work"), "creds.json")).mode & 0o777).toBe(0o600);
    const creds = JSON.parse(await readFile(path.join(authDir("work"), "creds.json"), "utf8")) as {
      me?: { id: string };
    };
    expect(creds.me?.id).toBe(WA_BOT.deviceJid);

    const again = io();
    expect(await cli(["login", "--channel", "whatsapp", "--account", "work"], again)).toBe(0);
    expect(again.out.join("\n")).toContain("already linked");
    expect(fake.connections).toBe(2);
  });

  it("a QR that is never scanned ends the login with one clear error and leaves nothing behind", async () => {
    const o = io();
    const done = cli(["login", "--channel", "whatsapp"], o);
    await until(() => o.out.some((l) => l.includes("a new code appears")), "the QR code");
    fake.qrExpires();
    expect(await done).not.toBe(0);
    expect(o.err.join("\n")).toContain("the QR code was not scanned in time");
    expect(existsSync(authDir())).toBe(false);
  });

  it("login refuses other channels", async () => {
    const o = io();
    expect(await cli(["login", "--channel", "telegram"], o)).toBe(2);
    expect(o.err.join("\n")).toContain("channels login links a WhatsApp device");
  });

  it("logout unlinks the device from WhatsApp and removes its session", async () => {
    await mkdir(authDir(), { recursive: true, mode: 0o700 });
    await writeFile(path.join(authDir(), "creds.json"), linkedCredsJson(), { mode: 0o600 });
    const o = io();
    expect(await cli(["logout", "--channel", "whatsapp"], o)).toBe(0);
    expect(fake.sockets[0]?.loggedOut).toBe(true);
    expect(fake.linked).toBe(false);
    expect(existsSync(authDir())).toBe(false);
    expect(o.out.join("\n")).toContain("unlinked from WhatsApp");
    expect(o.out.join("\n")).toContain("deleted stored credentials");
  });

  it("logout still deletes the session when WhatsApp had already logged the device out", async () => {
    await mkdir(authDir(), { recursive: true, mode: 0o700 });
    await writeFile(path.join(authDir(), "creds.json"), linkedCredsJson(), { mode: 0o600 });
    fake.linked = false;
    const o = io();
    expect(await cli(["logout", "--channel", "whatsapp", "--json"], o)).toBe(0);
    const res = JSON.parse(o.out.join("\n")) as { changes: { what: string; note: string }[] };
    expect(res.changes.map((c) => c.note)).toEqual([
      "WhatsApp had already logged this device out",
      "deleted stored credentials",
    ]);
    expect(existsSync(authDir())).toBe(false);
  });
});
