import type { HoldfastConfig } from "../config/index.js";
import { deny } from "../infra/index.js";
import type { Availability } from "../sandbox/index.js";
import type { GateCall, ToolGate, ToolGateDecision } from "./gate.js";
import { allowedTools, decideTool, toolPolicyLayers, type PolicyLayer } from "./policy.js";
import type { ToolContext } from "./types.js";

/** The jail facts the gate needs. */
export interface GateSandbox {
  isSandboxed(agentId: string, sessionKey: string): boolean;
  /** Whether the session's jail (its sandbox, or the host jail) can run now; the reason says what to install. */
  jailAvailability(agentId: string, sessionKey: string): Promise<Availability>;
}

/**
 * The tool-policy gate: the model sees only the tools the layered policy admits for the call's
 * context (agent, provider, sender/chat, sandboxed), and every call is decided again. In a
 * sandboxed session, when the sandbox backend is unavailable, every call is refused with the reason
 * (fail closed: never on the host); in a host session, when its host jail cannot run, the tools that
 * touch files or run commands are refused with what to install (the others keep working).
 * Decisions are logged at debug (names and reasons only).
 */
export class PolicyGate implements ToolGate {
  /** Layers per context signature: the policy is a pure function of the (fixed) config and the context. */
  private readonly cache = new Map<string, { layers: PolicyLayer[]; visible: Map<string, string[]> }>();

  constructor(
    private readonly config: HoldfastConfig,
    private readonly sandbox: GateSandbox,
    /** Tools that need the session's jail (files, commands). */
    private readonly jailTools: ReadonlySet<string> = new Set(),
  ) {}

  layers(ctx: ToolContext): PolicyLayer[] {
    return this.entry(ctx).layers;
  }

  visible(names: readonly string[], ctx: ToolContext): string[] {
    const e = this.entry(ctx);
    const key = names.join(",");
    let v = e.visible.get(key);
    if (!v) {
      v = allowedTools(names, e.layers);
      e.visible.set(key, v);
    }
    return [...v];
  }

  private entry(ctx: ToolContext): { layers: PolicyLayer[]; visible: Map<string, string[]> } {
    const sandboxed = this.sandbox.isSandboxed(ctx.agentId, ctx.sessionKey);
    const s = ctx.sender;
    const sig = [
      ctx.agentId,
      sandboxed,
      ctx.provider,
      ctx.model,
      s?.channel,
      s?.accountId,
      s?.id,
      s?.chatType,
      s?.chatId,
    ].join("\u0000");
    let e = this.cache.get(sig);
    if (!e) {
      const layers = toolPolicyLayers(this.config, {
        agentId: ctx.agentId,
        sandboxed,
        ...(ctx.provider ? { provider: ctx.provider } : {}),
        ...(ctx.model ? { model: ctx.model } : {}),
        ...(s ? { sender: s } : {}),
      });
      e = { layers, visible: new Map() };
      if (this.cache.size >= 1_000) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(sig, e);
    }
    return e;
  }

  async check(call: GateCall, ctx: ToolContext): Promise<ToolGateDecision> {
    const d = decideTool(call.name, this.layers(ctx));
    ctx.log.debug(
      { tool: call.name, allow: d.allow, reason: d.reason, sessionKey: ctx.sessionKey },
      "tool policy decision",
    );
    if (!d.allow) return d;
    const sandboxed = this.sandbox.isSandboxed(ctx.agentId, ctx.sessionKey);
    if (!sandboxed && !this.jailTools.has(call.name)) return d;
    const a = await this.sandbox.jailAvailability(ctx.agentId, ctx.sessionKey);
    if (a.ok) return d;
    return sandboxed
      ? deny(
          "sandbox_unavailable",
          `${a.reason}. This session is sandboxed, so its tools do not run until the sandbox works (they never fall back to the host)`,
        )
      : deny("jail_unavailable", a.reason);
  }
}
