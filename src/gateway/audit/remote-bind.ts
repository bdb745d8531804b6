import { bindIsLoopback, finding, type AuditCheck, type Finding } from "../../audit/index.js";

/**
 * Non-loopback binds: `gateway.remote_bind_no_tls` (warn; seeds data-privacy-and-security-policies.md
 * "TLS/WSS enforced for all remote gateway connections") and `gateway.auth_no_rate_limit` (warn, no
 * `gateway.auth.rateLimit` block, reference §3.7/§9.4).
 */
export const remoteBindCheck: AuditCheck = {
  id: "gateway.remote_bind",
  area: "network",
  run(ctx) {
    if (bindIsLoopback(ctx.config)) return [];
    const gw = ctx.config.gateway ?? {};
    const out: Finding[] = [];
    if (gw.tls?.enabled !== true) {
      out.push(
        finding({
          checkId: "gateway.remote_bind_no_tls",
          severity: "warn",
          title: "Gateway listens beyond loopback without TLS",
          detail: `gateway.bind is "${gw.bind}" and gateway.tls.enabled is not true: tokens and messages cross the network in clear text.`,
          remediation: "Set gateway.tls.enabled: true (or keep loopback and use Tailscale Serve / an SSH tunnel).",
        }),
      );
    }
    if (gw.auth?.mode !== "trusted-proxy" && !gw.auth?.rateLimit) {
      out.push(
        finding({
          checkId: "gateway.auth_no_rate_limit",
          severity: "warn",
          title: "No explicit auth rate limit on a network bind",
          detail: "gateway.auth.rateLimit is not set (defaults apply: 10 failures per minute, 5 minute lockout).",
          remediation: "Set gateway.auth.rateLimit explicitly to document the limit you rely on.",
        }),
      );
    }
    return out;
  },
};
