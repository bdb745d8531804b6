// Builds the two programs that run inside a session's jail, standalone scripts with Node built-ins only,
// mounted read-only into the jail: dist/jail-agent.mjs (the long-lived agent of a bubblewrap jail,
// src/sandbox/agent/agent.ts) and dist/jail-fileops.mjs (the one-shot file helper of a Docker sandbox).
import { build } from "esbuild";
import path from "node:path";

/** Each jail program: its entry point and output below the package root. */
export const HELPERS = [
  { entry: "src/sandbox/agent/agent.ts", out: "dist/jail-agent.mjs" },
  { entry: "src/sandbox/fileops/helper.ts", out: "dist/jail-fileops.mjs" },
];

/** Bundles the jail programs into `<root>/dist/`. */
export async function buildHelper(root) {
  for (const h of HELPERS) await buildOne(root, h);
}

async function buildOne(root, h) {
  await build({
    absWorkingDir: root,
    entryPoints: [h.entry],
    outfile: path.join(root, h.out),
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20.19",
    logLevel: "warning",
  });
}
