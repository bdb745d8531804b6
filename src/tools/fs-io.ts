import { constants as fsc, promises as fsp } from "node:fs";
import path from "node:path";
import { HoldfastError } from "../errors/index.js";
import { assertStillAllowed, isInside, resolveToolPath, type FsScope, type ResolvedPath } from "./fs-scope.js";

/**
 * Race-safe file access for the file tools. Every open uses O_NOFOLLOW (a symlink swapped in as the
 * last component fails), and after opening the real location of the descriptor (`/proc/self/fd/N`)
 * is checked again, so a directory swapped for a symlink between the check and the open is caught.
 * Files with more than one hard link are refused in a confined scope (a hard link can point at a file
 * outside the workspace). Source: issue "tools.fs.workspaceOnly".
 */

/** An opened, verified file. `handle` must be closed by the caller. */
export interface OpenedFile {
  readonly handle: fsp.FileHandle;
  readonly real: string;
  readonly created: boolean;
}

/** Opens `p` for reading. @throws HoldfastError HF_TOOL_PATH_OUTSIDE, HF_TOOL_FAILED (not a file). */
export async function openForRead(scope: FsScope, p: string): Promise<OpenedFile> {
  const resolved = await resolveToolPath(scope, p);
  const handle = await openNoFollow(resolved.real, fsc.O_RDONLY, p);
  try {
    await verifyOpened(scope, resolved, handle, p);
    return { handle, real: resolved.real, created: false };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/**
 * Opens `p` for writing (created with mode 600 and missing parent directories with 700 when
 * needed; never truncated here). New files and directories take the owner of their root directory
 * (so a sandbox user can use files a host tool wrote).
 * @throws HoldfastError HF_TOOL_PATH_OUTSIDE (also for read-only mounts), HF_TOOL_FAILED.
 */
export async function openForWrite(scope: FsScope, p: string): Promise<OpenedFile> {
  const resolved = await resolveToolPath(scope, p);
  if (resolved.readOnly) throw new HoldfastError("HF_TOOL_PATH_OUTSIDE", `path "${p}" is on a read-only mount`);
  await makeParents(scope, resolved, p);
  let created = true;
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(resolved.real, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw failed(p, err);
    created = false;
    handle = await openNoFollow(resolved.real, fsc.O_WRONLY, p);
  }
  try {
    await verifyOpened(scope, resolved, handle, p);
  } catch (err) {
    const landed = created ? await fsp.readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined) : undefined;
    await handle.close();
    if (landed) await removeIfEmptyFile(landed);
    throw err;
  }
  if (created) await adoptOwner(resolved.root, resolved.real);
  return { handle, real: resolved.real, created };
}

/** Reads a whole file through {@link openForRead}. @throws HoldfastError HF_TOOL_FAILED when larger than `maxBytes`. */
export async function readBytesSafe(scope: FsScope, p: string, maxBytes: number): Promise<Buffer> {
  const f = await openForRead(scope, p);
  try {
    const st = await f.handle.stat();
    if (st.size > maxBytes) throw new HoldfastError("HF_TOOL_FAILED", `${p} is larger than ${maxBytes} bytes`);
    return await f.handle.readFile();
  } finally {
    await f.handle.close();
  }
}

/** {@link readBytesSafe} as UTF-8 text. */
export async function readTextSafe(scope: FsScope, p: string, maxBytes: number): Promise<string> {
  return (await readBytesSafe(scope, p, maxBytes)).toString("utf8");
}

/** Replaces a file's content through {@link openForWrite}. */
export async function writeTextSafe(scope: FsScope, p: string, content: string): Promise<void> {
  const f = await openForWrite(scope, p);
  try {
    await f.handle.truncate(0);
    await f.handle.write(content, 0, "utf8");
  } finally {
    await f.handle.close();
  }
}

async function openNoFollow(real: string, flags: number, p: string): Promise<fsp.FileHandle> {
  try {
    return await fsp.open(real, flags | fsc.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ELOOP")
      throw new HoldfastError("HF_TOOL_PATH_OUTSIDE", `path "${p}" is a symbolic link; open its target instead`);
    throw failed(p, err);
  }
}

async function verifyOpened(scope: FsScope, resolved: ResolvedPath, handle: fsp.FileHandle, p: string): Promise<void> {
  const st = await handle.stat();
  if (!st.isFile()) throw new HoldfastError("HF_TOOL_FAILED", `${p} is not a regular file`);
  if (resolved.root !== undefined && st.nlink > 1)
    throw new HoldfastError(
      "HF_TOOL_PATH_OUTSIDE",
      `path "${p}" has ${st.nlink} hard links; hard-linked files are refused in the workspace`,
    );
  const now = await fdPath(handle, resolved.real, st);
  await assertStillAllowed(scope, resolved, now, p);
}

/** The real path of an open descriptor (Linux `/proc/self/fd`); elsewhere the checked path if it is still the same file. */
async function fdPath(handle: fsp.FileHandle, expected: string, st: { dev: number; ino: number }): Promise<string> {
  try {
    return await fsp.readlink(`/proc/self/fd/${handle.fd}`);
  } catch {
    const again = await fsp.stat(expected).catch(() => undefined);
    if (!again || again.dev !== st.dev || again.ino !== st.ino)
      throw new HoldfastError("HF_TOOL_PATH_OUTSIDE", `path changed while it was opened`);
    return expected;
  }
}

async function makeParents(scope: FsScope, resolved: ResolvedPath, p: string): Promise<void> {
  const dir = path.dirname(resolved.real);
  const missing: string[] = [];
  for (let cur = dir; ; cur = path.dirname(cur)) {
    const exists = await fsp.lstat(cur).then(
      () => true,
      () => false,
    );
    if (exists || path.dirname(cur) === cur) break;
    missing.unshift(cur);
  }
  for (const d of missing) {
    try {
      await fsp.mkdir(d, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw failed(p, err);
    }
    await adoptOwner(resolved.root, d);
  }
  const realDir = await fsp.realpath(dir).catch((err: unknown) => {
    throw failed(p, err);
  });
  if (resolved.root !== undefined && !isInside(resolved.root, realDir))
    throw new HoldfastError("HF_TOOL_PATH_OUTSIDE", `path "${p}" moved outside the workspace`);
  await assertStillAllowed(scope, resolved, realDir, p);
}

/** When running as root, gives a new file/dir the owner of its root directory (the sandbox user). */
async function adoptOwner(root: string | undefined, target: string): Promise<void> {
  if (root === undefined || process.getuid?.() !== 0) return;
  const st = await fsp.stat(root);
  if (st.uid !== 0 || st.gid !== 0) await fsp.lchown(target, st.uid, st.gid);
}

/** Removes the empty file this call created at a refused location (a lost race leaves nothing behind). */
async function removeIfEmptyFile(real: string): Promise<void> {
  const st = await fsp.lstat(real).catch(() => undefined);
  if (st?.isFile() && st.size === 0) await fsp.rm(real, { force: true });
}

function failed(p: string, err: unknown): HoldfastError {
  const code = (err as NodeJS.ErrnoException).code;
  const msg =
    code === "ENOENT"
      ? "does not exist"
      : code === "EACCES"
        ? "is not accessible"
        : code === "EISDIR"
          ? "is a directory"
          : `cannot be opened (${code ?? "error"})`;
  return new HoldfastError("HF_TOOL_FAILED", `${p} ${msg}`, undefined, { cause: err });
}
