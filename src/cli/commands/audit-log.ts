import type { Command } from "commander";
import { parseDurationMs, resolvePaths } from "../../config/index.js";
import { HoldfastError } from "../../errors/index.js";
import { formatEntry, queryTrail, SECURITY_EVENT_TYPES, trailPaths, verifyTrail } from "../../trail/index.js";
import { printJson, type CliIo } from "../io.js";

/** `--since`: a duration back from now (`24h`, `7d`) or a date/time (`2026-01-31`, ISO 8601). */
function sinceMs(raw: string, now: number): number {
  const back = parseDurationMs(raw);
  if (back !== undefined) return now - back;
  const at = Date.parse(raw);
  if (Number.isNaN(at))
    throw new HoldfastError(
      "HF_CLI_USAGE",
      `--since must be a duration (24h, 7d) or a date (2026-01-31), got "${raw}"`,
    );
  return at;
}

function typeArg(raw: string): string {
  const t = raw.trim().toLowerCase();
  if (!SECURITY_EVENT_TYPES.some((k) => k === t || k.startsWith(`${t}.`)))
    throw new HoldfastError(
      "HF_CLI_USAGE",
      `--type "${raw}" matches no security event (known: ${SECURITY_EVENT_TYPES.join(", ")}; an area such as "pairing" matches all of its events)`,
    );
  return t;
}

/**
 * `holdfast audit-log show [--since] [--type] [--json]` and `holdfast audit-log verify [--json]`: the
 * tamper-evident security trail of the state dir (`<stateDir>/audit/security.jsonl`). Verify exits 1
 * and names the first broken entry when a line was changed, removed or reordered. Both only read.
 * Source: issue "Tamper-evident security trail"; seeds "Post-Incident Audit".
 */
export function registerAuditLog(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const cmd = program.command("audit-log").description("the tamper-evident security trail (hash-chained)");
  cmd
    .command("show")
    .description("list security events, oldest first (people appear as pseudonyms)")
    .option("--since <when>", "only events since a duration ago (24h, 7d) or a date (2026-01-31)")
    .option("--type <type>", "only this event type or area (auth, pairing, device, elevated, config, ...)")
    .option("--json", "JSON output")
    .action(async (o: { since?: string; type?: string; json?: boolean }) => {
      const paths = trailPaths(resolvePaths().stateDir);
      const entries = await queryTrail(paths, {
        ...(o.since ? { sinceMs: sinceMs(o.since, Date.now()) } : {}),
        ...(o.type ? { type: typeArg(o.type) } : {}),
      });
      if (o.json) return printJson(io, { file: paths.file, entries });
      if (entries.length === 0) return io.out(`no security events${o.since || o.type ? " match" : ""} (${paths.file})`);
      for (const e of entries) io.out(formatEntry(e));
    });
  cmd
    .command("verify")
    .description("check the hash chain: exit 1 and name the first entry that was changed, removed or reordered")
    .option("--json", "JSON output")
    .action(async (o: { json?: boolean }) => {
      const paths = trailPaths(resolvePaths().stateDir);
      const v = await verifyTrail(paths);
      if (!v.ok) setExit(1);
      if (o.json) return printJson(io, { file: paths.file, ...v });
      if (v.ok) return io.out(`ok: ${v.entries} entries, chain intact (${paths.file})`);
      io.out(
        `BROKEN at line ${v.line}${v.seq !== undefined ? ` (seq ${v.seq})` : ""}: ${v.problem}. ${v.entries} entries before it verify (${paths.file})`,
      );
    });
}
