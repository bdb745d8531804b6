import { existsSync, realpathSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { HoldfastError } from "../../errors/index.js";
import { PACKAGE_ROOT } from "../../infra/index.js";
import { JAIL_PATH } from "../host-jail.js";
import type { ExecRequest, ExecResult, ReadOnlyMount } from "../types.js";
import { FILEOPS_VERSION, type FileOpResult, type FileOpsRequest } from "./protocol.js";

/** Where the helper scripts and the node binary that runs them appear inside every jail (read-only). */
export const HELPER_DIR_IN_JAIL = "/run/holdfast";
export const NODE_IN_JAIL = `${HELPER_DIR_IN_JAIL}/node`;
const SCRIPT_IN_JAIL = `${HELPER_DIR_IN_JAIL}/fileops.mjs`;
/** The jail agent script inside a bubblewrap jail. */
export const AGENT_IN_JAIL = `${HELPER_DIR_IN_JAIL}/agent.mjs`;

/** Default wall-clock limit of one helper run (ms); the jail is killed when it passes. */
export const HELPER_TIMEOUT_MS = 30_000;
/** Largest helper response read (bytes): a 10 MiB file as base64, with room to spare. */
const HELPER_MAX_OUTPUT = 32 * 1024 * 1024;

/**
 * The read-only mounts that bring a helper program into a jail: the gateway's own node binary and
 * the built script — the jail agent (dist/jail-agent.mjs, bubblewrap) or the one-shot file helper
 * (dist/jail-fileops.mjs, Docker). Node builds from nodejs.org link only glibc and libstdc++, so the
 * same binary also runs in a Docker sandbox image that has them (Debian bookworm-slim does).
 * @throws HoldfastError HF_TOOL_FAILED when the script was not built (`npm run build`).
 */
export function helperMounts(which: "agent" | "fileops"): ReadOnlyMount[] {
  const script = helperScript(which);
  return [
    { source: realpathSync(process.execPath), at: NODE_IN_JAIL },
    { source: realpathSync(script), at: which === "agent" ? AGENT_IN_JAIL : SCRIPT_IN_JAIL },
  ];
}

/** The built helper script on the host. @throws HoldfastError HF_TOOL_FAILED when it was not built. */
export function helperScript(which: "agent" | "fileops"): string {
  const script = path.join(PACKAGE_ROOT, "dist", which === "agent" ? "jail-agent.mjs" : "jail-fileops.mjs");
  if (!existsSync(script))
    throw new HoldfastError("HF_TOOL_FAILED", `the jail helper ${script} is missing; run npm run build`);
  return script;
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
 * Checks a helper's response: the shape, and one result per op.
 * @throws HoldfastError HF_TOOL_FAILED otherwise.
 */
export function checkFileOpsResponse(raw: unknown, ops: number): FileOpResult[] {
  const parsed = Response.safeParse(raw);
  if (!parsed.success || parsed.data.results.length !== ops)
    throw new HoldfastError("HF_TOOL_FAILED", "the file helper answered something else than its results");
  return parsed.data.results as FileOpResult[];
}

/**
 * Runs the one-shot file helper through `run` (a command in the jail, e.g. one Docker container)
 * with the request on stdin; `cwd` is the host workspace the runner maps into the jail.
 * @throws HoldfastError HF_TOOL_FAILED when the helper cannot run or answers something else.
 */
export async function runHelperOnce(
  run: (req: ExecRequest) => Promise<ExecResult>,
  request: Omit<FileOpsRequest, "v">,
  o: {
    readonly cwd: string;
    readonly signal: AbortSignal;
    readonly timeoutMs?: number;
    /** How to start the helper (default: the node binary and script mounted in the jail). */
    readonly argv?: readonly string[];
  },
): Promise<FileOpResult[]> {
  const timeoutMs = o.timeoutMs ?? HELPER_TIMEOUT_MS;
  const r = await run({
    argv: o.argv ?? [NODE_IN_JAIL, SCRIPT_IN_JAIL],
    cwd: o.cwd,
    env: { PATH: JAIL_PATH, LANG: "C.UTF-8" },
    timeoutMs,
    maxOutputBytes: HELPER_MAX_OUTPUT,
    signal: o.signal,
    stdin: Buffer.from(JSON.stringify({ v: FILEOPS_VERSION, ...request }), "utf8"),
  });
  if (r.timedOut) throw new HoldfastError("HF_TOOL_FAILED", `the file operation did not finish in ${timeoutMs} ms`);
  if (r.exitCode !== 0 || r.truncated) {
    const why = r.stderr.trim().split("\n")[0]?.slice(0, 300) || `exit ${r.exitCode ?? r.signal}`;
    throw new HoldfastError("HF_TOOL_FAILED", `the file helper failed in the jail: ${why}`);
  }
  return checkFileOpsResponse(safeJson(r.stdout), request.ops.length);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
