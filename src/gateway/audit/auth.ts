import { bindIsLoopback, finding, isRemotelyExposed, type AuditCheck, type Finding } from "../../audit/index.js";
import { DOCUMENTED_EXAMPLES, gatewayAuth, PLACEHOLDER_VALUES } from "./credentials.js";

/** Shortest token/password the audit accepts without a warning (characters). Source: reference §9.4. */
export const MIN_SECRET_CHARS = 24;

/**
 * Gateway authentication (reference §9.4 "Gateway"; seeds "Mistake 3: No authentication"):
 * `gateway.bind_no_auth` / `gateway.loopback_no_auth` / `gateway.http.no_auth` for auth none or a
 * missing secret, `gateway.<kind>_placeholder_value` (critical), `gateway.<kind>_known_weak` for
 * documentation examples (critical when remote, else warn), `gateway.<kind>_too_short` (warn, < 24).
 */
export const gatewayAuthCheck: AuditCheck = {
  id: "gateway.auth",
  area: "network",
  run(ctx) {
    const out: Finding[] = [];
    const auth = gatewayAuth(ctx);
    const remote = isRemotelyExposed(ctx.config);
    const loopback = bindIsLoopback(ctx.config);
    const noSecret =
      auth.mode === "none" ||
      (auth.mode === "token" && auth.token === undefined && !loopback) ||
      (auth.mode === "password" && auth.password === undefined);
    if (!loopback && noSecret) {
      out.push(
        finding(
          "gateway.bind_no_auth",
          "critical",
          "Gateway listens beyond loopback without auth",
          `gateway.bind is "${ctx.config.gateway?.bind}" and auth is ${auth.mode === "none" ? 'mode "none"' : "not configured"}; the gateway refuses to start like this.`,
          "Set gateway.auth.token (holdfast doctor --generate-gateway-token) or bind to loopback.",
        ),
      );
    } else if (auth.mode === "none") {
      out.push(
        finding(
          "gateway.loopback_no_auth",
          "critical",
          "Gateway auth is disabled",
          'gateway.auth.mode is "none": any local process or user can drive the agent and its tools.',
          'Remove gateway.auth.mode "none"; holdfast generates a token on first start.',
        ),
      );
    }
    if (auth.mode === "none") {
      out.push(
        finding(
          "gateway.http.no_auth",
          remote ? "critical" : "warn",
          "Gateway HTTP API needs no credentials",
          "With auth none, /api/* answers anyone who can connect.",
          "Use token or password auth.",
        ),
      );
    }
    for (const kind of ["token", "password"] as const) {
      const value = auth[kind];
      if (value === undefined) continue;
      const v = value.trim().toLowerCase();
      if (PLACEHOLDER_VALUES.has(v)) {
        out.push(
          finding(
            `gateway.${kind}_placeholder_value`,
            "critical",
            `Gateway ${kind} is a placeholder`,
            `gateway.auth.${kind} is blank, "undefined"/"null" or a redaction marker: not a credential.`,
            `Set a real ${kind}: holdfast doctor --generate-gateway-token.`,
          ),
        );
      } else if (DOCUMENTED_EXAMPLES.has(v)) {
        out.push(
          finding(
            `gateway.${kind}_known_weak`,
            remote ? "critical" : "warn",
            `Gateway ${kind} is an example value from documentation`,
            `gateway.auth.${kind} is a value published in documentation; anyone can guess it.`,
            `Replace it: holdfast doctor --generate-gateway-token, then holdfast config set gateway.auth.${kind} <value>.`,
          ),
        );
      } else if (value.length < MIN_SECRET_CHARS) {
        out.push(
          finding(
            `gateway.${kind}_too_short`,
            "warn",
            `Gateway ${kind} is short`,
            `gateway.auth.${kind} has ${value.length} characters (fewer than ${MIN_SECRET_CHARS}).`,
            "Use 32 random bytes: holdfast doctor --generate-gateway-token.",
          ),
        );
      }
    }
    return out;
  },
};
