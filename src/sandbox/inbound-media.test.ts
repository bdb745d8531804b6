import { mkdir, mkdtemp, readdir, readFile, stat, symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { installStateCipher, keyId } from "../infra/index.js";
import { BubblewrapBackend } from "./bubblewrap.js";
import { InboundMedia, MEDIA_IN_JAIL } from "./inbound-media.js";
import { SANDBOX_UID } from "./manager.js";
import { sandboxRunner } from "./runner.js";

let base: string;
let media: InboundMedia;
beforeEach(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "holdfast-media-"));
  media = new InboundMedia(path.join(base, "state", "media"));
});

describe("InboundMedia", () => {
  it("saves into a gateway-owned session directory (700/600) with a random name and gives the jail path", async () => {
    const saved = await media.save({ agentId: "main", sessionKey: "agent:main:main" }, Buffer.from("jpeg"), "jpg");
    expect(saved.hostPath.startsWith(path.join(base, "state", "media", "session-"))).toBe(true);
    expect(saved.jailPath).toMatch(/^\/inbox\/\d{4}-\d{2}-\d{2}-[0-9a-f-]{36}\.jpg$/);
    expect(path.basename(saved.hostPath)).toBe(path.basename(saved.jailPath));
    expect(await readFile(saved.hostPath, "utf8")).toBe("jpeg");
    expect((await stat(saved.hostPath)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(saved.hostPath))).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(base, "state", "media"))).mode & 0o777).toBe(0o700);
  });

  it("never uses a sender's extension as a path and keeps sessions apart", async () => {
    const a = await media.save({ agentId: "main", sessionKey: "agent:main:a" }, Buffer.from("1"), "../../x");
    const b = await media.save({ agentId: "main", sessionKey: "agent:main:b" }, Buffer.from("2"), "png");
    expect(path.extname(a.hostPath)).toBe("");
    expect(path.dirname(a.hostPath)).not.toBe(path.dirname(b.hostPath));
  });

  it("lets the sandbox user read (group 750/640), never write", async (ctx) => {
    if (process.getuid?.() !== 0) return ctx.skip();
    const saved = await media.save(
      { agentId: "main", sessionKey: "agent:main:g", readerGid: SANDBOX_UID },
      Buffer.from("x"),
      "txt",
    );
    const dir = await stat(path.dirname(saved.hostPath));
    expect([dir.uid, dir.gid, dir.mode & 0o777]).toEqual([0, SANDBOX_UID, 0o750]);
    const file = await stat(saved.hostPath);
    expect([file.uid, file.gid, file.mode & 0o777]).toEqual([0, SANDBOX_UID, 0o640]);
  });

  it("a symlink planted at <workspace>/inbox changes nothing: media never go into the workspace", async () => {
    const ws = path.join(base, "ws");
    const host = path.join(base, "host-dir");
    await mkdir(ws);
    await mkdir(host);
    await symlink(host, path.join(ws, "inbox"));
    await media.save({ agentId: "main", sessionKey: "agent:main:telegram:direct:1" }, Buffer.from("x"), "jpg");
    expect(await readdir(host)).toEqual([]);
    expect((await stat(host)).mode & 0o777).not.toBe(0);
  });

  it("is readable inside the session's jail at /inbox, and read-only there", async () => {
    const root = process.getuid?.() === 0;
    const reader = root ? SANDBOX_UID : undefined;
    const key = {
      agentId: "main",
      sessionKey: "agent:main:telegram:group:1",
      ...(reader ? { readerGid: reader } : {}),
    };
    const saved = await media.save(key, Buffer.from("attachment bytes"), "txt");
    const ws = await mkdtemp(path.join(os.tmpdir(), "holdfast-media-ws-"));
    const { chown } = await import("node:fs/promises");
    if (root) await chown(ws, SANDBOX_UID, SANDBOX_UID);
    const spec = {
      scopeKey: "session:g",
      workspaceDir: ws,
      network: "none" as const,
      limits: { memoryMb: 256, pids: 32, cpuSeconds: 10, fileSizeMb: 8 },
      user: root
        ? { uid: SANDBOX_UID, gid: SANDBOX_UID }
        : { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 },
      readOnlyMounts: [await media.mountFor(key.agentId, key.sessionKey, reader)],
    };
    const r = await sandboxRunner(new BubblewrapBackend(), spec).run({
      argv: [
        "/bin/sh",
        "-c",
        `cat ${saved.jailPath}; echo; touch ${MEDIA_IN_JAIL}/new 2>&1; rm ${saved.jailPath} 2>&1`,
      ],
      cwd: ws,
      env: { PATH: "/usr/bin:/bin" },
      timeoutMs: 10_000,
      maxOutputBytes: 4096,
      signal: new AbortController().signal,
    });
    expect(r.stdout).toMatch(/^attachment bytes\n/);
    expect(r.stdout).toMatch(/Read-only file system/);
    expect(await readFile(saved.hostPath, "utf8")).toBe("attachment bytes");
  });

  describe("encrypted at rest", () => {
    afterEach(() => installStateCipher(undefined));

    it("stores sealed files; the jail reads their plaintext from a decrypted view outside the state dir", async () => {
      const key = randomBytes(32);
      const id = keyId(key, "t");
      const root = path.join(base, "state", "media");
      installStateCipher({
        ring: { current: { id, key }, byId: new Map([[id, key]]) },
        seal: true,
        strict: true,
        inScope: (f) => f.startsWith(`${root}/`),
      });
      const viewBase = await mkdtemp(path.join(os.tmpdir(), "holdfast-view-"));
      const sealedMedia = new InboundMedia(root, viewBase);
      const who = { agentId: "main", sessionKey: "agent:main:enc" };
      const saved = await sealedMedia.save(who, Buffer.from("secret attachment okapi"), "txt");
      expect(await readFile(saved.hostPath, "latin1")).not.toContain("okapi");
      const mount = await sealedMedia.mountFor(who.agentId, who.sessionKey);
      expect(mount.at).toBe(MEDIA_IN_JAIL);
      expect(mount.source.startsWith(viewBase)).toBe(true);
      expect(await readFile(path.join(mount.source, path.basename(saved.hostPath)), "utf8")).toBe(
        "secret attachment okapi",
      );
      const ws = await mkdtemp(path.join(os.tmpdir(), "holdfast-media-ws-"));
      const r = await sandboxRunner(new BubblewrapBackend(), {
        scopeKey: "session:enc",
        workspaceDir: ws,
        network: "none" as const,
        limits: { memoryMb: 256, pids: 32, cpuSeconds: 10, fileSizeMb: 8 },
        user: { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 },
        readOnlyMounts: [mount],
      }).run({
        argv: ["/bin/cat", saved.jailPath],
        cwd: ws,
        env: { PATH: "/usr/bin:/bin" },
        timeoutMs: 10_000,
        maxOutputBytes: 4096,
        signal: new AbortController().signal,
      });
      expect(r.stdout).toBe("secret attachment okapi");
      await sealedMedia.remove(who.agentId, who.sessionKey);
      await expect(stat(mount.source)).rejects.toThrow(/ENOENT/);
      await sealedMedia.mountFor(who.agentId, who.sessionKey);
      await sealedMedia.clearViews();
      expect(await readdir(path.join(viewBase, `holdfast-${process.getuid?.() ?? 0}`))).toEqual([]);
    });
  });

  it("prunes media files older than the given age (dry run lists them only)", async () => {
    const saved = await media.save({ agentId: "main", sessionKey: "agent:main:old" }, Buffer.from("x"), "txt");
    expect(await media.prune({ maxAgeMs: 60_000, now: Date.now() })).toEqual([]);
    const later = Date.now() + 120_000;
    expect(await media.prune({ maxAgeMs: 60_000, now: later, dryRun: true })).toEqual([
      { file: saved.hostPath, bytes: 1 },
    ]);
    expect(await readFile(saved.hostPath, "utf8")).toBe("x");
    expect(await media.prune({ maxAgeMs: 60_000, now: later })).toHaveLength(1);
    await expect(readFile(saved.hostPath)).rejects.toThrow(/ENOENT/);
  });
});
