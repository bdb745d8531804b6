import { bindIsLoopback, finding, type AuditCheck, type Finding } from "../../audit/index.js";
import { proxyRangeWidth } from "../net.js";

const LOCAL_ORIGIN = /^https?:\/\/(localhost|127\.[0-9.]+|\[::1\])(:\d+)?$/i;

/**
 * Reverse proxies (reference §2.4, §3.8, §9.4): with a proxy in front of a loopback gateway (Tailscale
 * Serve/Funnel, or Control UI origins that are not local) and no `gateway.trustedProxies`, client
 * addresses cannot be attributed (`gateway.trusted_proxies_missing`, warn). trusted-proxy auth mode
 * delegates identity to the proxy (`gateway.trusted_proxy_auth`, critical) and needs proxies
 * (`gateway.trusted_proxy_no_proxies`, critical) and a user header (`gateway.trusted_proxy_no_user_header`).
 * A trustedProxies range wider than /8 (IPv4) or /32 (IPv6), such as `0.0.0.0/0`:
 * `gateway.trusted_proxies_wildcard` (critical with trusted-proxy auth, which then refuses to start:
 * anyone in the range can claim any user; warn otherwise: clients can pick the address rate limits
 * see); wider than /24 or /64: `gateway.trusted_proxies_broad` (warn).
 */
export const proxiesCheck: AuditCheck = {
  id: "gateway.trusted_proxies",
  area: "network",
  run(ctx) {
    const gw = ctx.config.gateway ?? {};
    const out: Finding[] = [];
    const proxies = gw.trustedProxies ?? [];
    const ts = gw.tailscale?.mode ?? "off";
    const foreignOrigins = (gw.controlUi?.allowedOrigins ?? []).filter((o) => o !== "*" && !LOCAL_ORIGIN.test(o));
    if (bindIsLoopback(ctx.config) && proxies.length === 0 && (ts !== "off" || foreignOrigins.length > 0)) {
      const via = ts !== "off" ? `Tailscale ${ts}` : `origins ${foreignOrigins.join(", ")}`;
      out.push(
        finding({
          checkId: "gateway.trusted_proxies_missing",
          severity: "warn",
          title: "A proxy fronts the gateway but trustedProxies is empty",
          detail: `The gateway is reached through ${via}; without gateway.trustedProxies, forwarded requests cannot be attributed to clients and are refused.`,
          remediation:
            'Set gateway.trustedProxies to the proxy address (e.g. ["127.0.0.1"]) and make the proxy overwrite X-Forwarded-For.',
        }),
      );
    }
    out.push(...rangeFindings(proxies, gw.auth?.mode === "trusted-proxy"));
    if (gw.auth?.mode === "trusted-proxy") {
      out.push(
        finding({
          checkId: "gateway.trusted_proxy_auth",
          severity: "critical",
          title: "Gateway identity is delegated to a reverse proxy",
          detail:
            'gateway.auth.mode is "trusted-proxy": whoever can send requests from a trusted proxy address with the user header is authenticated.',
          remediation: "Make sure only the proxy can reach the gateway port, and keep trustedProxies narrow.",
        }),
      );
      if (proxies.length === 0)
        out.push(
          finding({
            checkId: "gateway.trusted_proxy_no_proxies",
            severity: "critical",
            title: "trusted-proxy auth without trustedProxies",
            detail: 'gateway.auth.mode is "trusted-proxy" but gateway.trustedProxies is empty.',
            remediation: "List the proxy's address in gateway.trustedProxies.",
          }),
        );
      if (!gw.auth.trustedProxy?.userHeader)
        out.push(
          finding({
            checkId: "gateway.trusted_proxy_no_user_header",
            severity: "critical",
            title: "trusted-proxy auth without a user header",
            detail: "gateway.auth.trustedProxy.userHeader is not set.",
            remediation: "Set gateway.auth.trustedProxy.userHeader to the header your proxy writes.",
          }),
        );
    }
    return out;
  },
};

function rangeFindings(proxies: readonly string[], trustedProxyAuth: boolean): Finding[] {
  const wild = proxies.filter((p) => proxyRangeWidth(p) === "wildcard");
  const broad = proxies.filter((p) => proxyRangeWidth(p) === "broad");
  const out: Finding[] = [];
  if (wild.length > 0)
    out.push(
      finding({
        checkId: "gateway.trusted_proxies_wildcard",
        severity: trustedProxyAuth ? "critical" : "warn",
        title: "trustedProxies trusts (nearly) every address",
        detail: `gateway.trustedProxies has ${wild.join(", ")}: ${trustedProxyAuth ? "with trusted-proxy auth anyone in that range can claim any user and becomes an operator; the gateway refuses to start like this" : "any client in that range can set X-Forwarded-For and choose the address that rate limits and logs see"}.`,
        remediation: "List only your reverse proxy's own address(es) in gateway.trustedProxies.",
      }),
    );
  if (broad.length > 0)
    out.push(
      finding({
        checkId: "gateway.trusted_proxies_broad",
        severity: "warn",
        title: "trustedProxies trusts a wide range",
        detail: `gateway.trustedProxies has ${broad.join(", ")} (wider than /24 or /64): every host there is trusted to report client addresses${trustedProxyAuth ? " and user identities" : ""}.`,
        remediation: "Narrow gateway.trustedProxies to the proxy's address.",
      }),
    );
  return out;
}
