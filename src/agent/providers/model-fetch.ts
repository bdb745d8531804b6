import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import type { Readable } from "node:stream";
import zlib from "node:zlib";
import { HoldfastError } from "../../errors/index.js";

/**
 * Idle keep-alive sockets to a model server close after this long (ms), or 1 s before the server's
 * own announced `Keep-Alive: timeout=` when that is shorter (Node's agent rule), so a request is not
 * sent on a socket the server is closing. The same default as undici's `keepAliveTimeout`.
 */
export const MODEL_SOCKET_IDLE_MS = 4_000;

const agents = {
  "http:": new http.Agent({ keepAlive: true, timeout: MODEL_SOCKET_IDLE_MS }),
  "https:": new https.Agent({ keepAlive: true, timeout: MODEL_SOCKET_IDLE_MS }),
};

/** Response statuses that have no body (the `Response` constructor refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * The `fetch` the model SDKs (`openai`, `@anthropic-ai/sdk`, `ollama`: their `fetch` client option)
 * are given: an `http:`/`https:` request with a string or byte body goes out through Node's own
 * HTTP client on keep-alive agents, and comes back as a standard `Response` whose body streams the
 * socket's bytes. Anything else (a `Request` object, a form, blob or stream body, another scheme)
 * goes to the global `fetch`.
 *
 * Why: the WHATWG fetch algorithm (undici inside Node) costs about twice the CPU per streamed model
 * call (request and header objects, clones, the fetch controller, its abort signals), and that call
 * is the largest part of a chat message's cost in the gateway (docs/performance.md, "Hot path, third pass").
 *
 * Differences from the global `fetch`, on purpose: redirects are not followed (a model API that
 * answers 3xx is reported as that status, and the request's `Authorization` never goes to another
 * origin); no `accept-encoding` is added, and a `gzip`, `deflate` or `br` body a server sends anyway is
 * decoded. Like `fetch`, an aborted signal rejects the call (and errors a body being read) with the
 * signal's reason, and a network failure rejects with the socket's error (`ECONNREFUSED`, ...).
 */
export const modelFetch: typeof fetch = (input, init) => {
  const body = init?.body ?? undefined;
  const plainBody = body === undefined || typeof body === "string" || body instanceof Uint8Array;
  const url = typeof input === "string" ? new URL(input) : input instanceof URL ? input : undefined;
  if (!url || !plainBody || (url.protocol !== "http:" && url.protocol !== "https:")) return fetch(input, init);
  return send(url, init ?? {}, body);
};

function send(url: URL, init: RequestInit, body: string | Uint8Array | undefined): Promise<Response> {
  const headers = headerRecord(init.headers);
  if (body !== undefined)
    headers["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
  const signal = init.signal ?? undefined;
  const lib = url.protocol === "https:" ? https : http;
  const agent = agents[url.protocol as keyof typeof agents];
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      { method: init.method ?? "GET", headers, agent, ...(signal ? { signal } : {}) },
      (res) => resolve(toResponse(res, signal)),
    );
    req.once("error", (err) => reject(signal?.aborted ? signal.reason : err));
    req.end(body);
  });
}

/** The request headers as a plain record (from a `Headers`, a list of pairs or a record). */
function headerRecord(h: RequestInit["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  if (h instanceof Headers) h.forEach((v, k) => (out[k] = v));
  else if (Array.isArray(h)) for (const [k, v] of h) out[String(k).toLowerCase()] = String(v);
  else for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = String(v);
  return out;
}

function toResponse(res: IncomingMessage, signal: AbortSignal | undefined): Response {
  // From the raw pairs, not `res.headers` (a second object built on first access; 1.3 % of a message).
  const headers = new Headers();
  let encoding = "";
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    headers.append(name, value);
    if (name.length === 16 && name.toLowerCase() === "content-encoding") encoding = value.trim().toLowerCase();
  }
  const status = res.statusCode ?? 0;
  const init = { status, statusText: res.statusMessage ?? "", headers };
  if (NULL_BODY.has(status)) {
    res.resume();
    return new Response(null, init);
  }
  return new Response(bodyOf(res, encoding, signal), init);
}

/** The response body as a web stream, decoded when the server compressed it anyway. */
function bodyOf(res: IncomingMessage, encoding: string, signal: AbortSignal | undefined): ReadableStream<Uint8Array> {
  const decoder =
    encoding === "gzip" || encoding === "x-gzip"
      ? zlib.createGunzip()
      : encoding === "deflate"
        ? zlib.createInflate()
        : encoding === "br"
          ? zlib.createBrotliDecompress()
          : undefined;
  const source: Readable = decoder ? res.pipe(decoder) : res;
  if (decoder) res.once("error", (err) => decoder.destroy(err));
  if (signal) {
    const onAbort = () => source.destroy(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    source.once("close", () => signal.removeEventListener("abort", onAbort));
  }
  return webStreamOf(source);
}

/**
 * `source`'s bytes as a web stream: each chunk as it arrives (a view of the chunk, not a copy), the
 * source paused while the stream's queue is full (one chunk) and resumed when it is read, closed at
 * the source's end, errored with the source's error (an abort's reason, a reset socket) or, when the
 * source closes before its end without one, with HF_PROVIDER_NETWORK (`errno: "ECONNRESET"`); cancelling the stream
 * destroys the source. What `Readable.toWeb` does for a byte stream, without its end-of-stream
 * tracker, strategy lookup and per-chunk copy (together 2 % of a chat message's cost in the gateway).
 */
function webStreamOf(source: Readable): ReadableStream<Uint8Array> {
  let settled = false;
  /** Runs `end` (close or error the stream) once; later events of the source are ignored. */
  const settle = (end: () => void) => {
    if (settled) return;
    settled = true;
    end();
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        source.on("data", (chunk: Buffer) => {
          if (settled) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) source.pause();
        });
        source.once("end", () => settle(() => controller.close()));
        source.once("error", (err: Error) => settle(() => controller.error(err)));
        source.once("close", () =>
          settle(() =>
            controller.error(
              new HoldfastError(
                "HF_PROVIDER_NETWORK",
                "the model server closed the connection before the response ended",
                { errno: "ECONNRESET" },
              ),
            ),
          ),
        );
      },
      pull() {
        source.resume();
      },
      cancel(reason: unknown) {
        settled = true;
        source.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    { highWaterMark: 1 },
  );
}
