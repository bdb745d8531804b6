/** A message the user typed that the gateway has not acknowledged yet. */
export interface OutboxEntry {
  /** Sent with every attempt, so the gateway runs the message at most once (`chat.send` dedupes on it). */
  readonly idempotencyKey: string;
  readonly sessionKey: string;
  readonly text: string;
  readonly createdAt: number;
  /** `pending`: waiting for a connection; `sending`: request out; `failed`: the gateway refused it. */
  readonly state: "pending" | "sending" | "failed";
  readonly error?: string;
}

/** What the gateway answered for an acknowledged message. */
export interface SendAck {
  readonly runId?: string;
  readonly deduped?: boolean;
  /** `started`, or for a deduped message the first run's state (`in_flight`, `ok`, `error`, ...). */
  readonly status?: string;
}

/** The transport the outbox sends through: resolves with the ack, rejects with the refusal or a disconnect. */
export interface OutboxTransport {
  send(entry: OutboxEntry): Promise<SendAck>;
  /** True when a rejection means "no answer" (connection lost), so the message stays pending. */
  isDisconnect(err: unknown): boolean;
}

/** Where the outbox is kept across reloads (session storage in the browser). */
export interface OutboxStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const STORAGE_KEY = "holdfast.outbox";

/**
 * The queue of unacknowledged messages, kept in session storage so a reload loses nothing. Messages
 * go out one at a time, in order, each with its original idempotency key: a message whose answer was
 * lost (the gateway went away) is sent again with the same key and the gateway dedupes it; one the
 * gateway refused is marked failed until {@link retry}. An acknowledged message leaves the queue and
 * `onAck` gets it.
 */
export class Outbox {
  private entries: OutboxEntry[];
  private flushing = false;

  constructor(
    private readonly storage: OutboxStorage,
    private readonly transport: OutboxTransport,
    private readonly events: {
      readonly onChange: () => void;
      readonly onAck: (entry: OutboxEntry, ack: SendAck) => void;
    },
  ) {
    this.entries = load(storage).map((e) => (e.state === "sending" ? { ...e, state: "pending" } : e));
  }

  /** Every queued message (oldest first). */
  list(): readonly OutboxEntry[] {
    return this.entries;
  }

  /** Queues a message and tries to send it. */
  add(entry: Pick<OutboxEntry, "idempotencyKey" | "sessionKey" | "text" | "createdAt">): void {
    this.entries = [...this.entries, { ...entry, state: "pending" }];
    this.changed();
    void this.flush();
  }

  /** Puts a failed message back in the queue (same idempotency key) and sends it. */
  retry(idempotencyKey: string): void {
    this.update(idempotencyKey, { state: "pending", error: undefined });
    void this.flush();
  }

  /** Drops a message from the queue without sending it. */
  discard(idempotencyKey: string): void {
    this.entries = this.entries.filter((e) => e.idempotencyKey !== idempotencyKey);
    this.changed();
  }

  /** Sends the pending messages in order until one fails to get an answer. Call after each (re)connect. */
  async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (;;) {
        const next = this.entries.find((e) => e.state === "pending");
        if (!next) return;
        this.update(next.idempotencyKey, { state: "sending" });
        try {
          const ack = await this.transport.send(next);
          this.entries = this.entries.filter((e) => e.idempotencyKey !== next.idempotencyKey);
          this.changed();
          this.events.onAck(next, ack);
        } catch (err) {
          if (this.transport.isDisconnect(err)) {
            this.update(next.idempotencyKey, { state: "pending" });
            return;
          }
          this.update(next.idempotencyKey, {
            state: "failed",
            error: err instanceof Error ? err.message : String(err),
          });
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private update(key: string, patch: Partial<OutboxEntry>): void {
    this.entries = this.entries.map((e) => (e.idempotencyKey === key ? withPatch(e, patch) : e));
    this.changed();
  }

  private changed(): void {
    this.storage.setItem(STORAGE_KEY, JSON.stringify(this.entries));
    this.events.onChange();
  }
}

function withPatch(e: OutboxEntry, patch: Partial<OutboxEntry>): OutboxEntry {
  const next = { ...e, ...patch };
  if (next.error === undefined) delete (next as { error?: string }).error;
  return next;
}

function load(storage: OutboxStorage): OutboxEntry[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(STORAGE_KEY) ?? "[]");
    return Array.isArray(parsed) ? parsed.filter(isEntry) : [];
  } catch {
    return [];
  }
}

function isEntry(v: unknown): v is OutboxEntry {
  const e = v as Partial<OutboxEntry> | null;
  return (
    typeof e?.idempotencyKey === "string" &&
    typeof e.sessionKey === "string" &&
    typeof e.text === "string" &&
    typeof e.createdAt === "number" &&
    (e.state === "pending" || e.state === "sending" || e.state === "failed")
  );
}
