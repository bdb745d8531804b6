// Builds dist/: one ESM bundle (with split chunks for lazily loaded modules) from src/cli/main.ts,
// the jail helpers, and the Control UI (dist/ui, see build-ui.mjs).
// Bundling keeps start-up fast: Node resolves and loads a few files instead of hundreds.
// Type checking is done separately by `tsc --noEmit` (npm run typecheck).
import { build } from "esbuild";
import { rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildHelper } from "./build-helper.mjs";
import { buildUi } from "./build-ui.mjs";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const zodLocales = path.join(root, "node_modules/zod/v4/locales");

/**
 * zod re-exports all of its ~40 message locales as a namespace, so a bundle would carry every one
 * (about 350 KB to parse at start-up). holdfast's messages are English: the namespace keeps `en` only.
 */
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}zod${path.sep}v4${path.sep}`)
        ? { path: "en-only", namespace: "zod-locales" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-locales" }, () => ({
      contents: 'export { default as en } from "./en.js";',
      resolveDir: zodLocales,
      loader: "js",
    }));
  },
};

await rm(path.join(root, "dist"), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { "cli/main": "src/cli/main.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.19",
  sourcemap: true,
  // Without comments and indentation the start-up parses 2.1 MB of JavaScript less than half as big,
  // and no chunk is held as a two-byte string because of a non-ASCII character in a comment (idle RSS
  // -1.5 MB, docs/performance.md). Names stay, so stack traces name functions; the source maps
  // (dist/**/*.map) give the original line.
  minifyWhitespace: true,
  logLevel: "warning",
  plugins: [zodEnglishOnly],
  // Native, optional or rarely used modules stay external and load from node_modules when needed.
  // grammY stays external because its fetch shim checks class names that bundling would rename; the
  // Slack and Discord libraries (CommonJS, with optional native add-ons and lazy requires) stay external
  // too, and like grammY load from node_modules only when their channel is configured; better-sqlite3
  // loads its compiled addon relative to its own package.
  external: [
    "dockerode",
    "ssh2",
    "cpu-features",
    "bufferutil",
    "utf-8-validate",
    "pino-pretty",
    "selfsigned",
    "grammy",
    "@slack/bolt",
    "discord.js",
    "better-sqlite3",
  ],
  banner: {
    js: "import { createRequire as __hfCreateRequire } from 'node:module'; const require = __hfCreateRequire(import.meta.url);",
  },
});
await buildHelper(root);
await buildUi(root);
