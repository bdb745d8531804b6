import type { z } from "zod";
import { didYouMean } from "./schema-keys.js";

/**
 * Turns zod issues into one line each, naming the full key path:
 * `gateway.auht: unrecognized key (did you mean "auth"?)`, `gateway.bind: invalid value "0.0.0.0" (allowed:
 * "loopback", ...)`. With `schema`, an unknown key gets the nearest valid key at its place as a suggestion.
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[], input: unknown, schema?: z.ZodType): string[] {
  const lines: string[] = [];
  for (const issue of issues) lines.push(...formatIssue(issue, { input, schema }));
  return [...new Set(lines)];
}

/** What an issue is formatted against: the checked value and (for suggestions) its schema. */
interface Against {
  readonly input: unknown;
  readonly schema: z.ZodType | undefined;
}

function formatIssue(issue: z.core.$ZodIssue, against: Against, prefix: PropertyKey[] = []): string[] {
  const { input, schema } = against;
  const path = [...prefix, ...issue.path];
  const at = pathString(path);
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map(
        (k) => `${pathString([...path, k])}: unrecognized key${schema ? didYouMean(schema, path, k) : ""}`,
      );
    case "invalid_value":
      return [
        `${at}: invalid value ${show(valueAt(input, path))} (allowed: ${issue.values.map((v) => JSON.stringify(v)).join(", ")})`,
      ];
    case "invalid_type": {
      const got = valueAt(input, path);
      return [`${at}: expected ${issue.expected}, got ${got === undefined ? "nothing" : describe(got)}`];
    }
    case "invalid_union":
      return formatUnion(issue, against, path);
    default:
      return [`${at}: ${issue.message}`];
  }
}

function formatUnion(issue: z.core.$ZodIssueInvalidUnion, against: Against, path: PropertyKey[]): string[] {
  const value = valueAt(against.input, path);
  const branches = issue.errors ?? [];
  // Prefer the branch that got furthest (its issues have the longest paths): that is what the user meant.
  let best: z.core.$ZodIssue[] | undefined;
  let bestDepth = -1;
  for (const branch of branches) {
    const depth = Math.max(...branch.map((i) => i.path.length), 0);
    const meaningful = branch.some((i) => i.code !== "invalid_type" || i.path.length > 0);
    if (meaningful && depth > bestDepth) {
      best = branch;
      bestDepth = depth;
    }
  }
  if (best && (bestDepth > 0 || (value !== null && typeof value === "object")))
    return best.flatMap((i) => formatIssue(i, against, path));
  return [`${pathString(path)}: invalid value ${show(value)}`];
}

function pathString(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "<root>" : path.map(String).join(".");
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const k of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === "number" || typeof v === "boolean" || v === null) return String(v);
  return describe(v);
}
