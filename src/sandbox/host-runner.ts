import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { homeEnv, spawnCapture } from "./spawn-capture.js";
import type { ExecRunner } from "./types.js";

/**
 * Runs commands directly on the host (no isolation) in their own process group, so a timeout or an
 * abort kills the whole tree. Used only when the operator turned the host jail off
 * (`tools.exec.hostJail: "off"`, reported by `security audit`). `privateHome` gets a fresh
 * temporary directory (removed afterwards).
 */
export const hostRunner: ExecRunner = {
  kind: "host",
  async run(req) {
    const argv = req.argv ? [...req.argv] : ["/bin/sh", "-c", req.shellCommand ?? ""];
    if (!req.privateHome) return spawnCapture(argv, req);
    const home = await mkdtemp(path.join(os.tmpdir(), "holdfast-home-"));
    try {
      return await spawnCapture(argv, { ...req, env: { ...req.env, ...homeEnv(home) } });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  },
};

export { spawnCapture };
