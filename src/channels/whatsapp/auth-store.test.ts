import { readdir, readFile, stat } from "node:fs/promises";
import { chmod, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isLinked, openWhatsAppAuth } from "./auth-store.js";

describe("WhatsApp auth state", () => {
  it("writes creds and keys atomically, 600 in 700, and reads them back with Buffers intact", async () => {
    const dir = path.join(await mkdtemp(path.join(os.tmpdir(), "hf-wa-store-")), "whatsapp", "default");
    const auth = await openWhatsAppAuth(dir);
    expect(auth.linked()).toBe(false);
    expect(await readdir(dir)).toEqual([]);
    auth.state.creds.me = { id: "15550000001:7@s.whatsapp.net" };
    await auth.saveCreds();
    const key = { public: new Uint8Array([1, 2, 3]), private: new Uint8Array([4, 5, 6]) };
    await auth.state.keys.set({ "pre-key": { "1": key }, session: { "a:b/c": new Uint8Array([9]) } });
    await auth.flush();
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(path.dirname(dir))).mode & 0o777).toBe(0o700);
    const files = (await readdir(dir)).sort();
    expect(files).toEqual(["creds.json", "pre-key-1.json", "session-a-b__c.json"]);
    for (const f of files) expect((await stat(path.join(dir, f))).mode & 0o777).toBe(0o600);
    expect(await isLinked(dir)).toBe(true);

    const again = await openWhatsAppAuth(dir);
    expect(again.linked()).toBe(true);
    expect(Buffer.from(again.state.creds.noiseKey.private)).toEqual(Buffer.from(auth.state.creds.noiseKey.private));
    const got = await again.state.keys.get("pre-key", ["1", "2"]);
    expect(Buffer.from(got["1"]?.public ?? [])).toEqual(Buffer.from([1, 2, 3]));
    expect(got["2"]).toBeUndefined();
    await again.state.keys.set({ session: { "a:b/c": null } });
    expect((await readdir(dir)).sort()).toEqual(["creds.json", "pre-key-1.json"]);
    expect(JSON.parse(await readFile(path.join(dir, "creds.json"), "utf8")).me.id).toBe("15550000001:7@s.whatsapp.net");
  });

  it("refuses a corrupt creds.json with a clear error", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "hf-wa-bad-"));
    const { writeFile } = await import("node:fs/promises");
    await writeFile(path.join(dir, "creds.json"), "{oops", { mode: 0o600 });
    await expect(openWhatsAppAuth(dir)).rejects.toMatchObject({ code: "HF_STATE_CORRUPT" });
    expect(await isLinked(dir)).toBe(false);
  });

  it("makes its own directory 700 and leaves the mode of an existing parent alone", async () => {
    const parent = await mkdtemp(path.join(os.tmpdir(), "hf-wa-parent-"));
    await chmod(parent, 0o755);
    const dir = path.join(parent, "wa-auth");
    await (await openWhatsAppAuth(dir)).flush();
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(parent)).mode & 0o777).toBe(0o755);
    const fresh = path.join(parent, "new-parent", "wa-auth");
    await (await openWhatsAppAuth(fresh)).flush();
    expect((await stat(path.dirname(fresh))).mode & 0o777).toBe(0o700);
  });
});
