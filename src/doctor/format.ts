import type { DoctorReport } from "./doctor.js";
import { cliHint } from "../infra/index.js";

/** The human form of a doctor report, section by section. */
export function formatDoctor(r: DoctorReport): string[] {
  const lines = ["holdfast doctor", "", `Config: ${r.configPath}`];
  if (!r.config.ok) lines.push("  INVALID:", ...r.config.errors.map((e) => `    - ${e}`));
  else
    lines.push(
      r.config.exists ? "  valid" : "  no config file: secure defaults apply",
      ...r.config.warnings.map((w) => `  warning: ${w}`),
    );
  if (r.migrations.applied.length) lines.push("", "Config rewritten:", ...r.migrations.applied.map((c) => `  - ${c}`));
  if (r.migrations.pending.length)
    lines.push(
      "",
      `Config to rewrite (${cliHint("doctor --fix")} does it):`,
      ...r.migrations.pending.map((c) => `  - ${c}`),
    );
  if (r.config.ok) {
    lines.push(
      "",
      "Secrets:",
      ...(r.secrets.unresolved.length
        ? r.secrets.unresolved.map((m) => `  UNRESOLVED ${m}`)
        : ["  every SecretRef resolves"]),
    );
    if (r.secrets.skippedExecRefs)
      lines.push(
        `  (${r.secrets.skippedExecRefs} exec ref(s) not run; check them with ${cliHint("secrets audit --allow-exec")})`,
      );
    lines.push("", `Gateway credential: ${r.gatewayCredential}`);
    lines.push(
      "",
      `Gateway start: ${r.gateway.startable ? "every start check passes" : "the gateway would refuse to start"}`,
      ...r.gateway.preconditions.map(
        (p) =>
          `  ${p.skipped ? "skipped" : p.ok ? "ok     " : p.heldByThisGateway ? "running" : "FAIL   "} ${p.id}: ${p.detail}`,
      ),
    );
    if (r.model) lines.push("", ...modelLines(r.model));
    lines.push(
      "",
      "Channels:",
      ...(r.channels.length
        ? r.channels.map((c) => `  ${c.present ? "ok     " : "MISSING"} ${c.path}: ${c.note}`)
        : ["  none configured (WebChat only)"]),
    );
  }
  lines.push("", "Storage:");
  for (const f of r.storage.fixed) lines.push(`  fixed: ${f}`);
  if (r.storage.findings.length === 0) lines.push("  every store opens; no corrupt or orphaned files");
  for (const f of r.storage.findings)
    lines.push(
      `  ${f.severity.toUpperCase().padEnd(8)} ${f.file}`,
      `           ${f.problem}`,
      `           fix: ${f.fix}`,
    );
  if (r.jails)
    lines.push("", "Jails:", `  host jail: ${r.jails.hostJail}`, `  session limits: ${r.jails.sessionLimits}`);
  if (r.audit) {
    lines.push(
      "",
      `Security audit: ${r.audit.summary.critical ?? 0} critical · ${r.audit.summary.warn ?? 0} warn · ${r.audit.summary.info ?? 0} info`,
    );
    for (const f of r.audit.findings) lines.push(`  ${f.severity.toUpperCase().padEnd(8)} ${f.checkId}  ${f.title}`);
  }
  lines.push("", "Next steps:", ...r.nextSteps.map((s, i) => `  ${i + 1}. ${s}`));
  return lines;
}

function modelLines(m: NonNullable<DoctorReport["model"]>): string[] {
  if (m.chain.length === 0) return [`Model (agent ${m.agentId}): NONE`, ...indent(m.error ?? "no model configured")];
  const head = `Model (agent ${m.agentId}): ${m.ok ? "ok" : "NOT USABLE"}`;
  const rows = m.chain.map((c, i) => {
    const p = m.probes?.[i];
    const probe = p
      ? p.ok
        ? `; answered in ${p.ms} ms: "${p.reply ?? ""}"`
        : `; FAILED: ${p.error ?? "no answer"}`
      : "";
    return `  ${i === 0 ? "primary " : "fallback"} ${c.ref}: ${c.usable ? `key from ${c.keySource}` : "NO API KEY"}${probe}`;
  });
  return [head, ...rows, ...(m.error && m.chain.length ? indent(m.error) : [])];
}

function indent(text: string): string[] {
  return text.split("\n").map((l) => `  ${l}`);
}
