import path from "node:path";
import type { Api } from "grammy";
import type { Hono } from "hono";
import type { Update, UserFromGetMe } from "grammy/types";
import { errorMessage } from "../../errors/index.js";
import type { Clock } from "../../infra/index.js";
import type { Logger } from "../../logging/index.js";
import type {
  AdapterStatus,
  ChannelAdapter,
  InboundSink,
  MediaRef,
  OutboundMessage,
  OutboundTarget,
} from "../adapter.js";
import { AdapterHealth } from "../health.js";
import { untilSuccess } from "../reconnect.js";
import { SerialQueue } from "../serial-queue.js";
import {
  classifyCallError,
  createBotApi,
  downloadTelegramFile,
  grammySignal,
  retryVerdict,
  sendTelegramText,
} from "./bot-api.js";
import { normalizeTelegramUpdate } from "./normalize.js";
import { pollUpdates } from "./polling.js";
import type { TelegramAccountSettings } from "./settings.js";
import { UpdateLedger } from "./update-ledger.js";
import { mountTelegramWebhook } from "./webhook.js";

/** Most webhook updates waiting to be handled before deliveries get 503. */
const WEBHOOK_QUEUE_MAX = 1000;

/** Dependencies of {@link TelegramAdapter}. */
export interface TelegramAdapterDeps {
  readonly log: Logger;
  readonly clock: Clock;
  /** holdfast state dir (the update ledger lives in `<stateDir>/telegram/`). */
  readonly stateDir: string;
}

/**
 * One Telegram bot account on grammY's Bot API client (`apiRoot` from config), in long-polling or
 * webhook mode. Implements the {@link ChannelAdapter} contract: restart-safe update deduplication
 * ({@link UpdateLedger}), reconnect with backoff, a single clear error and a stop on 401/409, replies
 * split at 4096 characters, media downloads bounded by size.
 */
export class TelegramAdapter implements ChannelAdapter {
  readonly channel = "telegram";
  readonly accountId: string;
  readonly textLimit: number;
  private readonly api: Api;
  private readonly controller = new AbortController();
  private me: UserFromGetMe | undefined;
  private ledger: UpdateLedger | undefined;
  private sink: InboundSink | undefined;
  private loop: Promise<void> | undefined;
  private readonly queue = new SerialQueue(WEBHOOK_QUEUE_MAX);
  private readonly health: AdapterHealth;

  constructor(
    private readonly settings: TelegramAccountSettings,
    private readonly deps: TelegramAdapterDeps,
  ) {
    this.accountId = settings.accountId;
    this.textLimit = settings.textLimit;
    this.api = createBotApi(settings.token, settings.apiRoot);
    this.health = new AdapterHealth(deps.clock, [
      settings.token,
      ...(settings.webhook ? [settings.webhook.secret] : []),
    ]);
  }

  async start(sink: InboundSink): Promise<void> {
    if (this.loop) return;
    this.sink = sink;
    this.ledger = await UpdateLedger.open(
      path.join(this.deps.stateDir, "telegram", `update-offset-${this.accountId}.json`),
    );
    this.health.connecting();
    this.loop = this.run().catch((err: unknown) => this.fail(err));
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
    await this.queue.drain();
    this.health.stopped();
  }

  /** Telegram chat ids: a positive id is a user (their DM); negative ids and `@channel` names are groups. */
  async resolveTarget(to: string): Promise<OutboundTarget> {
    const id = to.trim().replace(/^(telegram|tg):/i, "");
    return /^\d{1,20}$/.test(id)
      ? { recipient: { chatType: "direct", userId: id }, chatId: id }
      : { recipient: { chatType: "group", chatId: id }, chatId: id };
  }

  async send(msg: OutboundMessage): Promise<string[]> {
    try {
      return await sendTelegramText(this.api, msg, this.textLimit, this.deps.clock);
    } catch (err) {
      this.health.note(err);
      throw err;
    }
  }

  fetchMedia(ref: MediaRef, maxBytes: number): Promise<{ bytes: Uint8Array; extension?: string }> {
    return downloadTelegramFile(
      { api: this.api, token: this.settings.token, apiRoot: this.settings.apiRoot },
      ref,
      maxBytes,
    );
  }

  publicRoutes(app: Hono): void {
    const hook = this.settings.webhook;
    if (!hook) return;
    mountTelegramWebhook(app, {
      path: hook.path,
      secret: hook.secret,
      ready: () => this.health.current === "running" && !this.controller.signal.aborted,
      enqueue: (u) => this.enqueue(u),
    });
  }

  status(): AdapterStatus {
    return this.health.status({ mode: this.settings.mode, ...(this.me ? { botUsername: this.me.username } : {}) });
  }

  private get log(): Logger {
    return this.deps.log;
  }

  private async run(): Promise<void> {
    const signal = this.controller.signal;
    const opts = {
      signal,
      clock: this.deps.clock,
      verdict: retryVerdict,
      onRetry: (attempt: number, delayMs: number, err: unknown) => this.retrying(attempt, delayMs, err),
    };
    this.me = await untilSuccess((s) => this.api.getMe(grammySignal(s)), opts);
    if (!this.me) return;
    this.log.info(
      { accountId: this.accountId, bot: this.me.username, mode: this.settings.mode },
      "telegram bot connected",
    );
    const hook = this.settings.webhook;
    if (hook) {
      const set = await untilSuccess(
        (s) =>
          this.api.setWebhook(hook.url, { secret_token: hook.secret, allowed_updates: ["message"] }, grammySignal(s)),
        opts,
      );
      if (set) this.health.running();
      return;
    }
    await pollUpdates({
      api: this.api,
      clock: this.deps.clock,
      signal,
      timeoutSec: this.settings.pollingTimeoutSec,
      offset: () => this.ledger?.nextOffset(),
      handle: (u) => this.handleUpdate(u),
      onRetry: (attempt, delayMs, err) => this.retrying(attempt, delayMs, err),
      onRunning: () => this.health.running(),
    });
  }

  private enqueue(update: Update): boolean {
    return this.queue.push(() => this.handleUpdate(update));
  }

  /** Dedupe (mark first: at most once), normalize, hand to the sink. Never throws. */
  private async handleUpdate(update: Update): Promise<void> {
    try {
      const ledger = this.ledger;
      if (!ledger || !this.me || !this.sink) return;
      if (!ledger.isNew(update.update_id)) {
        this.log.debug(
          { accountId: this.accountId, updateId: update.update_id, reason: "duplicate_update" },
          "telegram update skipped",
        );
        return;
      }
      await ledger.mark(update.update_id);
      const msg = normalizeTelegramUpdate(update, this.me, this.accountId, this.deps.clock.now());
      if (msg) await this.sink(msg);
    } catch (err) {
      this.log.error(
        { accountId: this.accountId, updateId: update.update_id, err: errorMessage(err) },
        "telegram update failed",
      );
    }
  }

  private retrying(attempt: number, delayMs: number, err: unknown): void {
    this.health.retrying(this.causeOf(err).cause ?? err);
    if (attempt === 1 || attempt % 10 === 0)
      this.log.warn(
        { accountId: this.accountId, attempt, delayMs, err: this.health.scrub(err), ...this.causeOf(err) },
        "telegram Bot API unreachable; retrying with backoff",
      );
  }

  /** The cause grammY wraps inside an HttpError (network failures), scrubbed (its message holds the URL). */
  private causeOf(err: unknown): { cause?: string } {
    const inner = (err as { error?: unknown })?.error;
    return inner === undefined ? {} : { cause: this.health.scrub(inner) };
  }

  private fail(err: unknown): void {
    const f = classifyCallError(err);
    const code = f.kind === "fatal" ? f.code : "HF_CHANNEL_CONFIG";
    const detail = f.kind === "retry" ? this.health.scrub(err) : f.detail;
    this.health.failed(code, detail);
    const why =
      code === "HF_CHANNEL_CONFLICT"
        ? "another process is receiving this bot's updates (a second gateway polling the same token, or a webhook set elsewhere); stop it, then restart the gateway"
        : code === "HF_CHANNEL_AUTH"
          ? "Telegram rejected the bot token; check the token and restart the gateway"
          : "the Bot API refused a request; check channels.telegram settings (apiRoot, webhookUrl)";
    this.log.error({ accountId: this.accountId, code, detail }, `telegram account "${this.accountId}" stopped: ${why}`);
  }
}
