import net from "node:net";
import tls from "node:tls";
import { HoldfastError } from "../errors/index.js";

/** Normalizes a SHA-256 pin: `AB:CD..`, `abcd..` or `sha256/..` → uppercase hex pairs joined by `:`. */
export function normalizePin(pin: string): string {
  const hex = pin
    .trim()
    .replace(/^sha256[:/]/i, "")
    .replace(/[^0-9a-f]/gi, "")
    .toUpperCase();
  return (hex.match(/.{1,2}/g) ?? []).join(":");
}

/**
 * A TLS connect function for `ws` that trusts exactly one certificate: the one whose SHA-256
 * fingerprint equals `pin` (the gateway prints it at start; self-signed certificates have no CA to
 * verify against). The chain is not checked; the pin is. On a mismatch the socket is destroyed as
 * soon as the handshake completes — before any WebSocket frame is read, so no credential is ever
 * sent — with HoldfastError HF_TLS_PIN_MISMATCH.
 */
export function pinnedTlsConnect(pin: string): (options: tls.ConnectionOptions) => tls.TLSSocket {
  const want = normalizePin(pin);
  if (want.length !== 95)
    throw new HoldfastError("HF_CLI_USAGE", "a TLS pin must be a SHA-256 fingerprint (32 bytes, hex)");
  return (options) => {
    const host = options.host ?? "";
    const servername = options.servername ?? (net.isIP(host) ? undefined : host);
    const socket = tls.connect({ ...options, ...(servername ? { servername } : {}), rejectUnauthorized: false });
    socket.once("secureConnect", () => {
      const got = socket.getPeerCertificate().fingerprint256 ?? "";
      if (normalizePin(got) !== want)
        socket.destroy(
          new HoldfastError(
            "HF_TLS_PIN_MISMATCH",
            `the gateway's TLS certificate (SHA-256 ${got || "none"}) does not match the pinned fingerprint; nothing was sent`,
          ),
        );
    });
    return socket;
  };
}
