import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser } from "playwright-core";
import { WebSocketServer } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeStateDir, spawnGateway, type GatewayProcess } from "../support/gateway-process.js";

const TOKEN = "webchat-e2e-token-0123456789abcdef";
const CHROMIUM = "/usr/bin/chromium";

describe.skipIf(!existsSync(CHROMIUM))(
  "WebChat in a real browser: the token only ever goes to the gateway that served the page",
  () => {
    let gw: GatewayProcess;
    let browser: Browser;
    let evil: Server;
    let evilPort: number;
    const evilHits: string[] = [];

    beforeAll(async () => {
      gw = await spawnGateway(await makeStateDir({}), { env: { HOLDFAST_GATEWAY_TOKEN: TOKEN } });
      // A hostile server on another loopback port: records anything that reaches it; its page tries to use the gateway.
      evil = createServer((req, res) => {
        evilHits.push(`http ${req.url ?? ""}`);
        res.writeHead(200, { "content-type": "text/html" });
        res.end(
          `<!doctype html><script>const ws = new WebSocket("${gw.url}/"); ws.onmessage = (e) => { document.title = e.data; };</script>`,
        );
      });
      new WebSocketServer({ server: evil }).on("connection", (_ws, req) => evilHits.push(`ws ${req.url ?? ""}`));
      await new Promise<void>((r) => evil.listen(0, "127.0.0.1", r));
      evilPort = (evil.address() as AddressInfo).port;
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    });

    afterAll(async () => {
      await browser?.close();
      await new Promise((r) => evil?.close(r));
      await gw?.stop();
    });

    it("ignores gateway URLs and tokens in the query string and fragment", async () => {
      const page = await browser.newPage();
      const sockets: string[] = [];
      const urls: string[] = [];
      page.on("websocket", (ws) => sockets.push(ws.url()));
      page.on("request", (r) => urls.push(r.url()));
      const bait = `ws://127.0.0.1:${evilPort}/`;
      const q = new URLSearchParams({ gatewayUrl: bait, gateway: bait, url: bait, token: "attacker-supplied-token" });
      await page.goto(
        `${gw.url.replace("ws", "http")}/?${q.toString()}#gatewayUrl=${encodeURIComponent(bait)}&token=x`,
      );
      expect(await page.locator("#login").isVisible()).toBe(true);
      await page.fill("#token", TOKEN);
      await page.click("#connect");
      await page.locator("#status", { hasText: /^connected$/ }).waitFor({ timeout: 15_000 });
      expect(sockets).toEqual([`${gw.url}/`]);
      expect(urls.every((u) => new URL(u).port === String(gw.port))).toBe(true);
      expect(urls.some((u) => u.includes(TOKEN))).toBe(false);
      expect(evilHits).toEqual([]);
      await page.close();
    });

    it("refuses a WebSocket opened by a page from another origin", async () => {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${evilPort}/`);
      await page.waitForFunction("document.title.length > 0", undefined, { timeout: 15_000 });
      const frame = JSON.parse(await page.title()) as {
        ok: boolean;
        error: { message: string; details: { code: string } };
      };
      expect(frame).toMatchObject({ ok: false, error: { details: { code: "CONTROL_UI_ORIGIN_NOT_ALLOWED" } } });
      expect(frame.error.message).toMatch(/^origin not allowed/);
      await page.close();
    });
  },
);
