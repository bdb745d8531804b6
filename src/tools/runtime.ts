import { z } from "zod";
import { errorMessage, isHoldfastError } from "../errors/index.js";
import type { GateCall, ToolGate } from "./gate.js";
import type { AnyToolDefinition, ToolContext, ToolResult, ToolSpec } from "./types.js";

/** Largest tool result text handed back to the model (characters); longer results are cut. */
export const MAX_TOOL_RESULT_CHARS = 64_000;

/**
 * Registry + gate: what the model may see, and the one path every call takes
 * (lookup → argument check → gate → execute). Unknown or hidden tools get a "not available" result and
 * are never executed.
 */
export class ToolRuntime {
  private readonly tools = new Map<string, AnyToolDefinition>();
  private readonly specCache = new Map<string, ToolSpec>();

  constructor(
    tools: readonly AnyToolDefinition[],
    private readonly gate: ToolGate,
    private readonly aliases: Readonly<Record<string, string>> = {},
    /** Told of every call the policy refused (the security trail). */
    private readonly onRefused: (refusal: { tool: string; reason: string }, ctx: ToolContext) => void = () => undefined,
  ) {
    for (const t of tools) this.tools.set(t.name, t);
  }

  /** Names of all registered tools. */
  names(): string[] {
    return [...this.tools.keys()];
  }

  /** The specs of the tools the model may call in `ctx`. */
  specs(ctx: ToolContext): ToolSpec[] {
    return this.gate.visible(this.names(), ctx).map((n) => this.spec(this.tools.get(n) as AnyToolDefinition));
  }

  /** Runs one model tool call through the gate. Never throws: failures become error results. */
  async invoke(
    call: { name: string; arguments: Record<string, unknown> },
    ctx: ToolContext,
  ): Promise<ToolResult & { decision: string }> {
    const name = this.canonical(call.name);
    const tool = this.tools.get(name);
    if (!tool || !this.gate.visible([name], ctx).includes(name)) {
      return {
        content: `Tool "${call.name}" is not available.`,
        isError: true,
        refused: true,
        decision: "tool_not_available",
      };
    }
    const parsed = tool.parameters.safeParse(call.arguments);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => `${i.path.join(".") || "arguments"}: ${i.message}`).join("; ");
      return {
        content: `Invalid arguments for ${name}: ${why}`,
        isError: true,
        refused: true,
        decision: "tool_args_invalid",
      };
    }
    const gateCall: GateCall = { name, arguments: parsed.data as Record<string, unknown> };
    const decision = await this.gate.check(gateCall, ctx);
    if (!decision.allow) {
      ctx.log.info({ tool: name, reason: decision.reason, sessionKey: ctx.sessionKey }, "tool call refused");
      this.onRefused({ tool: name, reason: decision.reason }, ctx);
      return {
        content: `Tool "${name}" was refused by policy (${decision.reason})${decision.detail ? `: ${decision.detail}` : ""}.`,
        isError: true,
        refused: true,
        decision: decision.reason,
      };
    }
    try {
      const result = await tool.execute(parsed.data, ctx);
      return { ...capResult(result), decision: decision.reason };
    } catch (err) {
      const msg = isHoldfastError(err) ? err.message : errorMessage(err);
      return { content: `${name} failed: ${msg}`, isError: true, refused: true, decision: decision.reason };
    }
  }

  private canonical(name: string): string {
    const lower = name.trim().toLowerCase();
    return this.aliases[lower] ?? lower;
  }

  private spec(tool: AnyToolDefinition): ToolSpec {
    let s = this.specCache.get(tool.name);
    if (!s) {
      const { $schema: _drop, ...parameters } = z.toJSONSchema(tool.parameters, { io: "input" }) as Record<
        string,
        unknown
      >;
      s = { name: tool.name, description: tool.description, parameters };
      this.specCache.set(tool.name, s);
    }
    return s;
  }
}

function capResult(r: ToolResult): ToolResult {
  if (r.content.length <= MAX_TOOL_RESULT_CHARS) return r;
  return {
    ...r,
    content: `${r.content.slice(0, MAX_TOOL_RESULT_CHARS)}\n[output truncated at ${MAX_TOOL_RESULT_CHARS} characters]`,
  };
}
