import { getAtPath, hasEnvReference, type HoldfastConfig } from "../config/index.js";
import { envShorthand } from "./providers.js";
import { listSecretSlots } from "./secret-paths.js";

/**
 * Key paths whose secret is written in the config file itself: a non-empty string in the file as
 * written (before `${VAR}` substitution) that is neither a `${VAR}` reference nor a `$NAME` shorthand.
 */
export function plaintextSecretPaths(config: HoldfastConfig, raw: Record<string, unknown>): string[] {
  return listSecretSlots(config)
    .filter((slot) => {
      const written = getAtPath(raw, slot.path);
      return (
        typeof written === "string" && written.trim() !== "" && !hasEnvReference(written) && !envShorthand(written)
      );
    })
    .map((slot) => slot.path);
}
