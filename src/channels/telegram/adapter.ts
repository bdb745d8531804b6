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
 * ({@link UpdateLedger}), every Bot API call bounded (`requestTimeoutSec`, plus a watchdog on
 * `getUpdates`), reconnect with backoff through network failures, 5xx, 429 and 409 (shown in
 * `status()` until it clears), a single clear error and a stop on 401, replies split at 4096
 * characters, media downloads bounded by size.
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
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
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
    this.ledger = await UpdateLedger.open(
      path.join(this.deps.stateDir, "telegram", `update-offset-${this.accountId}.json`),
    );
    this.state = "connecting";
    this.loop = this.run().catch((err: unknown) => this.fail(err));
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
    await this.queue;
    if (this.state !== "failed") this.state = "stopped";
  }

  send(msg: OutboundMessage): Promise<string[]> {
    return sendTelegramText(this.api, msg, this.textLimit, this.deps.clock);
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
      offset: () => this.ledger?.nextOffset(),
      handle: (u) => this.handleUpdate(u),
      onRetry: (attempt, delayMs, err) => this.retrying(attempt, delayMs, err),
      onRunning: () => this.receiving(),
    });
  }

  private enqueue(update: Update): boolean {
    if (this.queued >= WEBHOOK_QUEUE_MAX) return false;
    this.queued++;
    this.queue = this.queue.then(() => this.handleUpdate(update)).finally(() => this.queued--);
    return true;
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

  /** Records a failure for `status()`, with the bot token masked should any message carry it. */
  private note(code: string, message: string): void {
    const now = this.deps.clock.now();
    this.errorCode = code;
    this.sinceMs ??= now;
    this.lastError = { code, message: message.replaceAll(this.settings.token, "<bot token>").slice(0, 300), atMs: now };
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
