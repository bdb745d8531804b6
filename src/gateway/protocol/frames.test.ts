import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eventFrame, eventFrameJson } from "./frames.js";

describe("event frames", () => {
  it("property: a frame from an already serialized payload is the same text as one serialized whole", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.option(fc.jsonValue(), { nil: undefined }),
        fc.option(fc.nat(), { nil: undefined }),
        (event, payload, seq) => {
          const whole = JSON.stringify(
            seq === undefined ? { type: "event", event, payload } : { type: "event", event, payload, seq },
          );
          expect(eventFrameJson(event, JSON.stringify(payload), seq)).toBe(whole);
          expect(eventFrame(event, payload, seq)).toBe(whole);
          expect(JSON.parse(whole)).toEqual(JSON.parse(eventFrame(event, payload, seq)));
        },
      ),
    );
  });
});
