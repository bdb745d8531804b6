import { constants as fsc, promises as fsp } from "node:fs";
import path from "node:path";

/** An argv segment with its executable resolved. `path`/`real` are undefined when not found. */
export interface ResolvedSegment {
  readonly argv: readonly string[];
  /** The executable as found (PATH lookup or cwd-relative), before symlinks are resolved. */
  readonly path?: string;
  /** `path` with every symlink resolved. */
  readonly real?: string;
  /** True when argv[0] was a bare name looked up in PATH. */
  readonly viaPath: boolean;
  /**
   * True when the executable lies in the workspace (a tree the model writes): it is not looked at on
   * the host (never stat-ed or followed), never matches an allowlist entry, and runs in the jail only
   * with an approval.
   */
  readonly inWorkspace?: boolean;
}

/**
 * Resolves argv[0] of each segment the way the shell would: a name with `/` relative to `cwd`,
 * a bare name through `pathVar` (first executable regular file wins), then realpath. A path inside
 * `workspace` (host path) is taken as written, without looking at it ({@link ResolvedSegment.inWorkspace}).
 */
export async function resolveSegments(
  segments: readonly (readonly string[])[],
  cwd: string,
  pathVar: string,
  workspace?: string,
): Promise<ResolvedSegment[]> {
  return Promise.all(segments.map((argv) => resolveSegment(argv, { cwd, pathVar, workspace })));
}

async function resolveSegment(
  argv: readonly string[],
  o: { readonly cwd: string; readonly pathVar: string; readonly workspace: string | undefined },
): Promise<ResolvedSegment> {
  const cmd = argv[0] ?? "";
  const viaPath = !cmd.includes("/");
  const candidates = viaPath
    ? o.pathVar
        .split(":")
        .filter((d) => path.isAbsolute(d))
        .map((d) => path.join(d, cmd))
    : [path.resolve(o.cwd, cmd)];
  for (const c of candidates) {
    if (o.workspace !== undefined && isUnder(o.workspace, c)) {
      if (viaPath) continue;
      return { argv, path: c, viaPath, inWorkspace: true };
    }
    if (await isExecutableFile(c)) {
      const real = await fsp.realpath(c).catch(() => undefined);
      return { argv, path: c, ...(real ? { real } : {}), viaPath };
    }
  }
  return { argv, viaPath };
}

async function isExecutableFile(p: string): Promise<boolean> {
  try {
    const st = await fsp.stat(p);
    if (!st.isFile()) return false;
    await fsp.access(p, fsc.X_OK);
    return true;
  } catch {
    return false;
  }
}

function isUnder(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}
