import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalSessionKey } from "../sessions/index.js";
import { normalizeAccountId, Router, type DmScope } from "./index.js";
import { buildSessionKey } from "./session-key.js";
import { normalizeAgentId } from "./ids.js";

const base = { agentId: "main", channel: "telegram", accountId: "default", chatType: "direct" as const };

describe("session keys (reference §5.2)", () => {
  it("builds the reference's key for each dmScope and for groups", () => {
    const dmKey = (dmScope: DmScope) => buildSessionKey({ ...base, peerId: "123", dmScope });
    expect(dmKey("main")).toBe("agent:main:main");
    expect(dmKey("per-peer")).toBe("agent:main:direct:123");
    expect(dmKey("per-channel-peer")).toBe("agent:main:telegram:direct:123");
    expect(buildSessionKey({ ...base, accountId: "work", peerId: "123", dmScope: "per-account-channel-peer" })).toBe(
      "agent:main:telegram:work:direct:123",
    );
    expect(buildSessionKey({ ...base, chatType: "group", groupId: "-100123", dmScope: "per-channel-peer" })).toBe(
      "agent:main:telegram:group:-100123",
    );
    expect(buildSessionKey({ ...base, chatType: "group", groupId: "-1", threadId: "7", dmScope: "main" })).toBe(
      "agent:main:telegram:group:-1:topic:7",
    );
    expect(
      buildSessionKey({ ...base, chatType: "group", groupId: "-1", groupScope: "main", dmScope: "per-peer" }),
    ).toBe("agent:main:main");
    expect(buildSessionKey({ ...base, peerId: "", dmScope: "per-peer" })).toBe("agent:main:main");
  });

  it("applies identityLinks only when dmScope is not main", () => {
    const links = { alice: ["telegram:123", "whatsapp:+1555"] };
    expect(buildSessionKey({ ...base, peerId: "123", dmScope: "per-peer", identityLinks: links })).toBe(
      "agent:main:direct:alice",
    );
    expect(
      buildSessionKey({ ...base, channel: "whatsapp", peerId: "+1555", dmScope: "per-peer", identityLinks: links }),
    ).toBe("agent:main:direct:alice");
    expect(buildSessionKey({ ...base, peerId: "124", dmScope: "per-peer", identityLinks: links })).toBe(
      "agent:main:direct:124",
    );
    expect(buildSessionKey({ ...base, peerId: "123", dmScope: "main", identityLinks: links })).toBe("agent:main:main");
  });

  it("normalizes agent and account ids (reference §5.1)", () => {
    expect(normalizeAgentId(" Work Bot! ")).toBe("work-bot");
    expect(normalizeAgentId("")).toBe("main");
    expect(normalizeAccountId("--")).toBe("default");
  });
});

describe("routing isolation (formal property)", () => {
  const scope = fc.constantFrom<DmScope>("per-peer", "per-channel-peer", "per-account-channel-peer");
  const peer = fc.oneof(fc.integer({ min: 1, max: 1e12 }).map(String), fc.string({ minLength: 1, maxLength: 20 }));
  const channel = fc.constantFrom("telegram", "whatsapp", "discord");
  const account = fc.constantFrom("default", "work");

  it("maps distinct peers to distinct, valid session keys under every non-main dmScope", () => {
    fc.assert(
      fc.property(scope, fc.tuple(channel, account, peer), fc.tuple(channel, account, peer), (dmScope, s1, s2) => {
        const [[c1, a1, p1], [c2, a2, p2]] = [s1, s2];
        const k1 = buildSessionKey({ ...base, channel: c1, accountId: a1, peerId: p1, dmScope });
        const k2 = buildSessionKey({ ...base, channel: c2, accountId: a2, peerId: p2, dmScope });
        const sameSender =
          p1.trim().toLowerCase() === p2.trim().toLowerCase() &&
          (dmScope === "per-peer" || c1 === c2) &&
          (dmScope !== "per-account-channel-peer" || a1 === a2);
        const emptyPeers = p1.trim() === "" && p2.trim() === "";
        if (!sameSender && !emptyPeers) expect(k1).not.toBe(k2);
        for (const k of [k1, k2]) if (k.length <= 400) expect(canonicalSessionKey(k).key).toBe(k);
        const g = buildSessionKey({ ...base, channel: c1, chatType: "group", groupId: p2, dmScope });
        if (p1.trim() !== "") expect(g).not.toBe(k1);
      }),
      { numRuns: 3000 },
    );
  });

  it("collapses only explicitly linked identities", () => {
    fc.assert(
      fc.property(
        scope,
        fc.uniqueArray(fc.integer({ min: 1, max: 1e9 }).map(String), { minLength: 3, maxLength: 3 }),
        (dmScope, [a, b, c]) => {
          const links = { owner: [`telegram:${a}`, `telegram:${b}`] };
          const key = (p: string) => buildSessionKey({ ...base, peerId: p, dmScope, identityLinks: links });
          expect(key(a as string)).toBe(key(b as string));
          expect(key(c as string)).not.toBe(key(a as string));
        },
      ),
    );
  });
});

describe("bindings", () => {
  const config = {
    agents: { list: [{ id: "main" }, { id: "work" }, { id: "vip" }] },
    bindings: [
      { agentId: "work", match: { channel: "telegram", accountId: "work" } },
      { agentId: "vip", match: { channel: "telegram", peer: { kind: "direct" as const, id: "tg:7" } } },
      { agentId: "work", match: { channel: "telegram", peer: { kind: "group" as const, id: -100 } } },
    ],
  };
  const router = new Router(config, ["main", "work", "vip"]);
  const route = (over: Partial<Parameters<Router["resolve"]>[0]>) =>
    router.resolve({
      channel: "telegram",
      accountId: "default",
      chatType: "direct",
      senderId: "1",
      chatId: "1",
      ...over,
    });

  it("picks the most specific binding, else the default agent", () => {
    expect(route({})).toMatchObject({
      agentId: "main",
      matchedBy: "default",
      sessionKey: "agent:main:telegram:direct:1",
    });
    expect(route({ accountId: "work" })).toMatchObject({ agentId: "work", matchedBy: "binding.account" });
    expect(route({ accountId: "work", senderId: "7" })).toMatchObject({
      agentId: "vip",
      matchedBy: "binding.peer",
      sessionKey: "agent:vip:telegram:direct:7",
    });
    expect(route({ chatType: "group", chatId: "-100" })).toMatchObject({
      agentId: "work",
      sessionKey: "agent:work:telegram:group:-100",
    });
  });

  it("honours channel dmScope over session.dmScope, defaulting to per-channel-peer", () => {
    const r = new Router({ session: { dmScope: "main" } }, ["main"]);
    expect(
      r.resolve({ channel: "telegram", accountId: "default", chatType: "direct", senderId: "5", chatId: "5" })
        .sessionKey,
    ).toBe("agent:main:main");
    expect(
      r.resolve({
        channel: "telegram",
        accountId: "default",
        chatType: "direct",
        senderId: "5",
        chatId: "5",
        channelDmScope: "per-peer",
      }).sessionKey,
    ).toBe("agent:main:direct:5");
  });

  it("refuses a binding to an unknown agent", () => {
    expect(() => new Router({ bindings: [{ agentId: "ghost", match: { channel: "telegram" } }] }, ["main"])).toThrow(
      /bindings.0.agentId: unknown agent "ghost"/,
    );
  });
});
