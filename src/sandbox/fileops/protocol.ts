/**
 * The wire format between the gateway and the file helper that runs inside a session's jail: one
 * JSON request on the helper's stdin, one JSON response on its stdout. Binary data travels as
 * base64. Paths are the jail's paths (`/workspace/...` in a sandbox, the host path in the host
 * jail); relative paths resolve against `cwd`. Source: issue "Containment": "a small helper run in
 * the same jail does read/write/edit/apply_patch/list".
 */

export const FILEOPS_VERSION = 1;

/** A directory the ops may use. With `confine`, every path must resolve inside one of them. */
export interface FileRoot {
  readonly path: string;
  readonly writable: boolean;
}

export interface ReadOp {
  readonly op: "read";
  readonly path: string;
  /** Byte offset (default 0). */
  readonly offset?: number;
  /** Bytes to return at most; without it the whole file, refused when larger than `maxBytes`. */
  readonly length?: number;
  readonly maxBytes: number;
}

export interface WriteOp {
  readonly op: "write";
  readonly path: string;
  /** New content, base64. */
  readonly data: string;
}

export interface EditOp {
  readonly op: "edit";
  readonly path: string;
  readonly oldText: string;
  readonly newText: string;
  readonly replaceAll: boolean;
  readonly maxBytes: number;
}

export interface RemoveOp {
  readonly op: "remove";
  readonly path: string;
}

export interface StatOp {
  readonly op: "stat";
  readonly path: string;
}

export interface ListOp {
  readonly op: "list";
  readonly path: string;
  /** Directory levels below `path` to descend (0 = only `path`). Symlinked directories are never followed. */
  readonly depth: number;
  readonly maxEntries: number;
}

export type FileOp = ReadOp | WriteOp | EditOp | RemoveOp | StatOp | ListOp;

export interface FileOpsRequest {
  readonly v: typeof FILEOPS_VERSION;
  readonly cwd: string;
  readonly roots: readonly FileRoot[];
  /** `tools.fs.workspaceOnly`: every path must stay inside a root (checked in the jail's view, after symlinks). */
  readonly confine: boolean;
  readonly ops: readonly FileOp[];
  /** Run every op even after one fails (default: the rest are `skipped`, so a batch is all-or-nothing up to the failure). */
  readonly continueOnError?: boolean;
}

/** Why an op failed. `skipped`: an earlier op of the request failed, so this one did not run. */
export type FileOpErrorCode =
  | "not_found"
  | "outside"
  | "read_only"
  | "not_regular"
  | "is_symlink"
  | "too_large"
  | "no_match"
  | "not_unique"
  | "denied"
  | "failed"
  | "skipped";

export type FileOpError = { readonly ok: false; readonly code: FileOpErrorCode; readonly message: string };

export type ReadResult = {
  readonly ok: true;
  /** Size of the whole file. */
  readonly size: number;
  readonly data: string;
};
export type WriteResult = { readonly ok: true; readonly bytes: number; readonly created: boolean };
export type EditResult = { readonly ok: true; readonly replaced: number };
export type StatResult = {
  readonly ok: true;
  readonly type: "file" | "dir" | "symlink" | "other" | "missing";
  readonly size: number;
};
export type ListEntry = {
  readonly path: string;
  readonly type: "file" | "dir" | "symlink" | "other";
  readonly size: number;
};
export type ListResult = { readonly ok: true; readonly entries: readonly ListEntry[]; readonly truncated: boolean };
export type RemoveResult = { readonly ok: true };

export type FileOpResult = ReadResult | WriteResult | EditResult | StatResult | ListResult | RemoveResult | FileOpError;

export interface FileOpsResponse {
  readonly v: typeof FILEOPS_VERSION;
  readonly results: readonly FileOpResult[];
}
