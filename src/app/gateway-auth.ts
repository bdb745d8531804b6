import { randomBytes } from "node:crypto";
import { HoldfastError } from "../errors/index.js";
import { readFileIfExists, writeFileAtomic } from "../infra/index.js";
import type { SharedSecret } from "../gateway/index.js";
import type { AppContext } from "./context.js";

/**
 * Resolves the gateway's shared secret. Mode: `gateway.auth.mode`, else `password` when a password
 * is configured, else `token`. Token: `gateway.auth.token`, else `HOLDFAST_GATEWAY_TOKEN`, else the
 * token generated on first start (32 random bytes, hex) in `<stateDir>/credentials/gateway-token`
 * (mode 600). The generated token is never printed or logged: only where to find it.
 * Source: seeds security-architecture.md "Token Authentication"; reference §3.1.
 * @throws HoldfastError HF_GATEWAY_AUTH_CONFIG for password mode without a password.
 */
export async function resolveSharedSecret(ctx: AppContext): Promise<SharedSecret & { generatedFile?: string }> {
  const auth = ctx.config.gateway?.auth;
  const password = ctx.secrets.get("gateway.auth.password") ?? nonBlank(ctx.env.HOLDFAST_GATEWAY_PASSWORD);
  const mode = auth?.mode ?? (password ? "password" : "token");
  if (mode === "none") return { mode: "none" };
  if (mode === "password") {
    if (!password) throw new HoldfastError("HF_GATEWAY_AUTH_CONFIG", "gateway auth mode is password, but no password was configured (set gateway.auth.password or HOLDFAST_GATEWAY_PASSWORD).");
    return { mode: "password", password };
  }
  if (mode === "trusted-proxy") throw new HoldfastError("HF_GATEWAY_AUTH_CONFIG", "gateway auth mode trusted-proxy is not handled by the shared-secret resolver");
  const token = ctx.secrets.get("gateway.auth.token") ?? nonBlank(ctx.env.HOLDFAST_GATEWAY_TOKEN);
  if (token) return { mode: "token", token };
  const file = ctx.paths.generatedTokenFile;
  const stored = (await readFileIfExists(file))?.trim();
  if (stored) return { mode: "token", token: stored, generatedFile: file };
  const fresh = randomBytes(32).toString("hex");
  await writeFileAtomic(file, `${fresh}\n`);
  ctx.say(`Generated a gateway token (first start). It is stored in ${file} (mode 600); show it with: holdfast gateway token`);
  return { mode: "token", token: fresh, generatedFile: file };
}

function nonBlank(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== "" ? v.trim() : undefined;
}
