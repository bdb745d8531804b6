import { renderSVG } from "uqr";
import { errorMessage, HoldfastError } from "../../errors/index.js";
import type { Logger } from "../../logging/index.js";
import { linkedJid, whatsappAuthDir } from "./auth-store.js";
import { linkWhatsApp, LOGIN_TIMEOUT_MS } from "./login.js";
import { jidToE164 } from "./normalize.js";
import type { WhatsAppConnector } from "./socket.js";

/** How long `web.login.start` waits for WhatsApp's first QR code (ms). */
export const FIRST_QR_TIMEOUT_MS = 30_000;
/** `web.login.wait` without `timeoutMs` (ms); longer waits are cut to the linking's own limit. */
export const WAIT_DEFAULT_MS = 120_000;

/** What `web.login.start` answers: the current QR (absent when nothing is to scan) and what to do. */
export interface WebLoginStart {
  readonly accountId: string;
  readonly message: string;
  /** The pairing QR as an SVG data URL (`data:image/svg+xml;base64,…`, rendered with uqr). */
  readonly qrDataUrl?: string;
  /** The QR's text (what the CLI renders as terminal blocks); rotates with `qrDataUrl`. */
  readonly qr?: string;
}

/** What `web.login.wait` answers: linked, failed (with the reason), or still `pending` with the latest QR. */
export interface WebLoginWait {
  readonly accountId: string;
  readonly connected: boolean;
  readonly message: string;
  /** True while the linking still runs (the wait timed out first); the QR may have rotated. */
  readonly pending?: boolean;
  readonly qrDataUrl?: string;
  readonly qr?: string;
}

/** What {@link WhatsAppWebLogin} needs. */
export interface WebLoginDeps {
  /** `<stateDir>/credentials`: each account's auth state is in `whatsapp/<accountId>/`. */
  readonly credentialsDir: string;
  /** The gateway's own socket factory (Baileys, or a test's fake). */
  readonly connector: WhatsAppConnector;
  readonly log: Logger;
  /**
   * Called once a device was linked and its credentials saved: starts the account's adapter when it is
   * configured. @returns what to tell the operator about receiving (appended to the message).
   */
  readonly onLinked: (accountId: string) => Promise<string>;
  /** How long one linking may take before the QR counts as not scanned (ms). Default {@link LOGIN_TIMEOUT_MS}. */
  readonly loginTimeoutMs?: number;
}

interface ActiveLogin {
  readonly abort: AbortController;
  qr?: string;
  qrDataUrl?: string;
  result?: { readonly connected: boolean; readonly message: string };
  /** Settles (never rejects) when the linking ended and its state was saved or removed. */
  done: Promise<void>;
  /** Resolves with the first QR. */
  readonly firstQr: Promise<void>;
  readonly gotQr: () => void;
}

/** The pairing QR as an SVG data URL. */
export function qrDataUrl(qr: string): string {
  return `data:image/svg+xml;base64,${Buffer.from(renderSVG(qr, { border: 2 })).toString("base64")}`;
}

/**
 * WhatsApp device linking through the running gateway (`web.login.start` / `web.login.wait`, the
 * OpenClaw methods): one linking per account on the gateway's own socket factory, so a CLI and the
 * Control UI never open a second socket for the same account. The QR rotates as Baileys sends new
 * ones; a second `start` returns the running linking's current QR unless `force` restarts it. A
 * linked account is never unlinked here (`channels logout` does that). The credentials are saved by
 * {@link linkWhatsApp} (atomic, 600 in 700); a failed linking leaves nothing behind.
 */
export class WhatsAppWebLogin {
  private readonly logins = new Map<string, ActiveLogin>();

  constructor(private readonly deps: WebLoginDeps) {}

  /**
   * Starts linking `accountId` (or returns the running linking's current QR); waits up to
   * `qrTimeoutMs` (default {@link FIRST_QR_TIMEOUT_MS}) for WhatsApp's first QR.
   * @throws HoldfastError HF_CHANNEL_AUTH / HF_CHANNEL_NETWORK when WhatsApp sent no QR (the linking's
   *   failure), HF_CHANNEL_NETWORK when no QR came in time.
   */
  async start(accountId: string, opts: { force?: boolean; qrTimeoutMs?: number } = {}): Promise<WebLoginStart> {
    const { force = false, qrTimeoutMs = FIRST_QR_TIMEOUT_MS } = opts;
    const running = this.logins.get(accountId);
    if (running && !running.result) {
      if (!force && running.qrDataUrl) return this.current(accountId, running);
      running.abort.abort();
      await running.done;
    }
    this.logins.delete(accountId);
    const linked = await this.linkedNumber(accountId);
    if (linked !== undefined)
      return {
        accountId,
        message: `WhatsApp account "${accountId}" is already linked${linked ? ` (${linked})` : ""}; to link another device, unlink it first with holdfast channels logout --channel whatsapp`,
      };
    const login = this.begin(accountId);
    let timer: NodeJS.Timeout | undefined;
    const noQr = new Promise<"noQr">((r) => (timer = setTimeout(() => r("noQr"), qrTimeoutMs)));
    const first = await Promise.race([login.done, login.firstQr, noQr]);
    clearTimeout(timer);
    if (first === "noQr") {
      login.abort.abort();
      await login.done;
      login.result = { connected: false, message: `WhatsApp sent no QR code within ${qrTimeoutMs} ms` };
    }
    if (login.qrDataUrl) return this.current(accountId, login);
    if (login.result?.connected) return { accountId, message: login.result.message };
    throw new HoldfastError("HF_CHANNEL_NETWORK", login.result?.message ?? "WhatsApp sent no QR code");
  }

  /**
   * Waits up to `timeoutMs` for the linking of `accountId` to end.
   * @returns connected (linked and saved), failed with the reason, or `pending` with the latest QR.
   */
  async wait(accountId: string, timeoutMs = WAIT_DEFAULT_MS): Promise<WebLoginWait> {
    const login = this.logins.get(accountId);
    if (!login) {
      const linked = await this.linkedNumber(accountId);
      return linked !== undefined
        ? {
            accountId,
            connected: true,
            message: `WhatsApp account "${accountId}" is linked${linked ? ` (${linked})` : ""}`,
          }
        : {
            accountId,
            connected: false,
            message: "no WhatsApp linking is in progress; start one with web.login.start",
          };
    }
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((r) => (timer = setTimeout(r, Math.min(timeoutMs, this.loginTimeoutMs))));
    await Promise.race([login.done, limit]);
    clearTimeout(timer);
    if (login.result) return { accountId, ...login.result };
    return {
      accountId,
      connected: false,
      pending: true,
      message: "waiting for the QR code to be scanned",
      ...(login.qrDataUrl ? { qrDataUrl: login.qrDataUrl } : {}),
      ...(login.qr ? { qr: login.qr } : {}),
    };
  }

  /** Cancels every running linking (gateway shutdown) and waits until their state is cleaned up. */
  async stop(): Promise<void> {
    for (const l of this.logins.values()) l.abort.abort();
    await Promise.all([...this.logins.values()].map((l) => l.done));
  }

  private get loginTimeoutMs(): number {
    return this.deps.loginTimeoutMs ?? LOGIN_TIMEOUT_MS;
  }

  private current(accountId: string, login: ActiveLogin): WebLoginStart {
    return {
      accountId,
      message: "Scan this QR code in WhatsApp → Settings → Linked devices → Link a device.",
      ...(login.qrDataUrl ? { qrDataUrl: login.qrDataUrl } : {}),
      ...(login.qr ? { qr: login.qr } : {}),
    };
  }

  private begin(accountId: string): ActiveLogin {
    let gotQr = () => undefined as void;
    const firstQr = new Promise<void>((r) => (gotQr = r));
    const login: ActiveLogin = { abort: new AbortController(), done: Promise.resolve(), firstQr, gotQr };
    this.logins.set(accountId, login);
    const log = this.deps.log.child({ channel: "whatsapp", accountId });
    login.done = linkWhatsApp({
      dir: whatsappAuthDir(this.deps.credentialsDir, accountId),
      accountId,
      connector: this.deps.connector,
      log,
      signal: login.abort.signal,
      timeoutMs: this.loginTimeoutMs,
      onQr: (qr) => {
        login.qr = qr;
        login.qrDataUrl = qrDataUrl(qr);
        login.gotQr();
      },
    }).then(
      async (res) => {
        const note = await this.deps.onLinked(accountId).catch((err: unknown) => errorMessage(err));
        log.info({ accountId }, "whatsapp device linked through the gateway");
        login.result = {
          connected: true,
          message: `linked WhatsApp ${res.number ?? ""} as account "${accountId}"; ${note}`.replace(/  +/g, " "),
        };
      },
      (err: unknown) => {
        log.warn({ accountId, err: errorMessage(err) }, "whatsapp linking failed");
        login.result = { connected: false, message: errorMessage(err) };
      },
    );
    return login;
  }

  /** The linked number of `accountId` ("" when unknown), or undefined when no device is linked. */
  private async linkedNumber(accountId: string): Promise<string | undefined> {
    const jid = await linkedJid(whatsappAuthDir(this.deps.credentialsDir, accountId));
    return jid === undefined ? undefined : (jidToE164(jid) ?? "");
  }
}
