import { z } from "zod";
import { deny } from "../infra/index.js";
import { refusedResult } from "./refusal.js";
import type { ToolDefinition } from "./types.js";
import type { LeakScan } from "./web-fetch.js";
import { HoldfastError } from "../errors/index.js";

/** `tools.web.search` with defaults applied. The tool exists only when a key is configured. */
export interface WebSearchSettings {
  readonly provider: "brave" | "tavily";
  readonly apiKey: string;
  /** API base URL (tests point it at a local fake). */
  readonly baseUrl: string;
  readonly maxResults: number;
  readonly timeoutMs: number;
}

export const WEB_SEARCH_BASE_URLS = {
  brave: "https://api.search.brave.com",
  tavily: "https://api.tavily.com",
} as const;

const SearchArgs = z.strictObject({
  query: z.string().min(1).max(400).describe("Search query"),
  count: z.number().int().min(1).max(20).optional().describe("Number of results"),
});

interface Hit {
  readonly title: string;
  readonly url: string;
  readonly snippet: string;
}

/**
 * `web_search`: queries the configured search provider (Brave Search API or Tavily) and returns
 * title, URL and snippet per result. The key never appears in results or errors.
 */
export function webSearchTool(s: WebSearchSettings, leaks: LeakScan): ToolDefinition<z.infer<typeof SearchArgs>> {
  return {
    name: "web_search",
    description: "Search the web. Returns titles, URLs and snippets.",
    parameters: SearchArgs,
    async execute(args, ctx) {
      if (leaks(args.query))
        return refusedResult(
          "web_search",
          deny(
            "request_carries_secret",
            "refusing to send this query: it carries a configured secret. Nothing was sent",
          ),
        );
      const count = Math.min(args.count ?? s.maxResults, s.maxResults);
      const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(s.timeoutMs)]);
      const hits =
        s.provider === "brave" ? await brave(s, args.query, count, signal) : await tavily(s, args.query, count, signal);
      if (hits.length === 0) return { content: `No results for "${args.query}".` };
      return { content: hits.map((h, i) => `${i + 1}. ${h.title}\n   ${h.url}\n   ${h.snippet}`).join("\n") };
    },
  };
}

async function brave(s: WebSearchSettings, query: string, count: number, signal: AbortSignal): Promise<Hit[]> {
  const url = new URL("/res/v1/web/search", s.baseUrl);
  url.searchParams.set("q", query);
  url.searchParams.set("count", String(count));
  const body = await call(
    url,
    { headers: { accept: "application/json", "x-subscription-token": s.apiKey }, signal },
    "brave",
  );
  const results = ((body as { web?: { results?: unknown[] } }).web?.results ?? []) as {
    title?: string;
    url?: string;
    description?: string;
  }[];
  return results
    .slice(0, count)
    .map((r) => ({ title: strip(r.title), url: r.url ?? "", snippet: strip(r.description) }));
}

async function tavily(s: WebSearchSettings, query: string, count: number, signal: AbortSignal): Promise<Hit[]> {
  const url = new URL("/search", s.baseUrl);
  const body = await call(
    url,
    {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${s.apiKey}` },
      body: JSON.stringify({ query, max_results: count }),
      signal,
    },
    "tavily",
  );
  const results = ((body as { results?: unknown[] }).results ?? []) as {
    title?: string;
    url?: string;
    content?: string;
  }[];
  return results.slice(0, count).map((r) => ({ title: strip(r.title), url: r.url ?? "", snippet: strip(r.content) }));
}

async function call(url: URL, init: RequestInit, provider: string): Promise<unknown> {
  const res = await fetch(url, init).catch((e: unknown) => {
    throw new HoldfastError(
      "HF_TOOL_FAILED",
      `${provider} search failed: ${(e as Error).name === "TimeoutError" ? "timed out" : "network error"}`,
    );
  });
  if (res.status === 401 || res.status === 403)
    throw new HoldfastError(
      "HF_TOOL_FAILED",
      `${provider} search rejected the API key (HTTP ${res.status}); check tools.web.search.apiKey`,
    );
  if (!res.ok) throw new HoldfastError("HF_TOOL_FAILED", `${provider} search failed with HTTP ${res.status}`);
  return res.json();
}

function strip(s: string | undefined): string {
  return (s ?? "").replace(/<[^>]+>/g, "").trim();
}
