import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { GroupEntry } from "../config/index.js";
import { decideIngress, normalizeSenderId, parseAllowList, type AccountAccessConfig } from "./index.js";
import { allowListMatches } from "./normalize.js";
import { resolveAccessPolicy } from "./policy.js";

const id = fc.integer({ min: 1, max: 12 }).map(String);
const ids = fc.array(fc.oneof(id, fc.constant("*")), { maxLength: 4 });
const account: fc.Arbitrary<AccountAccessConfig> = fc.record(
  {
    groupPolicy: fc.constantFrom("open" as const, "allowlist" as const, "disabled" as const),
    allowFrom: ids,
    groupAllowFrom: ids,
    groups: fc.option(
      fc.constantFrom<Record<string, GroupEntry>>(
        { "*": { requireMention: true } },
        { "-100": { requireMention: true } },
        { "-100": {}, "*": { requireMention: true } },
        { "-100": { allowFrom: ["3"] } },
      ),
      { nil: undefined },
    ),
  },
  { requiredKeys: ["groupPolicy"] },
);
const commandAllow = fc.option(fc.record({ telegram: fc.array(id, { maxLength: 3 }) }), { nil: undefined });

describe("ingress gating (formal property: no mention bypass by unauthorized control commands)", () => {
  it("admits an unmentioned group message under requireMention only as an authorized control command that mentions nobody", () => {
    fc.assert(
      fc.property(
        fc.record({
          acct: account,
          cmdAllow: commandAllow,
          sender: id,
          text: fc.string({ maxLength: 30 }),
          isControlCommand: fc.boolean(),
          hasAnyMention: fc.boolean(),
          storeIds: fc.array(id, { maxLength: 3 }),
        }),
        ({ acct, cmdAllow, sender, text, isControlCommand, hasAnyMention, storeIds }) => {
          const policy = resolveAccessPolicy(
            cmdAllow ? { commands: { allowFrom: cmdAllow } } : {},
            "telegram",
            "default",
            acct,
          );
          const r = decideIngress(
            policy,
            {
              chatType: "group",
              chatId: "-100",
              senderId: sender,
              text,
              mentionsBot: false,
              hasAnyMention,
              replyToBot: false,
            },
            { storeAllow: parseAllowList("telegram", storeIds), mentionRegexes: [], isControlCommand },
          );
          if (!r.decision.allow) return;
          expect(r.decision.reason).toBe("command_bypass");
          expect(isControlCommand).toBe(true);
          expect(hasAnyMention).toBe(false);
          expect(r.commandAuthorized).toBe(true);
          const senders = parseAllowList(
            "telegram",
            acct.groupAllowFrom?.length ? acct.groupAllowFrom : acct.allowFrom,
          );
          const cmdList = cmdAllow ? parseAllowList("telegram", cmdAllow.telegram) : undefined;
          const perGroup = acct.groups?.["-100"]?.allowFrom;
          const authorized = cmdList
            ? allowListMatches(cmdList, normalizeSenderId("telegram", sender))
            : allowListMatches(perGroup ? parseAllowList("telegram", perGroup) : senders, sender);
          expect(authorized).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("pairing approvals count only for DMs under dmPolicy pairing, never in groups", () => {
    const dmPolicy = fc.constantFrom("pairing" as const, "allowlist" as const, "open" as const, "disabled" as const);
    fc.assert(
      fc.property(
        fc.record({
          acct: account,
          dp: dmPolicy,
          sender: id,
          mentionsBot: fc.boolean(),
          isControlCommand: fc.boolean(),
        }),
        ({ acct, dp, sender, mentionsBot, isControlCommand }) => {
          const policy = resolveAccessPolicy({}, "telegram", "default", { ...acct, dmPolicy: dp });
          const decide = (chatType: "direct" | "group", store: string[]) =>
            decideIngress(
              policy,
              {
                chatType,
                chatId: chatType === "group" ? "-100" : sender,
                senderId: sender,
                text: "/new",
                mentionsBot,
                hasAnyMention: mentionsBot,
                replyToBot: false,
              },
              { storeAllow: parseAllowList("telegram", store), mentionRegexes: [], isControlCommand },
            );
          expect(decide("group", [sender])).toEqual(decide("group", []));
          if (dp !== "pairing") expect(decide("direct", [sender])).toEqual(decide("direct", []));
          else expect(decide("direct", [sender]).decision.allow).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
