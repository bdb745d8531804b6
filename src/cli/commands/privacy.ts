import path from "node:path";
import type { Command } from "commander";
import type { PrivacyExportReport, PrivacyForgetReport } from "../../lifecycle/index.js";
import { printJson, type CliIo } from "../io.js";
import { openLocalState, viaGatewayOrLocal } from "../local-state.js";

/**
 * `holdfast privacy export --sender <channel>:<id> [--out dir] [--json]` and
 * `holdfast privacy forget --sender <channel>:<id> [--dry-run] [--json]`: everything stored about one
 * person, across every channel and session (linked identities in `session.identityLinks` included).
 * Export reads the stores directly; forget runs in the gateway when it runs (it owns the open
 * transcripts), else on the files. Source: seeds "GDPR Considerations" (access, portability, erasure).
 */
export function registerPrivacy(program: Command, io: CliIo): void {
  const privacy = program.command("privacy").description("export or erase everything stored about one person");
  privacy
    .command("export")
    .description("write their messages, the replies to them, access entries and media, with a manifest")
    .requiredOption("--sender <channel:id>", "the person, e.g. telegram:123456789")
    .option("--out <dir>", "new or empty directory (default ./holdfast-export-<channel>-<id>-<time>)")
    .option("--json", "JSON output")
    .action(async (o: { sender: string; out?: string; json?: boolean }) => {
      const local = await openLocalState();
      let r: PrivacyExportReport;
      try {
        const dir = path.resolve(
          o.out ?? `holdfast-export-${o.sender.replace(/[^A-Za-z0-9_-]+/g, "-")}-${local.ctx.clock.now()}`,
        );
        r = await local.lifecycle.exportPerson(o.sender, dir);
      } finally {
        await local.close();
      }
      if (o.json) return printJson(io, r);
      io.out(
        `exported ${r.counts.messages} messages from ${r.counts.transcripts} sessions, ${r.counts.media} media files and ${r.counts.access} access entries of ${r.identities.join(", ")}`,
      );
      io.out(`to ${r.dir} (manifest.json lists every file with its SHA-256)`);
    });
  privacy
    .command("forget")
    .description("erase them: sessions, archives, media, pairing and allowlist entries, ledger rows, ids in logs")
    .requiredOption("--sender <channel:id>", "the person, e.g. telegram:123456789")
    .option("--dry-run", "list what would be erased, change nothing")
    .option("--json", "JSON output")
    .action(async (o: { sender: string; dryRun?: boolean; json?: boolean }) => {
      const dryRun = o.dryRun === true;
      const r = await viaGatewayOrLocal<PrivacyForgetReport>({
        scopes: ["operator.admin"],
        gateway: async (c) => (await c.request("privacy.forget", { sender: o.sender, dryRun })) as PrivacyForgetReport,
        local: (s) => s.lifecycle.forget(o.sender, { dryRun }),
      });
      if (o.json) return printJson(io, r);
      for (const line of formatForget(r)) io.out(line);
    });
}

function formatForget(r: PrivacyForgetReport): string[] {
  const v = r.dryRun ? "would remove" : "removed";
  const lines = [`${r.dryRun ? "dry run: " : ""}${r.identities.join(", ")}`];
  for (const t of r.transcripts)
    lines.push(
      `${v} ${t.whole ? "session" : `${t.messages} messages from session`} ${t.key || "(unknown)"}${t.archive ? ` (archive ${t.archive})` : ""}`,
    );
  for (const m of r.media) lines.push(`${v} media ${m}`);
  for (const a of r.access)
    lines.push(
      `${v} ${a.channel} access: ${a.pending} pending pairing requests, allowlisted in ${a.allowedIn.length} files`,
    );
  const rows = r.rows.runs + r.rows.inbound + r.rows.replies + r.rows.outbox;
  if (rows > 0) lines.push(`${v} ${rows} rows of the state database`);
  for (const l of r.logs) lines.push(`overwrote their ids ${l.redacted} times in ${l.file}`);
  if (r.pseudonymKeys > 0)
    lines.push(
      `${r.dryRun ? "would delete" : "deleted"} their security-trail pseudonym key (their audit entries are unlinked)`,
    );
  if (r.remaining.length === 0)
    lines.push(r.dryRun ? "" : "nothing of them is left in the state dir or the logs").valueOf();
  for (const x of r.remaining)
    lines.push(
      `${r.dryRun ? "contains" : "still contains"} ${x.found.join(", ")}: ${x.file}${x.file.endsWith(".json") && !r.dryRun ? " (edit it: allowlists and identityLinks in the config are yours to change)" : ""}`,
    );
  return lines.filter((l) => l !== "");
}
