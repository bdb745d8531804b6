import { z } from "zod";
import { openForRead, readTextSafe, writeTextSafe } from "./fs-io.js";
import type { FsScope } from "./fs-scope.js";
import type { ToolContext, ToolDefinition } from "./types.js";

/** Largest file `read` returns in one call (bytes). */
export const READ_MAX_BYTES = 256 * 1024;
/** Largest file `edit` rewrites (bytes). */
export const EDIT_MAX_BYTES = 10 * 1024 * 1024;

/** Picks the file scope (workspace, confinement, mounts) of a call. */
export type ScopeFor = (ctx: ToolContext) => FsScope;

const ReadArgs = z.strictObject({
  path: z.string().min(1).describe("File path, relative to the workspace"),
  offset: z.number().int().min(0).optional().describe("Byte offset to start reading at (default 0)"),
  limit: z
    .number()
    .int()
    .min(1)
    .max(READ_MAX_BYTES)
    .optional()
    .describe(`Bytes to read (default and max ${READ_MAX_BYTES})`),
});

/** `read`: returns a workspace file's text (paths confined by the scope; see fs-io). */
export function readTool(scopeFor: ScopeFor): ToolDefinition<z.infer<typeof ReadArgs>> {
  return {
    name: "read",
    description: "Read a text file from the workspace.",
    parameters: ReadArgs,
    async execute(args, ctx) {
      const f = await openForRead(scopeFor(ctx), args.path);
      try {
        const st = await f.handle.stat();
        const start = args.offset ?? 0;
        const len = Math.min(args.limit ?? READ_MAX_BYTES, Math.max(0, st.size - start));
        const buf = Buffer.alloc(len);
        await f.handle.read(buf, 0, len, start);
        if (buf.includes(0))
          return { content: `${args.path} looks binary (${st.size} bytes); not shown`, isError: true };
        const more =
          start + len < st.size ? `\n[${st.size - start - len} more bytes; read again with offset ${start + len}]` : "";
        return { content: buf.toString("utf8") + more };
      } finally {
        await f.handle.close();
      }
    },
  };
}

const WriteArgs = z.strictObject({
  path: z.string().min(1).describe("File path, relative to the workspace"),
  content: z.string().max(EDIT_MAX_BYTES).describe("Full new file content"),
});

/** `write`: creates or replaces a workspace file (parent directories created). */
export function writeTool(scopeFor: ScopeFor): ToolDefinition<z.infer<typeof WriteArgs>> {
  return {
    name: "write",
    description: "Create or overwrite a text file in the workspace.",
    parameters: WriteArgs,
    async execute(args, ctx) {
      await writeTextSafe(scopeFor(ctx), args.path, args.content);
      return { content: `Wrote ${Buffer.byteLength(args.content)} bytes to ${args.path}` };
    },
  };
}

const EditArgs = z.strictObject({
  path: z.string().min(1).describe("File path, relative to the workspace"),
  oldText: z.string().min(1).describe("Exact text to replace"),
  newText: z.string().describe("Replacement text"),
  replaceAll: z.boolean().optional().describe("Replace every occurrence (default: exactly one must exist)"),
});

/** `edit`: exact-text replacement in a workspace file. */
export function editTool(scopeFor: ScopeFor): ToolDefinition<z.infer<typeof EditArgs>> {
  return {
    name: "edit",
    description: "Replace exact text in a workspace file. oldText must occur exactly once unless replaceAll is true.",
    parameters: EditArgs,
    async execute(args, ctx) {
      const scope = scopeFor(ctx);
      const text = await readTextSafe(scope, args.path, EDIT_MAX_BYTES);
      const count = text.split(args.oldText).length - 1;
      if (count === 0) return { content: `oldText not found in ${args.path}`, isError: true };
      if (count > 1 && !args.replaceAll)
        return {
          content: `oldText occurs ${count} times in ${args.path}; add context or set replaceAll`,
          isError: true,
        };
      const next = args.replaceAll
        ? text.split(args.oldText).join(args.newText)
        : text.replace(args.oldText, () => args.newText);
      await writeTextSafe(scope, args.path, next);
      return { content: `Replaced ${args.replaceAll ? count : 1} occurrence(s) in ${args.path}` };
    },
  };
}
