import { constants as fsc, promises as fsp } from "node:fs";
import path from "node:path";
import { expandTilde } from "../../config/index.js";
import { readJsonPointer } from "./json-pointer.js";
import { failAll, type BatchOutcome, type SourceContext } from "./types.js";
import { HoldfastError, isHoldfastError } from "../../errors/index.js";

/** Settings of a `file` provider. Source: reference §8.1 (file provider). */
export interface FileProviderSettings {
  readonly path: string;
  /** `json` (default): ids are JSON pointers. `singleValue`: the whole file (trimmed) is the value of id `value`. */
  readonly mode?: "json" | "singleValue";
  /** Read time limit (ms). Default 5000. */
  readonly timeoutMs?: number;
  /** Largest file accepted (bytes). Default 1 MiB. */
  readonly maxBytes?: number;
}

export const FILE_DEFAULT_TIMEOUT_MS = 5_000;
export const FILE_DEFAULT_MAX_BYTES = 1024 * 1024;

/**
 * Why a secret file is not private enough, or undefined when it is: it must be a regular file with a
 * single hard link, owned by the current user, with no group/other permission bits (600 or stricter).
 */
export function insecureFileReason(
  st: { mode: number; uid: number; nlink: number; isFile(): boolean },
  file: string,
): string | undefined {
  if (!st.isFile()) return `secret file ${file} is not a regular file`;
  if (st.nlink > 1) return `secret file ${file} has ${st.nlink} hard links; it must have exactly one`;
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid)
    return `secret file ${file} is owned by uid ${st.uid}, not by the user running holdfast (uid ${uid})`;
  const perms = st.mode & 0o777;
  if ((perms & 0o077) !== 0)
    return `secret file ${file} has mode ${perms.toString(8).padStart(3, "0")}; it must be 600 or stricter (run: chmod 600 ${file})`;
  return undefined;
}

/** The absolute path of a file provider (`~` expanded). */
export function secretFilePath(settings: FileProviderSettings, home: string): string {
  return path.resolve(expandTilde(settings.path, home));
}

/**
 * Resolves file refs. The file is opened without following symlinks and checked on the open handle
 * (no race between check and read); it must pass {@link insecureFileReason} and fit in `maxBytes`.
 */
export async function resolveFileIds(
  settings: FileProviderSettings,
  ids: readonly string[],
  ctx: SourceContext,
): Promise<BatchOutcome> {
  const file = secretFilePath(settings, ctx.home);
  if (!path.isAbsolute(expandTilde(settings.path, ctx.home)))
    return failAll(ids, `secret file path ${settings.path} must be absolute (or start with ~/)`);
  let text: string;
  try {
    text = await readPrivateFile(
      file,
      settings.maxBytes ?? FILE_DEFAULT_MAX_BYTES,
      settings.timeoutMs ?? FILE_DEFAULT_TIMEOUT_MS,
    );
  } catch (err) {
    if (isHoldfastError(err)) return failAll(ids, err.message, err.code === "HF_SECRET_INSECURE_FILE");
    return failAll(ids, `cannot read secret file ${file} (${(err as NodeJS.ErrnoException).code ?? "read failed"})`);
  }
  if (settings.mode === "singleValue") {
    return new Map(
      ids.map((id) => [
        id,
        id === "value"
          ? { ok: true, value: text.replace(/\r?\n$/, "") }
          : { ok: false, reason: `singleValue files only have the id "value"` },
      ]),
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return failAll(ids, `secret file ${file} is not valid JSON`);
  }
  return new Map(
    ids.map((id) => {
      const value = readJsonPointer(doc, id);
      return [
        id,
        value === undefined ? { ok: false, reason: `no value at JSON pointer ${id} in ${file}` } : { ok: true, value },
      ];
    }),
  );
}

async function readPrivateFile(file: string, maxBytes: number, timeoutMs: number): Promise<string> {
  const lst = await fsp.lstat(file);
  if (lst.isSymbolicLink())
    throw new HoldfastError(
      "HF_SECRET_INSECURE_FILE",
      `secret file ${file} is a symbolic link; point the provider at the real file`,
    );
  const handle = await fsp.open(file, fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK);
  try {
    const st = await handle.stat();
    const why = insecureFileReason(st, file);
    if (why) throw new HoldfastError("HF_SECRET_INSECURE_FILE", why);
    if (st.size > maxBytes)
      throw new HoldfastError(
        "HF_SECRET_UNRESOLVED",
        `secret file ${file} is ${st.size} bytes; the limit is ${maxBytes}`,
      );
    return await handle.readFile({ encoding: "utf8", signal: AbortSignal.timeout(timeoutMs) });
  } finally {
    await handle.close();
  }
}
