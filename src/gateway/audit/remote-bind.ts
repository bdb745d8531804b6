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
        finding(
          "gateway.remote_bind_no_tls",
          "warn",
          "Gateway listens beyond loopback without TLS",
          `gateway.bind is "${gw.bind}" and gateway.tls.enabled is not true: tokens and messages cross the network in clear text.`,
          "Set gateway.tls.enabled: true (or keep loopback and use Tailscale Serve / an SSH tunnel).",
        ),
      );
    }
    if (gw.auth?.mode !== "trusted-proxy" && !gw.auth?.rateLimit) {
      out.push(
        finding(
          "gateway.auth_no_rate_limit",
          "warn",
          "No explicit auth rate limit on a network bind",
          "gateway.auth.rateLimit is not set (defaults apply: 10 failures per minute, 5 minute lockout).",
          "Set gateway.auth.rateLimit explicitly to document the limit you rely on.",
        ),
      );
    }
    return out;
  },
};
