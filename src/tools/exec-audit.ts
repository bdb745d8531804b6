import type { Logger } from "../logging/index.js";

/** One exec, as the audit log records it. Times in ms. */
export interface ExecAuditRecord {
  readonly agentId: string;
  readonly sessionKey: string;
  /** `<channel>:<senderId>` of the message that started the run, when known. */
  readonly sender?: string;
  readonly command: string;
  readonly cwd: string;
  readonly where: "host" | "sandbox";
  readonly elevated: boolean;
  /** `ran`, or why it did not: `refused` (policy), `denied` / `expired` / `aborted` (approval), `failed` (the runner could not start it). */
  readonly decision: "ran" | "refused" | "denied" | "expired" | "aborted" | "failed";
  readonly reason: string;
  readonly approvalId?: string;
  readonly approvedBy?: string;
  readonly exitCode?: number | null;
  readonly timedOut?: boolean;
  readonly durationMs: number;
  readonly background?: boolean;
}

const PATTERNS: readonly [RegExp, string][] = [
  [
    /(--?(?:password|passwd|pass|token|secret|api[-_]?key|apikey|auth|access[-_]?key|private[-_]?key)(?:=|\s+))(\S+)/gi,
    "$1***",
  ],
  [/\b([A-Z][A-Z0-9_]*(?:TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|APIKEY|ACCESS_KEY)[A-Z0-9_]*=)(\S+)/g, "$1***"],
  [/(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, "$1***"],
  [/(:\/\/)[^/\s:@]+:[^/\s@]+@/g, "$1***@"],
  [
    /\b(sk-[A-Za-z0-9_-]{8,}|gh[pousr]_[A-Za-z0-9]{16,}|xox[abpors]-[A-Za-z0-9-]{8,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{20,})\b/g,
    "***",
  ],
  [/\b[0-9a-f]{32,}\b/gi, "***"],
];

/**
 * Masks secrets in a command line or text: every known secret value (config secrets: provider keys,
 * gateway token, channel tokens) becomes `***`, then values after password/token/key flags,
 * `*_TOKEN=`-style assignments, bearer tokens, URL credentials, well-known key prefixes and long
 * hex strings.
 */
export function redactSecrets(text: string, knownSecrets: readonly string[]): string {
  let out = text;
  for (const s of knownSecrets) if (s.length >= 4) out = out.split(s).join("***");
  for (const [re, rep] of PATTERNS) out = out.replace(re, rep);
  return out;
}

/** Writes one redacted `exec` audit line per command (info level, field `audit: "exec"`). Source: issue "Exec". */
export class ExecAuditor {
  constructor(
    private readonly log: Logger,
    private readonly secrets: () => readonly string[],
  ) {}

  record(r: ExecAuditRecord): void {
    const known = this.secrets();
    this.log.info(
      { audit: "exec", ...r, command: redactSecrets(r.command, known), cwd: redactSecrets(r.cwd, known) },
      `exec ${r.decision}`,
    );
  }
}
