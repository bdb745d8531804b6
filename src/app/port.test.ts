import { describe, expect, it } from "vitest";
import { thrownCode as codeOf } from "../../test/support/errors.js";
import { Port } from "./port.js";

describe("Port", () => {
  it("refuses use before it is bound, and binding twice", () => {
    const p = new Port<{ n: number }>("test");
    expect(codeOf(() => p.get())).toBe("HF_STAGE_UNBOUND");
    expect(codeOf(() => p.seal())).toBe("HF_STAGE_UNBOUND");
    p.bind({ n: 1 });
    expect(p.get().n).toBe(1);
    expect(codeOf(() => p.bind({ n: 2 }))).toBe("HF_STAGE_UNBOUND");
  });

  it("refuses a bind after it was sealed at start", () => {
    const p = new Port<number>("test");
    p.bind(1);
    p.seal();
    expect(codeOf(() => p.bind(2))).toBe("HF_STAGE_STARTED");
  });
});
