import { z } from "zod";
import type { ChatCommand } from "../commands/index.js";
import { isHoldfastError } from "../errors/index.js";
import { defineMethod, type AnyMethodDef, type EventBroadcaster } from "../gateway/index.js";
import type { ExecApprovals } from "./manager.js";

const ResolveParams = z.looseObject({
  id: z.string().min(1).max(64),
  decision: z.enum(["allow-once", "allow-always", "deny"]),
});

/**
 * Gateway methods (scope `operator.approvals`; reference §6.6):
 * - `exec.approval.list` → `{approvals: ApprovalRequest[]}`;
 * - `exec.approval.resolve` {id, decision: allow-once|allow-always|deny} → `{ok, id, decision}`.
 */
export function approvalMethods(approvals: ExecApprovals): AnyMethodDef[] {
  return [
    defineMethod({
      name: "exec.approval.list",
      scope: "operator.approvals",
      params: z.looseObject({}),
      handler: () => ({ approvals: approvals.list() }),
    }),
    defineMethod({
      name: "exec.approval.resolve",
      scope: "operator.approvals",
      params: ResolveParams,
      async handler(p, ctx) {
        const req = await approvals.resolve(p.id, p.decision, `ws:${ctx.conn.clientId}:${ctx.conn.connId}`);
        return { ok: true, id: req.id, decision: p.decision };
      },
    }),
  ];
}

/**
 * Forwards approval events to gateway clients with `operator.approvals`: `exec.approval.requested`
 * (the request) and `exec.approval.resolved` `{id, decision, by?}` (reference §6.6).
 */
export function forwardApprovalEvents(approvals: ExecApprovals, broadcaster: EventBroadcaster): void {
  approvals.onEvent((ev) => {
    if (ev.type === "requested") broadcaster.broadcast("exec.approval.requested", ev.request, "operator.approvals");
    else
      broadcaster.broadcast(
        "exec.approval.resolved",
        { id: ev.id, decision: ev.decision, ...(ev.by ? { by: ev.by } : {}) },
        "operator.approvals",
      );
  });
}

/**
 * `/approve <id> [always]` and `/deny <id>`: owner-only chat commands. They stand for
 * `exec.approval.resolve` (without an id: `exec.approval.list`), so a gateway client needs
 * `operator.approvals` for them, like for the methods.
 */
export function approvalCommands(approvals: ExecApprovals): ChatCommand[] {
  const idOf = (args: string) => args.split(/\s+/)[0] ?? "";
  const stands = (args: string) =>
    ({ method: idOf(args) ? "exec.approval.resolve" : "exec.approval.list", scope: "operator.approvals" }) as const;
  return [
    {
      name: "approve",
      summary: "approve a pending exec: /approve <id> [always]",
      ownerOnly: true,
      stands,
      async run(args, inv) {
        const [id, mode] = args.split(/\s+/);
        if (!id) return usage(approvals);
        const decision = mode === "always" ? "allow-always" : "allow-once";
        return replyOf(
          async () =>
            `Approved ${decision === "allow-always" ? "always" : "once"}: ${(await approvals.resolve(id, decision, `chat:${inv.channel}:${inv.senderId}`)).command}`,
        );
      },
    },
    {
      name: "deny",
      summary: "deny a pending exec: /deny <id>",
      ownerOnly: true,
      stands,
      async run(args, inv) {
        const id = idOf(args);
        if (!id) return usage(approvals);
        return replyOf(
          async () => `Denied: ${(await approvals.resolve(id, "deny", `chat:${inv.channel}:${inv.senderId}`)).command}`,
        );
      },
    },
  ];
}

/** Runs a resolve and turns its refusal (unknown id, not persistable) into the reply text. */
async function replyOf(run: () => Promise<string>): Promise<string> {
  try {
    return await run();
  } catch (err) {
    if (isHoldfastError(err)) return err.message;
    throw err;
  }
}

function usage(approvals: ExecApprovals): string {
  const pending = approvals.list();
  if (pending.length === 0) return "No exec approvals are pending.";
  return [
    "Pending exec approvals (reply /approve <id> or /deny <id>):",
    ...pending.map(
      (r) =>
        `${r.id}  ${r.command}  (${r.sessionKey}${r.elevated ? ", elevated: on the gateway host" : ""})${r.taint ? `\n  untrusted: ${r.taint.summary}` : ""}`,
    ),
  ].join("\n");
}
