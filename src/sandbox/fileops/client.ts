import { existsSync, realpathSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { HoldfastError } from "../../errors/index.js";
import { PACKAGE_ROOT } from "../../infra/index.js";
import { JAIL_PATH } from "../host-jail.js";
import type { ExecRunner, ReadOnlyMount } from "../types.js";
import { FILEOPS_VERSION, type FileOpResult, type FileOpsRequest } from "./protocol.js";

/** Where the helper and the node binary that runs it appear inside every jail (read-only). */
export const HELPER_DIR_IN_JAIL = "/run/holdfast";
const NODE_IN_JAIL = `${HELPER_DIR_IN_JAIL}/node`;
const SCRIPT_IN_JAIL = `${HELPER_DIR_IN_JAIL}/fileops.mjs`;

/** Default wall-clock limit of one helper run (ms); the jail is killed when it passes. */
export const HELPER_TIMEOUT_MS = 30_000;
/** Largest helper response read (bytes): a 10 MiB file as base64, with room to spare. */
const HELPER_MAX_OUTPUT = 32 * 1024 * 1024;

/**
 * The read-only mounts that bring the helper into a jail: the gateway's own node binary and the
 * built helper script (dist/jail-fileops.mjs). Node builds from nodejs.org link only glibc and
 * libstdc++, so the same binary also runs in a Docker sandbox image that has them (Debian
 * bookworm-slim does).
 * @throws HoldfastError HF_TOOL_FAILED when the helper was not built (`npm run build`).
 */
export function helperMounts(script = path.join(PACKAGE_ROOT, "dist", "jail-fileops.mjs")): ReadOnlyMount[] {
  if (!existsSync(script))
    throw new HoldfastError("HF_TOOL_FAILED", `the jail file helper ${script} is missing; run npm run build`);
  return [
    { source: realpathSync(process.execPath), at: NODE_IN_JAIL },
    { source: realpathSync(script), at: SCRIPT_IN_JAIL },
  ];
}

const ErrorCode = z.enum([
  "not_found",
  "outside",
  "read_only",
  "not_regular",
  "is_symlink",
  "too_large",
  "no_match",
  "not_unique",
  "denied",
  "failed",
  "skipped",
]);
const Entry = z.object({ path: z.string(), type: z.enum(["file", "dir", "symlink", "other"]), size: z.number() });
const Result = z.union([
  z.object({ ok: z.literal(false), code: ErrorCode, message: z.string().max(2000) }),
  z.object({ ok: z.literal(true), size: z.number(), data: z.string() }),
  z.object({ ok: z.literal(true), bytes: z.number(), created: z.boolean() }),
  z.object({ ok: z.literal(true), replaced: z.number() }),
  z.object({ ok: z.literal(true), type: z.enum(["file", "dir", "symlink", "other", "missing"]), size: z.number() }),
  z.object({ ok: z.literal(true), entries: z.array(Entry), truncated: z.boolean() }),
  z.object({ ok: z.literal(true) }),
]);
const Response = z.object({ v: z.literal(FILEOPS_VERSION), results: z.array(Result) });

/**
 * Runs file operations inside a session's jail through the helper. `runner` is the session's jail
 * (sandbox or host jail) with {@link helperMounts} mounted; `hostCwd` is the workspace as the
 * runner takes it (it maps it to the jail's path). The response is validated: the number of
 * results must match the ops.
 * @throws HoldfastError HF_TOOL_FAILED when the helper cannot run or answers something else.
 */
export class JailFiles {
  constructor(
    private readonly runner: ExecRunner,
    private readonly hostCwd: string,
    private readonly timeoutMs = HELPER_TIMEOUT_MS,
  ) {}

  async batch(req: Omit<FileOpsRequest, "v">, signal: AbortSignal): Promise<FileOpResult[]> {
    const r = await this.runner.run({
      argv: [NODE_IN_JAIL, SCRIPT_IN_JAIL],
      cwd: this.hostCwd,
      env: { PATH: JAIL_PATH, LANG: "C.UTF-8" },
      timeoutMs: this.timeoutMs,
      maxOutputBytes: HELPER_MAX_OUTPUT,
      signal,
      stdin: Buffer.from(JSON.stringify({ v: FILEOPS_VERSION, ...req }), "utf8"),
    });
    if (r.timedOut)
      throw new HoldfastError("HF_TOOL_FAILED", `the file operation did not finish in ${this.timeoutMs} ms`);
    const parsed = r.exitCode === 0 && !r.truncated ? Response.safeParse(safeJson(r.stdout)) : undefined;
    if (!parsed?.success || parsed.data.results.length !== req.ops.length) {
      const why = r.stderr.trim().split("\n")[0]?.slice(0, 300) || `exit ${r.exitCode ?? r.signal}`;
      throw new HoldfastError("HF_TOOL_FAILED", `the file helper failed in the jail: ${why}`);
    }
    return parsed.data.results as FileOpResult[];
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
