import {
  ChannelType,
  Client,
  GatewayIntentBits,
  Partials,
  SimpleShardingStrategy,
  WebSocketShardStatus,
  type ClientOptions,
  type IShardingStrategy,
  type Message,
} from "discord.js";
import type { Clock } from "../../infra/index.js";
import { jitteredDelayMs } from "../reconnect.js";
import type { DiscordMessageFacts } from "./normalize.js";
import type { DiscordIntent } from "./settings.js";

/** @discordjs/ws's manager, as discord.js hands it to `ws.buildStrategy`. */
type GatewayManager = Parameters<NonNullable<NonNullable<ClientOptions["ws"]>["buildStrategy"]>>[0];

/** Gateway close codes after which reconnecting cannot help, with the catalogue code they end in. */
export const FATAL_CLOSE_CODES: Readonly<
  Record<number, { code: "HF_CHANNEL_AUTH" | "HF_CHANNEL_CONFIG" | "HF_CHANNEL_REFUSED"; why: string }>
> = {
  4004: { code: "HF_CHANNEL_AUTH", why: "Discord rejected the bot token; check channels.discord.token" },
  4010: { code: "HF_CHANNEL_REFUSED", why: "Discord refused the shard" },
  4011: { code: "HF_CHANNEL_REFUSED", why: "Discord requires sharding for this bot" },
  4012: { code: "HF_CHANNEL_REFUSED", why: "Discord refused the gateway API version" },
  4013: { code: "HF_CHANNEL_REFUSED", why: "Discord refused the requested intents" },
  4014: {
    code: "HF_CHANNEL_CONFIG",
    why: "the bot may not use the Message Content intent; enable it for the bot in the Discord developer portal",
  },
};

/**
 * Waits before each gateway reconnect attempt with jittered exponential backoff. discord.js resumes by
 * itself (500 ms after a drop, then every 500 ms while that fails); the first attempt after a drop
 * runs at once (a prompt RESUME keeps the session), each further one waits
 * {@link jitteredDelayMs}(n − 1). `connected()` (READY or RESUMED) starts over.
 */
export class ReconnectBackoff {
  private attempt = 0;

  constructor(
    private readonly clock: Clock,
    private readonly signal: AbortSignal,
    private readonly onWait: (attempt: number, delayMs: number) => void,
  ) {}

  async beforeConnect(): Promise<void> {
    const n = this.attempt++;
    if (n === 0) return;
    const delayMs = jitteredDelayMs(n - 1);
    this.onWait(n, delayMs);
    await this.clock.sleep(delayMs, this.signal).catch(() => undefined);
  }

  connected(): void {
    this.attempt = 0;
  }
}

/**
 * discord.js's `ws.buildStrategy`: the standard in-process strategy, with {@link ReconnectBackoff}
 * applied before every connection attempt. @discordjs/ws reads the session store
 * (`retrieveSessionInfo`) right before it opens a connection, while the shard is idle; that call waits
 * for the backoff (its other calls — heartbeats, dispatches — happen while the shard is connected and
 * never wait).
 */
export function backoffStrategy(backoff: ReconnectBackoff): (manager: GatewayManager) => IShardingStrategy {
  return (manager) => {
    const options = manager.options as { retrieveSessionInfo: GatewayManager["options"]["retrieveSessionInfo"] };
    const inner = options.retrieveSessionInfo;
    options.retrieveSessionInfo = async (shardId: number) => {
      const status = (await manager.fetchStatus()).get(shardId);
      if (status === WebSocketShardStatus.Idle) await backoff.beforeConnect();
      return inner(shardId);
    };
    return new SimpleShardingStrategy(manager);
  };
}

/** A discord.js client for one bot: REST on `apiRoot`, only `intents`, DMs through the Channel partial. */
export function createDiscordClient({
  apiRoot,
  intents,
  backoff,
}: {
  apiRoot: string;
  intents: readonly DiscordIntent[];
  backoff: ReconnectBackoff;
}): Client {
  return new Client({
    intents: intents.map((i) => GatewayIntentBits[i]),
    partials: [Partials.Channel],
    rest: { api: apiRoot, retries: 0 },
    ws: { buildStrategy: backoffStrategy(backoff) },
    allowedMentions: { parse: [] },
    failIfNotExists: false,
  });
}

/** What {@link normalizeDiscordMessage} reads of a discord.js message. */
export function messageFacts(m: Message): DiscordMessageFacts {
  const ch = m.channel;
  const thread = ch.isThread() ? (ch.parentId ?? undefined) : undefined;
  const repliedTo = m.reference?.messageId;
  return {
    id: m.id,
    type: m.type,
    content: m.content,
    authorId: m.author.id,
    authorBot: m.author.bot,
    ...(m.author.globalName || m.author.username ? { authorName: m.author.globalName ?? m.author.username } : {}),
    ...(m.author.username ? { authorUsername: m.author.username } : {}),
    ...(m.webhookId ? { webhookId: m.webhookId } : {}),
    system: m.system,
    ...(m.guildId ? { guildId: m.guildId } : {}),
    channelId: m.channelId,
    isDm: ch.type === ChannelType.DM,
    ...(thread ? { threadParentId: thread } : {}),
    ...(repliedTo
      ? {
          reference: {
            messageId: repliedTo,
            ...(m.mentions.repliedUser ? { authorId: m.mentions.repliedUser.id } : {}),
          },
        }
      : {}),
    mentionsEveryone: m.mentions.everyone,
    mentionedRoleIds: [...m.mentions.roles.keys()],
    attachments: [...m.attachments.values()].map((a) => ({
      id: a.id,
      url: a.url,
      size: a.size,
      ...(a.name ? { name: a.name } : {}),
      ...(a.contentType ? { contentType: a.contentType } : {}),
    })),
  };
}
