import { describe, expect, it } from "vitest";
import { compileMentionPattern, validateConfig } from "../index.js";

describe("agents.*.groupChat.mentionPatterns", () => {
  it("compiles case-insensitive patterns and reads a literal backspace as \\b", () => {
    expect(compileMentionPattern("@Holdfast").test("hey @HOLDFAST")).toBe(true);
    expect(compileMentionPattern("\u0008bot\u0008").test("a bot here")).toBe(true);
    expect(compileMentionPattern("\u0008bot\u0008").test("robots")).toBe(false);
  });

  it("rejects invalid and ReDoS-prone patterns at load, naming the key path", () => {
    const bad = { agents: { list: [{ id: "main", groupChat: { mentionPatterns: ["ok", "(a+)+$", "[unclosed"] } }] } };
    let message = "";
    try {
      validateConfig(bad);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain("agents.list.0.groupChat.mentionPatterns.1: unsafe regex");
    expect(message).toContain("agents.list.0.groupChat.mentionPatterns.2: invalid regex");
    expect(message).not.toContain("mentionPatterns.0");
    expect(() =>
      validateConfig({
        agents: { list: [{ id: "main", groupChat: { mentionPatterns: ["\\bholdfast\\b", "@bot"] } }] },
      }),
    ).not.toThrow();
  });
});
