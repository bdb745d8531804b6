import { createExposure, type ExposureOptions, type GatewayExposure } from "../gateway/index.js";
import type { AppContext } from "./context.js";

/**
 * Decides and checks the gateway's exposure before anything is built that could listen: bind, port,
 * auth mode and credentials (the token is generated on first start), trusted proxies, origins, the
 * failed-auth limiter, TLS and Tailscale. The effective credentials join the live secrets (masked and
 * leak-scanned like configured ones).
 * @throws HoldfastError HF_GATEWAY_BIND_REFUSED / HF_GATEWAY_AUTH_CONFIG / HF_GATEWAY_TLS /
 *   HF_CONFIG_INVALID (exit 78): the gateway must not start.
 */
export async function wireExposure(ctx: AppContext, opts: ExposureOptions): Promise<GatewayExposure> {
  const exposure = await createExposure(ctx, opts);
  // The generated token is no config value: pin it so every redaction and leak scan knows it.
  ctx.secrets.pin(exposure.settings.token, exposure.settings.password);
  return exposure;
}
