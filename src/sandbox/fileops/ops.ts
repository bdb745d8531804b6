/**
 * The file operations of the file tools, as run INSIDE a session's jail (by the jail agent of a
 * bubblewrap jail, or the one-shot helper in a Docker sandbox), so every path, symlink and race is
 * resolved in the jail's view, never by the gateway on the host. Node built-ins only.
 *
 * Rules: only regular files are read (opened with O_NONBLOCK and checked with fstat, so a FIFO or a
 * device never blocks); size caps hold before anything is read; writes go to a temporary file in the
 * same directory and are renamed over the target (a symlink or directory at the target is refused);
 * with `confine` every path, and every opened descriptor, must lie inside a root.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type {
  EditOp,
  FileOp,
  FileOpError,
  FileOpErrorCode,
  FileOpResult,
  FileOpsRequest,
  FileOpsResponse,
  ListEntry,
  ListOp,
  ReadOp,
} from "./protocol.js";

const C = fs.constants;
type Result<T> = T | FileOpError;

function fail(code: FileOpErrorCode, message: string): FileOpError {
  return { ok: false, code, message };
}

function isErr<T>(r: Result<T>): r is FileOpError {
  return typeof r === "object" && r !== null && (r as { ok?: unknown }).ok === false;
}

/** Maps an errno to an error value naming the path as the model wrote it. */
function errnoFail(p: string, err: unknown): FileOpError {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
    case "ENOTDIR":
      return fail("not_found", `${p} does not exist`);
    case "EACCES":
    case "EPERM":
      return fail("denied", `${p} is not accessible`);
    case "EROFS":
      return fail("read_only", `${p} is on a read-only mount`);
    case "EISDIR":
      return fail("not_regular", `${p} is a directory`);
    case "ENXIO":
    case "ETXTBSY":
      return fail("not_regular", `${p} is not a regular file`);
    case "EFBIG":
      return fail("too_large", `${p}: the file size limit of the jail was reached`);
    case "ELOOP":
      return fail("outside", `${p}: too many levels of symbolic links`);
    case "ENOSPC":
    case "EDQUOT":
      return fail("failed", `${p}: no space left`);
    default:
      return fail("failed", `${p} cannot be used (${code ?? "error"})`);
  }
}

function inside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (!rel.startsWith(`..${path.sep}`) && rel !== ".." && !path.isAbsolute(rel));
}

/** realpath of the deepest existing ancestor, with the missing rest appended. */
function realpathDeepest(abs: string): string {
  const rest: string[] = [];
  for (let cur = abs; ;) {
    try {
      return path.join(fs.realpathSync(cur), ...rest.reverse());
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") throw err;
      const up = path.dirname(cur);
      if (up === cur) return abs;
      rest.push(path.basename(cur));
      cur = up;
    }
  }
}

class FileSession {
  private readonly roots: { real: string; writable: boolean }[];

  constructor(private readonly req: FileOpsRequest) {
    this.roots = req.roots.map((r) => ({ real: realpathDeepest(path.resolve(r.path)), writable: r.writable }));
  }

  /** The absolute path of `p`, checked against the roots (after symlinks) when confined. */
  resolve(p: string, write: boolean): Result<string> {
    if (p.includes("\0")) return fail("outside", `path "${p.slice(0, 200)}" contains a NUL byte`);
    const abs = path.resolve(this.req.cwd, p);
    let real: string;
    try {
      real = realpathDeepest(abs);
    } catch (err) {
      return errnoFail(p, err);
    }
    return this.check(p, real, write) ?? abs;
  }

  /** Confinement of a real location; undefined when allowed. */
  check(p: string, real: string, write: boolean): FileOpError | undefined {
    const root = this.roots.filter((r) => inside(r.real, real)).sort((a, b) => b.real.length - a.real.length)[0];
    if (this.req.confine && !root) return fail("outside", `path "${p.slice(0, 200)}" is outside the workspace`);
    if (write && root && !root.writable) return fail("read_only", `${p} is on a read-only mount`);
    return undefined;
  }

  /** Re-checks where an open descriptor really is (a directory swapped for a symlink mid-way is caught). */
  checkFd(p: string, fd: number, write: boolean): FileOpError | undefined {
    let real: string;
    try {
      real = fs.readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return this.req.confine ? fail("failed", `${p}: cannot verify where it was opened`) : undefined;
    }
    return this.check(p, real, write);
  }

  run(op: FileOp): FileOpResult {
    try {
      switch (op.op) {
        case "read":
          return this.read(op);
        case "write":
          return this.write(op.path, Buffer.from(op.data, "base64"));
        case "edit":
          return this.edit(op);
        case "remove":
          return this.remove(op.path);
        case "stat":
          return this.stat(op.path);
        case "list":
          return this.list(op);
        default:
          return fail("failed", `unknown op ${(op as { op?: unknown }).op as string}`);
      }
    } catch (err) {
      return errnoFail((op as { path?: string }).path ?? "?", err);
    }
  }

  /** Opens a regular file for reading without ever blocking (O_NONBLOCK, then fstat). */
  private openRegular(p: string): Result<{ fd: number; size: number }> {
    const abs = this.resolve(p, false);
    if (isErr(abs)) return abs;
    let fd: number;
    try {
      fd = fs.openSync(abs, C.O_RDONLY | C.O_NONBLOCK | C.O_NOCTTY);
    } catch (err) {
      return errnoFail(p, err);
    }
    const st = fs.fstatSync(fd);
    const bad = !st.isFile()
      ? fail(
          "not_regular",
          `${p} is ${st.isDirectory() ? "a directory" : "not a regular file (FIFO, device or socket)"}`,
        )
      : this.checkFd(p, fd, false);
    if (bad) {
      fs.closeSync(fd);
      return bad;
    }
    return { fd, size: st.size };
  }

  private readBytes(fd: number, offset: number, length: number): Buffer {
    const buf = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const n = fs.readSync(fd, buf, got, length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  }

  private read(op: ReadOp): Result<FileOpResult> {
    const f = this.openRegular(op.path);
    if (isErr(f)) return f;
    try {
      if (op.length === undefined && f.size > op.maxBytes)
        return fail("too_large", `${op.path} is larger than ${op.maxBytes} bytes (${f.size})`);
      const offset = op.offset ?? 0;
      const len = Math.max(0, Math.min(op.length ?? f.size, op.maxBytes, f.size - offset));
      return { ok: true, size: f.size, data: this.readBytes(f.fd, offset, len).toString("base64") };
    } finally {
      fs.closeSync(f.fd);
    }
  }

  private readText(p: string, maxBytes: number): Result<string> {
    const r = this.read({ op: "read", path: p, maxBytes });
    return isErr(r) ? r : Buffer.from((r as { data: string }).data, "base64").toString("utf8");
  }

  /** Writes through a temporary file renamed over the target; new files 600, new directories 700. */
  write(p: string, data: Buffer): Result<FileOpResult> {
    const abs = this.resolve(p, true);
    if (isErr(abs)) return abs;
    const dir = path.dirname(abs);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const dirBad = this.check(p, fs.realpathSync(dir), true);
    if (dirBad) return dirBad;
    const existing = lstatOrUndefined(abs);
    if (existing?.isSymbolicLink()) return fail("is_symlink", `${p} is a symbolic link; write its target instead`);
    if (existing && !existing.isFile())
      return fail("not_regular", `${p} is ${existing.isDirectory() ? "a directory" : "not a regular file"}`);
    const tmp = path.join(dir, `.${path.basename(abs)}.${randomBytes(6).toString("hex")}.holdfast-tmp`);
    const mode = existing ? existing.mode & 0o777 : 0o600;
    const fd = fs.openSync(tmp, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, mode);
    try {
      const bad = this.checkFd(p, fd, true);
      if (bad) return bad;
      fs.fchmodSync(fd, mode);
      for (let off = 0; off < data.length;) off += fs.writeSync(fd, data, off, data.length - off);
      fs.fsyncSync(fd);
    } catch (err) {
      fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    fs.closeSync(fd);
    try {
      fs.renameSync(tmp, abs);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      return errnoFail(p, err);
    }
    syncDir(dir);
    return { ok: true, bytes: data.length, created: existing === undefined };
  }

  private edit(op: EditOp): Result<FileOpResult> {
    const text = this.readText(op.path, op.maxBytes);
    if (isErr(text)) return text;
    const count = text.split(op.oldText).length - 1;
    if (count === 0) return fail("no_match", `oldText not found in ${op.path}`);
    if (count > 1 && !op.replaceAll)
      return fail("not_unique", `oldText occurs ${count} times in ${op.path}; add context or set replaceAll`);
    const next = op.replaceAll ? text.split(op.oldText).join(op.newText) : text.replace(op.oldText, () => op.newText);
    const w = this.write(op.path, Buffer.from(next, "utf8"));
    return isErr(w) ? w : { ok: true, replaced: op.replaceAll ? count : 1 };
  }

  private remove(p: string): Result<FileOpResult> {
    const abs = this.resolve(p, true);
    if (isErr(abs)) return abs;
    const st = lstatOrUndefined(abs);
    if (!st) return fail("not_found", `${p} does not exist`);
    if (!st.isFile()) return fail("not_regular", `${p} is not a regular file`);
    fs.unlinkSync(abs);
    return { ok: true };
  }

  private stat(p: string): Result<FileOpResult> {
    const abs = this.resolve(p, false);
    if (isErr(abs)) return abs;
    const st = lstatOrUndefined(abs);
    return { ok: true, type: st ? typeOf(st) : "missing", size: st?.size ?? 0 };
  }

  private list(op: ListOp): Result<FileOpResult> {
    const abs = this.resolve(op.path, false);
    if (isErr(abs)) return abs;
    const st = lstatOrUndefined(abs);
    if (!st) return fail("not_found", `${op.path} does not exist`);
    if (!st.isDirectory()) return fail("not_regular", `${op.path} is not a directory`);
    const entries: ListEntry[] = [];
    let truncated = false;
    const walk = (dir: string, rel: string, depth: number): void => {
      const items = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
      for (const d of items) {
        if (entries.length >= op.maxEntries) {
          truncated = true;
          return;
        }
        const child = path.join(dir, d.name);
        const type = d.isFile() ? "file" : d.isDirectory() ? "dir" : d.isSymbolicLink() ? "symlink" : "other";
        entries.push({ path: rel ? `${rel}/${d.name}` : d.name, type, size: type === "file" ? sizeOf(child) : 0 });
        if (type === "dir" && depth > 0) walk(child, rel ? `${rel}/${d.name}` : d.name, depth - 1);
      }
    };
    walk(abs, "", op.depth);
    return { ok: true, entries, truncated };
  }
}

function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw err;
  }
}

function sizeOf(p: string): number {
  try {
    return fs.lstatSync(p).size;
  } catch {
    return 0;
  }
}

function typeOf(st: fs.Stats): "file" | "dir" | "symlink" | "other" {
  return st.isFile() ? "file" : st.isDirectory() ? "dir" : st.isSymbolicLink() ? "symlink" : "other";
}

function syncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, C.O_RDONLY | C.O_DIRECTORY);
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // best effort: the rename itself is atomic
  }
}

/** Runs a request's ops in order; after a failure the rest are `skipped` unless `continueOnError`. */
export function runFileOps(req: FileOpsRequest): FileOpsResponse {
  const session = new FileSession(req);
  const results: FileOpResult[] = [];
  let failed = false;
  for (const op of req.ops) {
    if (failed) {
      results.push(fail("skipped", "not run: an earlier operation failed"));
      continue;
    }
    const r = session.run(op);
    results.push(r);
    if (!r.ok && req.continueOnError !== true) failed = true;
  }
  return { v: 1, results };
}

/** True when a parsed value has the shape of a request (the helper refuses anything else). */
export function isFileOpsRequest(x: unknown): x is FileOpsRequest {
  const r = x as Partial<FileOpsRequest> | null;
  return !!r && r.v === 1 && Array.isArray(r.ops) && Array.isArray(r.roots) && typeof r.cwd === "string";
}

/** Writes all of `buf` to `fd`, waiting out EAGAIN on a non-blocking pipe. */
export function writeAll(fd: number, buf: Buffer): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let off = 0; off < buf.length;) {
    try {
      off += fs.writeSync(fd, buf, off, buf.length - off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
      Atomics.wait(pause, 0, 0, 5);
    }
  }
}
