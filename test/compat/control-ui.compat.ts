import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { launchChromium } from "../support/browser.js";
import { serveStatic, type StaticSite } from "./support/clients.js";
import { errorResponses, saveFrames, sentMethods, startCompatEnv, type CompatEnv } from "./support/compat-env.js";

/** Opens the Control UI from `origin`, pointed at the gateway (through the recorder) with the token. */
async function openControlUi(page: Page, origin: string, env: CompatEnv): Promise<void> {
  await page.goto(`${origin}/?gatewayUrl=${encodeURIComponent(env.recorder.url)}#token=${env.token}`);
  // The UI asks before it connects to a gateway other than its own origin.
  await page.getByRole("button", { name: /Switch to/ }).click({ timeout: 30_000 });
}

describe("the OpenClaw Control UI against holdfast (Debian Chromium)", () => {
  let env: CompatEnv;
  let browser: Browser;
  let other: StaticSite | undefined;

  beforeAll(async () => {
    env = await startCompatEnv({
      script: (req) => ({ text: `echo: ${req.messages.at(-1)?.content ?? ""}`, chunkDelayMs: 30 }),
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await other?.close();
    await env?.stop();
  });

  it("connects from an allowed origin, sends a message and shows the streamed reply", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    onTestFinished(() => saveFrames("control-ui", env.recorder, [env.token]).then(() => undefined));
    await openControlUi(page, env.controlUi.origin, env);
    const composer = page.getByLabel("Chat composer");
    await composer.waitFor({ timeout: 60_000 });
    await composer.fill("hello from the browser");
    await page.keyboard.press("Enter");
    await page.getByText("echo: hello from the browser").first().waitFor({ timeout: 60_000 });
    const sent = sentMethods(env.recorder.frames);
    expect(sent).toContain("chat.send");
    const essential = ["chat.send", "chat.startup", "sessions.list", "sessions.subscribe", "agents.list", "config.get"];
    expect(errorResponses(env.recorder.frames).filter((e) => essential.includes(e.method))).toEqual([]);
    // Unknown methods get the reference's error, never a crash or a silent drop.
    for (const e of errorResponses(env.recorder.frames))
      expect((e.error as { message: string }).message).toMatch(/^(unknown method: |missing scope: )/);
    await page.close();
  });

  it("config.get answers read-only with secrets redacted", async () => {
    const res = env.recorder.frames.find((f) => {
      const fr = f.frame as { ok?: boolean; payload?: { raw?: unknown } };
      return f.dir === "out" && fr.ok === true && fr.payload?.raw !== undefined;
    });
    expect(res).toBeDefined();
    const text = JSON.stringify(res?.frame);
    expect(text).not.toContain(env.token);
    expect(text).not.toContain("mock-key-not-secret");
  });

  it("a Control UI served from an origin that is not listed is refused", async () => {
    other = await serveStatic(env.clients.controlUi);
    const page = await browser.newPage();
    env.recorder.reset();
    await openControlUi(page, other.origin, env);
    await expect
      .poll(() => env.recorder.connections.find((c) => c.origin === other?.origin)?.closed?.code, { timeout: 30_000 })
      .toBe(1008);
    expect(sentMethods(env.recorder.frames).filter((m) => m !== "connect")).toEqual([]);
    await page.close();
  });
});
