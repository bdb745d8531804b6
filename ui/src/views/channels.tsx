import { useEffect, useRef, useState } from "preact/hooks";
import type { Controller } from "../controller.js";
import { useRequest } from "./use-request.js";

interface ChannelStatus {
  readonly accounts: readonly {
    channel: string;
    accountId: string;
    state: string;
    mode?: string;
    botUsername?: string;
    errorCode?: string;
    lastError?: { message: string };
  }[];
}

interface LoginStart {
  readonly message: string;
  readonly qrDataUrl?: string;
}
interface LoginWait {
  readonly connected: boolean;
  readonly message: string;
  readonly pending?: boolean;
  readonly qrDataUrl?: string;
}

/** How long one `web.login.wait` may block before the view asks again (and picks up a rotated QR), ms. */
const WAIT_SLICE_MS = 4_000;

/** How often the accounts are asked about while one is connecting or retrying, ms. */
const SETTLE_POLL_MS = 1_500;

type LinkState =
  | { readonly phase: "starting" }
  | { readonly phase: "qr"; readonly qrDataUrl: string; readonly message: string }
  | { readonly phase: "linked" | "failed"; readonly message: string };

/** The channel accounts and their state; WhatsApp accounts get "Link device" (operator.admin). */
export function ChannelsView({ controller }: { controller: Controller }) {
  const status = useRequest<ChannelStatus>(controller, "channels.status");
  const [linking, setLinking] = useState<string | undefined>(undefined);
  // An account on its way up (a device just linked) is asked about again until it settles.
  const settling = status.data?.accounts.some((a) => a.state === "connecting" || a.state === "retrying") === true;
  useEffect(() => {
    if (!settling) return;
    const t = setInterval(() => void status.reload(), SETTLE_POLL_MS);
    return () => clearInterval(t);
  }, [settling, status.reload]);
  return (
    <section class="panel" aria-labelledby="channels-h">
      <h2 id="channels-h">Channels</h2>
      {status.error ? <p class="error">{status.error}</p> : null}
      {status.data?.accounts.length ? null : <p class="empty">No channel account is configured.</p>}
      <ul id="channel-accounts" class="cards">
        {status.data?.accounts.map((a) => (
          <li key={`${a.channel}/${a.accountId}`} data-account={`${a.channel}/${a.accountId}`} data-state={a.state}>
            <p>
              <strong>
                {a.channel}/{a.accountId}
              </strong>{" "}
              <span class="account-state">{a.state}</span>
              {a.botUsername ? ` · ${a.botUsername}` : ""}
              {a.errorCode ? ` · ${a.errorCode}` : ""}
            </p>
            {a.lastError && a.state !== "running" ? <p class="meta">{a.lastError.message}</p> : null}
            {a.channel === "whatsapp" && a.state !== "running" && linking !== a.accountId ? (
              <div class="actions">
                <button type="button" class="link-device" onClick={() => setLinking(a.accountId)}>
                  Link device
                </button>
              </div>
            ) : null}
            {a.channel === "whatsapp" && linking === a.accountId ? (
              <LinkDevice controller={controller} accountId={a.accountId} onDone={() => void status.reload()} />
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Starts linking (`web.login.start`), shows the QR as it rotates, and waits until linked or failed. */
function LinkDevice(props: { controller: Controller; accountId: string; onDone: () => void }) {
  const { controller, accountId, onDone } = props;
  const [state, setState] = useState<LinkState>({ phase: "starting" });
  const [round, setRound] = useState(0);
  const alive = useRef(true);
  const done = useRef(onDone);
  done.current = onDone;
  useEffect(() => {
    alive.current = true;
    const client = controller.client;
    void (async () => {
      try {
        const start = await client.request<LoginStart>("web.login.start", {
          accountId,
          ...(round ? { force: true } : {}),
        });
        if (!start.qrDataUrl) return alive.current && setState({ phase: "linked", message: start.message });
        let qr = start.qrDataUrl;
        setState({ phase: "qr", qrDataUrl: qr, message: start.message });
        while (alive.current) {
          const w = await client.request<LoginWait>("web.login.wait", { accountId, timeoutMs: WAIT_SLICE_MS });
          if (!alive.current) return;
          if (!w.pending) {
            setState({ phase: w.connected ? "linked" : "failed", message: w.message });
            return done.current();
          }
          if (w.qrDataUrl && w.qrDataUrl !== qr)
            setState({ phase: "qr", qrDataUrl: (qr = w.qrDataUrl), message: start.message });
        }
      } catch (err) {
        if (alive.current) setState({ phase: "failed", message: (err as Error).message });
      }
    })();
    return () => {
      alive.current = false;
    };
  }, [controller, accountId, round]);
  return (
    <div id="wa-link" class="wa-link" data-state={state.phase} aria-live="polite">
      {state.phase === "starting" ? <p class="meta">Asking WhatsApp for a pairing code…</p> : null}
      {state.phase === "qr" ? (
        <>
          <p>On your phone open WhatsApp → Settings → Linked devices → Link a device, and scan:</p>
          <img
            id="wa-qr"
            src={state.qrDataUrl}
            alt={`WhatsApp pairing QR code for account ${accountId}`}
            width={264}
            height={264}
          />
          <p class="meta">A new code appears when this one expires.</p>
        </>
      ) : null}
      {state.phase === "linked" ? (
        <p id="wa-link-message" class="ok">
          {state.message}
        </p>
      ) : null}
      {state.phase === "failed" ? (
        <>
          <p id="wa-link-message" class="error" role="alert">
            {state.message}
          </p>
          <div class="actions">
            <button type="button" id="wa-link-retry" onClick={() => setRound((r) => r + 1)}>
              Try again
            </button>
          </div>
        </>
      ) : null}
    </div>
  );
}
