import { errorMessage, HoldfastError, isHoldfastError, type ErrorCode } from "../errors/index.js";
import type { Clock } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import {
  isEmptyPartial,
  newTurnMarker,
  type ChatMessage,
  type MessageSender,
  type Provenance,
  type SessionOrigin,
  type SessionStore,
  type ToolCall,
} from "../sessions/index.js";
import { resultProvenance, TurnTaint, type ToolContext, type ToolRuntime } from "../tools/index.js";
import type { AgentEvent } from "./events.js";
import type { ChainEvent, ModelChain } from "./model-chain.js";
import type { ModelRequest } from "./providers/types.js";
import { parseModelRef } from "./model-ref.js";
import { defaultProvenance, modelView, provenanceOf } from "./turn-view.js";

/** One run: a user message to answer in a session. */
export interface AgentRunRequest {
  readonly runId: string;
  readonly agentId: string;
  readonly sessionKey: string;
  readonly message: string;
  readonly sender?: MessageSender & {
    readonly accountId?: string;
    readonly chatType?: "direct" | "group";
    readonly chatId?: string;
  };
  readonly origin?: SessionOrigin;
  /** Where the message came from; absent: see {@link defaultProvenance}. */
  readonly provenance?: Provenance;
  /** The user message as committed to the run ledger (stored in the transcript as is). */
  readonly user?: ChatMessage;
  readonly signal: AbortSignal;
  readonly onEvent: (ev: AgentEvent) => void;
}

/** What the loop needs; each is a stage's public interface (wired by the composition root). */
export interface AgentLoopDeps {
  readonly store: SessionStore;
  readonly chain: ModelChain;
  readonly tools: ToolRuntime;
  readonly clock: Clock;
  readonly log: Logger;
  /** Ordered model refs for an agent (throws HF_NO_MODEL with instructions when none). */
  readonly modelRefs: (agentId: string) => Promise<string[]>;
  readonly systemPrompt: (agentId: string, toolNames: readonly string[]) => string;
  /** The host directory tools work in for this run (agent workspace or sandbox workspace). */
  readonly workspaceFor: (req: AgentRunRequest) => Promise<string>;
  /** Bound on model calls per run. Default 12. */
  readonly maxIterations?: number;
  /** Messages of history sent to the model. Default 100. */
  readonly historyLimit?: number;
}

/**
 * The agent loop: system prompt + history + user message → model (streaming) → tool calls → tool
 * results → … → final answer. Bounded iterations, abortable through `signal`. It never throws:
 * failures end the run with an `error` event carrying a clear text and a catalogue code.
 */
export class AgentLoop {
  constructor(private readonly deps: AgentLoopDeps) {}

  async run(req: AgentRunRequest): Promise<void> {
    const state: RunState = {};
    try {
      await this.runInner(req, state);
    } catch (err) {
      const code: ErrorCode = req.signal.aborted
        ? "HF_RUN_ABORTED"
        : isHoldfastError(err)
          ? err.code
          : "HF_TOOL_FAILED";
      const message = req.signal.aborted ? "run aborted" : errorMessage(err);
      if (!isHoldfastError(err) && !req.signal.aborted)
        this.deps.log.error({ err, runId: req.runId }, "agent run failed unexpectedly");
      req.onEvent({ type: "error", message, code, ...(state.partialText ? { partialText: state.partialText } : {}) });
    }
  }

  private async runInner(req: AgentRunRequest, state: RunState): Promise<void> {
    const d = this.deps;
    const history = trimToUserStart(await d.store.history(req.sessionKey, d.historyLimit ?? 100));
    const user: ChatMessage = req.user ?? {
      role: "user",
      content: req.message,
      timestamp: d.clock.now(),
      runId: req.runId,
      ...(req.sender
        ? {
            sender: {
              channel: req.sender.channel,
              id: req.sender.id,
              ...(req.sender.name ? { name: req.sender.name } : {}),
            },
          }
        : {}),
      provenance: req.provenance ?? defaultProvenance(req.sender),
    };
    const messages: ChatMessage[] = [...history, user];
    // One random boundary marker per turn wraps every untrusted piece the model is shown; everything
    // untrusted the turn was given (its message, its history) taints it from the start.
    const marker = newTurnMarker();
    const taint = new TurnTaint();
    for (const m of messages) {
      const p = provenanceOf(m);
      if (p) taint.add(p);
    }
    // The user message must be on disk before the model is asked: a storage fault ends the turn here,
    // with a `chat` error naming the cause, instead of an answer that could not be kept.
    await d.store.append(req.sessionKey, user, req.origin ?? {});
    const refs = await d.modelRefs(req.agentId);
    const ctx = { ...(await this.toolContext(req, refs[0])), taint };
    const specs = d.tools.specs(ctx);
    const system = d.systemPrompt(
      req.agentId,
      specs.map((s) => s.name),
    );
    const max = d.maxIterations ?? 12;
    for (let i = 0; i < max; i++) {
      req.onEvent({ type: "status", phase: "thinking" });
      const view = modelView(messages, marker);
      const turn = await this.callModel({ req, refs, state }, { system, messages: view, tools: specs });
      const assistant: ChatMessage = {
        role: "assistant",
        content: turn.text,
        timestamp: d.clock.now(),
        runId: req.runId,
        stopReason: turn.stopReason,
        ...(turn.model ? { model: turn.model } : {}),
        ...(turn.calls.length ? { toolCalls: turn.calls } : {}),
      };
      messages.push(assistant);
      await this.persist(req, assistant);
      if (turn.calls.length === 0) {
        req.onEvent({
          type: "final",
          text: turn.text,
          stopReason: turn.stopReason,
          ...(turn.model ? { model: turn.model } : {}),
        });
        return;
      }
      for (const call of turn.calls) messages.push(await this.runTool(req, ctx, { call, taint }));
    }
    throw new HoldfastError("HF_RUN_LIMIT", `stopped after ${max} model calls without a final answer`);
  }

  /**
   * One model turn through the chain. Retries and failovers become `status` events. When the call
   * fails after text was streamed, that text is stored as a `partial` assistant message (without its
   * tool calls, which never ran) before the failure propagates.
   */
  private async callModel(
    run: { req: AgentRunRequest; refs: string[]; state: RunState },
    turn: Omit<ModelRequest, "model" | "signal">,
  ) {
    const { req } = run;
    let text = "";
    let stopReason = "stop";
    let model: string | undefined;
    const calls: ToolCall[] = [];
    try {
      for await (const ev of this.deps.chain.stream(run.refs, { ...turn, signal: req.signal })) {
        if (ev.type === "model") model = ev.ref;
        else if (ev.type === "text") {
          text += ev.text;
          req.onEvent({ type: "delta", text: ev.text, accumulated: text });
        } else if (ev.type === "tool_call") calls.push(ev.call);
        else if (ev.type === "done") stopReason = ev.stopReason;
        else req.onEvent(progressEvent(ev));
      }
      if (req.signal.aborted) throw new HoldfastError("HF_RUN_ABORTED", "run aborted");
    } catch (err) {
      if (text !== "") {
        run.state.partialText = text;
        await this.persist(req, {
          role: "assistant",
          content: text,
          timestamp: this.deps.clock.now(),
          runId: req.runId,
          stopReason: partialStopReason(err, req.signal),
          partial: true,
          ...(model ? { model } : {}),
        });
      }
      throw err;
    }
    return { text, stopReason, model, calls };
  }

  /**
   * Runs one tool call. A call that ran and read untrusted content (web pages, search results, inbound
   * files; not one refused before it read anything, `ToolResult.refused`) taints the rest of the
   * turn, and its result keeps that provenance.
   */
  private async runTool(
    req: AgentRunRequest,
    ctx: ToolContext,
    { call, taint }: { call: ToolCall; taint: TurnTaint },
  ): Promise<ChatMessage> {
    req.onEvent({ type: "tool", phase: "start", name: call.name, toolCallId: call.id, args: call.arguments });
    req.onEvent({ type: "status", phase: "running_tool", tool: call.name });
    const result = await this.deps.tools.invoke(call, ctx);
    if (req.signal.aborted) throw new HoldfastError("HF_RUN_ABORTED", "run aborted");
    const untrusted = result.refused === true ? undefined : resultProvenance(call);
    if (untrusted) taint.add(untrusted);
    req.onEvent({
      type: "tool",
      phase: "end",
      name: call.name,
      toolCallId: call.id,
      isError: result.isError === true,
      decision: result.decision,
      result: result.content,
    });
    const msg: ChatMessage = {
      role: "tool",
      toolCallId: call.id,
      name: call.name,
      content: result.content,
      timestamp: this.deps.clock.now(),
      runId: req.runId,
      ...(result.isError ? { isError: true } : {}),
      ...(untrusted ? { provenance: untrusted } : {}),
    };
    await this.persist(req, msg);
    return msg;
  }

  private async toolContext(req: AgentRunRequest, firstRef: string | undefined): Promise<ToolContext> {
    return {
      agentId: req.agentId,
      sessionKey: req.sessionKey,
      runId: req.runId,
      workspaceDir: await this.deps.workspaceFor(req),
      signal: req.signal,
      log: this.deps.log,
      ...(firstRef ? { provider: parseModelRef(firstRef).provider, model: parseModelRef(firstRef).model } : {}),
      ...(req.sender
        ? {
            sender: {
              channel: req.sender.channel,
              id: req.sender.id,
              ...(req.sender.accountId ? { accountId: req.sender.accountId } : {}),
              ...(req.sender.chatType ? { chatType: req.sender.chatType } : {}),
              ...(req.sender.chatId ? { chatId: req.sender.chatId } : {}),
            },
          }
        : {}),
    };
  }

  /**
   * Writes a message to the transcript before the run goes on (a kill after the `final` event never
   * leaves the reply out of the transcript). A storage failure is logged; the answer still goes out.
   */
  private async persist(req: AgentRunRequest, msg: ChatMessage): Promise<void> {
    await this.deps.store
      .append(req.sessionKey, msg, req.origin ?? {})
      .catch((err: unknown) =>
        this.deps.log.error(
          { code: (err as { code?: string }).code, sessionKey: req.sessionKey },
          "transcript write failed",
        ),
      );
  }
}

/** What a run remembers across its model turns for the final event. */
interface RunState {
  partialText?: string;
}

/** A chain's retry or failover as a `status` event. */
function progressEvent(ev: Extract<ChainEvent, { type: "retry" | "failover" }>): AgentEvent {
  if (ev.type === "retry")
    return {
      type: "status",
      phase: "retrying_model",
      model: ev.ref,
      retry: ev.retry,
      maxRetries: ev.maxRetries,
      delayMs: ev.delayMs,
      reason: ev.reason,
      code: ev.code,
    };
  return { type: "status", phase: "model_failover", from: ev.from, to: ev.to, code: ev.code };
}

/** Why a partial reply stopped short (see {@link ChatMessage}): `aborted`, `timeout` or `error`. */
function partialStopReason(err: unknown, signal: AbortSignal): "aborted" | "timeout" | "error" {
  if (signal.aborted) return "aborted";
  return isHoldfastError(err) && err.code === "HF_PROVIDER_TIMEOUT" ? "timeout" : "error";
}

/**
 * Drops interruption marks (empty partial replies) and leading messages until the first user message
 * (a cut history must not start mid tool call).
 */
function trimToUserStart(all: ChatMessage[]): ChatMessage[] {
  const history = all.filter((m) => !isEmptyPartial(m));
  const i = history.findIndex((m) => m.role === "user");
  return i <= 0 ? (i === 0 ? history : []) : history.slice(i);
}
