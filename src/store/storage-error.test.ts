import { describe, expect, it } from "vitest";
import { HoldfastError } from "../errors/index.js";
import { classifyStorageError, isStorageFault, storageError } from "./index.js";

const errno = (code: string) => Object.assign(new Error(`${code}: failed`), { code });

describe("storage errors", () => {
  it.each([
    ["ENOSPC", "HF_STATE_DISK_FULL", "disk_full"],
    ["EDQUOT", "HF_STATE_DISK_FULL", "disk_full"],
    ["SQLITE_FULL", "HF_STATE_DISK_FULL", "disk_full"],
    ["EMFILE", "HF_STATE_FD_LIMIT", "fd_limit"],
    ["ENFILE", "HF_STATE_FD_LIMIT", "fd_limit"],
    ["SQLITE_BUSY", "HF_STATE_BUSY", "busy"],
    ["SQLITE_BUSY_SNAPSHOT", "HF_STATE_BUSY", "busy"],
    ["SQLITE_CORRUPT_INDEX", "HF_STATE_CORRUPT", "corrupt"],
    ["SQLITE_NOTADB", "HF_STATE_CORRUPT", "corrupt"],
    ["SQLITE_IOERR_WRITE", "HF_STATE_IO", "io"],
    ["EIO", "HF_STATE_IO", "io"],
    ["EROFS", "HF_STATE_IO", "read_only"],
  ])("classifies %s", (sys, code, cause) => {
    expect(classifyStorageError(errno(sys))).toEqual({ code, cause, sysCode: sys });
    expect(isStorageFault(errno(sys))).toBe(true);
  });

  it("looks through HoldfastError causes", () => {
    const wrapped = new HoldfastError("HF_STATE_IO", "cannot append", {}, { cause: errno("ENOSPC") });
    expect(classifyStorageError(wrapped)).toMatchObject({ code: "HF_STATE_DISK_FULL", sysCode: "ENOSPC" });
    const e = storageError("transcripts", "saving the message", wrapped);
    expect(e).toMatchObject({ code: "HF_STATE_DISK_FULL", details: { store: "transcripts", cause: "disk_full" } });
    expect(e.message).toBe(
      "saving the message failed: the disk is full; free space and it recovers by itself (ENOSPC)",
    );
    expect(storageError("x", "again", e)).toBe(e);
  });

  it("does not call programming errors storage faults", () => {
    expect(isStorageFault(new TypeError("x is undefined"))).toBe(false);
    expect(isStorageFault(new HoldfastError("HF_TOOL_FAILED", "no"))).toBe(false);
  });
});
