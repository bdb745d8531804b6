import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { HoldfastError } from "../errors/index.js";

/**
 * The holdfast package root (the directory holding its package.json), found by walking up from this
 * module. Works from `src/` (tests), `dist/` (the built bundle) and an installed package alike.
 */
export const PACKAGE_ROOT: string = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "holdfast") return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new HoldfastError("HF_INTERNAL", "holdfast package root not found (a broken installation)");
    dir = up;
  }
})();

/** The package version from package.json. */
export const PACKAGE_VERSION: string = (
  JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }
).version;
