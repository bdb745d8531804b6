import { bindIsLoopback, finding, type AuditCheck } from "../../audit/index.js";

/**
 * mDNS full mode publishes the CLI path (user name), SSH port and tailnet name on the LAN:
 * `discovery.mdns_full_mode`, critical with a non-loopback bind, else warn (reference §2.6, §9.4;
 * seeds security-architecture.md "mDNS/Bonjour Discovery").
 */
export const mdnsFullCheck: AuditCheck = {
  id: "discovery.mdns_full_mode",
  area: "network",
  run(ctx) {
    if (ctx.config.discovery?.mdns?.mode !== "full") return [];
    return [
      finding({
        checkId: "discovery.mdns_full_mode",
        severity: bindIsLoopback(ctx.config) ? "warn" : "critical",
        title: "mDNS announces operational details",
        detail:
          'discovery.mdns.mode is "full": the LAN learns the install path (your user name), SSH port and tailnet name.',
        remediation: 'Set discovery.mdns.mode to "minimal" or "off".',
      }),
    ];
  },
};
