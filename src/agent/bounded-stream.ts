import { AbortRace, type Clock } from "../infra/index.js";
import { ProviderError } from "./providers/errors.js";
import type { ModelProvider, ModelRequest, StreamEvent } from "./providers/types.js";

/** Time bounds of one model call. */
export interface CallLimits {
  /** The whole call, from the request to the end of its stream (ms): `agents.defaults.timeoutSeconds`. */
  readonly timeoutMs: number;
  /**
   * Silence allowed between stream events once the reply has started (the first text or tool call), in
   * ms: `agents.defaults.streamIdleTimeoutSeconds`. Before that, only `timeoutMs` applies (a model may
   * think for a while before it writes).
   */
  readonly idleTimeoutMs: number;
}

/** One call for {@link boundedStream}. `request.signal` is the run's signal. */
export interface BoundedCall {
  readonly provider: ModelProvider;
  readonly request: ModelRequest;
  readonly limits: CallLimits;
  readonly clock: Clock;
  /** Who is called, for timeout messages (`mock at http://127.0.0.1:4000/v1`). */
  readonly endpoint: string;
}

/**
 * Streams one provider call under its {@link CallLimits}. The provider gets a signal of its own that
 * aborts when the run aborts, the deadline passes or the stream goes idle; the wait for each event is
 * raced against that signal, so a provider (or SDK) that ignores the abort cannot hold the run.
 * @throws ProviderError `timeout` (deadline or idle), `aborted` (the run's signal), or the provider's
 *   own failure.
 */
export async function* boundedStream(call: BoundedCall): AsyncGenerator<StreamEvent> {
  const run = call.request.signal;
  const ctl = new AbortController();
  const forward = () => ctl.abort(new ProviderError("aborted", "request aborted"));
  if (run.aborted) forward();
  else run.addEventListener("abort", forward, { once: true });
  const watch = new Watchdog(call, (err) => ctl.abort(err));
  const it = call.provider
    .stream({ ...call.request, signal: ctl.signal, timeoutMs: call.limits.timeoutMs })
    [Symbol.asyncIterator]();
  const race = new AbortRace(ctl.signal);
  let finished = false;
  try {
    for (;;) {
      const r = await race.next(it.next());
      if (r.done) break;
      watch.saw(r.value.type === "text" || r.value.type === "tool_call");
      yield r.value;
    }
    finished = true;
    // The SDKs end a stream quietly when it is aborted: a deadline or abort still counts as one.
    if (ctl.signal.aborted) throw ctl.signal.reason;
  } catch (err) {
    throw ctl.signal.aborted ? ctl.signal.reason : err;
  } finally {
    watch.stop();
    race.dispose();
    run.removeEventListener("abort", forward);
    if (!finished) {
      if (!ctl.signal.aborted) ctl.abort(new ProviderError("aborted", "call abandoned"));
      void it.return?.(undefined)?.catch(() => undefined);
    }
  }
}

/**
 * Why the watchdog's nap is cut short (never seen outside it). An `abort()` without a reason would
 * build a DOMException, with its stack, at the end of every model call.
 */
const WAKE = Object.freeze({ watchdog: "wake" });

/**
 * One timer at a time on the injected clock: it sleeps until the earlier of the deadline and the idle
 * limit, then either fires or sleeps again for what is left (events push the idle limit forward
 * without touching the timer). Before the reply starts only the deadline applies, but no nap is
 * longer than the idle limit, so the first content needs no wake-up (one timer per call that ends
 * within the idle limit).
 */
class Watchdog {
  private readonly started: number;
  private lastAt: number | undefined;
  private stopped = false;
  private nap: AbortController | undefined;

  constructor(
    private readonly call: BoundedCall,
    private readonly fire: (err: ProviderError) => void,
  ) {
    this.started = call.clock.now();
    void this.loop();
  }

  /** An event arrived; `content` (text, tool call) arms the idle limit. */
  saw(content: boolean): void {
    if (this.lastAt === undefined && !content) return;
    this.lastAt = this.call.clock.now();
  }

  stop(): void {
    this.stopped = true;
    this.nap?.abort(WAKE);
  }

  private async loop(): Promise<void> {
    const { clock, limits, endpoint } = this.call;
    while (!this.stopped) {
      const now = clock.now();
      const deadline = this.started + limits.timeoutMs;
      const idleAt = this.lastAt === undefined ? Infinity : this.lastAt + limits.idleTimeoutMs;
      if (now >= deadline)
        return this.fire(
          new ProviderError(
            "timeout",
            `${endpoint} did not finish within ${seconds(limits.timeoutMs)} (agents.defaults.timeoutSeconds)`,
          ),
        );
      if (now >= idleAt)
        return this.fire(
          new ProviderError(
            "timeout",
            `${endpoint} stalled: nothing streamed for ${seconds(limits.idleTimeoutMs)} after the reply started (agents.defaults.streamIdleTimeoutSeconds)`,
          ),
        );
      this.nap ??= new AbortController();
      const wakeAt = Math.min(deadline, idleAt, now + limits.idleTimeoutMs);
      await clock.sleep(wakeAt - now, this.nap.signal).catch(() => undefined);
    }
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
