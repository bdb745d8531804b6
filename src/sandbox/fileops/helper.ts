/**
 * The one-shot file helper: run INSIDE a Docker sandbox (one container per call), it reads one
 * {@link FileOpsRequest} from stdin and writes one response to stdout. Built as a standalone
 * script (dist/jail-fileops.mjs) and mounted read-only with the gateway's node binary. Bubblewrap
 * jails run the same operations in their long-lived jail agent instead (agent/agent.ts).
 */
import fs from "node:fs";
import { isFileOpsRequest, runFileOps, writeAll } from "./ops.js";
import type { FileOpsRequest } from "./protocol.js";

function main(): void {
  let req: unknown;
  try {
    req = JSON.parse(fs.readFileSync(0, "utf8"));
  } catch {
    req = undefined;
  }
  if (!isFileOpsRequest(req)) {
    process.stderr.write("holdfast file helper: unsupported request\n");
    process.exitCode = 2;
    return;
  }
  writeAll(1, Buffer.from(JSON.stringify(runFileOps(req as FileOpsRequest)), "utf8"));
}

main();
