import { App, SocketModeReceiver, type Receiver, type webApi } from "@slack/bolt";
import { errorMessage } from "../../errors/index.js";
import type { Logger } from "../../logging/index.js";
import type { SlackMessageEvent } from "./normalize.js";
import type { SlackAccountSettings } from "./settings.js";

/** An Events API delivery that reached Bolt: the event, and the envelope's `event_id` (logged). */
export type SlackEventHandler = (event: SlackMessageEvent, eventId: string | undefined) => void;

/**
 * Bolt's receiver for HTTP mode. Requests arrive on the gateway's own port (`mountSlackEvents`
 * verifies them first); Bolt itself listens on nothing. Each verified `event_callback` body is handed
 * to Bolt with {@link dispatch}; the HTTP answer was already sent, so `ack` has nothing left to do.
 */
export class GatewayReceiver implements Receiver {
  private app: App | undefined;

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  /** Runs a verified body through Bolt's middleware and listeners. */
  dispatch(body: Record<string, unknown>, retryNum: number | undefined): Promise<void> {
    if (!this.app) return Promise.resolve();
    return this.app.processEvent({ body, ack: async () => undefined, ...(retryNum !== undefined ? { retryNum } : {}) });
  }
}

/** What {@link createBoltApp} builds an app from. */
export interface BoltAppOptions {
  readonly settings: SlackAccountSettings;
  /** The bot's identity from `auth.test` (Bolt's `ignoreSelf` middleware drops its own messages). */
  readonly botUserId: string;
  readonly botId?: string;
  readonly clientOptions: webApi.WebClientOptions;
  readonly libLogger: webApi.Logger;
  readonly log: Logger;
  readonly onMessage: SlackEventHandler;
}

/** A Bolt app and its receiver: Socket Mode (`SocketModeReceiver`) or {@link GatewayReceiver}. */
export type BoltConnection =
  | { readonly mode: "socket"; readonly app: App; readonly receiver: SocketModeReceiver }
  | { readonly mode: "http"; readonly app: App; readonly receiver: GatewayReceiver };

/**
 * Builds the account's Bolt app. Socket Mode uses Bolt's `SocketModeReceiver` with the app-level token
 * and the account's Web API base URL (`apps.connections.open` goes there); its own reconnect loop is
 * off, because holdfast reconnects with jittered backoff and reports the state. `message` events go to
 * `onMessage`; a listener failure is logged (without content).
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
    o.onMessage(event as SlackMessageEvent, typeof body.event_id === "string" ? body.event_id : undefined);
  });
  app.error(async (err) => {
    o.log.warn({ code: err.code, err: errorMessage(err).slice(0, 200) }, "slack event processing failed");
  });
  return receiver instanceof SocketModeReceiver ? { mode: "socket", app, receiver } : { mode: "http", app, receiver };
}
