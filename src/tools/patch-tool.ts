import { z } from "zod";
import { HoldfastError } from "../errors/index.js";
import type { FileOp } from "../sandbox/index.js";
import { EDIT_MAX_BYTES } from "./file-tools.js";
import { okOrThrow, type ToolFiles } from "./jail-files.js";
import { applyHunks, parsePatch, type PatchOp } from "./patch-parse.js";
import type { ToolContext, ToolDefinition } from "./types.js";

const PatchArgs = z.strictObject({
  input: z.string().min(1).max(EDIT_MAX_BYTES).describe("The patch, from *** Begin Patch to *** End Patch"),
});

/**
 * `apply_patch`: adds, updates, moves and deletes files from one patch, inside the session's jail.
 * Every file is checked and every new content computed before anything is written (one batch of
 * reads, then one batch of writes that stops at the first failure), so a hunk that does not match
 * changes nothing. Confinement: `tools.exec.applyPatch.workspaceOnly` (default true) confines it
 * even when `tools.fs.workspaceOnly` is off (reference §6.7).
 */
export function applyPatchTool(files: ToolFiles): ToolDefinition<z.infer<typeof PatchArgs>> {
  return {
    name: "apply_patch",
    description:
      "Apply a patch (*** Begin Patch / *** Add File: / *** Update File: / *** Delete File: / *** End Patch) to workspace files.",
    parameters: PatchArgs,
    async execute(args, ctx) {
      const ops = parsePatch(args.input);
      const steps = await plan(files, ctx, ops);
      const results = await files.run(ctx, steps, { kind: "patch" });
      results.forEach((r, i) => okOrThrow(r, steps[i]?.op === "remove" ? "remove" : "write"));
      return { content: ops.map(describe).join("\n") };
    },
  };
}

/** Reads what the patch needs (one batch), checks it, and returns the writes and removals to make. */
async function plan(files: ToolFiles, ctx: ToolContext, ops: readonly PatchOp[]): Promise<FileOp[]> {
  const checks: FileOp[] = ops.flatMap((op): FileOp[] => {
    if (op.kind === "add") return [{ op: "stat", path: op.path }];
    if (op.kind === "delete") return [{ op: "stat", path: op.path }];
    const read: FileOp = { op: "read", path: op.path, maxBytes: EDIT_MAX_BYTES };
    return op.moveTo !== undefined && op.moveTo !== op.path ? [read, { op: "stat", path: op.moveTo }] : [read];
  });
  const got = await files.run(ctx, checks, { kind: "patch" });
  const steps: FileOp[] = [];
  let k = 0;
  const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
  for (const op of ops) {
    if (op.kind === "add") {
      if (okOrThrow(got[k++], "stat").type !== "missing")
        throw new HoldfastError("HF_TOOL_FAILED", `cannot add ${op.path}: it already exists`);
      steps.push({ op: "write", path: op.path, data: b64(`${op.lines.join("\n")}\n`) });
    } else if (op.kind === "delete") {
      const st = okOrThrow(got[k++], "stat");
      if (st.type === "missing") throw new HoldfastError("HF_TOOL_FAILED", `${op.path} does not exist`);
      if (st.type !== "file") throw new HoldfastError("HF_TOOL_FAILED", `${op.path} is not a regular file`);
      steps.push({ op: "remove", path: op.path });
    } else {
      const text = Buffer.from(okOrThrow(got[k++], "read").data, "base64").toString("utf8");
      const next = applyHunks(text, op.hunks, op.path);
      if (op.moveTo !== undefined && op.moveTo !== op.path) {
        if (okOrThrow(got[k++], "stat").type !== "missing")
          throw new HoldfastError("HF_TOOL_FAILED", `cannot move ${op.path} to ${op.moveTo}: it already exists`);
        steps.push({ op: "write", path: op.moveTo, data: b64(next) }, { op: "remove", path: op.path });
      } else steps.push({ op: "write", path: op.path, data: b64(next) });
    }
  }
  return steps;
}

function describe(op: PatchOp): string {
  if (op.kind === "add") return `A ${op.path}`;
  if (op.kind === "delete") return `D ${op.path}`;
  return op.moveTo !== undefined ? `R ${op.path} -> ${op.moveTo}` : `M ${op.path}`;
}
