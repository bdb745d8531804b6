import { mapStringsDeep } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import { containsSecret, guardOutboundText, StreamLeakGuard, WITHHELD_NOTICE } from "./outbound.js";
import type { SecretsView } from "./snapshot.js";

/**
 * A reply event as the leak guard sees it: streamed text (`delta`), the whole reply (`final`), a
 * failure (`error`), or anything else (passed through). The agent stage's run events have this shape.
 */
export type GuardedEvent =
  | { readonly type: "delta"; readonly text: string; readonly accumulated: string }
  | { readonly type: "final"; readonly text: string }
  | { readonly type: "error"; readonly message: string; readonly partialText?: string }
  | { readonly type: "tool"; readonly args?: Record<string, unknown>; readonly result?: string }
  | { readonly type: "status"; readonly reason?: string };

/** An event of one run (`runId`) in a session. */
export interface GuardedRunEvent {
  readonly runId: string;
  readonly sessionKey: string;
  /** Per-run event counter from 1; renumbered on the way out so what a client sees has no gaps. */
  readonly seq?: number;
  readonly event: GuardedEvent;
}

/** What the guards read: the live secrets, the redactor for error texts, and the log. */
export interface GuardDeps {
  readonly secrets: SecretsView;
  readonly redact: (text: string) => string;
  readonly log: Logger;
}

interface RunStreamState {
  /** Guard of the current model call's text (a run streams one text per model call). */
  guard: StreamLeakGuard;
  /** What was published of the current call's text. */
  published: string;
  /** The current call's text as last seen. */
  raw: string;
  /** A secret showed up somewhere in this run: nothing more streams and the final becomes the notice. */
  blocked: boolean;
  /** Events of this run let through so far (the `seq` of the last one). */
  sent: number;
}

/**
 * Filters agent run events on their way to gateway clients: streamed text never shows any part of a
 * configured secret (a reply that contains one is replaced by {@link WITHHELD_NOTICE}) and error
 * messages (and the failure a model retry names) are redacted. Returns the events to send for one
 * event: none (held back or withheld), the event, or — for a `final` whose text passed the scan, or an
 * `error` whose partial text did — the tail held back while streaming as a last `delta` first, so the
 * deltas of a reply always add up to its final (or stored partial) text. `seq` is renumbered per run so dropped deltas leave no gaps. Channel
 * adapters use {@link outboundGuard} the same way. Source: the secrets issue ("an outbound leak scan").
 */
export function runEventGuard(deps: GuardDeps): <E extends GuardedRunEvent>(ev: E) => readonly E[] {
  const runs = new Map<string, RunStreamState>();
  const fresh = () => ({ guard: new StreamLeakGuard(deps.secrets), published: "", raw: "" });
  const stateOf = (runId: string) => {
    let s = runs.get(runId);
    if (!s) runs.set(runId, (s = { ...fresh(), blocked: false, sent: 0 }));
    return s;
  };
  const out = <E extends GuardedRunEvent>(s: RunStreamState, ev: E, event: GuardedEvent): E =>
    ({ ...ev, event, ...(ev.seq !== undefined ? { seq: ++s.sent } : {}) }) as E;
  return (ev) => {
    const e: GuardedEvent = ev.event;
    const s = stateOf(ev.runId);
    if (e.type === "delta") {
      if (!e.accumulated.startsWith(s.raw)) Object.assign(s, fresh());
      s.raw = e.accumulated;
      const { publish, blocked } = s.guard.push(e.accumulated);
      s.blocked ||= blocked;
      if (s.blocked || publish.length <= s.published.length) return [];
      const text = publish.slice(s.published.length);
      s.published = publish;
      return [out(s, ev, { ...e, text, accumulated: publish })];
    }
    if (e.type === "final" || e.type === "error") runs.delete(ev.runId);
    if (e.type === "final") return finalEvents(s, ev, e, deps).map((x) => out(s, ev, x));
    if (e.type === "error") {
      const partial = e.partialText === undefined ? undefined : guardOutboundText(e.partialText, deps.secrets);
      const failed = {
        ...e,
        message: deps.redact(e.message),
        ...(partial ? { partialText: partial.text } : {}),
      };
      const tail = partial && !partial.blocked ? heldTail(s, partial.text) : [];
      return [...tail, failed].map((x) => out(s, ev, x));
    }
    if (e.type === "tool") return [out(s, ev, guardTool(e, deps))];
    if (e.type === "status" && e.reason !== undefined) return [out(s, ev, { ...e, reason: deps.redact(e.reason) })];
    return [out(s, ev, e)];
  };
}

/** A final reply as sent: the notice when it leaks, else the unpublished tail (as a delta) and the final. */
function finalEvents(
  s: RunStreamState,
  ev: GuardedRunEvent,
  e: Extract<GuardedEvent, { type: "final" }>,
  deps: GuardDeps,
): GuardedEvent[] {
  const verdict = s.blocked ? { text: WITHHELD_NOTICE, blocked: true } : guardOutboundText(e.text, deps.secrets);
  if (verdict.blocked) {
    deps.log.warn({ runId: ev.runId, sessionKey: ev.sessionKey }, "reply withheld: it contained a configured secret");
    return [{ ...e, text: verdict.text }];
  }
  return [...heldTail(s, e.text), e];
}

/**
 * The part of a call's `text` held back while streaming, as a last delta, when `text` continues what
 * was published; else nothing. Callers pass only a text that already passed the scan (a final's
 * text, a failed run's partial text).
 */
function heldTail(s: RunStreamState, text: string): GuardedEvent[] {
  if (s.blocked || !s.raw || !text.startsWith(s.published)) return [];
  const tail = text.slice(s.published.length);
  if (!tail) return [];
  return [{ type: "delta", text: tail, accumulated: text }];
}

/**
 * A tool step's arguments and result as a client may see them: masked like the transcript keeps them
 * (so history shows the same), and a result that holds a configured secret is replaced by the notice.
 */
function guardTool<T extends { readonly args?: Record<string, unknown>; readonly result?: string }>(
  e: T,
  deps: GuardDeps,
): T {
  const text = (s: string) => (containsSecret(s, deps.secrets) ? WITHHELD_NOTICE : deps.redact(s));
  return {
    ...e,
    ...(e.args ? { args: mapStringsDeep(e.args, text) } : {}),
    ...(e.result !== undefined ? { result: text(e.result) } : {}),
  };
}

/**
 * The outbound leak scan for channel texts (replies, pairing messages, the `message` tool): a text
 * holding a configured secret becomes {@link WITHHELD_NOTICE} and the withholding is logged
 * (reason `outbound_secret_blocked`, never the text).
 */
export function outboundGuard(deps: Omit<GuardDeps, "redact">): (text: string) => string {
  return (text) => {
    const verdict = guardOutboundText(text, deps.secrets);
    if (verdict.blocked)
      deps.log.warn(
        { stage: "channels", reason: "outbound_secret_blocked" },
        "a reply containing a configured secret was withheld",
      );
    return verdict.text;
  };
}
