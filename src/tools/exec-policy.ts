import path from "node:path";
import { gitRunsCommand } from "./exec-neutralise.js";
import type { ResolvedSegment } from "./exec-resolve.js";
import { inlineEvalFlag } from "./interpreter-flags.js";

/**
 * The exec policy: pure decisions over parsed, resolved command segments.
 * Source: reference openclaw-semantics.md §6.6; issue "Exec". holdfast default: security
 * "allowlist" + ask "on-miss" (fail closed).
 */

export type ExecSecurity = "deny" | "allowlist" | "full";
export type ExecAsk = "off" | "on-miss" | "always";

/** An allowlist entry: an executable pattern (absolute-path glob, or bare-name glob for PATH lookups), optionally with exact args. */
export interface AllowEntry {
  readonly pattern: string;
  /** When set, argv after the executable must equal this exactly. */
  readonly args?: readonly string[];
  readonly source: "config" | "allow-always";
}

/** The effective exec settings. */
export interface ExecPolicy {
  readonly security: ExecSecurity;
  readonly ask: ExecAsk;
  readonly allowlist: readonly AllowEntry[];
  /** Stdin filters admitted without an allowlist entry when they get no file argument (only flags, numbers, and `tr` sets). */
  readonly safeBins: readonly string[];
  /** Directories a safe bin must live in. */
  readonly safeBinTrustedDirs: readonly string[];
}

export const DEFAULT_SAFE_BINS: readonly string[] = ["cut", "uniq", "head", "tail", "tr", "wc"];
export const DEFAULT_SAFE_BIN_DIRS: readonly string[] = ["/bin", "/usr/bin"];

/** The verdict for one command: run it, refuse it, or ask an approver. */
export type ExecVerdict =
  | { readonly kind: "run"; readonly reason: "exec_security_full" | "exec_allowlisted" }
  | {
      readonly kind: "deny";
      readonly reason:
        | "exec_security_deny"
        | "exec_shell_syntax_refused"
        | "exec_command_not_found"
        | "exec_wrapper_refused"
        | "exec_allowlist_miss";
      readonly detail: string;
    }
  | {
      readonly kind: "ask";
      readonly reason: "exec_ask_always" | "exec_allowlist_miss";
      readonly persistable: boolean;
      readonly detail: string;
    };

/** Programs that run other programs invisibly (shells) or change identity/namespaces: never approvable in allowlist mode. */
const REFUSED_WRAPPERS = new Set([
  "sh",
  "bash",
  "dash",
  "zsh",
  "ksh",
  "mksh",
  "ash",
  "csh",
  "tcsh",
  "fish",
  "rbash",
  "busybox",
  "pwsh",
  "sudo",
  "su",
  "doas",
  "runuser",
  "setpriv",
  "chroot",
  "unshare",
  "nsenter",
  "bwrap",
  "firejail",
  "capsh",
  "pkexec",
]);

/** Programs that run inline code or another command given in their argv: approval every time, never persisted or allowlisted. */
const EVAL_ALWAYS = new Set([
  "awk",
  "gawk",
  "mawk",
  "nawk",
  "sed",
  "xargs",
  "env",
  "nohup",
  "setsid",
  "timeout",
  "nice",
  "ionice",
  "stdbuf",
  "taskset",
  "chrt",
  "flock",
  "watch",
  "script",
  "time",
  "strace",
  "ltrace",
  "gdb",
  "expect",
  "parallel",
  "eval",
  "exec",
  "command",
  "builtin",
]);

/** Options of non-interpreters that run another command (or a config file naming one) given in their argv. */
const COMMAND_FLAGS: Readonly<Record<string, readonly string[]>> = {
  find: ["-exec", "-execdir", "-ok", "-okdir"],
  fd: ["-x", "--exec", "-X", "--exec-batch"],
  fdfind: ["-x", "--exec", "-X", "--exec-batch"],
  rg: ["--pre"],
  tar: [
    "--to-command",
    "--use-compress-program",
    "-I",
    "--checkpoint-action",
    "--info-script",
    "--new-volume-script",
    "-F",
  ],
  rsync: ["-e", "--rsh", "--rsync-path"],
  ssh: ["-o", "-F"],
  scp: ["-o", "-F", "-S"],
  sftp: ["-o", "-F", "-S", "-D"],
  sort: ["--compress-program"],
  zip: ["-TT", "--unzip-command"],
  man: ["-P", "--pager", "-H", "--html"],
};

/** True when `arg` is `flag`, `flag=value`, or (a short flag) `flag` with its value attached. */
function isFlag(arg: string, flag: string): boolean {
  return (
    arg === flag || arg.startsWith(`${flag}=`) || (flag.length === 2 && !flag.startsWith("--") && arg.startsWith(flag))
  );
}

/** How a segment's program is classified. */
export function segmentClass(seg: ResolvedSegment): "wrapper" | "eval" | "plain" {
  const names = [seg.argv[0] ?? "", seg.path ?? "", seg.real ?? ""].map((p) => path.basename(p));
  if (names.some((n) => REFUSED_WRAPPERS.has(n))) return "wrapper";
  if (names.some((n) => EVAL_ALWAYS.has(n))) return "eval";
  const args = seg.argv.slice(1);
  if (names.some((n) => inlineEvalFlag(n, args) !== undefined)) return "eval";
  if (names.some((n) => n === "git") && gitRunsCommand(args)) return "eval";
  if (names.some((n) => COMMAND_FLAGS[n]?.some((f) => args.some((a) => isFlag(a, f))))) return "eval";
  return "plain";
}

function glob(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split("*")
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join("[^/]*")}$`,
  );
  return re.test(value);
}

/** True when an allowlist entry admits a resolved segment. */
export function entryMatches(entry: AllowEntry, seg: ResolvedSegment): boolean {
  if (!seg.path || seg.inWorkspace) return false;
  const exe = entry.pattern.includes("/")
    ? [seg.path, seg.real].some((p) => p !== undefined && glob(entry.pattern, p))
    : seg.viaPath && glob(entry.pattern, path.basename(seg.path));
  if (!exe) return false;
  if (!entry.args) return true;
  const args = seg.argv.slice(1);
  return args.length === entry.args.length && args.every((a, i) => a === entry.args?.[i]);
}

function isSafeBin(policy: ExecPolicy, seg: ResolvedSegment): boolean {
  if (!seg.real || seg.inWorkspace || !policy.safeBins.includes(path.basename(seg.path ?? ""))) return false;
  if (!policy.safeBinTrustedDirs.includes(path.dirname(seg.path ?? ""))) return false;
  const isTr = path.basename(seg.path ?? "") === "tr";
  return seg.argv
    .slice(1)
    .every((a) => !a.includes("/") && !a.startsWith("--files0-from") && (a.startsWith("-") || /^\d+$/.test(a) || isTr));
}

/**
 * Decides one command. `segments` is undefined when the line could not be parsed safely
 * (`parseRefusal` says why).
 * - security deny → deny; security full → run (ask always → ask);
 * - allowlist: a wrapper segment → deny (never approvable); an eval segment → ask (not persistable);
 *   every segment allowlisted or a safe bin → run (ask always → ask); else ask on-miss/always, deny when ask is off.
 */
export function decideExec(
  policy: ExecPolicy,
  segments: readonly ResolvedSegment[] | undefined,
  parseRefusal?: string,
): ExecVerdict {
  if (policy.security === "deny")
    return { kind: "deny", reason: "exec_security_deny", detail: "exec is disabled (tools.exec.security is deny)" };
  if (policy.security === "full") {
    return policy.ask === "always"
      ? { kind: "ask", reason: "exec_ask_always", persistable: false, detail: "tools.exec.ask is always" }
      : { kind: "run", reason: "exec_security_full" };
  }
  if (!segments)
    return {
      kind: "deny",
      reason: "exec_shell_syntax_refused",
      detail: parseRefusal ?? "the command could not be parsed",
    };
  const missing = segments.find((s) => !s.path);
  if (missing)
    return { kind: "deny", reason: "exec_command_not_found", detail: `command not found: ${missing.argv[0] ?? ""}` };
  const wrapper = segments.find((s) => segmentClass(s) === "wrapper");
  if (wrapper)
    return {
      kind: "deny",
      reason: "exec_wrapper_refused",
      detail: `${path.basename(wrapper.path ?? "")} runs other commands out of sight and cannot be approved; run the inner command directly`,
    };
  const evals = segments.some((s) => segmentClass(s) === "eval");
  const admitted = segments.every(
    (s) => segmentClass(s) === "plain" && (policy.allowlist.some((e) => entryMatches(e, s)) || isSafeBin(policy, s)),
  );
  if (admitted && policy.ask !== "always") return { kind: "run", reason: "exec_allowlisted" };
  if (policy.ask === "off")
    return {
      kind: "deny",
      reason: "exec_allowlist_miss",
      detail: "not in tools.exec.allowlist (and tools.exec.ask is off)",
    };
  const detail = admitted
    ? "tools.exec.ask is always"
    : evals
      ? "runs inline code or another command; needs approval every time"
      : "not in tools.exec.allowlist";
  return { kind: "ask", reason: admitted ? "exec_ask_always" : "exec_allowlist_miss", persistable: !evals, detail };
}
