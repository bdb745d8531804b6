import type { Hono } from "hono";
import { HoldfastError } from "../errors/index.js";
import type { Logger } from "../logging/index.js";
import type { AdapterStatus, ChannelAdapter, InboundSink } from "./adapter.js";
import type { AccountRuntime } from "./pipeline.js";
import { cliHint } from "../infra/index.js";

/** Status of one channel account. */
export interface ChannelAccountStatus extends AdapterStatus {
  readonly channel: string;
  readonly accountId: string;
}

/** The running channel accounts: start/stop, lookup, webhook routes, and sending. */
export class ChannelManager {
  private readonly accounts = new Map<string, AccountRuntime>();
  private readonly loggedOut = new Set<string>();
  private sink: InboundSink | undefined;

  /** @param guardOutbound the outbound leak scan applied to every text sent through {@link send}. */
  constructor(
    private readonly log: Logger,
    private readonly guardOutbound: (text: string) => string = (t) => t,
  ) {}

  /** Registers an account. @throws HoldfastError HF_CHANNEL_CONFIG for a duplicate (channel, account). */
  add(runtime: AccountRuntime): void {
    const key = keyOf(runtime.adapter.channel, runtime.adapter.accountId);
    if (this.accounts.has(key))
      throw new HoldfastError(
        "HF_CHANNEL_CONFIG",
        `channel account ${runtime.adapter.channel}/${runtime.adapter.accountId} is configured twice`,
      );
    this.accounts.set(key, runtime);
  }

  /** The runtime (adapter, access policy, limits) of an account, if it is configured. */
  account(channel: string, accountId: string): AccountRuntime | undefined {
    return this.accounts.get(keyOf(channel, accountId));
  }

  /** The adapter of an account, if it is configured and not logged out. */
  adapter(channel: string, accountId: string): ChannelAdapter | undefined {
    if (this.loggedOut.has(keyOf(channel, accountId))) return undefined;
    return this.account(channel, accountId)?.adapter;
  }

  /**
   * Logs out running accounts (`holdfast channels logout`): stops receiving and refuses every later
   * send (the credentials are gone from the config; the process must not keep using them).
   * @returns the accounts logged out (`accountId` undefined: every account of the channel).
   */
  async logout(channel: string, accountId?: string): Promise<{ channel: string; accountId: string }[]> {
    const hit = [...this.accounts.values()].filter(
      ({ adapter }) => adapter.channel === channel && (accountId === undefined || adapter.accountId === accountId),
    );
    for (const { adapter } of hit) {
      this.loggedOut.add(keyOf(adapter.channel, adapter.accountId));
      await adapter.stop().catch(() => undefined);
      this.log.warn(
        { channel, accountId: adapter.accountId },
        "channel account logged out; it stays off until restart",
      );
    }
    return hit.map(({ adapter }) => ({ channel, accountId: adapter.accountId }));
  }

  /** Mounts every adapter's public (self-authenticating) HTTP routes. */
  publicRoutes(app: Hono): void {
    for (const a of this.accounts.values()) a.adapter.publicRoutes?.(app);
  }

  /** Starts every account; a failure of one is logged and does not stop the others. */
  async start(sink: InboundSink): Promise<void> {
    this.sink = sink;
    await Promise.all(
      [...this.accounts.values()].map(async ({ adapter }) => {
        try {
          await adapter.start(sink);
        } catch (err) {
          this.log.error(
            {
              channel: adapter.channel,
              accountId: adapter.accountId,
              err: err instanceof Error ? err.message : String(err),
            },
            "channel account failed to start",
          );
        }
      }),
    );
  }

  /**
   * Starts receiving again on an account whose credentials just appeared (see `ChannelAdapter.resume`).
   * @returns `resumed`, `not_configured` (no such account in the config), `logged_out` (stays off until
   *   the gateway restarts), or `not_started` (the gateway has not started its channels yet).
   */
  async resume(
    channel: string,
    accountId: string,
  ): Promise<"resumed" | "not_configured" | "logged_out" | "not_started"> {
    const adapter = this.account(channel, accountId)?.adapter;
    if (!adapter) return "not_configured";
    if (this.loggedOut.has(keyOf(channel, accountId))) return "logged_out";
    if (!this.sink) return "not_started";
    await adapter.resume?.();
    return "resumed";
  }

  /** Stops receiving on every account (sending keeps working). */
  async stop(): Promise<void> {
    await Promise.all([...this.accounts.values()].map((a) => a.adapter.stop().catch(() => undefined)));
  }

  /**
   * Sends `text` to `chatId` (in `threadId`) through a running channel account (chunked to the platform
   * limit). Access policy is the caller's (`ChannelService.send`).
   * @returns platform message ids. @throws HoldfastError HF_CHANNEL_UNKNOWN, or the adapter's send failure
   *   (HF_CHANNEL_REFUSED, HF_CHANNEL_NETWORK, HF_CHANNEL_AUTH, HF_CHANNEL_SEND).
   */
  async send(
    channel: string,
    accountId: string,
    chatId: string,
    { text, threadId }: { text: string; threadId?: string | undefined },
  ): Promise<string[]> {
    const adapter = this.adapter(channel, accountId);
    if (!adapter) throw new HoldfastError("HF_CHANNEL_UNKNOWN", `no running channel account ${channel}/${accountId}`);
    return adapter.send({ chatId, text: this.guardOutbound(text), ...(threadId !== undefined ? { threadId } : {}) });
  }

  /** State of every account (for status output); a logged-out account is `stopped` and says so. */
  status(): ChannelAccountStatus[] {
    return [...this.accounts.values()].map(({ adapter }) => {
      const s = { channel: adapter.channel, accountId: adapter.accountId, ...adapter.status() };
      return this.loggedOut.has(keyOf(adapter.channel, adapter.accountId))
        ? { ...s, state: "stopped" as const, detail: `logged out (${cliHint("channels logout")})` }
        : s;
    });
  }
}

function keyOf(channel: string, accountId: string): string {
  return `${channel}\u0000${accountId}`;
}
