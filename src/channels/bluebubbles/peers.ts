import { normalizeHandle, type BlueBubblesSelf } from "./normalize.js";
import type { BlueBubblesRest } from "./rest.js";

/** Most guids of sent messages remembered (replies to older ones are not recognized as replies to the bot). */
const SENT_MAX = 2000;
/** Most contact names cached. */
const NAMES_MAX = 2000;

/**
 * What the adapter knows about the people around the bot: its own addresses (`/api/v1/server/info`:
 * `detected_imessage`, `detected_icloud`), the guids of the messages it sent (in memory, bounded), and
 * contact names (`/api/v1/contact/query`, cached; display only).
 */
export class BlueBubblesPeers {
  private readonly addresses = new Set<string>();
  private readonly sentGuids = new Set<string>();
  private readonly names = new Map<string, string | undefined>();
  readonly self: BlueBubblesSelf = { addresses: this.addresses, sent: (guid) => this.sentGuids.has(guid) };

  constructor(private readonly rest: BlueBubblesRest) {}

  /** Reads the server's own iMessage and iCloud addresses. @throws BlueBubblesCallError */
  async learnSelf(): Promise<void> {
    const info = await this.rest.call<Record<string, unknown>>("GET", "server/info");
    for (const key of ["detected_imessage", "detected_icloud"]) {
      const v = info?.[key];
      const n = typeof v === "string" ? normalizeHandle(v) : undefined;
      if (n) this.addresses.add(n);
    }
  }

  sentByMe(guid: string): void {
    this.sentGuids.add(guid);
    if (this.sentGuids.size > SENT_MAX) this.sentGuids.delete(this.sentGuids.values().next().value as string);
  }

  /** The contact name of a handle, if the server knows one (failures → undefined). */
  async nameOf(handle: string): Promise<string | undefined> {
    if (this.names.has(handle)) return this.names.get(handle);
    type Contact = { displayName?: string; firstName?: string; lastName?: string };
    const rows = await this.rest
      .call<Contact[]>("POST", "contact/query", { addresses: [handle] })
      .catch(() => undefined);
    const c = rows?.[0];
    const name = c?.displayName || [c?.firstName, c?.lastName].filter(Boolean).join(" ") || undefined;
    if (rows !== undefined) {
      this.names.set(handle, name);
      if (this.names.size > NAMES_MAX) this.names.delete(this.names.keys().next().value as string);
    }
    return name;
  }
}
