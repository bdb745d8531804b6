import { accessSync, constants as fsc, realpathSync } from "node:fs";
import path from "node:path";
import { PACKAGE_ROOT } from "./package-root.js";

let cached: { readonly pathVar: string | undefined; readonly name: string } | undefined;

/**
 * How the user runs the holdfast CLI on this machine: `holdfast` when an executable of that name on
 * `PATH` is this package's `bin/holdfast.mjs` (a global install or a linked checkout), else
 * `npx holdfast` (a project install: `npm install` does not put `holdfast` on PATH).
 */
export function cliName(env: NodeJS.ProcessEnv = process.env): string {
  if (cached && cached.pathVar === env.PATH) return cached.name;
  const name = onPath(env.PATH) ? "holdfast" : "npx holdfast";
  cached = { pathVar: env.PATH, name };
  return name;
}

/** A command line the user can paste: `npx holdfast <args>` or `holdfast <args>` (see {@link cliName}). */
export function cliHint(args: string, env: NodeJS.ProcessEnv = process.env): string {
  return `${cliName(env)} ${args}`;
}

function onPath(pathVar: string | undefined): boolean {
  let ours: string;
  try {
    ours = realpathSync(path.join(PACKAGE_ROOT, "bin", "holdfast.mjs"));
  } catch {
    return false;
  }
  for (const dir of (pathVar ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, "holdfast");
    try {
      accessSync(candidate, fsc.X_OK);
      if (realpathSync(candidate) === ours) return true;
    } catch {
      // not there, or not ours
    }
  }
  return false;
}
