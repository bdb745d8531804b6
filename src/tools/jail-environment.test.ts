import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HoldfastConfig } from "../config/index.js";
import { BubblewrapBackend, InboundMedia, type SandboxBackend } from "../sandbox/index.js";
import { editTool, readTool, writeTool } from "./file-tools.js";
import { testJailEnvironment, testToolContext } from "./jail-environment.fixture.js";
import { applyPatchTool } from "./patch-tool.js";

/** The jail environment with real bubblewrap: every call of the main session runs in its host jail. */
describe("JailEnvironment (real bubblewrap)", () => {
  let stateDir: string;
  let workspace: string;
  let media: InboundMedia;
  const backend = new BubblewrapBackend();

  const make = (config: HoldfastConfig, hostBackend: SandboxBackend = backend) =>
    testJailEnvironment({
      config,
      stateDir,
      workspace,
      backend,
      hostBackend,
      env: { PATH: "/usr/bin:/bin", OPENAI_API_KEY: "sk-jail-env-secret-0123456789" },
    });
  const ctx = testToolContext;

  beforeAll(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), "holdfast-jailenv-"));
    await writeFile(path.join(stateDir, "holdfast.json"), '{"secret":"config-secret"}');
    workspace = path.join(stateDir, "workspace");
    await mkdir(workspace);
    await writeFile(path.join(workspace, "notes.txt"), "hello\n");
    media = new InboundMedia(path.join(stateDir, "media"));
  });
  afterAll(() => backend.close());

  it("runs the main session's exec in the host jail: no gateway /proc, no state dir, no secrets in env", async () => {
    const env = make({});
    const c = ctx("agent:main:main", workspace);
    const t = await env.execTarget(c);
    expect(t.where).toBe("host");
    const r = await t.runner.run({
      argv: [
        "/bin/sh",
        "-c",
        `cat /proc/${process.pid}/environ; cat ${stateDir}/holdfast.json; env; cat notes.txt; pwd`,
      ],
      cwd: workspace,
      env: t.env,
      timeoutMs: 10_000,
      maxOutputBytes: 65536,
      signal: c.signal,
    });
    expect(r.stdout).not.toContain("secret");
    expect(r.stdout).toContain(`hello\n${workspace}\n`);
  });

  it("does the file tools inside the jail: read, write, edit, apply_patch; a FIFO is refused at once", async () => {
    const env = make({});
    const c = ctx("agent:main:main", workspace);
    execFileSync("mkfifo", [path.join(workspace, "fifo")]);
    expect((await readTool(env.files).execute({ path: "notes.txt" }, c)).content).toBe("hello\n");
    await writeTool(env.files).execute({ path: "sub/new.txt", content: "a b a\n" }, c);
    await editTool(env.files).execute({ path: "sub/new.txt", oldText: "b", newText: "c" }, c);
    const patch =
      "*** Begin Patch\n*** Add File: added.txt\n+x\n*** Update File: sub/new.txt\n@@\n-a c a\n+done\n*** End Patch";
    expect((await applyPatchTool(env.files).execute({ input: patch }, c)).content).toBe("A added.txt\nM sub/new.txt");
    expect(await readFile(path.join(workspace, "sub/new.txt"), "utf8")).toBe("done\n");
    const t = Date.now();
    await expect(readTool(env.files).execute({ path: "fifo" }, c)).rejects.toThrow(/not a regular file/);
    expect(Date.now() - t).toBeLessThan(5000);
    await expect(readTool(env.files).execute({ path: `${stateDir}/holdfast.json` }, c)).rejects.toThrow(
      /outside the workspace/,
    );
  });

  it("shows the session's inbound media read-only at /inbox", async () => {
    const env = make({});
    const c = ctx("agent:main:main", workspace);
    const saved = await media.save({ agentId: "main", sessionKey: "agent:main:main" }, Buffer.from("pic"), "txt");
    expect((await readTool(env.files).execute({ path: saved.jailPath }, c)).content).toBe("pic");
    await expect(writeTool(env.files).execute({ path: "/inbox/x", content: "no" }, c)).rejects.toThrow(/read-only/);
  });

  it("refuses host-session tools without a jail runtime, saying what to install", async () => {
    const missing: SandboxBackend = {
      ...backend,
      kind: "bubblewrap",
      availability: async () => ({
        ok: false,
        reason: "bwrap is not installed (install bubblewrap: sudo apt-get install bubblewrap)",
      }),
      run: backend.run.bind(backend),
      files: backend.files.bind(backend),
    };
    const env = make({}, missing);
    const a = await env.availability("main", "agent:main:main");
    expect(a.ok).toBe(false);
    expect(a.ok ? "" : a.reason).toContain("apt-get install bubblewrap");
    await expect(env.execTarget(ctx("agent:main:main", workspace))).rejects.toThrow(/apt-get install bubblewrap/);
  });

  it("with hostJail off, runs on the host (explicit, audited) and the helper still never blocks on a FIFO", async () => {
    const env = make({ tools: { exec: { hostJail: "off" } } });
    const c = ctx("agent:main:main", workspace);
    expect((await env.execTarget(c)).where).toBe("host");
    await expect(readTool(env.files).execute({ path: "fifo" }, c)).rejects.toThrow(/not a regular file/);
    expect((await readTool(env.files).execute({ path: "notes.txt" }, c)).content).toBe("hello\n");
  });

  it("runs a sandboxed session's file tools in its sandbox at /workspace", async () => {
    const env = make({});
    const key = "agent:main:telegram:group:7";
    const ws = await env.workspaceFor("main", key);
    const c = ctx(key, ws);
    await writeTool(env.files).execute({ path: "/workspace/in-box.txt", content: "boxed" }, c);
    expect(await readFile(path.join(ws, "in-box.txt"), "utf8")).toBe("boxed");
    await expect(readTool(env.files).execute({ path: path.join(workspace, "notes.txt") }, c)).rejects.toThrow(
      /outside the workspace/,
    );
  });
});
