import path from "node:path";
import type { Command } from "commander";
import { HoldfastError } from "../../errors/index.js";
import { cliHint, writeFileAtomic } from "../../infra/index.js";
import { EXPORT_FORMATS, type CleanupReport, type ExportFormat } from "../../lifecycle/index.js";
import { printJson, type CliIo } from "../io.js";
import { openLocalState, viaGatewayOrLocal } from "../local-state.js";

/** `--format` of `sessions export`. @throws HoldfastError HF_CLI_USAGE */
function exportFormat(v: string): ExportFormat {
  if (!(EXPORT_FORMATS as readonly string[]).includes(v))
    throw new HoldfastError("HF_CLI_USAGE", `--format must be one of ${EXPORT_FORMATS.join(", ")} (got "${v}")`);
  return v as ExportFormat;
}

/**
 * `holdfast sessions delete <key> --purge`: the session, every archive of its key, its media and its
 * ledger rows, leaving nothing (in the running gateway, else on the files).
 * @throws HoldfastError HF_SESSION_NOT_FOUND when there was nothing to delete
 */
export async function purgeSessionCommand(key: string, io: CliIo): Promise<void> {
  const deleted = await viaGatewayOrLocal<boolean>({
    scopes: ["operator.admin"],
    gateway: async (c) => ((await c.request("sessions.purge", { key })) as { deleted: boolean }).deleted,
    local: (s) => s.lifecycle.purgeSession(key),
  });
  if (!deleted)
    throw new HoldfastError("HF_SESSION_NOT_FOUND", `no session "${key}" (see: ${cliHint("sessions list")})`);
  io.out(`deleted ${key} and every archive of it (purged: nothing kept)`);
}

/**
 * `holdfast sessions cleanup [--dry-run] [--json]`: runs the retention sweep now (in the running
 * gateway, else on the files) and says what it removed. Source: issue "Data lifecycle" (retention).
 */
export function registerSessionLifecycle(sessions: Command, io: CliIo): void {
  sessions
    .command("export <key>")
    .description("write a session's transcript as json, html or md (stdout, or --out file written 600)")
    .option("--format <format>", EXPORT_FORMATS.join(" | "), "json")
    .option("--out <file>", "write to this file (mode 600) instead of stdout")
    .action(async (key: string, o: { format: string; out?: string }) => {
      const format = exportFormat(o.format);
      const local = await openLocalState();
      try {
        const { text, messages } = await local.lifecycle.exportSession(key, format);
        if (!o.out) return io.out(text.trimEnd());
        const file = path.resolve(o.out);
        await writeFileAtomic(file, text, 0o600, { privateDir: false });
        io.out(`exported ${messages} messages of ${key} to ${file} (mode 600)`);
      } finally {
        await local.close();
      }
    });
  sessions
    .command("cleanup")
    .description(
      "apply retention now (sessionPruning, session.maintenance, session.reset, archives, media, expired state rows)",
    )
    .option("--dry-run", "list what would be removed, change nothing")
    .option("--json", "JSON output")
    .action(async (o: { dryRun?: boolean; json?: boolean }) => {
      const dryRun = o.dryRun === true;
      const report = await viaGatewayOrLocal<CleanupReport>({
        scopes: ["operator.admin"],
        gateway: async (c) => (await c.request("sessions.cleanup", { dryRun })) as CleanupReport,
        local: (s) => s.lifecycle.cleanup({ dryRun }),
      });
      if (o.json) return printJson(io, report);
      for (const line of formatCleanup(report)) io.out(line);
    });
}

/** Human-readable lines of a cleanup report. */
export function formatCleanup(r: CleanupReport): string[] {
  const verb = (applied: boolean) => (applied ? "removed" : "would remove");
  const lines: string[] = [];
  for (const t of r.transcripts)
    lines.push(
      `${r.dryRun ? "would trim" : "trimmed"} ${t.key}: ${t.removedMessages} oldest messages (${t.keptMessages} kept)`,
    );
  for (const s of r.sessions)
    lines.push(`${s.applied ? (s.archived ? "archived" : "purged") : "would remove"} session ${s.key} (${s.reason})`);
  for (const a of r.archives) lines.push(`${verb(a.applied)} archive ${a.file} (${a.reason}, ${a.bytes} bytes)`);
  for (const m of r.media) lines.push(`${verb(m.applied)} media ${m.file} (${m.bytes} bytes)`);
  const rows = r.rows;
  if (rows && rows.runs + rows.outboxChunks + rows.inboundUpdates > 0)
    lines.push(
      `removed expired state rows: ${rows.runs} finished runs, ${rows.outboxChunks} sent outbox chunks, ${rows.inboundUpdates} handled inbound updates`,
    );
  if (lines.length === 0) lines.push("nothing to clean up");
  else if (!r.dryRun && r.mode === "warn" && [...r.sessions, ...r.archives, ...r.media].some((x) => !x.applied))
    lines.push("session.maintenance.mode is warn: nothing past its retention was removed (set it to enforce)");
  return lines;
}
