import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../support/browser.js";
import { makeStateDir, mockModelConfig, spawnGateway, type GatewayProcess } from "../support/gateway-process.js";
import { defaultScript, startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

describe("WebChat in a real browser", () => {
  let mock: MockModelServer;
  let gw: GatewayProcess;
  let browser: Browser;

  beforeAll(async () => {
    mock = await startMockModelServer({
      script: (req) => {
        const last = req.messages.at(-1);
        if (last?.role === "user" && last.content.startsWith("exec ")) return defaultScript(req);
        return { text: `echo: ${last?.content ?? ""}`, chunkDelayMs: 30 };
      },
    });
    gw = await spawnGateway(await makeStateDir(mockModelConfig(mock.url)));
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await mock?.close();
  });

  it("connects with the token, streams a reply, and keeps the token out of URLs", async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on("request", (r) => requested.push(r.url()));
    page.on("websocket", (ws) => requested.push(ws.url()));
    const base = `http://127.0.0.1:${gw.port}/`;
    const res = await page.goto(base);
    expect(res?.headers()["content-security-policy"]).toContain("connect-src 'self'");
    const token = await gw.token();

    await page.fill("#token", token);
    await page.click("#connect");
    await page.waitForSelector("#status[data-state='connected']");
    expect(await page.evaluate("sessionStorage.getItem('holdfast.gatewayToken')")).toBe(token);

    await page.fill("#input", "hello browser");
    await page.click("#send");
    const reply = page.locator("#messages li.assistant[data-final='true']");
    await reply.waitFor();
    expect(await reply.textContent()).toBe("echo: hello browser");

    await page.reload();
    await page.waitForSelector("#status[data-state='connected']");
    await page.locator("#messages li.assistant", { hasText: "echo: hello browser" }).waitFor();

    expect(requested.length).toBeGreaterThan(0);
    for (const u of requested) expect(u).not.toContain(token);
    expect(requested.every((u) => new URL(u).host === `127.0.0.1:${gw.port}`)).toBe(true);
  });

  it("shows an exec approval request and runs the command when the user approves it", async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${gw.port}/`);
    await page.fill("#token", await gw.token());
    await page.click("#connect");
    await page.waitForSelector("#status[data-state='connected']");
    await page.fill("#session", "approvals");
    await page.dispatchEvent("#session", "change");
    await page.fill("#input", "exec ls -a");
    await page.click("#send");
    const card = page.locator("#messages li.approval");
    await card.waitFor();
    expect(await card.textContent()).toContain("ls -a");
    await card.locator("button[data-decision='allow-once']").click();
    await page.waitForSelector("#messages li.approval[data-decision='allow-once']");
    const reply = page.locator("#messages li.assistant[data-final='true']");
    await reply.waitFor();
    // A session other than main runs its tools in the sandbox.
    expect(await reply.textContent()).toMatch(/^echo: \[sandbox\] exit code 0\nstdout:\n\.\n/);
  });

  it("shows the refusal for a wrong token", async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${gw.port}/`);
    await page.fill("#token", "not-the-token");
    await page.click("#connect");
    await page.waitForSelector("#status[data-state='error']");
    expect(await page.textContent("#status")).toContain("gateway token mismatch");
  });
});
