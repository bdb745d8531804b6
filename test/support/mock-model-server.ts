import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A message as the mock sees it, whatever API it came through. */
export interface MockMessage {
  readonly role: "system" | "user" | "assistant" | "tool";
  readonly content: string;
  readonly toolName?: string;
}

/** One request received by the mock. */
export interface MockRequest {
  readonly api: "openai" | "anthropic" | "ollama";
  readonly model: string;
  readonly messages: readonly MockMessage[];
  /** Names of the tools offered to the model. */
  readonly tools: readonly string[];
  readonly headers: IncomingMessage["headers"];
  /** 0-based index of this request since the server started. */
  readonly index: number;
}

/**
 * A way for the mock to misbehave instead of answering properly:
 * - `hang`: accept the request and never send anything;
 * - `stall`: stream the first text chunk, then nothing (the response stays open);
 * - `garbage`: HTTP 200 with an HTML body (a captive portal or proxy page);
 * - `malformed`: HTTP 200 with the API's stream framing around events that are not valid JSON;
 * - `empty`: HTTP 200 stream headers and an empty body.
 */
export type MockFault = "hang" | "stall" | "garbage" | "malformed" | "empty";

/** What the mock answers. `status` ≠ 200 answers with an error body instead of a stream. */
export interface MockReply {
  readonly text?: string;
  readonly toolCalls?: readonly { readonly name: string; readonly arguments: Record<string, unknown> }[];
  readonly status?: number;
  /** Extra response headers of an error answer (`retry-after`, `retry-after-ms`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Pause before each streamed chunk (ms). */
  readonly chunkDelayMs?: number;
  readonly fault?: MockFault;
}

export type MockScript = (req: MockRequest) => MockReply;

/** One untrusted piece as the gateway wraps it for the model (docs/tools.md "Untrusted content"). */
const BOUNDARY =
  /^<<<EXTERNAL_CONTENT id=[0-9a-f]+ source="[^"\n]*">>>\n([\s\S]*)\n<<<END_EXTERNAL_CONTENT id=[0-9a-f]+>>>\n[^\n]*$/;

/**
 * The text of the last user message as the mock reads it: the content inside the boundary of an
 * untrusted message, like a model that follows whatever it reads (the case the taint gate is for).
 */
export function lastUserText(req: MockRequest): string {
  const content = [...req.messages].reverse().find((m) => m.role === "user")?.content ?? "";
  return BOUNDARY.exec(content)?.[1] ?? content;
}

/** A short streamed echo of the last user message (`echo: <text>`), so every client sees deltas and a final. */
export const echoScript: MockScript = (req) => {
  const text = lastUserText(req);
  return { text: `echo: ${text}`, chunkDelayMs: 15 };
};

/** A running mock model server on 127.0.0.1. */
export interface MockModelServer {
  readonly url: string;
  readonly port: number;
  readonly requests: MockRequest[];
  setScript(script: MockScript): void;
  close(): Promise<void>;
}

/**
 * The default script: deterministic replies driven by the last user message, so end-to-end tests can
 * steer the "model" (inside an untrusted message's boundary too, see {@link lastUserText}): `read <path>`, `write <path> <text>`, `exec <command>`, `tool <name> <json>`
 * ask for that tool; after a tool result it answers `Tool <name> returned: <result>`; anything else is
 * echoed as `echo: <text>`.
 */
export const defaultScript: MockScript = (req) => {
  const last = req.messages[req.messages.length - 1];
  if (last?.role === "tool") return { text: `Tool ${last.toolName ?? "?"} returned: ${last.content.slice(0, 2000)}` };
  const text = lastUserText(req);
  let m: RegExpExecArray | null;
  if ((m = /^read (\S+)$/.exec(text))) return { toolCalls: [{ name: "read", arguments: { path: m[1] } }] };
  if ((m = /^write (\S+) ([\s\S]+)$/.exec(text)))
    return { toolCalls: [{ name: "write", arguments: { path: m[1], content: m[2] } }] };
  if ((m = /^exec ([\s\S]+)$/.exec(text))) return { toolCalls: [{ name: "exec", arguments: { command: m[1] } }] };
  if ((m = /^tool (\S+) (\{[\s\S]*\})$/.exec(text)))
    return { toolCalls: [{ name: m[1] as string, arguments: JSON.parse(m[2] as string) as Record<string, unknown> }] };
  return { text: `echo: ${text}` };
};

/** Starts the mock on 127.0.0.1 (random port). Optionally requires `apiKey` (401 otherwise). */
export async function startMockModelServer(
  opts: { script?: MockScript; apiKey?: string } = {},
): Promise<MockModelServer> {
  let script = opts.script ?? defaultScript;
  const requests: MockRequest[] = [];
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: String(err) } }));
    });
  });
  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (req.method === "GET" && req.url === "/api/tags") return json(res, 200, { models: [{ name: "mock-llama" }] });
    const body = JSON.parse((await readBody(req)) || "{}") as Record<string, unknown>;
    const api = req.url?.endsWith("/chat/completions")
      ? "openai"
      : req.url?.endsWith("/messages")
        ? "anthropic"
        : req.url === "/api/chat"
          ? "ollama"
          : undefined;
    if (!api || req.method !== "POST") return json(res, 404, { error: { message: "not found" } });
    if (opts.apiKey && !keyMatches(req, opts.apiKey))
      return json(res, 401, { error: { type: "authentication_error", message: "invalid api key" } });
    const mreq: MockRequest = {
      api,
      model: String(body.model),
      messages: normalize(api, body),
      tools: toolNames(api, body),
      headers: req.headers,
      index: requests.length,
    };
    requests.push(mreq);
    const reply = script(mreq);
    if (reply.status && reply.status !== 200)
      return json(
        res,
        reply.status,
        { error: { type: "mock_error", message: `mock status ${reply.status}` } },
        reply.headers,
      );
    if (reply.fault && reply.fault !== "stall") return misbehave(res, api, reply.fault);
    if (api === "openai") return streamOpenAi(res, mreq, reply);
    if (api === "anthropic") return streamAnthropic(res, mreq, reply);
    return streamOllama(res, mreq, reply);
  }
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    setScript: (s) => (script = s),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Answers with one of the {@link MockFault}s (all but `stall`, which the streamers handle). */
function misbehave(res: ServerResponse, api: MockRequest["api"], fault: Exclude<MockFault, "stall">): void {
  if (fault === "hang") return;
  if (fault === "garbage") {
    res.writeHead(200, { "content-type": "text/html" });
    return void res.end("<html><body>502 upstream unavailable, please log in to the portal</body></html>");
  }
  const type = api === "ollama" ? "application/x-ndjson" : "text/event-stream";
  res.writeHead(200, { "content-type": type });
  if (fault === "empty") return void res.end();
  if (api === "openai") return void res.end('data: {"id":"x","choices":[{"index":0,"delta":{"content":"hi"\n\n');
  if (api === "anthropic") return void res.end("event: message_start\ndata: {message_start, not json}\n\n");
  res.end('{"model": "m", "message": oops}\n');
}

function keyMatches(req: IncomingMessage, key: string): boolean {
  return req.headers.authorization === `Bearer ${key}` || req.headers["x-api-key"] === key;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function json(res: ServerResponse, status: number, value: unknown, headers?: Readonly<Record<string, string>>): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(value));
}

type Json = Record<string, unknown>;

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content))
    return content
      .map((b: Json) => (typeof b.text === "string" ? b.text : typeof b.content === "string" ? b.content : ""))
      .join("");
  return "";
}

function normalize(api: MockRequest["api"], body: Json): MockMessage[] {
  const out: MockMessage[] = [];
  if (api === "anthropic" && body.system) out.push({ role: "system", content: textOf(body.system) });
  const names = new Map<string, string>();
  for (const m of (body.messages as Json[]) ?? []) {
    const role = m.role as string;
    if (api === "anthropic" && Array.isArray(m.content)) {
      for (const b of m.content as Json[]) {
        if (b.type === "tool_use") names.set(b.id as string, b.name as string);
        if (b.type === "tool_result")
          out.push({ role: "tool", content: textOf(b.content), toolName: names.get(b.tool_use_id as string) ?? "?" });
      }
      const text = (m.content as Json[])
        .filter((b) => b.type === "text")
        .map((b) => b.text as string)
        .join("");
      if (text || !(m.content as Json[]).some((b) => b.type === "tool_result"))
        out.push({ role: role as MockMessage["role"], content: text });
      continue;
    }
    for (const tc of (m.tool_calls as Json[]) ?? []) {
      const fn = tc.function as Json;
      if (tc.id) names.set(tc.id as string, fn.name as string);
    }
    if (role === "tool")
      out.push({
        role: "tool",
        content: textOf(m.content),
        toolName: (m.tool_name as string) ?? names.get(m.tool_call_id as string) ?? "?",
      });
    else out.push({ role: role as MockMessage["role"], content: textOf(m.content) });
  }
  return out;
}

function toolNames(api: MockRequest["api"], body: Json): string[] {
  const tools = (body.tools as Json[]) ?? [];
  return tools.map((t) => (api === "anthropic" ? (t.name as string) : ((t.function as Json).name as string)));
}

function chunks(text: string): string[] {
  if (!text) return [];
  const n = Math.min(3, text.length);
  const size = Math.ceil(text.length / n);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

const pause = (ms: number | undefined) => (ms ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

async function streamOpenAi(res: ServerResponse, req: MockRequest, reply: MockReply): Promise<void> {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const base = { id: `chatcmpl-${req.index}`, object: "chat.completion.chunk", created: 0, model: req.model };
  const send = (v: unknown) => res.write(`data: ${JSON.stringify(v)}\n\n`);
  send({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] });
  for (const c of chunks(reply.text ?? "")) {
    await pause(reply.chunkDelayMs);
    send({ ...base, choices: [{ index: 0, delta: { content: c }, finish_reason: null }] });
    if (reply.fault === "stall") return;
  }
  (reply.toolCalls ?? []).forEach((tc, i) => {
    const args = JSON.stringify(tc.arguments);
    const half = Math.floor(args.length / 2);
    send({
      ...base,
      choices: [
        {
          index: 0,
          delta: {
            tool_calls: [
              {
                index: i,
                id: `call_${req.index}_${i}`,
                type: "function",
                function: { name: tc.name, arguments: args.slice(0, half) },
              },
            ],
          },
          finish_reason: null,
        },
      ],
    });
    send({
      ...base,
      choices: [
        {
          index: 0,
          delta: { tool_calls: [{ index: i, function: { arguments: args.slice(half) } }] },
          finish_reason: null,
        },
      ],
    });
  });
  send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: reply.toolCalls?.length ? "tool_calls" : "stop" }] });
  send({ ...base, choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } });
  res.end("data: [DONE]\n\n");
}

async function streamAnthropic(res: ServerResponse, req: MockRequest, reply: MockReply): Promise<void> {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const send = (event: string, v: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(v)}\n\n`);
  send("message_start", {
    type: "message_start",
    message: {
      id: `msg_${req.index}`,
      type: "message",
      role: "assistant",
      model: req.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 0 },
    },
  });
  let index = 0;
  if (reply.text) {
    send("content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } });
    for (const c of chunks(reply.text)) {
      await pause(reply.chunkDelayMs);
      send("content_block_delta", { type: "content_block_delta", index, delta: { type: "text_delta", text: c } });
      if (reply.fault === "stall") return;
    }
    send("content_block_stop", { type: "content_block_stop", index });
    index++;
  }
  for (const tc of reply.toolCalls ?? []) {
    const args = JSON.stringify(tc.arguments);
    send("content_block_start", {
      type: "content_block_start",
      index,
      content_block: { type: "tool_use", id: `toolu_${req.index}_${index}`, name: tc.name, input: {} },
    });
    send("content_block_delta", {
      type: "content_block_delta",
      index,
      delta: { type: "input_json_delta", partial_json: args.slice(0, 3) },
    });
    send("content_block_delta", {
      type: "content_block_delta",
      index,
      delta: { type: "input_json_delta", partial_json: args.slice(3) },
    });
    send("content_block_stop", { type: "content_block_stop", index });
    index++;
  }
  send("message_delta", {
    type: "message_delta",
    delta: { stop_reason: reply.toolCalls?.length ? "tool_use" : "end_turn", stop_sequence: null },
    usage: { output_tokens: 5 },
  });
  send("message_stop", { type: "message_stop" });
  res.end();
}

async function streamOllama(res: ServerResponse, req: MockRequest, reply: MockReply): Promise<void> {
  res.writeHead(200, { "content-type": "application/x-ndjson" });
  const line = (v: unknown) => res.write(`${JSON.stringify(v)}\n`);
  for (const c of chunks(reply.text ?? "")) {
    await pause(reply.chunkDelayMs);
    line({
      model: req.model,
      created_at: new Date(0).toISOString(),
      message: { role: "assistant", content: c },
      done: false,
    });
    if (reply.fault === "stall") return;
  }
  if (reply.toolCalls?.length)
    line({
      model: req.model,
      created_at: new Date(0).toISOString(),
      message: {
        role: "assistant",
        content: "",
        tool_calls: reply.toolCalls.map((t) => ({ function: { name: t.name, arguments: t.arguments } })),
      },
      done: false,
    });
  line({
    model: req.model,
    created_at: new Date(0).toISOString(),
    message: { role: "assistant", content: "" },
    done: true,
    done_reason: "stop",
  });
  res.end();
}
