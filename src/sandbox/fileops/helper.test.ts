import { execFileSync, spawnSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, readdir, stat, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../../test/support/gateway-process.js";
import { BubblewrapBackend } from "../bubblewrap.js";
import { hostJailSpec } from "../host-jail.js";
import { SANDBOX_UID } from "../manager.js";
import type { FileOp, FileOpResult } from "./protocol.js";

const HELPER = path.join(REPO_ROOT, "dist", "jail-fileops.mjs");

/** Runs the helper directly (no jail): its own rules, fast. */
function direct(cwd: string, ops: FileOp[], o: { confine?: boolean; roots?: string[]; keepGoing?: boolean } = {}) {
  const req = {
    v: 1,
    cwd,
    roots: (o.roots ?? [cwd]).map((p) => ({ path: p, writable: true })),
    confine: o.confine ?? true,
    ops,
    ...(o.keepGoing ? { continueOnError: true } : {}),
  };
  const r = spawnSync(process.execPath, [HELPER], { input: JSON.stringify(req), encoding: "utf8", timeout: 10_000 });
  if (r.status !== 0) throw new Error(`helper exited ${r.status}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { results: FileOpResult[] }).results;
}
const text = (r: FileOpResult | undefined) => Buffer.from((r as { data: string }).data, "base64").toString("utf8");

let ws: string;
let outside: string;
beforeEach(async () => {
  const base = await mkdtemp(path.join(os.tmpdir(), "holdfast-fileops-"));
  ws = path.join(base, "ws");
  outside = path.join(base, "outside");
  await mkdir(ws);
  await mkdir(outside);
  await writeFile(path.join(outside, "secret"), "host secret\n");
  await writeFile(path.join(ws, "a.txt"), "hello world\n");
});

describe("file helper rules (the one-shot helper, run directly)", () => {
  it("reads, writes (parents 700, file 600), edits, stats, lists and removes", async () => {
    const r = direct(ws, [
      { op: "read", path: "a.txt", maxBytes: 1024 },
      { op: "write", path: "d/e/new.txt", data: Buffer.from("x\n").toString("base64") },
      { op: "edit", path: "a.txt", oldText: "world", newText: "there", replaceAll: false, maxBytes: 1024 },
      { op: "stat", path: "d" },
      { op: "list", path: ".", depth: 2, maxEntries: 10 },
      { op: "remove", path: "d/e/new.txt" },
      { op: "stat", path: "d/e/new.txt" },
    ]);
    expect(text(r[0])).toBe("hello world\n");
    expect(r[1]).toEqual({ ok: true, bytes: 2, created: true });
    expect(r[2]).toEqual({ ok: true, replaced: 1 });
    expect(r[3]).toMatchObject({ ok: true, type: "dir" });
    expect((r[4] as unknown as { entries: { path: string }[] }).entries.map((e) => e.path)).toEqual([
      "a.txt",
      "d",
      "d/e",
      "d/e/new.txt",
    ]);
    expect(r[6]).toMatchObject({ ok: true, type: "missing" });
    expect(await readFile(path.join(ws, "a.txt"), "utf8")).toBe("hello there\n");
    expect((await stat(path.join(ws, "d"))).mode & 0o777).toBe(0o700);
    expect(await readdir(path.join(ws, "d", "e"))).toEqual([]);
  });

  it("keeps an existing file's mode and leaves no temporary file behind", async () => {
    await chmod(path.join(ws, "a.txt"), 0o640);
    direct(ws, [{ op: "write", path: "a.txt", data: Buffer.from("new").toString("base64") }]);
    expect((await stat(path.join(ws, "a.txt"))).mode & 0o777).toBe(0o640);
    expect(await readdir(ws)).toEqual(["a.txt"]);
  });

  it("never blocks on a FIFO: not a regular file, at once", async () => {
    execFileSync("mkfifo", [path.join(ws, "pipe")]);
    const t = Date.now();
    const r = direct(
      ws,
      [
        { op: "read", path: "pipe", maxBytes: 1024 },
        { op: "write", path: "pipe", data: "" },
      ],
      { keepGoing: true },
    );
    expect(Date.now() - t).toBeLessThan(5000);
    expect(r.map((x) => (x as { code?: string }).code)).toEqual(["not_regular", "not_regular"]);
  });

  it("confines paths after symlinks, and refuses to write through a symlink", async () => {
    await symlink(path.join(outside, "secret"), path.join(ws, "link"));
    await symlink(outside, path.join(ws, "dirlink"));
    const r = direct(
      ws,
      [
        { op: "read", path: "link", maxBytes: 1024 },
        { op: "read", path: "dirlink/secret", maxBytes: 1024 },
        { op: "read", path: "../outside/secret", maxBytes: 1024 },
        { op: "write", path: "dirlink/planted", data: "" },
        { op: "write", path: "link", data: "" },
      ],
      { keepGoing: true },
    );
    expect(r.map((x) => (x as { code?: string }).code)).toEqual([
      "outside",
      "outside",
      "outside",
      "outside",
      "outside",
    ]);
    const open = direct(ws, [{ op: "write", path: "link", data: "" }], { confine: false });
    expect(open[0]).toMatchObject({ ok: false, code: "is_symlink" });
    expect(await readFile(path.join(outside, "secret"), "utf8")).toBe("host secret\n");
  });

  it("holds size caps, reports partial reads and skips the rest of a batch after a failure", async () => {
    await writeFile(path.join(ws, "big"), Buffer.alloc(5000, 97));
    const r = direct(ws, [
      { op: "read", path: "big", offset: 4990, length: 100, maxBytes: 4096 },
      { op: "read", path: "big", maxBytes: 4096 },
      { op: "read", path: "a.txt", maxBytes: 4096 },
    ]);
    expect(r[0]).toMatchObject({ ok: true, size: 5000 });
    expect(text(r[0])).toBe("a".repeat(10));
    expect(r[1]).toMatchObject({ ok: false, code: "too_large" });
    expect(r[2]).toMatchObject({ ok: false, code: "skipped" });
  });

  it("refuses edits that do not match exactly once", () => {
    const r = direct(
      ws,
      [
        { op: "edit", path: "a.txt", oldText: "nope", newText: "x", replaceAll: false, maxBytes: 1024 },
        { op: "edit", path: "a.txt", oldText: "o", newText: "0", replaceAll: false, maxBytes: 1024 },
        { op: "edit", path: "a.txt", oldText: "o", newText: "0", replaceAll: true, maxBytes: 1024 },
      ],
      { keepGoing: true },
    );
    expect(r.map((x) => (x.ok ? (x as { replaced: number }).replaced : (x as { code: string }).code))).toEqual([
      "no_match",
      "not_unique",
      2,
    ]);
  });
});

describe("file operations inside real jails (the jail agent)", () => {
  const backend = new BubblewrapBackend();
  afterAll(() => backend.close());
  const self = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  const limits = { memoryMb: 1024, pids: 64, cpuSeconds: 30, fileSizeMb: 16 };

  it("in the sandbox: a FIFO does not stall, a symlink to the host resolves inside the jail (not found)", async () => {
    const root = process.getuid?.() === 0;
    if (root) execFileSync("chown", [`${SANDBOX_UID}:${SANDBOX_UID}`, ws, path.join(ws, "a.txt")]);
    execFileSync("mkfifo", [path.join(ws, "pipe")]);
    await symlink(path.join(outside, "secret"), path.join(ws, "link"));
    const spec = {
      scopeKey: "session:t",
      workspaceDir: ws,
      network: "none" as const,
      limits,
      user: root ? { uid: SANDBOX_UID, gid: SANDBOX_UID } : self,
    };
    const r = await backend.files(
      spec,
      {
        cwd: "/workspace",
        roots: [{ path: "/workspace", writable: true }],
        confine: false,
        continueOnError: true,
        ops: [
          { op: "read", path: "pipe", maxBytes: 1024 },
          { op: "read", path: "link", maxBytes: 1024 },
          { op: "read", path: "/workspace/a.txt", maxBytes: 1024 },
          { op: "write", path: "/workspace/out.txt", data: Buffer.from("jailed").toString("base64") },
        ],
      },
      new AbortController().signal,
    );
    expect(r.map((x) => (x.ok ? "ok" : (x as { code: string }).code))).toEqual([
      "not_regular",
      "not_found",
      "ok",
      "ok",
    ]);
    expect(await readFile(path.join(ws, "out.txt"), "utf8")).toBe("jailed");
    if (root) expect((await stat(path.join(ws, "out.txt"))).uid).toBe(SANDBOX_UID);
  });

  it("in the host jail: paths are host paths, and the state dir next to the workspace is not there", async () => {
    const spec = hostJailSpec({
      scopeKey: "session:main",
      workspaceDir: ws,
      user: self,
      network: "none",
      limits,
    });
    const r = await backend.files(
      spec,
      {
        cwd: ws,
        roots: [{ path: ws, writable: true }],
        confine: false,
        continueOnError: true,
        ops: [
          { op: "read", path: "a.txt", maxBytes: 1024 },
          { op: "read", path: path.join(outside, "secret"), maxBytes: 1024 },
        ],
      },
      new AbortController().signal,
    );
    expect(text(r[0])).toBe("hello world\n");
    expect(r[1]).toMatchObject({ ok: false, code: "not_found" });
  });
});
