import { HoldfastError } from "../../errors/index.js";
import type { OutboundTarget } from "../adapter.js";
import { directChatGuid, normalizeHandle } from "./normalize.js";

const CHAT_GUID = /^(iMessage|SMS|RCS|any);([+-]);(.+)$/;

/**
 * Resolves a send target: a chat guid (`iMessage;-;+1555…` a DM, `iMessage;+;chat…` a group; also with
 * `chat_guid:`), or a handle (`+1 555…` phone number, `name@icloud.com` Apple ID; also with
 * `bluebubbles:`/`imessage:`), which is sent to the iMessage DM with it.
 * @throws HoldfastError HF_CHANNEL_REFUSED for anything else.
 */
export function resolveBlueBubblesTarget(to: string): OutboundTarget {
  const v = to
    .trim()
    .replace(/^(bluebubbles|imessage):/i, "")
    .replace(/^chat_guid:/i, "");
  const guid = CHAT_GUID.exec(v);
  if (guid) {
    if (guid[2] === "+") return { recipient: { chatType: "group", chatId: v }, chatId: v };
    const peer = normalizeHandle(guid[3] as string);
    if (peer) return { recipient: { chatType: "direct", userId: peer }, chatId: v };
  }
  const handle = /^[+\d\s().-]+$/.test(v) || v.includes("@") ? normalizeHandle(v) : undefined;
  if (handle) return { recipient: { chatType: "direct", userId: handle }, chatId: directChatGuid(handle) };
  throw new HoldfastError(
    "HF_CHANNEL_REFUSED",
    "not an iMessage target: use a phone number (+1555…), an Apple ID email or a chat guid (iMessage;+;chat…)",
  );
}
