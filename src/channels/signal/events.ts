import { readSse } from "../sse.js";
import { SignalCallError } from "./rpc.js";

/** A stream open at least this long counts as healthy: the next reconnect starts the backoff afresh (ms). */
export const SIGNAL_HEALTHY_STREAM_MS = 30_000;
/** How long the daemon may take to answer the stream request (ms). */
const CONNECT_TIMEOUT_MS = 15_000;

/** What {@link openSignalEvents} reads and reports. */
export interface SignalEventsOptions {
  readonly httpUrl: string;
  readonly account: string;
  readonly signal: AbortSignal;
  /** Sent as `Last-Event-ID`: the daemon first replays what it buffered after it (all of it for an unknown id). */
  readonly lastEventId: string;
  /** The daemon answered 200 with an event stream. */
  readonly onOpen: () => void;
  /** One `receive` event: its id and its data (JSON `{envelope, account}`). */
  readonly onEvent: (id: string | undefined, data: string) => void;
}

/**
 * Reads `GET <httpUrl>/api/v1/events?account=<number>` (signal-cli-jsonrpc(5)) until it ends or
 * `signal` aborts. Resolves when the daemon closed the stream.
 * @throws SignalCallError status 0 (not reached, stream broken) or the HTTP status of a refusal.
 */
export async function openSignalEvents(o: SignalEventsOptions): Promise<void> {
  const connect = new AbortController();
  const timer = setTimeout(() => connect.abort(), CONNECT_TIMEOUT_MS);
  let res: Response;
  try {
    res = await fetch(`${o.httpUrl}/api/v1/events?account=${encodeURIComponent(o.account)}`, {
      headers: { accept: "text/event-stream", "last-event-id": o.lastEventId },
      signal: AbortSignal.any([o.signal, connect.signal]),
    });
  } catch {
    throw new SignalCallError("signal-cli event stream: daemon not reachable", 0);
  } finally {
    clearTimeout(timer);
  }
  if (res.status !== 200 || !res.body) {
    await res.body?.cancel();
    throw new SignalCallError(`signal-cli event stream: HTTP ${res.status}`, res.status);
  }
  o.onOpen();
  try {
    for await (const ev of readSse(res.body)) if (ev.event === "receive") o.onEvent(ev.id, ev.data);
  } catch {
    if (o.signal.aborted) return;
    throw new SignalCallError("signal-cli event stream broken", 0);
  }
}
