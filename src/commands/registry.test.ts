import { describe, expect, it } from "vitest";
import { ChatCommandRegistry, type CommandInvocation } from "./index.js";
import { parseCommand } from "./registry.js";

const inv = (over: Partial<CommandInvocation> = {}): CommandInvocation => ({
  channel: "telegram",
  senderId: "42",
  chatType: "direct",
  agentId: "main",
  sessionKey: "agent:main:telegram:direct:42",
  authorized: true,
  owner: false,
  ...over,
});

describe("chat commands", () => {
  const reg = new ChatCommandRegistry();
  reg.register(
    { name: "ping", summary: "pong", run: (args) => `pong ${args}`.trim() },
    { name: "secret", summary: "owner", ownerOnly: true, run: () => "ok" },
  );

  it("parses /name args and Telegram's /name@Bot form", () => {
    expect(parseCommand("/ping a b")).toEqual({ name: "ping", args: "a b" });
    expect(parseCommand("/Ping@holdfast_bot")).toEqual({ name: "ping", args: "" });
    expect(parseCommand("hello /ping")).toBeUndefined();
    expect(parseCommand("/")).toBeUndefined();
  });

  it("treats unknown commands as plain text", async () => {
    expect(reg.isControlCommand("/nope")).toBe(false);
    expect(await reg.execute("/nope", inv())).toEqual({ handled: false });
  });

  it("ignores commands from unauthorized senders silently", async () => {
    expect(await reg.execute("/ping", inv({ authorized: false }))).toEqual({
      handled: true,
      reason: "command_unauthorized",
    });
  });

  it("refuses owner-only commands to non-owners and runs them for owners", async () => {
    const refused = await reg.execute("/secret", inv());
    expect(refused).toMatchObject({
      handled: true,
      reason: "command_owner_only",
      reply: expect.stringContaining("commands.ownerAllowFrom"),
    });
    expect(await reg.execute("/secret", inv({ owner: true }))).toEqual({
      handled: true,
      reason: "command_ran",
      reply: "ok",
    });
  });

  it("rejects duplicate registrations", () => {
    expect(() => reg.register({ name: "ping", summary: "", run: () => "" })).toThrow(/twice/);
  });
});
