import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { z } from "zod";
import { allow, deny, type Decision, type Denied } from "../infra/index.js";
import { guardedLookup, isPrivateAddress } from "./net-guard.js";
import { refusedResult } from "./refusal.js";
import type { ToolDefinition } from "./types.js";
import { HoldfastError, isHoldfastError } from "../errors/index.js";

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

/** True when text bound for the network carries a configured secret (the secrets stage's leak scan). */
export type LeakScan = (text: string) => boolean;

/** The headers `web_fetch` sends (holdfast's own; the model chooses only the URL). */
const FETCH_HEADERS: Readonly<Record<string, string>> = {
  "user-agent": "holdfast-web-fetch",
  accept: "text/html,text/plain,application/json;q=0.9,*/*;q=0.5",
};

/**
 * `web_fetch`: GETs a public http(s) URL and returns its text (HTML reduced to text). Private and
 * loopback addresses are refused at connect time unless `allowPrivateNetwork`; a request whose URL,
 * headers or body carry a configured secret (any encoding) is refused before it is sent; redirects
 * are followed (at most 5), each hop checked again; body capped at `maxBytes`.
 */
export function webFetchTool(settings: WebFetchSettings, leaks: LeakScan): ToolDefinition<z.infer<typeof FetchArgs>> {
  return {
    name: "web_fetch",
    description: "Fetch a web page (http/https) and return its text.",
    parameters: FetchArgs,
    async execute(args, ctx) {
      const raw = checkFetchRequest({ url: args.url, headers: FETCH_HEADERS }, leaks);
      if (!raw.allow) return refusedResult("web_fetch", raw);
      const r = await fetchFollowing(args.url, { ...settings, leaks }, ctx.signal);
      if ("allow" in r) return refusedResult("web_fetch", r);
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

/** Why `web_fetch` refused a URL. */
export type FetchRefusal = "url_scheme_refused" | "url_private_address" | "request_carries_secret";

/**
 * Whether a request may leave: its URL (as written and percent-decoded), headers and body must not
 * carry a configured secret in any form (the outbound leak scan; the containment issue).
 */
export function checkFetchRequest(
  req: { readonly url: string; readonly headers: Readonly<Record<string, string>>; readonly body?: string },
  leaks: LeakScan,
): Decision<"request_allowed", "request_carries_secret"> {
  const parts = [req.url, safeDecode(req.url), ...Object.entries(req.headers).flat(), req.body ?? ""];
  if (parts.some((p) => leaks(p)))
    return deny(
      "request_carries_secret",
      "refusing to send this request: its URL, headers or body carry a configured secret (a credential of this gateway). Nothing was sent",
    );
  return allow("request_allowed");
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}

/**
 * Whether `web_fetch` may request `url`: http and https only; a literal private or loopback address
 * only with `allowPrivateNetwork`. Host names are checked again when they resolve ({@link guardedLookup}).
 */
export function checkFetchUrl(url: URL, allowPrivateNetwork: boolean): Decision<"url_allowed", FetchRefusal> {
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return deny("url_scheme_refused", `only http and https URLs can be fetched (got ${url.protocol})`);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host) && !allowPrivateNetwork && isPrivateAddress(host))
    return deny(
      "url_private_address",
      `refusing to fetch ${url.origin}: private or loopback address (tools.web.fetch.allowPrivateNetwork is off)`,
    );
  return allow("url_allowed");
}

/** GETs `start`, following redirects (each hop checked again); a refused hop ends it with the refusal. */
async function fetchFollowing(
  start: string,
  s: WebFetchSettings & { readonly leaks: LeakScan },
  signal: AbortSignal,
): Promise<Fetched | Denied<FetchRefusal>> {
  let url = new URL(start);
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(s.timeoutMs)]);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const check = checkFetchUrl(url, s.allowPrivateNetwork);
    if (!check.allow) return check;
    const secretFree = checkFetchRequest({ url: url.toString(), headers: FETCH_HEADERS }, s.leaks);
    if (!secretFree.allow) return secretFree;
    const r = await getOnce(url, s, deadline);
    if ("allow" in r) return r;
    if (r.location && r.status >= 300 && r.status < 400) {
      url = new URL(r.location, url);
      continue;
    }
    return { ...r, finalUrl: url.toString() };
  }
  throw new HoldfastError("HF_TOOL_FAILED", `too many redirects (more than ${MAX_REDIRECTS})`);
}

/**
 * One GET. A host that resolves to a private or loopback address (refused by the guarded lookup at
 * connect time) yields the refusal; other failures throw HoldfastError HF_TOOL_FAILED.
 */
function getOnce(
  url: URL,
  s: WebFetchSettings,
  signal: AbortSignal,
): Promise<(Omit<Fetched, "finalUrl"> & { location?: string }) | Denied<FetchRefusal>> {
  const mod = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.get(
      url,
      {
        lookup: guardedLookup(s.allowPrivateNetwork),
        signal,
        headers: FETCH_HEADERS,
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
    req.on("error", (e) => {
      const message = `fetch of ${url.origin} failed: ${e.message}`;
      if (isHoldfastError(e, "HF_TOOL_URL_REFUSED")) resolve(deny("url_private_address", message));
      else reject(new HoldfastError("HF_TOOL_FAILED", message, undefined, { cause: e }));
    });
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
