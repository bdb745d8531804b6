import { EventEmitter } from "node:events";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** Polls `cond` every 20 ms; throws `failure` after `timeoutMs`. */
export async function until(cond: () => boolean, failure: string, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(failure);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Writes a JSON answer (ignored when the response already ended). */
export function replyJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.writableEnded) return;
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** The whole request body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Listens on a free port of 127.0.0.1; returns `http://127.0.0.1:<port>`. */
export async function listenLoopback(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes a server and every connection it holds. */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

/** What a fake recorded the bot sending, with a wait for the next matching one. */
export class SentLog<T> extends EventEmitter {
  readonly items: T[] = [];

  constructor(private readonly describe: (t: T) => unknown) {
    super();
  }

  push(item: T): void {
    this.items.push(item);
    this.emit("sent", item);
  }

  /** Resolves with the first item (now or later) matching `pred`. */
  waitFor(pred: (t: T) => boolean, timeoutMs = 15_000): Promise<T> {
    const hit = this.items.find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off("sent", on);
        reject(
          new Error(
            `no matching message within ${timeoutMs} ms; sent: ${JSON.stringify(this.items.map(this.describe))}`,
          ),
        );
      }, timeoutMs);
      const on = (t: T) => {
        if (!pred(t)) return;
        clearTimeout(timer);
        this.off("sent", on);
        resolve(t);
      };
      this.on("sent", on);
    });
  }
}
