import { execSecurity, sandboxMode } from "./tool-reach.js";
import { channelScopes, isRemotelyExposed } from "./exposure.js";
import { finding } from "./check.js";
import type { AuditCheck } from "./types.js";

/**
 * `summary.attack_surface` (info, always): channels and their policies, exposure, exec security,
 * sandbox mode, elevated and hooks state, in one line each. Source: reference §9.4.
 */
export const attackSurfaceCheck: AuditCheck = {
  id: "summary.attack_surface",
  area: "summary",
  run(ctx) {
    const c = ctx.config;
    const scopes = channelScopes(c);
    const channels = scopes.length
      ? scopes.map((s) => `${s.path} dm=${s.dmPolicy} groups=${s.groupPolicy}`).join("; ")
      : "WebChat only";
    const allowFrom = c.tools?.elevated?.allowFrom;
    const elevated =
      c.tools?.elevated?.enabled !== false &&
      allowFrom &&
      !Array.isArray(allowFrom) &&
      Object.keys(allowFrom).length > 0
        ? "configured"
        : "off";
    const detail = [
      `channels: ${channels}`,
      `gateway: bind=${c.gateway?.bind ?? "loopback"}${isRemotelyExposed(c) ? " (remote)" : ""} auth=${c.gateway?.auth?.mode ?? "token"} tailscale=${c.gateway?.tailscale?.mode ?? "off"}`,
      `tools: exec=${execSecurity(c)} sandbox=${sandboxMode(c)} elevated=${elevated} hooks=${c.hooks?.enabled === true ? "on" : "off"}`,
    ].join(" | ");
    return [
      finding({
        checkId: "summary.attack_surface",
        severity: "info",
        title: "Attack surface",
        detail,
        remediation: "holdfast is built for one trusted operator per gateway; give untrusted users their own gateway.",
      }),
    ];
  },
};
