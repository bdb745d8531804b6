import fc from "fast-check";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { mountBlueBubblesWebhook, webhookPathMatches } from "./webhook-route.js";

const BASE = "/bluebubbles-webhook";
const PATH = `${BASE}/k3J9x-Qw2_Lm8Np4Rt6Vy1Zb5Cd7Fg0H`;

function route() {
  const delivered: unknown[] = [];
  let refused = 0;
  const app = new Hono();
  mountBlueBubblesWebhook(app, {
    basePath: BASE,
    path: PATH,
    ready: () => true,
    deliver: (b) => delivered.push(b) > 0,
    refused: () => void refused++,
  });
  return { app, delivered, refused: () => refused };
}

/** A body that records whether anyone read it. */
function watchedBody(): { body: ReadableStream<Uint8Array>; read: () => boolean } {
  let pulled = false;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(c) {
        pulled = true;
        c.enqueue(new TextEncoder().encode(JSON.stringify({ type: "new-message", data: {} })));
        c.close();
      },
    },
    { highWaterMark: 0 },
  );
  return { body, read: () => pulled };
}

describe("BlueBubbles webhook secret path", () => {
  it("matches exactly the configured path and nothing else; a blank path never (property)", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => webhookPathMatches(a, b) === (a === b && a !== "")),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (s) => {
        expect(webhookPathMatches(PATH + s, PATH)).toBe(false);
        expect(webhookPathMatches(PATH.slice(0, -1), PATH)).toBe(false);
      }),
    );
  });

  it("answers 404 to every other path under the base before reading the body, and delivers nothing (property)", async () => {
    const { app, delivered, refused } = route();
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/), async (secret) => {
        fc.pre(`${BASE}/${secret}` !== PATH);
        const watched = watchedBody();
        const res = await app.request(`${BASE}/${secret}`, {
          method: "POST",
          body: watched.body,
          headers: { "content-type": "application/json" },
          duplex: "half",
        } as RequestInit);
        expect(res.status).toBe(404);
        expect(watched.read()).toBe(false);
      }),
      { numRuns: 100 },
    );
    expect(delivered).toEqual([]);
    expect(refused()).toBeGreaterThan(0);
  });

  it("takes a webhook on the exact path, and refuses bodies that are not JSON objects", async () => {
    const { app, delivered } = route();
    const post = (body: string) => app.request(PATH, { method: "POST", body });
    expect((await post(JSON.stringify({ type: "new-message", data: { guid: "X" } }))).status).toBe(200);
    expect((await post("[1]")).status).toBe(400);
    expect((await post("nope")).status).toBe(400);
    expect(delivered).toEqual([{ type: "new-message", data: { guid: "X" } }]);
    expect((await app.request(PATH, { method: "GET" })).status).toBe(404);
  });
});
