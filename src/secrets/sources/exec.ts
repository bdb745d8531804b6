import { promises as fsp } from "node:fs";
import path from "node:path";
import { expandTilde } from "../../config/index.js";
import { runSecretCommand } from "./exec-run.js";
import { failAll, type BatchOutcome, type IdOutcome, type SourceContext } from "./types.js";

/** Settings of an `exec` provider. Source: reference §8.1 (exec provider). */
export interface ExecProviderSettings {
  /** Absolute path of the program; run without a shell. */
  readonly command: string;
  readonly args?: readonly string[];
  /** Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Default 1 MiB. */
  readonly maxOutputBytes?: number;
  /** Names of holdfast's environment variables passed to the command (besides PATH and HOME). */
  readonly passEnv?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Default true: stdout must be the JSON protocol. False also accepts raw stdout for a single id. */
  readonly jsonOnly?: boolean;
  /** When set, the command must lie inside one of these directories. */
  readonly trustedDirs?: readonly string[];
}

export const EXEC_DEFAULT_TIMEOUT_MS = 5_000;
export const EXEC_DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

/**
 * Why a secret command may not be run, or undefined: the path must be absolute, not a symlink, a
 * regular executable file, not group/world-writable, owned by the current user or root, and inside
 * `trustedDirs` when those are configured.
 */
export async function untrustedCommandReason(
  settings: ExecProviderSettings,
  home: string,
): Promise<string | undefined> {
  const cmd = settings.command;
  if (!path.isAbsolute(cmd)) return `command ${cmd} must be an absolute path`;
  const st = await fsp.lstat(cmd).catch(() => undefined);
  if (!st) return `command ${cmd} does not exist`;
  if (st.isSymbolicLink()) return `command ${cmd} is a symbolic link; use the real path`;
  if (!st.isFile() || (st.mode & 0o111) === 0) return `command ${cmd} is not an executable file`;
  if ((st.mode & 0o022) !== 0)
    return `command ${cmd} is writable by group or others (mode ${(st.mode & 0o777).toString(8)})`;
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid && st.uid !== 0)
    return `command ${cmd} is owned by uid ${st.uid}, not by the current user or root`;
  const dirs = settings.trustedDirs?.map((d) => path.resolve(expandTilde(d, home)));
  if (dirs && !dirs.some((d) => below(d, cmd))) return `command ${cmd} is not inside trustedDirs`;
  return undefined;
}

function below(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/**
 * Resolves exec refs of one provider with one run of its command: stdin
 * `{"protocolVersion":1,"provider":<alias>,"ids":[…]}`, stdout
 * `{"protocolVersion":1,"values":{<id>:<value>},"errors":{<id>:{"code":…}}}`.
 */
export async function resolveExecIds(
  alias: string,
  settings: ExecProviderSettings,
  ids: readonly string[],
  ctx: SourceContext,
): Promise<BatchOutcome> {
  const untrusted = await untrustedCommandReason(settings, ctx.home);
  if (untrusted) return failAll(ids, untrusted);
  const env: Record<string, string> = {
    PATH: ctx.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    ...(ctx.env.HOME ? { HOME: ctx.env.HOME } : {}),
  };
  for (const name of settings.passEnv ?? []) if (ctx.env[name] !== undefined) env[name] = ctx.env[name] as string;
  Object.assign(env, settings.env ?? {});
  const res = await runSecretCommand({
    command: settings.command,
    args: settings.args ?? [],
    env,
    stdin: JSON.stringify({ protocolVersion: 1, provider: alias, ids }),
    timeoutMs: settings.timeoutMs ?? EXEC_DEFAULT_TIMEOUT_MS,
    maxOutputBytes: settings.maxOutputBytes ?? EXEC_DEFAULT_MAX_OUTPUT_BYTES,
  });
  if (!res.ok) return failAll(ids, `command ${settings.command} ${res.reason}`);
  return parseExecOutput(res.stdout, ids, settings.jsonOnly ?? true, settings.command);
}

function parseExecOutput(stdout: string, ids: readonly string[], jsonOnly: boolean, cmd: string): BatchOutcome {
  let doc: { protocolVersion?: unknown; values?: unknown; errors?: unknown } | undefined;
  try {
    doc = JSON.parse(stdout) as typeof doc;
  } catch {
    doc = undefined;
  }
  if (!doc || typeof doc !== "object" || doc.protocolVersion !== 1) {
    if (!jsonOnly && ids.length === 1) return new Map([[ids[0] as string, { ok: true, value: stdout.trim() }]]);
    return failAll(ids, `command ${cmd} did not answer with the JSON protocol (protocolVersion 1)`);
  }
  const values = isRecord(doc.values) ? doc.values : {};
  const errors = isRecord(doc.errors) ? doc.errors : {};
  return new Map(
    ids.map((id): [string, IdOutcome] => {
      if (Object.hasOwn(values, id)) return [id, { ok: true, value: values[id] }];
      const code = isRecord(errors[id]) ? String((errors[id] as Record<string, unknown>).code ?? "") : "";
      return [
        id,
        {
          ok: false,
          reason: /^[A-Za-z0-9_.-]{1,64}$/.test(code)
            ? `command ${cmd} reported ${code}`
            : `command ${cmd} returned no value`,
        },
      ];
    }),
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
