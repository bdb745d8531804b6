import { promises as fsp, renameSync } from "node:fs";
import path from "node:path";

/** Marker in the name of a file that was moved aside because it was corrupt. */
export const CORRUPT_MARKER = ".corrupt.";

/** `<file>.corrupt.<ts>` (ts in ms since the epoch). */
export function corruptName(file: string, ts: number): string {
  return `${file}${CORRUPT_MARKER}${ts}`;
}

/**
 * Moves a corrupt file aside as `<file>.corrupt.<ts>` (synchronous: used while opening stores, before
 * anything else touches the file). Returns the new path, or undefined when `file` did not exist.
 * @throws the rename error for anything but ENOENT (the caller maps it to a storage error).
 */
export function moveAsideSync(file: string, ts: number): string | undefined {
  const target = corruptName(file, ts);
  try {
    renameSync(file, target);
    return target;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/** Async {@link moveAsideSync}. */
export async function moveAside(file: string, ts: number): Promise<string | undefined> {
  const target = corruptName(file, ts);
  try {
    await fsp.rename(file, target);
    return target;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/** A file found moved aside: its original name, where it is, and when it was moved (ms). */
export interface QuarantinedFile {
  readonly original: string;
  readonly path: string;
  readonly movedAt: number;
}

/**
 * Every `*.corrupt.<ts>` file under `root` (depth-limited, symlinks not followed), newest first.
 * Used by `holdfast doctor`, which runs in its own process and sees what any earlier start moved aside.
 */
export async function findQuarantined(root: string, maxDepth = 5): Promise<QuarantinedFile[]> {
  const out: QuarantinedFile[] = [];
  async function walk(dir: string, depth: number): Promise<void> {
    const entries = await fsp.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory() && depth < maxDepth) await walk(full, depth + 1);
      else if (e.isFile()) {
        const m = /^(.*)\.corrupt\.(\d+)$/.exec(e.name);
        if (m) out.push({ original: path.join(dir, m[1] as string), path: full, movedAt: Number(m[2]) });
      }
    }
  }
  await walk(root, 0);
  return out.sort((a, b) => b.movedAt - a.movedAt);
}
