import type { IncomingMessage, Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Socket } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import type { Context } from "hono";
import { WebSocketServer } from "ws";
import { HoldfastError } from "../errors/index.js";
import type { Logger } from "../logging/index.js";
import type { GatewayAuthenticator } from "./auth/types.js";
import type { Broadcaster } from "./broadcaster.js";
import { createHttpApp, type HttpAppDeps } from "./http/app.js";
import type { ConnectionInfo, MethodRegistry } from "./methods/registry.js";
import { directClientAddress, type ClientAddress } from "./net.js";
import { HANDSHAKE_TIMEOUT_MS, MAX_FRAME_BYTES, type WireError } from "./protocol/frames.js";
import type { RedactText } from "./protocol/wire-errors.js";
import type { PreAuthGate } from "./preauth.js";
import { WsConnection } from "./ws/connection.js";

/** Options of {@link GatewayServer}. */
export interface GatewayServerOptions {
  /** Addresses to listen on (the first is the primary; e.g. `["127.0.0.1"]`). */
  readonly hosts: readonly string[];
  /** Port; 0 picks a free one (the chosen port is returned by `start`). */
  readonly port: number;
  readonly authenticator: GatewayAuthenticator;
  readonly methods: MethodRegistry;
  readonly broadcaster: Broadcaster;
  readonly log: Logger;
  readonly now: () => number;
  readonly hello: (conn: ConnectionInfo) => Record<string, unknown>;
  readonly status: HttpAppDeps["status"];
  /** `GET /health`: false while part of the gateway is degraded. */
  readonly healthy?: HttpAppDeps["healthy"];
  /** Client address resolution (default: direct peer, forwarding headers untrusted). */
  readonly clientAddress?: (remote: string | undefined, headers: IncomingMessage["headers"]) => ClientAddress;
  /** Upgrade-time / connect-time admission (origin policy, lockouts). */
  readonly admitUpgrade?: (client: ClientAddress) => WireError | undefined;
  readonly admitConnect?: (client: ClientAddress, params: unknown) => WireError | undefined;
  readonly routes?: HttpAppDeps["routes"];
  readonly publicRoutes?: HttpAppDeps["publicRoutes"];
  readonly onHttpRefused?: HttpAppDeps["onRefused"];
  /** PEM certificate and key: serve HTTPS/WSS instead of HTTP/WS. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Masks secrets in error messages sent to clients. Default: none. */
  readonly redact?: RedactText;
  /** Whether and where the WebChat page is served (default: at `/`). */
  readonly controlUi?: HttpAppDeps["controlUi"];
  /** Caps connections that have not completed the handshake (per client and in all). Default: none. */
  readonly preAuth?: PreAuthGate;
}

/**
 * HTTP + WebSocket on one port. `start` listens on every host; `stop` stops accepting, closes
 * clients with 1001 and waits for the listeners to close.
 */
export class GatewayServer {
  private readonly servers: Server[] = [];
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  private readonly conns = new Set<WsConnection>();
  private readonly sockets = new Set<Socket>();
  private boundPort: number;

  constructor(private readonly opts: GatewayServerOptions) {
    this.boundPort = opts.port;
  }

  /** The port listened on once started (before: the configured one, 0 for "any free port"). */
  get port(): number {
    return this.boundPort;
  }

  /** Listens; resolves with the bound port. @throws HoldfastError HF_GATEWAY_LISTEN. */
  async start(): Promise<{ port: number }> {
    let port = this.opts.port;
    for (const host of this.opts.hosts) {
      const server = this.createServer();
      try {
        await listen(server, host, port);
      } catch (err) {
        await Promise.all(this.servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
        throw err;
      }
      const addr = server.address();
      if (addr && typeof addr === "object") port = addr.port;
      this.servers.push(server);
    }
    this.boundPort = port;
    return { port };
  }

  /** Number of open WebSocket connections. */
  connections(): number {
    return this.conns.size;
  }

  /** Closes every authenticated connection matching `match` (e.g. a revoked device); returns how many. */
  disconnect(match: (conn: ConnectionInfo) => boolean, code = 1008, reason = "access revoked"): number {
    let n = 0;
    for (const c of this.conns) {
      const info = c.connection;
      if (info && match(info)) {
        c.close(code, reason);
        n += 1;
      }
    }
    return n;
  }

  /** Stops accepting new connections; connected clients keep working until {@link stop}. */
  stopAccepting(): void {
    if (this.closed) return;
    this.closed = Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r())))).then(
      () => undefined,
    );
  }

  /** Stops accepting, closes every client with `code` (default 1001) and waits for the listeners. */
  async stop(code = 1001, reason = "gateway shutting down"): Promise<void> {
    this.stopAccepting();
    for (const c of this.conns) c.close(code, reason);
    this.opts.preAuth?.close();
    setTimeout(() => {
      for (const s of this.sockets) s.destroy();
    }, 1_000).unref();
    await this.closed;
    this.wss.close();
  }

  private closed: Promise<void> | undefined;

  private addressOf(remote: string | undefined, headers: IncomingMessage["headers"]): ClientAddress {
    return (this.opts.clientAddress ?? directClientAddress)(remote, headers);
  }

  private createServer(): Server {
    const app = createHttpApp({
      authenticator: this.opts.authenticator,
      status: this.opts.status,
      ...(this.opts.healthy ? { healthy: this.opts.healthy } : {}),
      clientAddress: (c: Context) => {
        const incoming = (c.env as { incoming: IncomingMessage }).incoming;
        return this.addressOf(incoming.socket.remoteAddress, incoming.headers);
      },
      ...(this.opts.routes ? { routes: this.opts.routes } : {}),
      ...(this.opts.publicRoutes ? { publicRoutes: this.opts.publicRoutes } : {}),
      ...(this.opts.onHttpRefused ? { onRefused: this.opts.onHttpRefused } : {}),
      ...(this.opts.controlUi ? { controlUi: this.opts.controlUi } : {}),
    });
    const tls = this.opts.tls;
    const server = (
      tls
        ? createAdaptorServer({
            fetch: app.fetch,
            createServer: createHttpsServer,
            serverOptions: { cert: tls.cert, key: tls.key, handshakeTimeout: HANDSHAKE_TIMEOUT_MS },
          })
        : createAdaptorServer({ fetch: app.fetch })
    ) as Server;
    server.on("connection", (s: Socket) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
      this.opts.preAuth?.admit(s);
    });
    // Over TLS a request's socket is the TLSSocket; the gate counts the TCP socket under it.
    server.on("request", (req: IncomingMessage) => this.opts.preAuth?.active(tcpSocketOf(req.socket)));
    server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => this.upgrade(req, socket, head));
    return server;
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const tcp = tcpSocketOf(socket);
    this.opts.preAuth?.active(tcp);
    const client = this.addressOf(req.socket.remoteAddress, req.headers);
    const refused = this.opts.admitUpgrade?.(client);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (refused) {
        ws.send(JSON.stringify({ type: "res", id: null, ok: false, error: refused }));
        ws.close(1008, refused.message.slice(0, 100));
        return;
      }
      const conn = new WsConnection(ws, client, {
        authenticator: this.opts.authenticator,
        methods: this.opts.methods,
        broadcaster: this.opts.broadcaster,
        log: this.opts.log,
        now: this.opts.now,
        hello: this.opts.hello,
        redact: this.opts.redact ?? ((t) => t),
        onAuthenticated: () => this.opts.preAuth?.authenticated(tcp),
        socket,
        ...(this.opts.admitConnect ? { admit: this.opts.admitConnect } : {}),
      });
      this.conns.add(conn);
      ws.on("close", () => this.conns.delete(conn));
    });
  }
}

/** The TCP socket under a TLS socket (Node keeps it as `_parent`), or the socket itself. */
function tcpSocketOf(socket: Socket): Socket {
  return (socket as Socket & { _parent?: Socket })._parent ?? socket;
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        new HoldfastError(
          "HF_GATEWAY_LISTEN",
          `cannot listen on ${host}:${port}: ${err.code ?? err.message}`,
          { host, port },
          { cause: err },
        ),
      );
    };
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
}
