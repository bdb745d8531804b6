import path from "node:path";
import { HoldfastError } from "../errors/index.js";
import { SANDBOX_WORKDIR, type ExecRunner, type SandboxBackend, type SandboxSpec } from "./types.js";

/**
 * An {@link ExecRunner} for one sandbox or host jail: maps the host working directory (inside the
 * workspace) to where the workspace appears inside (`/workspace/...`, or its own path in the host
 * jail) and runs through the backend.
 * @throws HoldfastError HF_TOOL_PATH_OUTSIDE when the cwd is not inside the sandbox workspace.
 */
export function sandboxRunner(backend: SandboxBackend, spec: SandboxSpec): ExecRunner {
  return {
    kind: backend.kind,
    async run(req) {
      const rel = path.relative(spec.workspaceDir, req.cwd);
      if (rel.startsWith("..") || path.isAbsolute(rel))
        throw new HoldfastError("HF_TOOL_PATH_OUTSIDE", "exec cwd is outside the sandbox workspace");
      return backend.run(spec, {
        ...req,
        cwd: path.posix.join(spec.workspaceAt ?? SANDBOX_WORKDIR, ...rel.split(path.sep).filter(Boolean)),
      });
    },
  };
}
