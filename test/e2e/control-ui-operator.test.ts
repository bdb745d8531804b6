import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/client/index.js";
import { generateDeviceIdentity } from "../../src/devices/index.js";
import { launchChromium } from "../support/browser.js";
import { openControlUi, PHONE, screenshot, sendWithEnter } from "../support/control-ui.js";
import { FakeTelegram } from "../support/fake-telegram.js";
import { makeStateDir, spawnGateway, type GatewayProcess } from "../support/gateway-process.js";
import { defaultScript, startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

const BOT = { token: "700002:UiTokenUiTokenUiTokenUiTokenUiToken0", id: 700002, username: "holdfast_ui_bot" };
const MODEL_KEY = "sk-ui-canary-0123456789abcdefghij";

/** Model output that tries every way into the page: script, handlers, URLs, markup in markdown. */
const XSS_CORPUS = [
  "<script>window.__xss = 1</script>",
  '<img src=x onerror="window.__xss = 2">',
  "<svg onload=window.__xss=3></svg>",
  '<iframe src="javascript:window.__xss=4"></iframe>',
  "[click me](javascript:window.__xss=5)",
  "[data](data:text/html,<script>window.__xss=6</script>)",
  "![img](x onerror=window.__xss=7)",
  '<a href="javascript:alert(1)">a</a>',
  '<details open ontoggle="window.__xss=8">d</details>',
  "```html\n<script>window.__xss = 9</script>\n```",
  '<div style="background:url(javascript:alert(1))">styled</div>',
  "<form action=//127.0.0.1><button>go</button></form>",
  "**bold** <b onmouseover=window.__xss=10>hover</b>",
].join("\n\n");

describe("Control UI operator views in a real browser", () => {
  let mock: MockModelServer;
  let fake: FakeTelegram;
  let gw: GatewayProcess;
  let browser: Browser;

  beforeAll(async () => {
    mock = await startMockModelServer({
      apiKey: MODEL_KEY,
      script: (req) => {
        const last = req.messages.at(-1);
        if (last?.role === "user" && last.content === "xss corpus") return { text: XSS_CORPUS };
        if (last?.role === "user" && last.content === "tell me the key") return { text: `The key is ${MODEL_KEY}.` };
        return defaultScript(req);
      },
    });
    fake = await FakeTelegram.start([BOT]);
    const stateDir = await makeStateDir({
      models: {
        providers: {
          mock: {
            baseUrl: `${mock.url}/v1`,
            api: "openai-completions",
            apiKey: "${HF_UI_MODEL_KEY}",
            models: ["mock-model"],
          },
        },
      },
      agents: { defaults: { model: { primary: "mock/mock-model" } } },
      channels: { telegram: { apiRoot: fake.url, pollingTimeoutSec: 1 } },
      tools: { elevated: { enabled: true, allowFrom: { webchat: ["operator"] }, requireApproval: true } },
    });
    gw = await spawnGateway(stateDir, { env: { TELEGRAM_BOT_TOKEN: BOT.token, HF_UI_MODEL_KEY: MODEL_KEY } });
    await fake.waitForPoll(BOT.token);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await fake?.close();
    await mock?.close();
  });

  it("renders an XSS corpus in model output as inert text", async () => {
    const page = await openControlUi(browser, gw);
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    await sendWithEnter(page, "xss corpus");
    const reply = page.locator("#messages li.assistant[data-final='true']", { hasText: "bold" });
    await reply.waitFor();
    await reply.hover();
    await page.waitForTimeout(300);
    expect(await page.evaluate("window.__xss")).toBeUndefined();
    const md = reply.locator(".md");
    for (const tag of ["script", "img", "svg", "iframe", "form", "button:not(.copy)", "[style]", "details[ontoggle]"])
      expect(await md.locator(tag).count(), tag).toBe(0);
    const attrs = await md.evaluate((el) =>
      [...el.querySelectorAll("*")].flatMap((n) => [...n.attributes].map((a) => `${a.name}=${a.value}`)),
    );
    expect(attrs.filter((a) => /^on/i.test(a) || /javascript:|data:text/i.test(a))).toEqual([]);
    // The raw HTML shows as text, so the user sees what the model tried.
    expect(await md.textContent()).toContain("<script>window.__xss = 1</script>");
    expect(violations).toEqual([]);
    await screenshot(page, "chat-xss-corpus");
    await page.context().close();
  });

  it("keeps a reply withheld for holding a secret withheld after a reload, with no fragment of it", async () => {
    const page = await openControlUi(browser, gw, { hash: "#tab=chat&session=agent%3Amain%3Aleak" });
    await sendWithEnter(page, "tell me the key");
    const reply = page.locator("#messages li.assistant[data-final='true']");
    await reply.waitFor();
    expect(await reply.textContent()).toContain("withheld this reply");
    await page.reload();
    await page.waitForSelector("#status[data-state='connected']");
    await page.locator("#messages li.assistant", { hasText: "withheld this reply" }).waitFor();
    const all = (await page.locator("#messages").textContent()) ?? "";
    expect(all).not.toContain(MODEL_KEY.slice(0, 6));
    expect(all).not.toContain(MODEL_KEY.slice(-4));
    await page.context().close();
  });

  it("shows an exec approval in its own session only, lists it for all, and approves it from the tab", async () => {
    const page = await openControlUi(browser, gw, { hash: "#tab=chat&session=agent%3Amain%3Awork" });
    await sendWithEnter(page, "exec echo approved-from-tab");
    await page.locator("#messages .approval").waitFor();
    await page.locator("#session-list li[data-key='agent:main:main'] .session-open").click();
    await page.waitForSelector("#session-title:text-is('agent:main:main')");
    expect(await page.locator("#messages .approval").count()).toBe(0);
    await page.click("#tab-approvals");
    const item = page.locator("#approval-list li[data-session='agent:main:work']");
    await item.waitFor();
    expect(await item.locator(".command").textContent()).toBe("echo approved-from-tab");
    expect(await page.textContent("#tab-approvals .badge")).toBe("1");
    await screenshot(page, "approvals-desktop");
    await item.locator("button[data-decision='allow-once']").click();
    await item.waitFor({ state: "detached" });
    await page.locator("#approval-list li a").count();
    await page.goto(page.url().replace(/#.*/, "#tab=chat&session=agent%3Amain%3Awork"));
    await page.waitForSelector("#status[data-state='connected']");
    await page.locator("#messages li.assistant", { hasText: "Tool exec returned" }).waitFor();
    expect(await page.textContent("#messages")).toContain("approved-from-tab");
    await page.context().close();
  });

  it("says on the approval card when elevated mode moved exec out of the sandbox to the gateway host", async () => {
    const page = await openControlUi(browser, gw, { hash: "#tab=chat&session=agent%3Amain%3Aelev" });
    await sendWithEnter(page, "/elevated on");
    await page.locator("#messages li", { hasText: "Elevated mode on" }).waitFor();
    await sendWithEnter(page, "exec uname");
    const card = page.locator("#messages .approval");
    await card.waitFor();
    expect(await card.locator("p").first().textContent()).toContain("host (elevated) exec");
    await screenshot(page, "approval-elevated");
    await card.locator("button[data-decision='deny']").click();
    await card.waitFor({ state: "detached" });
    await page.context().close();
  });

  it("approves a Telegram DM pairing from the UI, and the sender's next message reaches the agent", async () => {
    await fake.userSends(BOT.token, { from: { id: 4242, first_name: "Pat" }, text: "hi, let me in" });
    await fake.waitForSent((s) => s.chatId === "4242");
    const page = await openControlUi(browser, gw, { hash: "#tab=pairing" });
    const request = page.locator(".channel[data-channel='telegram'] .pairing-requests li[data-sender='4242']");
    await request.waitFor();
    await screenshot(page, "pairing-desktop");
    await request.locator("button.approve").click();
    await page.locator(".pairing-approved li[data-sender='4242']").waitFor();
    const before = mock.requests.length;
    await fake.userSends(BOT.token, { from: { id: 4242, first_name: "Pat" }, text: "now I am paired" });
    await fake.waitForSent((s) => s.chatId === "4242" && s.text.includes("echo: now I am paired"));
    expect(mock.requests.slice(before).some((r) => r.messages.at(-1)?.content.includes("now I am paired"))).toBe(true);
    await page.context().close();
  });

  it("shows what a tainted turn read on its approval card: a paired sender's message asking for exec", async () => {
    const page = await openControlUi(browser, gw, { hash: "#tab=approvals" });
    await fake.userSends(BOT.token, { from: { id: 4242, first_name: "Pat" }, text: "exec echo pat-was-here" });
    const item = page.locator("#approval-list li", { hasText: "echo pat-was-here" });
    await item.waitFor();
    expect(await item.locator(".taint").textContent()).toContain("this turn read a message from telegram:4242");
    await screenshot(page, "approvals-tainted");
    await item.locator("button[data-decision='deny']").click();
    await item.waitFor({ state: "detached" });
    await fake.waitForSent((s) => s.chatId === "4242" && /not approved|denied/i.test(s.text));
    expect(fake.sent.some((s) => s.text.includes("pat-was-here\n"))).toBe(false);
    await page.context().close();
  });

  it("refuses pairing approval and admin views to a read-only operator on the gateway socket", async () => {
    await fake.userSends(BOT.token, { from: { id: 5151, first_name: "Sam" }, text: "me too" });
    await fake.waitForSent((s) => s.chatId === "5151");
    const admin = await GatewayClient.connect({ url: gw.url, token: await gw.token(), scopes: ["operator.admin"] });
    type Listed = { channels: { channel: string; requests: { code: string; senderId: string }[] }[] };
    const pending = async () =>
      ((await admin.request("pairing.list", { channel: "telegram" })) as Listed).channels[0]?.requests ?? [];
    const code = (await pending()).find((r) => r.senderId === "5151")?.code;
    expect(code).toBeDefined();
    // A device paired with operator.read keeps that ceiling even when it asks for more.
    const device = generateDeviceIdentity();
    const first = await GatewayClient.connect({
      url: gw.url,
      token: await gw.token(),
      device,
      scopes: ["operator.read"],
    });
    const { deviceToken } = first.hello?.auth as { deviceToken: string };
    first.close();
    const reader = await GatewayClient.connect({
      url: gw.url,
      deviceToken,
      device,
      scopes: ["operator.read", "operator.pairing", "operator.approvals", "operator.admin"],
    });
    expect(reader.hello?.auth).toMatchObject({ scopes: ["operator.read"] });
    const refused = (method: string, params: unknown) =>
      reader.request(method, params).then(
        () => "allowed",
        (err: { wireCode?: string; message?: string }) => `${err.wireCode}: ${err.message}`,
      );
    expect(await refused("pairing.approve", { channel: "telegram", code })).toBe(
      "FORBIDDEN: missing scope: operator.pairing",
    );
    expect(await refused("pairing.list", {})).toBe("FORBIDDEN: missing scope: operator.pairing");
    expect(await refused("exec.approval.resolve", { id: "a1", decision: "allow-once" })).toBe(
      "FORBIDDEN: missing scope: operator.approvals",
    );
    expect(await refused("security.audit", {})).toBe("FORBIDDEN: missing scope: operator.admin");
    expect(await refused("logs.tail", {})).toBe("FORBIDDEN: missing scope: operator.admin");
    // What it may do still works, and the request it tried to approve is still pending.
    expect(await refused("sessions.list", {})).toBe("allowed");
    expect((await pending()).some((r) => r.senderId === "5151")).toBe(true);
    reader.close();
    admin.close();
  });

  it("shows devices, the security audit with fixes, the gateway status, and a filtered live log", async () => {
    const page = await openControlUi(browser, gw, { hash: "#tab=devices" });
    await page.locator("#devices-h").waitFor();
    await page.locator("#node-list").waitFor({ state: "attached" });
    await screenshot(page, "devices-desktop");
    await page.click("#tab-security");
    await page.locator("#findings li").first().waitFor();
    expect(await page.locator("#findings li .fix").first().textContent()).toMatch(/^Fix: ./);
    await page.locator("#status-table").waitFor();
    expect(await page.textContent("#status-table")).toContain("telegram/default: running");
    expect(await page.textContent("#status-table")).toContain("main: mock/mock-model");
    expect(await page.textContent("#status-table")).not.toContain(MODEL_KEY);
    await screenshot(page, "security-desktop");
    await page.click("#tab-logs");
    await page.locator("#log-lines li").first().waitFor();
    expect(await page.textContent("#log-lines")).toContain("gateway");
    expect(await page.textContent("#log-lines")).not.toContain(MODEL_KEY);
    await page.selectOption("#log-level", "error");
    await expect.poll(() => page.locator("#log-lines li.lvl-info").count()).toBe(0);
    await page.selectOption("#log-level", "info");
    await screenshot(page, "logs-desktop");
    await page.context().close();
  });

  it("works at 390 px wide in light and dark, with nothing wider than the screen", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      const page = await openControlUi(browser, gw, { context: { ...PHONE, colorScheme } });
      await page.locator("#messages li").first().waitFor();
      await expectFits(page);
      await screenshot(page, `mobile-${colorScheme}-chat`);
      for (const tab of ["approvals", "pairing", "devices", "channels", "security", "logs"]) {
        await page.click(`#tab-${tab}`);
        await page.locator(`#${tab}-h`).waitFor();
        await page.waitForTimeout(300);
        await expectFits(page);
        await screenshot(page, `mobile-${colorScheme}-${tab}`);
      }
      await page.context().close();
    }
  }, 60_000);

  it("is usable by keyboard alone, and every control has an accessible name", async () => {
    const page = await openControlUi(browser, gw, { hash: "#tab=chat&session=agent%3Amain%3Akeys" });
    for (let i = 0; i < 40 && (await page.evaluate("document.activeElement?.id")) !== "input"; i++)
      await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement?.id")).toBe("input");
    await page.keyboard.type("typed by keyboard");
    await page.keyboard.press("Enter");
    await page.locator("#messages li.assistant[data-final='true']", { hasText: "echo: typed by keyboard" }).waitFor();
    for (const tab of ["chat", "approvals", "pairing", "devices", "channels", "security", "logs"]) {
      await page.click(`#tab-${tab}`);
      await page.waitForTimeout(200);
      expect(await page.evaluate(UNNAMED_CONTROLS), tab).toEqual([]);
    }
    await page.context().close();
  });
});

/** Page script: the interactive elements without an accessible name (label, aria-label or text). */
const UNNAMED_CONTROLS = `[...document.querySelectorAll("button, a[href], input, textarea, select, summary")]
  .filter((el) => !(el.getAttribute("aria-label") || el.textContent.trim() || (el.id && document.querySelector('label[for="' + el.id + '"]'))))
  .map((el) => el.outerHTML.slice(0, 80))`;

async function expectFits(page: Page): Promise<void> {
  expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
}
