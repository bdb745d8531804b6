import { HoldfastError } from "../errors/index.js";

/** One change of a patch. Update hunks hold old and new lines (context included in both). */
export type PatchOp =
  | { readonly kind: "add"; readonly path: string; readonly lines: readonly string[] }
  | { readonly kind: "delete"; readonly path: string }
  | { readonly kind: "update"; readonly path: string; readonly moveTo?: string; readonly hunks: readonly Hunk[] };

export interface Hunk {
  readonly anchor?: string;
  readonly oldLines: readonly string[];
  readonly newLines: readonly string[];
}

/**
 * Parses the `apply_patch` envelope: `*** Begin Patch`, then `*** Add File: p` (lines prefixed `+`),
 * `*** Delete File: p`, `*** Update File: p` (optional `*** Move to: q`, hunks introduced by `@@`
 * with ` `/`-`/`+` lines, optional `*** End of File`), then `*** End Patch`.
 * @throws HoldfastError HF_TOOL_ARGS_INVALID naming the bad line.
 */
export function parsePatch(text: string): PatchOp[] {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  while (lines.length > 0 && lines[lines.length - 1]?.trim() === "") lines.pop();
  if (lines[0]?.trim() !== "*** Begin Patch") throw bad(1, "a patch must start with *** Begin Patch");
  if (lines[lines.length - 1]?.trim() !== "*** End Patch")
    throw bad(lines.length, "a patch must end with *** End Patch");
  const ops: PatchOp[] = [];
  let i = 1;
  const end = lines.length - 1;
  while (i < end) {
    const line = lines[i] as string;
    if (line.startsWith("*** Add File: ")) {
      const body: string[] = [];
      for (i++; i < end && !(lines[i] as string).startsWith("*** "); i++) {
        const l = lines[i] as string;
        if (!l.startsWith("+")) throw bad(i + 1, "lines of an added file must start with +");
        body.push(l.slice(1));
      }
      ops.push({ kind: "add", path: pathOf(line, "*** Add File: "), lines: body });
    } else if (line.startsWith("*** Delete File: ")) {
      ops.push({ kind: "delete", path: pathOf(line, "*** Delete File: ") });
      i++;
    } else if (line.startsWith("*** Update File: ")) {
      const parsed = parseUpdate(lines, i, end);
      ops.push(parsed.op);
      i = parsed.next;
    } else if (line.trim() === "") i++;
    else throw bad(i + 1, `unexpected line "${line.slice(0, 60)}"`);
  }
  if (ops.length === 0) throw bad(1, "the patch changes nothing");
  return ops;
}

function parseUpdate(lines: readonly string[], start: number, end: number): { op: PatchOp; next: number } {
  const path = pathOf(lines[start] as string, "*** Update File: ");
  let i = start + 1;
  let moveTo: string | undefined;
  if ((lines[i] ?? "").startsWith("*** Move to: ")) moveTo = pathOf(lines[i++] as string, "*** Move to: ");
  const hunks: Hunk[] = [];
  let cur: { anchor?: string; oldLines: string[]; newLines: string[] } | undefined;
  const flush = () => {
    if (cur && (cur.oldLines.length > 0 || cur.newLines.length > 0)) hunks.push(cur);
    cur = undefined;
  };
  for (; i < end; i++) {
    const l = lines[i] as string;
    if (l === "*** End of File") continue;
    if (l.startsWith("*** ")) break;
    if (l.startsWith("@@")) {
      flush();
      const anchor = l.slice(2).trim();
      cur = { ...(anchor ? { anchor } : {}), oldLines: [], newLines: [] };
      continue;
    }
    cur ??= { oldLines: [], newLines: [] };
    const tag = l[0] ?? " ";
    const rest = l.slice(1);
    if (tag === " " || l === "") {
      cur.oldLines.push(rest);
      cur.newLines.push(rest);
    } else if (tag === "-") cur.oldLines.push(rest);
    else if (tag === "+") cur.newLines.push(rest);
    else throw bad(i + 1, "hunk lines must start with space, - or +");
  }
  flush();
  if (hunks.length === 0 && moveTo === undefined) throw bad(start + 1, `update of ${path} has no hunks`);
  return { op: { kind: "update", path, ...(moveTo !== undefined ? { moveTo } : {}), hunks }, next: i };
}

/** Applies update hunks to a file's text. @throws HoldfastError HF_TOOL_FAILED when a hunk does not match. */
export function applyHunks(text: string, hunks: readonly Hunk[], path: string): string {
  const lines = text.split("\n");
  let cursor = 0;
  for (const [n, h] of hunks.entries()) {
    if (h.anchor !== undefined) {
      const at = lines.findIndex((l, idx) => idx >= cursor && l.trim() === h.anchor?.trim());
      if (at >= 0) cursor = at + 1;
    }
    const at = findSeq(lines, h.oldLines, cursor);
    if (at < 0)
      throw new HoldfastError(
        "HF_TOOL_FAILED",
        `hunk ${n + 1} of ${path} does not match the file (context or removed lines not found)`,
      );
    lines.splice(at, h.oldLines.length, ...h.newLines);
    cursor = at + h.newLines.length;
  }
  return lines.join("\n");
}

function findSeq(lines: readonly string[], seq: readonly string[], from: number): number {
  if (seq.length === 0) return from;
  for (let i = from; i + seq.length <= lines.length; i++) {
    if (seq.every((s, k) => lines[i + k] === s)) return i;
  }
  for (let i = from; i + seq.length <= lines.length; i++) {
    if (seq.every((s, k) => lines[i + k]?.trimEnd() === s.trimEnd())) return i;
  }
  return -1;
}

function pathOf(line: string, prefix: string): string {
  const p = line.slice(prefix.length).trim();
  if (!p) throw bad(0, `${prefix.trim()} needs a path`);
  return p;
}

function bad(line: number, why: string): HoldfastError {
  return new HoldfastError("HF_TOOL_ARGS_INVALID", `invalid patch${line > 0 ? ` (line ${line})` : ""}: ${why}`);
}
