import { describe, expect, it } from "vitest";
import { validateConfig } from "../../config/index.js";
import { resolveWhatsAppAccounts } from "./settings.js";

const src = (whatsapp: Record<string, unknown>) => ({
  config: validateConfig({ channels: { whatsapp } }).config,
  secrets: { get: () => undefined },
  env: {},
});

describe("WhatsApp account settings", () => {
  it("one account per block, its auth dir under <stateDir>/credentials/whatsapp, access keys inherited", () => {
    const accounts = resolveWhatsAppAccounts(
      src({
        allowFrom: ["+15551234567"],
        selfChatMode: true,
        accounts: { work: { sendReadReceipts: true }, off: { enabled: false } },
      }),
      "/state",
    );
    expect(accounts).toEqual([
      expect.objectContaining({
        accountId: "work",
        configPath: "channels.whatsapp.accounts.work",
        authDir: "/state/credentials/whatsapp/work",
        selfChatMode: true,
        sendReadReceipts: true,
        textLimit: 4000,
        access: expect.objectContaining({ allowFrom: ["+15551234567"] }),
      }),
    ]);
    expect(resolveWhatsAppAccounts(src({ textChunkLimit: 99_000 }), "/s")[0]).toMatchObject({
      accountId: "default",
      authDir: "/s/credentials/whatsapp/default",
      selfChatMode: false,
      sendReadReceipts: false,
      textLimit: 65_536,
    });
  });

  it("refuses non-boolean selfChatMode and sendReadReceipts, naming the key", () => {
    expect(() => validateConfig({ channels: { whatsapp: { selfChatMode: "yes" } } })).toThrow(
      /channels\.whatsapp\.selfChatMode/,
    );
  });
});
