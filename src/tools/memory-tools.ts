import { promises as fsp } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { HoldfastError } from "../errors/index.js";
import { readTextSafe } from "./fs-io.js";
import { resolveToolPath, type FsScope } from "./fs-scope.js";
import type { ScopeFor } from "./fs-tools.js";
import type { ToolDefinition } from "./types.js";

const MEMORY_FILES = ["MEMORY.md", "memory.md"];
const MEMORY_DIR = "memory";
const MAX_FILES = 200;
const MAX_FILE_BYTES = 1024 * 1024;

/** True for a workspace-relative path of a memory file: `MEMORY.md`, `memory.md`, `memory/**\/*.md`. */
export function isMemoryPath(p: string): boolean {
  const n = path.posix.normalize(p.replace(/\\/g, "/")).replace(/^\.\//, "");
  if (n.startsWith("../") || n.startsWith("/")) return false;
  return MEMORY_FILES.includes(n) || (n.startsWith(`${MEMORY_DIR}/`) && n.endsWith(".md"));
}

async function memoryFiles(scope: FsScope): Promise<string[]> {
  const out: string[] = [];
  for (const f of MEMORY_FILES) if (await isFile(scope, f)) out.push(f);
  const walk = async (rel: string, depth: number) => {
    if (depth > 4 || out.length >= MAX_FILES) return;
    const r = await resolveToolPath(scope, rel).catch(() => undefined);
    const entries = r ? await fsp.readdir(r.real, { withFileTypes: true }).catch(() => []) : [];
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(child, depth + 1);
      else if (e.isFile() && e.name.endsWith(".md") && out.length < MAX_FILES) out.push(child);
    }
  };
  await walk(MEMORY_DIR, 0);
  return out;
}

async function isFile(scope: FsScope, rel: string): Promise<boolean> {
  const r = await resolveToolPath(scope, rel).catch(() => undefined);
  return r ? (await fsp.lstat(r.real).catch(() => undefined))?.isFile() === true : false;
}

const SearchArgs = z.strictObject({
  query: z.string().min(1).max(500),
  maxResults: z.number().int().min(1).max(50).optional(),
});
const GetArgs = z.strictObject({
  path: z.string().min(1).max(512),
  from: z.number().int().min(1).optional(),
  lines: z.number().int().min(1).max(2000).optional(),
});

/**
 * `memory_search` (lines of the workspace memory files matching every query word, case-insensitive,
 * best first) and `memory_get` (lines of one memory file). Memory files: `MEMORY.md` and
 * `memory/**\/*.md` in the session's workspace, read through the same confinement as `read`.
 */
export function memoryTools(
  scopeFor: ScopeFor,
): [ToolDefinition<z.infer<typeof SearchArgs>>, ToolDefinition<z.infer<typeof GetArgs>>] {
  return [
    {
      name: "memory_search",
      description: "Search the workspace memory files (MEMORY.md, memory/*.md) for lines matching the query.",
      parameters: SearchArgs,
      async execute(args, ctx) {
        const scope = scopeFor(ctx);
        const words = args.query.toLowerCase().split(/\s+/).filter(Boolean);
        const hits: { file: string; line: number; text: string; score: number }[] = [];
        for (const file of await memoryFiles(scope)) {
          const text = await readTextSafe(scope, file, MAX_FILE_BYTES).catch(() => "");
          text.split("\n").forEach((l, i) => {
            const low = l.toLowerCase();
            const score = words.filter((w) => low.includes(w)).length;
            if (score === words.length) hits.push({ file, line: i + 1, text: l.trim().slice(0, 300), score });
          });
        }
        if (hits.length === 0) return { content: `No memory lines match "${args.query}".` };
        return {
          content: hits
            .slice(0, args.maxResults ?? 10)
            .map((h) => `${h.file}:${h.line}: ${h.text}`)
            .join("\n"),
        };
      },
    },
    {
      name: "memory_get",
      description: "Read lines of a workspace memory file (MEMORY.md or memory/*.md).",
      parameters: GetArgs,
      async execute(args, ctx) {
        if (!isMemoryPath(args.path))
          throw new HoldfastError(
            "HF_TOOL_PATH_OUTSIDE",
            `"${args.path}" is not a memory file (MEMORY.md or memory/*.md)`,
          );
        const text = await readTextSafe(scopeFor(ctx), args.path, MAX_FILE_BYTES);
        const all = text.split("\n");
        const from = (args.from ?? 1) - 1;
        const slice = all.slice(from, from + (args.lines ?? 200));
        return { content: slice.length === 0 ? `${args.path} has ${all.length} lines.` : slice.join("\n") };
      },
    },
  ];
}
