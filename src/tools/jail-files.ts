import { HoldfastError } from "../errors/index.js";
import type { FileOp, FileOpResult } from "../sandbox/index.js";
import type { ToolContext } from "./types.js";

/**
 * How the file tools reach files: every operation runs inside the call's jail (the session's
 * sandbox or host jail), so the gateway never opens, follows or writes a path the model can change.
 * `kind: "patch"` applies `tools.exec.applyPatch.workspaceOnly`. Paths are the model's: relative to
 * the workspace, or absolute as the jail sees them (`/workspace/...`, `/inbox/...`).
 */
export interface ToolFiles {
  run(
    ctx: ToolContext,
    ops: readonly FileOp[],
    opts?: { readonly continueOnError?: boolean; readonly kind?: "fs" | "patch" },
  ): Promise<FileOpResult[]>;
}

type Ok<R> = Extract<R, { ok: true }>;

/**
 * The successful result of an op, or the failure as the error the tool reports: leaving the
 * workspace, a read-only mount and symlinks are HF_TOOL_PATH_OUTSIDE, everything else HF_TOOL_FAILED.
 */
export function okOrThrow<K extends keyof OkShapes>(r: FileOpResult | undefined, _kind: K): OkShapes[K] {
  if (!r) throw new HoldfastError("HF_TOOL_FAILED", "the file operation returned nothing");
  if (!r.ok) {
    const code =
      r.code === "outside" || r.code === "read_only" || r.code === "is_symlink"
        ? "HF_TOOL_PATH_OUTSIDE"
        : "HF_TOOL_FAILED";
    throw new HoldfastError(code, r.message, { reason: r.code });
  }
  return r as OkShapes[K];
}

/** Result shapes by op. */
export interface OkShapes {
  readonly read: Ok<FileOpResult> & { readonly size: number; readonly data: string };
  readonly write: Ok<FileOpResult> & { readonly bytes: number; readonly created: boolean };
  readonly edit: Ok<FileOpResult> & { readonly replaced: number };
  readonly stat: Ok<FileOpResult> & {
    readonly type: "file" | "dir" | "symlink" | "other" | "missing";
    readonly size: number;
  };
  readonly list: Ok<FileOpResult> & {
    readonly entries: readonly { readonly path: string; readonly type: string; readonly size: number }[];
    readonly truncated: boolean;
  };
  readonly remove: Ok<FileOpResult>;
}

/** Reads a whole file inside the jail as bytes (refused when larger than `maxBytes`). */
export async function readFileInJail(files: ToolFiles, ctx: ToolContext, p: string, maxBytes: number): Promise<Buffer> {
  const [r] = await files.run(ctx, [{ op: "read", path: p, maxBytes }]);
  return Buffer.from(okOrThrow(r, "read").data, "base64");
}
