import { existsSync } from "node:fs";
import { hasEnvReference, type HoldfastConfig, type HoldfastPaths } from "../config/index.js";
import { cliHint } from "../infra/index.js";

/** Where the gateway's credential comes from, in words (never the value). Source: reference §3.1. */
export function gatewayCredentialSource(
  config: HoldfastConfig,
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  paths: HoldfastPaths,
): string {
  const auth = config.gateway?.auth;
  const writtenAuth = (raw.gateway as { auth?: Record<string, unknown> } | undefined)?.auth ?? {};
  const describe = (kind: "token" | "password") => {
    const value = auth?.[kind];
    const written = writtenAuth[kind];
    if (value !== undefined && typeof value !== "string")
      return `gateway.auth.${kind} (SecretRef ${value.source}:${value.provider}:${value.id})`;
    if (typeof written === "string" && hasEnvReference(written)) return `gateway.auth.${kind} (${written})`;
    if (value !== undefined) return `gateway.auth.${kind} (written in the config file)`;
    const envName = kind === "token" ? "HOLDFAST_GATEWAY_TOKEN" : "HOLDFAST_GATEWAY_PASSWORD";
    return env[envName] ? envName : undefined;
  };
  if (auth?.mode === "none") return 'none: gateway.auth.mode is "none"';
  const password = describe("password");
  if (auth?.mode === "password" || (auth?.mode === undefined && password))
    return `password auth from ${password ?? "nowhere: set gateway.auth.password"}`;
  const token = describe("token");
  if (token) return `token from ${token}`;
  if (existsSync(paths.generatedTokenFile)) return `token generated on first start (${paths.generatedTokenFile})`;
  return `no token yet: the gateway generates one on first start (or: ${cliHint("doctor --generate-gateway-token")})`;
}
