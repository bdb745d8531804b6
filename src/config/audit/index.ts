import type { AuditCheck } from "../../audit/index.js";
import { configFileCheck } from "./config-file.js";
import { dangerousFlagsCheck } from "./dangerous-flags.js";
import { rosterCheck } from "./roster.js";
import { stateDirCheck } from "./state-dir.js";
import { syncedDirCheck } from "./synced-dir.js";

/** Config and state-directory checks (disk hygiene, weakened switches). */
export const configAuditChecks: readonly AuditCheck[] = [
  stateDirCheck,
  configFileCheck,
  syncedDirCheck,
  dangerousFlagsCheck,
  rosterCheck,
];
