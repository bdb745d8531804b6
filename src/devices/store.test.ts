import { mkdtemp, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DeviceStore, PENDING_TTL_MS, type DeviceRequest } from "./store.js";

const mode = async (p: string) => (await stat(p)).mode & 0o777;
const req = (deviceId: string, over: Partial<DeviceRequest> = {}): DeviceRequest => ({
  deviceId,
  publicKey: `pk-${deviceId}`,
  role: "operator",
  scopes: ["operator.read"],
  remoteIp: "192.0.2.5",
  ...over,
});

async function store() {
  let now = 1_000_000;
  const dir = path.join(await mkdtemp(path.join(os.tmpdir(), "holdfast-devices-")), "devices");
  return { s: new DeviceStore(dir, { now: () => now }), dir, advance: (ms: number) => (now += ms) };
}

describe("DeviceStore", () => {
  it("files a request, approves it into paired.json (600 in 700) and issues a working token", async () => {
    const { s, dir } = await store();
    const r = await s.request(req("a".repeat(64)));
    expect(await s.request(req("a".repeat(64)))).toEqual(r);
    expect((await s.listPending()).map((p) => p.requestId)).toEqual([r.requestId]);
    const d = await s.approve(r.requestId);
    expect(d).toMatchObject({ deviceId: "a".repeat(64), approvedBy: "operator", lastIp: "192.0.2.5" });
    expect(await s.listPending()).toEqual([]);
    expect(await mode(dir)).toBe(0o700);
    expect(await mode(path.join(dir, "paired.json"))).toBe(0o600);
    expect(await mode(path.join(dir, "pending.json"))).toBe(0o600);
    const token = await s.issueToken(d.deviceId, "192.0.2.5");
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    expect((await s.checkToken(d.deviceId, token))?.deviceId).toBe(d.deviceId);
    expect(await s.checkToken(d.deviceId, `${token}x`)).toBeUndefined();
    const rotated = await s.issueToken(d.deviceId, "192.0.2.5");
    expect(await s.checkToken(d.deviceId, token)).toBeUndefined();
    expect(await s.checkToken(d.deviceId, rotated)).toBeDefined();
    expect(JSON.stringify(await s.listPaired())).not.toContain(rotated);
  });

  it("expires requests after 5 minutes and supersedes a changed request", async () => {
    const { s, advance } = await store();
    const first = await s.request(req("b".repeat(64)));
    const changed = await s.request(req("b".repeat(64), { scopes: ["operator.admin"] }));
    expect(changed.requestId).not.toBe(first.requestId);
    expect((await s.listPending()).map((p) => p.requestId)).toEqual([changed.requestId]);
    advance(PENDING_TTL_MS + 1);
    expect(await s.listPending()).toEqual([]);
    await expect(s.approve(changed.requestId)).rejects.toMatchObject({ code: "HF_NOT_FOUND" });
  });

  it("rejects and revokes, by id or unique 8+ character prefix", async () => {
    const { s } = await store();
    const r = await s.request(req("c".repeat(64)));
    await s.reject(r.requestId.slice(0, 8));
    expect(await s.listPending()).toEqual([]);
    await s.pairLocal(req("d".repeat(64)));
    const token = await s.issueToken("d".repeat(64), "127.0.0.1");
    await s.revoke("dddddddd");
    expect(await s.checkToken("d".repeat(64), token)).toBeUndefined();
    await expect(s.revoke("d".repeat(64))).rejects.toMatchObject({ code: "HF_NOT_FOUND" });
    await expect(s.revoke("ddd")).rejects.toMatchObject({ code: "HF_NOT_FOUND" });
  });
});
