import { randomBytes } from "node:crypto";
import { promises as fsp, constants as fsc } from "node:fs";
import path from "node:path";
import { HoldfastError } from "../errors/index.js";
import { decodeStateFile, encodeStateFile } from "./state-cipher.js";

/** File mode of every holdfast state file (owner read/write only). */
export const STATE_FILE_MODE = 0o600;
/** Directory mode of every holdfast state directory (owner only). */
export const STATE_DIR_MODE = 0o700;

/**
 * Creates `dir` (and missing parents) with mode 700, and tightens `dir` itself to 700 if it exists
 * with looser bits. Parents that already exist are left alone.
 * @throws HoldfastError HF_STATE_IO when the directory cannot be created.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  try {
    await fsp.mkdir(dir, { recursive: true, mode: STATE_DIR_MODE });
    const st = await fsp.stat(dir);
    if ((st.mode & 0o077) !== 0) await fsp.chmod(dir, STATE_DIR_MODE);
  } catch (err) {
    throw new HoldfastError("HF_STATE_IO", `cannot create private directory ${dir}`, { path: dir }, { cause: err });
  }
}

/**
 * Refuses a directory that belongs to another user: whoever owns holdfast's state dir can replace its
 * config, credentials and transcripts (and chmod does not change that). Run as root, a state dir of
 * another account is refused as well. A missing directory passes (it is created 700 by us).
 * @throws HoldfastError HF_STATE_DIR_INSECURE naming the owner's uid.
 */
export async function assertOwnDir(dir: string): Promise<void> {
  const uid = process.getuid?.();
  const st = await fsp.stat(dir).catch(() => undefined);
  if (uid === undefined || st === undefined || st.uid === uid) return;
  throw new HoldfastError(
    "HF_STATE_DIR_INSECURE",
    `${dir} belongs to uid ${st.uid}, not to this user (uid ${uid}); refusing to use it as holdfast's state directory. Run holdfast as its owner, or point HOLDFAST_STATE_DIR at a directory of your own.`,
    { path: dir },
  );
}

/**
 * Writes `data` to `file` atomically: a temp file in the same directory (mode 600, O_EXCL), fsync,
 * rename over the target, then fsync of the directory. Readers see the old or the new content, never
 * a half-written file. The parent directory is created with mode 700 when missing. A file that
 * encryption at rest covers is written sealed when it is on (`state-cipher.ts`).
 * @param file target path
 * @param data file content
 * @param mode file mode, default 600
 * @param opts `privateDir: false` leaves the existing parent directory (and its mode) as it is
 * @throws HoldfastError HF_STATE_IO on any I/O failure (the temp file is removed); HF_ENCRYPTION_KEY_MISSING
 *   when it must be sealed and this process has no key.
 */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  mode = STATE_FILE_MODE,
  opts: { readonly privateDir?: boolean } = {},
): Promise<void> {
  const dir = path.dirname(file);
  const bytes = encodeStateFile(file, data);
  if (opts.privateDir !== false) await ensurePrivateDir(dir);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, mode);
    await handle.writeFile(bytes);
    await handle.chmod(mode);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fsp.rename(tmp, file);
    await syncDir(dir);
  } catch (err) {
    if (handle) await handle.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw new HoldfastError("HF_STATE_IO", `cannot write ${file}`, { path: file }, { cause: err });
  }
}

/** Writes `value` as pretty JSON (trailing newline) with {@link writeFileAtomic}. */
export async function writeJsonAtomic(file: string, value: unknown, mode = STATE_FILE_MODE): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`, mode);
}

async function syncDir(dir: string): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(dir, fsc.O_RDONLY);
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Appends one line to a private file (mode 600, created if missing) and fsyncs it. Used for JSONL
 * transcripts, where each line is a whole record.
 * @throws HoldfastError HF_STATE_IO on failure.
 */
export async function appendLinePrivate(file: string, line: string): Promise<void> {
  await ensurePrivateDir(path.dirname(file));
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(file, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_APPEND | fsc.O_NOFOLLOW, STATE_FILE_MODE);
    await handle.writeFile(line.endsWith("\n") ? line : `${line}\n`);
    await handle.sync();
  } catch (err) {
    throw new HoldfastError("HF_STATE_IO", `cannot append to ${file}`, { path: file }, { cause: err });
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Reads a file as UTF-8 (opened first when it is encrypted at rest), or returns `undefined` when it
 * does not exist.
 * @throws HoldfastError HF_STATE_IO; HF_ENCRYPTION_* for a sealed file this process cannot open
 */
export async function readFileIfExists(file: string): Promise<string | undefined> {
  return (await readStateFile(file))?.toString("utf8");
}

/**
 * Reads a state file's bytes (opened first when it is encrypted at rest), or `undefined` when it does
 * not exist.
 * @throws HoldfastError HF_STATE_FD_LIMIT when the process is out of file descriptors (EMFILE,
 *   ENFILE); HF_STATE_IO otherwise; HF_ENCRYPTION_* for a sealed file this process cannot open
 */
export async function readStateFile(file: string): Promise<Buffer | undefined> {
  let buf: Buffer;
  try {
    buf = await fsp.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "EMFILE" || code === "ENFILE")
      throw new HoldfastError(
        "HF_STATE_FD_LIMIT",
        `cannot read ${file}: too many open files; raise the open-file limit (ulimit -n) or close idle connections`,
        { path: file },
        { cause: err },
      );
    throw new HoldfastError("HF_STATE_IO", `cannot read ${file}`, { path: file }, { cause: err });
  }
  return decodeStateFile(file, buf);
}
