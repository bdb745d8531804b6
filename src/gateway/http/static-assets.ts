import { readFile } from "node:fs/promises";
import path from "node:path";
import { PACKAGE_ROOT } from "../../infra/index.js";

/** Root of the WebChat page's files (`<package>/webchat/`). */
const ROOT = path.join(PACKAGE_ROOT, "webchat");

/** Public, secret-free files of the WebChat page: URL path → [file, content type]. */
export const WEBCHAT_ASSETS: Readonly<Record<string, readonly [string, string]>> = {
  "/": ["index.html", "text/html; charset=utf-8"],
  "/webchat/app.js": ["app.js", "text/javascript; charset=utf-8"],
  "/webchat/app.css": ["app.css", "text/css; charset=utf-8"],
};

const cache = new Map<string, Buffer>();

/** Reads (once) one WebChat asset. */
export async function loadAsset(file: string): Promise<Buffer> {
  let b = cache.get(file);
  if (!b) {
    b = await readFile(path.join(ROOT, file));
    cache.set(file, b);
  }
  return b;
}

/**
 * Content-Security-Policy of the page: scripts and styles only from the gateway itself, WebSocket
 * connections only back to it, no framing.
 */
export const WEBCHAT_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
