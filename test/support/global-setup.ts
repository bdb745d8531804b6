import { readdirSync, statSync } from "node:fs";
import path from "node:path";
// @ts-expect-error: a plain ESM build script without type declarations
import { buildHelper, HELPERS } from "../../scripts/build-helper.mjs";
import { REPO_ROOT } from "./gateway-process.js";

/**
 * Vitest global setup: unit tests run from src/, but the jail programs (the jail agent, the file
 * helper) always run as built scripts inside a jail, so they are (re)built when missing or older
 * than the sandbox sources they bundle.
 */
export default async function setup(): Promise<void> {
  const mtime = (p: string) => statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const srcDir = path.join(REPO_ROOT, "src/sandbox");
  const sources = readdirSync(srcDir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .map((f) => mtime(path.join(srcDir, f)));
  const outs = (HELPERS as { out: string }[]).map((h) => mtime(path.join(REPO_ROOT, h.out)));
  if (Math.min(...outs) < Math.max(...sources)) await (buildHelper as (root: string) => Promise<void>)(REPO_ROOT);
}
