import type { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { secretEquals } from "../../infra/index.js";

/** Largest webhook body accepted (bytes). */
export const BLUEBUBBLES_MAX_BODY_BYTES = 1024 * 1024;

/**
 * True when `requestPath` is exactly `expectedPath` (which ends in the webhook secret), compared in
 * constant time over the whole path so a near miss and a far miss take the same time.
 */
export function webhookPathMatches(requestPath: string, expectedPath: string): boolean {
  return secretEquals(requestPath, expectedPath);
}

/** What the webhook route needs from its account. */
export interface BlueBubblesWebhookOptions {
  /** The base path (`/bluebubbles-webhook`); the full path is `<base>/<secret>`. */
  readonly basePath: string;
  /** The full path, secret included. */
  readonly path: string;
  /** False until the account runs, and after stop (→ 503). */
  readonly ready: () => boolean;
  /** Queues a webhook body durably; false when it could not be stored (→ 503). */
  readonly deliver: (body: Record<string, unknown>) => boolean;
  /** Called for every request refused on its path (nothing else about it is logged). */
  readonly refused: () => void;
}

/**
 * Mounts `POST <basePath>/*` on the gateway port for BlueBubbles' webhooks. The request path must equal
 * `path` (compared in constant time, {@link webhookPathMatches}); anything else under the base gets 404
 * before the body is read. Then the body is read bounded ({@link BLUEBUBBLES_MAX_BODY_BYTES}, 413),
 * parsed (400 unless a JSON object), queued (200 once stored, else 503).
 */
export function mountBlueBubblesWebhook(app: Hono, o: BlueBubblesWebhookOptions): void {
  app.post(
    `${o.basePath}/*`,
    async (c, next) => {
      if (!webhookPathMatches(c.req.path, o.path)) {
        o.refused();
        return c.json({ error: "not found" }, 404);
      }
      await next();
    },
    bodyLimit({ maxSize: BLUEBUBBLES_MAX_BODY_BYTES, onError: (c) => c.json({ error: "payload too large" }, 413) }),
    async (c) => {
      if (!o.ready()) return c.json({ error: "not ready" }, 503);
      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        return c.json({ error: "invalid JSON" }, 400);
      }
      if (body === null || typeof body !== "object" || Array.isArray(body))
        return c.json({ error: "invalid body" }, 400);
      if (!o.deliver(body as Record<string, unknown>)) return c.json({ error: "busy" }, 503);
      return c.json({ ok: true });
    },
  );
}
