import path from "node:path";
import type { ExecApprovals } from "../approvals/index.js";
import type { SecurityActor, SecurityTrail } from "../trail/index.js";
import type { ToolContext } from "./types.js";

/** The actor of a tool call: the channel sender that started the run, else the gateway itself. */
export function toolActor(ctx: Pick<ToolContext, "sender">): SecurityActor {
  return ctx.sender
    ? { kind: "person", person: { channel: ctx.sender.channel, id: ctx.sender.id } }
    : { kind: "system" };
}

/** `by` of an approval decision (`chat:<channel>:<id>`, `ws:<clientId>:<connId>`) as an actor. */
function deciderOf(by: string | undefined): SecurityActor {
  const chat = /^chat:([^:]+):(.+)$/.exec(by ?? "");
  if (chat) return { kind: "person", person: { channel: chat[1] as string, id: chat[2] as string } };
  const ws = /^ws:([^:]*):/.exec(by ?? "");
  if (ws) return { kind: "gateway", method: "exec.approval.resolve", ...(ws[1] ? { client: ws[1] } : {}) };
  return { kind: "system" };
}

/**
 * Records every exec approval request and decision in the security trail: the approval id, agent,
 * where it runs, why it asked and the executable's name (never the command line, which can carry
 * data); for a tainted turn, the taint's kinds and its sources that name no person (URLs, webhook
 * names), on the request and on its decision. A timeout or shutdown is decided by the gateway itself.
 */
export function recordApprovals(approvals: ExecApprovals, trail: SecurityTrail): void {
  // The taint of each pending request, so its decision names the source too.
  const tainted = new Map<string, { taintKinds: string[]; taintSources: string[] }>();
  approvals.onEvent((ev) => {
    if (ev.type === "requested") {
      const r = ev.request;
      if (r.taint) tainted.set(r.id, { taintKinds: [...r.taint.kinds], taintSources: [...r.taint.sources] });
      void trail.record({
        type: "exec_approval.requested",
        actor: { kind: "system" },
        details: {
          approvalId: r.id,
          agentId: r.agentId,
          host: r.host,
          reason: r.taint ? "untrusted content read by the turn" : r.reason,
          ...(r.tool ? { tool: r.tool } : r.argv[0] ? { executable: path.basename(r.argv[0]) } : {}),
          ...(r.taint ? { taintKinds: r.taint.kinds, taintSources: r.taint.sources } : {}),
        },
      });
    } else {
      void trail.record({
        type: "exec_approval.decided",
        actor: deciderOf(ev.by),
        details: { approvalId: ev.id, decision: ev.decision, ...tainted.get(ev.id) },
      });
      tainted.delete(ev.id);
    }
  });
}
