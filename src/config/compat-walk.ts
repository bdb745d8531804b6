import { z } from "zod";
import { COMPAT_SCHEMAS } from "./schema/common.js";

/** Hints for compat keys whose right place is known. */
const HINTS: Record<string, string> = {
  "gateway.token": 'Use "gateway.auth.token" instead.',
  "gateway.password": 'Use "gateway.auth.password" instead.',
  "gateway.remote": '"gateway.remote.token" is for remote CLI calls; it does not enable local gateway auth.',
};

/**
 * Lists the config paths that hold a value holdfast accepts only for OpenClaw compatibility, as
 * warning lines: `<path>: accepted for OpenClaw compatibility; not implemented by holdfast (ignored)`.
 */
export function collectCompatWarnings(schema: z.ZodType, value: unknown): string[] {
  return collectCompatPaths(schema, value).map((p) => {
    const at = p.split(".");
    const hint = HINTS[p] ?? HINTS[at.filter((_, i) => i !== 2).join(".")];
    return `${p}: accepted for OpenClaw compatibility; not implemented by holdfast (ignored)${hint ? `. ${hint}` : ""}`;
  });
}

/** The dotted config paths that hold a value holdfast accepts only for OpenClaw compatibility. */
export function collectCompatPaths(schema: z.ZodType, value: unknown): string[] {
  const out: string[] = [];
  walk(schema, value, [], out);
  return out;
}

function walk(schema: z.ZodType, value: unknown, at: string[], out: string[]): void {
  if (value === undefined) return;
  if (COMPAT_SCHEMAS.has(schema)) {
    out.push(at.join("."));
    return;
  }
  const s = unwrap(schema);
  if (s instanceof z.ZodObject && isRecord(value)) {
    const shape = s.shape as Record<string, z.ZodType>;
    for (const [k, v] of Object.entries(value)) {
      const child = shape[k];
      if (child) walk(child, v, [...at, k], out);
    }
  } else if (s instanceof z.ZodRecord && isRecord(value)) {
    for (const [k, v] of Object.entries(value)) walk(s.valueType as z.ZodType, v, [...at, k], out);
  } else if (s instanceof z.ZodArray && Array.isArray(value)) {
    value.forEach((v, i) => walk(s.element as z.ZodType, v, [...at, String(i)], out));
  } else if (s instanceof z.ZodUnion && isRecord(value)) {
    for (const option of s.options as z.ZodType[]) {
      if (unwrap(option) instanceof z.ZodObject && option.safeParse(value).success) return walk(option, value, at, out);
    }
  }
}

/** The schema inside optional/nullable/default/prefault/pipe wrappers. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodDefault || s instanceof z.ZodPrefault) s = s.def.innerType as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.def.in as z.ZodType;
    else return s;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
