/** Payloads of the fake Discord (users, guilds), as the API and gateway send them. */

/** A Discord user the fake knows. */
export interface FakeDiscordUser {
  readonly id: string;
  readonly username: string;
  readonly globalName?: string;
  readonly bot?: boolean;
}

/** A guild with text channels (and threads inside them). */
export interface FakeGuild {
  readonly id: string;
  readonly name: string;
  readonly channels: readonly { id: string; name: string }[];
  readonly threads?: readonly { id: string; parentId: string; name: string }[];
  /** The bot's managed role (for role-mention tests). */
  readonly botRoleId?: string;
}

/** A user object as the API returns it. */
export function userObject(u: FakeDiscordUser): Record<string, unknown> {
  return {
    id: u.id,
    username: u.username,
    global_name: u.globalName ?? null,
    discriminator: "0",
    avatar: null,
    ...(u.bot ? { bot: true } : {}),
  };
}

/** A GUILD_CREATE payload: the guild, its roles (with the bot's managed role), channels and threads. */
export function guildObject(g: FakeGuild, bot: FakeDiscordUser): Record<string, unknown> {
  return {
    id: g.id,
    name: g.name,
    icon: null,
    owner_id: "1",
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    features: [],
    mfa_level: 0,
    premium_tier: 0,
    preferred_locale: "en-US",
    nsfw_level: 0,
    roles: [
      {
        id: g.id,
        name: "@everyone",
        permissions: "1024",
        position: 0,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        flags: 0,
      },
      ...(g.botRoleId
        ? [
            {
              id: g.botRoleId,
              name: bot.username,
              permissions: "3072",
              position: 1,
              color: 0,
              hoist: false,
              managed: true,
              mentionable: true,
              flags: 0,
              tags: { bot_id: bot.id },
            },
          ]
        : []),
    ],
    emojis: [],
    stickers: [],
    joined_at: new Date().toISOString(),
    large: false,
    unavailable: false,
    member_count: 2,
    members: [],
    voice_states: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    channels: g.channels.map((c, i) => ({
      id: c.id,
      type: 0,
      name: c.name,
      position: i,
      permission_overwrites: [],
      nsfw: false,
      parent_id: null,
    })),
    threads: (g.threads ?? []).map((t) => ({
      id: t.id,
      type: 11,
      guild_id: g.id,
      parent_id: t.parentId,
      name: t.name,
      owner_id: "1",
      thread_metadata: {
        archived: false,
        auto_archive_duration: 1440,
        archive_timestamp: new Date().toISOString(),
        locked: false,
      },
      message_count: 0,
      member_count: 1,
    })),
  };
}
