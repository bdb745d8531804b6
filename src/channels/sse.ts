import { HoldfastError } from "../errors/index.js";

/** One Server-Sent Event (WHATWG HTML "Server-sent events", the parts holdfast reads). */
export interface SseEvent {
  /** `event:` field; `message` when absent. */
  readonly event: string;
  /** `data:` lines joined with `\n`. */
  readonly data: string;
  /** `id:` field, when the event set one. */
  readonly id?: string;
}

/** Longest line accepted from a stream (characters); a longer one ends the stream with an error. */
export const SSE_MAX_LINE = 16 * 1024 * 1024;

/**
 * Reads an `text/event-stream` body and yields its events: lines end in CRLF, LF or CR; a blank line
 * dispatches the event; `:` lines are comments (keep-alives); one space after the colon is dropped;
 * `retry:` and unknown fields are ignored; an event without data is not dispatched.
 * @throws HoldfastError HF_CHANNEL_NETWORK when a line exceeds {@link SSE_MAX_LINE} (a misbehaving server).
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buf = "";
  let data: string[] = [];
  let event = "";
  let id: string | undefined;
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    for (;;) {
      const m = /\r\n|\r|\n/.exec(buf);
      if (!m) break;
      if (m[0] === "\r" && m.index === buf.length - 1) break;
      const line = buf.slice(0, m.index);
      buf = buf.slice(m.index + m[0].length);
      if (line === "") {
        if (data.length > 0) yield { event: event || "message", data: data.join("\n"), ...(id ? { id } : {}) };
        data = [];
        event = "";
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "data") data.push(value);
      else if (field === "event") event = value;
      else if (field === "id" && !value.includes("\0")) id = value;
    }
    if (buf.length > SSE_MAX_LINE) throw new HoldfastError("HF_CHANNEL_NETWORK", "event stream line too long");
  }
}
