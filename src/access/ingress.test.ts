import { describe, expect, it } from "vitest";
import type { HoldfastConfig } from "../config/index.js";
import { allow, deny } from "../infra/index.js";
import type { IngressDecision } from "./ingress.js";
import {
  decideIngress,
  EMPTY_ALLOW_LIST,
  mentionRegexesFor,
  normalizeSenderId,
  parseAllowList,
  type AccountAccessConfig,
} from "./index.js";
import { resolveAccessPolicy } from "./policy.js";
import type { IngressInput } from "./ingress.js";

const policy = (acct: AccountAccessConfig, config: HoldfastConfig = {}) =>
  resolveAccessPolicy(config, "telegram", "default", acct);
const dm = (senderId: string, over: Partial<IngressInput> = {}): IngressInput => ({
  chatType: "direct",
  chatId: senderId,
  senderId,
  text: "hi",
  mentionsBot: false,
  hasAnyMention: false,
  replyToBot: false,
  ...over,
});
const group = (senderId: string, over: Partial<IngressInput> = {}): IngressInput => ({
  chatType: "group",
  chatId: "-100",
  senderId,
  text: "hi all",
  mentionsBot: false,
  hasAnyMention: false,
  replyToBot: false,
  ...over,
});
const ctx = (over: Partial<Parameters<typeof decideIngress>[2]> = {}) => ({
  storeAllow: EMPTY_ALLOW_LIST,
  mentionRegexes: [],
  isControlCommand: false,
  ...over,
});
const reason = (r: ReturnType<typeof decideIngress>) => r.decision.reason;

describe("sender normalization (reference §4.2)", () => {
  it("normalizes Telegram ids and strips tg:/telegram: prefixes", () => {
    expect(normalizeSenderId("telegram", "tg:123")).toBe("123");
    expect(normalizeSenderId("telegram", "Telegram:0042")).toBe("42");
    expect(normalizeSenderId("telegram", 777)).toBe("777");
    expect(normalizeSenderId("telegram", "@someone")).toBeUndefined();
    expect(parseAllowList("telegram", ["*", "tg:1", "@x"])).toEqual({
      wildcard: true,
      ids: new Set(["1"]),
      invalid: ["@x"],
      names: new Set(["x"]),
    });
  });
  it("normalizes WhatsApp numbers to E.164", () => {
    expect(normalizeSenderId("whatsapp", "whatsapp:+1 (555) 123")).toBe("+1555123");
  });
  it("normalizes Slack user ids (U…/W…) and Discord snowflakes, with prefixes and <@id> targets", () => {
    expect(normalizeSenderId("slack", "slack:u012ABCDEF")).toBe("U012ABCDEF");
    expect(normalizeSenderId("slack", "user:W0123ABC")).toBe("W0123ABC");
    expect(normalizeSenderId("slack", "<@U0AAA|ada>")).toBe("U0AAA");
    expect(normalizeSenderId("slack", "C0123CHAN")).toBeUndefined();
    expect(normalizeSenderId("slack", "ada")).toBeUndefined();
    expect(normalizeSenderId("discord", "discord:123456789012345678")).toBe("123456789012345678");
    expect(normalizeSenderId("discord", "<@!123456789012345678>")).toBe("123456789012345678");
    expect(normalizeSenderId("discord", "user:<@98765>")).toBe("98765");
    expect(normalizeSenderId("discord", "trusted-user-id")).toBeUndefined();
    expect(parseAllowList("slack", ["U1AB", "@Ada"]).names).toEqual(new Set(["ada"]));
  });
});

describe("name matching (dangerouslyAllowNameMatching, reference §4.1)", () => {
  const slack = (acct: AccountAccessConfig) => resolveAccessPolicy({}, "slack", "default", acct);
  const ada = { senderId: "U0ADA", senderNames: ["ada", "Ada Lovelace"] };
  it("ignores name entries unless the account turns name matching on", () => {
    const input = { ...dm("U0ADA"), ...ada };
    expect(decideIngress(slack({ dmPolicy: "allowlist", allowFrom: ["@ada"] }), input, ctx()).decision).toEqual(
      deny("dm_policy_not_allowlisted"),
    );
    const on = slack({ dmPolicy: "allowlist", allowFrom: ["@ada"], dangerouslyAllowNameMatching: true });
    expect(decideIngress(on, input, ctx()).decision).toEqual(allow("dm_policy_allowlisted"));
    expect(decideIngress(on, { ...input, senderNames: ["eve"] }, ctx()).decision.allow).toBe(false);
  });
});

describe("DM policy (reference §4.1)", () => {
  it("pairing (default): listed or approved senders pass, others get the pairing challenge", () => {
    const p = policy({ allowFrom: ["1"] });
    expect(p.dmPolicy).toBe("pairing");
    expect(reason(decideIngress(p, dm("1"), ctx()))).toBe("dm_policy_allowlisted");
    expect(reason(decideIngress(p, dm("2"), ctx()))).toBe("dm_policy_pairing_required");
    expect(decideIngress(p, dm("2"), ctx({ storeAllow: parseAllowList("telegram", ["2"]) })).decision.allow).toBe(true);
  });
  it("allowlist ignores pairing approvals and drops unlisted senders silently", () => {
    const p = policy({ dmPolicy: "allowlist", allowFrom: ["tg:1"] });
    expect(decideIngress(p, dm("1"), ctx()).decision).toEqual({ allow: true, reason: "dm_policy_allowlisted" });
    expect(decideIngress(p, dm("2"), ctx({ storeAllow: parseAllowList("telegram", ["2"]) })).decision).toEqual({
      allow: false,
      reason: "dm_policy_not_allowlisted",
    });
  });
  it('open admits everyone only with "*"', () => {
    expect(reason(decideIngress(policy({ dmPolicy: "open", allowFrom: ["*"] }), dm("9"), ctx()))).toBe(
      "dm_policy_open",
    );
    const listed = policy({ dmPolicy: "open", allowFrom: ["123"] });
    expect(decideIngress(listed, dm("123"), ctx()).decision.allow).toBe(true);
    expect(decideIngress(listed, dm("9"), ctx()).decision.allow).toBe(false);
    expect(decideIngress(policy({ dmPolicy: "open" }), dm("9"), ctx()).decision.allow).toBe(false);
  });
  it("disabled drops every DM", () => {
    expect(decideIngress(policy({ dmPolicy: "disabled", allowFrom: ["*"] }), dm("1"), ctx()).decision).toEqual({
      allow: false,
      reason: "dm_policy_disabled",
    });
  });
});

describe("group policy and mention gating (reference §4.4–§4.6)", () => {
  it("defaults to allowlist and drops everything while the allowlists are empty", () => {
    const p = policy({});
    expect(p.groupPolicy).toBe("allowlist");
    expect(reason(decideIngress(p, group("1", { mentionsBot: true }), ctx()))).toBe("group_policy_empty_allowlist");
  });
  it("uses groupAllowFrom, falling back to allowFrom; pairing approvals never count", () => {
    expect(decideIngress(policy({ allowFrom: ["1"] }), group("1", { mentionsBot: true }), ctx()).decision.allow).toBe(
      true,
    );
    const p = policy({ allowFrom: ["1"], groupAllowFrom: ["2"] });
    expect(reason(decideIngress(p, group("1", { mentionsBot: true }), ctx()))).toBe("group_sender_not_allowlisted");
    expect(decideIngress(p, group("2", { mentionsBot: true }), ctx()).decision.allow).toBe(true);
    expect(
      reason(
        decideIngress(
          policy({}),
          group("3", { mentionsBot: true }),
          ctx({ storeAllow: parseAllowList("telegram", ["3"]) }),
        ),
      ),
    ).toBe("group_policy_empty_allowlist");
  });
  it("admits only listed groups when a groups map is set, and honours enabled:false", () => {
    const p = policy({
      groupPolicy: "open",
      groups: { "-100": { requireMention: false }, "-200": { enabled: false } },
    });
    expect(reason(decideIngress(p, group("5"), ctx()))).toBe("mention_not_required");
    expect(reason(decideIngress(p, group("5", { chatId: "-300" }), ctx()))).toBe("group_not_allowlisted");
    expect(reason(decideIngress(p, group("5", { chatId: "-200" }), ctx()))).toBe("group_disabled");
    expect(
      reason(
        decideIngress(
          policy({ groupPolicy: "disabled", groupAllowFrom: ["*"] }),
          group("5", { mentionsBot: true }),
          ctx(),
        ),
      ),
    ).toBe("group_policy_disabled");
  });
  it("requires a mention by default: native mention, reply to the bot, or a case-insensitive pattern", () => {
    const p = policy({ groupAllowFrom: ["1"] });
    expect(reason(decideIngress(p, group("1"), ctx()))).toBe("mention_required");
    expect(reason(decideIngress(p, group("1", { mentionsBot: true }), ctx()))).toBe("mentioned");
    expect(reason(decideIngress(p, group("1", { replyToBot: true }), ctx()))).toBe("reply_to_bot");
    const regexes = mentionRegexesFor({ id: "main", groupChat: { mentionPatterns: ["\\bholdfast\\b"] } });
    expect(
      reason(decideIngress(p, group("1", { text: "Hey HOLD\u200bFAST, help" }), ctx({ mentionRegexes: regexes }))),
    ).toBe("mentioned");
  });
  it("lets only command-authorized senders' control commands bypass mention gating", () => {
    const p = policy({ groupPolicy: "open", groupAllowFrom: ["1"] });
    expect(reason(decideIngress(p, group("1", { text: "/status" }), ctx({ isControlCommand: true })))).toBe(
      "command_bypass",
    );
    expect(reason(decideIngress(p, group("2", { text: "/status" }), ctx({ isControlCommand: true })))).toBe(
      "mention_required",
    );
    expect(
      reason(
        decideIngress(p, group("1", { text: "/status @other", hasAnyMention: true }), ctx({ isControlCommand: true })),
      ),
    ).toBe("mention_required");
    const strict = policy(
      { groupPolicy: "open", groupAllowFrom: ["1"] },
      { commands: { allowFrom: { telegram: ["7"] } } },
    );
    expect(reason(decideIngress(strict, group("1", { text: "/new" }), ctx({ isControlCommand: true })))).toBe(
      "mention_required",
    );
  });
  it("scopes mention patterns per conversation; native mentions always count", () => {
    const regexes = mentionRegexesFor({ id: "main", groupChat: { mentionPatterns: ["bot"] } });
    const p = policy({ groupPolicy: "open", mentionPatterns: { denyIn: ["-100"] } });
    expect(reason(decideIngress(p, group("1", { text: "bot?" }), ctx({ mentionRegexes: regexes })))).toBe(
      "mention_required",
    );
    expect(
      reason(decideIngress(p, group("1", { text: "bot?", mentionsBot: true }), ctx({ mentionRegexes: regexes }))),
    ).toBe("mentioned");
  });
  it("derives patterns from identity.name unless mentionPatterns is set (even empty)", () => {
    const derived = mentionRegexesFor({ id: "main", identity: { name: "Jarvis" } });
    const p = policy({ groupPolicy: "open" });
    expect(reason(decideIngress(p, group("1", { text: "ok @jarvis do it" }), ctx({ mentionRegexes: derived })))).toBe(
      "mentioned",
    );
    expect(reason(decideIngress(p, group("1", { text: "jarvisish" }), ctx({ mentionRegexes: derived })))).toBe(
      "mention_required",
    );
    expect(mentionRegexesFor({ id: "main", identity: { name: "Jarvis" }, groupChat: { mentionPatterns: [] } })).toEqual(
      [],
    );
    const punctuated = mentionRegexesFor({ id: "main", identity: { name: "Holdfast-Bot (v2.0)", emoji: "🤖" } });
    expect(
      reason(
        decideIngress(p, group("1", { text: "hey @holdfast-bot (v2.0) please" }), ctx({ mentionRegexes: punctuated })),
      ),
    ).toBe("mentioned");
    expect(reason(decideIngress(p, group("1", { text: "🤖 ping" }), ctx({ mentionRegexes: punctuated })))).toBe(
      "mentioned",
    );
  });
});

describe("command authorization and owners", () => {
  it("owners come from commands.ownerAllowFrom <channel>:<id>", () => {
    const p = policy({ allowFrom: ["1", "2"] }, { commands: { ownerAllowFrom: ["telegram:1", "discord:2", "*"] } });
    expect(decideIngress(p, dm("1"), ctx()).owner).toBe(true);
    expect(decideIngress(p, dm("2"), ctx()).owner).toBe(false);
    expect(decideIngress(p, dm("2"), ctx()).commandAuthorized).toBe(true);
  });
  it("never authorizes commands of a refused sender", () => {
    const r = decideIngress(
      policy({}, { commands: { ownerAllowFrom: ["telegram:5"] } }),
      dm("5"),
      ctx({ isControlCommand: true }),
    );
    expect(r).toMatchObject({ commandAuthorized: false, owner: false });
  });
});

describe("ingress decision type", () => {
  it("admits only with allow reasons and refuses only with deny reasons (checked by tsc)", () => {
    const mentioned: IngressDecision = allow("mentioned");
    const required: IngressDecision = deny("mention_required");
    // @ts-expect-error mention_required is a deny reason: ingress cannot admit with it
    const admitted: IngressDecision = allow("mention_required");
    // @ts-expect-error dm_policy_open is an allow reason: ingress cannot refuse with it
    const refused: IngressDecision = deny("dm_policy_open");
    expect([mentioned.allow, required.allow, admitted.allow, refused.allow]).toEqual([true, false, true, false]);
  });
});
