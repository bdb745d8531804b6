import { bootstrap, bootstrapLenient, type AppContext } from "../app/index.js";
import { connectLocalGateway, type GatewayClient } from "../client/index.js";
import { ENV_STAND_IN, standInEnv } from "../config/index.js";
import { isHoldfastError } from "../errors/index.js";
import { readFileIfExists } from "../infra/index.js";

/**
 * Builds an app context for a one-shot command (console logging only, warnings on stderr). A config
 * that names variables this shell lacks (the gateway's service has them) still loads, with
 * stand-ins, and secrets that do not resolve here are left out: a client command needs the address
 * and its credential, not the provider keys.
 */
export async function cliContext(opts: { verbose?: boolean } = {}): Promise<AppContext> {
  const say = (l: string) => void (process.stderr.writable && process.stderr.write(`${l}\n`));
  try {
    return await bootstrap({ consoleOnly: true, verbose: opts.verbose === true, say });
  } catch (err) {
    if (!isHoldfastError(err, "HF_CONFIG_ENV_MISSING") && !isHoldfastError(err, "HF_SECRET_UNRESOLVED")) throw err;
    return bootstrapLenient({ env: standInEnv(process.env), say });
  }
}

/**
 * The credential a CLI command presents to the local gateway: configured token/password (resolved
 * secrets), else HOLDFAST_GATEWAY_TOKEN / HOLDFAST_GATEWAY_PASSWORD, else the generated token file.
 */
export async function cliCredential(ctx: AppContext): Promise<{ token?: string; password?: string }> {
  const real = (v: string | undefined) => (v === ENV_STAND_IN ? undefined : v);
  const secret = (p: string) => real(ctx.secrets.get(p));
  const password = secret("gateway.auth.password") ?? real(ctx.env.HOLDFAST_GATEWAY_PASSWORD);
  const mode = ctx.config.gateway?.auth?.mode ?? (password ? "password" : "token");
  // trusted-proxy mode: local callers fall back to the password (reference §3.8).
  if ((mode === "password" || mode === "trusted-proxy") && password) return { password };
  const token =
    secret("gateway.auth.token") ??
    real(ctx.env.HOLDFAST_GATEWAY_TOKEN) ??
    (await readFileIfExists(ctx.paths.generatedTokenFile))?.trim();
  return token ? { token } : {};
}

/**
 * Runs `fn` with a client connected to this state dir's running gateway with `scopes`, and closes it.
 * `ctx` defaults to {@link cliContext}.
 * @throws HoldfastError HF_GATEWAY_UNREACHABLE when no gateway runs; GatewayRequestError from `fn`.
 */
export async function withLocalGateway<T>(
  scopes: readonly string[],
  fn: (client: GatewayClient) => Promise<T>,
  ctx?: AppContext,
): Promise<T> {
  const c = ctx ?? (await cliContext());
  const client = await connectLocalGateway(c, scopes, await cliCredential(c));
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}
