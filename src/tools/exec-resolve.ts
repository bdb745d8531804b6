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
}

/**
 * Resolves argv[0] of each segment the way the shell would: a name with `/` relative to `cwd`,
 * a bare name through `pathVar` (first executable regular file wins), then realpath.
 */
export async function resolveSegments(
  segments: readonly (readonly string[])[],
  cwd: string,
  pathVar: string,
): Promise<ResolvedSegment[]> {
  return Promise.all(segments.map((argv) => resolveSegment(argv, cwd, pathVar)));
}

async function resolveSegment(argv: readonly string[], cwd: string, pathVar: string): Promise<ResolvedSegment> {
  const cmd = argv[0] ?? "";
  const viaPath = !cmd.includes("/");
  const candidates = viaPath
    ? pathVar
        .split(":")
        .filter((d) => path.isAbsolute(d))
        .map((d) => path.join(d, cmd))
    : [path.resolve(cwd, cmd)];
  for (const c of candidates) {
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
