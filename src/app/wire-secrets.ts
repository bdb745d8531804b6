import { z } from "zod";
import type { RunEvent } from "../agent/index.js";
import { loadConfig } from "../config/index.js";
import { HoldfastError, isHoldfastError, errorMessage } from "../errors/index.js";
import { defineMethod, installWireErrorRedactor, type AnyMethodDef } from "../gateway/index.js";
import { guardOutboundText, resolveSecrets, StreamLeakGuard, WITHHELD_NOTICE } from "../secrets/index.js";
import type { AgentStage } from "./agent-wiring.js";
import type { AppContext } from "./context.js";

/** The result of `secrets.reload`: which key paths changed (never values). */
export interface SecretsReloadResult {
  readonly ok: true;
  readonly version: number;
  readonly secrets: number;
  readonly changed: readonly string[];
}

/** The secrets stage as wired into the gateway. */
export interface SecretsStage {
  /** `secrets.reload` (scope operator.admin). */
  readonly methods: AnyMethodDef[];
  /** The outbound leak scan and error redaction for agent run events (before they are broadcast). */
  readonly guardRunEvent: (ev: RunEvent) => RunEvent | undefined;
  /** Re-resolves secrets from the config on disk and swaps them in; the old snapshot stays on failure. */
  reload(): Promise<SecretsReloadResult>;
  /** Removes the error redactor hook. */
  stop(): void;
}

/**
 * Wires secrets into the running gateway: provider keys follow a swapped snapshot, error messages
 * sent to clients are redacted, agent replies pass the outbound leak scan, and `secrets.reload`
 * swaps the snapshot atomically. Source: the secrets issue; seeds security-reference.md "Secrets
 * Management".
 */
export function wireSecrets(ctx: AppContext, agent: AgentStage): SecretsStage {
  const log = ctx.log.child({ stage: "secrets" });
  ctx.secrets.onSwap(() => agent.catalog.reload(ctx.secrets));
  const uninstall = installWireErrorRedactor((t) => ctx.redactor.redact(t));
  let chain: Promise<unknown> = Promise.resolve();
  const reload = (): Promise<SecretsReloadResult> => {
    const next = chain.then(() => reloadOnce(ctx));
    chain = next.catch(() => undefined);
    return next;
  };
  const method = defineMethod({
    name: "secrets.reload",
    scope: "operator.admin",
    params: z.looseObject({}),
    async handler() {
      try {
        const res = await reload();
        log.info({ version: res.version, changed: res.changed }, "secrets reloaded");
        return res;
      } catch (err) {
        const code = isHoldfastError(err) ? err.code : "HF_SECRET_UNRESOLVED";
        log.warn({ code }, "secrets reload failed; previous snapshot kept");
        throw new HoldfastError(
          code,
          `secrets reload failed; the previous secrets stay in force: ${errorMessage(err)}`,
        );
      }
    },
  });
  return { methods: [method], guardRunEvent: runEventGuard(ctx), reload, stop: uninstall };
}

async function reloadOnce(ctx: AppContext): Promise<SecretsReloadResult> {
  const loaded = await loadConfig(ctx.paths.configPath, ctx.env);
  const snapshot = await resolveSecrets(loaded.config, { env: ctx.env });
  const swap = ctx.secrets.swap(snapshot);
  for (const err of swap.listenerErrors) ctx.log.error({ err }, "a secrets listener failed after reload");
  return { ok: true, version: swap.version, secrets: snapshot.paths().length, changed: swap.changed };
}

interface RunStreamState {
  /** Guard of the current model call's text (a run streams one text per model call). */
  guard: StreamLeakGuard;
  /** What was published of the current call's text. */
  published: string;
  /** The current call's text as last seen. */
  raw: string;
  /** A secret showed up somewhere in this run: nothing more streams and the final becomes the notice. */
  blocked: boolean;
}

/**
 * Filters agent run events on their way to clients: streamed text never shows any part of a
 * configured secret (a reply that contains one is replaced by a notice) and error messages are
 * redacted. Channel adapters use `guardOutboundText` from the secrets stage the same way.
 */
function runEventGuard(ctx: AppContext): (ev: RunEvent) => RunEvent | undefined {
  const runs = new Map<string, RunStreamState>();
  const stateOf = (runId: string) => {
    let s = runs.get(runId);
    if (!s) runs.set(runId, (s = { guard: new StreamLeakGuard(ctx.secrets), published: "", raw: "", blocked: false }));
    return s;
  };
  return (ev) => {
    const e = ev.event;
    if (e.type === "delta") {
      const s = stateOf(ev.runId);
      if (!e.accumulated.startsWith(s.raw))
        Object.assign(s, { guard: new StreamLeakGuard(ctx.secrets), published: "" });
      s.raw = e.accumulated;
      const { publish, blocked } = s.guard.push(e.accumulated);
      s.blocked ||= blocked;
      if (s.blocked || publish.length <= s.published.length) return undefined;
      const text = publish.slice(s.published.length);
      s.published = publish;
      return { ...ev, event: { ...e, text, accumulated: publish } };
    }
    if (e.type === "final") {
      const s = stateOf(ev.runId);
      runs.delete(ev.runId);
      const verdict = s.blocked ? { text: WITHHELD_NOTICE, blocked: true } : guardOutboundText(e.text, ctx.secrets);
      if (verdict.blocked)
        ctx.log.warn(
          { runId: ev.runId, sessionKey: ev.sessionKey },
          "reply withheld: it contained a configured secret",
        );
      return verdict.blocked ? { ...ev, event: { ...e, text: verdict.text } } : ev;
    }
    if (e.type === "error") {
      runs.delete(ev.runId);
      return { ...ev, event: { ...e, message: ctx.redactor.redact(e.message) } };
    }
    return ev;
  };
}
