import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../support/browser.js";
import { freePort, openControlUi, screenshot, sendWithEnter } from "../support/control-ui.js";
import { makeStateDir, mockModelConfig, spawnGateway, type GatewayProcess } from "../support/gateway-process.js";
import { defaultScript, startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

const MARKDOWN_REPLY = "Here is **bold**, a [link](https://example.org/x) and code:\n\n```sh\necho hi\n```\n";

describe("Control UI chat in a real browser against a real gateway", () => {
  let mock: MockModelServer;
  let gw: GatewayProcess;
  let stateDir: string;
  let port: number;
  let browser: Browser;

  beforeAll(async () => {
    mock = await startMockModelServer({
      script: (req) => {
        const last = req.messages.at(-1);
        if (last?.role === "user" && last.content === "markdown please") return { text: MARKDOWN_REPLY };
        if (last?.role === "user" && last.content.startsWith("slow "))
          return { text: "slowly, one part at a time", chunkDelayMs: 2500 };
        if (last?.role === "tool" || (last?.role === "user" && last.content.startsWith("exec ")))
          return defaultScript(req);
        return { text: `echo: ${last?.content ?? ""}`, chunkDelayMs: 20 };
      },
    });
    port = await freePort();
    stateDir = await makeStateDir(mockModelConfig(mock.url));
    gw = await spawnGateway(stateDir, { args: ["--port", String(port)] });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await mock?.close();
  });

  it("is served with a strict CSP and no-framing headers, and keeps the token out of every URL", async () => {
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(res.headers.get("content-security-policy")).toMatch(/default-src 'none'; script-src 'self'/);
    expect(res.headers.get("content-security-policy")).not.toContain("unsafe-inline");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await res.text();
    expect(html).not.toMatch(/<script>(?!<)/);
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);

    const token = await gw.token();
    const requested: string[] = [];
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on("request", (r) => requested.push(r.url()));
    page.on("websocket", (ws) => requested.push(ws.url()));
    await page.goto(`http://127.0.0.1:${port}/`);
    await screenshot(page, "login-desktop");
    await page.fill("#token", token);
    await page.click("#connect");
    await page.waitForSelector("#status[data-state='connected']");
    expect(await page.evaluate("sessionStorage.getItem('holdfast.gatewayToken')")).toBe(token);
    await page.reload();
    await page.waitForSelector("#status[data-state='connected']");
    expect(requested.every((u) => !u.includes(token) && new URL(u).host === `127.0.0.1:${port}`)).toBe(true);
    expect(page.url()).not.toContain(token);
    await page.click("#forget");
    await page.waitForSelector("#token");
    expect(await page.evaluate("sessionStorage.getItem('holdfast.gatewayToken')")).toBeNull();
    await context.close();
  });

  it("shows the refusal for a wrong token and stays on the sign-in form", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.fill("#token", "not-the-token");
    await page.click("#connect");
    await page.waitForSelector("#login-error");
    expect(await page.textContent("#login-error")).toContain("gateway token mismatch");
    expect(await page.evaluate("sessionStorage.getItem('holdfast.gatewayToken')")).toBeNull();
    await context.close();
  });

  it("sends with Enter (Shift+Enter is a newline), renders markdown safely with copy buttons, and history matches", async () => {
    const page = await openControlUi(browser, gw);
    await page.fill("#input", "first line");
    await page.press("#input", "Shift+Enter");
    await page.type("#input", "second line");
    expect(await page.inputValue("#input")).toBe("first line\nsecond line");
    await page.press("#input", "Enter");
    expect(await page.inputValue("#input")).toBe("");
    await page.locator("#messages li.assistant[data-final='true']", { hasText: "echo: first line" }).waitFor();

    await sendWithEnter(page, "markdown please");
    const reply = page.locator("#messages li.assistant[data-final='true']", { hasText: "Here is" });
    await reply.waitFor();
    expect(await reply.locator("strong").textContent()).toBe("bold");
    const link = reply.locator("a");
    expect(await link.getAttribute("rel")).toBe("noopener noreferrer");
    expect(await link.getAttribute("href")).toBe("https://example.org/x");
    await reply.locator(".code button.copy").waitFor();
    expect(await reply.locator("pre code").textContent()).toBe("echo hi\n");
    await screenshot(page, "chat-desktop");

    const live = await page.locator("#messages li").allTextContents();
    await page.reload();
    await page.waitForSelector("#status[data-state='connected']");
    await page.locator("#messages li.assistant", { hasText: "Here is" }).waitFor();
    expect(await page.locator("#messages li").allTextContents()).toEqual(live);
    await page.context().close();
  });

  it("shows a tool step collapsible with its arguments and result, and the run status while it works", async () => {
    const page = await openControlUi(browser, gw, { hash: "#tab=chat&session=agent%3Amain%3Amain" });
    await sendWithEnter(page, "exec echo tool-output-42");
    const tool = page.locator("#messages li.tool[data-tool='exec']");
    await tool.waitFor();
    // The main session runs exec on the host, after the operator approves it right in the chat.
    const card = page.locator("#messages .approval");
    await card.waitFor();
    expect(await page.textContent("#run-status")).toBe("running exec");
    expect(await card.locator(".command").textContent()).toBe("echo tool-output-42");
    await screenshot(page, "chat-approval-inline");
    await card.locator("button[data-decision='allow-once']").click();
    await page.locator("#messages li.assistant[data-final='true']", { hasText: "Tool exec returned" }).waitFor();
    await page.locator("#messages li.tool[data-done='true']").waitFor();
    expect(await tool.locator("details").getAttribute("open")).toBeNull();
    await tool.locator("summary").click();
    expect(await tool.locator(".tool-args").textContent()).toContain("echo tool-output-42");
    expect(await tool.locator(".tool-result").textContent()).toContain("tool-output-42");
    await screenshot(page, "chat-tool-step");
    await page.context().close();
  });

  it("stops a running reply with Stop", async () => {
    const page = await openControlUi(browser, gw);
    await sendWithEnter(page, "slow reply");
    await page.locator("#messages li.assistant[data-final='false']").waitFor();
    expect(await page.textContent("#run-status")).not.toBe("");
    await page.click("#abort");
    await expect.poll(() => page.textContent("#run-status"), { timeout: 10_000 }).toBe("");
    await page.locator("#messages li.error", { hasText: "run aborted" }).waitFor();
    await page.waitForSelector("#abort[disabled]");
    const live = await page.locator("#messages li.assistant").last().textContent();
    expect(live).toContain("(incomplete: aborted)");
    // After a reload, history shows the stopped run as it was shown live.
    await page.reload();
    await page.locator("#messages li.error", { hasText: "run aborted" }).waitFor();
    expect(await page.locator("#messages li.assistant").last().textContent()).toBe(live);
    await screenshot(page, "chat-stopped-run-after-reload");
    await page.context().close();
  });

  it("keeps the selected session across a reload, starts a new one and deletes one after confirming", async () => {
    const page = await openControlUi(browser, gw);
    await page.click("#new-session");
    const key = decodeURIComponent(/session=([^&]+)/.exec(page.url())?.[1] ?? "");
    expect(key).toMatch(/^agent:main:webchat-/);
    await sendWithEnter(page, "in the new session");
    await page.locator("#messages li.assistant[data-final='true']", { hasText: "echo: in the new session" }).waitFor();
    await page.locator(`#session-list li[data-key='${key}'] .session-meta`, { hasText: "webchat" }).waitFor();
    await page.reload();
    await page.waitForSelector("#status[data-state='connected']");
    expect(await page.textContent("#session-title")).toBe(key);
    await page.locator("#messages li.assistant", { hasText: "echo: in the new session" }).waitFor();
    await page.locator(`#session-list li[data-key='agent:main:main'] .session-open`).click();
    await page.locator("#messages li.assistant", { hasText: "echo: first line" }).waitFor();
    const row = page.locator(`#session-list li[data-key='${key}']`);
    await row.locator("button.delete").click();
    await row.locator("button.confirm-delete").click();
    await row.waitFor({ state: "detached" });
    await page.context().close();
  });

  it("queues what is typed while the gateway is down and delivers it exactly once when it is back", async () => {
    const page = await openControlUi(browser, gw);
    await sendWithEnter(page, "before the restart");
    await page.locator("#messages li.assistant[data-final='true']", { hasText: "echo: before the restart" }).waitFor();
    await gw.stop("SIGKILL");
    await page.waitForSelector("#status[data-state='reconnecting']");
    await sendWithEnter(page, "typed while offline");
    const pending = page.locator("#messages li.user[data-state='pending']", { hasText: "typed while offline" });
    await pending.waitFor();
    await screenshot(page, "chat-offline-pending");
    const before = mock.requests.length;
    gw = await spawnGateway(stateDir, { args: ["--port", String(port)] });
    await page.waitForSelector("#status[data-state='connected']", { timeout: 20_000 });
    await page.locator("#messages li.assistant[data-final='true']", { hasText: "echo: typed while offline" }).waitFor();
    await pending.waitFor({ state: "detached" });
    const asked = mock.requests.slice(before).filter((r) => r.messages.at(-1)?.content === "typed while offline");
    expect(asked).toHaveLength(1);
    expect(await page.locator("#messages li.user", { hasText: "typed while offline" }).count()).toBe(1);
    await page.reload();
    await page.waitForSelector("#status[data-state='connected']");
    await page.locator("#messages li.assistant", { hasText: "echo: typed while offline" }).waitFor();
    expect(await page.locator("#messages li.user", { hasText: "typed while offline" }).count()).toBe(1);
    await page.context().close();
  }, 60_000);

  it("marks a message the gateway refuses as failed, with a retry button", async () => {
    const page = await openControlUi(browser, gw, { hash: "#tab=chat&session=agent%3Anobody%3Amain" });
    await sendWithEnter(page, "to an agent that does not exist");
    const failed = page.locator("#messages li.user[data-state='failed']");
    await failed.waitFor();
    expect(await failed.textContent()).toContain('unknown agent "nobody"');
    await failed.locator("button.retry").waitFor();
    await page.context().close();
  });
});
