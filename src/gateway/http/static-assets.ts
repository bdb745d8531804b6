import { readFile } from "node:fs/promises";
import path from "node:path";
import { PACKAGE_ROOT } from "../../infra/index.js";

/** Root of the Control UI's built files (`<package>/dist/ui/`, written by `npm run build` from `ui/`). */
const ROOT = path.join(PACKAGE_ROOT, "dist", "ui");

/** Public, secret-free files of the Control UI (WebChat and the operator views): URL path → [file, content type]. */
export const WEBCHAT_ASSETS: Readonly<Record<string, readonly [string, string]>> = {
  "/": ["index.html", "text/html; charset=utf-8"],
  "/webchat/app.js": ["app.js", "text/javascript; charset=utf-8"],
  "/webchat/app.css": ["app.css", "text/css; charset=utf-8"],
};

const cache = new Map<string, Buffer>();

/** Reads (once) one Control UI asset. @throws the read error (ENOENT when the UI was not built). */
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
