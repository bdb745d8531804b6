import { promises as fsp } from "node:fs";
import path from "node:path";
import { HoldfastError } from "../errors/index.js";

/**
 * Resolves a tool path against the workspace and proves it stays inside: `..` and absolute paths are
 * resolved first, then the deepest existing ancestor is resolved with realpath (so symlinks pointing
 * outside are caught) and the remainder appended.
 * @returns the absolute host path (symlinks in existing ancestors resolved).
 * @throws HoldfastError HF_TOOL_PATH_OUTSIDE when the path leaves the workspace or contains NUL.
 */
export async function resolveInWorkspace(workspaceDir: string, p: string): Promise<string> {
  if (p.includes("\0")) throw new HoldfastError("HF_TOOL_PATH_OUTSIDE", "path contains a NUL byte");
  const root = await fsp.realpath(workspaceDir);
  const target = path.resolve(root, p);
  const real = await realpathOfDeepestAncestor(target);
  if (!isInside(root, real)) throw new HoldfastError("HF_TOOL_PATH_OUTSIDE", `path "${p}" is outside the workspace`);
  return real;
}

/** True when `child` equals `parent` or lies below it. */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (!rel.startsWith(`..${path.sep}`) && rel !== ".." && !path.isAbsolute(rel));
}

async function realpathOfDeepestAncestor(target: string): Promise<string> {
  const rest: string[] = [];
  let cur = target;
  for (;;) {
    try {
      const real = await fsp.realpath(cur);
      return path.join(real, ...rest.reverse());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      const parent = path.dirname(cur);
      if (parent === cur) return target;
      rest.push(path.basename(cur));
      cur = parent;
    }
  }
}
