import type { Hono } from "hono";
import { HoldfastError } from "../../errors/index.js";
import type { Logger } from "../../logging/index.js";
import type {
  AdapterStatus,
  ChannelAdapter,
  InboundSink,
  MediaRef,
  OutboundMessage,
  OutboundTarget,
} from "../adapter.js";
import { chunkText } from "../chunk.js";
import { downloadBounded, extensionOf, refuseOversized } from "../download.js";
import { DurableInbound } from "../durable-inbound.js";
import { AdapterHealth } from "../health.js";
import type { AdapterDeps } from "../plugin-types.js";
import { untilSuccess } from "../reconnect.js";
import { BlueBubblesPeers } from "./peers.js";
import { normalizeBlueBubblesEvent, type BlueBubblesEvent, type BlueBubblesMessage } from "./normalize.js";
import { BlueBubblesRest, blueBubblesRetryVerdict, classifyBlueBubblesError } from "./rest.js";
import type { BlueBubblesAccountSettings } from "./settings.js";
import { mountBlueBubblesWebhook } from "./webhook-route.js";
import { resolveBlueBubblesTarget } from "./target.js";

/** How often the server is pinged while all is well (ms). */
export const BLUEBUBBLES_PING_MS = 30_000;
/** Messages fetched per catch-up page after an outage. */
const CATCH_UP_LIMIT = 100;
/** Catch-up starts this long before the last good contact (clock skew; repeats are dropped by guid). */
const CATCH_UP_MARGIN_MS = 10_000;

/** Options of {@link BlueBubblesAdapter} besides settings and deps. */
export interface BlueBubblesAdapterOptions {
  /** Health-check interval (ms), default {@link BLUEBUBBLES_PING_MS}. */
  readonly pingMs?: number;
}

/**
 * One iMessage account through a BlueBubbles server: inbound by the server's webhooks on the gateway
 * port (`POST <webhook path>`, the path carrying a secret), outbound by REST (`/api/v1/message/text`).
 * The server is pinged periodically; when it cannot be reached the account retries with jittered
 * backoff and, once back, fetches the messages it missed meanwhile (`/api/v1/message/query` after the
 * last good contact), so a network outage loses nothing. Implements the {@link ChannelAdapter} contract.
 *
 * Delivery is at least once and restart safe ({@link DurableInbound}): every webhook and caught-up
 * message is queued under its message guid before the webhook is answered 200; a guid seen before is
 * dropped. The password travels only in request URLs built by {@link BlueBubblesRest}; it is masked in
 * every error text and never logged.
 */
export class BlueBubblesAdapter implements ChannelAdapter {
  readonly channel = "bluebubbles";
  readonly accountId: string;
  readonly textLimit: number;
  private readonly rest: BlueBubblesRest;
  private readonly peers: BlueBubblesPeers;
  private readonly health: AdapterHealth;
  private readonly controller = new AbortController();
  private inbound: DurableInbound | undefined;
  private sink: InboundSink | undefined;
  private loop: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastContact = 0;

  constructor(
    private readonly settings: BlueBubblesAccountSettings,
    private readonly deps: AdapterDeps,
    private readonly opts: BlueBubblesAdapterOptions = {},
  ) {
    this.accountId = settings.accountId;
    this.textLimit = settings.textLimit;
    this.rest = new BlueBubblesRest(settings.serverUrl, settings.password, deps.clock);
    this.peers = new BlueBubblesPeers(this.rest);
    this.health = new AdapterHealth(deps.clock, [settings.password, encodeURIComponent(settings.password)]);
  }

  async start(sink: InboundSink): Promise<void> {
    if (this.loop) return;
    this.sink = sink;
    this.inbound = new DurableInbound({
      queue: this.deps.queues(this.accountId).inbound,
      log: this.log,
      scrub: (err) => this.health.scrub(err),
      process: (payload) => this.handle(payload as BlueBubblesEvent),
    });
    this.health.connecting();
    this.loop = this.connect(true).catch((err: unknown) => this.fail(err));
  }

  async stop(): Promise<void> {
    if (this.controller.signal.aborted) return;
    this.controller.abort();
    clearTimeout(this.timer);
    await this.loop;
    await this.inbound?.stop();
    this.health.stopped();
  }

  async resolveTarget(to: string): Promise<OutboundTarget> {
    return resolveBlueBubblesTarget(to);
  }

  async send(msg: OutboundMessage): Promise<string[]> {
    try {
      const chatGuid = resolveBlueBubblesTarget(msg.chatId).chatId;
      const ids: string[] = [];
      for (const [i, chunk] of chunkText(msg.text, this.textLimit).entries())
        ids.push(await this.rest.sendText(chatGuid, chunk, i === 0 ? msg.replyTo : undefined));
      for (const id of ids) this.peers.sentByMe(id);
      return ids;
    } catch (err) {
      this.health.note(err);
      throw err;
    }
  }

  /** The iMessage typing bubble in the message's chat (see {@link BlueBubblesRest.startTyping}). */
  async sendTyping(target: { readonly chatId: string }): Promise<void> {
    await this.rest.startTyping(resolveBlueBubblesTarget(target.chatId).chatId);
  }

  async fetchMedia(ref: MediaRef, maxBytes: number): Promise<{ bytes: Uint8Array; extension?: string }> {
    refuseOversized("imessage attachment", ref.sizeBytes, maxBytes);
    const url = this.rest.url(`attachment/${encodeURIComponent(ref.fileId)}/download`);
    const bytes = await downloadBounded(url, { what: "imessage attachment", maxBytes });
    const ext = extensionOf(ref.fileName);
    return { bytes, ...(ext ? { extension: ext } : {}) };
  }

  publicRoutes(app: Hono): void {
    mountBlueBubblesWebhook(app, {
      basePath: this.settings.webhook.basePath,
      path: this.settings.webhook.path,
      ready: () => this.health.current === "running" || this.health.current === "retrying",
      deliver: (body) => this.offer([body as BlueBubblesEvent]),
      refused: () => this.log.debug({ accountId: this.accountId }, "bluebubbles webhook refused: wrong path"),
    });
  }

  status(): AdapterStatus {
    const me = [...this.peers.self.addresses][0];
    return this.health.status({ mode: "webhook", ...(me ? { botUsername: me } : {}) });
  }

  private get log(): Logger {
    return this.deps.log;
  }

  /**
   * Reaches the server (ping, retried with jittered backoff while it is unreachable), on the first
   * contact learns the bot's addresses, after an outage catches up on what was missed, then schedules
   * the next check. @throws what cannot be retried (a rejected password)
   */
  private async connect(first: boolean): Promise<void> {
    const since = this.lastContact;
    let failed = false;
    const reached = await untilSuccess(
      async (signal) => {
        await this.rest.call("GET", "ping", undefined, signal);
        return true;
      },
      {
        signal: this.controller.signal,
        clock: this.deps.clock,
        verdict: blueBubblesRetryVerdict,
        onRetry: (attempt, delayMs, err) => {
          failed = true;
          this.retrying(attempt, delayMs, err);
        },
      },
    );
    if (!reached) return;
    if (first) await this.peers.learnSelf().catch(() => undefined);
    if (failed && !first) await this.catchUp(since).catch((err: unknown) => this.health.note(err));
    this.touch();
    this.health.running();
    if (first) {
      this.inbound?.open();
      this.log.info({ accountId: this.accountId }, "bluebubbles server reached; webhook ready");
    } else if (failed) this.log.info({ accountId: this.accountId }, "bluebubbles server reachable again");
    this.schedulePing();
  }

  private schedulePing(): void {
    if (this.controller.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.loop = this.connect(false).catch((err: unknown) => this.fail(err));
    }, this.opts.pingMs ?? BLUEBUBBLES_PING_MS);
    this.timer.unref();
  }

  private touch(): void {
    this.lastContact = this.deps.clock.now();
  }

  /** Queues the messages that arrived since `since` (ms) and were not queued yet (webhooks lost meanwhile). */
  private async catchUp(since: number): Promise<void> {
    const after = Math.max(0, since - CATCH_UP_MARGIN_MS);
    const rows = await this.rest.call<BlueBubblesMessage[]>("POST", "message/query", {
      after,
      sort: "ASC",
      limit: CATCH_UP_LIMIT,
      with: ["chat", "handle", "attachment"],
    });
    const events = (rows ?? []).map((data) => ({ type: "new-message", data }));
    if (events.length > 0 && !this.offer(events))
      throw new HoldfastError("HF_CHANNEL_REFUSED", "missed messages could not be queued");
  }

  /** Queues webhook events meant for the bot (keyed by message guid); true when stored or not for the bot. */
  private offer(events: readonly BlueBubblesEvent[]): boolean {
    const items = events.flatMap((ev) => {
      const msg = this.normalize(ev);
      return msg ? [{ updateId: msg.updateId, payload: ev }] : [];
    });
    return this.inbound?.offer(items, { bounded: true }) === true;
  }

  private async handle(ev: BlueBubblesEvent): Promise<void> {
    const msg = this.normalize(ev);
    if (!msg || !this.sink) return;
    const name = await this.peers.nameOf(msg.senderId);
    await this.sink(name ? { ...msg, senderName: name } : msg);
  }

  private normalize(ev: BlueBubblesEvent) {
    return normalizeBlueBubblesEvent(ev, {
      self: this.peers.self,
      accountId: this.accountId,
      now: this.deps.clock.now(),
    });
  }

  private retrying(attempt: number, delayMs: number, err: unknown): void {
    this.health.retrying(describe(err));
    if (attempt === 1 || attempt % 10 === 0)
      this.log.warn(
        { accountId: this.accountId, attempt, delayMs, err: describe(err) },
        "bluebubbles server unreachable; retrying with backoff",
      );
  }

  private fail(err: unknown): void {
    const f = classifyBlueBubblesError(err);
    const why =
      f.code === "HF_CHANNEL_AUTH"
        ? `the BlueBubbles server rejected the password; check ${this.settings.configPath}.password`
        : `the BlueBubbles server refused a request (${describe(err)}); check ${this.settings.configPath}.serverUrl`;
    this.health.failed(f.code, why);
    this.log.error(
      { accountId: this.accountId, code: f.code },
      `bluebubbles account "${this.accountId}" stopped: ${why}`,
    );
  }
}

function describe(err: unknown): string {
  const f = classifyBlueBubblesError(err);
  return f.kind === "retry"
    ? f.code === "HF_CHANNEL_NETWORK"
      ? "server not reachable"
      : "server busy or failing"
    : f.detail;
}
