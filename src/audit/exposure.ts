import { POLICY_CHANNEL_IDS, type HoldfastConfig } from "../config/index.js";

type Ids = readonly (string | number)[];
type GroupEntries = Record<
  string,
  { requireMention?: boolean | undefined; allowFrom?: Ids | undefined; enabled?: boolean | undefined }
>;

/** The access settings of one channel account as the audit reads them (holdfast defaults applied). */
export interface ChannelScope {
  readonly channel: string;
  /** Undefined for the channel-level (default) account. */
  readonly accountId?: string;
  /** Config path of the block: `channels.<ch>` or `channels.<ch>.accounts.<id>`. */
  readonly path: string;
  /** Default "pairing". */
  readonly dmPolicy: string;
  /** Default: `channels.defaults.groupPolicy`, else "allowlist". */
  readonly groupPolicy: string;
  readonly allowFrom: Ids;
  /** True when `allowFrom` was written in config (at this level or the channel level). */
  readonly allowFromSet: boolean;
  readonly groupAllowFrom: Ids;
  /**
   * The group allowlist entries: `groups` (Telegram, ...), Slack's `channels.<id>`, Discord's
   * `guilds.<id>` and `guilds.<id>.channels.<id>` (keyed `<guild>/<channel>`).
   */
  readonly groups: GroupEntries;
  /** `dangerouslyAllowNameMatching: true`. */
  readonly nameMatching: boolean;
}

type GuildEntries = Record<
  string,
  {
    requireMention?: boolean | undefined;
    users?: Ids | undefined;
    channels?:
      | Record<
          string,
          { allow?: boolean | undefined; enabled?: boolean | undefined; requireMention?: boolean | undefined }
        >
      | undefined;
  }
>;

interface AccessBlock {
  enabled?: boolean | undefined;
  dmPolicy?: string | undefined;
  groupPolicy?: string | undefined;
  allowFrom?: Ids | undefined;
  groupAllowFrom?: Ids | undefined;
  groups?: GroupEntries | undefined;
  /** Slack's group allowlist. */
  channels?:
    Record<string, GroupEntries[string] & { users?: Ids | undefined; allow?: boolean | undefined }> | undefined;
  guilds?: GuildEntries | undefined;
  dangerouslyAllowNameMatching?: boolean | undefined;
  accounts?: Record<string, AccessBlock> | undefined;
}

/**
 * Every enabled channel account in the config: the channel-level block (the default account) and each
 * `accounts.<id>` (which inherits unset keys from the channel level). Source: reference §4.1/§4.4.
 */
export function channelScopes(config: HoldfastConfig): ChannelScope[] {
  const out: ChannelScope[] = [];
  const fallbackGroup = config.channels?.defaults?.groupPolicy ?? "allowlist";
  for (const ch of POLICY_CHANNEL_IDS) {
    const block = config.channels?.[ch] as AccessBlock | undefined;
    if (!block || block.enabled === false) continue;
    out.push(scopeOf({ channel: ch, path: `channels.${ch}` }, block, {}, fallbackGroup));
    for (const [id, acct] of Object.entries(block.accounts ?? {})) {
      if (acct.enabled === false) continue;
      out.push(
        scopeOf({ channel: ch, accountId: id, path: `channels.${ch}.accounts.${id}` }, acct, block, fallbackGroup),
      );
    }
  }
  return out;
}

function scopeOf(
  { channel, accountId, path }: Pick<ChannelScope, "channel" | "accountId" | "path">,
  b: AccessBlock,
  parent: AccessBlock,
  fallbackGroup: string,
): ChannelScope {
  const allowFrom = b.allowFrom ?? parent.allowFrom;
  return {
    channel,
    ...(accountId ? { accountId } : {}),
    path,
    dmPolicy: b.dmPolicy ?? parent.dmPolicy ?? "pairing",
    groupPolicy: b.groupPolicy ?? parent.groupPolicy ?? fallbackGroup,
    allowFrom: allowFrom ?? [],
    allowFromSet: allowFrom !== undefined,
    groupAllowFrom: b.groupAllowFrom ?? parent.groupAllowFrom ?? [],
    groups: groupEntries(channel, b, parent),
    nameMatching: (b.dangerouslyAllowNameMatching ?? parent.dangerouslyAllowNameMatching) === true,
  };
}

function groupEntries(channel: string, b: AccessBlock, parent: AccessBlock): GroupEntries {
  const out: GroupEntries = { ...(b.groups ?? parent.groups ?? {}) };
  if (channel === "slack")
    for (const [id, e] of Object.entries(b.channels ?? parent.channels ?? {}))
      out[id] = {
        requireMention: e.requireMention,
        allowFrom: e.allowFrom ?? e.users,
        enabled: e.enabled === false || e.allow === false ? false : undefined,
      };
  if (channel === "discord")
    for (const [gid, g] of Object.entries(b.guilds ?? parent.guilds ?? {})) {
      out[gid] = { requireMention: g.requireMention, allowFrom: g.users };
      for (const [cid, c] of Object.entries(g.channels ?? {}))
        out[`${gid}/${cid}`] = {
          requireMention: c.requireMention ?? g.requireMention,
          allowFrom: g.users,
          enabled: c.allow === false || c.enabled === false ? false : undefined,
        };
    }
  return out;
}

/** Config paths whose DM or group policy is "open" (anyone may reach the bot there). */
export function openPolicies(config: HoldfastConfig): string[] {
  const out: string[] = [];
  for (const s of channelScopes(config)) {
    if (s.dmPolicy === "open" || s.allowFrom.some((e) => String(e) === "*")) out.push(`${s.path}.dmPolicy`);
    if (s.groupPolicy === "open") out.push(`${s.path}.groupPolicy`);
  }
  return out;
}

/** True when the gateway listens only on loopback (`auto` counts as loopback outside containers). */
export function bindIsLoopback(config: HoldfastConfig): boolean {
  const bind = config.gateway?.bind ?? "loopback";
  if (bind === "loopback" || bind === "auto") return true;
  if (bind === "custom") return /^127\./.test(config.gateway?.customBindHost ?? "");
  return false;
}

/** Non-loopback bind, or Tailscale serve/funnel in front of the gateway. Source: reference §9.4 "remote". */
export function isRemotelyExposed(config: HoldfastConfig): boolean {
  const ts = config.gateway?.tailscale?.mode ?? "off";
  return !bindIsLoopback(config) || ts === "serve" || ts === "funnel";
}
