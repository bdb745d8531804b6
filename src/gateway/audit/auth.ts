import { bindIsLoopback, finding, isRemotelyExposed, type AuditCheck, type Finding } from "../../audit/index.js";
import { MIN_ENTROPY_BITS, weakSecretReason } from "../secret-strength.js";
import { DOCUMENTED_EXAMPLES, gatewayAuth, PLACEHOLDER_VALUES } from "./credentials.js";
import { cliHint } from "../../infra/index.js";

/** Shortest token/password the audit accepts without a warning (characters). Source: reference §9.4. */
export const MIN_SECRET_CHARS = 24;

/**
 * Gateway authentication (reference §9.4 "Gateway"; seeds "Mistake 3: No authentication"):
 * `gateway.bind_no_auth` / `gateway.loopback_no_auth` / `gateway.http.no_auth` for auth none or a
 * missing secret, `gateway.<kind>_placeholder_value` (critical), `gateway.<kind>_known_weak` for
 * documentation examples (critical when remote, else warn), `gateway.<kind>_too_short` (warn, < 24),
 * `gateway.<kind>_low_entropy` (critical: remotely exposed with an estimated entropy below the
 * minimum; the gateway refuses to start).
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
        finding({
          checkId: "gateway.bind_no_auth",
          severity: "critical",
          title: "Gateway listens beyond loopback without auth",
          detail: `gateway.bind is "${ctx.config.gateway?.bind}" and auth is ${auth.mode === "none" ? 'mode "none"' : "not configured"}; the gateway refuses to start like this.`,
          remediation: `Set gateway.auth.token (${cliHint("doctor --generate-gateway-token")}) or bind to loopback.`,
        }),
      );
    } else if (auth.mode === "none") {
      out.push(
        finding({
          checkId: "gateway.loopback_no_auth",
          severity: "critical",
          title: "Gateway auth is disabled",
          detail: 'gateway.auth.mode is "none": any local process or user can drive the agent and its tools.',
          remediation: 'Remove gateway.auth.mode "none"; holdfast generates a token on first start.',
        }),
      );
    }
    if (auth.mode === "none") {
      out.push(
        finding({
          checkId: "gateway.http.no_auth",
          severity: remote ? "critical" : "warn",
          title: "Gateway HTTP API needs no credentials",
          detail: "With auth none, /api/* answers anyone who can connect.",
          remediation: "Use token or password auth.",
        }),
      );
    }
    for (const kind of ["token", "password"] as const) {
      const value = auth[kind];
      if (value === undefined) continue;
      const v = value.trim().toLowerCase();
      if (PLACEHOLDER_VALUES.has(v)) {
        out.push(
          finding({
            checkId: `gateway.${kind}_placeholder_value`,
            severity: "critical",
            title: `Gateway ${kind} is a placeholder`,
            detail: `gateway.auth.${kind} is blank, "undefined"/"null" or a redaction marker: not a credential.`,
            remediation: `Set a real ${kind}: ${cliHint("doctor --generate-gateway-token")}.`,
          }),
        );
      } else if (DOCUMENTED_EXAMPLES.has(v)) {
        out.push(
          finding({
            checkId: `gateway.${kind}_known_weak`,
            severity: remote ? "critical" : "warn",
            title: `Gateway ${kind} is an example value from documentation`,
            detail: `gateway.auth.${kind} is a value published in documentation; anyone can guess it.`,
            remediation: `Replace it: ${cliHint("doctor --generate-gateway-token")}, then ${cliHint(`config set gateway.auth.${kind} <value>`)}.`,
          }),
        );
      } else if (remote && weakSecretReason(kind, value, true) === "low_entropy") {
        out.push(
          finding({
            checkId: `gateway.${kind}_low_entropy`,
            severity: "critical",
            title: `Gateway ${kind} is too easy to guess for a network exposure`,
            detail: `gateway.auth.${kind} has an estimated entropy below ${MIN_ENTROPY_BITS[kind]} bits (repeats, sequences, keyboard runs and common words count for little); the gateway refuses to start like this.`,
            remediation: `Use 32 random bytes: ${cliHint("doctor --generate-gateway-token")}.`,
          }),
        );
      } else if (value.length < MIN_SECRET_CHARS) {
        out.push(
          finding({
            checkId: `gateway.${kind}_too_short`,
            severity: "warn",
            title: `Gateway ${kind} is short`,
            detail: `gateway.auth.${kind} has ${value.length} characters (fewer than ${MIN_SECRET_CHARS}).`,
            remediation: `Use 32 random bytes: ${cliHint("doctor --generate-gateway-token")}.`,
          }),
        );
      }
    }
    return out;
  },
};
