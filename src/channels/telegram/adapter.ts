import type { Api } from "grammy";
import type { Hono } from "hono";
import type { Update, UserFromGetMe } from "grammy/types";
import { errorMessage, isHoldfastError } from "../../errors/index.js";
import { isStorageFault, type ChannelQueues, type InboundQueue } from "../../store/index.js";
import type { Clock } from "../../infra/index.js";
import type { Logger } from "../../logging/index.js";
import type {
  AdapterStatus,
  ChannelAdapter,
  ChannelError,
  InboundSink,
  MediaRef,
  OutboundMessage,
} from "../adapter.js";
import { untilSuccess } from "../reconnect.js";
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
import { mountTelegramWebhook } from "./webhook.js";

/** Most webhook updates waiting to be handled before deliveries get 503. */
const WEBHOOK_QUEUE_MAX = 1000;
/** Wait before queued updates are handed over again after a storage fault (ms). */
const STORAGE_RETRY_MS = 2_000;

/** Dependencies of {@link TelegramAdapter}. */
export interface TelegramAdapterDeps {
  readonly log: Logger;
  readonly clock: Clock;
  /** The durable inbound queue (and outbox) of an account, in the state store. */
  readonly queues: (accountId: string) => ChannelQueues;
}

/**
 * One Telegram bot account on grammY's Bot API client (`apiRoot` from config), in long-polling or
 * webhook mode. Implements the {@link ChannelAdapter} contract: every Bot API call bounded
 * (`requestTimeoutSec`, plus a watchdog on `getUpdates`), reconnect with backoff through network
 * failures, 5xx, 429 and 409 (shown in `status()` until it clears), a single clear error and a stop on
 * 401, replies split at 4096 characters, media downloads bounded by size.
 *
 * Delivery is at least once and restart safe: a `getUpdates` batch (or a webhook delivery) is queued
 * in the account's durable inbound queue — and the next offset stored — in one commit before Telegram
 * is told it was received (the next `getUpdates` offset, or the webhook's 200). Queued updates are
 * then handed to the sink in order and marked handled only after it returns; after a crash they are
 * handed over again (the run ledger turns a repeat into the same run). Update ids seen before are
 * dropped.
 */
export class TelegramAdapter implements ChannelAdapter {
  readonly channel = "telegram";
  readonly accountId: string;
  readonly textLimit: number;
  private readonly api: Api;
  private readonly controller = new AbortController();
  private me: UserFromGetMe | undefined;
  private inbound: InboundQueue | undefined;
  private draining: Promise<void> | undefined;
  private drainAgain = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private sink: InboundSink | undefined;
  private loop: Promise<void> | undefined;
  private state: AdapterStatus["state"] = "idle";
  private errorCode: string | undefined;
  private sinceMs: number | undefined;
  private lastError: ChannelError | undefined;

  constructor(
    private readonly settings: TelegramAccountSettings,
    private readonly deps: TelegramAdapterDeps,
  ) {
    this.accountId = settings.accountId;
    this.textLimit = settings.textLimit;
    this.api = createBotApi(settings.token, settings.apiRoot, settings.requestTimeoutSec);
  }

  async start(sink: InboundSink): Promise<void> {
    if (this.loop) return;
    this.sink = sink;
    this.inbound = this.deps.queues(this.accountId).inbound;
    this.state = "connecting";
    this.loop = this.run().catch((err: unknown) => this.fail(err));
  }

  async stop(): Promise<void> {
    this.controller.abort();
    clearTimeout(this.retryTimer);
    await this.loop;
    while (this.draining) await this.draining;
    if (this.state !== "failed") this.state = "stopped";
  }

  /** Sends a reply; a failure is also kept as the account's `lastError` (receiving is not affected). */
  send(msg: OutboundMessage): Promise<string[]> {
    return sendTelegramText(this.api, msg, this.textLimit, this.deps.clock).catch((err: unknown) => {
      this.lastError = this.errorOf(isHoldfastError(err) ? err.code : "HF_CHANNEL_SEND", errorMessage(err));
      throw err;
    });
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
      ready: () => this.state === "running" && !this.controller.signal.aborted,
      enqueue: (u) => this.enqueue(u),
    });
  }

  status(): AdapterStatus {
    return {
      state: this.state,
      mode: this.settings.mode,
      ...(this.errorCode ? { errorCode: this.errorCode } : {}),
      ...(this.sinceMs !== undefined ? { sinceMs: this.sinceMs } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
      ...(this.me ? { botUsername: this.me.username } : {}),
    };
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
    this.kickDrain();
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
      if (set) this.receiving();
      return;
    }
    await pollUpdates({
      api: this.api,
      clock: this.deps.clock,
      signal,
      timeoutSec: this.settings.pollingTimeoutSec,
      requestTimeoutSec: this.settings.requestTimeoutSec,
      offset: () => this.nextOffset(),
      accept: (updates) => this.accept(updates),
      onRetry: (attempt, delayMs, err) => this.retrying(attempt, delayMs, err),
      onRunning: () => this.receiving(),
    });
  }

  /** `getUpdates` offset: the stored cursor (one past the last queued update). */
  private nextOffset(): number | undefined {
    try {
      const c = this.inbound?.cursor();
      return c === undefined ? undefined : Number(c);
    } catch {
      return undefined;
    }
  }

  /** Queues a `getUpdates` batch (and its next offset) in one commit, then hands it over. */
  private async accept(updates: readonly Update[]): Promise<void> {
    if (updates.length === 0 || !this.inbound) return;
    const next = Math.max(...updates.map((u) => u.update_id)) + 1;
    try {
      this.inbound.enqueue(
        updates.map((u) => ({ updateId: String(u.update_id), payload: u })),
        String(next),
      );
    } catch (err) {
      // Not confirmed to Telegram (the offset did not move): the same updates come again.
      this.log.warn({ accountId: this.accountId, err: errorMessage(err) }, "telegram updates not queued; retrying");
      await this.deps.clock.sleep(STORAGE_RETRY_MS, this.controller.signal).catch(() => undefined);
      return;
    }
    this.kickDrain();
    await this.draining;
  }

  /** Webhook delivery: queued durably before the 200 (false → 503, Telegram delivers again). */
  private enqueue(update: Update): boolean {
    if (!this.inbound) return false;
    try {
      if (this.inbound.stats().queued >= WEBHOOK_QUEUE_MAX) return false;
      this.inbound.enqueue([{ updateId: String(update.update_id), payload: update }]);
    } catch (err) {
      this.log.warn({ accountId: this.accountId, err: errorMessage(err) }, "telegram webhook update not queued");
      return false;
    }
    this.kickDrain();
    return true;
  }

  private kickDrain(): void {
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.drainAgain) {
        this.drainAgain = false;
        this.kickDrain();
      }
    });
  }

  /** Hands queued updates to the sink in order; each is marked handled after the sink returns. Never throws. */
  private async drain(): Promise<void> {
    const inbound = this.inbound;
    if (!inbound || !this.me || !this.sink) return;
    for (;;) {
      let item;
      try {
        item = inbound.pending(1)[0];
      } catch {
        return this.retryDrain();
      }
      if (!item) return;
      try {
        const msg = normalizeTelegramUpdate(item.payload as Update, this.me, this.accountId, this.deps.clock.now());
        if (msg) await this.sink(msg);
        inbound.done(item.seq);
      } catch (err) {
        if (isStorageFault(err)) {
          this.log.warn(
            { accountId: this.accountId, updateId: item.updateId, err: errorMessage(err) },
            "telegram update kept queued: the state store cannot take it now",
          );
          return this.retryDrain();
        }
        this.log.error(
          { accountId: this.accountId, updateId: item.updateId, err: errorMessage(err) },
          "telegram update failed",
        );
        try {
          inbound.failed(item.seq, errorMessage(err));
        } catch {
          return this.retryDrain();
        }
      }
    }
  }

  private retryDrain(): void {
    if (this.retryTimer || this.controller.signal.aborted) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.kickDrain();
    }, STORAGE_RETRY_MS);
    this.retryTimer.unref();
  }

  /** A Bot API call failed and will be retried: `retrying` with the error until {@link receiving}. */
  private retrying(attempt: number, delayMs: number, err: unknown): void {
    const f = classifyCallError(err);
    const changed = this.errorCode !== f.code;
    this.state = "retrying";
    this.note(f.code, f.kind === "retry" ? f.detail : errorMessage(err));
    if (!changed && attempt % 10 !== 0) return;
    const fields = { accountId: this.accountId, code: f.code, attempt, delayMs, err: this.lastError?.message };
    if (f.code === "HF_CHANNEL_CONFLICT")
      this.log.error(
        fields,
        "telegram: another process is receiving this bot's updates (a second gateway polling the same token, or a webhook set elsewhere); stop it — retrying with backoff until it does",
      );
    else this.log.warn({ ...fields, ...causeOf(err) }, "telegram Bot API call failed; retrying with backoff");
  }

  /** Updates flow (a poll answered, or the webhook is set): clears the current problem. */
  private receiving(): void {
    if (this.state === "retrying" && this.sinceMs !== undefined)
      this.log.info(
        { accountId: this.accountId, code: this.errorCode, downMs: this.deps.clock.now() - this.sinceMs },
        "telegram account receiving again",
      );
    this.state = "running";
    this.errorCode = undefined;
    this.sinceMs = undefined;
  }

  /** Records a receiving failure for `status()` (current problem and last error). */
  private note(code: string, message: string): void {
    this.lastError = this.errorOf(code, message);
    this.errorCode = code;
    this.sinceMs ??= this.lastError.atMs;
  }

  /** A `lastError` entry, with the bot token masked should any message carry it. */
  private errorOf(code: string, message: string): ChannelError {
    const masked = message.replaceAll(this.settings.token, "<bot token>").slice(0, 300);
    return { code, message: masked, atMs: this.deps.clock.now() };
  }

  private fail(err: unknown): void {
    const f = classifyCallError(err);
    const code = f.kind === "fatal" ? f.code : "HF_CHANNEL_CONFIG";
    this.state = "failed";
    this.note(code, f.detail);
    const why =
      code === "HF_CHANNEL_AUTH"
        ? "Telegram rejected the bot token; check the token and restart the gateway"
        : "the Bot API refused a request; check channels.telegram settings (apiRoot, webhookUrl)";
    this.log.error(
      { accountId: this.accountId, code, detail: this.lastError?.message },
      `telegram account "${this.accountId}" stopped: ${why}`,
    );
  }
}

/** The cause grammY wraps inside an HttpError (network failures), for the log. */
function causeOf(err: unknown): { cause?: string } {
  const inner = (err as { error?: unknown })?.error;
  return inner === undefined ? {} : { cause: errorMessage(inner) };
}
