import { z } from "zod";
import { nearest } from "../infra/index.js";
import { unwrap } from "./compat-walk.js";

/**
 * The keys the schema allows in the object at `path` (record entries and array items are followed;
 * for unions, every object branch's keys), or undefined when `path` leads nowhere in the schema.
 */
export function schemaKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  const nodes = nodesAt(schema, path);
  if (nodes.length === 0) return undefined;
  const keys = new Set<string>();
  for (const n of nodes) for (const k of objectKeys(n)) keys.add(k);
  return [...keys];
}

/** True when the schema has a place for `path` (it may still be unset in a config). */
export function isSchemaPath(schema: z.ZodType, path: readonly PropertyKey[]): boolean {
  return nodesAt(schema, path).length > 0;
}

/** `"did you mean "x"?"` for an unknown `key` at `parent` (empty when nothing is close). */
export function didYouMean(schema: z.ZodType, parent: readonly PropertyKey[], key: string): string {
  const match = nearest(key, schemaKeysAt(schema, parent) ?? []);
  return match ? ` (did you mean "${match}"?)` : "";
}

/**
 * The first segment of `path` the schema has no place for, with a suggestion, or undefined when the
 * whole path exists in the schema.
 */
export function unknownSegment(schema: z.ZodType, path: readonly string[]): string | undefined {
  for (let i = 0; i < path.length; i++) {
    if (isSchemaPath(schema, path.slice(0, i + 1))) continue;
    const at = path.slice(0, i + 1).join(".");
    return `${at}: unknown key${didYouMean(schema, path.slice(0, i), path[i] as string)}`;
  }
  return undefined;
}

function nodesAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType[] {
  let nodes = [schema];
  for (const seg of path) nodes = nodes.flatMap((n) => children(n, String(seg)));
  return nodes;
}

function children(schema: z.ZodType, key: string): z.ZodType[] {
  const s = unwrap(schema);
  if (s instanceof z.ZodObject) {
    const child = (s.shape as Record<string, z.ZodType>)[key];
    return child ? [child] : [];
  }
  if (s instanceof z.ZodRecord) return [s.valueType as z.ZodType];
  if (s instanceof z.ZodArray) return /^\d+$/.test(key) ? [s.element as z.ZodType] : [];
  if (s instanceof z.ZodUnion) return (s.options as z.ZodType[]).flatMap((o) => children(o, key));
  if (s instanceof z.ZodUnknown || s instanceof z.ZodAny) return [s];
  return [];
}

function objectKeys(schema: z.ZodType): string[] {
  const s = unwrap(schema);
  if (s instanceof z.ZodObject) return Object.keys(s.shape as object);
  if (s instanceof z.ZodUnion) return (s.options as z.ZodType[]).flatMap(objectKeys);
  return [];
}
