// Builds dist/: one ESM bundle (with split chunks for lazily loaded modules) from src/cli/main.ts.
// Bundling keeps start-up fast: Node resolves and loads a few files instead of hundreds.
// Type checking is done separately by `tsc --noEmit` (npm run typecheck).
import { build } from "esbuild";
import { rm } from "node:fs/promises";

await rm(new URL("../dist", import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { "cli/main": "src/cli/main.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.19",
  sourcemap: true,
  // Some dependencies check class names at run time (node-fetch checks `AbortSignal`).
  keepNames: true,
  logLevel: "warning",
  // Native or optional modules stay external and are loaded from node_modules at run time.
  external: ["dockerode", "ssh2", "cpu-features", "bufferutil", "utf-8-validate", "pino-pretty", "selfsigned"],
  banner: { js: "import { createRequire as __hfCreateRequire } from 'node:module'; const require = __hfCreateRequire(import.meta.url);" },
});
