import type { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Update } from "grammy/types";
import { secretEquals } from "../../infra/index.js";

/** Largest webhook body accepted (bytes). Telegram updates are small; media arrive as file ids. */
export const WEBHOOK_MAX_BODY_BYTES = 1024 * 1024;

/** What the webhook route needs from its account. */
export interface WebhookRouteOptions {
  readonly path: string;
  readonly secret: string;
  /** False until the bot is initialized, and after stop (→ 503: Telegram retries later). */
  readonly ready: () => boolean;
  /** Queues an update for handling; false when the queue is full (→ 503). */
  readonly enqueue: (update: Update) => boolean;
}

/**
 * Mounts `POST <path>` for Telegram webhook deliveries. The `X-Telegram-Bot-Api-Secret-Token` header
 * is compared with `webhookSecret` in constant time FIRST: anything else gets 401 before the body is
 * read. Then the body is bounded ({@link WEBHOOK_MAX_BODY_BYTES}, 413), parsed, checked for an
 * integer `update_id` (400) and queued; the answer (200) does not wait for the agent.
 */
export function mountTelegramWebhook(app: Hono, opts: WebhookRouteOptions): void {
  app.post(
    opts.path,
    async (c, next) => {
      if (!secretEquals(c.req.header("x-telegram-bot-api-secret-token"), opts.secret))
        return c.json({ ok: false, error: "unauthorized" }, 401);
      await next();
    },
    bodyLimit({
      maxSize: WEBHOOK_MAX_BODY_BYTES,
      onError: (c) => c.json({ ok: false, error: "payload too large" }, 413),
    }),
    async (c) => {
      if (!opts.ready()) return c.json({ ok: false, error: "not ready" }, 503);
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return c.json({ ok: false, error: "invalid JSON" }, 400);
      }
      const id = (body as { update_id?: unknown } | null)?.update_id;
      if (typeof id !== "number" || !Number.isSafeInteger(id))
        return c.json({ ok: false, error: "not a Telegram update" }, 400);
      if (!opts.enqueue(body as Update)) return c.json({ ok: false, error: "busy" }, 503);
      return c.json({ ok: true });
    },
  );
}
