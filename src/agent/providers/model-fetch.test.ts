import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { modelFetch } from "./model-fetch.js";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
  socketPort: number;
}

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A loopback server that records each request and answers with `handler`. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse, seen: Seen) => void) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      const s = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body,
        socketPort: req.socket.remotePort ?? 0,
      };
      seen.push(s);
      handler(req, res, s);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

describe("modelFetch", () => {
  it("sends the method, headers and body, and streams the answer back as a Response", async () => {
    const { url, seen } = await serve((_req, res) => {
      res.writeHead(201, { "content-type": "text/event-stream", "x-request-id": "r1" });
      res.write("data: 1\n\n");
      setTimeout(() => res.end("data: [DONE]\n\n"), 20);
    });
    const res = await modelFetch(`${url}/v1/chat/completions?x=1`, {
      method: "POST",
      headers: new Headers({ "content-type": "application/json", Authorization: "Bearer k" }),
      body: JSON.stringify({ model: "m", note: "é" }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-request-id")).toBe("r1");
    expect(await res.text()).toBe("data: 1\n\ndata: [DONE]\n\n");
    expect(seen[0]).toMatchObject({
      method: "POST",
      url: "/v1/chat/completions?x=1",
      body: '{"model":"m","note":"é"}',
      headers: { authorization: "Bearer k", "content-type": "application/json", "content-length": "25" },
    });
    expect(seen[0]?.headers["accept-encoding"]).toBeUndefined();
  });

  it("keeps the connection alive between calls", async () => {
    const { url, seen } = await serve((_req, res) => res.end("ok"));
    for (let i = 0; i < 3; i++) expect(await (await modelFetch(url, { method: "POST", body: "x" })).text()).toBe("ok");
    expect(new Set(seen.map((s) => s.socketPort)).size).toBe(1);
  });

  it("decodes a gzip body, gives a bodiless status a null body, and does not follow a redirect", async () => {
    const { url } = await serve((req, res) => {
      if (req.url === "/gz") res.writeHead(200, { "content-encoding": "gzip" }).end(gzipSync("squeezed"));
      else if (req.url === "/none") res.writeHead(204).end();
      else res.writeHead(302, { location: "http://127.0.0.1:9/elsewhere" }).end();
    });
    expect(await (await modelFetch(`${url}/gz`)).text()).toBe("squeezed");
    const none = await modelFetch(`${url}/none`);
    expect([none.status, none.body]).toEqual([204, null]);
    const moved = await modelFetch(`${url}/moved`, { headers: [["authorization", "Bearer k"]] });
    expect([moved.status, moved.headers.get("location")]).toEqual([302, "http://127.0.0.1:9/elsewhere"]);
  });

  it("rejects with the signal's reason when aborted before the answer, and errors the body when aborted during it", async () => {
    const { url } = await serve((req, res) => {
      if (req.url === "/slow") return;
      res.writeHead(200);
      res.write("first");
    });
    const early = new AbortController();
    const pending = modelFetch(`${url}/slow`, { method: "POST", body: "x", signal: early.signal });
    setTimeout(() => early.abort(), 20);
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });

    const late = new AbortController();
    const res = await modelFetch(`${url}/stream`, { signal: late.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("first");
    late.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: "AbortError" });
  });

  it("streams a long body in order, errors a body cut short by the server, and closes the connection when cancelled", async () => {
    const part = "x".repeat(1000);
    let cancelledSeen: Promise<void> = Promise.resolve();
    const { url } = await serve((req, res) => {
      if (req.url === "/long") {
        res.writeHead(200);
        for (let i = 0; i < 300; i++) res.write(`${i}:${part}\n`);
        res.end();
      } else if (req.url === "/cut") {
        res.writeHead(200);
        res.write("partial");
        setTimeout(() => res.socket?.destroy(), 20);
      } else {
        res.writeHead(200);
        res.write("endless");
        cancelledSeen = new Promise((r) => res.once("close", () => r()));
      }
    });
    const lines = (await (await modelFetch(`${url}/long`)).text()).trimEnd().split("\n");
    expect(lines).toHaveLength(300);
    expect(lines.every((l, i) => l === `${i}:${part}`)).toBe(true);

    const cut = (await modelFetch(`${url}/cut`)).body as ReadableStream<Uint8Array>;
    const reader = cut.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("partial");
    await expect(reader.read()).rejects.toMatchObject({
      code: expect.stringMatching(/^(ECONNRESET|HF_PROVIDER_NETWORK)$/),
    });

    const endless = (await modelFetch(`${url}/endless`)).body as ReadableStream<Uint8Array>;
    const r2 = endless.getReader();
    expect(new TextDecoder().decode((await r2.read()).value)).toBe("endless");
    await r2.cancel();
    await cancelledSeen;
  });

  it("rejects with the socket's errno when nothing listens", async () => {
    const { url, server } = await serve(() => undefined);
    await new Promise((r) => server.close(r));
    servers.length = 0;
    await expect(modelFetch(`${url}/v1`, { method: "POST", body: "{}" })).rejects.toMatchObject({
      code: "ECONNREFUSED",
    });
  });

  it("hands a body it does not stream itself (a form) to the global fetch", async () => {
    const { url, seen } = await serve((_req, res) => res.end("got it"));
    const form = new FormData();
    form.set("field", "value");
    expect(await (await modelFetch(url, { method: "POST", body: form })).text()).toBe("got it");
    expect(seen[0]?.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    expect(seen[0]?.body).toContain("value");
  });
});
