import { promises as fsp } from "node:fs";
import path from "node:path";
import { updateConfigFile } from "../config/index.js";
import { errorMessage } from "../errors/index.js";
import { defaultLogDir } from "../logging/index.js";
import { listDir } from "./fs-mode.js";
import type { AuditContext } from "./types.js";

/** One permission change `--fix` made or skipped. */
export interface ChmodAction {
  readonly kind: "chmod";
  readonly path: string;
  /** The mode after the fix (octal string), or the mode found when skipped. */
  readonly mode: string;
  readonly ok: boolean;
  readonly skipped?: "already" | "missing" | "symlink" | "not-a-file" | "not-a-directory";
  readonly error?: string;
}

/** What `security audit --fix` did. JSON shape: reference §9.1 (`fix`). */
export interface FixResult {
  readonly ok: boolean;
  readonly stateDir: string;
  readonly configPath: string;
  readonly configWritten: boolean;
  /** Config changes, e.g. `channels.telegram.groupPolicy: open -> allowlist`. */
  readonly changes: readonly string[];
  readonly actions: readonly ChmodAction[];
  readonly errors: readonly string[];
}

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw | undefined =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Raw) : undefined;

/**
 * The safe config tightenings, applied to the file as written: every `groupPolicy: "open"` (channel
 * defaults, channels and accounts) becomes "allowlist", and `logging.redactSensitive: "off"` becomes
 * "tools". Mutates `raw`; returns one line per change. Source: the secrets issue; reference §9.2.
 */
export function tightenConfig(raw: Raw): string[] {
  const changes: string[] = [];
  const flip = (holder: Raw | undefined, at: string) => {
    if (holder?.groupPolicy === "open") {
      holder.groupPolicy = "allowlist";
      changes.push(`${at}.groupPolicy: open -> allowlist`);
    }
  };
  const channels = obj(raw.channels);
  for (const [ch, block] of Object.entries(channels ?? {})) {
    flip(obj(block), `channels.${ch}`);
    for (const [id, acct] of Object.entries(obj(obj(block)?.accounts) ?? {}))
      flip(obj(acct), `channels.${ch}.accounts.${id}`);
  }
  const logging = obj(raw.logging);
  if (logging?.redactSensitive === "off") {
    logging.redactSensitive = "tools";
    changes.push("logging.redactSensitive: off -> tools");
  }
  return changes;
}

/**
 * `security audit --fix`: the config tightenings of {@link tightenConfig} (written atomically through
 * `updateConfigFile`, only when something changes) and removal of group/other permission bits from
 * holdfast's own paths: state dir, config, credentials, agents/sessions/transcripts, devices, PID
 * file and gateway logs. Symlinks, missing paths and paths of the wrong type are skipped. Nothing else
 * is touched.
 */
export async function applySafeFixes(ctx: AuditContext): Promise<FixResult> {
  const errors: string[] = [];
  const actions: ChmodAction[] = [];
  for (const [p, kind] of await fixTargets(ctx)) actions.push(await tighten(p, kind));
  let changes: string[] = [];
  let configWritten = false;
  if (ctx.configExists && tightenConfig(structuredClone(ctx.raw)).length > 0) {
    try {
      await updateConfigFile(
        ctx.paths.configPath,
        (raw) => {
          const next = structuredClone(raw);
          changes = tightenConfig(next);
          return next;
        },
        ctx.env,
      );
      configWritten = true;
    } catch (err) {
      changes = [];
      errors.push(`config not changed: ${errorMessage(err)}`);
    }
  }
  for (const a of actions) if (a.error) errors.push(`${a.path}: ${a.error}`);
  return {
    ok: errors.length === 0,
    stateDir: ctx.paths.stateDir,
    configPath: ctx.paths.configPath,
    configWritten,
    changes,
    actions,
    errors,
  };
}

type Kind = "dir" | "file";

async function fixTargets(ctx: AuditContext): Promise<[string, Kind][]> {
  const p = ctx.paths;
  const out: [string, Kind][] = [
    [p.stateDir, "dir"],
    [p.configPath, "file"],
    [p.pidFile, "file"],
  ];
  out.push(...(await tree(p.credentialsDir, 3)), ...(await tree(p.devicesDir, 2)));
  out.push(...(await tree(path.join(p.stateDir, "audit"), 1)));
  out.push([p.agentsDir, "dir"]);
  for (const agent of await listDir(p.agentsDir)) {
    const dir = path.join(p.agentsDir, agent);
    out.push([dir, "dir"], ...(await tree(path.join(dir, "sessions"), 1)), ...(await tree(path.join(dir, "agent"), 1)));
  }
  for (const f of ctx.logFiles) out.push([f, "file"]);
  const logDir = defaultLogDir(p.stateDir);
  if (ctx.logFiles.some((f) => path.dirname(f) === logDir)) out.push([logDir, "dir"]);
  return out;
}

/** A directory and what lies below it, down to `depth` levels (symlinks are not followed). */
async function tree(dir: string, depth: number): Promise<[string, Kind][]> {
  const st = await fsp.lstat(dir).catch(() => undefined);
  if (!st?.isDirectory()) return st ? [[dir, "dir"]] : [];
  const out: [string, Kind][] = [[dir, "dir"]];
  if (depth <= 0) return out;
  for (const name of await listDir(dir)) {
    const child = path.join(dir, name);
    const cst = await fsp.lstat(child).catch(() => undefined);
    if (cst?.isDirectory()) out.push(...(await tree(child, depth - 1)));
    else if (cst?.isFile() || cst?.isSymbolicLink()) out.push([child, "file"]);
  }
  return out;
}

async function tighten(p: string, kind: Kind): Promise<ChmodAction> {
  const st = await fsp.lstat(p).catch(() => undefined);
  const base = { kind: "chmod" as const, path: p };
  if (!st) return { ...base, mode: "", ok: true, skipped: "missing" };
  const mode = st.mode & 0o777;
  const show = (m: number) => m.toString(8).padStart(3, "0");
  if (st.isSymbolicLink()) return { ...base, mode: show(mode), ok: true, skipped: "symlink" };
  if (kind === "dir" && !st.isDirectory()) return { ...base, mode: show(mode), ok: true, skipped: "not-a-directory" };
  if (kind === "file" && !st.isFile()) return { ...base, mode: show(mode), ok: true, skipped: "not-a-file" };
  if ((mode & 0o077) === 0) return { ...base, mode: show(mode), ok: true, skipped: "already" };
  const next = mode & 0o700;
  try {
    await fsp.chmod(p, next);
    return { ...base, mode: show(next), ok: true };
  } catch (err) {
    return { ...base, mode: show(mode), ok: false, error: (err as NodeJS.ErrnoException).code ?? errorMessage(err) };
  }
}
