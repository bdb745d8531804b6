import type { HoldfastConfig, HoldfastPaths, LoadedConfig } from "../config/index.js";
import type { Clock } from "../infra/index.js";
import type { Logger, Redactor } from "../logging/index.js";
import type { SecretsRuntime } from "../secrets/index.js";
import type { FileSecurityTrail } from "../trail/index.js";

/** What every wiring step receives: loaded config, paths, environment, logger, clock, secrets. */
export interface AppContext {
  readonly paths: HoldfastPaths;
  readonly loaded: LoadedConfig;
  readonly config: HoldfastConfig;
  readonly env: NodeJS.ProcessEnv;
  readonly log: Logger;
  readonly clock: Clock;
  /** The live secrets (swapped whole by `secrets reload`). */
  readonly secrets: SecretsRuntime;
  /** Masks secrets (configured values, key shapes, `logging.redactPatterns`) in text leaving the process. */
  readonly redactor: Redactor;
  /** Writes a line for the operator's terminal (stdout), never to the log file. */
  readonly say: (line: string) => void;
  /** The security trail of this state dir (`<stateDir>/audit/security.jsonl`), shared by the gateway and CLI commands. */
  readonly trail: FileSecurityTrail;
}
