import { promises as fsp } from "node:fs";
import path from "node:path";
import { HoldfastError } from "../errors/index.js";

/** A path prefix the model may use that maps onto a host directory (`/workspace`, `/agent`). */
export interface VirtualMount {
  readonly at: string;
  readonly hostDir: string;
  readonly readOnly: boolean;
}

/**
 * Where file tools may go for one call.
 * - `workspaceDir`: relative paths resolve here; with `workspaceOnly` every path must stay inside it
 *   (or inside a mount).
 * - `stateDir`: never readable or writable, whatever the settings, except the directories listed in
 *   `stateDirAllowed` (agent workspaces and the sandboxes dir live there).
 * - `mounts`: sandbox paths as the model sees them (`/workspace/x` → host path).
 * Source: issue "Tool policy ... and the sandbox", reference §6.7.
 */
export interface FsScope {
  readonly workspaceDir: string;
  readonly workspaceOnly: boolean;
  readonly stateDir: string;
  readonly stateDirAllowed: readonly string[];
  readonly mounts?: readonly VirtualMount[];
}

/** A resolved tool path: the host path with symlinks in existing ancestors resolved. */
export interface ResolvedPath {
  readonly real: string;
  /** The root it was confined to (workspace or mount host dir); undefined when not confined. */
  readonly root: string | undefined;
  readonly readOnly: boolean;
}

/** True when `child` equals `parent` or lies below it (both absolute, normalized). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (!rel.startsWith(`..${path.sep}`) && rel !== ".." && !path.isAbsolute(rel));
}

/**
 * Resolves a tool path: `/workspace/...`-style mounts first, then relative to the workspace; `..`
 * is normalized, then the deepest existing ancestor is resolved with realpath (a symlink pointing
 * outside is caught) and the rest appended. Then the confinement rules of {@link FsScope} apply.
 * @throws HoldfastError HF_TOOL_PATH_OUTSIDE when the path leaves its root, enters the state dir, or
 *   contains NUL.
 */
export async function resolveToolPath(scope: FsScope, p: string): Promise<ResolvedPath> {
  if (p.includes("\0")) throw outside(p, "contains a NUL byte");
  const mount = scope.mounts?.find((m) => p === m.at || p.startsWith(`${m.at}/`));
  const base = mount ? mount.hostDir : scope.workspaceDir;
  const rootReal = await fsp.realpath(base);
  const target = mount ? path.join(rootReal, p.slice(mount.at.length)) : path.resolve(rootReal, p);
  const real = await realpathOfDeepestAncestor(target);
  const confined = mount !== undefined || scope.workspaceOnly;
  if (confined && !isInside(rootReal, real))
    throw outside(p, mount ? `leaves ${mount.at}` : "is outside the workspace");
  await assertNotStateDir(scope, real, p);
  return { real, root: confined ? rootReal : undefined, readOnly: mount?.readOnly ?? false };
}

/**
 * Resolves `p` inside `root` (relative to it; realpath of the deepest existing ancestor).
 * @throws HoldfastError HF_TOOL_PATH_OUTSIDE when it leaves `root`.
 */
export async function resolveConfined(root: string, p: string): Promise<string> {
  if (p.includes("\0")) throw outside(p, "contains a NUL byte");
  const rootReal = await fsp.realpath(root);
  const real = await realpathOfDeepestAncestor(path.resolve(rootReal, p));
  if (!isInside(rootReal, real)) throw outside(p, "is outside the workspace");
  return real;
}

/** Re-checks an already opened file's real location (after open, against races). */
export async function assertStillAllowed(
  scope: FsScope,
  resolved: ResolvedPath,
  realNow: string,
  p: string,
): Promise<void> {
  if (resolved.root !== undefined && !isInside(resolved.root, realNow))
    throw outside(p, "moved outside the workspace while it was opened");
  await assertNotStateDir(scope, realNow, p);
}

async function assertNotStateDir(scope: FsScope, real: string, p: string): Promise<void> {
  const state = await fsp.realpath(scope.stateDir).catch(() => path.resolve(scope.stateDir));
  if (!isInside(state, real)) return;
  for (const dir of scope.stateDirAllowed) {
    const allowedReal = await fsp.realpath(dir).catch(() => path.resolve(dir));
    if (isInside(allowedReal, real)) return;
  }
  throw outside(
    p,
    "is inside the holdfast state directory (config, credentials, transcripts), which tools may never access",
  );
}

function outside(p: string, why: string): HoldfastError {
  return new HoldfastError("HF_TOOL_PATH_OUTSIDE", `path "${p.slice(0, 200)}" ${why}`);
}

async function realpathOfDeepestAncestor(target: string): Promise<string> {
  const rest: string[] = [];
  let cur = target;
  for (;;) {
    try {
      const real = await fsp.realpath(cur);
      return path.join(real, ...rest.reverse());
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") throw err;
      const parent = path.dirname(cur);
      if (parent === cur) return target;
      rest.push(path.basename(cur));
      cur = parent;
    }
  }
}
