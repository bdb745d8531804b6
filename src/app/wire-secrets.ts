import type { MethodRegistrar } from "../gateway/index.js";
import { createSecretsStage, type SecretsStage } from "../secrets/index.js";
import type { AppContext } from "./context.js";

/**
 * The secrets stage (the snapshot itself is resolved at bootstrap): `secrets.reload` and the
 * read-only, redacted `config.get` on the gateway, and the leak guards the channels and WebChat send through.
 */
export function wireSecrets(ctx: AppContext, gateway: { readonly methods: MethodRegistrar }): SecretsStage {
  return createSecretsStage({
    runtime: ctx.secrets,
    redact: (text) => ctx.redactor.redact(text),
    configPath: ctx.paths.configPath,
    loaded: ctx.loaded,
    env: ctx.env,
    log: ctx.log,
    gateway,
    trail: ctx.trail,
  });
}
