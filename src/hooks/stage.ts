import type { Context, Hono } from "hono";
import type { z } from "zod";
import type { StartRunInput, StartedRun } from "../agent/index.js";
import type { RequestClient } from "../gateway/index.js";
import type { Logger } from "../logging/index.js";
import type { Provenance } from "../sessions/index.js";
import type { SecurityTrail } from "../trail/index.js";
import { HookAuth, presentedCredential, type HookRefusal } from "./auth.js";
import { readBoundedBody } from "./body.js";
import type { GmailApi } from "./gmail-api.js";
import { mountGmailRoute } from "./gmail-route.js";
import type { GmailMailboxStatus, GmailSync } from "./gmail-sync.js";
import type { GmailSettings } from "./gmail.js";
import { AgentBodySchema, hookTarget, issuesLine, WakeBodySchema } from "./requests.js";
import { HOOKS_READ_TIMEOUT_MS, type HookDelivery, type HookSettings } from "./settings.js";

/** How a run ended, for its reply: the final text, or the catalogue code of its failure. */
export interface HookRunEnd {
  readonly final?: string;
  readonly failure?: string;
}

/**
 * The channel stage's durable reply port: resolves `to` under the account's access policy (a refusal
 * as a value), then `follow` reserves the reply of a started run in the account's outbox and sends
 * its final text exactly once, across restarts and channel outages.
 */
export type HookOutbound = (
  channel: string,
  accountId: string | undefined,
  to: string,
) => Promise<
  | { readonly sent: true; follow(replyKey: string, run: StartedRun, end: () => HookRunEnd): void }
  | { readonly sent: false; readonly reason: string }
>;

/** `hooks.gmail` once enabled: its settings, the Gmail API and the history cursor file. */
export interface HooksGmailDeps {
  readonly settings: GmailSettings;
  readonly api: GmailApi;
  /** `<stateDir>/hooks/gmail-history.json`. */
  readonly cursorFile: string;
  /** First backoff wait after a failed sync (ms; tests). */
  readonly backoffBaseMs?: number;
}

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
  /** `hooks.gmail` once enabled: Pub/Sub push on `POST <path>/gmail`, mail fetched from the Gmail API. */
  readonly gmail?: HooksGmailDeps;
  /** Body read timeout (ms). Default {@link HOOKS_READ_TIMEOUT_MS}. */
  readonly readTimeoutMs?: number;
}

/** The webhook stage: its routes, mounted on the gateway port before gateway auth. */
export interface HooksStage {
  mount(app: Hono, client: RequestClient): void;
  /** Each Gmail mailbox's sync health (empty without `hooks.gmail`). */
  gmailStatus(): GmailMailboxStatus[];
  /** Stops Gmail sync retries (shutdown). */
  stop(): void;
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
  let gmail: GmailSync | undefined;
  return {
    gmailStatus: () => gmail?.status() ?? [],
    stop: () => gmail?.stop(),
    mount(app, client) {
      if (deps.gmail) gmail = mountGmailRoute(app, client, gmailRouteDeps(deps, deps.gmail));
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

function gmailRouteDeps(deps: HooksStageDeps, g: HooksGmailDeps) {
  return {
    settings: deps.settings,
    gmail: g.settings,
    api: g.api,
    cursorFile: g.cursorFile,
    runs: deps.runs,
    agentIds: deps.agentIds,
    log: deps.log,
    now: deps.now,
    trail: deps.trail,
    ...(deps.readTimeoutMs !== undefined ? { readTimeoutMs: deps.readTimeoutMs } : {}),
    ...(g.backoffBaseMs !== undefined ? { backoffBaseMs: g.backoffBaseMs } : {}),
  };
}

function refuse(c: Context, r: HookRefusal): Response {
  for (const [k, v] of Object.entries(r.headers ?? {})) c.header(k, v);
  return c.json({ ok: false, error: r.error }, r.status);
}

function parsed<S extends z.ZodType>(
  c: Context,
  schema: S,
  body: unknown,
  then: (b: z.infer<S>) => Response | Promise<Response>,
): Response | Promise<Response> {
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

/**
 * Starts a webhook turn; with a delivery target, the reply is first routed through the channel's
 * durable outbox (recipient checked against the account's access policy; a refusal is logged and the
 * turn runs without delivery), then reserved for the run, so a crash or a channel outage does not
 * lose it and a retried delivery does not send it twice.
 */
async function startHookRun(deps: HooksStageDeps, c: Context, run: HookRun): Promise<Response> {
  const target = hookTarget(deps.settings, run, deps.agentIds);
  if (!target.ok) return c.json({ ok: false, error: target.error }, 400);
  const reply = run.deliver ? await replyRoute(deps, run.deliver) : undefined;
  const idem = c.req.header("idempotency-key");
  const end: { final?: string; failure?: string } = {};
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
      ...(reply
        ? {
            onEvent: (ev) => {
              if (ev.event.type === "final") end.final = ev.event.text;
              if (ev.event.type === "error" && ev.event.code !== "HF_RUN_ABORTED") end.failure = ev.event.code;
            },
          }
        : {}),
    });
  } catch (err) {
    deps.log.warn({ err, sessionKey: target.sessionKey }, "webhook run not started");
    return c.json({ ok: false, error: "not accepted; retry later" }, 503);
  }
  if (reply) {
    try {
      reply.follow(`hook:${started.runId}`, started, () => end);
    } catch (err) {
      deps.log.warn({ err, runId: started.runId }, "webhook reply could not be queued; it is not sent");
    }
  }
  deps.log.info({ runId: started.runId, sessionKey: target.sessionKey, agentId: target.agentId }, "webhook run");
  return c.json({ ok: true, runId: started.runId, sessionKey: target.sessionKey }, 202);
}

async function replyRoute(deps: HooksStageDeps, to: HookDelivery) {
  try {
    const r = await deps.outbound(to.channel, to.accountId, to.to);
    if (r.sent) return r;
    deps.log.warn(
      { channel: to.channel, reason: r.reason },
      "webhook reply not sent: the channel refuses the recipient",
    );
  } catch (err) {
    deps.log.warn({ err, channel: to.channel }, "webhook reply not sent");
  }
  return undefined;
}
