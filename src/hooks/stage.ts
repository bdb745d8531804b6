import type { Context, Hono } from "hono";
import type { z } from "zod";
import type { StartRunInput, StartedRun } from "../agent/index.js";
import type { RequestClient } from "../gateway/index.js";
import type { Logger } from "../logging/index.js";
import type { Provenance } from "../sessions/index.js";
import type { SecurityTrail } from "../trail/index.js";
import { HookAuth, presentedCredential, type HookRefusal } from "./auth.js";
import { readBoundedBody } from "./body.js";
import {
  decodeNotification,
  notificationMessage,
  PushBodySchema,
  PushTokenVerifier,
  type GmailSettings,
} from "./gmail.js";
import { AgentBodySchema, hookTarget, issuesLine, WakeBodySchema } from "./requests.js";
import { HOOKS_READ_TIMEOUT_MS, type HookDelivery, type HookSettings } from "./settings.js";

/** Sends a text through a channel account (the channel stage's outbound port, within its access policy). */
export type HookOutbound = (
  channel: string,
  accountId: string | undefined,
  to: string,
  text: string,
) => Promise<{ readonly sent: boolean; readonly reason?: string }>;

/** What the webhook stage is built with. */
export interface HooksStageDeps {
  readonly settings: HookSettings;
  /** The current hooks token (the live secrets). */
  readonly token: () => string | undefined;
  readonly runs: { start(input: StartRunInput): StartedRun };
  readonly outbound: HookOutbound;
  /** Agent ids of the roster, the default first. */
  readonly agentIds: readonly string[];
  readonly log: Logger;
  readonly now: () => number;
  readonly trail: SecurityTrail;
  /** `hooks.gmail` once enabled: Pub/Sub push on `POST <path>/gmail`. */
  readonly gmail?: GmailSettings;
  /** Body read timeout (ms). Default {@link HOOKS_READ_TIMEOUT_MS}. */
  readonly readTimeoutMs?: number;
}

/** The webhook stage: its routes, mounted on the gateway port before gateway auth. */
export interface HooksStage {
  mount(app: Hono, client: RequestClient): void;
}

type Handler = (body: unknown, c: Context) => Response | Promise<Response>;

/**
 * Builds webhook ingress (reference §10.1; issue "Inbound webhooks"): `POST <path>/wake` runs a turn
 * with the text as a system event, `POST <path>/agent` runs a turn with the message and sends the
 * reply to `hooks.deliver` (unless the request says `deliver: false`). Both texts are untrusted
 * content (provenance `webhook`): the agent loop wraps them in the turn's boundaries and the turn is
 * tainted (docs/tools.md "Untrusted content"). Both go through the normal run
 * manager (serialized per session, idempotent with an `Idempotency-Key` header) and answer 202 with
 * the run id at once. Every request is authenticated first ({@link HookAuth}), then its body is read
 * bounded and timed ({@link readBoundedBody}), then validated (400 naming each field).
 */
export function createHooksStage(deps: HooksStageDeps): HooksStage {
  const auth = new HookAuth({ token: deps.token, now: deps.now, trail: deps.trail });
  const base = deps.settings.basePath;
  const route = (app: Hono, client: RequestClient, name: string, handler: Handler) =>
    app.post(`${base}/${name}`, async (c) => {
      const refused = auth.check(
        client(c),
        presentedCredential(new URL(c.req.url), (h) => c.req.header(h)),
      );
      if (refused) return refuse(c, refused);
      const read = await readBoundedBody(
        c.req.raw,
        deps.settings.maxBodyBytes,
        deps.readTimeoutMs ?? HOOKS_READ_TIMEOUT_MS,
      );
      if (!read.ok) return refuse(c, read.refusal);
      let body: unknown;
      try {
        body = JSON.parse(read.text);
      } catch {
        return c.json({ ok: false, error: "invalid JSON" }, 400);
      }
      return handler(body, c);
    });
  const verifier = deps.gmail ? new PushTokenVerifier(deps.gmail) : undefined;
  return {
    mount(app, client) {
      if (verifier && deps.gmail) mountGmail(app, deps, verifier, deps.gmail);
      route(app, client, "wake", (body, c) =>
        parsed(c, WakeBodySchema, body, (b) =>
          startHookRun(deps, c, {
            ...b,
            message: b.text,
            name: "wake",
            provenance: { kind: "webhook", source: "webhook wake (system event)" },
          }),
        ),
      );
      route(app, client, "agent", (body, c) =>
        parsed(c, AgentBodySchema, body, ({ deliver, ...b }) => {
          const target = deliver !== false ? deps.settings.deliver : undefined;
          const provenance: Provenance = { kind: "webhook", source: `webhook ${b.name ?? "agent"}` };
          return startHookRun(deps, c, { ...b, provenance, ...(target ? { deliver: target } : {}) });
        }),
      );
    },
  };
}

/**
 * `POST <path>/gmail` (issue "Gmail Pub/Sub push"): the OIDC token is verified first (401 before the
 * body is read), then the push body is read bounded, decoded (`emailAddress`, `historyId`) and run as
 * a turn in `hooks.gmail.sessionKey` (else the hooks default). The run's idempotency key is
 * `gmail:<messageId>`, so a redelivered push is answered 200 and processed once, across restarts
 * (the run ledger keeps keys 7 days).
 */
function mountGmail(app: Hono, deps: HooksStageDeps, verifier: PushTokenVerifier, g: GmailSettings): void {
  app.post(`${deps.settings.basePath}/gmail`, async (c) => {
    const verdict = await verifier.verify(c.req.header("authorization"));
    if (!verdict.ok) {
      void deps.trail.record({ type: "auth.failed", details: { surface: "hooks.gmail", reason: verdict.reason } });
      return c.json({ ok: false, error: "unauthorized" }, 401);
    }
    const read = await readBoundedBody(
      c.req.raw,
      deps.settings.maxBodyBytes,
      deps.readTimeoutMs ?? HOOKS_READ_TIMEOUT_MS,
    );
    if (!read.ok) return refuse(c, read.refusal);
    let push: z.infer<typeof PushBodySchema>;
    try {
      push = PushBodySchema.parse(JSON.parse(read.text));
    } catch {
      return c.json({ ok: false, error: "not a Pub/Sub push" }, 400);
    }
    const note = decodeNotification(push.message.data);
    if (!note) return c.json({ ok: false, error: "not a Gmail notification" }, 400);
    const settings = g.sessionKey ? { ...deps.settings, defaultSessionKey: g.sessionKey } : deps.settings;
    const target = hookTarget(settings, { agentId: g.agentId }, deps.agentIds);
    if (!target.ok) return c.json({ ok: false, error: target.error }, 400);
    let started: StartedRun;
    try {
      started = deps.runs.start({
        agentId: target.agentId,
        sessionKey: target.sessionKey,
        message: notificationMessage(note),
        provenance: { kind: "gmail", source: note.emailAddress },
        idempotencyKey: `gmail:${push.message.messageId}`,
        sender: { channel: "gmail", id: note.emailAddress },
        origin: { channel: "gmail", displayName: "Gmail" },
      });
    } catch (err) {
      deps.log.warn({ err }, "gmail push not accepted");
      return c.json({ ok: false, error: "not accepted; retry later" }, 503);
    }
    deps.log.info({ runId: started.runId, duplicate: started.deduped }, "gmail push");
    return c.json({ ok: true, runId: started.runId, duplicate: started.deduped });
  });
}

function refuse(c: Context, r: HookRefusal): Response {
  for (const [k, v] of Object.entries(r.headers ?? {})) c.header(k, v);
  return c.json({ ok: false, error: r.error }, r.status);
}

function parsed<S extends z.ZodType>(
  c: Context,
  schema: S,
  body: unknown,
  then: (b: z.infer<S>) => Response,
): Response {
  const r = schema.safeParse(body);
  return r.success ? then(r.data) : c.json({ ok: false, error: issuesLine(r.error) }, 400);
}

interface HookRun {
  readonly message: string;
  readonly name?: string | undefined;
  readonly agentId?: string | undefined;
  readonly sessionKey?: string | undefined;
  readonly deliver?: HookDelivery;
  readonly provenance: Provenance;
}

function startHookRun(deps: HooksStageDeps, c: Context, run: HookRun): Response {
  const target = hookTarget(deps.settings, run, deps.agentIds);
  if (!target.ok) return c.json({ ok: false, error: target.error }, 400);
  const idem = c.req.header("idempotency-key");
  let started: StartedRun;
  try {
    started = deps.runs.start({
      agentId: target.agentId,
      sessionKey: target.sessionKey,
      message: run.message,
      provenance: run.provenance,
      ...(idem ? { idempotencyKey: `hook:${idem.slice(0, 200)}` } : {}),
      sender: { channel: "webhook", id: run.name ?? "hooks" },
      origin: { channel: "webhook", displayName: run.name ?? "webhook" },
      ...(run.deliver ? { onEvent: (ev) => deliverReply(deps, run.deliver as HookDelivery, ev) } : {}),
    });
  } catch (err) {
    deps.log.warn({ err, sessionKey: target.sessionKey }, "webhook run not started");
    return c.json({ ok: false, error: "not accepted; retry later" }, 503);
  }
  deps.log.info({ runId: started.runId, sessionKey: target.sessionKey, agentId: target.agentId }, "webhook run");
  return c.json({ ok: true, runId: started.runId, sessionKey: target.sessionKey }, 202);
}

function deliverReply(
  deps: HooksStageDeps,
  to: HookDelivery,
  ev: Parameters<NonNullable<StartRunInput["onEvent"]>>[0],
) {
  if (ev.event.type !== "final" || ev.event.text.trim() === "") return;
  deps
    .outbound(to.channel, to.accountId, to.to, ev.event.text)
    .then((r) => {
      if (!r.sent) deps.log.warn({ runId: ev.runId, channel: to.channel, reason: r.reason }, "webhook reply not sent");
    })
    .catch((err: unknown) => deps.log.warn({ err, runId: ev.runId, channel: to.channel }, "webhook reply not sent"));
}
