import { describe, expect, it } from "vitest";
import { validateConfig } from "../config/index.js";
import { SIGNAL_BOT } from "../../test/support/contract-signal.js";
import { FakeSignal } from "../../test/support/fake-signal.js";
import { channelServices } from "./channel-services.js";

const config = (httpUrl: string) =>
  validateConfig({ channels: { signal: { account: SIGNAL_BOT.number, httpUrl } } }).config;

describe("doctor: the signal-cli daemon", () => {
  it("explains how to start signal-cli when nothing answers at httpUrl", async () => {
    const fake = await FakeSignal.start(SIGNAL_BOT, []);
    const url = fake.url;
    await fake.close();
    const [row] = await channelServices(config(url), {});
    const port = new URL(url).port;
    expect(row).toMatchObject({ channel: "signal", path: "channels.signal.httpUrl", present: false });
    expect(row?.note).toContain(`no signal-cli daemon at ${url}`);
    expect(row?.note).toContain(`signal-cli -a ${SIGNAL_BOT.number} daemon --http 127.0.0.1:${port}`);
    expect(row?.note).toContain("Java 21");
  });

  it("reports a daemon that answers /api/v1/check", async () => {
    const fake = await FakeSignal.start(SIGNAL_BOT, []);
    try {
      expect(await channelServices(config(fake.url), {})).toEqual([
        {
          channel: "signal",
          path: "channels.signal.httpUrl",
          present: true,
          note: `signal-cli daemon answers at ${fake.url}`,
        },
      ]);
    } finally {
      await fake.close();
    }
  });
});
