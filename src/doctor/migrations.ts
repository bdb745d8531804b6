import { getAtPath, normalizeConfig, setAtPath, type HoldfastConfig } from "../config/index.js";

type Raw = Record<string, unknown>;

/** Keys OpenClaw retired that have no effect; doctor removes them. Source: reference §0.1, §10.4. */
const INERT_KEYS = ["gateway.controlUi.allowInsecureAuth", "gateway.controlUi.dangerouslyDisableDeviceAuth"];
/** Misplaced keys with a known right place (reference §2.3). */
const MOVED_KEYS: readonly [string, string][] = [
  ["gateway.token", "gateway.auth.token"],
  ["gateway.password", "gateway.auth.password"],
];

/**
 * Rewrites legacy keys in a config as written (before `${VAR}` substitution, so references stay):
 * the loader's migrations (`agent.*`, `agents.entries`, `channels.*.dm.*`, sandbox `perSession`), the
 * misplaced `gateway.token`/`gateway.password` (moved under `gateway.auth` unless set there) and
 * retired inert keys (removed). Returns the new file content and one line per change.
 */
export function migrateLegacyKeys(raw: Raw): { next: Raw; changes: string[] } {
  const { config, warnings } = normalizeConfig(raw as HoldfastConfig);
  let next = config as Raw;
  const changes = [...warnings.map((w) => w.replace(/ \(run `(?:npx )?holdfast doctor --fix`[^)]*\)/, ""))];
  for (const [from, to] of MOVED_KEYS) {
    const value = getAtPath(next, from);
    if (value === undefined) continue;
    if (getAtPath(next, to) === undefined) next = setAtPath(next, to, value);
    next = setAtPath(next, from, undefined);
    changes.push(`${from}: moved to ${to}`);
  }
  for (const key of INERT_KEYS) {
    if (getAtPath(next, key) === undefined) continue;
    next = setAtPath(next, key, undefined);
    changes.push(`${key}: retired setting with no effect; removed`);
  }
  return { next, changes };
}
