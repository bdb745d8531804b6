import { createHash } from "node:crypto";
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, readlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BubblewrapBackend, InboundMedia } from "../sandbox/index.js";
import { shQuote } from "./exec-parse.js";
import { readTool, writeTool } from "./file-tools.js";
import type { JailEnvironment } from "./jail-environment.js";
import { testJailEnvironment, testToolContext } from "./jail-environment.fixture.js";

const SENTINEL = "OUTSIDE-SENTINEL-7f3a";

/** Every path, type, mode, link target and content hash under `dir` (what must not change). */
async function snapshot(dir: string, skip: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const name of (await readdir(d)).sort()) {
      const p = path.join(d, name);
      if (skip.some((s) => p === s || p.startsWith(`${s}${path.sep}`))) continue;
      const st = await lstat(p);
      const what = st.isSymbolicLink()
        ? `-> ${await readlink(p)}`
        : st.isFile()
          ? createHash("sha256")
              .update(await readFile(p))
              .digest("hex")
          : st.isDirectory()
            ? "dir"
            : "other";
      out.push(`${path.relative(dir, p)} ${(st.mode & 0o7777).toString(8)} ${st.uid} ${what}`);
      if (st.isDirectory()) await walk(p);
    }
  };
  await walk(dir);
  return out;
}

type Step =
  | { readonly k: "ln"; readonly target: number; readonly name: number }
  | { readonly k: "mkfifo" | "mkdir" | "echo"; readonly name: number }
  | { readonly k: "mv"; readonly from: number; readonly to: number }
  | { readonly k: "read" | "write"; readonly name: number }
  | { readonly k: "media" };

/**
 * The containment invariant, as a property over generated sequences of tool calls: whatever a
 * session plants in its jail (symlinks to the host, FIFOs, directories, renames), later reads,
 * writes and media saves never change a file outside the workspace and never return its bytes.
 * Runs against real bubblewrap for the main session (host jail) and a group session (sandbox).
 */
describe("containment (property, real jails)", () => {
  let base: string;
  let stateDir: string;
  let outside: string;
  let workspace: string;
  let env: JailEnvironment;
  let media: InboundMedia;
  const backend = new BubblewrapBackend();
  const names = ["a", "b", "inbox", "d/e", "x.txt", "../escape", "/workspace/../up"];
  let targets: string[];

  beforeAll(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), "holdfast-contain-"));
    stateDir = path.join(base, "state");
    outside = path.join(base, "outside");
    await mkdir(path.join(stateDir, "credentials"), { recursive: true, mode: 0o700 });
    await chmod(stateDir, 0o700);
    await writeFile(path.join(stateDir, "holdfast.json"), `{"token":"${SENTINEL}"}`);
    await writeFile(path.join(stateDir, "credentials", "gateway-token"), SENTINEL);
    await mkdir(path.join(outside, "dir"), { recursive: true });
    await writeFile(path.join(outside, "file"), SENTINEL);
    await writeFile(path.join(outside, "dir", "f"), SENTINEL);
    workspace = path.join(stateDir, "workspace");
    await mkdir(workspace, { mode: 0o700 });
    targets = [
      path.join(outside, "file"),
      path.join(outside, "dir"),
      stateDir,
      path.join(stateDir, "holdfast.json"),
      `/proc/${process.pid}/root${outside}/file`,
      `/proc/${process.pid}/cwd`,
      "../../outside/file",
      "/etc/passwd",
      "a",
    ];
    media = new InboundMedia(path.join(stateDir, "media"));
    env = testJailEnvironment({ config: {}, stateDir, workspace, backend });
  });
  afterAll(() => backend.close());

  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ k: fc.constant("ln" as const), target: fc.nat(8), name: fc.nat(6) }),
    fc.record({ k: fc.constantFrom("mkfifo" as const, "mkdir" as const, "echo" as const), name: fc.nat(6) }),
    fc.record({ k: fc.constant("mv" as const), from: fc.nat(6), to: fc.nat(6) }),
    fc.record({ k: fc.constantFrom("read" as const, "write" as const), name: fc.nat(6) }),
    fc.constant({ k: "media" as const }),
  );

  it("no sequence of planted paths lets a read, write or media save reach outside the workspace", async () => {
    const skip = [path.join(stateDir, "media"), path.join(stateDir, "sandboxes"), workspace];
    const before = [await snapshot(outside, []), await snapshot(stateDir, skip)];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("agent:main:main", "agent:main:telegram:group:9"),
        fc.array(step, { minLength: 1, maxLength: 7 }),
        async (key, steps) => {
          const ws = await env.workspaceFor("main", key);
          const c = testToolContext(key, ws);
          const t = await env.execTarget(c);
          const sh = (line: string) =>
            t.runner.run({
              argv: ["/bin/sh", "-c", line],
              cwd: ws,
              env: t.env,
              timeoutMs: 10_000,
              maxOutputBytes: 65536,
              signal: c.signal,
            });
          await sh("find . -mindepth 1 -delete 2>/dev/null; true");
          for (const s of steps) {
            const n = (i: number) => names[i % names.length] as string;
            if (s.k === "ln")
              await sh(
                `mkdir -p "$(dirname ${shQuote(n(s.name))})"; ln -sfn ${shQuote(targets[s.target] as string)} ${shQuote(n(s.name))}`,
              );
            else if (s.k === "mkfifo") await sh(`mkfifo ${shQuote(n(s.name))}`);
            else if (s.k === "mkdir") await sh(`mkdir -p ${shQuote(n(s.name))}`);
            else if (s.k === "echo") await sh(`echo inside > ${shQuote(n(s.name))}`);
            else if (s.k === "mv") await sh(`mv -f ${shQuote(n(s.from))} ${shQuote(n(s.to))}`);
            else if (s.k === "read") {
              const r = await readTool(env.files)
                .execute({ path: n(s.name) }, c)
                .catch((e: Error) => ({ content: e.message }));
              expect(r.content).not.toContain(SENTINEL);
            } else if (s.k === "write")
              await writeTool(env.files)
                .execute({ path: n(s.name), content: "written" }, c)
                .catch(() => undefined);
            else await media.save({ agentId: "main", sessionKey: key }, Buffer.from("media"), "txt");
          }
          expect(await snapshot(outside, [])).toEqual(before[0]);
          expect(await snapshot(stateDir, skip)).toEqual(before[1]);
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});
