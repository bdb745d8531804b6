import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { guardOutboundText, StreamLeakGuard, WITHHELD_NOTICE } from "./outbound.js";
import { SecretsSnapshot } from "./snapshot.js";

const view = (...values: string[]) => new SecretsSnapshot(new Map(values.map((v, i) => [`s${i}`, v])));

/** Streams `text` through a guard in the given chunk sizes; returns what was published, then the final. */
function stream(text: string, cuts: number[], secrets: SecretsSnapshot) {
  const guard = new StreamLeakGuard(secrets);
  let published = "";
  let at = 0;
  for (const n of cuts) {
    at = Math.min(text.length, at + n);
    const r = guard.push(text.slice(0, at));
    if (!r.blocked) {
      expect(r.publish.startsWith(published)).toBe(true);
      published = r.publish;
    }
  }
  return { published, final: guard.finish(text) };
}

describe("outbound leak scan", () => {
  it("blocks a whole reply that contains a configured secret, in any letter case", () => {
    const s = view("Sup3rSecretToken-xyz");
    expect(guardOutboundText("here: sup3rsecrettoken-XYZ ok", s)).toEqual({ text: WITHHELD_NOTICE, blocked: true });
    expect(guardOutboundText("nothing here", s)).toEqual({ text: "nothing here", blocked: false });
  });

  it("never publishes any part of a secret while streaming (property)", () => {
    const secretArb = fc.string({ minLength: 4, maxLength: 40 }).filter((s) => s.toLowerCase().length === s.length);
    fc.assert(
      fc.property(
        secretArb,
        fc.string({ maxLength: 60 }),
        fc.string({ maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 40 }),
        (secret, before, after, cuts) => {
          const text = before + secret + after;
          const { published, final } = stream(text, [...cuts, text.length], view(secret));
          const first = text.toLowerCase().indexOf(secret.toLowerCase());
          expect(published.length).toBeLessThanOrEqual(first);
          expect(final).toEqual({ text: WITHHELD_NOTICE, blocked: true });
        },
      ),
    );
  });

  it("publishes everything of a reply without secrets (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 80 }),
        fc.array(fc.integer({ min: 1, max: 10 }), { maxLength: 20 }),
        (text, cuts) => {
          fc.pre(!text.toLowerCase().includes("zq-canary-77"));
          const { published, final } = stream(text, [...cuts, text.length], view("zq-canary-77"));
          expect(text.startsWith(published)).toBe(true);
          expect(final).toEqual({ text, blocked: false });
        },
      ),
    );
  });
});
