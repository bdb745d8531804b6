import { promises as fsp } from "node:fs";
import { HoldfastError } from "../../errors/index.js";
import type { Logger } from "../../logging/index.js";
import { isLinked, openWhatsAppAuth } from "./auth-store.js";
import { closeStatus, closeVerdict } from "./close.js";
import { jidToE164 } from "./normalize.js";
import type { WhatsAppConnector, WhatsAppSocket } from "./socket.js";

/** How long `channels login` waits for the QR code to be scanned (ms). */
export const LOGIN_TIMEOUT_MS = 180_000;
/** How long `channels logout` waits for WhatsApp before it only deletes the local state (ms). */
export const UNLINK_TIMEOUT_MS = 20_000;

/** What {@link linkWhatsApp} needs. */
export interface LinkOptions {
  readonly dir: string;
  readonly accountId: string;
  readonly connector: WhatsAppConnector;
  readonly log: Logger;
  /** Called with each pairing QR payload (WhatsApp rotates it about every 20 s). */
  readonly onQr: (qr: string) => void;
  readonly timeoutMs?: number;
  /** Cancels the linking (a newer `web.login.start` with `force`, gateway shutdown): HF_CHANNEL_AUTH. */
  readonly signal?: AbortSignal;
}

/** A socket's next `open` or `close` (with Baileys' close error), or a QR to show meanwhile. */
function nextEnd(
  sock: WhatsAppSocket,
  onQr?: (qr: string) => void,
): Promise<{ open: true } | { open: false; err: unknown }> {
  return new Promise((resolve) =>
    sock.ev.on("connection.update", (u) => {
      if (u.qr) onQr?.(u.qr);
      if (u.connection === "open") resolve({ open: true });
      if (u.connection === "close") resolve({ open: false, err: u.lastDisconnect?.error });
    }),
  );
}

function timeout(ms: number, what: string): { promise: Promise<never>; clear: () => void } {
  let t: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new HoldfastError("HF_CHANNEL_AUTH", what)), ms);
  });
  return { promise, clear: () => clearTimeout(t) };
}

/** Rejects with HF_CHANNEL_AUTH once `signal` aborts (never, without a signal). */
function cancelled(signal: AbortSignal | undefined): Promise<never> {
  return new Promise<never>((_, reject) => {
    const fail = () => reject(new HoldfastError("HF_CHANNEL_AUTH", "linking was cancelled"));
    if (signal?.aborted) return fail();
    signal?.addEventListener("abort", fail, { once: true });
  });
}

/**
 * Links a new device (`holdfast channels login --channel whatsapp`): opens a socket with fresh
 * credentials, hands each QR to `onQr`, saves the credentials on every `creds.update` (atomically, 600
 * in 700), reconnects once on `restartRequired` (WhatsApp's answer to the scan) and returns the linked
 * number once the session opens. Nothing is left behind when linking fails.
 * @returns the account's number (E.164), or `alreadyLinked` when `dir` holds a linked session
 * @throws HoldfastError HF_CHANNEL_AUTH (QR not scanned in time, the phone refused, logged out),
 *   HF_CHANNEL_NETWORK (WhatsApp not reachable).
 */
export async function linkWhatsApp(o: LinkOptions): Promise<{ number?: string; alreadyLinked: boolean }> {
  if (await isLinked(o.dir)) return { alreadyLinked: true };
  const auth = await openWhatsAppAuth(o.dir);
  const limit = timeout(o.timeoutMs ?? LOGIN_TIMEOUT_MS, "the QR code was not scanned in time; run the login again");
  const cancel = cancelled(o.signal);
  cancel.catch(() => undefined);
  let sock: WhatsAppSocket | undefined;
  try {
    for (let restarts = 0; ; restarts++) {
      sock = o.connector.connect({ auth: auth.state, log: o.log });
      sock.ev.on("creds.update", () => void auth.saveCreds().catch(() => undefined));
      const end = await Promise.race([nextEnd(sock, o.onQr), limit.promise, cancel]);
      if (end.open) {
        await auth.saveCreds();
        await auth.flush();
        return {
          alreadyLinked: false,
          ...(jidToE164(auth.state.creds.me?.id) ? { number: jidToE164(auth.state.creds.me?.id) as string } : {}),
        };
      }
      const verdict = closeVerdict(end.err, false, o.accountId);
      if (verdict.kind === "restart" && restarts < 3) continue;
      if (verdict.kind === "fatal") throw verdict.error;
      const status = closeStatus(end.err);
      throw status === 408
        ? new HoldfastError("HF_CHANNEL_AUTH", "the QR code was not scanned in time; run the login again")
        : new HoldfastError(
            "HF_CHANNEL_NETWORK",
            `could not link: WhatsApp closed the connection${status ? ` (${status})` : ""}`,
          );
    }
  } catch (err) {
    await auth.flush();
    if (!auth.linked()) await fsp.rm(o.dir, { recursive: true, force: true });
    throw err;
  } finally {
    limit.clear();
    await sock?.end(undefined);
  }
}

/** What {@link unlinkWhatsApp} did. */
export type UnlinkOutcome = "unlinked" | "not_linked" | "already_logged_out" | "unreachable";

/**
 * Unlinks the device stored in `dir` from its WhatsApp account (the phone's "Linked devices" loses
 * it): connects with the stored credentials and calls Baileys' `logout`. The local state is not
 * touched here (`channels logout` deletes it afterwards, whatever the outcome).
 */
export async function unlinkWhatsApp(o: {
  readonly dir: string;
  readonly connector: WhatsAppConnector;
  readonly log: Logger;
  readonly timeoutMs?: number;
}): Promise<UnlinkOutcome> {
  if (!(await isLinked(o.dir))) return "not_linked";
  const auth = await openWhatsAppAuth(o.dir);
  const sock = o.connector.connect({ auth: auth.state, log: o.log });
  const limit = timeout(o.timeoutMs ?? UNLINK_TIMEOUT_MS, "timeout");
  try {
    const end = await Promise.race([nextEnd(sock), limit.promise]);
    if (!end.open) return closeStatus(end.err) === 401 ? "already_logged_out" : "unreachable";
    await sock.logout();
    return "unlinked";
  } catch {
    return "unreachable";
  } finally {
    limit.clear();
    await sock.end(undefined);
  }
}
