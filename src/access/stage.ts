import type { HoldfastConfig } from "../config/index.js";
import type { Clock } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import { isEmptyAllowList, nameEntry } from "./normalize.js";
import { PairingStore } from "./pairing/store.js";
import { resolveAccessPolicy, type AccessPolicy, type AccountAccessConfig } from "./policy.js";

/** Dependencies of {@link createAccessStage}. */
export interface AccessStageDeps {
  readonly config: HoldfastConfig;
  /** `<stateDir>/credentials`: the pairing and allow stores. */
  readonly credentialsDir: string;
  readonly clock: Clock;
  readonly log: Logger;
}

/** Access control as the channel stage uses it. */
export interface AccessStage {
  /**
   * The access policy of a channel account. Settings that cannot work as meant are logged as
   * warnings (`dmPolicy "open"` without `"*"`, `allowlist` with nothing in it, allowFrom entries
   * that can never match a sender id of the channel).
   */
  policyFor(channel: string, accountId: string, settings: AccountAccessConfig | undefined): AccessPolicy;
  /** The pairing store of a channel (`<credentialsDir>/<channel>-pairing.json`, `-allowFrom.json`). */
  pairing(channel: string): PairingStore;
}

/** Builds access control: policy resolution and one pairing store per channel (created on first use). */
export function createAccessStage(deps: AccessStageDeps): AccessStage {
  const stores = new Map<string, PairingStore>();
  return {
    policyFor(channel, accountId, settings) {
      const policy = resolveAccessPolicy(deps.config, channel, accountId, settings);
      warnAboutPolicy(deps.log, policy);
      return policy;
    },
    pairing(channel) {
      let s = stores.get(channel);
      if (!s) stores.set(channel, (s = new PairingStore(deps.credentialsDir, channel, deps.clock)));
      return s;
    },
  };
}

function warnAboutPolicy(log: Logger, policy: AccessPolicy): void {
  const at = { channel: policy.channel, accountId: policy.accountId };
  if (policy.dmPolicy === "open" && !policy.allowFrom.wildcard)
    log.warn(at, 'dmPolicy "open" without "*" in allowFrom admits only the listed senders');
  if (policy.dmPolicy === "allowlist" && isEmptyAllowList(policy.allowFrom))
    log.warn(at, 'dmPolicy "allowlist" with an empty allowFrom: all DMs will be dropped');
  const lists = [policy.allowFrom, policy.groupAllowFrom];
  const invalid = lists.flatMap((l) => l.invalid);
  const inert = policy.nameMatching ? invalid.filter((e) => !lists.some((l) => l.names.has(nameKey(e)))) : invalid;
  if (inert.length > 0)
    log.warn(
      { ...at, entries: inert },
      policy.nameMatching
        ? "allowFrom entries that can never match a sender of this channel are ignored"
        : "allowFrom entries that are not sender ids of this channel are ignored (names match only with dangerouslyAllowNameMatching: true)",
    );
  if (policy.nameMatching)
    log.warn(at, "dangerouslyAllowNameMatching is on: display names and handles can be changed or reused by others");
}

const nameKey = (e: string): string => nameEntry(e) ?? "";
