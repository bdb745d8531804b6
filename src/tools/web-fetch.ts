import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { z } from "zod";
import { guardedLookup, isPrivateAddress } from "./net-guard.js";
import type { ToolDefinition } from "./types.js";

/** `tools.web.fetch` with defaults applied. */
export interface WebFetchSettings {
  /** Largest body read (bytes). Default 2 MiB. */
  readonly maxBytes: number;
  /** Whole-request limit (ms). Default 15 000. */
  readonly timeoutMs: number;
  /** Allow loopback/private addresses. Default false. */
  readonly allowPrivateNetwork: boolean;
}

export const DEFAULT_WEB_FETCH: WebFetchSettings = {
  maxBytes: 2 * 1024 * 1024,
  timeoutMs: 15_000,
  allowPrivateNetwork: false,
};
const MAX_REDIRECTS = 5;

const FetchArgs = z.strictObject({ url: z.string().url().max(4096).describe("http(s) URL to fetch") });

interface Fetched {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
  readonly truncated: boolean;
  readonly finalUrl: string;
}

/**
 * `web_fetch`: GETs a public http(s) URL and returns its text (HTML reduced to text). Private and
 * loopback addresses are refused at connect time unless `allowPrivateNetwork`; redirects are
 * followed (at most 5), each hop checked again; body capped at `maxBytes`.
 */
export function webFetchTool(settings: WebFetchSettings): ToolDefinition<z.infer<typeof FetchArgs>> {
  return {
    name: "web_fetch",
    description: "Fetch a web page (http/https) and return its text.",
    parameters: FetchArgs,
    async execute(args, ctx) {
      const r = await fetchFollowing(args.url, settings, ctx.signal);
      const text = /html/i.test(r.contentType)
        ? htmlToText(r.body.toString("utf8"))
        : /^(text\/|application\/(json|xml|[a-z.+-]*\+(json|xml)))/i.test(r.contentType) || r.contentType === ""
          ? r.body.toString("utf8")
          : undefined;
      if (text === undefined)
        return {
          content: `${r.finalUrl} returned ${r.status} ${r.contentType} (${r.body.length} bytes of binary content, not shown)`,
        };
      return {
        content: `${r.finalUrl} (${r.status})${r.truncated ? ` [truncated at ${settings.maxBytes} bytes]` : ""}\n\n${text}`,
        isError: r.status >= 400,
      };
    },
  };
}

async function fetchFollowing(start: string, s: WebFetchSettings, signal: AbortSignal): Promise<Fetched> {
  let url = new URL(start);
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(s.timeoutMs)]);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new Error(`only http and https URLs can be fetched (got ${url.protocol})`);
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (isIP(host) && !s.allowPrivateNetwork && isPrivateAddress(host))
      throw new Error(
        `refusing to fetch ${url.origin}: private or loopback address (tools.web.fetch.allowPrivateNetwork is off)`,
      );
    const r = await getOnce(url, s, deadline);
    if (r.location && r.status >= 300 && r.status < 400) {
      url = new URL(r.location, url);
      continue;
    }
    return { ...r, finalUrl: url.toString() };
  }
  throw new Error(`too many redirects (more than ${MAX_REDIRECTS})`);
}

function getOnce(
  url: URL,
  s: WebFetchSettings,
  signal: AbortSignal,
): Promise<Omit<Fetched, "finalUrl"> & { location?: string }> {
  const mod = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.get(
      url,
      {
        lookup: guardedLookup(s.allowPrivateNetwork),
        signal,
        headers: {
          "user-agent": "holdfast-web-fetch",
          accept: "text/html,text/plain,application/json;q=0.9,*/*;q=0.5",
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        res.on("data", (c: Buffer) => {
          if (size >= s.maxBytes) {
            truncated = true;
            res.destroy();
            return;
          }
          const part = c.subarray(0, s.maxBytes - size);
          if (part.length < c.length) truncated = true;
          chunks.push(part);
          size += part.length;
        });
        const finish = () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers["content-type"] ?? ""),
            body: Buffer.concat(chunks),
            truncated,
            ...(res.headers.location ? { location: res.headers.location } : {}),
          });
        res.on("end", finish);
        res.on("close", finish);
        res.on("error", reject);
      },
    );
    req.on("error", (e) => reject(new Error(`fetch of ${url.origin} failed: ${e.message}`)));
  });
}

const ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** Reduces HTML to readable text: scripts/styles dropped, block tags become line breaks, entities decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|noscript|template)[\s\S]*?<\/\1\s*>/gi, "")
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<\/?(p|div|br|li|tr|h[1-6]|section|article|header|footer|ul|ol|table|pre|blockquote)\b[^>]*>/gi, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]+);/gi, (m, e: string) => decodeEntity(e) ?? m)
    .replace(/[ \t\f\v]+/g, " ")
    .replace(/\s*\n\s*/g, "\n")
    .trim();
}

function decodeEntity(e: string): string | undefined {
  if (e[0] !== "#") return ENTITIES[e.toLowerCase()];
  const code = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}
