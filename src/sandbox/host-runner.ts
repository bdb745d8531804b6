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

/**
 * A host runner that hides the holdfast state dir (config, credentials, transcripts) from the command:
 * bubblewrap gives it a private mount namespace where `stateDir` is an empty tmpfs and only
 * `workspaceDir` (when it lies inside the state dir) is bound back. Everything else is the host as is
 * (this is the host, not a sandbox). Source: issue "the state dir is never readable by tools".
 */
export function maskedHostRunner(bwrap: string, stateDir: string, workspaceDir: string): ExecRunner {
  return {
    kind: "host",
    run(req) {
      const inside =
        !path.relative(stateDir, workspaceDir).startsWith("..") &&
        !path.isAbsolute(path.relative(stateDir, workspaceDir));
      const user = process.getuid?.() === 0 ? [] : ["--unshare-user"];
      const mask = [
        bwrap,
        ...user,
        "--dev-bind",
        "/",
        "/",
        "--tmpfs",
        stateDir,
        ...(inside ? ["--bind", workspaceDir, workspaceDir] : []),
        "--die-with-parent",
        "--chdir",
        req.cwd,
        "--",
      ];
      const command = req.argv ? [...req.argv] : ["/bin/sh", "-c", req.shellCommand ?? ""];
      return spawnCapture([...mask, ...command], req);
    },
  };
}

export { spawnCapture };
