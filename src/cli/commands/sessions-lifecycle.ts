import type { Command } from "commander";
import type { CleanupReport } from "../../lifecycle/index.js";
import { printJson, type CliIo } from "../io.js";
import { viaGatewayOrLocal } from "../local-state.js";

/**
 * `holdfast sessions cleanup [--dry-run] [--json]`: runs the retention sweep now (in the running
 * gateway, else on the files) and says what it removed. Source: issue "Data lifecycle" (retention).
 */
export function registerSessionLifecycle(sessions: Command, io: CliIo): void {
  sessions
    .command("cleanup")
    .description("apply retention now (sessionPruning, session.maintenance, session.reset, archives, media)")
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
  if (lines.length === 0) lines.push("nothing to clean up");
  else if (!r.dryRun && r.mode === "warn" && [...r.sessions, ...r.archives, ...r.media].some((x) => !x.applied))
    lines.push("session.maintenance.mode is warn: nothing past its retention was removed (set it to enforce)");
  return lines;
}
