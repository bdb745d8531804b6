#!/usr/bin/env node
// Entry point for `npx holdfast`: runs the compiled CLI in dist/.
import module from "node:module";

// Node 22.1+ keeps compiled code in a cache between runs (faster start); older Node lacks the API.
module.enableCompileCache?.();
const { main } = await import("../dist/cli/main.js");

main(process.argv).then(
  (code) => {
    if (typeof code === "number") process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
