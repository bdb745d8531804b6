import { finding, type AuditCheck, type Finding } from "../../audit/index.js";
import { isStrongSecret } from "../bluebubbles/settings.js";
import { isLoopbackHost } from "../service-url.js";
import { blocks } from "./blocks.js";

/** The host of `raw` when it is a plain-http URL to a host other than loopback. */
function plainRemoteHost(raw: unknown): string | undefined {
  if (typeof raw !== "string") return undefined;
  try {
    const u = new URL(raw);
    return u.protocol === "http:" && !isLoopbackHost(u.hostname) ? u.hostname : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `channels.bluebubbles.serverUrl.insecure` (critical): a plain-http `serverUrl` to another machine —
 * the BlueBubbles password travels in every request's query string and messages in the clear. The
 * gateway refuses to start such an account.
 */
const blueBubblesServerUrlCheck: AuditCheck = {
  id: "channels.bluebubbles.serverUrl.insecure",
  area: "access",
  run(ctx) {
    const out: Finding[] = [];
    for (const { path, block } of blocks(ctx, "bluebubbles")) {
      const host = plainRemoteHost(block.serverUrl);
      if (host)
        out.push(
          finding({
            checkId: "channels.bluebubbles.serverUrl.insecure",
            severity: "critical",
            title: `BlueBubbles server reached over plain HTTP on ${path}`,
            detail: `${path}.serverUrl is http:// to ${host}: the server password (a query parameter) and every message cross the network unencrypted. holdfast refuses to start this account.`,
            remediation: `Serve BlueBubbles over https (its built-in certificate, a reverse proxy, or a tunnel) and set ${path}.serverUrl to the https:// URL; plain http is accepted only for 127.0.0.1/localhost.`,
          }),
        );
    }
    return out;
  },
};

/**
 * `channels.signal.httpUrl.insecure` (critical): a plain-http `httpUrl` to another machine. signal-cli's
 * HTTP endpoint has no authentication; anyone on the path reads and sends messages as the account.
 */
const signalHttpUrlCheck: AuditCheck = {
  id: "channels.signal.httpUrl.insecure",
  area: "access",
  run(ctx) {
    const out: Finding[] = [];
    for (const { path, block } of blocks(ctx, "signal")) {
      const host = plainRemoteHost(block.httpUrl);
      if (host)
        out.push(
          finding({
            checkId: "channels.signal.httpUrl.insecure",
            severity: "critical",
            title: `signal-cli daemon reached over plain HTTP on ${path}`,
            detail: `${path}.httpUrl is http:// to ${host}: signal-cli's HTTP endpoint has no authentication, and messages cross the network unencrypted. holdfast refuses to start this account.`,
            remediation: `Run signal-cli on this machine with --http 127.0.0.1:8080, or put it behind an https reverse proxy and set ${path}.httpUrl to the https:// URL.`,
          }),
        );
    }
    return out;
  },
};

/**
 * `channels.bluebubbles.webhookPath.weak_secret` (critical): a configured `webhookPath` without a
 * secret segment of at least 128 bits; anyone who can reach the gateway could post forged messages.
 * The gateway refuses to start the account.
 */
const blueBubblesWebhookCheck: AuditCheck = {
  id: "channels.bluebubbles.webhookPath.weak_secret",
  area: "access",
  run(ctx) {
    const out: Finding[] = [];
    for (const { path, block } of blocks(ctx, "bluebubbles")) {
      if (typeof block.webhookPath !== "string") continue;
      const last = block.webhookPath.slice(block.webhookPath.lastIndexOf("/") + 1);
      if (isStrongSecret(last)) continue;
      out.push(
        finding({
          checkId: "channels.bluebubbles.webhookPath.weak_secret",
          severity: "critical",
          title: `BlueBubbles webhook path without a strong secret on ${path}`,
          detail: `${path}.webhookPath does not end in a random segment of at least 22 characters [A-Za-z0-9_-] (128 bits): webhooks could be guessed and forged. holdfast refuses to start this account.`,
          remediation: `Remove ${path}.webhookPath to have a secret path generated (kept in <stateDir>/credentials/bluebubbles/<account>/webhook-path), or end it in 32 random base64url characters.`,
        }),
      );
    }
    return out;
  },
};

/** Transport and webhook checks of the Signal and BlueBubbles channels. */
export const serviceUrlChecks: readonly AuditCheck[] = [
  blueBubblesServerUrlCheck,
  signalHttpUrlCheck,
  blueBubblesWebhookCheck,
];
