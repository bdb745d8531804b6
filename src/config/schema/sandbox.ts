import { z } from "zod";
import { compat } from "./common.js";

/**
 * `agents.defaults.sandbox` / `agents.list[].sandbox`. holdfast defaults (applied by the sandbox
 * stage): mode "non-main", scope "session", workspaceAccess "none", network "none", backend
 * bubblewrap when present (else docker), limits memoryMb 1024 / pids 256 / cpuSeconds 120 /
 * fileSizeMb 1024. Safety checks (docker network host, root user, blocked bind sources, ...) run at
 * gateway start (sandbox stage). Source: seeds security-architecture.md "Sandboxing & Isolation"; reference §7.
 */
export const SandboxSchema = z.strictObject({
  mode: z.enum(["off", "non-main", "all"]).optional(),
  scope: z.enum(["session", "agent", "shared"]).optional(),
  perSession: z.boolean().optional(),
  workspaceAccess: z.enum(["none", "ro", "rw"]).optional(),
  backend: z.enum(["bubblewrap", "docker"]).optional(),
  workspaceRoot: z.string().optional(),
  network: z.enum(["none", "host"]).optional(),
  limits: z
    .strictObject({
      memoryMb: z.number().int().min(16).max(1_048_576).optional(),
      pids: z.number().int().min(1).max(100_000).optional(),
      cpuSeconds: z.number().int().min(1).max(86_400).optional(),
      /** CPU bandwidth of the whole session, in cores (cgroup cpu.max). */
      cpus: z.number().min(0.01).max(1024).optional(),
      outputBytes: z.number().int().min(1024).max(1_073_741_824).optional(),
      fileSizeMb: z.number().int().min(1).max(1_048_576).optional(),
      timeoutMs: z.number().int().min(100).max(86_400_000).optional(),
    })
    .optional(),
  docker: z
    .strictObject({
      image: z.string().optional(),
      containerPrefix: z.string().optional(),
      workdir: z.string().optional(),
      readOnlyRoot: z.boolean().optional(),
      tmpfs: z.array(z.string()).optional(),
      network: z.string().optional(),
      capDrop: z.array(z.string()).optional(),
      user: z.string().optional(),
      pidsLimit: z.number().int().optional(),
      memory: z.union([z.string(), z.number()]).optional(),
      memorySwap: z.union([z.string(), z.number()]).optional(),
      cpus: z.number().optional(),
      socketPath: z.string().optional(),
      binds: z.array(z.string()).optional(),
      env: z.record(z.string(), z.string()).optional(),
      seccompProfile: z.string().optional(),
      apparmorProfile: z.string().optional(),
      setupCommand: compat(),
      gpus: compat(),
      ulimits: compat(),
      dns: compat(),
      extraHosts: compat(),
      dangerouslyAllowReservedContainerTargets: z.boolean().optional(),
      dangerouslyAllowExternalBindSources: z.boolean().optional(),
      dangerouslyAllowContainerNamespaceJoin: z.boolean().optional(),
    })
    .optional(),
  prune: z.strictObject({ idleHours: z.number().optional(), maxAgeDays: z.number().optional() }).optional(),
  sessionToolsVisibility: z.enum(["spawned", "all"]).optional(),
  browser: compat(),
  /** Legacy sandbox tool policy (seeds): only these tools in sandboxed sessions (aliases of `tools.sandbox.tools.allow`). */
  allowTools: z.array(z.string()).optional(),
  /** Legacy sandbox tool policy (seeds): never these tools in sandboxed sessions. */
  denyTools: z.array(z.string()).optional(),
});
export type SandboxConfig = z.infer<typeof SandboxSchema>;
