import type { AuditCheck } from "../../audit/index.js";
import { credentialsDirCheck } from "./credentials-dir.js";
import { plaintextCheck } from "./plaintext.js";
import { toolEnvCheck } from "./tool-env.js";
import { unresolvedCheck } from "./unresolved.js";

/** Secrets checks (plaintext, unresolved refs, credential files, tool environment). */
export const secretsAuditChecks: readonly AuditCheck[] = [
  plaintextCheck,
  unresolvedCheck,
  credentialsDirCheck,
  toolEnvCheck,
];
