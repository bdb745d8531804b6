import { HoldfastError } from "../../errors/index.js";
import type { OutboundTarget } from "../adapter.js";
import type { SignalRpc } from "./rpc.js";

/** Signal's base64 group ids (32 bytes → 44 characters for v2 groups; 16 bytes for legacy groups). */
const GROUP_ID = /^[A-Za-z0-9+/]{20,}={0,2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Resolves a send target: `+15551234567` / `signal:+1…` (a DM by number), `uuid:<aci>` /
 * `signal:uuid:<aci>` (a DM by uuid), `group:<id>` / `signal:group:<id>` or a bare base64 group id
 * (case preserved). @throws HoldfastError HF_CHANNEL_REFUSED for anything else.
 */
export function resolveSignalTarget(to: string): OutboundTarget {
  const v = to.trim().replace(/^signal:/i, "");
  const prefixed = /^group:(.+)$/i.exec(v)?.[1];
  if (prefixed !== undefined && GROUP_ID.test(prefixed)) return group(prefixed);
  if (/^\+[1-9]\d{6,14}$/.test(v)) return { recipient: { chatType: "direct", userId: v }, chatId: v };
  const uuid = /^uuid:(.+)$/i.exec(v)?.[1] ?? v;
  if (UUID.test(uuid)) {
    const id = `uuid:${uuid.toLowerCase()}`;
    return { recipient: { chatType: "direct", userId: id }, chatId: id };
  }
  if (prefixed === undefined && GROUP_ID.test(v)) return group(v);
  throw new HoldfastError(
    "HF_CHANNEL_REFUSED",
    `not a Signal target: use +<E.164 number>, uuid:<id> or group:<base64 group id>`,
  );
}

function group(id: string): OutboundTarget {
  return { recipient: { chatType: "group", chatId: id }, chatId: id };
}

/** The JSON-RPC addressing of a chat id: `{groupId}` for a group, else `{recipient: [number or uuid]}`. */
export function signalAddress(chatId: string): { groupId: string } | { recipient: string[] } {
  const target = resolveSignalTarget(chatId);
  return target.recipient.chatType === "group"
    ? { groupId: target.chatId }
    : { recipient: [target.chatId.replace(/^uuid:/, "")] };
}

/** Where and what {@link sendSignalText} sends. */
export interface SignalSend {
  /** A chat id as inbound messages carry it (E.164, `uuid:<id>`, or a group id). */
  readonly chatId: string;
  readonly chunks: readonly string[];
  /** The message the first chunk quotes. */
  readonly quote?: { readonly timestamp: number; readonly author: string };
}

/**
 * Sends each chunk with JSON-RPC `send` (`recipient` or `groupId`; the first chunk with
 * `quoteTimestamp`/`quoteAuthor`), retrying transient failures.
 * @returns the Signal timestamps of the sent messages
 * @throws HoldfastError HF_CHANNEL_REFUSED, HF_CHANNEL_NETWORK, HF_CHANNEL_SEND
 */
export async function sendSignalText(rpc: SignalRpc, s: SignalSend): Promise<number[]> {
  const where = signalAddress(s.chatId);
  const out: number[] = [];
  for (const [i, chunk] of s.chunks.entries()) {
    const quote = i === 0 && s.quote ? { quoteTimestamp: s.quote.timestamp, quoteAuthor: s.quote.author } : {};
    const res = await rpc.retried<{ timestamp?: number }>("send", { ...where, message: chunk, ...quote });
    if (typeof res?.timestamp !== "number")
      throw new HoldfastError("HF_CHANNEL_SEND", "signal send failed: the daemon returned no timestamp");
    out.push(res.timestamp);
  }
  return out;
}
