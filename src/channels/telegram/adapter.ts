import type { Api } from "grammy";
import type { Hono } from "hono";
import type { Update, UserFromGetMe } from "grammy/types";
import type { Logger } from "../../logging/index.js";
import type { ChannelQueues } from "../../store/index.js";
import type {
  AdapterStatus,
  ChannelAdapter,
  InboundSink,
  MediaRef,
  OutboundMessage,
  OutboundTarget,
} from "../adapter.js";
import { DurableInbound, INBOUND_STORAGE_RETRY_MS } from "../durable-inbound.js";
import { AdapterHealth } from "../health.js";
import type { AdapterDeps } from "../plugin-types.js";
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

/** Dependencies of {@link TelegramAdapter}: those of every adapter. */
export type TelegramAdapterDeps = AdapterDeps;

/**
 * One Telegram bot account on grammY's Bot API client (`apiRoot` from config), in long-polling or
 * webhook mode. Implements the {@link ChannelAdapter} contract: every Bot API call bounded
 * (`requestTimeoutSec`, plus a watchdog on `getUpdates`), reconnect with backoff through network
 * failures, 5xx, 429 and 409 (shown in `status()` until it clears), a single clear error and a stop on
 * 401, replies split at 4096 characters, media downloads bounded by size.
 *
 * Delivery is at least once and restart safe ({@link DurableInbound}): a `getUpdates` batch (or a
 * webhook delivery) is queued in the account's durable inbound queue — and the next offset stored —
 * in one commit before Telegram is told it was received (the next `getUpdates` offset, or the
 * webhook's 200). Update ids seen before are dropped.
 */
export class TelegramAdapter implements ChannelAdapter {
  readonly channel = "telegram";
  readonly accountId: string;
  readonly textLimit: number;
  private readonly api: Api;
  private readonly controller = new AbortController();
  private readonly health: AdapterHealth;
  private me: UserFromGetMe | undefined;
  private inbound: DurableInbound | undefined;
  private queues: ChannelQueues | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly settings: TelegramAccountSettings,
    private readonly deps: TelegramAdapterDeps,
  ) {
    this.accountId = settings.accountId;
    this.textLimit = settings.textLimit;
    this.api = createBotApi(settings.token, settings.apiRoot, settings.requestTimeoutSec);
    this.health = new AdapterHealth(deps.clock, [
      settings.token,
      ...(settings.webhook ? [settings.webhook.secret] : []),
    ]);
  }

  async start(sink: InboundSink): Promise<void> {
    if (this.loop) return;
    this.queues = this.deps.queues(this.accountId);
    this.inbound = new DurableInbound({
      queue: this.queues.inbound,
      log: this.log,
      scrub: (err) => this.health.scrub(err),
      process: async (payload) => {
        const me = this.me as UserFromGetMe;
        const msg = normalizeTelegramUpdate(payload as Update, me, this.accountId, this.deps.clock.now());
        if (msg) await sink(msg);
      },
    });
    this.health.connecting();
    this.loop = this.run().catch((err: unknown) => this.fail(err));
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
    await this.inbound?.stop();
    this.health.stopped();
  }

  /** Telegram chat ids: a positive id is a user (their DM); negative ids and `@channel` names are groups. */
  async resolveTarget(to: string): Promise<OutboundTarget> {
    const id = to.trim().replace(/^(telegram|tg):/i, "");
    return /^\d{1,20}$/.test(id)
      ? { recipient: { chatType: "direct", userId: id }, chatId: id }
      : { recipient: { chatType: "group", chatId: id }, chatId: id };
  }

  /** Sends a reply; a failure is also kept as the account's `lastError` (receiving is not affected). */
  async send(msg: OutboundMessage): Promise<string[]> {
    try {
      return await sendTelegramText(this.api, msg, this.textLimit, this.deps.clock);
    } catch (err) {
      this.health.note(err);
      throw err;
    }
  }

  /** `sendChatAction` "typing" (Telegram shows it for 5 s or until the next message). */
  async sendTyping(target: { readonly chatId: string; readonly threadId?: string }): Promise<void> {
    const thread = target.threadId !== undefined ? { message_thread_id: Number(target.threadId) } : {};
    await this.api.sendChatAction(target.chatId, "typing", thread);
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
      enqueue: (u) => this.inbound?.offer([{ updateId: String(u.update_id), payload: u }], { bounded: true }) === true,
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
    this.inbound?.open();
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
      const c = this.queues?.inbound.cursor();
      return c === undefined ? undefined : Number(c);
    } catch {
      return undefined;
    }
  }

  /** Queues a `getUpdates` batch (and its next offset) in one commit, then waits for its hand-over. */
  private async accept(updates: readonly Update[]): Promise<void> {
    const inbound = this.inbound;
    if (updates.length === 0 || !inbound) return;
    const next = Math.max(...updates.map((u) => u.update_id)) + 1;
    const items = updates.map((u) => ({ updateId: String(u.update_id), payload: u }));
    if (!inbound.offer(items, { cursor: String(next) })) {
      // Not confirmed to Telegram (the offset did not move): the same updates come again.
      await this.deps.clock.sleep(INBOUND_STORAGE_RETRY_MS, this.controller.signal).catch(() => undefined);
      return;
    }
    await inbound.idle();
  }

  /** A Bot API call failed and will be retried: `retrying` with the error until {@link receiving}. */
  private retrying(attempt: number, delayMs: number, err: unknown): void {
    const f = classifyCallError(err);
    const changed = this.health.retrying(f.kind === "retry" && f.detail ? f.detail : err, f.code);
    if (!changed && attempt % 10 !== 0) return;
    const fields = { accountId: this.accountId, code: f.code, attempt, delayMs, err: this.status().lastError?.message };
    if (f.code === "HF_CHANNEL_CONFLICT")
      this.log.error(
        fields,
        "telegram: another process is receiving this bot's updates (a second gateway polling the same token, or a webhook set elsewhere); stop it — retrying with backoff until it does",
      );
    else this.log.warn({ ...fields, ...this.causeOf(err) }, "telegram Bot API call failed; retrying with backoff");
  }

  /** Updates flow (a poll answered, or the webhook is set): clears the current problem. */
  private receiving(): void {
    const cleared = this.health.running();
    if (cleared) this.log.info({ accountId: this.accountId, ...cleared }, "telegram account receiving again");
  }

  /** The cause grammY wraps inside an HttpError (network failures), scrubbed (its message holds the URL). */
  private causeOf(err: unknown): { cause?: string } {
    const inner = (err as { error?: unknown })?.error;
    return inner === undefined ? {} : { cause: this.health.scrub(inner) };
  }

  private fail(err: unknown): void {
    const f = classifyCallError(err);
    const code = f.kind === "fatal" ? f.code : "HF_CHANNEL_CONFIG";
    const detail = f.kind === "retry" ? (f.detail ?? this.health.scrub(err)) : f.detail;
    this.health.failed(code, detail);
    const why =
      code === "HF_CHANNEL_AUTH"
        ? "Telegram rejected the bot token; check the token and restart the gateway"
        : "the Bot API refused a request; check channels.telegram settings (apiRoot, webhookUrl)";
    this.log.error(
      { accountId: this.accountId, code, detail: this.status().lastError?.message },
      `telegram account "${this.accountId}" stopped: ${why}`,
    );
  }
}
