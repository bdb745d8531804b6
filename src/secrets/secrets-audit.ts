import type { HoldfastConfig } from "../config/index.js";
import { looseSecretFiles } from "./file-modes.js";
import { plaintextSecretPaths } from "./plaintext.js";
import { resolveAll } from "./resolve.js";
import { toolEnvLeaks } from "./tool-env.js";

/** Finding codes of `holdfast secrets audit` (the first two follow reference §8.2). */
export type SecretsAuditCode = "PLAINTEXT_FOUND" | "REF_UNRESOLVED" | "FILE_MODE_LOOSE" | "TOOL_ENV_SECRET";

/** One finding. `path` is a config key path, a file path or an environment; never a value. */
export interface SecretsAuditFinding {
  readonly code: SecretsAuditCode;
  readonly path: string;
  readonly message: string;
}

/** The report of `holdfast secrets audit --json`. */
export interface SecretsAuditReport {
  readonly status: "clean" | "findings" | "unresolved";
  readonly resolution: {
    readonly refsChecked: number;
    readonly skippedExecRefs: number;
    readonly resolvabilityComplete: boolean;
  };
  readonly summary: {
    readonly plaintextCount: number;
    readonly unresolvedRefCount: number;
    readonly looseFileModeCount: number;
    readonly toolEnvSecretCount: number;
  };
  readonly findings: readonly SecretsAuditFinding[];
}

/** What the audit reads. */
export interface SecretsAuditInput {
  readonly config: HoldfastConfig;
  readonly raw: Record<string, unknown>;
  readonly configPath: string;
  readonly env: NodeJS.ProcessEnv;
  readonly workspaceDir: string;
  /** Run exec providers to check their refs (default false: they are counted as skipped). */
  readonly allowExec?: boolean;
}

/**
 * `holdfast secrets audit`: plaintext secrets in the config, refs that do not resolve, secret files
 * with loose modes, and configured secret values in the environment of spawned tools.
 * Status `unresolved` wins over `findings`. Source: the secrets issue; reference §8.2.
 */
export async function auditSecrets(input: SecretsAuditInput): Promise<SecretsAuditReport> {
  const res = await resolveAll(input.config, { env: input.env, allowExec: input.allowExec === true });
  const plaintext = plaintextSecretPaths(input.config, input.raw);
  const findings: SecretsAuditFinding[] = [
    ...plaintext.map((p) => ({
      code: "PLAINTEXT_FOUND" as const,
      path: p,
      message: `${p} is written in plain text in ${input.configPath}`,
    })),
    ...res.failures.map((f) => ({ code: "REF_UNRESOLVED" as const, path: f.path, message: f.message })),
    ...(await looseSecretFiles(input.config, input.configPath, plaintext.length > 0)).map((l) => ({
      code: "FILE_MODE_LOOSE" as const,
      path: l.path,
      message: `${l.path} (${l.holder}) ${l.reason}`,
    })),
    ...toolEnvLeaks(input.config, input.env, input.workspaceDir, res.snapshot.values()).map((l) => ({
      code: "TOOL_ENV_SECRET" as const,
      path: l.where,
      message: `${l.where} passes ${l.variables.join(", ")}, which hold a configured secret`,
    })),
  ];
  const count = (c: SecretsAuditCode) => findings.filter((f) => f.code === c).length;
  const unresolved = count("REF_UNRESOLVED");
  return {
    status: unresolved > 0 ? "unresolved" : findings.length > 0 ? "findings" : "clean",
    resolution: {
      refsChecked: res.refsChecked,
      skippedExecRefs: res.skippedExecRefs,
      resolvabilityComplete: res.skippedExecRefs === 0,
    },
    summary: {
      plaintextCount: count("PLAINTEXT_FOUND"),
      unresolvedRefCount: unresolved,
      looseFileModeCount: count("FILE_MODE_LOOSE"),
      toolEnvSecretCount: count("TOOL_ENV_SECRET"),
    },
    findings,
  };
}

/** Exit code of `secrets audit --check`: 2 with unresolved refs, 1 with other findings, else 0. */
export function secretsAuditExitCode(report: SecretsAuditReport): number {
  return report.status === "unresolved" ? 2 : report.status === "findings" ? 1 : 0;
}
