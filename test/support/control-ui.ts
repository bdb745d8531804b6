import { mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { REPO_ROOT, type GatewayProcess } from "./gateway-process.js";

/** Where the browser tests write screenshots of each view (git-ignored; for reviewers to look at). */
export const SCREENSHOT_DIR = path.join(REPO_ROOT, "test-artifacts", "screenshots");

/** The 390 px phone viewport the Control UI must work at. */
export const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};

/** Opens the Control UI of `gw` in a fresh context, signs in with the token and waits for `connected`. */
export async function openControlUi(
  browser: Browser,
  gw: Pick<GatewayProcess, "port" | "token">,
  opts: { context?: BrowserContextOptions; hash?: string } = {},
): Promise<Page> {
  const context = await browser.newContext({ colorScheme: "light", ...opts.context });
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${gw.port}/${opts.hash ?? ""}`);
  await page.fill("#token", await gw.token());
  await page.click("#connect");
  await page.waitForSelector("#status[data-state='connected']");
  return page;
}

/** Writes `<name>.png` of the whole page into {@link SCREENSHOT_DIR}. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: false });
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for a gateway that must come back on the same port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === "object" && addr ? addr.port : 0));
    });
  });
}

/** Types `text` into the composer and sends it with Enter. */
export async function sendWithEnter(page: Page, text: string): Promise<void> {
  await page.fill("#input", text);
  await page.press("#input", "Enter");
}
