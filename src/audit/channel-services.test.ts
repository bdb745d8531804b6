import { describe, expect, it } from "vitest";
import { auditIds } from "./test-context.fixture.js";

describe("Signal and BlueBubbles audit checks (OpenClaw checkIds)", () => {
  it("reports open DM policies, a plaintext password and plain-http remote URLs", async () => {
    const ids = await auditIds({
      channels: {
        signal: { account: "+15550000001", httpUrl: "http://10.0.0.5:8080", dmPolicy: "open", allowFrom: ["*"] },
        bluebubbles: {
          serverUrl: "http://192.168.1.20:1234",
          password: "plain-password-in-config",
          dmPolicy: "open",
          allowFrom: ["*"],
          webhookPath: "/bluebubbles-webhook/short",
        },
      },
    });
    expect(ids).toEqual(
      expect.arrayContaining([
        "channels.signal.dm.open:critical",
        "channels.bluebubbles.dm.open:critical",
        "channels.signal.httpUrl.insecure:critical",
        "channels.bluebubbles.serverUrl.insecure:critical",
        "channels.bluebubbles.webhookPath.weak_secret:critical",
        "secrets.plaintext_in_config:warn",
      ]),
    );
  });

  it("is quiet about loopback http, https and a SecretRef password", async () => {
    const ids = await auditIds({
      channels: {
        signal: { account: "+15550000001", httpUrl: "http://127.0.0.1:8080" },
        bluebubbles: {
          serverUrl: "https://mac.example.net",
          password: { source: "env", provider: "default", id: "BB_PASSWORD" },
        },
      },
    });
    expect(ids.filter((i) => /insecure|weak_secret|plaintext/.test(i))).toEqual([]);
  });
});
