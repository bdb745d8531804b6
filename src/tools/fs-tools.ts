import { promises as fsp } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { ToolDefinition } from "./types.js";
import { resolveInWorkspace } from "./workspace-path.js";

/** Largest file `read` returns in one call (bytes). */
export const READ_MAX_BYTES = 256 * 1024;

const ReadArgs = z.strictObject({
  path: z.string().min(1).describe("File path, relative to the workspace"),
  offset: z.number().int().min(0).optional().describe("Byte offset to start reading at (default 0)"),
  limit: z.number().int().min(1).max(READ_MAX_BYTES).optional().describe(`Bytes to read (default and max ${READ_MAX_BYTES})`),
});

/** `read`: returns a workspace file's text. */
export const readTool: ToolDefinition<z.infer<typeof ReadArgs>> = {
  name: "read",
  description: "Read a text file from the workspace.",
  parameters: ReadArgs,
  async execute(args, ctx) {
    const file = await resolveInWorkspace(ctx.workspaceDir, args.path);
    const handle = await fsp.open(file, "r");
    try {
      const st = await handle.stat();
      if (!st.isFile()) return { content: `${args.path} is not a regular file`, isError: true };
      const start = args.offset ?? 0;
      const len = Math.min(args.limit ?? READ_MAX_BYTES, Math.max(0, st.size - start));
      const buf = Buffer.alloc(len);
      await handle.read(buf, 0, len, start);
      if (buf.includes(0)) return { content: `${args.path} looks binary (${st.size} bytes); not shown`, isError: true };
      const more = start + len < st.size ? `\n[${st.size - start - len} more bytes; read again with offset ${start + len}]` : "";
      return { content: buf.toString("utf8") + more };
    } finally {
      await handle.close();
    }
  },
};

const WriteArgs = z.strictObject({
  path: z.string().min(1).describe("File path, relative to the workspace"),
  content: z.string().max(10 * 1024 * 1024).describe("Full new file content"),
});

/** `write`: creates or replaces a workspace file (parent directories created). */
export const writeTool: ToolDefinition<z.infer<typeof WriteArgs>> = {
  name: "write",
  description: "Create or overwrite a text file in the workspace.",
  parameters: WriteArgs,
  async execute(args, ctx) {
    const file = await resolveInWorkspace(ctx.workspaceDir, args.path);
    await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await fsp.writeFile(file, args.content, { mode: 0o600 });
    return { content: `Wrote ${Buffer.byteLength(args.content)} bytes to ${args.path}` };
  },
};

const EditArgs = z.strictObject({
  path: z.string().min(1).describe("File path, relative to the workspace"),
  oldText: z.string().min(1).describe("Exact text to replace"),
  newText: z.string().describe("Replacement text"),
  replaceAll: z.boolean().optional().describe("Replace every occurrence (default: exactly one must exist)"),
});

/** `edit`: exact-text replacement in a workspace file. */
export const editTool: ToolDefinition<z.infer<typeof EditArgs>> = {
  name: "edit",
  description: "Replace exact text in a workspace file. oldText must occur exactly once unless replaceAll is true.",
  parameters: EditArgs,
  async execute(args, ctx) {
    const file = await resolveInWorkspace(ctx.workspaceDir, args.path);
    const text = await fsp.readFile(file, "utf8");
    const count = text.split(args.oldText).length - 1;
    if (count === 0) return { content: `oldText not found in ${args.path}`, isError: true };
    if (count > 1 && !args.replaceAll) return { content: `oldText occurs ${count} times in ${args.path}; add context or set replaceAll`, isError: true };
    const next = args.replaceAll ? text.split(args.oldText).join(args.newText) : text.replace(args.oldText, () => args.newText);
    await fsp.writeFile(file, next);
    return { content: `Replaced ${args.replaceAll ? count : 1} occurrence(s) in ${args.path}` };
  },
};
