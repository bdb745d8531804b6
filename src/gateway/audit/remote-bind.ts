import { bindIsLoopback, finding, type AuditCheck, type Finding } from "../../audit/index.js";

/**
 * Non-loopback binds: `gateway.remote_bind_no_tls` (critical: no TLS, no TLS-terminating proxy
 * (trusted-proxy auth) and no opt-out, so the gateway refuses to start; seeds
 * data-privacy-and-security-policies.md "TLS/WSS enforced for all remote gateway connections"),
 * `gateway.tls.plaintext_opt_out` (critical: `gateway.tls.dangerouslyAllowPlaintext` lets it listen
 * in clear text) and `gateway.auth_no_rate_limit` (warn, no `gateway.auth.rateLimit` block,
 * reference §3.7/§9.4).
 */
export const remoteBindCheck: AuditCheck = {
  id: "gateway.remote_bind",
  area: "network",
  run(ctx) {
    if (bindIsLoopback(ctx.config)) return [];
    const gw = ctx.config.gateway ?? {};
    const out: Finding[] = [];
    if (gw.tls?.enabled !== true && gw.auth?.mode !== "trusted-proxy") {
      const optOut = gw.tls?.dangerouslyAllowPlaintext === true;
      out.push(
        finding({
          checkId: optOut ? "gateway.tls.plaintext_opt_out" : "gateway.remote_bind_no_tls",
          severity: "critical",
          title: optOut
            ? "Gateway is allowed to listen beyond loopback in clear text"
            : "Gateway bind beyond loopback without TLS",
          detail: optOut
            ? `gateway.bind is "${gw.bind}" and gateway.tls.dangerouslyAllowPlaintext is true: tokens and messages cross the network in clear text.`
            : `gateway.bind is "${gw.bind}" and gateway.tls.enabled is not true: the gateway refuses to start like this.`,
          remediation:
            "Set gateway.tls.enabled: true and gateway.tls.autoGenerate: true (or keep loopback and use Tailscale Serve / an SSH tunnel)" +
            (optOut ? ", then remove gateway.tls.dangerouslyAllowPlaintext." : "."),
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
