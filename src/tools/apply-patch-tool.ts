import { promises as fsp } from "node:fs";
import { z } from "zod";
import { HoldfastError } from "../errors/index.js";
import { EDIT_MAX_BYTES, type ScopeFor } from "./fs-tools.js";
import { readTextSafe, writeTextSafe } from "./fs-io.js";
import { resolveToolPath, type FsScope } from "./fs-scope.js";
import { applyHunks, parsePatch, type PatchOp } from "./patch-parse.js";
import type { ToolDefinition } from "./types.js";

const PatchArgs = z.strictObject({
  input: z.string().min(1).max(EDIT_MAX_BYTES).describe("The patch, from *** Begin Patch to *** End Patch"),
});

/**
 * `apply_patch`: adds, updates, moves and deletes workspace files from one patch. Every file is
 * checked and every new content computed before anything is written, so a hunk that does not match
 * changes nothing. Paths follow the same confinement as `write` (`tools.exec.applyPatch.workspaceOnly`,
 * default true, confines it even when `tools.fs.workspaceOnly` is off; reference §6.7).
 */
export function applyPatchTool(scopeFor: ScopeFor): ToolDefinition<z.infer<typeof PatchArgs>> {
  return {
    name: "apply_patch",
    description:
      "Apply a patch (*** Begin Patch / *** Add File: / *** Update File: / *** Delete File: / *** End Patch) to workspace files.",
    parameters: PatchArgs,
    async execute(args, ctx) {
      const scope = scopeFor(ctx);
      const ops = parsePatch(args.input);
      const plan = await planOps(scope, ops);
      for (const step of plan) {
        if (step.content !== undefined) await writeTextSafe(scope, step.path, step.content);
        else await removeFile(scope, step.path);
      }
      return { content: ops.map(describe).join("\n") };
    },
  };
}

interface Step {
  readonly path: string;
  /** New content; undefined = delete. */
  readonly content?: string;
}

async function planOps(scope: FsScope, ops: readonly PatchOp[]): Promise<Step[]> {
  const steps: Step[] = [];
  for (const op of ops) {
    if (op.kind === "add") {
      if (await exists(scope, op.path))
        throw new HoldfastError("HF_TOOL_FAILED", `cannot add ${op.path}: it already exists`);
      steps.push({ path: op.path, content: `${op.lines.join("\n")}\n` });
    } else if (op.kind === "delete") {
      await readTextSafe(scope, op.path, EDIT_MAX_BYTES);
      steps.push({ path: op.path });
    } else {
      const text = await readTextSafe(scope, op.path, EDIT_MAX_BYTES);
      const next = applyHunks(text, op.hunks, op.path);
      if (op.moveTo !== undefined && op.moveTo !== op.path) {
        if (await exists(scope, op.moveTo))
          throw new HoldfastError("HF_TOOL_FAILED", `cannot move ${op.path} to ${op.moveTo}: it already exists`);
        steps.push({ path: op.moveTo, content: next }, { path: op.path });
      } else steps.push({ path: op.path, content: next });
    }
  }
  return steps;
}

async function exists(scope: FsScope, p: string): Promise<boolean> {
  const r = await resolveToolPath(scope, p);
  return fsp.lstat(r.real).then(
    () => true,
    () => false,
  );
}

async function removeFile(scope: FsScope, p: string): Promise<void> {
  const r = await resolveToolPath(scope, p);
  if (r.readOnly) throw new HoldfastError("HF_TOOL_PATH_OUTSIDE", `path "${p}" is on a read-only mount`);
  const st = await fsp.lstat(r.real);
  if (!st.isFile()) throw new HoldfastError("HF_TOOL_FAILED", `${p} is not a regular file`);
  await fsp.unlink(r.real);
}

function describe(op: PatchOp): string {
  if (op.kind === "add") return `A ${op.path}`;
  if (op.kind === "delete") return `D ${op.path}`;
  return op.moveTo !== undefined ? `R ${op.path} -> ${op.moveTo}` : `M ${op.path}`;
}
