import { App, SocketModeReceiver, type Receiver, type webApi } from "@slack/bolt";
import type { SlackMessageEvent } from "./normalize.js";
import type { SlackAccountSettings } from "./settings.js";

/** A `message` event Bolt's middleware let through, and its envelope's `event_id`. Awaited. */
export type SlackEventHandler = (event: SlackMessageEvent, eventId: string | undefined) => Promise<void>;

/**
 * A Socket Mode `events_api` envelope as it arrives: its `event_callback` body and the ack that tells
 * Slack it was received (call it only once the body is stored; Slack redelivers what is not acked).
 */
export type SlackEnvelopeHandler = (body: Record<string, unknown>, ack: () => Promise<void>) => void;

/**
 * Bolt's receiver for HTTP mode. Requests arrive on the gateway's own port (`mountSlackEvents`
 * verifies them and answers Slack); Bolt itself listens on nothing. Stored bodies are handed to Bolt
 * with {@link dispatchToBolt}.
 */
export class GatewayReceiver implements Receiver {
  init(): void {}

  async start(): Promise<void> {}

  async stop(): Promise<void> {}
}

/**
 * Runs a stored `event_callback` body through Bolt's middleware and listeners (its receiver already
 * answered Slack, so `ack` has nothing left to do). Rejects with the listener's failure.
 */
export function dispatchToBolt(app: App, body: Record<string, unknown>): Promise<void> {
  return app.processEvent({ body, ack: async () => undefined });
}

/** What {@link createBoltApp} builds an app from. */
export interface BoltAppOptions {
  readonly settings: SlackAccountSettings;
  /** The bot's identity from `auth.test` (Bolt's `ignoreSelf` middleware drops its own messages). */
  readonly botUserId: string;
  readonly botId?: string;
  readonly clientOptions: webApi.WebClientOptions;
  readonly libLogger: webApi.Logger;
  readonly onMessage: SlackEventHandler;
  /** Socket Mode envelopes, before Bolt sees them (queued durably, then acked). */
  readonly onEnvelope: SlackEnvelopeHandler;
}

/** A Bolt app and its receiver: Socket Mode (`SocketModeReceiver`) or {@link GatewayReceiver}. */
export type BoltConnection =
  | { readonly mode: "socket"; readonly app: App; readonly receiver: SocketModeReceiver }
  | { readonly mode: "http"; readonly app: App; readonly receiver: GatewayReceiver };

/**
 * Builds the account's Bolt app. Socket Mode uses Bolt's `SocketModeReceiver` with the app-level token
 * and the account's Web API base URL (`apps.connections.open` goes there); its own reconnect loop is
 * off, because holdfast reconnects with jittered backoff and reports the state. The receiver's own
 * envelope handler (which acks before anything is stored) is replaced by `onEnvelope`, so an envelope
 * is acked only once it is queued. `message` events go to `onMessage`; a listener failure rejects
 * {@link dispatchToBolt}.
 */
export function createBoltApp(o: BoltAppOptions): BoltConnection {
  const receiver =
    o.settings.mode === "socket"
      ? new SocketModeReceiver({
          appToken: o.settings.appToken as string,
          logger: o.libLogger,
          autoReconnectEnabled: false,
          installerOptions: { clientOptions: { ...o.clientOptions } },
        })
      : new GatewayReceiver();
  const app = new App({
    token: o.settings.botToken,
    botUserId: o.botUserId,
    ...(o.botId ? { botId: o.botId } : {}),
    receiver,
    logger: o.libLogger,
    tokenVerificationEnabled: false,
    ignoreSelf: true,
    clientOptions: { ...o.clientOptions },
  });
  app.event("message", async ({ event, body }) => {
    await o.onMessage(event as SlackMessageEvent, typeof body.event_id === "string" ? body.event_id : undefined);
  });
  app.error(async (err) => {
    throw err;
  });
  if (receiver instanceof SocketModeReceiver) {
    receiver.client.removeAllListeners("slack_event");
    receiver.client.on("slack_event", (args: { body?: unknown; ack: () => Promise<void> }) => {
      if (isObject(args.body)) o.onEnvelope(args.body, () => args.ack());
    });
    return { mode: "socket", app, receiver };
  }
  return { mode: "http", app, receiver };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
