import { wireRefusal } from "../../errors/index.js";
import { randomUUID } from "node:crypto";
import type { WebSocket, RawData } from "ws";
import type { Socket } from "node:net";
import type { Logger } from "../../logging/index.js";
import type { GatewayAuthenticator, AuthSuccess } from "../auth/types.js";
import type { Broadcaster } from "../broadcaster.js";
import type { ClientMeta, MethodRegistry, ConnectionInfo } from "../methods/registry.js";
import type { ClientAddress } from "../net.js";
import {
  ConnectParamsSchema,
  HANDSHAKE_TIMEOUT_MS,
  TICK_INTERVAL_MS,
  MAX_BUFFERED_BYTES,
  MAX_FRAME_BYTES,
  MAX_PREAUTH_FRAME_BYTES,
  RequestFrameSchema,
  errorFrame,
  eventFrame,
  eventFrameJson,
  resFrame,
  type ConnectParams,
  type RequestFrame,
  type WireError,
} from "../protocol/frames.js";
import { invalidParams, type RedactText } from "../protocol/wire-errors.js";
import { checkHandshake, FIRST_FRAME_NOT_CONNECT } from "./handshake.js";
import { dispatch } from "./dispatch.js";

/** Everything a connection needs from the gateway. */
export interface ConnectionDeps {
  readonly authenticator: GatewayAuthenticator;
  readonly methods: MethodRegistry;
  readonly broadcaster: Broadcaster;
  readonly log: Logger;
  readonly now: () => number;
  /** The hello-ok payload parts that describe the server. */
  readonly hello: (conn: ConnectionInfo) => Record<string, unknown>;
  /** Extra connect-time check (origin policy, lockouts); a failure closes with 1008. */
  readonly admit?: (client: ClientAddress, params: unknown) => WireError | undefined;
  /** Masks secrets in error messages sent to the client. */
  readonly redact: RedactText;
  /** Called once the handshake succeeded (the connection stops counting as pending). */
  readonly onAuthenticated?: () => void;
  /**
   * The connection's socket: frames sent during one iteration of the event loop are corked into one
   * write (`cork` at the first, `uncork` in the iteration's check phase, `setImmediate`: the frames of
   * every I/O callback of the iteration, e.g. the events of several runs a broadcast fans out, leave in
   * one `writev`, with no timer added). Absent: one write per frame.
   */
  readonly socket?: Pick<Socket, "cork" | "uncork">;
}

/** Unauthorized method errors after which a connection is closed (reference §3.3 flood guard). */
export const FLOOD_GUARD_LIMIT = 10;

/**
 * One WebSocket client: challenge → `connect` handshake → request dispatch. Every bad frame gets an
 * error response (never a crash); handshake failures close the socket with 1008 or 1002.
 */
export class WsConnection {
  readonly connId = randomUUID();
  private readonly nonce = randomUUID();
  private info: ConnectionInfo | undefined;
  private seq = 0;
  private unauthorized = 0;
  private readonly timer: NodeJS.Timeout;
  /** True while frames of this iteration of the event loop wait in the corked socket. */
  private corked = false;
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly client: ClientAddress,
    private readonly deps: ConnectionDeps,
  ) {
    this.sendRaw(eventFrame("connect.challenge", { nonce: this.nonce, ts: deps.now() }));
    this.timer = setTimeout(() => this.close(1008, "handshake timeout"), HANDSHAKE_TIMEOUT_MS);
    ws.on("message", (data, isBinary) => void this.onMessage(data, isBinary));
    ws.on("close", () => this.onClose());
    ws.on("error", (err) => deps.log.debug({ connId: this.connId, err: err.message }, "ws error"));
  }

  /** What the connection authenticated as (undefined until the handshake completes). */
  get connection(): ConnectionInfo | undefined {
    return this.info;
  }

  /** Sends an event with the per-connection sequence number. */
  sendEvent(event: string, payload: unknown): void {
    this.seq += 1;
    this.sendRaw(eventFrame(event, payload, this.seq));
  }

  /** {@link sendEvent} with the payload already serialized (a broadcast serializes it once). */
  sendEventJson(event: string, payloadJson: string | undefined): void {
    this.seq += 1;
    this.sendRaw(eventFrameJson(event, payloadJson, this.seq));
  }

  /** Closes the socket. */
  close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
  }

  private async onMessage(data: RawData, isBinary: boolean): Promise<void> {
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
    const limit = this.info ? MAX_FRAME_BYTES : MAX_PREAUTH_FRAME_BYTES;
    if (size > limit)
      return this.fail(null, wireRefusal("FRAME_TOO_LARGE", `frame too large (${size} bytes > ${limit})`), !this.info);
    if (isBinary)
      return this.fail(
        null,
        wireRefusal("INVALID_FRAME", "invalid frame: binary frames are not supported"),
        !this.info,
      );
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString());
    } catch {
      return this.fail(null, wireRefusal("INVALID_FRAME", "invalid frame: not JSON"), !this.info);
    }
    const frame = RequestFrameSchema.safeParse(parsed);
    const id = frame.success ? frame.data.id : idOf(parsed);
    if (!frame.success) return this.fail(id, invalidFrame(frame.error.issues), !this.info);
    if (!this.info) return this.handshake(frame.data);
    await this.request(frame.data);
  }

  private async handshake(frame: RequestFrame): Promise<void> {
    if (frame.method !== "connect") return this.fail(frame.id, FIRST_FRAME_NOT_CONNECT, true);
    const params = ConnectParamsSchema.safeParse(frame.params ?? {});
    if (!params.success)
      return this.fail(frame.id, invalidParams("connect", params.error.issues, this.deps.redact), true);
    const check = checkHandshake(params.data);
    if (!check.ok) return this.fail(frame.id, check.error, true, check.closeCode);
    const admitted = this.deps.admit?.(this.client, params.data);
    if (admitted) return this.fail(frame.id, admitted, true);
    const auth = await this.deps.authenticator.authenticateConnect(params.data, this.client, this.nonce);
    if (!auth.ok) {
      this.deps.log.info(
        { connId: this.connId, ip: this.client.ip, reason: auth.error.details?.code },
        "gateway connect refused",
      );
      return this.fail(frame.id, auth.error, true, auth.closeCode);
    }
    clearTimeout(this.timer);
    this.deps.onAuthenticated?.();
    this.info = this.connectionInfo(auth, params.data);
    const info = this.info;
    this.deps.log.info(
      { connId: this.connId, ip: this.client.ip, role: this.info.role, method: auth.method },
      "gateway client connected",
    );
    const authPayload = {
      method: auth.method,
      role: auth.role,
      scopes: [...auth.scopes],
      ...(auth.deviceToken ? { deviceToken: auth.deviceToken } : {}),
    };
    this.sendRaw(resFrame(frame.id, { type: "hello-ok", ...this.deps.hello(info), auth: authPayload }));
    // Registered after hello-ok, so the first event a listener sends (node.invoke.request, ...) follows it.
    this.deps.broadcaster.add({
      ...info,
      sendEvent: (e, p) => this.sendEvent(e, p),
      sendEventJson: (e, j) => this.sendEventJson(e, j),
    });
    // Keep-alive: a `tick` event every `policy.tickIntervalMs` lets clients notice a dead connection.
    this.ticker = setInterval(() => this.sendEvent("tick", { ts: this.deps.now() }), TICK_INTERVAL_MS);
    this.ticker.unref();
  }

  private connectionInfo(auth: AuthSuccess, params: ConnectParams): ConnectionInfo {
    const c = params.client;
    const client: ClientMeta = {
      id: c?.id ?? "unknown",
      ...(c?.mode ? { mode: c.mode } : {}),
      ...(c?.displayName ? { displayName: c.displayName } : {}),
      ...(c?.version ? { version: c.version } : {}),
      ...(c?.platform ? { platform: c.platform } : {}),
      ...(c?.deviceFamily ? { deviceFamily: c.deviceFamily } : {}),
      ...(c?.instanceId ? { instanceId: c.instanceId } : {}),
    };
    return {
      connId: this.connId,
      role: auth.role,
      scopes: new Set(auth.scopes),
      clientId: client.id,
      client,
      caps: [...new Set(params.caps ?? [])],
      commands: auth.role === "node" ? [...new Set(params.commands ?? [])] : [],
      connectedAt: this.deps.now(),
      clientIp: this.client.ip,
      isLocal: this.client.isLocal,
      authMethod: auth.method,
      ...(auth.deviceId ? { deviceId: auth.deviceId } : {}),
    };
  }

  private async request(frame: RequestFrame): Promise<void> {
    const info = this.info as ConnectionInfo;
    const out = await dispatch(frame, info, this.deps.methods, {
      log: this.deps.log,
      sendEvent: (e, p) => this.sendEvent(e, p),
      accept: (p) => this.sendRaw(resFrame(frame.id, p)),
      redact: this.deps.redact,
    });
    if (out.ok) return this.sendRaw(resFrame(frame.id, out.payload));
    if (out.unauthorized && ++this.unauthorized > FLOOD_GUARD_LIMIT) {
      this.sendRaw(errorFrame(frame.id, out.error));
      return this.close(1008, "too many unauthorized requests");
    }
    this.sendRaw(errorFrame(frame.id, out.error));
  }

  private fail(id: RequestFrame["id"] | null, error: WireError, closeAfter: boolean, closeCode = 1008): void {
    this.sendRaw(errorFrame(id, error));
    if (closeAfter) this.close(closeCode, error.message.slice(0, 100));
  }

  private sendRaw(text: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) return this.close(1013, "slow consumer");
    const socket = this.deps.socket;
    if (socket && !this.corked) {
      this.corked = true;
      socket.cork();
      setImmediate(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    this.ws.send(text);
  }

  private onClose(): void {
    clearTimeout(this.timer);
    clearInterval(this.ticker);
    if (this.info) {
      this.deps.broadcaster.remove(this.connId);
      this.deps.log.info({ connId: this.connId }, "gateway client disconnected");
    }
  }
}

function idOf(v: unknown): RequestFrame["id"] | null {
  const id = (v as { id?: unknown })?.id;
  return typeof id === "string" || typeof id === "number" ? id : null;
}

function invalidFrame(issues: readonly { path: readonly PropertyKey[]; message: string }[]): WireError {
  const fields = issues.map((i) => `${i.path.map(String).join(".") || "frame"}: ${i.message}`);
  return wireRefusal("INVALID_FRAME", `invalid frame: ${fields.join("; ")}`, { fields });
}
