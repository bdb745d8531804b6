import { reconnectDelayMs } from "./backoff.js";

/** Connection state shown in the header. */
export type ConnState = "idle" | "connecting" | "connected" | "reconnecting" | "refused";

/** A refusal from the gateway (`res` with ok false), or `DISCONNECTED` when the socket closed first. */
export class GatewayError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** True for a request that never got an answer because the connection dropped (safe to send again). */
export function isDisconnect(err: unknown): boolean {
  return err instanceof GatewayError && err.code === "DISCONNECTED";
}

export interface GatewayClientOptions {
  /** `ws://host/` or `wss://host/` of the gateway that served the page. */
  readonly url: string;
  /** The token from session storage, read at each connect (never put in a URL). */
  readonly token: () => string | null;
  readonly onEvent: (event: string, payload: unknown) => void;
  /** Called on every state change; `hello` is the `hello-ok` payload once connected. */
  readonly onState: (state: ConnState, info: { error?: string; retryInMs?: number; hello?: Hello }) => void;
  readonly random?: () => number;
}

/** The parts of `hello-ok` the UI reads. */
export interface Hello {
  readonly auth?: { readonly scopes?: readonly string[]; readonly role?: string };
  readonly snapshot?: { readonly interruptedRuns?: readonly InterruptedRun[] };
  readonly [k: string]: unknown;
}

export interface InterruptedRun {
  readonly runId: string;
  readonly sessionKey: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

const SCOPES = ["operator.read", "operator.write", "operator.approvals", "operator.pairing", "operator.admin"];

/**
 * The gateway socket: answers `connect.challenge` with the token, correlates `req`/`res` frames, and
 * reconnects by itself after a drop (0.5 s → 8 s with jitter) until {@link stop}. A refused token
 * stops reconnecting (state `refused`) until {@link start} is called again.
 */
export class GatewayClient {
  private ws: WebSocket | null = null;
  private nextId = 1;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = true;
  private readonly pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  state: ConnState = "idle";

  constructor(private readonly opts: GatewayClientOptions) {}

  start(): void {
    this.stopped = false;
    this.attempt = 0;
    clearTimeout(this.timer);
    this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.close();
    this.ws = null;
    this.set("idle", {});
  }

  /** Sends a request; rejects with a {@link GatewayError} (`DISCONNECTED` when not connected or dropped). */
  request<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    if (this.state !== "connected") return Promise.reject(new GatewayError("DISCONNECTED", "not connected"));
    return this.send(method, params) as Promise<T>;
  }

  private send(method: string, params: Record<string, unknown>): Promise<unknown> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN)
      return Promise.reject(new GatewayError("DISCONNECTED", "not connected"));
    const id = String(this.nextId++);
    ws.send(JSON.stringify({ type: "req", id, method, params }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  private set(state: ConnState, info: Parameters<GatewayClientOptions["onState"]>[1]): void {
    this.state = state;
    this.opts.onState(state, info);
  }

  private open(): void {
    this.set(this.attempt === 0 ? "connecting" : "reconnecting", {});
    const ws = new WebSocket(this.opts.url);
    this.ws = ws;
    let refused = false;
    ws.onmessage = (e) => {
      const frame = JSON.parse(String(e.data)) as Frame;
      if (frame.type === "event" && frame.event === "connect.challenge") {
        this.send("connect", connectParams(this.opts.token() ?? "")).then(
          (hello) => {
            this.attempt = 0;
            this.set("connected", { hello: hello as Hello });
          },
          (err: Error) => {
            refused = !isDisconnect(err);
            if (refused) this.set("refused", { error: err.message });
          },
        );
      } else if (frame.type === "event") this.opts.onEvent(frame.event ?? "", frame.payload);
      else if (frame.type === "res") this.settle(frame);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      for (const p of this.pending.values()) p.reject(new GatewayError("DISCONNECTED", "connection lost"));
      this.pending.clear();
      if (this.stopped || refused) return;
      const retryInMs = reconnectDelayMs(this.attempt++, (this.opts.random ?? Math.random)());
      this.set("reconnecting", { retryInMs });
      this.timer = setTimeout(() => this.open(), retryInMs);
    };
  }

  private settle(frame: Frame): void {
    const p = this.pending.get(frame.id ?? "");
    if (!p) return;
    this.pending.delete(frame.id ?? "");
    if (frame.ok) p.resolve(frame.payload);
    else p.reject(new GatewayError(frame.error?.code ?? "ERROR", frame.error?.message ?? "request failed"));
  }
}

interface Frame {
  readonly type: string;
  readonly id?: string;
  readonly ok?: boolean;
  readonly event?: string;
  readonly payload?: unknown;
  readonly error?: { readonly code?: string; readonly message?: string };
}

function connectParams(token: string): Record<string, unknown> {
  return {
    minProtocol: 4,
    maxProtocol: 4,
    client: { id: "webchat", version: "1", platform: "web", mode: "webchat" },
    role: "operator",
    scopes: SCOPES,
    auth: { token },
  };
}
