import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import WebSocket from "ws";
import { signConnect, type DeviceIdentity } from "../devices/index.js";
import { HoldfastError, isHoldfastError } from "../errors/index.js";
import { pinnedTlsConnect } from "./tls-pin.js";

/** Options of {@link GatewayClient.connect}. */
export interface GatewayClientOptions {
  /** `ws://host:port` or `wss://host:port`. */
  readonly url: string;
  readonly token?: string;
  readonly password?: string;
  readonly deviceToken?: string;
  readonly role?: "operator" | "node";
  readonly scopes?: readonly string[];
  readonly clientId?: string;
  /** Ed25519 device identity: the `connect` params are signed over the challenge nonce (reference §3.4). */
  readonly device?: DeviceIdentity;
  /** SHA-256 fingerprint of the gateway's TLS certificate (`wss://` only): the only certificate trusted. */
  readonly tlsFingerprint?: string;
  /** Extra `connect` params (caps, commands, a hand-made device block). May use the challenge nonce. */
  readonly extraConnectParams?: (nonce: string) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Handshake timeout (ms). Default 10 000. */
  readonly timeoutMs?: number;
  /** Extra WebSocket options (`localAddress`, headers such as `Origin`). */
  readonly wsOptions?: WebSocket.ClientOptions;
}

/** A wire error as received. */
interface WireErrorFrame {
  code: string;
  message: string;
  details?: Record<string, unknown>;
  retryAfterMs?: number;
}

/** A gateway error response, as thrown by {@link GatewayClient.request}. `retryAfterMs` when the gateway said when to retry. */
export class GatewayRequestError extends HoldfastError {
  constructor(
    readonly wireCode: string,
    message: string,
    readonly wireDetails: Record<string, unknown> | undefined,
    readonly retryAfterMs?: number,
  ) {
    super("HF_GATEWAY_REQUEST_FAILED", message, { wireCode, ...(wireDetails ?? {}) });
  }

  /** Builds the error from a `res` frame's `error`. */
  static from(e: WireErrorFrame | undefined): GatewayRequestError {
    return new GatewayRequestError(e?.code ?? "UNKNOWN", e?.message ?? "request failed", e?.details, e?.retryAfterMs);
  }
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  /** Wait past an interim `{status:"accepted"}` response for the final one (the `agent` method). */
  expectFinal?: boolean;
  onAccepted?: (payload: unknown) => void;
}

/** Options of {@link GatewayClient.request}. */
export interface RequestOptions {
  /**
   * The method answers twice on one id (reference `agent`): resolve with the final response, not the
   * interim `{status:"accepted"}` one, which goes to `onAccepted`.
   */
  readonly expectFinal?: boolean;
  readonly onAccepted?: (payload: unknown) => void;
}

/**
 * A protocol v4 client: waits for `connect.challenge`, sends `connect`, then correlates requests and
 * responses by id; events are emitted as `event` (name, payload).
 */
export class GatewayClient extends EventEmitter {
  private readonly pending = new Map<string, Pending>();
  hello: Record<string, unknown> | undefined;

  private constructor(private readonly ws: WebSocket) {
    super();
    ws.on("message", (data) => this.onMessage(data.toString()));
    ws.on("close", (code, reason) => {
      for (const p of this.pending.values())
        p.reject(
          new HoldfastError("HF_GATEWAY_UNREACHABLE", `gateway closed the connection (${code} ${reason.toString()})`),
        );
      this.pending.clear();
      this.emit("close", code, reason.toString());
    });
  }

  /**
   * Connects and completes the handshake.
   * @throws GatewayRequestError when the gateway refuses `connect` (its code is in `wireCode`);
   *   HoldfastError HF_GATEWAY_UNREACHABLE when the socket fails or the handshake times out,
   *   HF_TLS_PIN_MISMATCH when the certificate does not match `tlsFingerprint`.
   */
  static async connect(opts: GatewayClientOptions): Promise<GatewayClient> {
    if (opts.tlsFingerprint && !opts.url.startsWith("wss:"))
      throw new HoldfastError("HF_CLI_USAGE", "a TLS fingerprint pin needs a wss:// gateway URL");
    const pin = opts.tlsFingerprint ? { createConnection: pinnedTlsConnect(opts.tlsFingerprint) } : {};
    const ws = new WebSocket(opts.url, {
      handshakeTimeout: opts.timeoutMs ?? 10_000,
      ...(opts.wsOptions ?? {}),
      ...pin,
    } as WebSocket.ClientOptions);
    const client = new GatewayClient(ws);
    const nonce = await waitForChallenge(client, ws, opts);
    const auth = {
      ...(opts.token ? { token: opts.token } : {}),
      ...(opts.password ? { password: opts.password } : {}),
      ...(opts.deviceToken ? { deviceToken: opts.deviceToken } : {}),
    };
    const base = {
      minProtocol: 4,
      maxProtocol: 4,
      client: { id: opts.clientId ?? "cli", version: "1", platform: process.platform, mode: "cli" },
      role: opts.role ?? "operator",
      scopes: [...(opts.scopes ?? ["operator.read", "operator.write"])],
      auth,
      ...(opts.extraConnectParams ? await opts.extraConnectParams(nonce) : {}),
    };
    const params = opts.device ? { ...base, device: signConnect(opts.device, base, nonce, Date.now()) } : base;
    try {
      client.hello = (await client.request("connect", params)) as Record<string, unknown>;
    } catch (err) {
      client.close();
      throw err;
    }
    return client;
  }

  /** Sends a request and resolves with its payload. @throws GatewayRequestError on an error response. */
  request(method: string, params: unknown = {}, opts: RequestOptions = {}): Promise<unknown> {
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      if (this.ws.readyState !== WebSocket.OPEN)
        return reject(new HoldfastError("HF_GATEWAY_UNREACHABLE", "gateway connection is closed"));
      this.pending.set(id, {
        resolve,
        reject,
        ...(opts.expectFinal ? { expectFinal: true } : {}),
        ...(opts.onAccepted ? { onAccepted: opts.onAccepted } : {}),
      });
      this.ws.send(JSON.stringify({ type: "req", id, method, params }));
    });
  }

  /** Sends raw text (tests of malformed frames). */
  sendRaw(text: string): void {
    this.ws.send(text);
  }

  close(): void {
    this.ws.close(1000, "bye");
  }

  private onMessage(text: string): void {
    let frame: { type?: string; id?: string; ok?: boolean; payload?: unknown; error?: WireErrorFrame; event?: string };
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (frame.type === "event") this.emit("event", frame.event, frame.payload);
    else if (frame.type === "res") {
      const p = frame.id ? this.pending.get(frame.id) : undefined;
      if (!p) return void this.emit("orphan", frame);
      if (p.expectFinal && frame.ok && (frame.payload as { status?: unknown } | undefined)?.status === "accepted")
        return p.onAccepted?.(frame.payload);
      this.pending.delete(frame.id as string);
      if (frame.ok) p.resolve(frame.payload);
      else p.reject(GatewayRequestError.from(frame.error));
    }
  }
}

/** Resolves with the challenge nonce; a refusal sent instead of the challenge (origin, proxy) rejects with it. */
function waitForChallenge(client: GatewayClient, ws: WebSocket, opts: GatewayClientOptions): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new HoldfastError("HF_GATEWAY_UNREACHABLE", "no connect.challenge from gateway")),
      opts.timeoutMs ?? 10_000,
    );
    const settle = (fn: () => void) => {
      clearTimeout(timer);
      client.off("orphan", onRefusal);
      fn();
    };
    const onRefusal = (frame: { ok?: boolean; error?: WireErrorFrame }) => {
      if (frame.ok === false && frame.error) settle(() => reject(GatewayRequestError.from(frame.error)));
    };
    client.on("orphan", onRefusal);
    client.once("event", (name: string, payload: { nonce?: string }) => {
      if (name === "connect.challenge" && typeof payload?.nonce === "string")
        settle(() => resolve(payload.nonce as string));
      else settle(() => reject(new HoldfastError("HF_GATEWAY_UNREACHABLE", `unexpected first event ${name}`)));
    });
    client.once("close", (code: number, reason: string) =>
      settle(() =>
        reject(
          new HoldfastError(
            "HF_GATEWAY_UNREACHABLE",
            `gateway closed the connection before the handshake (${code} ${reason})`,
          ),
        ),
      ),
    );
    ws.once("error", (err) => {
      if (isHoldfastError(err)) return settle(() => reject(err));
      settle(() =>
        reject(
          new HoldfastError(
            "HF_GATEWAY_UNREACHABLE",
            `cannot reach gateway at ${opts.url}: ${(err as NodeJS.ErrnoException).code ?? err.message}`,
          ),
        ),
      );
    });
  });
}
