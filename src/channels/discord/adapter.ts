import { Events, type Client, type Message } from "discord.js";
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
import { downloadBounded, extensionOf, refuseOversized } from "../download.js";
import { DurableInbound } from "../durable-inbound.js";
import { AdapterHealth } from "../health.js";
import type { AdapterDeps } from "../plugin-types.js";
import { untilSuccess } from "../reconnect.js";
import { createDiscordClient, FATAL_CLOSE_CODES, messageFacts, ReconnectBackoff } from "./gateway.js";
import { normalizeDiscordMessage, type DiscordMessageFacts } from "./normalize.js";
import { classifyDiscordError, createDiscordRest, discordRetryVerdict, DiscordRest } from "./rest.js";
import type { DiscordAccountSettings } from "./settings.js";

/** Hosts attachments are downloaded from (besides the configured REST base's host). */
const CDN_HOSTS = new Set(["cdn.discordapp.com", "media.discordapp.net"]);

/**
 * One Discord bot account on discord.js 14: REST on `apiRoot` (the gateway URL comes from
 * `GET /gateway/bot`, so the whole client follows it), the gateway with HELLO/IDENTIFY/heartbeats and
 * RESUME handled by discord.js, reconnect attempts spaced with jittered backoff, and only the intents
 * the settings need. Implements the {@link ChannelAdapter} contract: one clear error and a stop on a fatal close code (bad token, disallowed intents),
 * replies split at 2000 characters, attachments downloaded from Discord's CDN within `mediaMaxMb`.
 *
 * Delivery is at least once and restart safe ({@link DurableInbound}): every `MESSAGE_CREATE` meant
 * for the bot is queued in the account's durable inbound queue, keyed by its message id, before it is
 * handled; a message id seen before (a RESUME replay, a redelivery) is dropped.
 */
export class DiscordAdapter implements ChannelAdapter {
  readonly channel = "discord";
  readonly accountId: string;
  readonly textLimit: number;
  private readonly rest: DiscordRest;
  private readonly health: AdapterHealth;
  private readonly controller = new AbortController();
  private readonly backoff: ReconnectBackoff;
  private client: Client | undefined;
  private inbound: DurableInbound | undefined;
  private sink: InboundSink | undefined;
  private loop: Promise<void> | undefined;
  /** Set when the gateway closed with a fatal code (retrying cannot help). */
  private fatal: HoldfastError | undefined;

  constructor(
    private readonly settings: DiscordAccountSettings,
    private readonly deps: AdapterDeps,
  ) {
    this.accountId = settings.accountId;
    this.textLimit = settings.textLimit;
    this.rest = new DiscordRest(createDiscordRest(settings.token, settings.apiRoot), deps.clock);
    this.health = new AdapterHealth(deps.clock, [settings.token]);
    this.backoff = new ReconnectBackoff(deps.clock, this.controller.signal, (attempt, delayMs) =>
      this.retrying(attempt, delayMs, "gateway connection failed"),
    );
  }

  async start(sink: InboundSink): Promise<void> {
    if (this.loop) return;
    this.sink = sink;
    this.inbound = new DurableInbound({
      queue: this.deps.queues(this.accountId).inbound,
      log: this.log,
      scrub: (err) => this.health.scrub(err),
      process: (payload) => this.handle(payload as DiscordMessageFacts),
    });
    this.health.connecting();
    this.loop = this.run().catch((err: unknown) => this.fail(err));
  }

  async stop(): Promise<void> {
    if (this.controller.signal.aborted) return;
    this.controller.abort();
    await this.client?.destroy().catch(() => undefined);
    await this.loop;
    await this.inbound?.stop();
    this.health.stopped();
  }

  resolveTarget(to: string): Promise<OutboundTarget> {
    return this.rest.resolveTarget(to);
  }

  async send(msg: OutboundMessage): Promise<string[]> {
    try {
      return await this.rest.send(msg, this.textLimit);
    } catch (err) {
      this.health.note(err);
      throw err;
    }
  }

  /** Discord's typing indicator in the message's channel or thread (see {@link DiscordRest.sendTyping}). */
  sendTyping(target: { readonly chatId: string; readonly threadId?: string }): Promise<void> {
    return this.rest.sendTyping(target);
  }

  async fetchMedia(ref: MediaRef, maxBytes: number): Promise<{ bytes: Uint8Array; extension?: string }> {
    refuseOversized("discord attachment", ref.sizeBytes, maxBytes);
    if (!ref.url || !this.isDiscordHost(ref.url))
      throw new HoldfastError("HF_CHANNEL_MEDIA", "discord attachment has no URL on Discord's CDN");
    const bytes = await downloadBounded(ref.url, { what: "discord attachment", maxBytes });
    const ext = extensionOf(ref.fileName);
    return { bytes, ...(ext ? { extension: ext } : {}) };
  }

  status(): AdapterStatus {
    const name = this.client?.user?.username;
    return this.health.status({ mode: "gateway", ...(name ? { botUsername: name } : {}) });
  }

  private get log(): Logger {
    return this.deps.log;
  }

  private async run(): Promise<void> {
    const client = createDiscordClient({
      apiRoot: this.settings.apiRoot,
      intents: this.settings.intents,
      backoff: this.backoff,
    });
    this.client = client;
    this.watch(client);
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    const loggedIn = await untilSuccess(
      async () => {
        await client.login(this.settings.token).catch((err: unknown) => {
          throw this.fatal ?? err;
        });
        return true;
      },
      {
        signal: this.controller.signal,
        clock: this.deps.clock,
        verdict: (err) => (err === this.fatal ? { retry: false } : discordRetryVerdict(err)),
        onRetry: (attempt, delayMs, err) => this.retrying(attempt, delayMs, describe(err)),
      },
    );
    if (!loggedIn) return;
    await ready;
  }

  /** Follows the client's connection: ready, resumed, reconnecting, or closed for good. */
  private watch(client: Client): void {
    client.on(Events.ClientReady, (c) => {
      this.backoff.connected();
      this.health.running();
      this.inbound?.open();
      this.log.info({ accountId: this.accountId, bot: c.user.username }, "discord bot connected");
    });
    client.on(Events.ShardResume, () => {
      this.backoff.connected();
      this.health.running();
      this.log.info({ accountId: this.accountId }, "discord gateway session resumed");
    });
    client.on(Events.ShardReady, () => {
      this.backoff.connected();
      if (client.isReady()) this.health.running();
    });
    client.on(Events.ShardReconnecting, () => {
      if (this.controller.signal.aborted) return;
      this.health.retrying("gateway connection lost");
      this.log.warn({ accountId: this.accountId }, "discord gateway connection lost; reconnecting");
    });
    client.on(Events.ShardDisconnect, (ev) => {
      const fatal = FATAL_CLOSE_CODES[ev.code];
      if (!fatal || this.controller.signal.aborted) return;
      this.fatal = new HoldfastError(fatal.code, `${fatal.why} (gateway close ${ev.code})`, { closeCode: ev.code });
      if (client.isReady()) this.fail(this.fatal);
    });
    client.on(Events.Error, (err) => this.log.warn({ accountId: this.accountId, err: this.health.scrub(err) }));
    client.on(Events.ShardError, (err) => this.health.note(err));
    client.on(Events.MessageCreate, (m) => this.enqueue(m));
  }

  /** Queues a message meant for the bot (keyed by its id); others are dropped here. */
  private enqueue(m: Message): void {
    const botId = this.client?.user?.id;
    if (!botId) return;
    let facts: DiscordMessageFacts;
    try {
      facts = messageFacts(m);
    } catch (err) {
      return this.log.warn({ accountId: this.accountId, err: this.health.scrub(err) }, "discord message unreadable");
    }
    if (!this.normalize(facts, botId)) return;
    this.inbound?.offer([{ updateId: facts.id, payload: facts }], { bounded: true });
  }

  /** Normalizes a queued message and hands it to the sink (rejects with the sink's failure). */
  private async handle(facts: DiscordMessageFacts): Promise<void> {
    const botId = this.client?.user?.id;
    const msg = botId ? this.normalize(facts, botId) : undefined;
    if (msg && this.sink) await this.sink(msg);
  }

  private normalize(facts: DiscordMessageFacts, botId: string) {
    return normalizeDiscordMessage(facts, { botId, accountId: this.accountId, now: this.deps.clock.now() });
  }

  private isDiscordHost(url: string): boolean {
    try {
      const u = new URL(url);
      return (
        (u.protocol === "https:" && CDN_HOSTS.has(u.hostname)) || u.origin === new URL(this.settings.apiRoot).origin
      );
    } catch {
      return false;
    }
  }

  private retrying(attempt: number, delayMs: number, why: string): void {
    this.health.retrying(why);
    if (attempt === 1 || attempt % 10 === 0)
      this.log.warn(
        { accountId: this.accountId, attempt, delayMs, err: why },
        "discord unreachable; retrying with backoff",
      );
  }

  private fail(err: unknown): void {
    const { code, why } =
      err === this.fatal && this.fatal ? { code: this.fatal.code, why: this.fatal.message } : failureOf(err);
    this.health.failed(code, why);
    this.log.error({ accountId: this.accountId, code }, `discord account "${this.accountId}" stopped: ${why}`);
    void this.client?.destroy().catch(() => undefined);
  }
}

function failureOf(err: unknown): { code: string; why: string } {
  const f = classifyDiscordError(err);
  if (f.code === "HF_CHANNEL_AUTH")
    return { code: f.code, why: "Discord rejected the bot token; check channels.discord.token" };
  return {
    code: f.code,
    why: `Discord refused a request (${describe(err)}); check channels.discord settings (apiRoot)`,
  };
}

function describe(err: unknown): string {
  const f = classifyDiscordError(err);
  return f.kind === "retry" ? (f.code === "HF_CHANNEL_NETWORK" ? "network error" : "rate limited or 5xx") : f.detail;
}
