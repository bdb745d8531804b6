import type { SocketModeReceiver } from "@slack/bolt";
import type { Hono } from "hono";
import { HoldfastError, isHoldfastError } from "../../errors/index.js";
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
import { untilSuccess, type RetryVerdict, type UntilSuccessOptions } from "../reconnect.js";
import { createBoltApp, dispatchToBolt, type BoltConnection } from "./bolt-app.js";
import { mountSlackEvents } from "./events-route.js";
import { normalizeSlackEvent, type SlackMessageEvent } from "./normalize.js";
import type { SlackAccountSettings } from "./settings.js";
import {
  classifySlackError,
  createSlackClient,
  resolveSlackTarget,
  sendSlackText,
  slackClientOptions,
  slackLibraryLogger,
  slackRetryVerdict,
  SlackUserNames,
  type WebClient,
} from "./web-api.js";

/** Hosts a file download may send the bot token to (besides the configured Web API's host). */
const FILE_HOSTS = new Set(["files.slack.com", "slack.com"]);

/**
 * One Slack app account on `@slack/bolt`: Socket Mode through Bolt's receiver (reconnected with
 * jittered backoff when the socket drops), or the HTTP Events API on the gateway's port (verified
 * before Bolt sees it). Implements the {@link ChannelAdapter} contract: a single clear error and a stop when Slack rejects a token, replies in-thread and
 * split at `textLimit`, file downloads bounded by size (the bot token is sent to Slack's hosts only).
 *
 * Delivery is at least once and restart safe ({@link DurableInbound}): every `event_callback` body is
 * queued in the account's durable inbound queue, keyed by its `event_id`, before Slack is told it
 * arrived (the Socket Mode ack, or the Events API 200); queued bodies then run through Bolt's
 * middleware and listeners in order. A redelivered event id is dropped.
 */
export class SlackAdapter implements ChannelAdapter {
  readonly channel = "slack";
  readonly accountId: string;
  readonly textLimit: number;
  private readonly client: WebClient;
  private readonly names: SlackUserNames;
  private readonly health: AdapterHealth;
  private readonly controller = new AbortController();
  private readonly libLogger;
  private me: { userId: string; botId?: string; name?: string } | undefined;
  private bolt: BoltConnection | undefined;
  private inbound: DurableInbound | undefined;
  private sink: InboundSink | undefined;
  private loop: Promise<void> | undefined;
  private reconnecting = false;

  constructor(
    private readonly settings: SlackAccountSettings,
    private readonly deps: AdapterDeps,
  ) {
    this.accountId = settings.accountId;
    this.textLimit = settings.textLimit;
    this.libLogger = slackLibraryLogger(deps.log);
    this.client = createSlackClient(settings.botToken, slackClientOptions(settings.apiUrl, this.libLogger));
    this.names = new SlackUserNames(this.client, deps.clock);
    this.health = new AdapterHealth(deps.clock, [
      settings.botToken,
      ...(settings.appToken ? [settings.appToken] : []),
      ...(settings.http ? [settings.http.signingSecret] : []),
    ]);
  }

  async start(sink: InboundSink): Promise<void> {
    if (this.loop) return;
    this.sink = sink;
    this.inbound = new DurableInbound({
      queue: this.deps.queues(this.accountId).inbound,
      log: this.log,
      scrub: (err) => this.health.scrub(err),
      process: async (payload) => {
        if (this.bolt) await dispatchToBolt(this.bolt.app, payload as Record<string, unknown>);
      },
    });
    this.health.connecting();
    this.loop = this.run().catch((err: unknown) => this.fail(err));
  }

  async stop(): Promise<void> {
    if (this.controller.signal.aborted) return;
    this.controller.abort();
    await this.bolt?.app.stop().catch(() => undefined);
    await this.loop;
    await this.inbound?.stop();
    this.health.stopped();
  }

  resolveTarget(to: string): Promise<OutboundTarget> {
    return resolveSlackTarget(this.client, to, this.deps.clock);
  }

  async send(msg: OutboundMessage): Promise<string[]> {
    try {
      return await sendSlackText(this.client, msg, { limit: this.textLimit, clock: this.deps.clock });
    } catch (err) {
      this.health.note(err);
      throw err;
    }
  }

  async fetchMedia(ref: MediaRef, maxBytes: number): Promise<{ bytes: Uint8Array; extension?: string }> {
    refuseOversized("slack file", ref.sizeBytes, maxBytes);
    if (!ref.url || !this.tokenMayGoTo(ref.url))
      throw new HoldfastError("HF_CHANNEL_MEDIA", "slack file has no download URL on a Slack host");
    const bytes = await downloadBounded(ref.url, {
      what: "slack file",
      maxBytes,
      headers: { Authorization: `Bearer ${this.settings.botToken}` },
    });
    const ext = extensionOf(ref.fileName);
    return { bytes, ...(ext ? { extension: ext } : {}) };
  }

  publicRoutes(app: Hono): void {
    const http = this.settings.http;
    if (!http) return;
    mountSlackEvents(app, {
      path: http.path,
      signingSecret: http.signingSecret,
      now: () => this.deps.clock.now(),
      ready: () => this.health.current === "running" && this.bolt?.mode === "http",
      deliver: (body) => this.bolt?.mode === "http" && this.offer(body),
      refused: (reason) => this.log.debug({ accountId: this.accountId, reason }, "slack events request refused"),
    });
  }

  status(): AdapterStatus {
    return this.health.status({ mode: this.settings.mode, ...(this.me?.name ? { botUsername: this.me.name } : {}) });
  }

  private get log(): Logger {
    return this.deps.log;
  }

  private retryOptions(verdict: (err: unknown) => RetryVerdict): UntilSuccessOptions {
    return {
      signal: this.controller.signal,
      clock: this.deps.clock,
      verdict,
      onRetry: (attempt, delayMs, err) => this.retrying(attempt, delayMs, err),
    };
  }

  private async run(): Promise<void> {
    const auth = await untilSuccess(() => this.client.auth.test(), this.retryOptions(slackRetryVerdict));
    if (!auth) return;
    if (typeof auth.user_id !== "string")
      throw new HoldfastError("HF_CHANNEL_REFUSED", "slack auth.test returned no user_id");
    this.me = {
      userId: auth.user_id,
      ...(typeof auth.bot_id === "string" ? { botId: auth.bot_id } : {}),
      ...(typeof auth.user === "string" ? { name: auth.user } : {}),
    };
    this.bolt = createBoltApp({
      settings: this.settings,
      botUserId: this.me.userId,
      ...(this.me.botId ? { botId: this.me.botId } : {}),
      clientOptions: slackClientOptions(this.settings.apiUrl, this.libLogger),
      libLogger: this.libLogger,
      onMessage: (ev, eventId) => this.handleEvent(ev, eventId),
      onEnvelope: (body, ack) => {
        if (this.offer(body))
          ack().catch((err: unknown) => this.log.warn({ accountId: this.accountId, err: this.health.scrub(err) }));
      },
    });
    this.inbound?.open();
    this.log.info({ accountId: this.accountId, bot: this.me.name, mode: this.settings.mode }, "slack app connected");
    if (this.bolt.mode === "http") return void this.health.running();
    if (await this.connectSocket(this.bolt.receiver)) this.watchSocket(this.bolt.receiver);
  }

  /** Opens the Socket Mode connection (retried with jittered backoff); true once Slack said hello. */
  private async connectSocket(receiver: SocketModeReceiver): Promise<boolean> {
    const ok = await untilSuccess(async () => {
      await receiver.client.start().catch((err: unknown) => {
        throw err ?? new HoldfastError("HF_CHANNEL_NETWORK", "slack Socket Mode connection closed before hello");
      });
      return true;
    }, this.retryOptions(socketVerdict));
    if (ok) this.health.running();
    return ok === true;
  }

  /** Reconnects when Slack (or the network) drops the socket, unless the account is stopping. */
  private watchSocket(receiver: SocketModeReceiver): void {
    receiver.client.on("disconnected", () => {
      if (this.controller.signal.aborted || this.reconnecting) return;
      this.reconnecting = true;
      this.health.retrying("Socket Mode connection lost");
      this.log.warn({ accountId: this.accountId }, "slack Socket Mode connection lost; reconnecting");
      void this.connectSocket(receiver)
        .catch((err: unknown) => this.fail(err))
        .finally(() => (this.reconnecting = false));
    });
  }

  /** Queues an `event_callback` body (keyed by its `event_id`); true once it is stored. */
  private offer(body: Record<string, unknown>): boolean {
    const ev = (body.event ?? {}) as SlackMessageEvent;
    const updateId = typeof body.event_id === "string" ? body.event_id : `${ev.channel ?? ""}:${ev.ts ?? ""}`;
    return this.inbound?.offer([{ updateId, payload: body }], { bounded: true }) === true;
  }

  /** Looks up the sender's names, normalizes, hands to the sink (rejects with the sink's failure). */
  private async handleEvent(ev: SlackMessageEvent, eventId: string | undefined): Promise<void> {
    const me = this.me;
    if (!me || !this.sink) return;
    const base = { accountId: this.accountId, botUserId: me.userId, now: this.deps.clock.now() };
    if (!normalizeSlackEvent(ev, { ...base, ...(me.botId ? { botId: me.botId } : {}) }))
      return this.log.debug({ accountId: this.accountId, eventId }, "slack event ignored");
    const names = await this.names.of(ev.user as string);
    const msg = normalizeSlackEvent(ev, { ...base, ...(me.botId ? { botId: me.botId } : {}), ...names });
    if (msg) await this.sink(msg);
  }

  private tokenMayGoTo(url: string): boolean {
    try {
      const u = new URL(url);
      const api = new URL(this.settings.apiUrl);
      return (u.protocol === "https:" && FILE_HOSTS.has(u.hostname)) || u.origin === api.origin;
    } catch {
      return false;
    }
  }

  private retrying(attempt: number, delayMs: number, err: unknown): void {
    this.health.retrying(describe(err));
    if (attempt === 1 || attempt % 10 === 0)
      this.log.warn(
        { accountId: this.accountId, attempt, delayMs, err: describe(err) },
        "slack unreachable; retrying with backoff",
      );
  }

  private fail(err: unknown): void {
    const f = classifySlackError(err);
    const code = f.kind === "fatal" ? f.code : isHoldfastError(err) ? err.code : f.code;
    this.health.failed(code, describe(err));
    const why =
      code === "HF_CHANNEL_AUTH"
        ? "Slack rejected a token (botToken or appToken); check them and restart the gateway"
        : "Slack refused a request; check channels.slack settings (slackApiUrl, app scopes)";
    this.log.error(
      { accountId: this.accountId, code, detail: describe(err) },
      `slack account "${this.accountId}" stopped: ${why}`,
    );
  }
}

/** Socket connection failures: a socket closed before hello is retried like a network failure. */
function socketVerdict(err: unknown): RetryVerdict {
  return isHoldfastError(err, "HF_CHANNEL_NETWORK") ? { retry: true } : slackRetryVerdict(err);
}

/** A short text of a Slack failure: the platform's error code, never the request. */
function describe(err: unknown): string {
  const f = classifySlackError(err);
  if (f.kind !== "retry") return f.detail;
  return isHoldfastError(err) ? err.message : f.code === "HF_CHANNEL_NETWORK" ? "network error" : "rate limited or 5xx";
}
