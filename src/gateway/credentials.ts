import { randomBytes } from "node:crypto";
import { cliHint, readFileIfExists, writeFileAtomic } from "../infra/index.js";
import type { HoldfastConfig, HoldfastPaths } from "../config/index.js";
import type { SourcedSecret } from "./exposure.js";

/** Where gateway credentials come from: the config, its resolved secrets and the environment. */
export interface CredentialSources {
  readonly config: HoldfastConfig;
  readonly env: NodeJS.ProcessEnv;
  readonly secrets: { get(path: string): string | undefined };
}

/** The gateway credentials the operator configured (never the generated token). */
export interface ConfiguredCredentials {
  readonly token?: SourcedSecret;
  readonly password?: SourcedSecret;
}

/**
 * Reads the configured gateway token and password with their source: `gateway.auth.token|password`
 * (resolved secrets, so `${VAR}` and SecretRefs work) first, then `HOLDFAST_GATEWAY_TOKEN` /
 * `HOLDFAST_GATEWAY_PASSWORD`. A value that is present but blank is kept so the start-up check can
 * refuse it (reference §3.1). Source: seeds security-architecture.md "Gateway Authentication Modes".
 */
export function configuredCredentials(ctx: CredentialSources): ConfiguredCredentials {
  const pick = (key: "token" | "password", envName: string): SourcedSecret | undefined => {
    const resolved = ctx.secrets.get(`gateway.auth.${key}`);
    if (resolved !== undefined) return { value: resolved, source: `gateway.auth.${key}` };
    if (ctx.config.gateway?.auth?.[key] === "") return { value: "", source: `gateway.auth.${key}` };
    const env = ctx.env[envName];
    return env !== undefined ? { value: env, source: envName } : undefined;
  };
  const token = pick("token", "HOLDFAST_GATEWAY_TOKEN");
  const password = pick("password", "HOLDFAST_GATEWAY_PASSWORD");
  return { ...(token ? { token } : {}), ...(password ? { password } : {}) };
}

/**
 * The token generated on first start for a loopback token-mode gateway with no configured token:
 * 32 random bytes, hex, in `<stateDir>/credentials/gateway-token` (mode 600). It is never printed or
 * logged: only where to find it. Source: seeds "Token Authentication" (32 random bytes).
 */
export async function generatedToken(ctx: {
  readonly paths: Pick<HoldfastPaths, "generatedTokenFile">;
  readonly say: (line: string) => void;
}): Promise<string> {
  const file = ctx.paths.generatedTokenFile;
  const stored = (await readFileIfExists(file))?.trim();
  if (stored) return stored;
  const fresh = randomBytes(32).toString("hex");
  await writeFileAtomic(file, `${fresh}\n`);
  ctx.say(
    `Generated a gateway token (first start). It is stored in ${file} (mode 600); show it with: ${cliHint("gateway token")}`,
  );
  return fresh;
}
