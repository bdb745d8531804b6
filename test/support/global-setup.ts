import { statSync } from "node:fs";
import path from "node:path";
// @ts-expect-error: a plain ESM build script without type declarations
import { buildHelper, HELPER_OUT } from "../../scripts/build-helper.mjs";
import { REPO_ROOT } from "./gateway-process.js";

/**
 * Vitest global setup: unit tests run from src/, but the file helper always runs as a built script
 * inside a jail, so it is (re)built when missing or older than its sources.
 */
export default async function setup(): Promise<void> {
  const out = path.join(REPO_ROOT, HELPER_OUT as string);
  const mtime = (p: string) => statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const src = ["helper.ts", "protocol.ts"].map((f) => mtime(path.join(REPO_ROOT, "src/sandbox/fileops", f)));
  if (mtime(out) < Math.max(...src)) await (buildHelper as (root: string) => Promise<void>)(REPO_ROOT);
}
