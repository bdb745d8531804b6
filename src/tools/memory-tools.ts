import path from "node:path";
import { z } from "zod";
import { HoldfastError } from "../errors/index.js";
import { readFileInJail, type ToolFiles } from "./jail-files.js";
import type { ToolContext, ToolDefinition } from "./types.js";

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

/** The memory files of the call's workspace (listed inside its jail; symlinked directories are not followed). */
async function memoryFiles(files: ToolFiles, ctx: ToolContext): Promise<string[]> {
  const [top, dir] = await files.run(
    ctx,
    [
      { op: "list", path: ".", depth: 0, maxEntries: 10_000 },
      { op: "list", path: MEMORY_DIR, depth: 4, maxEntries: MAX_FILES * 4 },
    ],
    { continueOnError: true },
  );
  const out: string[] = [];
  if (top?.ok && "entries" in top)
    for (const e of top.entries) if (e.type === "file" && MEMORY_FILES.includes(e.path)) out.push(e.path);
  if (dir?.ok && "entries" in dir)
    for (const e of dir.entries)
      if (e.type === "file" && e.path.endsWith(".md") && out.length < MAX_FILES) out.push(`${MEMORY_DIR}/${e.path}`);
  return out;
}

/** The texts of `paths` (read in one batch inside the jail; unreadable ones are left out). */
async function readAll(files: ToolFiles, ctx: ToolContext, paths: readonly string[]): Promise<Map<string, string>> {
  const results = await files.run(
    ctx,
    paths.map((p) => ({ op: "read" as const, path: p, maxBytes: MAX_FILE_BYTES })),
    { continueOnError: true },
  );
  const texts = new Map<string, string>();
  results.forEach((r, i) => {
    if (r.ok && "data" in r) texts.set(paths[i] as string, Buffer.from(r.data, "base64").toString("utf8"));
  });
  return texts;
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
 * `memory/**\/*.md` in the session's workspace, listed and read inside the session's jail like `read`.
 */
export function memoryTools(
  files: ToolFiles,
): [ToolDefinition<z.infer<typeof SearchArgs>>, ToolDefinition<z.infer<typeof GetArgs>>] {
  return [
    {
      name: "memory_search",
      description: "Search the workspace memory files (MEMORY.md, memory/*.md) for lines matching the query.",
      parameters: SearchArgs,
      async execute(args, ctx) {
        const words = args.query.toLowerCase().split(/\s+/).filter(Boolean);
        const hits: { file: string; line: number; text: string; score: number }[] = [];
        for (const [file, text] of await readAll(files, ctx, await memoryFiles(files, ctx))) {
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
        const text = (await readFileInJail(files, ctx, args.path, MAX_FILE_BYTES)).toString("utf8");
        const all = text.split("\n");
        const from = (args.from ?? 1) - 1;
        const slice = all.slice(from, from + (args.lines ?? 200));
        return { content: slice.length === 0 ? `${args.path} has ${all.length} lines.` : slice.join("\n") };
      },
    },
  ];
}
