import { z } from "zod";
import { loadConfig, type LoadedConfig } from "../config/index.js";
import { errorMessage, HoldfastError, isHoldfastError } from "../errors/index.js";
import { defineMethod, type MethodRegistrar } from "../gateway/index.js";
import type { Logger } from "../logging/index.js";
import { gatewayActor, type SecurityTrail } from "../trail/index.js";
import { configReadMethods } from "./config-read.js";
import { containsSecret, guardOutboundText, maskForModel } from "./outbound.js";
import { resolveSecrets } from "./resolve.js";
import { outboundGuard, runEventGuard, type GuardedRunEvent } from "./run-guard.js";
import type { SecretsRuntime } from "./runtime.js";

/** The result of `secrets.reload`: which key paths changed (never values). */
export interface SecretsReloadResult {
  readonly ok: true;
  readonly version: number;
  readonly secrets: number;
  readonly changed: readonly string[];
}

/** Dependencies of {@link createSecretsStage}. */
export interface SecretsStageDeps {
  /** The live secrets (resolved at bootstrap). */
  readonly runtime: SecretsRuntime;
  /** The process redactor (masks secrets in error texts sent to clients). */
  readonly redact: (text: string) => string;
  /** The config file `secrets.reload` re-reads, and the environment its `${VAR}`s come from. */
  readonly configPath: string;
  readonly env: NodeJS.ProcessEnv;
  readonly log: Logger;
  /** The config in force, for the read-only `config.get`. */
  readonly loaded: LoadedConfig;
  /** Where `secrets.reload` and `config.get` are registered. */
  readonly gateway: { readonly methods: MethodRegistrar };
  /** Reloads and failed reloads are recorded here (the paths that changed, never values). */
  readonly trail: SecurityTrail;
}

/** The secrets stage of a running gateway. */
export interface SecretsStage {
  /** The leak scan and error redaction for agent run events before they reach gateway clients. */
  readonly guardRunEvent: <E extends GuardedRunEvent>(ev: E) => readonly E[];
  /** The outbound leak scan for channel texts. */
  readonly guardOutbound: (text: string) => string;
  /** The same scan without logging, for texts kept rather than sent (transcripts): the text or the notice. */
  readonly withholdReply: (text: string) => string;
  /** The model-bound leak scan: text for a provider with every configured secret (any form) masked. */
  readonly maskForModel: (text: string) => string;
  /** True when text bound for the network (a `web_fetch` URL, a search query) carries a configured secret. */
  readonly leaks: (text: string) => boolean;
  /** Re-resolves secrets from the config on disk and swaps them in; the old snapshot stays on failure. */
  reload(): Promise<SecretsReloadResult>;
}

/**
 * The secrets stage of the gateway: agent replies and channel texts pass the outbound leak scan, text
 * bound for a model provider is masked (the same detectors), text bound for the network is checked,
 * `secrets.reload` (scope operator.admin) swaps the snapshot atomically (reloads run one at a time),
 * and `config.get` (operator.admin) shows the config in force with its secrets redacted.
 * Source: the secrets issue; seeds security-reference.md "Secrets Management".
 */
export function createSecretsStage(deps: SecretsStageDeps): SecretsStage {
  const log = deps.log.child({ stage: "secrets" });
  let chain: Promise<unknown> = Promise.resolve();
  const reload = (): Promise<SecretsReloadResult> => {
    const next = chain.then(() => reloadOnce(deps));
    chain = next.catch(() => undefined);
    return next;
  };
  deps.gateway.methods.register(
    defineMethod({
      name: "secrets.reload",
      scope: "operator.admin",
      params: z.looseObject({}),
      async handler(_p, ctx) {
        const actor = gatewayActor("secrets.reload", ctx.conn);
        try {
          const res = await reload();
          log.info({ version: res.version, changed: res.changed }, "secrets reloaded");
          void deps.trail.record({
            type: "secrets.reloaded",
            actor,
            details: { version: res.version, secrets: res.secrets, changed: res.changed },
          });
          return res;
        } catch (err) {
          const code = isHoldfastError(err) ? err.code : "HF_SECRET_UNRESOLVED";
          log.warn({ code }, "secrets reload failed; previous snapshot kept");
          void deps.trail.record({ type: "secrets.reload_failed", actor, details: { code } });
          throw new HoldfastError(
            code,
            `secrets reload failed; the previous secrets stay in force: ${errorMessage(err)}`,
          );
        }
      },
    }),
    ...configReadMethods(deps.loaded, deps.redact),
  );
  const guards = { secrets: deps.runtime, redact: deps.redact, log: deps.log };
  return {
    guardRunEvent: runEventGuard(guards),
    guardOutbound: outboundGuard(guards),
    withholdReply: (text) => guardOutboundText(text, deps.runtime).text,
    maskForModel: (text) => maskForModel(text, deps.runtime),
    leaks: (text) => containsSecret(text, deps.runtime),
    reload,
  };
}

async function reloadOnce(deps: SecretsStageDeps): Promise<SecretsReloadResult> {
  const loaded = await loadConfig(deps.configPath, deps.env);
  const snapshot = await resolveSecrets(loaded.config, { env: deps.env });
  const swap = deps.runtime.swap(snapshot);
  for (const err of swap.listenerErrors) deps.log.error({ err }, "a secrets listener failed after reload");
  return { ok: true, version: swap.version, secrets: snapshot.paths().length, changed: swap.changed };
}
