import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createAccessStage, decideIngress, EMPTY_ALLOW_LIST } from "../../access/index.js";
import type { GroupEntry } from "../../config/index.js";
import { systemClock } from "../../infra/index.js";
import { silentLogger } from "../../logging/index.js";
import { normalizeSlackEvent, type SlackMessageEvent } from "./normalize.js";

const BOT = "U0HOLDBOT";
const USERS = ["U0ALICE01", "U0BOB0001", BOT];
const CHANNELS = ["C0GROUP01", "C0GROUP02", "G0PRIVATE"];

/** Text built from pieces that look like mentions of the bot, of others, broadcasts, or nothing. */
const text = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "<@U0ALICE01>",
        "<@U0BOB0001|bob>",
        "<!here>",
        "<!channel>",
        "<!subteam^S0TEAM|team>",
        "@holdfast",
        `@${BOT}`,
        `<@${BOT.toLowerCase()}>`,
        "&lt;@U0HOLDBOT&gt;",
        "/status",
        "/new",
      ),
      fc.constantFrom(`<@${BOT}>`, `<@${BOT}|holdfast>`),
      fc.string({ maxLength: 12 }),
    ),
    { maxLength: 4 },
  )
  .map((parts) => parts.join(" "));

const event: fc.Arbitrary<SlackMessageEvent> = fc
  .record({
    text,
    user: fc.constantFrom(...USERS),
    channel: fc.constantFrom(...CHANNELS),
    subtype: fc.constantFrom(undefined, "thread_broadcast", "message_changed", "bot_message"),
    bot_id: fc.constantFrom(undefined, undefined, "B0OTHER"),
    thread: fc.option(fc.constantFrom(BOT, "U0ALICE01"), { nil: undefined }),
  })
  .map(({ thread, bot_id, subtype, ...e }) => ({
    type: "message",
    channel_type: e.channel.startsWith("G") ? "group" : "channel",
    ts: "1700000000.000200",
    ...e,
    ...(subtype ? { subtype } : {}),
    ...(bot_id ? { bot_id } : {}),
    ...(thread ? { thread_ts: "1700000000.000100", parent_user_id: thread } : {}),
  }));

const groups = fc.option(
  fc.dictionary(
    fc.constantFrom(...CHANNELS, "*"),
    fc.record({
      requireMention: fc.option(fc.boolean(), { nil: undefined }),
      enabled: fc.option(fc.boolean(), { nil: undefined }),
    }),
    { maxKeys: 2 },
  ),
  { nil: undefined },
);

describe("Slack ingress (formal properties over generated events, real normalizer)", () => {
  const access = createAccessStage({
    config: {},
    credentialsDir: "/nonexistent",
    clock: systemClock,
    log: silentLogger(),
  });

  it("never admits a channel message outside channels.<id>, nor an unmentioned one under requireMention", () => {
    fc.assert(
      fc.property(
        fc.record({
          ev: event,
          groups,
          groupPolicy: fc.constantFrom("open" as const, "allowlist" as const),
          groupAllowFrom: fc.subarray(USERS),
          isControlCommand: fc.boolean(),
        }),
        ({ ev, groups: g, groupPolicy, groupAllowFrom, isControlCommand }) => {
          const map = g as Record<string, GroupEntry> | undefined;
          const policy = access.policyFor("slack", "default", {
            groupPolicy,
            groupAllowFrom,
            ...(map ? { groups: map } : {}),
          });
          const msg = normalizeSlackEvent(ev, { accountId: "default", botUserId: BOT, now: 0 });
          if (!msg) return;
          const { decision } = decideIngress(policy, msg, {
            storeAllow: EMPTY_ALLOW_LIST,
            mentionRegexes: [],
            isControlCommand,
          });
          if (!decision.allow) return;
          const entry = map?.[ev.channel as string] ?? map?.["*"];
          const listed = map === undefined || Object.keys(map).length === 0 || entry !== undefined;
          expect(listed && entry?.enabled !== false, "channel allowlist bypass").toBe(true);
          // "*" sets the defaults an entry does not set (reference: per-group requireMention, default via "*").
          const requireMention = map?.[ev.channel as string]?.requireMention ?? map?.["*"]?.requireMention ?? true;
          if (!requireMention) return;
          const raw = ev.text ?? "";
          const native = raw.includes(`<@${BOT}>`) || raw.includes(`<@${BOT}|`);
          const reply = ev.parent_user_id === BOT;
          const anyMention = /<@[UW][A-Z0-9]+(\|[^>]*)?>|<!(here|channel|everyone|subteam)/.test(raw);
          expect(native || reply || (isControlCommand && !anyMention), `mention bypass: ${decision.reason}`).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
