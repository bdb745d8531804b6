import { createHmac } from "node:crypto";
import type { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { secretEquals } from "../../infra/index.js";

/** Largest Events API body accepted (bytes). */
export const SLACK_MAX_BODY_BYTES = 1024 * 1024;
/** Oldest (or furthest in the future) request timestamp accepted (s): Slack's replay window. */
export const SLACK_MAX_SKEW_SEC = 300;

/** Why a request was refused before its body was parsed (logged with nothing else). */
export type SlackRequestRefusal = "timestamp_missing" | "timestamp_stale" | "signature_invalid";

/** What the Events API route needs from its account. */
export interface SlackEventsRouteOptions {
  readonly path: string;
  readonly signingSecret: string;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** False until the account is connected, and after stop (→ 503: Slack retries). */
  readonly ready: () => boolean;
  /**
   * Queues an `event_callback` body durably for processing; false when it could not be stored (queue
   * full, storage fault → 503: Slack delivers it again).
   */
  readonly deliver: (body: Record<string, unknown>) => boolean;
  /** Called for every refused request, with the reason only. */
  readonly refused: (reason: SlackRequestRefusal) => void;
}

/** `v0=<hex HMAC-SHA256 of "v0:<timestamp>:<raw body>">` (Slack request signing, version 0). */
export function slackSignature(signingSecret: string, timestamp: string, rawBody: Uint8Array): string {
  const mac = createHmac("sha256", signingSecret);
  mac.update(`v0:${timestamp}:`);
  mac.update(rawBody);
  return `v0=${mac.digest("hex")}`;
}

/**
 * Mounts `POST <path>` for the Slack Events API on the gateway port. In this order, before the body is
 * parsed or anything about it is logged: `X-Slack-Request-Timestamp` must be within
 * {@link SLACK_MAX_SKEW_SEC} of now (else 401, body not read); the raw body is read bounded
 * ({@link SLACK_MAX_BODY_BYTES}, 413) and `X-Slack-Signature` compared in constant time with
 * {@link slackSignature} (else 401). Then: `url_verification` is answered with its challenge;
 * `event_callback` is queued durably and acknowledged once stored (200 within Slack's 3 s; processing
 * follows);
 * anything else gets 200 and is ignored.
 */
export function mountSlackEvents(app: Hono, opts: SlackEventsRouteOptions): void {
  app.post(
    opts.path,
    async (c, next) => {
      const ts = c.req.header("x-slack-request-timestamp") ?? "";
      if (!/^\d{1,12}$/.test(ts)) return refuse(c, opts, "timestamp_missing");
      if (Math.abs(opts.now() / 1000 - Number(ts)) > SLACK_MAX_SKEW_SEC) return refuse(c, opts, "timestamp_stale");
      await next();
    },
    bodyLimit({
      maxSize: SLACK_MAX_BODY_BYTES,
      onError: (c) => c.json({ ok: false, error: "payload too large" }, 413),
    }),
    async (c) => {
      const raw = new Uint8Array(await c.req.arrayBuffer());
      const ts = c.req.header("x-slack-request-timestamp") as string;
      if (!secretEquals(c.req.header("x-slack-signature"), slackSignature(opts.signingSecret, ts, raw)))
        return refuse(c, opts, "signature_invalid");
      if (!opts.ready()) return c.json({ ok: false, error: "not ready" }, 503);
      const body = parseObject(raw);
      if (!body) return c.json({ ok: false, error: "invalid JSON" }, 400);
      if (body.type === "url_verification") return c.json({ challenge: String(body.challenge ?? "") });
      if (body.type !== "event_callback") return c.json({ ok: true });
      if (!opts.deliver(body)) return c.json({ ok: false, error: "busy" }, 503);
      return c.json({ ok: true });
    },
  );
}

function refuse(
  c: { json: (b: object, s: 401) => Response },
  opts: SlackEventsRouteOptions,
  reason: SlackRequestRefusal,
): Response {
  opts.refused(reason);
  return c.json({ ok: false, error: "unauthorized" }, 401);
}

/** The body as a JSON object, or undefined. */
function parseObject(raw: Uint8Array): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw).toString("utf8"));
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
