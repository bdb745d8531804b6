import { promises as fsp } from "node:fs";

/** What the disk-hygiene checks need to know about a path (from lstat: symlinks are not followed). */
export interface PathState {
  readonly path: string;
  readonly exists: boolean;
  readonly symlink: boolean;
  readonly isDir: boolean;
  readonly isFile: boolean;
  /** Permission bits (e.g. 0o644); 0 when missing. */
  readonly mode: number;
  /** Owner uid; undefined when missing. */
  readonly uid?: number;
  /** Hard links; undefined when missing. */
  readonly nlink?: number;
}

/** lstat of `p` reduced to {@link PathState}. */
export async function inspectPath(p: string): Promise<PathState> {
  const st = await fsp.lstat(p).catch(() => undefined);
  if (!st) return { path: p, exists: false, symlink: false, isDir: false, isFile: false, mode: 0 };
  return {
    path: p,
    exists: true,
    symlink: st.isSymbolicLink(),
    isDir: st.isDirectory(),
    isFile: st.isFile(),
    mode: st.mode & 0o777,
    uid: st.uid,
    nlink: st.nlink,
  };
}

/** Group or others may write. */
export const groupOrWorldWritable = (mode: number): boolean => (mode & 0o022) !== 0;
/** Others may read. */
export const worldReadable = (mode: number): boolean => (mode & 0o004) !== 0;
/** Group may read. */
export const groupReadable = (mode: number): boolean => (mode & 0o040) !== 0;
/** Any group/other bit is set. */
export const notPrivate = (mode: number): boolean => (mode & 0o077) !== 0;
/** `0o644` → `"644"`. */
export const octal = (mode: number): string => mode.toString(8).padStart(3, "0");

/** Entries of a directory (names), empty when it cannot be read. */
export async function listDir(dir: string): Promise<string[]> {
  return fsp.readdir(dir).catch(() => [] as string[]);
}
