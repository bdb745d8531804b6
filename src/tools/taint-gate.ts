import type { HoldfastConfig } from "../config/index.js";
import { allow, deny } from "../infra/index.js";
import type { SecurityTrail } from "../trail/index.js";
import type { ExecApprover } from "./exec-tool.js";
import type { GateCall, ToolGate, ToolGateDecision } from "./gate.js";
import { approvalTaint, dangerousCall, taintModeFor, type TaintMode, type TurnTaint } from "./taint.js";
import { toolActor } from "./trail-events.js";
import type { ToolContext } from "./types.js";

/**
 * What became of a dangerous call of a tainted turn (`tool.tainted` in the security trail): refused
 * (`deny`), ran (`warn`), approved or not approved by the owner (`approve`), or asked from the exec
 * tool (`approve`; the exec approval events carry the decision).
 */
type TaintOutcome = "refused" | "ran" | "approved" | "not_approved" | "asked";

/** What {@link TaintGate} needs besides the gate it wraps. */
export interface TaintGateDeps {
  readonly config: HoldfastConfig;
  /** The exec approvals (WebChat card, `/approve`, `holdfast approvals`). */
  readonly approver: ExecApprover;
  readonly trail: SecurityTrail;
  /** Where a session's tools run (shown in the approval request). */
  readonly where: (ctx: ToolContext) => "host" | "sandbox";
}

/**
 * The untrusted-content gate, after the tool-policy gate: once a turn has read untrusted content
 * ({@link ToolContext.taint}), a dangerous call ({@link dangerousCall}) is decided by
 * `tools.taint.mode` of the agent: `approve` asks the owner through the exec approvals, naming the
 * source (`exec` asks from the exec tool itself, in the same request as its own policy, so one
 * approval covers both); `deny` refuses naming the source; `warn` lets it run, logged and recorded
 * (`tool.tainted`, as every dangerous call of a tainted turn is); `off` lets it through. Source: issue "Untrusted-content taint".
 */
export class TaintGate implements ToolGate {
  constructor(
    private readonly inner: ToolGate,
    private readonly deps: TaintGateDeps,
  ) {}

  visible(names: readonly string[], ctx: ToolContext): string[] {
    return this.inner.visible(names, ctx);
  }

  async check(call: GateCall, ctx: ToolContext): Promise<ToolGateDecision> {
    const d = await this.inner.check(call, ctx);
    const taint = ctx.taint;
    if (!d.allow || !taint?.tainted) return d;
    const what = dangerousCall(call, ctx);
    const mode = taintModeFor(this.deps.config, ctx.agentId);
    if (what === undefined || mode === "off") return d;
    const summary = taint.describe() as string;
    if (mode === "deny") {
      this.record(ctx, { call, taint, mode, outcome: "refused" });
      return deny(
        "taint_denied",
        `${summary}, and tools.taint.mode is deny: ${what} is refused after untrusted content`,
      );
    }
    if (mode === "warn") {
      ctx.log.warn(
        { tool: call.name, sessionKey: ctx.sessionKey, taint: taint.sources },
        "tainted turn runs a dangerous tool (tools.taint.mode warn)",
      );
      this.record(ctx, { call, taint, mode, outcome: "ran" });
      return allow("taint_warned");
    }
    if (call.name === "exec") {
      this.record(ctx, { call, taint, mode, outcome: "asked" });
      return d;
    }
    const outcome = await this.deps.approver.request(
      {
        argv: [call.name],
        segments: [[call.name]],
        command: what,
        cwd: "/workspace",
        host: this.deps.where(ctx),
        agentId: ctx.agentId,
        sessionKey: ctx.sessionKey,
        reason: `${summary}; ${call.name} needs an owner approval after untrusted content`,
        taint: approvalTaint(taint),
        tool: call.name,
        persistable: false,
        patterns: [],
      },
      ctx.signal,
    );
    const approved = outcome.decision === "allow-once" || outcome.decision === "allow-always";
    this.record(ctx, { call, taint, mode, outcome: approved ? "approved" : "not_approved" });
    if (approved) return allow("taint_approved");
    const why = outcome.decision === "deny" ? `denied${outcome.by ? ` by ${outcome.by}` : ""}` : outcome.decision;
    return deny("taint_not_approved", `${what} was not approved (${why}); ${summary}`);
  }

  private record(
    ctx: ToolContext,
    e: { call: GateCall; taint: TurnTaint; mode: TaintMode; outcome: TaintOutcome },
  ): void {
    const person = e.taint.person();
    void this.deps.trail.record({
      type: "tool.tainted",
      actor: toolActor(ctx),
      ...(person ? { subject: person } : {}),
      details: { tool: e.call.name, agentId: ctx.agentId, mode: e.mode, outcome: e.outcome, ...e.taint.trailDetails() },
    });
  }
}
