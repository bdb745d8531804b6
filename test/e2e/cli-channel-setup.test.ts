import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGNAL_BOT } from "../support/contract-signal.js";
import { FakeSignal } from "../support/fake-signal.js";
import { makeStateDir, mockModelConfig, mockOnboardArgs, runCli } from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

type Doctor = {
  gateway: { preconditions: { id: string; ok: boolean; detail: string }[] };
  channels: { channel: string; path: string; present: boolean; note: string }[];
};

describe("Signal, BlueBubbles and WhatsApp in onboarding and doctor, through the CLI", () => {
  let mock: MockModelServer;
  beforeAll(async () => {
    mock = await startMockModelServer();
  });
  afterAll(() => mock.close());

  const modelFlags = () => mockOnboardArgs(mock.url);
  const env = { MOCK_KEY: "mock-key-not-secret", BB_PW: "bb-password-not-in-config" };

  it("onboard --non-interactive sets up all three with DM policy pairing; doctor checks them without writing", async () => {
    const signal = await FakeSignal.start(SIGNAL_BOT, []);
    const signalUrl = signal.url;
    const stateDir = await makeStateDir({});
    const flags = [
      "--signal-account",
      SIGNAL_BOT.number,
      "--signal-http-url",
      signalUrl,
      "--bluebubbles-server-url",
      "http://127.0.0.1:1234",
      "--bluebubbles-password-env",
      "BB_PW",
      "--whatsapp",
    ];
    const res = await runCli(stateDir, [...modelFlags(), ...flags, "--json"], { env });
    expect(res.code, res.stderr).toBe(0);
    const report = JSON.parse(res.stdout) as { channels: { id: string; dmPolicy: string; next?: string }[] };
    expect(report.channels).toEqual([
      {
        id: "signal",
        dmPolicy: "pairing",
        next: expect.stringMatching(/signal-cli daemon answers: .*holdfast doctor$/),
      },
      { id: "bluebubbles", dmPolicy: "pairing" },
      {
        id: "whatsapp",
        dmPolicy: "pairing",
        next: expect.stringMatching(/^link the device .*holdfast channels login --channel whatsapp$/),
      },
    ]);
    const text = await readFile(path.join(stateDir, "holdfast.json"), "utf8");
    expect(text).not.toContain(env.BB_PW);
    expect((JSON.parse(text) as { channels: unknown }).channels).toEqual({
      signal: { enabled: true, dmPolicy: "pairing", account: SIGNAL_BOT.number, httpUrl: signalUrl },
      bluebubbles: { enabled: true, dmPolicy: "pairing", serverUrl: "http://127.0.0.1:1234", password: "${BB_PW}" },
      whatsapp: { enabled: true, dmPolicy: "pairing" },
    });
    // The human report ends with each channel's next step.
    const again = await runCli(stateDir, [...modelFlags(), ...flags], { env });
    expect(again.stdout).toContain("nothing changed");
    expect(again.stdout).toMatch(/whatsapp: link the device \(scan the QR code\): .*channels login --channel whatsapp/);

    // With the daemon up, doctor finds it.
    const ok = JSON.parse((await runCli(stateDir, ["doctor", "--json"], { env })).stdout) as Doctor;
    expect(ok.channels.find((c) => c.path === "channels.signal.httpUrl")).toMatchObject({
      present: true,
      note: `signal-cli daemon answers at ${signalUrl}`,
    });
    await signal.close();
    // Doctor: the start check resolves every account as the gateway does, and writes nothing.
    const before = await readdir(stateDir);
    const doc = await runCli(stateDir, ["doctor", "--json"], { env });
    const r = JSON.parse(doc.stdout) as Doctor;
    expect(r.gateway.preconditions.find((p) => p.id === "channels")).toEqual({
      id: "channels",
      ok: true,
      detail: "channel settings usable: signal (1 account), bluebubbles (1 account), whatsapp (1 account)",
    });
    const port = new URL(signalUrl).port;
    expect(r.channels.find((c) => c.path === "channels.signal.httpUrl")).toMatchObject({
      present: false,
      note: expect.stringContaining(`signal-cli -a ${SIGNAL_BOT.number} daemon --http 127.0.0.1:${port}`),
    });
    expect(r.channels.find((c) => c.channel === "whatsapp")).toMatchObject({
      present: false,
      note: expect.stringContaining("channels login --channel whatsapp"),
    });
    expect(r.channels.find((c) => c.channel === "bluebubbles")).toMatchObject({ present: true });
    expect(await readdir(stateDir)).toEqual(before);
    await expect(readdir(path.join(stateDir, "credentials", "bluebubbles"))).rejects.toThrow();
    const human = await runCli(stateDir, ["doctor"], { env });
    expect(human.stdout).toMatch(/MISSING channels\.signal\.httpUrl: no signal-cli daemon at /);
    expect(human.stdout).not.toContain(env.BB_PW);
  }, 120_000);

  it("a channel's flags come together or not at all, each value checked as the channel stage checks it", async () => {
    const stateDir = await makeStateDir({});
    const run = (...flags: string[]) => runCli(stateDir, [...modelFlags(), "--skip-probe", ...flags], { env });
    const half = await run("--bluebubbles-server-url", "http://127.0.0.1:1234");
    expect(half.code).not.toBe(0);
    expect(half.stderr).toContain("iMessage (BlueBubbles) also needs --bluebubbles-password-env <VAR>");
    const number = await run("--signal-account", "5551234");
    expect(number.stderr).toContain('--signal-account: a phone number in E.164 form ("+15551234567")');
    const plain = await run(
      "--bluebubbles-server-url",
      "http://192.0.2.10:1234",
      "--bluebubbles-password-env",
      "BB_PW",
    );
    expect(plain.stderr).toContain("--bluebubbles-server-url: plain http:// is allowed only to a loopback host");
    const value = await run("--signal-account", SIGNAL_BOT.number, "--bluebubbles-password-env", "not a var");
    expect(value.stderr).toContain("--bluebubbles-password-env names an environment variable");
    expect(await readFile(path.join(stateDir, "holdfast.json"), "utf8")).not.toContain("channels");
  }, 60_000);

  it("doctor and the gateway refuse the same Signal and BlueBubbles settings", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { signal: { account: SIGNAL_BOT.number, httpUrl: "http://192.0.2.1:8080" } },
        "channels.signal.httpUrl: plain http://",
      ],
      [{ signal: { account: "15550000001" } }, "channels.signal.account: must be a phone number in E.164 form"],
      [{ bluebubbles: { serverUrl: "http://127.0.0.1:1234" } }, "channels.bluebubbles.password: required"],
    ];
    for (const [channels, why] of cases) {
      const stateDir = await makeStateDir({ ...mockModelConfig(mock.url), channels });
      const doc = await runCli(stateDir, ["doctor", "--json"]);
      expect(doc.code).toBe(1);
      expect((JSON.parse(doc.stdout) as Doctor).gateway.preconditions.find((p) => !p.ok)).toMatchObject({
        id: "channels",
        detail: expect.stringContaining(why),
      });
      const start = await runCli(stateDir, ["gateway", "--port", "0"]);
      expect(start.code).toBe(78);
      expect(start.stderr).toContain(why);
    }
  }, 90_000);
});
