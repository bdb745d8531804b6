import { describe, expect, it } from "vitest";
import { channelHealth, channelSummary } from "./summary.js";

const accounts = [
  { channel: "telegram", accountId: "default", state: "running", mode: "polling", botUsername: "mybot" },
  { channel: "telegram", accountId: "work", state: "failed", errorCode: "HF_CHANNEL_AUTH" },
] as const;

describe("channel facts for status and health", () => {
  it("prints one status line per account after WebChat", () => {
    expect(channelSummary(accounts)).toEqual([
      "WebChat: on the gateway socket",
      "Telegram default: running (polling, @mybot)",
      "Telegram work: failed (HF_CHANNEL_AUTH)",
    ]);
  });

  it("groups accounts by channel for health, with order and labels", () => {
    expect(channelHealth(accounts)).toEqual({
      channels: {
        telegram: {
          configured: true,
          running: true,
          accounts: {
            default: { state: "running", running: true, mode: "polling", botUsername: "mybot" },
            work: { state: "failed", running: false, errorCode: "HF_CHANNEL_AUTH" },
          },
        },
      },
      channelOrder: ["telegram"],
      channelLabels: { telegram: "Telegram" },
    });
    expect(channelHealth([])).toEqual({ channels: {}, channelOrder: [], channelLabels: {} });
  });
});
