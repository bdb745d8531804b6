import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hasScope, OPERATOR_SCOPES, type Scope } from "../gateway/index.js";
import { ChatCommandRegistry, type CommandInvocation } from "./index.js";

const METHOD_SCOPES: readonly { method: string; scope: Scope }[] = [
  { method: "status", scope: "operator.read" },
  { method: "sessions.delete", scope: "operator.write" },
  { method: "exec.approval.resolve", scope: "operator.approvals" },
  { method: "device.pair.approve", scope: "operator.pairing" },
  { method: "config.set", scope: "operator.admin" },
];

const inv = (scopes?: ReadonlySet<string>): CommandInvocation => ({
  channel: scopes ? "webchat" : "telegram",
  senderId: "s",
  chatType: "direct",
  agentId: "main",
  sessionKey: "agent:main:main",
  authorized: true,
  owner: true,
  ...(scopes ? { scopes } : {}),
});

describe("chat commands check the scope of the gateway method they stand for (property)", () => {
  const reg = new ChatCommandRegistry();
  METHOD_SCOPES.forEach((m, i) =>
    reg.register({ name: `c${i}`, summary: m.method, stands: () => m, run: () => "ran" }),
  );
  reg.register({ name: "free", summary: "mirrors no method", run: () => "ran" });

  it("a gateway client runs a command exactly when it holds the method's scope; channel senders are not scope-checked", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: METHOD_SCOPES.length - 1 }),
        fc.subarray([...OPERATOR_SCOPES]),
        fc.string({ maxLength: 20 }).map((s) => s.replace(/\s+/g, " ").trim()),
        async (i, scopes, args) => {
          const m = METHOD_SCOPES[i] as (typeof METHOD_SCOPES)[number];
          const granted = new Set<string>(scopes);
          const out = await reg.execute(`/c${i} ${args}`, inv(granted));
          const may = hasScope(granted, m.scope);
          expect(out).toMatchObject(
            may ? { reason: "command_ran", reply: "ran" } : { reason: "command_missing_scope" },
          );
          if (!may && out.handled) expect(out.reply).toContain(m.scope);
          expect(await reg.execute(`/c${i} ${args}`, inv())).toMatchObject({ reason: "command_ran" });
          expect(await reg.execute("/free", inv(granted))).toMatchObject({ reason: "command_ran" });
        },
      ),
    );
  });
});
