// Builds the Control UI into dist/ui/: one minified browser bundle (Preact, marked, DOMPurify and the
// views from ui/src), its stylesheet and the page. The gateway serves these files as they are, from
// its own origin; nothing is loaded from anywhere else.
import { build } from "esbuild";
import { copyFile, mkdir } from "node:fs/promises";
import path from "node:path";

/** Bundles `ui/src/main.tsx` to `dist/ui/app.js` and copies `ui/index.html` and `ui/app.css`. */
export async function buildUi(root) {
  const out = path.join(root, "dist/ui");
  await mkdir(out, { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: { app: "ui/src/main.tsx" },
    outdir: out,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: false,
    legalComments: "none",
    jsx: "automatic",
    jsxImportSource: "preact",
    logLevel: "warning",
  });
  for (const f of ["index.html", "app.css"]) await copyFile(path.join(root, "ui", f), path.join(out, f));
}
