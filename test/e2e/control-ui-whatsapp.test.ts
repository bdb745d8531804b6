import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../support/browser.js";
import { openControlUi, screenshot } from "../support/control-ui.js";
import { jidOf } from "../support/fake-baileys.js";
import { makeStateDir, mockModelConfig } from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";
import { spawnWhatsAppGateway, type WhatsAppGateway } from "../support/whatsapp-gateway.js";

const FRIEND = { number: "+15557770003", name: "Friend" };

/**
 * The Control UI's "link device" view in Chromium against a real gateway process whose WhatsApp
 * sockets come from the fake of WhatsApp: button → QR image (rotating) → linked, the account running
 * without a restart, and a message reaching the agent; an expired QR shows its reason.
 */
describe("Control UI: linking a WhatsApp device", () => {
  let mock: MockModelServer;
  let wa: WhatsAppGateway;
  let browser: Browser;

  beforeAll(async () => {
    mock = await startMockModelServer();
    const stateDir = await makeStateDir({
      ...mockModelConfig(mock.url),
      channels: {
        whatsapp: { dmPolicy: "allowlist", accounts: { work: { allowFrom: [FRIEND.number] }, spare: {} } },
      },
    });
    wa = await spawnWhatsAppGateway(stateDir);
    browser = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await wa?.gw.stop();
    await mock?.close();
  });

  it("shows the QR, follows its rotation, says linked after the scan, and the account then answers", async () => {
    const page = await openControlUi(browser, wa.gw, { hash: "#tab=channels" });
    const work = page.locator("li[data-account='whatsapp/work']");
    await work.locator(".account-state", { hasText: "failed" }).waitFor();
    await work.locator("button.link-device").click();
    const qr = page.locator("#wa-qr");
    await qr.waitFor();
    const first = await qr.getAttribute("src");
    expect(first).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(
      await page.evaluate(
        "(() => { const i = document.querySelector('#wa-qr'); return i.complete && i.naturalWidth > 0; })()",
      ),
    ).toBe(true);
    await screenshot(page, "whatsapp-link-qr");
    await wa.rotateQr();
    for (let i = 0; i < 100 && (await qr.getAttribute("src")) === first; i++) await page.waitForTimeout(100);
    expect(await qr.getAttribute("src")).not.toBe(first);
    await wa.scan();
    await page.locator("#wa-link[data-state='linked']").waitFor();
    expect(await page.textContent("#wa-link-message")).toContain('as account "work"');
    await page.locator("li[data-account='whatsapp/work'][data-state='running']").waitFor({ timeout: 15_000 });
    expect(await work.textContent()).toContain("+15550000001");
    await screenshot(page, "whatsapp-link-linked");
    await wa.userSends({ from: FRIEND, text: "hi from the phone" });
    for (let i = 0; i < 100; i++) {
      if ((await wa.sent()).some((m) => m.jid === jidOf(FRIEND.number) && m.text === "echo: hi from the phone")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await wa.sent()).map((m) => m.text)).toContain("echo: hi from the phone");
    await page.context().close();
  });

  it("shows why linking failed when the QR expires, and offers to try again", async () => {
    const page = await openControlUi(browser, wa.gw, { hash: "#tab=channels" });
    await page.locator("li[data-account='whatsapp/spare'] button.link-device").click();
    await page.locator("#wa-qr").waitFor();
    await wa.qrExpires();
    await page.locator("#wa-link[data-state='failed']").waitFor();
    expect(await page.textContent("#wa-link-message")).toContain("not scanned in time");
    await screenshot(page, "whatsapp-link-failed");
    await page.click("#wa-link-retry");
    await page.locator("#wa-qr").waitFor();
    await page.context().close();
  });
});
