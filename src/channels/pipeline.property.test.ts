import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EchoRuns, MemoryAdapter, memoryChannelDeps, testCommands } from "../../test/support/fake-channel.js";
import type { GroupEntry } from "../config/index.js";
import { silentLogger } from "../logging/index.js";
import { createChannelService } from "./index.js";

const sender = fc.integer({ min: 1, max: 5 }).map(String);
const list = fc.array(fc.oneof(sender, fc.constant("*")), { maxLength: 3 });
const text = fc
  .oneof(
    fc.constantFrom("/status", "/new", "/help", "/reset now", "/status@holdfast_bot", "/nope", "hello", ""),
    fc.string({ maxLength: 20 }),
  )
  .filter((t) => !/holdfast\b/i.test(t.replace(/@holdfast_bot/, "")));
const message = fc.record({ senderId: sender, text, hasAnyMention: fc.boolean() });

describe("ingress gating end to end through the pipeline (formal property)", () => {
  it("no unmentioned group message reaches the agent while requireMention is true", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          groupPolicy: fc.constantFrom("open" as const, "allowlist" as const, "disabled" as const),
          allowFrom: list,
          groupAllowFrom: list,
          groups: fc.constantFrom<Record<string, GroupEntry> | undefined>(
            undefined,
            { "*": { requireMention: true } },
            { "-100": { requireMention: true } },
          ),
          cmdAllow: fc.option(fc.record({ telegram: fc.array(sender, { maxLength: 2 }) }), { nil: undefined }),
          messages: fc.array(message, { minLength: 1, maxLength: 8 }),
        }),
        async ({ groupPolicy, allowFrom, groupAllowFrom, groups, cmdAllow, messages }) => {
          const dir = await mkdtemp(path.join(os.tmpdir(), "hf-gate-"));
          const adapter = new MemoryAdapter();
          const runs = new EchoRuns();
          const service = await createChannelService(
            memoryChannelDeps({
              dir,
              config: cmdAllow ? { commands: { allowFrom: cmdAllow } } : {},
              log: silentLogger(),
              runs,
              commands: testCommands().registry,
              adapter,
              settings: { groupPolicy, allowFrom, groupAllowFrom, ...(groups ? { groups } : {}) },
            }),
          );
          await service.start();
          for (const m of messages)
            await adapter.deliver({ ...m, chatType: "group", chatId: "-100", mentionsBot: false, replyToBot: false });
          await service.flush();
          expect(runs.started).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });
});
