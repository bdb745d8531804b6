import { finding, type AuditCheck, type Finding } from "../../audit/index.js";
import { gatewayAuth } from "./credentials.js";

/**
 * Tailscale exposure (reference §2.5, §9.4): Funnel publishes the gateway on the internet
 * (`gateway.tailscale_funnel`, critical); Funnel without password auth is refused at start and
 * flagged `gateway.tailscale_funnel_no_password` (critical); Serve is tailnet-only (`gateway.tailscale_serve`, info).
 */
export const tailscaleCheck: AuditCheck = {
  id: "gateway.tailscale",
  area: "network",
  run(ctx) {
    const mode = ctx.config.gateway?.tailscale?.mode ?? "off";
    const out: Finding[] = [];
    if (mode === "funnel") {
      out.push(
        finding({
          checkId: "gateway.tailscale_funnel",
          severity: "critical",
          title: "Gateway is public through Tailscale Funnel",
          detail: 'gateway.tailscale.mode is "funnel": anyone on the internet can reach the gateway\'s login.',
          remediation: 'Prefer "serve" (tailnet only); use Funnel only with a strong password.',
        }),
      );
      const auth = gatewayAuth(ctx);
      if (auth.mode !== "password" || auth.password === undefined) {
        out.push(
          finding({
            checkId: "gateway.tailscale_funnel_no_password",
            severity: "critical",
            title: "Funnel without password auth",
            detail:
              'Tailscale Funnel requires gateway.auth.mode "password" with a password; the gateway refuses to start otherwise.',
            remediation:
              'Set gateway.auth.mode "password" and gateway.auth.password (a SecretRef or ${HOLDFAST_GATEWAY_PASSWORD}).',
          }),
        );
      }
    } else if (mode === "serve") {
      out.push(
        finding({
          checkId: "gateway.tailscale_serve",
          severity: "info",
          title: "Gateway is reachable on the tailnet through Tailscale Serve",
          detail: "Tailnet members can reach the gateway; auth still applies.",
          remediation: "Keep tailnet ACLs tight.",
        }),
      );
    }
    return out;
  },
};
