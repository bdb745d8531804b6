import { createServer, type Server } from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokenInSomeFormArb } from "../../test/support/secret-encodings.js";
import { secretMatcher, silentLogger } from "../logging/index.js";
import { isPrivateAddress } from "./net-guard.js";
import { webFetchSettings, webSearchSettings } from "./settings.js";
import type { ToolContext } from "./types.js";
import { htmlToText, webFetchTool } from "./web-fetch.js";
import { webSearchTool } from "./web-search.js";

const ctx: ToolContext = {
  agentId: "main",
  sessionKey: "agent:main:main",
  runId: "r",
  workspaceDir: "/",
  signal: new AbortController().signal,
  log: silentLogger(),
};

let server: Server;
let base: string;
const noLeak = () => false;
const SECRET = "WebFetchCanary-0a9b8c7d6e5f4a3b2c1d";
const leaks = (text: string) => secretMatcher([SECRET]).test(text);

const seen: { url: string; headers: Record<string, unknown>; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({ url: req.url ?? "", headers: req.headers, body });
      if (req.url === "/page")
        return void res
          .writeHead(200, { "content-type": "text/html" })
          .end(
            "<html><head><script>x()</script><style>p{}</style></head><body><h1>Title</h1><p>Hello &amp; welcome&#33;</p></body></html>",
          );
      if (req.url === "/redirect") return void res.writeHead(302, { location: "/page" }).end();
      if (req.url === "/big") return void res.writeHead(200, { "content-type": "text/plain" }).end("y".repeat(5000));
      if (req.url?.startsWith("/res/v1/web/search")) {
        if (req.headers["x-subscription-token"] !== "brave-key") return void res.writeHead(401).end();
        return void res.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            web: {
              results: [
                { title: "<b>One</b>", url: "https://one.example", description: "first" },
                { title: "Two", url: "https://two.example", description: "second" },
              ],
            },
          }),
        );
      }
      if (req.url === "/search")
        return void res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ results: [{ title: "T", url: "https://t.example", content: "tavily hit" }] }));
      res.writeHead(404).end("nope");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

describe("web_fetch", () => {
  it.each([
    "127.0.0.1",
    "10.1.2.3",
    "192.168.1.1",
    "172.20.0.1",
    "169.254.169.254",
    "100.64.0.1",
    "::1",
    "fe80::1",
    "fd00::1",
    "::ffff:127.0.0.1",
    "0.0.0.0",
  ])("%s is private", (a) => {
    expect(isPrivateAddress(a)).toBe(true);
  });

  it.each(["1.1.1.1", "8.8.8.8", "2606:4700::1111"])("%s is public", (a) => {
    expect(isPrivateAddress(a)).toBe(false);
  });

  it("refuses loopback by default, before any connection", async () => {
    const before = seen.length;
    const tool = webFetchTool(webFetchSettings({}) ?? ({} as never), noLeak);
    expect(await tool.execute({ url: `${base}/page` }, ctx)).toEqual({
      content: `web_fetch failed: refusing to fetch ${base}: private or loopback address (tools.web.fetch.allowPrivateNetwork is off)`,
      isError: true,
      refused: true,
    });
    expect(await tool.execute({ url: "http://localhost:9/x" }, ctx)).toEqual({
      content:
        "web_fetch failed: fetch of http://localhost:9 failed: refusing to connect to localhost: it resolves to a private or loopback address",
      isError: true,
      refused: true,
    });
    expect(seen.length).toBe(before);
  });

  it("fetches, follows redirects and reduces HTML to text when private addresses are allowed", async () => {
    const tool = webFetchTool({ maxBytes: 1000, timeoutMs: 5000, allowPrivateNetwork: true }, noLeak);
    const r = await tool.execute({ url: `${base}/redirect` }, ctx);
    expect(r.content).toBe(`${base}/page (200)\n\nTitle\nHello & welcome!`);
    expect((await tool.execute({ url: `${base}/big` }, ctx)).content).toContain("[truncated at 1000 bytes]");
    expect((await tool.execute({ url: `${base}/missing` }, ctx)).isError).toBe(true);
    expect(await tool.execute({ url: "file:///etc/passwd" }, ctx)).toEqual({
      content: "web_fetch failed: only http and https URLs can be fetched (got file:)",
      isError: true,
      refused: true,
    });
  });

  it("refuses a request that carries a configured secret in any encoding, before anything is sent", async () => {
    const before = seen.length;
    const tool = webFetchTool({ maxBytes: 1000, timeoutMs: 5000, allowPrivateNetwork: true }, leaks);
    for (const url of [
      `${base}/page?k=${SECRET}`,
      `${base}/page?k=${encodeURIComponent(Buffer.from(SECRET).toString("base64"))}`,
      `${base}/${Buffer.from(SECRET).toString("hex")}`,
      `${base}/page?k=${[...SECRET].reverse().join("")}`,
      `${base}/page?k=${[...SECRET].join("%20")}`,
    ]) {
      const r = await tool.execute({ url }, ctx);
      expect(r).toMatchObject({ isError: true, content: expect.stringContaining("carry a configured secret") });
      expect(r.content).not.toContain(SECRET);
    }
    expect(seen.length).toBe(before);
    expect((await tool.execute({ url: `${base}/page` }, ctx)).isError).toBeFalsy();
    const search = webSearchTool(
      { provider: "brave", apiKey: "k", baseUrl: base, maxResults: 5, timeoutMs: 5000 },
      leaks,
    );
    expect((await search.execute({ query: `find ${SECRET}` }, ctx)).content).toContain("carries a configured secret");
  });

  it("is off when disabled", () => {
    expect(webFetchSettings({ tools: { web: { fetch: { enabled: false } } } })).toBeUndefined();
    expect(htmlToText("a<br>b &lt;c&gt; &#x41;")).toBe("a\nb <c> A");
  });
});

describe("web_search", () => {
  it("is off without a key, on with one (config or env)", () => {
    expect(webSearchSettings({}, undefined, {})).toBeUndefined();
    expect(webSearchSettings({}, undefined, { BRAVE_API_KEY: "k" })).toMatchObject({
      provider: "brave",
      apiKey: "k",
      baseUrl: "https://api.search.brave.com",
    });
    expect(webSearchSettings({ tools: { web: { search: { provider: "tavily" } } } }, "t", {})).toMatchObject({
      provider: "tavily",
      apiKey: "t",
    });
    expect(webSearchSettings({ tools: { web: { search: { enabled: false } } } }, "k", {})).toBeUndefined();
  });

  it("queries the Brave API with the key header and formats results", async () => {
    const tool = webSearchTool(
      {
        provider: "brave",
        apiKey: "brave-key",
        baseUrl: base,
        maxResults: 5,
        timeoutMs: 5000,
      },
      noLeak,
    );
    const r = await tool.execute({ query: "holdfast gateway", count: 2 }, ctx);
    expect(r.content).toBe("1. One\n   https://one.example\n   first\n2. Two\n   https://two.example\n   second");
    expect(seen.at(-1)?.url).toBe("/res/v1/web/search?q=holdfast+gateway&count=2");
    await expect(
      webSearchTool(
        { provider: "brave", apiKey: "wrong", baseUrl: base, maxResults: 5, timeoutMs: 5000 },
        noLeak,
      ).execute({ query: "x" }, ctx),
    ).rejects.toThrow(/rejected the API key \(HTTP 401\)/);
  });

  it("queries Tavily with a bearer key", async () => {
    const r = await webSearchTool(
      {
        provider: "tavily",
        apiKey: "tv-key",
        baseUrl: base,
        maxResults: 3,
        timeoutMs: 5000,
      },
      noLeak,
    ).execute({ query: "q" }, ctx);
    expect(r.content).toBe("1. T\n   https://t.example\n   tavily hit");
    expect(seen.at(-1)?.headers.authorization).toBe("Bearer tv-key");
    expect(JSON.parse(seen.at(-1)?.body ?? "{}")).toEqual({ query: "q", max_results: 3 });
  });
});

describe("web_fetch network leak scan (property)", () => {
  it("never sends a URL that carries a configured secret in any form, wherever it sits in the URL", async () => {
    const where = fc.constantFrom("query", "path", "fragment", "userinfo");
    await fc.assert(
      fc.asyncProperty(tokenInSomeFormArb, where, async ({ secret, form }, at) => {
        const tool = webFetchTool({ maxBytes: 1000, timeoutMs: 5000, allowPrivateNetwork: true }, (t) =>
          secretMatcher([secret]).test(t),
        );
        const enc = encodeURIComponent(form);
        const host = base.slice("http://".length);
        const url =
          at === "query"
            ? `${base}/page?q=${enc}`
            : at === "path"
              ? `${base}/a/${enc}/b`
              : at === "fragment"
                ? `${base}/page#${enc}`
                : `http://u:${enc}@${host}/page`;
        const before = seen.length;
        const r = await tool.execute({ url }, ctx);
        expect(r).toMatchObject({ isError: true, content: expect.stringContaining("carry a configured secret") });
        expect(secretMatcher([secret]).test(r.content)).toBe(false);
        expect(seen.length).toBe(before);
      }),
      { numRuns: 150 },
    );
  });
});
