// Builds dist/jail-fileops.mjs: the file helper that runs inside a session's jail (src/sandbox/fileops/helper.ts).
// A standalone script with Node built-ins only, mounted read-only into bubblewrap jails and Docker sandboxes.
import { build } from "esbuild";
import path from "node:path";

/** Output path of the helper below the package root. */
export const HELPER_OUT = "dist/jail-fileops.mjs";

/** Bundles the helper into `<root>/dist/jail-fileops.mjs`. */
export async function buildHelper(root) {
  await build({
    absWorkingDir: root,
    entryPoints: ["src/sandbox/fileops/helper.ts"],
    outfile: path.join(root, HELPER_OUT),
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20.19",
    logLevel: "warning",
  });
}
