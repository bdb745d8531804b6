/** Runs every benchmark script in bench/ (each prints its own figures). `npm run bench`. */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const dir = path.dirname(fileURLToPath(import.meta.url));
for (const f of readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts")
  .sort()) {
  console.log(`\n== ${f}`);
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(dir, f)], { stdio: "inherit" });
  if (r.status !== 0) process.exitCode = 1;
}
