import { link, mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../logging/index.js";
import { openForRead, readTextSafe, writeTextSafe } from "./fs-io.js";
import { isInside, type FsScope } from "./fs-scope.js";
import { applyPatchTool } from "./apply-patch-tool.js";
import { editTool, readTool, writeTool } from "./fs-tools.js";
import type { ToolContext } from "./types.js";

let root: string;
let state: string;
let ws: string;
let outside: string;
const scope = (over: Partial<FsScope> = {}): FsScope => ({
  workspaceDir: ws,
  workspaceOnly: true,
  stateDir: state,
  stateDirAllowed: [ws],
  ...over,
});
const ctx = (): ToolContext => ({
  agentId: "main",
  sessionKey: "agent:main:main",
  runId: "r",
  workspaceDir: ws,
  signal: new AbortController().signal,
  log: silentLogger(),
});

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "holdfast-fs-"));
  state = path.join(root, "state");
  ws = path.join(state, "workspace");
  outside = path.join(root, "outside");
  await mkdir(ws, { recursive: true });
  await mkdir(outside);
  await writeFile(path.join(state, "holdfast.json"), "config-secret");
  await writeFile(path.join(outside, "secret.txt"), "outside-secret");
  await writeFile(path.join(ws, "notes.txt"), "hello");
});

describe("workspaceOnly path safety", () => {
  it.each([
    ["a .. path", "../holdfast.json"],
    ["an absolute path outside", () => path.join(outside, "secret.txt")],
    ["a NUL byte", "notes.txt\0x"],
  ])("refuses %s", async (_n, p) => {
    await expect(readTextSafe(scope(), typeof p === "function" ? p() : p, 1000)).rejects.toMatchObject({
      code: "HF_TOOL_PATH_OUTSIDE",
    });
  });

  it("refuses symlinks that point outside, as file or as directory", async () => {
    await symlink(path.join(outside, "secret.txt"), path.join(ws, "ln"));
    await symlink(outside, path.join(ws, "dir"));
    await expect(readTextSafe(scope(), "ln", 1000)).rejects.toMatchObject({ code: "HF_TOOL_PATH_OUTSIDE" });
    await expect(readTextSafe(scope(), "dir/secret.txt", 1000)).rejects.toMatchObject({ code: "HF_TOOL_PATH_OUTSIDE" });
    await expect(writeTextSafe(scope(), "dir/new.txt", "x")).rejects.toMatchObject({ code: "HF_TOOL_PATH_OUTSIDE" });
  });

  it("refuses to write through a dangling symlink (O_NOFOLLOW)", async () => {
    await symlink(path.join(outside, "created-by-link.txt"), path.join(ws, "dangling"));
    await expect(writeTextSafe(scope(), "dangling", "x")).rejects.toMatchObject({ code: "HF_TOOL_PATH_OUTSIDE" });
    await expect(readFile(path.join(outside, "created-by-link.txt"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("refuses hard-linked files in the workspace", async () => {
    await link(path.join(outside, "secret.txt"), path.join(ws, "hard.txt"));
    await expect(readTextSafe(scope(), "hard.txt", 1000)).rejects.toThrow(/hard links/);
    await expect(writeTextSafe(scope(), "hard.txt", "overwrite")).rejects.toThrow(/hard links/);
    expect(await readFile(path.join(outside, "secret.txt"), "utf8")).toBe("outside-secret");
  });

  it("never reads the state dir, even with workspaceOnly off", async () => {
    const open = scope({ workspaceOnly: false });
    await expect(readTextSafe(open, path.join(state, "holdfast.json"), 1000)).rejects.toThrow(/state directory/);
    await expect(readTextSafe(open, "../holdfast.json", 1000)).rejects.toThrow(/state directory/);
    expect(await readTextSafe(open, path.join(outside, "secret.txt"), 1000)).toBe("outside-secret");
    expect(await readTextSafe(open, "notes.txt", 1000)).toBe("hello");
  });

  it("maps sandbox mounts and keeps read-only mounts read-only", async () => {
    const agentWs = path.join(root, "agent");
    await mkdir(agentWs);
    await writeFile(path.join(agentWs, "a.txt"), "agent file");
    const s = scope({
      mounts: [
        { at: "/workspace", hostDir: ws, readOnly: false },
        { at: "/agent", hostDir: agentWs, readOnly: true },
      ],
    });
    expect(await readTextSafe(s, "/workspace/notes.txt", 1000)).toBe("hello");
    expect(await readTextSafe(s, "/agent/a.txt", 1000)).toBe("agent file");
    await expect(writeTextSafe(s, "/agent/a.txt", "x")).rejects.toThrow(/read-only mount/);
    await expect(readTextSafe(s, "/agent/../outside/secret.txt", 1000)).rejects.toMatchObject({
      code: "HF_TOOL_PATH_OUTSIDE",
    });
  });

  it("never opens a file outside while a directory is swapped for a symlink (race)", async () => {
    await mkdir(path.join(ws, "d"));
    await writeFile(path.join(ws, "d", "secret.txt"), "inside");
    let stop = false;
    const flipper = (async () => {
      for (let i = 0; !stop && i < 5000; i++) {
        await rename(path.join(ws, "d"), path.join(ws, "d-real"));
        await symlink(outside, path.join(ws, "d"));
        await rm(path.join(ws, "d"));
        await rename(path.join(ws, "d-real"), path.join(ws, "d"));
      }
    })();
    const seen = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const r = await readTextSafe(scope(), "d/secret.txt", 1000).catch(
        (e: { code?: string }) => `error:${e.code ?? "?"}`,
      );
      seen.add(r);
    }
    stop = true;
    await flipper;
    expect(seen.has("outside-secret")).toBe(false);
    expect([...seen].every((v) => v === "inside" || v.startsWith("error:"))).toBe(true);
  });

  it("any relative path either stays inside the workspace or is refused (property)", async () => {
    await symlink(outside, path.join(ws, "out"));
    await symlink("..", path.join(ws, "up"));
    const part = fc.constantFrom("..", ".", "notes.txt", "out", "up", "sub", "secret.txt", "holdfast.json", "");
    await fc.assert(
      fc.asyncProperty(fc.array(part, { minLength: 1, maxLength: 5 }), async (parts) => {
        const f = await openForRead(scope(), parts.join("/")).catch(() => undefined);
        if (!f) return;
        await f.handle.close();
        expect(isInside(await import("node:fs/promises").then((m) => m.realpath(ws)), f.real)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe("file tools", () => {
  it("write creates parents (700) and files (600); read and edit work on them", async () => {
    const s = () => scope();
    await writeTool(s).execute({ path: "a/b/c.txt", content: "one two" }, ctx());
    expect((await import("node:fs/promises").then((m) => m.stat(path.join(ws, "a")))).mode & 0o777).toBe(0o700);
    expect((await import("node:fs/promises").then((m) => m.stat(path.join(ws, "a/b/c.txt")))).mode & 0o777).toBe(0o600);
    expect(await editTool(s).execute({ path: "a/b/c.txt", oldText: "two", newText: "three" }, ctx())).toEqual({
      content: "Replaced 1 occurrence(s) in a/b/c.txt",
    });
    expect((await readTool(s).execute({ path: "a/b/c.txt" }, ctx())).content).toBe("one three");
    await writeTool(s).execute({ path: "a/b/c.txt", content: "x" }, ctx());
    expect((await readTool(s).execute({ path: "a/b/c.txt" }, ctx())).content).toBe("x");
  });

  it("apply_patch adds, updates, moves and deletes, or changes nothing when a hunk fails", async () => {
    const tool = applyPatchTool(() => scope());
    await writeFile(path.join(ws, "app.txt"), "line1\nline2\nline3\n");
    const patch = [
      "*** Begin Patch",
      "*** Add File: new/x.txt",
      "+hello",
      "+world",
      "*** Update File: app.txt",
      "@@",
      " line1",
      "-line2",
      "+LINE2",
      " line3",
      "*** Delete File: notes.txt",
      "*** End Patch",
    ].join("\n");
    expect((await tool.execute({ input: patch }, ctx())).content).toBe("A new/x.txt\nM app.txt\nD notes.txt");
    expect(await readFile(path.join(ws, "new/x.txt"), "utf8")).toBe("hello\nworld\n");
    expect(await readFile(path.join(ws, "app.txt"), "utf8")).toBe("line1\nLINE2\nline3\n");
    await expect(readFile(path.join(ws, "notes.txt"))).rejects.toMatchObject({ code: "ENOENT" });
    const move = [
      "*** Begin Patch",
      "*** Update File: app.txt",
      "*** Move to: moved.txt",
      "@@",
      "-LINE2",
      "+two",
      "*** End Patch",
    ].join("\n");
    expect((await tool.execute({ input: move }, ctx())).content).toBe("R app.txt -> moved.txt");
    expect(await readFile(path.join(ws, "moved.txt"), "utf8")).toBe("line1\ntwo\nline3\n");
    const bad = [
      "*** Begin Patch",
      "*** Add File: never.txt",
      "+x",
      "*** Update File: moved.txt",
      "-nope",
      "+x",
      "*** End Patch",
    ].join("\n");
    await expect(tool.execute({ input: bad }, ctx())).rejects.toThrow(/hunk 1 of moved.txt does not match/);
    await expect(readFile(path.join(ws, "never.txt"))).rejects.toMatchObject({ code: "ENOENT" });
    await expect(
      tool.execute({ input: "*** Begin Patch\n*** Add File: ../escape.txt\n+x\n*** End Patch" }, ctx()),
    ).rejects.toMatchObject({ code: "HF_TOOL_PATH_OUTSIDE" });
    await expect(tool.execute({ input: "garbage" }, ctx())).rejects.toThrow(/must start with \*\*\* Begin Patch/);
  });
});
