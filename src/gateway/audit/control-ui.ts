import { bindIsLoopback, finding, isRemotelyExposed, type AuditCheck, type Finding } from "../../audit/index.js";

/**
 * Browser origin policy of the Control UI/WebChat (reference §2.7, §9.4):
 * `gateway.control_ui.allowed_origins_required` (critical: non-loopback, UI on, no origins, no
 * fallback), `gateway.control_ui.allowed_origins_wildcard` (critical remote / warn),
 * `gateway.control_ui.host_header_origin_fallback` (critical remote / warn), and
 * `gateway.real_ip_fallback_enabled` (critical on non-loopback binds, else warn).
 */
export const controlUiCheck: AuditCheck = {
  id: "gateway.control_ui",
  area: "network",
  run(ctx) {
    const gw = ctx.config.gateway ?? {};
    const ui = gw.controlUi ?? {};
    const remote = isRemotelyExposed(ctx.config);
    const out: Finding[] = [];
    const origins = ui.allowedOrigins ?? [];
    if (
      ui.enabled !== false &&
      !bindIsLoopback(ctx.config) &&
      origins.length === 0 &&
      ui.dangerouslyAllowHostHeaderOriginFallback !== true
    ) {
      out.push(
        finding({
          checkId: "gateway.control_ui.allowed_origins_required",
          severity: "critical",
          title: "Non-loopback Control UI without allowed origins",
          detail: "The gateway is reachable from the network and gateway.controlUi.allowedOrigins is empty.",
          remediation: "Set gateway.controlUi.allowedOrigins to the exact origin you open the UI from.",
        }),
      );
    }
    if (origins.includes("*")) {
      out.push(
        finding({
          checkId: "gateway.control_ui.allowed_origins_wildcard",
          severity: remote ? "critical" : "warn",
          title: "Any web page may connect to the gateway",
          detail: 'gateway.controlUi.allowedOrigins contains "*".',
          remediation: 'List exact origins instead of "*".',
        }),
      );
    }
    if (ui.dangerouslyAllowHostHeaderOriginFallback === true) {
      out.push(
        finding({
          checkId: "gateway.control_ui.host_header_origin_fallback",
          severity: remote ? "critical" : "warn",
          title: "Origin check falls back to the Host header",
          detail: "gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback is true (DNS-rebinding risk).",
          remediation: "Remove it and set allowedOrigins.",
        }),
      );
    }
    if (gw.allowRealIpFallback === true) {
      out.push(
        finding({
          checkId: "gateway.real_ip_fallback_enabled",
          severity: bindIsLoopback(ctx.config) ? "warn" : "critical",
          title: "X-Real-IP is trusted as a fallback",
          detail:
            "gateway.allowRealIpFallback is true: a client can pick the address rate limits and locality checks see.",
          remediation: "Set gateway.allowRealIpFallback: false.",
        }),
      );
    }
    return out;
  },
};
