import { describe, expect, it } from "vitest";
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
