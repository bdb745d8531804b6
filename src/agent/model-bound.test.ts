import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tokenInSomeFormArb, wordsArb } from "../../test/support/secret-encodings.js";
import { secretMatcher } from "../logging/index.js";
import { MODEL_SECRET_MASK } from "../secrets/index.js";
import type { ChatMessage } from "../sessions/index.js";
import { ModelBoundGuard } from "./model-bound.js";

describe("model-bound leak scan", () => {
  it("masks the system prompt, messages, tool results and tool-call arguments, once per message", () => {
    let calls = 0;
    const mask = (t: string) => {
      calls++;
      return t.replaceAll("s3cret", "[secret withheld]");
    };
    const guard = new ModelBoundGuard(() => mask);
    const tool: ChatMessage = { role: "tool", toolCallId: "1", name: "read", content: "key=s3cret", timestamp: 0 };
    const assistant: ChatMessage = {
      role: "assistant",
      content: "",
      timestamp: 0,
      toolCalls: [{ id: "1", name: "exec", arguments: { command: "echo s3cret", n: 1 } }],
    };
    const req = { system: "prompt s3cret", messages: [assistant, tool] };
    const out = guard.request(req);
    expect(out.system).toBe("prompt [secret withheld]");
    expect(out.messages[1]?.content).toBe("key=[secret withheld]");
    expect(out.messages[0]).toMatchObject({ toolCalls: [{ arguments: { command: "echo [secret withheld]", n: 1 } }] });
    expect(req.messages[1]?.content).toBe("key=s3cret");
    const before = calls;
    guard.request(req);
    expect(calls - before).toBe(1); // only the system prompt again
  });
});

/** Every string of a value (tool-call arguments nest). */
function stringsOf(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(stringsOf);
  return [];
}

describe("model-bound leak scan (property)", () => {
  const place = fc.constantFrom("system", "user", "toolResult", "toolArgs", "assistant");

  it("no text of a request reaches the provider carrying a configured secret, in any form or place", () => {
    fc.assert(
      fc.property(tokenInSomeFormArb, place, wordsArb, wordsArb, ({ secret, form }, at, before, after) => {
        const leak = `${before} ${form} ${after}`;
        const text = (p: string) => (p === at ? leak : before);
        const matcher = secretMatcher([secret]);
        const guard = new ModelBoundGuard(() => (t: string) => matcher.mask(t, MODEL_SECRET_MASK));
        const messages: ChatMessage[] = [
          { role: "user", content: text("user"), timestamp: 0 },
          {
            role: "assistant",
            content: text("assistant"),
            timestamp: 0,
            toolCalls: [
              { id: "1", name: "exec", arguments: { command: text("toolArgs"), env: [{ v: text("toolArgs") }] } },
            ],
          },
          { role: "tool", toolCallId: "1", name: "exec", content: text("toolResult"), timestamp: 0 },
        ];
        const out = guard.request({ system: text("system"), messages });
        expect(matcher.test(leak)).toBe(true);
        for (const s of stringsOf(out)) expect(matcher.test(s)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
