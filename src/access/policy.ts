import type { GroupEntry, HoldfastConfig } from "../config/index.js";
import { parseAllowList, type AllowList } from "./normalize.js";

export type DmPolicy = "pairing" | "allowlist" | "open" | "disabled";
export type GroupPolicy = "open" | "allowlist" | "disabled";

/** One guild channel under `channels.discord.guilds.<guildId>.channels.<channelId>`. */
export interface GuildChannelAccess {
  /** `false` refuses the channel (reference: Discord `allow`). */
  readonly allow?: boolean | undefined;
  readonly enabled?: boolean | undefined;
  readonly requireMention?: boolean | undefined;
}

/** One guild under `channels.discord.guilds.<guildId|"*">`: the outer level of Discord's group allowlist. */
export interface GuildAccess {
  readonly requireMention?: boolean | undefined;
  /** Who may talk to the bot in this guild (like a group's `allowFrom`). */
  readonly users?: readonly (string | number)[] | undefined;
  /** When set, only these channels (or `"*"`) of the guild are admitted. */
  readonly channels?: Readonly<Record<string, GuildChannelAccess>> | undefined;
}

/** The access-control keys of one channel account (top-level block merged with `accounts.<id>`). */
export interface AccountAccessConfig {
  readonly dmPolicy?: DmPolicy | undefined;
  readonly allowFrom?: readonly (string | number)[] | undefined;
  readonly groupPolicy?: GroupPolicy | undefined;
  readonly groupAllowFrom?: readonly (string | number)[] | undefined;
  readonly groups?: Readonly<Record<string, GroupEntry>> | undefined;
  /** Discord: guilds and their channels (when set, only listed guilds are admitted). */
  readonly guilds?: Readonly<Record<string, GuildAccess>> | undefined;
  /** Match allowlist entries against senders' display names and handles (mutable; off by default). */
  readonly dangerouslyAllowNameMatching?: boolean | undefined;
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
  /** Discord guilds (see {@link AccountAccessConfig.guilds}). */
  readonly guilds: Readonly<Record<string, GuildAccess>> | undefined;
  /** `dangerouslyAllowNameMatching: true`: name entries of the allowlists match senders' names. */
  readonly nameMatching: boolean;
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
    guilds: account?.guilds,
    nameMatching: account?.dangerouslyAllowNameMatching === true,
    mentionScope: account?.mentionPatterns,
    commandAllowFrom: cmdList !== undefined ? parseAllowList(channel, cmdList) : undefined,
    owners: ownersFor(config.commands?.ownerAllowFrom ?? [], channel),
    textCommands: config.commands?.text !== false,
  };
}

/** `"<channel>:<id>"` entries of `commands.ownerAllowFrom` for `channel`, normalized; `"*"` is ignored. */
export function ownersFor(entries: readonly string[], channel: string): Set<string> {
  const out = new Set<string>();
  for (const e of entries) {
    const i = e.indexOf(":");
    if (i <= 0 || e.slice(0, i).trim().toLowerCase() !== channel) continue;
    const id = parseAllowList(channel, [e.slice(i + 1)]);
    for (const v of id.ids) out.add(v);
  }
  return out;
}

/** The effective settings of one group chat. */
export interface GroupSettings {
  /** False when an allowlist map is set and names neither the group nor `"*"`. */
  readonly listed: boolean;
  readonly allowFrom: readonly (string | number)[] | undefined;
  readonly requireMention: boolean;
  readonly enabled: boolean;
}

/**
 * Per-group settings: the group's own entry over `groups."*"`. For a Discord guild channel (`guildId`
 * given and `guilds` configured): the guild's entry (or `"*"`), then — when the guild lists channels —
 * the channel's entry (or `"*"`); `allow: false` or `enabled: false` disables it; `users` is the sender
 * allowlist; `requireMention` is the channel's, else the guild's, else true.
 */
export function groupSettings(policy: AccessPolicy, groupId: string, guildId?: string): GroupSettings {
  if (guildId !== undefined && policy.guilds !== undefined) return guildSettings(policy.guilds, guildId, groupId);
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

function guildSettings(
  guilds: Readonly<Record<string, GuildAccess>>,
  guildId: string,
  channelId: string,
): GroupSettings {
  const guild = guilds[guildId] ?? guilds["*"];
  if (!guild) return { listed: false, allowFrom: undefined, requireMention: true, enabled: false };
  const channels = guild.channels;
  const listedChannels = channels !== undefined && Object.keys(channels).length > 0;
  const channel = listedChannels ? (channels[channelId] ?? channels["*"]) : undefined;
  return {
    listed: !listedChannels || channel !== undefined,
    allowFrom: guild.users,
    requireMention: channel?.requireMention ?? guild.requireMention ?? true,
    enabled: channel?.allow !== false && channel?.enabled !== false,
  };
}
