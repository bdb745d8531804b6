import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { recordingClock } from "../../../test/support/fake-clock.js";
import { PairingStore } from "../../access/index.js";
import { callMethod as call } from "../../../test/support/call-method.js";
import { pairingMethods } from "./pairing-methods.js";

async function setup() {
  const dir = await mkdtemp(path.join(os.tmpdir(), "hf-pairing-methods-"));
  const stores = new Map<string, PairingStore>();
  const clock = recordingClock();
  const access = {
    pairing: (c: string) => stores.get(c) ?? stores.set(c, new PairingStore(dir, c, clock)).get(c)!,
  };
  const defs = pairingMethods({ access, channels: () => ["telegram"], accounts: () => ["default", "work"] });
  return { defs, store: access.pairing("telegram") };
}

describe("pairing methods", () => {
  it("lists pending requests per channel, approves one into the allow store and revokes it", async () => {
    const { defs, store } = await setup();
    const { code } = await store.upsert("default", "4242", "Pat");
    await store.upsert("work", "77");
    const list = (await call(defs, "pairing.list", {})) as { channels: { requests: unknown[]; approved: unknown[] }[] };
    expect(list.channels[0]?.requests).toEqual([
      expect.objectContaining({ code, senderId: "4242", accountId: "default", name: "Pat" }),
      expect.objectContaining({ senderId: "77", accountId: "work" }),
    ]);
    expect(await call(defs, "pairing.approve", { channel: "telegram", code: code.toLowerCase() })).toEqual({
      ok: true,
      channel: "telegram",
      senderId: "4242",
      accountId: "default",
    });
    expect(await store.allow.entries("default")).toEqual(["4242"]);
    const after = (await call(defs, "pairing.list", { channel: "telegram" })) as {
      channels: { requests: { senderId: string }[]; approved: unknown[] }[];
    };
    expect(after.channels[0]?.requests.map((r) => r.senderId)).toEqual(["77"]);
    expect(after.channels[0]?.approved).toEqual([{ accountId: "default", senderId: "4242" }]);
    expect(await call(defs, "pairing.revoke", { channel: "telegram", senderId: "4242" })).toEqual({
      ok: true,
      removed: true,
    });
    expect(await store.allow.entries("default")).toEqual([]);
  });

  it("rejects without approving, and answers HF_PAIRING_NOT_FOUND for an unknown code", async () => {
    const { defs, store } = await setup();
    const { code } = await store.upsert("default", "5");
    await call(defs, "pairing.reject", { channel: "telegram", code });
    expect(await store.allow.entries("default")).toEqual([]);
    await expect(call(defs, "pairing.approve", { channel: "telegram", code })).rejects.toMatchObject({
      code: "HF_PAIRING_NOT_FOUND",
    });
  });

  it("needs operator.pairing for every method", async () => {
    const { defs } = await setup();
    expect(defs.map((d) => [d.name, d.scope])).toEqual([
      ["pairing.list", "operator.pairing"],
      ["pairing.approve", "operator.pairing"],
      ["pairing.reject", "operator.pairing"],
      ["pairing.revoke", "operator.pairing"],
    ]);
  });
});
