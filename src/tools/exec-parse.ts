import { parse } from "shell-quote";

/** Operators allowed between segments. Each segment is checked on its own. */
export type ChainOp = "|" | "&&" | "||" | ";";

/** A command line split into argv segments joined by operators. */
export interface ParsedCommand {
  readonly segments: readonly (readonly string[])[];
  readonly ops: readonly ChainOp[];
}

/** Result of {@link parseCommandLine}: segments, or a refusal naming the unsupported syntax. */
export type ParseResult =
  { readonly ok: true; readonly command: ParsedCommand } | { readonly ok: false; readonly reason: string };

const CHAIN: readonly string[] = ["|", "&&", "||", ";"];

/**
 * Parses a command line with `shell-quote` into argv segments joined by `|`, `&&`, `||`, `;`.
 * Everything whose meaning would depend on the shell is refused rather than guessed: variable and
 * command substitution (`$X`, `$(…)`, backticks), redirection, globbing, subshells, background `&`,
 * comments, `~` expansion, `VAR=value` prefixes, and multi-line input. The caller runs the
 * canonical form ({@link canonicalCommand}), so what runs is exactly what was checked.
 * Source: issue "Exec" (CVE-2026-28463 class: pipes and wrappers bypassing approval).
 */
export function parseCommandLine(line: string): ParseResult {
  if (/[\n\r\0]/.test(line)) return refuse("multi-line commands are not supported; join commands with ; or &&");
  let tokens: ReturnType<typeof parse>;
  try {
    tokens = parse(line, (name) => ({ __var: name }) as unknown as string);
  } catch {
    return refuse("the command line could not be parsed");
  }
  const segments: string[][] = [[]];
  const ops: ChainOp[] = [];
  for (const t of tokens) {
    if (typeof t === "string") {
      if (t.includes("`")) return refuse("backtick command substitution is not supported");
      (segments[segments.length - 1] as string[]).push(t);
      continue;
    }
    if ("__var" in (t as object)) return refuse("variable or command substitution ($…) is not supported");
    if ("comment" in t) return refuse("shell comments (#) are not supported");
    if ("op" in t && t.op === "glob")
      return refuse(`globbing (${(t as { pattern: string }).pattern}) is not supported; list the files explicitly`);
    const op = (t as { op: string }).op;
    if (!CHAIN.includes(op))
      return refuse(
        `the shell operator "${op}" is not supported (redirection, subshells and background jobs are refused)`,
      );
    if ((segments[segments.length - 1] as string[]).length === 0) return refuse(`"${op}" without a command before it`);
    ops.push(op as ChainOp);
    segments.push([]);
  }
  if ((segments[segments.length - 1] as string[]).length === 0) {
    if (ops[ops.length - 1] === ";") {
      ops.pop();
      segments.pop();
    } else if (ops.length > 0) return refuse(`"${ops[ops.length - 1]}" without a command after it`);
  }
  if (segments.length === 0 || (segments[0] as string[]).length === 0) return refuse("empty command");
  for (const seg of segments) {
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(seg[0] as string))
      return refuse("environment assignments before a command (VAR=value cmd) are not supported");
    if (seg.some((w) => w.startsWith("~")))
      return refuse("~ expansion is not supported; use a relative or absolute path");
  }
  return { ok: true, command: { segments, ops } };
}

function refuse(reason: string): ParseResult {
  return { ok: false, reason };
}

/** Quotes one word for POSIX sh: always single-quoted, `'` written as `'\''`. */
export function shQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command line that runs exactly `segments` (every word quoted, operators between). */
export function canonicalCommand(cmd: ParsedCommand): string {
  return cmd.segments
    .map((seg, i) => `${seg.map(shQuote).join(" ")}${i < cmd.ops.length ? ` ${cmd.ops[i]}` : ""}`)
    .join(" ");
}

/** A readable rendering for approval prompts and audit lines (not for execution). */
export function displayCommand(cmd: ParsedCommand): string {
  const word = (w: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : shQuote(w));
  return cmd.segments
    .map((seg, i) => `${seg.map(word).join(" ")}${i < cmd.ops.length ? ` ${cmd.ops[i]}` : ""}`)
    .join(" ");
}
