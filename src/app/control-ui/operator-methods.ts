import { open } from "node:fs/promises";
import { z } from "zod";
import type { AuditCheck, MachineFacts } from "../../audit/index.js";
import type { HoldfastPaths } from "../../config/index.js";
import { defineMethod, type AnyMethodDef } from "../../gateway/index.js";
import { mapStringsDeep } from "../../infra/index.js";
import { defaultLogDir, fileSize, findLogFiles, tailAcross } from "../../logging/index.js";

/** Largest slice of the log one `logs.tail` answer carries (bytes). */
export const LOGS_TAIL_MAX_BYTES = 256 * 1024;

/** What the operator read methods need. */
export interface OperatorMethodDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly paths: HoldfastPaths;
  /** `logging.file` of the config in force. */
  readonly logFile: string | undefined;
  /** The audit's checks, loaded when an audit is asked for (they are not needed to start). */
  readonly checks: () => Promise<readonly AuditCheck[]>;
  readonly machine: () => Promise<MachineFacts>;
  /** Masks secrets in what is sent (the audit quotes config values). */
  readonly redact: (text: string) => string;
}

/**
 * Read-only operator views, both requiring `operator.admin`:
 * - `security.audit` → the `holdfast security audit --json` report `{ts, summary, findings}` of the
 *   config on disk (redacted);
 * - `logs.tail` {cursor?, limit?} → `{file, cursor, size, lines, reset?, truncated?}`: without a cursor the
 *   last `limit` lines (default 200, at most 1000); with one, the lines written since (at most
 *   {@link LOGS_TAIL_MAX_BYTES}); `reset` when the file was rotated or truncated. Log lines are redacted
 *   when written; they are masked again on the way out.
 */
export function operatorMethods(d: OperatorMethodDeps): AnyMethodDef[] {
  return [
    defineMethod({
      name: "security.audit",
      scope: "operator.admin",
      params: z.looseObject({}),
      async handler() {
        const { loadAuditContext, reportJson, runAudit } = await import("../../audit/index.js");
        const ctx = await loadAuditContext({ env: d.env, paths: d.paths, machine: await d.machine() });
        return mapStringsDeep(reportJson(await runAudit(ctx, await d.checks())), d.redact);
      },
    }),
    defineMethod({
      name: "logs.tail",
      scope: "operator.admin",
      params: z.looseObject({
        cursor: z.number().int().min(0).optional(),
        limit: z.number().int().min(1).max(1000).optional(),
      }),
      async handler(p) {
        const files = await findLogFiles(d.logFile, defaultLogDir(d.paths.stateDir));
        const file = files[0];
        const size = await fileSize(file);
        if (!file) return { file: null, cursor: 0, size: 0, lines: [] };
        const limit = p.limit ?? 200;
        if (p.cursor === undefined || p.cursor > size) {
          const lines = await tailAcross([file], limit, size);
          return {
            file,
            cursor: size,
            size,
            lines: lines.map((l) => d.redact(l)),
            ...(p.cursor !== undefined ? { reset: true } : {}),
          };
        }
        const { text, end, truncated } = await readRange(file, p.cursor, size);
        const lines = text
          .split("\n")
          .filter((l) => l.length > 0)
          .slice(-limit);
        return {
          file,
          cursor: end,
          size,
          lines: lines.map((l) => d.redact(l)),
          ...(truncated ? { truncated: true } : {}),
        };
      },
    }),
  ];
}

/** Bytes [from, size) of a file up to the last whole line, at most {@link LOGS_TAIL_MAX_BYTES}. */
async function readRange(file: string, from: number, size: number) {
  const len = Math.min(size - from, LOGS_TAIL_MAX_BYTES);
  const handle = await open(file, "r");
  try {
    const buf = Buffer.alloc(len);
    await handle.read(buf, 0, len, from);
    const lastNl = buf.lastIndexOf(0x0a);
    const whole = lastNl < 0 ? 0 : lastNl + 1;
    return { text: buf.subarray(0, whole).toString("utf8"), end: from + whole, truncated: size - from > len };
  } finally {
    await handle.close();
  }
}
