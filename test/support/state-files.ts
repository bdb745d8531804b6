import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

/** Every regular file under `dir`, as paths relative to it (`/`-separated). */
export async function listFiles(dir: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(dir, r)));
    else if (e.isFile()) out.push(r);
  }
  return out;
}

/**
 * Files under `dir` whose bytes contain `needle`, but those `skip` names. A file renamed away between
 * the listing and the read (a migration pass's temp file) is skipped.
 */
export async function filesHolding(
  dir: string,
  needle: string,
  skip: (file: string) => boolean = () => false,
): Promise<string[]> {
  const out: string[] = [];
  for (const f of await listFiles(dir)) {
    if (skip(f)) continue;
    const body = await readFile(path.join(dir, f)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return undefined;
      throw err;
    });
    if (body?.includes(needle)) out.push(f);
  }
  return out;
}

/** SHA-256 of every file under `dir` but `logs/` (which a refused start may append to). */
export async function digestFiles(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await listFiles(dir))
    if (!f.startsWith("logs/"))
      out[f] = createHash("sha256")
        .update(await readFile(path.join(dir, f)))
        .digest("hex");
  return out;
}
