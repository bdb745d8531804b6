import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BindingConfig } from "../config/index.js";
import { bindingTargets, Router } from "./index.js";

const AGENTS = ["main", "work", "vip"];
const channel = fc.constantFrom("telegram", "slack");
const account = fc.constantFrom("default", "work", "home");
const peerId = fc.constantFrom("1", "2", "3");
const binding: fc.Arbitrary<BindingConfig> = fc.record({
  agentId: fc.constantFrom(...AGENTS),
  match: fc.record(
    {
      channel,
      accountId: fc.constantFrom("default", "work", "*"),
      peer: fc.record({ kind: fc.constantFrom("direct" as const, "group" as const), id: peerId }),
    },
    { requiredKeys: ["channel"] },
  ),
});

describe("bindingTargets: the security audit's view of routing", () => {
  it("covers every agent the router picks: the rest, or the agent of a peer binding naming that peer (property)", () => {
    fc.assert(
      fc.property(
        fc.array(binding, { maxLength: 6 }),
        fc.record({
          channel,
          accountId: account,
          chatType: fc.constantFrom("direct" as const, "group" as const),
          id: peerId,
        }),
        (bindings, msg) => {
          const config = { bindings };
          const route = new Router(config, AGENTS).resolve({
            channel: msg.channel,
            accountId: msg.accountId,
            chatType: msg.chatType,
            senderId: msg.id,
            chatId: msg.id,
          });
          const to = bindingTargets(config, AGENTS, msg.channel, msg.accountId);
          if (route.matchedBy === "binding.peer") {
            expect(to.peers).toContainEqual({ agentId: route.agentId, kind: msg.chatType, id: msg.id });
          } else {
            expect(route.agentId).toBe(to.rest);
          }
        },
      ),
    );
  });
});
