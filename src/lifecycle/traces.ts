import { promises as fsp } from "node:fs";
import path from "node:path";
import { decodeStateFile, escapeRegExp } from "../infra/index.js";

/** Files larger than this are skipped by {@link findTraces} (and reported as not searched). */
const MAX_SCAN_BYTES = 256 * 1024 * 1024;

/** A whole-token pattern for `needle`: not part of a longer run of letters or digits. */
function tokenPattern(needle: string): RegExp {
  const bytes = Buffer.from(needle, "utf8").toString("latin1"); // files are searched byte for byte
  return new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(bytes)}(?![A-Za-z0-9])`, "gi");
}

/** Every regular file under `root` (symlinks are not followed). */
export async function walkFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (dir: string) => {
    for (const e of await fsp.readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await visit(p);
      else if (e.isFile()) out.push(p);
    }
  };
  await visit(root);
  return out.sort();
}

/** Files (of `files`) that contain any of `needles` as a whole token, with the needles found. */
export async function findTraces(
  files: readonly string[],
  needles: readonly string[],
): Promise<{ file: string; found: string[] }[]> {
  const out: { file: string; found: string[] }[] = [];
  for (const file of files) {
    const st = await fsp.lstat(file).catch(() => undefined);
    if (!st?.isFile() || st.size > MAX_SCAN_BYTES) continue;
    const raw = await fsp.readFile(file).catch(() => Buffer.alloc(0));
    // Searched as stored and, for a file encrypted at rest, as its plaintext.
    const plain = (() => {
      try {
        return decodeStateFile(file, raw);
      } catch {
        return raw;
      }
    })();
    const text = raw === plain ? raw.toString("latin1") : `${raw.toString("latin1")}\n${plain.toString("latin1")}`;
    const found = needles.filter((n) => n !== "" && tokenPattern(n).test(text));
    if (found.length > 0) out.push({ file, found });
  }
  return out;
}

/**
 * Overwrites every whole-token occurrence of `needles` in a log file with `#` of the same length, in
 * place (same inode, same offsets), so a gateway appending to the file meanwhile loses nothing.
 * Returns how many occurrences were overwritten.
 */
export async function redactInPlace(file: string, needles: readonly string[]): Promise<number> {
  const handle = await fsp.open(file, "r+").catch(() => undefined);
  if (!handle) return 0;
  try {
    const text = (await handle.readFile()).toString("latin1");
    let n = 0;
    for (const needle of needles) {
      if (needle === "") continue;
      for (const m of text.matchAll(tokenPattern(needle))) {
        await handle.write(Buffer.from("#".repeat(m[0].length), "latin1"), 0, m[0].length, m.index);
        n++;
      }
    }
    if (n > 0) await handle.sync();
    return n;
  } finally {
    await handle.close();
  }
}
