import net from "node:net";
import { HoldfastError } from "../errors/index.js";

/** `localhost`, 127.0.0.0/8 and ::1 (with or without brackets). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h === "::1") return true;
  return net.isIPv4(h) && h.startsWith("127.");
}

/**
 * Checks the base URL of a local companion service a channel talks to (the signal-cli daemon, a
 * BlueBubbles server): `http:` or `https:`, no user info, no query or fragment, and `https:` unless
 * the host is loopback — a plain-HTTP link to another machine would carry messages (and for
 * BlueBubbles the server password) readable by anyone on the path (seeds "Channel Credentials").
 * @returns the URL without trailing slashes
 * @throws HoldfastError HF_CHANNEL_CONFIG naming `at` and the reason (never a query string).
 */
export function checkServiceUrl(raw: string, at: string): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new HoldfastError("HF_CHANNEL_CONFIG", `${at}: not a URL`, { path: at });
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw new HoldfastError("HF_CHANNEL_CONFIG", `${at}: must be an http:// or https:// URL`, { path: at });
  if (u.username !== "" || u.password !== "" || u.search !== "" || u.hash !== "")
    throw new HoldfastError(
      "HF_CHANNEL_CONFIG",
      `${at}: must not carry credentials, a query or a fragment (put the password in its own key)`,
      { path: at },
    );
  if (u.protocol === "http:" && !isLoopbackHost(u.hostname))
    throw new HoldfastError(
      "HF_CHANNEL_CONFIG",
      `${at}: plain http:// is allowed only to a loopback host (127.0.0.1, ::1, localhost); ${u.hostname} needs https:// (TLS), or the traffic could be read and altered on the network`,
      { path: at, host: u.hostname },
    );
  return `${u.origin}${u.pathname.replace(/\/+$/, "")}`;
}
