import { DisconnectReason } from "baileys";
import { HoldfastError } from "../../errors/index.js";
import { cliHint } from "../../infra/index.js";

/** How one socket ended: reconnect with backoff, reconnect at once, or stop for good. */
export type SessionEnd =
  | { readonly kind: "retry"; readonly opened: boolean; readonly why: string }
  | { readonly kind: "restart"; readonly opened: boolean }
  | { readonly kind: "fatal"; readonly opened: boolean; readonly error: HoldfastError };

/** The `login` command for an account (what every "link again" hint says). */
export function loginHint(accountId: string): string {
  return cliHint(`channels login --channel whatsapp${accountId === "default" ? "" : ` --account ${accountId}`}`);
}

/** The account has no linked device (or WhatsApp asks for a QR scan again). */
export function notLinked(accountId: string): HoldfastError {
  return new HoldfastError(
    "HF_CHANNEL_AUTH",
    `no linked WhatsApp device for account "${accountId}"; link it with: ${loginHint(accountId)}`,
  );
}

/** Baileys' close status (`lastDisconnect.error` is a Boom with `output.statusCode`). */
export function closeStatus(err: unknown): number | undefined {
  const status = (err as { output?: { statusCode?: unknown } } | null | undefined)?.output?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/**
 * What a `connection.update` close with `lastDisconnect.error` means (Baileys `DisconnectReason`):
 * `loggedOut` (401: unlinked on the phone, or the number banned), `forbidden` (403),
 * `multideviceMismatch` (411) and `badSession` (500) end the account — retrying cannot help and a
 * loop would hammer WhatsApp; `connectionReplaced` (440: another client uses this device's
 * credentials) ends it as a conflict; `restartRequired` (515, normal right after linking) reconnects at
 * once; everything else (connection closed or lost, timed out, 503, network) reconnects with backoff.
 */
export function closeVerdict(err: unknown, opened: boolean, accountId: string): SessionEnd {
  const status = closeStatus(err);
  const relink = `; link it again with: ${loginHint(accountId)}`;
  const fatal = (code: "HF_CHANNEL_AUTH" | "HF_CHANNEL_CONFLICT", why: string): SessionEnd => ({
    kind: "fatal",
    opened,
    error: new HoldfastError(code, why, { closeStatus: status }),
  });
  switch (status) {
    case DisconnectReason.loggedOut:
      return fatal(
        "HF_CHANNEL_AUTH",
        `WhatsApp logged this device out (unlinked on the phone, or the number is banned)${relink}`,
      );
    case DisconnectReason.forbidden:
      return fatal("HF_CHANNEL_AUTH", `WhatsApp refused this account (403: banned or restricted)${relink}`);
    case DisconnectReason.multideviceMismatch:
      return fatal("HF_CHANNEL_AUTH", `WhatsApp reported a multi-device mismatch (411)${relink}`);
    case DisconnectReason.badSession:
      return fatal("HF_CHANNEL_AUTH", `the stored WhatsApp session is unusable (500)${relink}`);
    case DisconnectReason.connectionReplaced:
      return fatal(
        "HF_CHANNEL_CONFLICT",
        "another WhatsApp Web client took over this device's session (440); is a second holdfast running with the same credentials?",
      );
    case DisconnectReason.restartRequired:
      return { kind: "restart", opened };
    default:
      return { kind: "retry", opened, why: status ? `connection closed (${status})` : "connection closed" };
  }
}
