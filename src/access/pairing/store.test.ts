import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cliHint } from "../../infra/index.js";
import { PairingStore, pairingKey, pairingReplyText, PAIRING_APPROVED_TEXT } from "../index.js";
import { AllowStore } from "./store.js";

const clockAt = (t: { now: number }) => ({ now: () => t.now, sleep: async () => undefined });

describe("pairing stores (reference §4.3)", () => {
  it("sends the pairing reply in the reference's shape", () => {
    expect(pairingReplyText("telegram", "42", "ABCD2345").split("\n")).toEqual([
      "holdfast: access not configured.",
      "",
      "Your Telegram user id: 42",
      "Pairing code:",
      "```",
      "ABCD2345",
      "```",
      "",
      "Ask the bot owner to approve with:",
      "```",
      cliHint("pairing approve telegram ABCD2345"),
      "```",
    ]);
    expect(PAIRING_APPROVED_TEXT).toBe("✅ holdfast access approved. Send a message to start chatting.");
  });

  it("sanitizes channel and account keys for file names", () => {
    expect(pairingKey(" Tele/gram:..x ", "channel")).toBe("tele_gram__x");
    expect(() => pairingKey("  ", "account id")).toThrow(/invalid pairing account id/);
    const allow = new AllowStore("/c", "telegram");
    expect(allow.file("default")).toBe("/c/telegram-allowFrom.json");
    expect(allow.file("Work")).toBe("/c/telegram-work-allowFrom.json");
  });

  it("keeps one request per sender, refreshes lastSeenAt, rejects and revokes", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "hf-pair-"));
    const t = { now: Date.UTC(2026, 0, 1) };
    const store = new PairingStore(dir, "telegram", clockAt(t));
    const a = await store.upsert("default", "1");
    t.now += 60_000;
    expect(await store.upsert("default", "1")).toEqual({ code: a.code, created: false });
    expect((await store.list())[0]?.lastSeenAt).toBe(new Date(t.now).toISOString());
    const b = await store.upsert("work", "2");
    expect((await store.list("work")).map((r) => r.id)).toEqual(["2"]);
    await expect(store.approve(b.code, "default")).rejects.toMatchObject({
      code: "HF_PAIRING_NOT_FOUND",
      message: expect.stringContaining("holdfast pairing list telegram"),
    });
    expect((await store.reject(a.code)).id).toBe("1");
    expect((await store.upsert("default", "1")).created).toBe(true);
    await store.approve(b.code);
    expect(await store.allow.entries("work")).toEqual(["2"]);
    expect(JSON.parse(await readFile(path.join(dir, "telegram-work-allowFrom.json"), "utf8"))).toEqual({
      version: 1,
      allowFrom: ["2"],
    });
    expect(await store.allow.remove("work", "tg:2")).toBe(true);
    expect(await store.allow.entries("work")).toEqual([]);
    await expect(store.allow.add("default", "@name")).rejects.toMatchObject({ code: "HF_PAIRING_INVALID" });
  });

  it("sees changes another process writes (no restart needed)", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "hf-pair-"));
    const gateway = new AllowStore(dir, "telegram");
    const cli = new AllowStore(dir, "telegram");
    expect(await gateway.entries("default")).toEqual([]);
    await cli.add("default", "5");
    expect(await gateway.entries("default")).toEqual(["5"]);
    await cli.add("default", "6");
    await cli.remove("default", "5");
    expect(await gateway.entries("default")).toEqual(["6"]);
  });

  it("prunes expired and surplus legacy requests (oldest lastSeenAt first)", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "hf-pair-"));
    const t = { now: Date.UTC(2026, 0, 1, 12) };
    const at = (min: number) => new Date(t.now - min * 60_000).toISOString();
    const req = (id: string, created: number, seen: number) => ({
      id,
      code: `CODE${id}AAA`.slice(0, 8),
      createdAt: at(created),
      lastSeenAt: at(seen),
      meta: { accountId: "default" },
    });
    await writeFile(
      path.join(dir, "telegram-pairing.json"),
      JSON.stringify({
        version: 1,
        requests: [
          req("1", 10, 9),
          req("2", 10, 1),
          req("3", 10, 2),
          req("4", 10, 3),
          req("5", 61, 0),
          { ...req("6", 0, 0), createdAt: "garbage" },
        ],
      }),
    );
    const store = new PairingStore(dir, "telegram", clockAt(t));
    expect((await store.list()).map((r) => r.id).sort()).toEqual(["2", "3", "4"]);
  });
});
