import type { GroupEntry, HoldfastConfig } from "../config/index.js";
import { parseAllowList, type AllowList } from "./normalize.js";

export type DmPolicy = "pairing" | "allowlist" | "open" | "disabled";
export type GroupPolicy = "open" | "allowlist" | "disabled";

/** The access-control keys of one channel account (top-level block merged with `accounts.<id>`). */
export interface AccountAccessConfig {
  readonly dmPolicy?: DmPolicy | undefined;
  readonly allowFrom?: readonly (string | number)[] | undefined;
  readonly groupPolicy?: GroupPolicy | undefined;
  readonly groupAllowFrom?: readonly (string | number)[] | undefined;
  readonly groups?: Readonly<Record<string, GroupEntry>> | undefined;
  readonly mentionPatterns?:
    | {
        readonly mode?: "allow" | "deny" | undefined;
        readonly allowIn?: readonly string[] | undefined;
        readonly denyIn?: readonly string[] | undefined;
      }
    | undefined;
}

/** The resolved access policy of one channel account. */
export interface AccessPolicy {
  readonly channel: string;
  readonly accountId: string;
  /** Default `pairing`. */
  readonly dmPolicy: DmPolicy;
  readonly allowFrom: AllowList;
  /** Default `allowlist` (also when `channels.<ch>` is absent, whatever `channels.defaults` says). */
  readonly groupPolicy: GroupPolicy;
  readonly groupAllowFrom: AllowList;
  readonly groups: Readonly<Record<string, GroupEntry>> | undefined;
  /** Channel scoping of agent mention patterns (native mentions always count). */
  readonly mentionScope: AccountAccessConfig["mentionPatterns"];
  /** `commands.allowFrom` for this channel when set: then the only command authorization source. */
  readonly commandAllowFrom: AllowList | undefined;
  /** `commands.ownerAllowFrom` entries for this channel (normalized sender ids). */
  readonly owners: ReadonlySet<string>;
  /** `commands.text === false` turns text commands off. */
  readonly textCommands: boolean;
}

/**
 * Resolves the access policy of a channel account. Defaults are fail-closed: DMs need pairing, groups
 * need an allowlist, and `requireMention` defaults to true (see {@link groupSettings}).
 * Source: seeds security-architecture.md "Access Control Model"; reference §4.1, §4.4, §4.6.
 */
export function resolveAccessPolicy(
  config: HoldfastConfig,
  channel: string,
  accountId: string,
  account: AccountAccessConfig | undefined,
): AccessPolicy {
  const blockPresent = account !== undefined;
  const defaultsGroup = config.channels?.defaults?.groupPolicy;
  const cmdAllow = config.commands?.allowFrom;
  const cmdList = cmdAllow ? (cmdAllow[channel] ?? cmdAllow["*"]) : undefined;
  return {
    channel,
    accountId,
    dmPolicy: account?.dmPolicy ?? "pairing",
    allowFrom: parseAllowList(channel, account?.allowFrom),
    groupPolicy: account?.groupPolicy ?? (blockPresent ? (defaultsGroup ?? "allowlist") : "allowlist"),
    groupAllowFrom: parseAllowList(channel, account?.groupAllowFrom),
    groups: account?.groups,
    mentionScope: account?.mentionPatterns,
    commandAllowFrom: cmdList !== undefined ? parseAllowList(channel, cmdList) : undefined,
    owners: ownersFor(config.commands?.ownerAllowFrom ?? [], channel),
    textCommands: config.commands?.text !== false,
  };
}

/** `"<channel>:<id>"` entries of `commands.ownerAllowFrom` for `channel`, normalized; `"*"` is ignored. */
function ownersFor(entries: readonly string[], channel: string): Set<string> {
  const out = new Set<string>();
  for (const e of entries) {
    const i = e.indexOf(":");
    if (i <= 0 || e.slice(0, i).trim().toLowerCase() !== channel) continue;
    const id = parseAllowList(channel, [e.slice(i + 1)]);
    for (const v of id.ids) out.add(v);
  }
  return out;
}

/** Per-group settings: the group's own entry over `groups."*"`. `listed` is false when a map is set and names neither. */
export function groupSettings(
  policy: AccessPolicy,
  groupId: string,
): { listed: boolean; allowFrom: readonly (string | number)[] | undefined; requireMention: boolean; enabled: boolean } {
  const map = policy.groups;
  const own = map?.[groupId];
  const star = map?.["*"];
  const listed = map === undefined || Object.keys(map).length === 0 || own !== undefined || star !== undefined;
  return {
    listed,
    allowFrom: own?.allowFrom ?? star?.allowFrom,
    requireMention: own?.requireMention ?? star?.requireMention ?? true,
    enabled: (own?.enabled ?? star?.enabled) !== false,
  };
}
