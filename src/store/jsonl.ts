import { promises as fsp, constants as fsc } from "node:fs";

/** Block size for scanning a file backwards for its last newline. */
const TAIL_BLOCK = 64 * 1024;

/** What {@link repairTornTail} did. */
export interface TailRepair {
  /** Bytes removed from the end (0 when the file was intact or missing). */
  readonly droppedBytes: number;
  /** File size after the repair. */
  readonly size: number;
}

/**
 * Truncates a JSONL file to its last complete line: when the file does not end with `\n` (a write
 * torn by a crash or a full disk), everything after the last `\n` is cut and the file is fsynced.
 * Without this, the next append would be glued onto the fragment and both lines lost.
 * A missing file is left alone.
 * @throws the fs error (ENOSPC is impossible here; EIO/EMFILE are), for the caller to classify.
 */
export async function repairTornTail(file: string): Promise<TailRepair> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, fsc.O_RDWR | fsc.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { droppedBytes: 0, size: 0 };
    throw err;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return { droppedBytes: 0, size };
    const keep = await lastNewlineEnd(handle, size);
    if (keep === size) return { droppedBytes: 0, size };
    await handle.truncate(keep);
    await handle.sync();
    return { droppedBytes: size - keep, size: keep };
  } finally {
    await handle.close();
  }
}

/** Offset just past the last `\n` in the file (0 when there is none). */
async function lastNewlineEnd(handle: fsp.FileHandle, size: number): Promise<number> {
  const buf = Buffer.alloc(Math.min(TAIL_BLOCK, size));
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - buf.length);
    const len = end - start;
    await handle.read(buf, 0, len, start);
    const i = buf.subarray(0, len).lastIndexOf(0x0a);
    if (i >= 0) return start + i + 1;
    end = start;
  }
  return 0;
}

/** Parsed lines of a JSONL text. */
export interface JsonlParse {
  readonly entries: unknown[];
  /** 1-based numbers of lines that are not JSON (a torn last line counts). */
  readonly badLines: number[];
}

/** Parses JSONL: one JSON value per non-empty line; lines that do not parse are counted, not thrown. */
export function parseJsonl(text: string): JsonlParse {
  const entries: unknown[] = [];
  const badLines: number[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === "") continue;
    try {
      entries.push(JSON.parse(line));
    } catch {
      badLines.push(i + 1);
    }
  }
  return { entries, badLines };
}
