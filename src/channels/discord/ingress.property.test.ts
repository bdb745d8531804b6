import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createAccessStage, decideIngress, EMPTY_ALLOW_LIST, type GuildAccess } from "../../access/index.js";
import { systemClock } from "../../infra/index.js";
import { silentLogger } from "../../logging/index.js";
import { normalizeDiscordMessage, type DiscordMessageFacts } from "./normalize.js";

const BOT = "110000000000000001";
const BOT_ROLE = "160000000000000001";
const OTHER = "120000000000000099";
const GUILDS = ["130000000000000001", "130000000000000002"];
const CHANNELS = ["140000000000000001", "140000000000000002", "140000000000000003"];
const THREAD = "150000000000000001";
const AUTHORS = ["120000000000000001", "120000000000000002", BOT];

/** Content built from pieces that look like mentions of the bot, of its role, of others, or nothing. */
const content = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        `<@&${BOT_ROLE}>`,
        `<@${OTHER}>`,
        `<@!${OTHER}>`,
        "@everyone",
        "@here",
        "holdfast",
        `@${BOT}`,
        `<@ ${BOT}>`,
        `<#${CHANNELS[0]}>`,
        "/status",
        "/new",
      ),
      fc.constantFrom(`<@${BOT}>`, `<@!${BOT}>`),
      fc.string({ maxLength: 12 }),
    ),
    { maxLength: 4 },
  )
  .map((parts) => parts.join(" "));

const facts: fc.Arbitrary<DiscordMessageFacts> = fc
  .record({
    id: fc.integer({ min: 1, max: 1e9 }).map((n) => String(170000000000000000 + n)),
    type: fc.constantFrom(0, 19, 7),
    content,
    authorId: fc.constantFrom(...AUTHORS),
    authorBot: fc.boolean(),
    system: fc.constant(false),
    guildId: fc.constantFrom(...GUILDS),
    channelId: fc.constantFrom(...CHANNELS, THREAD),
    isDm: fc.constant(false),
    mentionsEveryone: fc.boolean(),
    mentionedRoleIds: fc.constantFrom([], [BOT_ROLE]),
    attachments: fc.constant([]),
    reference: fc.option(fc.record({ messageId: fc.constant("1"), authorId: fc.constantFrom(BOT, OTHER) }), {
      nil: undefined,
    }),
  })
  .map((f) => (f.channelId === THREAD ? { ...f, threadParentId: CHANNELS[0] as string } : f));

const channelMap = fc.option(
  fc.dictionary(
    fc.constantFrom(...CHANNELS, "*"),
    fc.record({
      allow: fc.option(fc.boolean(), { nil: undefined }),
      requireMention: fc.option(fc.boolean(), { nil: undefined }),
    }),
    { maxKeys: 2 },
  ),
  { nil: undefined },
);
const guilds: fc.Arbitrary<Record<string, GuildAccess> | undefined> = fc.option(
  fc.dictionary(
    fc.constantFrom(...GUILDS, "*"),
    fc.record({
      requireMention: fc.option(fc.boolean(), { nil: undefined }),
      users: fc.option(fc.subarray(AUTHORS), { nil: undefined }),
      channels: channelMap,
    }),
    { maxKeys: 2 },
  ),
  { nil: undefined },
);

/** The guild allowlist as the config reads: only listed guilds, then only listed channels, `allow: false` refuses. */
function guildListed(g: Record<string, GuildAccess> | undefined, guildId: string, channelId: string): boolean {
  if (!g) return true;
  const guild = g[guildId] ?? g["*"];
  if (!guild) return false;
  const chans = guild.channels;
  if (!chans || Object.keys(chans).length === 0) return true;
  const ch = chans[channelId] ?? chans["*"];
  return ch !== undefined && ch.allow !== false;
}

function requireMention(g: Record<string, GuildAccess> | undefined, guildId: string, channelId: string): boolean {
  const guild = g?.[guildId] ?? g?.["*"];
  const ch = guild?.channels?.[channelId] ?? guild?.channels?.["*"];
  return ch?.requireMention ?? guild?.requireMention ?? true;
}

describe("Discord ingress (formal properties over generated messages, real normalizer)", () => {
  const access = createAccessStage({
    config: {},
    credentialsDir: "/nonexistent",
    clock: systemClock,
    log: silentLogger(),
  });

  it("never admits a guild message outside the guild/channel allowlist, nor an unmentioned one under requireMention", () => {
    fc.assert(
      fc.property(
        fc.record({
          m: facts,
          guilds,
          groupPolicy: fc.constantFrom("open" as const, "allowlist" as const),
          groupAllowFrom: fc.subarray(AUTHORS),
          isControlCommand: fc.boolean(),
        }),
        ({ m, guilds: g, groupPolicy, groupAllowFrom, isControlCommand }) => {
          const policy = access.policyFor("discord", "default", {
            groupPolicy,
            groupAllowFrom,
            ...(g ? { guilds: g } : {}),
          });
          const msg = normalizeDiscordMessage(m, { botId: BOT, accountId: "default", now: 0 });
          if (!msg) return;
          const { decision } = decideIngress(policy, msg, {
            storeAllow: EMPTY_ALLOW_LIST,
            mentionRegexes: [],
            isControlCommand,
          });
          if (!decision.allow) return;
          const channel = m.threadParentId ?? m.channelId;
          expect(guildListed(g, m.guildId as string, channel), "guild allowlist bypass").toBe(true);
          if (!requireMention(g, m.guildId as string, channel)) return;
          const native = m.content.includes(`<@${BOT}>`) || m.content.includes(`<@!${BOT}>`);
          const reply = m.reference?.authorId === BOT;
          const anyMention = /<@[!&]?\d+>/.test(m.content) || m.mentionsEveryone || m.mentionedRoleIds.length > 0;
          expect(native || reply || (isControlCommand && !anyMention), `mention bypass: ${decision.reason}`).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
