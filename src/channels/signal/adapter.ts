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
import { chunkText } from "../chunk.js";
import { extensionOf, refuseOversized } from "../download.js";
import { DurableInbound } from "../durable-inbound.js";
import { AdapterHealth } from "../health.js";
import type { AdapterDeps } from "../plugin-types.js";
import { jitteredDelayMs, untilSuccess } from "../reconnect.js";
import { openSignalEvents, SIGNAL_HEALTHY_STREAM_MS } from "./events.js";
import {
  normalizeSignalEnvelope,
  parseSignalMessageId,
  signalMessageId,
  type SignalEnvelope,
  type SignalSelf,
} from "./normalize.js";
import { SignalCallError, SignalRpc, signalRetryVerdict } from "./rpc.js";
import type { SignalAccountSettings } from "./settings.js";
import { resolveSignalTarget, sendSignalText, signalAddress } from "./send.js";
import { cliHint } from "../../infra/index.js";

/**
 * `Last-Event-ID` before any event was seen: an id the daemon does not know, so it replays every event
 * it kept (signal-cli keeps the last 1000); those already queued are dropped as redeliveries.
 */
const REPLAY_ALL = "0";

/**
 * One Signal account through a running `signal-cli daemon --http`: inbound from the daemon's SSE stream
 * (`GET /api/v1/events`, reconnected with jittered backoff and `Last-Event-ID`, so events buffered by the
 * daemon while holdfast was away are replayed), outbound through JSON-RPC `send`. Implements the
 * {@link ChannelAdapter} contract.
 *
 * Delivery is at least once and restart safe ({@link DurableInbound}): every receive event is queued
 * in the account's durable inbound queue under the message's Signal identity (`<timestamp>:<author>`,
 * the same on every replay) when it arrives; a replayed id is dropped.
 */
export class SignalAdapter implements ChannelAdapter {
  readonly channel = "signal";
  readonly accountId: string;
  readonly textLimit: number;
  private readonly rpc: SignalRpc;
  private readonly health: AdapterHealth;
  private readonly controller = new AbortController();
  private self: SignalSelf | undefined;
  private inbound: DurableInbound | undefined;
  private sink: InboundSink | undefined;
  private loop: Promise<void> | undefined;
  private lastEventId: string | undefined;

  constructor(
    private readonly settings: SignalAccountSettings,
    private readonly deps: AdapterDeps,
  ) {
    this.accountId = settings.accountId;
    this.textLimit = settings.textLimit;
    this.rpc = new SignalRpc(settings.httpUrl, settings.account, deps.clock);
    this.health = new AdapterHealth(deps.clock);
  }

  async start(sink: InboundSink): Promise<void> {
    if (this.loop) return;
    this.sink = sink;
    this.inbound = new DurableInbound({
      queue: this.deps.queues(this.accountId).inbound,
      log: this.log,
      scrub: (err) => this.health.scrub(err),
      process: (payload) => this.handle(payload as SignalEnvelope),
    });
    this.health.connecting();
    this.loop = this.run().catch((err: unknown) => this.fail(err));
  }

  async stop(): Promise<void> {
    if (this.controller.signal.aborted) return;
    this.controller.abort();
    await this.loop;
    await this.inbound?.stop();
    this.health.stopped();
  }

  async resolveTarget(to: string): Promise<OutboundTarget> {
    return resolveSignalTarget(to);
  }

  async send(msg: OutboundMessage): Promise<string[]> {
    try {
      const quote = msg.replyTo ? parseSignalMessageId(msg.replyTo) : undefined;
      const stamps = await sendSignalText(this.rpc, {
        chatId: msg.chatId,
        chunks: chunkText(msg.text, this.textLimit),
        ...(quote ? { quote } : {}),
      });
      return stamps.map((ts) => signalMessageId(ts, this.settings.account));
    } catch (err) {
      this.health.note(err);
      throw err;
    }
  }

  /** JSON-RPC `sendTyping` (`recipient` or `groupId`): Signal shows it for about 15 s or until the reply. */
  async sendTyping(target: { readonly chatId: string }): Promise<void> {
    await this.rpc.call("sendTyping", signalAddress(target.chatId));
  }

  async fetchMedia(ref: MediaRef, maxBytes: number): Promise<{ bytes: Uint8Array; extension?: string }> {
    refuseOversized("signal attachment", ref.sizeBytes, maxBytes);
    const from = ref.url ?? "";
    const where = from.startsWith("group:")
      ? { groupId: from.slice(6) }
      : { recipient: from.replace(/^recipient:/, "").replace(/^uuid:/, "") };
    let got: { data?: string } | undefined;
    try {
      got = await this.rpc.retried<{ data?: string }>("getAttachment", { id: ref.fileId, ...where });
    } catch {
      throw new HoldfastError("HF_CHANNEL_MEDIA", "signal attachment download failed");
    }
    const bytes = Buffer.from(got?.data ?? "", "base64");
    refuseOversized("signal attachment", bytes.length, maxBytes);
    const ext = extensionOf(ref.fileName ?? undefined);
    return { bytes, ...(ext ? { extension: ext } : {}) };
  }

  status(): AdapterStatus {
    return this.health.status({ mode: "signal-cli", botUsername: this.settings.account });
  }

  private get log(): Logger {
    return this.deps.log;
  }

  private async run(): Promise<void> {
    const self = await untilSuccess(() => this.whoAmI(), {
      signal: this.controller.signal,
      clock: this.deps.clock,
      verdict: signalRetryVerdict,
      onRetry: (attempt, delayMs, err) => this.retrying(attempt, delayMs, err),
    });
    if (!self) return;
    this.self = self;
    this.inbound?.open();
    await this.receive();
  }

  /** The bot's own uuid (for mentions by uuid), from `getUserStatus` of its own number. */
  private async whoAmI(): Promise<SignalSelf> {
    type Status = { number?: string | null; uuid?: string | null; isRegistered?: boolean };
    const rows = await this.rpc.call<Status[]>("getUserStatus", { recipient: [this.settings.account] });
    const me = (rows ?? []).find((r) => r.number === this.settings.account) ?? rows?.[0];
    return { number: this.settings.account, ...(me?.uuid ? { uuid: me.uuid } : {}) };
  }

  /** Reads the event stream until stop; reconnects with jittered backoff when it fails or ends. */
  private async receive(): Promise<void> {
    let attempt = 0;
    const signal = this.controller.signal;
    while (!signal.aborted) {
      const openedAt = this.deps.clock.now();
      let why: unknown = new HoldfastError("HF_CHANNEL_NETWORK", "signal-cli event stream ended");
      try {
        await openSignalEvents({
          httpUrl: this.settings.httpUrl,
          account: this.settings.account,
          signal,
          lastEventId: this.lastEventId ?? REPLAY_ALL,
          onOpen: () => this.connected(),
          onEvent: (id, data) => this.offer(id, data),
        });
      } catch (err) {
        if (signal.aborted) return;
        if (!signalRetryVerdict(err).retry && !(err instanceof SignalCallError && err.status === 0)) throw err;
        why = err;
      }
      if (signal.aborted) return;
      if (this.deps.clock.now() - openedAt >= SIGNAL_HEALTHY_STREAM_MS) attempt = 0;
      const delay = jitteredDelayMs(attempt);
      this.retrying(++attempt, delay, why);
      try {
        await this.deps.clock.sleep(delay, signal);
      } catch {
        return;
      }
    }
  }

  private connected(): void {
    this.health.running();
    this.log.info({ accountId: this.accountId }, "signal-cli event stream connected");
  }

  /** Queues one receive event (keyed by the message's Signal identity); drops what is not for the bot. */
  private offer(eventId: string | undefined, data: string): void {
    let parsed: { envelope?: SignalEnvelope; account?: string };
    try {
      parsed = JSON.parse(data) as typeof parsed;
    } catch {
      return this.log.warn({ accountId: this.accountId }, "signal-cli event is not JSON; ignored");
    }
    if (parsed.account !== undefined && parsed.account !== this.settings.account) return;
    const env = parsed.envelope;
    const msg = env && this.self ? this.normalize(env, this.self) : undefined;
    const stored = !msg || this.inbound?.offer([{ updateId: msg.updateId, payload: env }], { bounded: true }) === true;
    if (stored && eventId) this.lastEventId = eventId;
  }

  private async handle(env: SignalEnvelope): Promise<void> {
    const msg = this.self ? this.normalize(env, this.self) : undefined;
    if (msg && this.sink) await this.sink(msg);
  }

  private normalize(env: SignalEnvelope, self: SignalSelf) {
    return normalizeSignalEnvelope(env, { self, accountId: this.accountId, now: this.deps.clock.now() });
  }

  private retrying(attempt: number, delayMs: number, err: unknown): void {
    const why = describe(err);
    this.health.retrying(why);
    if (attempt === 1 || attempt % 10 === 0)
      this.log.warn(
        { accountId: this.accountId, attempt, delayMs, err: why },
        `signal-cli not reachable at ${this.settings.httpUrl}; retrying with backoff (${cliHint("doctor")} explains how to start it)`,
      );
  }

  private fail(err: unknown): void {
    const code = isHoldfastError(err) ? err.code : "HF_CHANNEL_REFUSED";
    const why = `signal-cli refused the account ${this.settings.account} (${describe(err)}); check that the daemon has it registered or linked`;
    this.health.failed(code, why);
    this.log.error({ accountId: this.accountId, code }, `signal account "${this.accountId}" stopped: ${why}`);
  }
}

function describe(err: unknown): string {
  if (err instanceof SignalCallError) return err.rpc ? `signal-cli: ${err.rpc.message}` : err.message;
  return isHoldfastError(err) ? err.message : "signal-cli call failed";
}
