import { createHash } from "node:crypto";
import path from "node:path";

/**
 * The id of the gateway that writes a log line: the first 8 hex characters of the SHA-256 of its
 * state dir. Every line carries it (with the pid), so `holdfast logs` shows only this state dir's
 * gateway even when `logging.file` is shared.
 */
export function instanceId(stateDir: string): string {
  return createHash("sha256").update(path.resolve(stateDir)).digest("hex").slice(0, 8);
}
