import http, { type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import WebSocket, { WebSocketServer, type RawData } from "ws";

/** One recorded WebSocket frame. `dir` is `in` for client → gateway, `out` for gateway → client. */
export interface RecordedFrame {
  /** Index of the WebSocket connection through the recorder (0-based, in order of upgrade). */
  readonly conn: number;
  readonly dir: "in" | "out";
  /** ms since the recorder started. */
  readonly t: number;
  /** The parsed JSON frame (or `{raw}` when it was not JSON). */
  readonly frame: unknown;
}

/** One WebSocket connection through the recorder. */
export interface RecordedConnection {
  readonly conn: number;
  readonly path: string;
  readonly origin?: string;
  readonly userAgent?: string;
  /** Close code and reason as seen on the gateway side (undefined while open). */
  closed?: { readonly by: "client" | "gateway"; readonly code: number; readonly reason: string };
}

/** One plain HTTP request passed through. */
export interface RecordedHttp {
  readonly method: string;
  readonly path: string;
  status?: number;
}

/** A recording WebSocket + HTTP proxy in front of a gateway. */
export interface FrameRecorder {
  /** `ws://127.0.0.1:<port>` of the recorder. */
  readonly url: string;
  readonly port: number;
  readonly frames: RecordedFrame[];
  readonly connections: RecordedConnection[];
  readonly http: RecordedHttp[];
  /** Forgets everything recorded so far (connection numbering continues). */
  reset(): void;
  close(): Promise<void>;
}

/** Headers forwarded on the upgrade (the rest, like hop-by-hop and WebSocket keys, belong to each leg). */
const FORWARDED = ["origin", "user-agent", "authorization", "x-openclaw-scopes", "cookie"];

/**
 * Starts a transparent recording proxy on 127.0.0.1: every WebSocket frame between a client and the
 * gateway at `target` (`ws://host:port`) is recorded in order, with the upgrade's `Origin` and the
 * close codes of both legs; plain HTTP requests are forwarded and their status recorded. It adds no
 * forwarding headers, so the gateway sees a direct loopback peer exactly like a client that connects
 * without the recorder.
 */
export async function startFrameRecorder(
  target: string,
  opts: { onFrame?: (f: RecordedFrame) => void } = {},
): Promise<FrameRecorder> {
  const started = Date.now();
  const frames: RecordedFrame[] = [];
  const connections: RecordedConnection[] = [];
  const httpLog: RecordedHttp[] = [];
  const upstreamHttp = new URL(target.replace(/^ws/, "http"));
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  let next = 0;

  const record = (conn: number, dir: RecordedFrame["dir"], data: RawData): string => {
    const text = Array.isArray(data) ? Buffer.concat(data).toString() : Buffer.from(data as Buffer).toString();
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      frame = { raw: text };
    }
    const rec: RecordedFrame = { conn, dir, t: Date.now() - started, frame };
    frames.push(rec);
    opts.onFrame?.(rec);
    return text;
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const conn = next++;
    const headers: Record<string, string> = {};
    for (const h of FORWARDED) {
      const v = req.headers[h];
      if (typeof v === "string") headers[h] = v;
    }
    const info: RecordedConnection = {
      conn,
      path: req.url ?? "/",
      ...(headers.origin ? { origin: headers.origin } : {}),
      ...(headers["user-agent"] ? { userAgent: headers["user-agent"] } : {}),
    };
    connections.push(info);
    const upstream = new WebSocket(new URL(req.url ?? "/", target).toString(), {
      headers,
      maxPayload: 64 * 1024 * 1024,
    });
    const early: RawData[] = [];
    upstream.on("message", (d) => early.push(d));
    upstream.once("unexpected-response", (_r, res) => {
      socket.end(`HTTP/1.1 ${res.statusCode ?? 502} ${res.statusMessage ?? ""}\r\nconnection: close\r\n\r\n`);
      upstream.terminate();
    });
    upstream.once("error", () => socket.destroy());
    upstream.once("open", () => {
      wss.handleUpgrade(req, socket, head, (client) => {
        const toClient = (d: RawData) => client.readyState === client.OPEN && client.send(record(conn, "out", d));
        upstream.removeAllListeners("message");
        upstream.on("message", toClient);
        for (const d of early.splice(0)) toClient(d);
        client.on("message", (d) => upstream.readyState === upstream.OPEN && upstream.send(record(conn, "in", d)));
        upstream.on("close", (code, reason) => {
          info.closed ??= { by: "gateway", code, reason: reason.toString() };
          if (client.readyState === client.OPEN) client.close(code === 1005 || code === 1006 ? 1000 : code, reason);
        });
        client.on("close", (code, reason) => {
          info.closed ??= { by: "client", code, reason: reason.toString() };
          if (upstream.readyState === upstream.OPEN) upstream.close(code === 1005 || code === 1006 ? 1000 : code);
        });
        client.on("error", () => upstream.terminate());
      });
    });
  };

  const server: Server = http.createServer((req, res) => {
    const entry: RecordedHttp = { method: req.method ?? "GET", path: req.url ?? "/" };
    httpLog.push(entry);
    const fwd = http.request(
      {
        host: upstreamHttp.hostname,
        port: upstreamHttp.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstreamHttp.host },
      },
      (up) => {
        entry.status = up.statusCode;
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    fwd.on("error", () => {
      entry.status = 502;
      res.writeHead(502).end();
    });
    req.pipe(fwd);
  });
  server.on("upgrade", onUpgrade);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    frames,
    connections,
    http: httpLog,
    reset: () => {
      frames.length = 0;
      connections.length = 0;
      httpLog.length = 0;
    },
    close: async () => {
      for (const c of wss.clients) c.terminate();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
