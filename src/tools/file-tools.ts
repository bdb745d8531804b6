import { z } from "zod";
import { okOrThrow, type ToolFiles } from "./jail-files.js";
import type { ToolDefinition } from "./types.js";

/** Largest chunk `read` returns in one call (bytes). */
export const READ_MAX_BYTES = 256 * 1024;
/** Largest file `edit` rewrites and `write` writes (bytes). */
export const EDIT_MAX_BYTES = 10 * 1024 * 1024;

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

/** `read`: returns a file's text, read inside the session's jail (regular files only). */
export function readTool(files: ToolFiles): ToolDefinition<z.infer<typeof ReadArgs>> {
  return {
    name: "read",
    description: "Read a text file from the workspace.",
    parameters: ReadArgs,
    async execute(args, ctx) {
      const start = args.offset ?? 0;
      const [r] = await files.run(ctx, [
        { op: "read", path: args.path, offset: start, length: args.limit ?? READ_MAX_BYTES, maxBytes: READ_MAX_BYTES },
      ]);
      const got = okOrThrow(r, "read");
      const buf = Buffer.from(got.data, "base64");
      if (buf.includes(0))
        return { content: `${args.path} looks binary (${got.size} bytes); not shown`, isError: true };
      const next = start + buf.length;
      const more = next < got.size ? `\n[${got.size - next} more bytes; read again with offset ${next}]` : "";
      return { content: buf.toString("utf8") + more };
    },
  };
}

const WriteArgs = z.strictObject({
  path: z.string().min(1).describe("File path, relative to the workspace"),
  content: z.string().max(EDIT_MAX_BYTES).describe("Full new file content"),
});

/** `write`: creates or replaces a file inside the session's jail (parent directories created). */
export function writeTool(files: ToolFiles): ToolDefinition<z.infer<typeof WriteArgs>> {
  return {
    name: "write",
    description: "Create or overwrite a text file in the workspace.",
    parameters: WriteArgs,
    async execute(args, ctx) {
      const data = Buffer.from(args.content, "utf8");
      const [r] = await files.run(ctx, [{ op: "write", path: args.path, data: data.toString("base64") }]);
      okOrThrow(r, "write");
      return { content: `Wrote ${data.length} bytes to ${args.path}` };
    },
  };
}

const EditArgs = z.strictObject({
  path: z.string().min(1).describe("File path, relative to the workspace"),
  oldText: z.string().min(1).describe("Exact text to replace"),
  newText: z.string().describe("Replacement text"),
  replaceAll: z.boolean().optional().describe("Replace every occurrence (default: exactly one must exist)"),
});

/** `edit`: exact-text replacement, read and written inside the session's jail. */
export function editTool(files: ToolFiles): ToolDefinition<z.infer<typeof EditArgs>> {
  return {
    name: "edit",
    description: "Replace exact text in a workspace file. oldText must occur exactly once unless replaceAll is true.",
    parameters: EditArgs,
    async execute(args, ctx) {
      const [r] = await files.run(ctx, [
        {
          op: "edit",
          path: args.path,
          oldText: args.oldText,
          newText: args.newText,
          replaceAll: args.replaceAll === true,
          maxBytes: EDIT_MAX_BYTES,
        },
      ]);
      if (r && !r.ok && (r.code === "no_match" || r.code === "not_unique"))
        return { content: r.message, isError: true };
      const done = okOrThrow(r, "edit");
      return { content: `Replaced ${done.replaced} occurrence(s) in ${args.path}` };
    },
  };
}
