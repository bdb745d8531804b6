import { describe, expect, it } from "vitest";
import { HoldfastError } from "../../errors/index.js";
import { invalidParams, toWireError } from "./wire-errors.js";

const SECRET = "wire-secret-value-0123456789";
const mask = (t: string) => t.replaceAll(SECRET, "wire-s…6789");

describe("wire errors", () => {
  it("masks secrets in a HoldfastError's message with the injected redactor and keeps its code", () => {
    expect(toWireError(new HoldfastError("HF_CLI_USAGE", `bad ${SECRET}`), mask)).toEqual({
      code: "INVALID_REQUEST",
      message: "bad wire-s…6789",
      details: { code: "HF_CLI_USAGE" },
    });
  });

  it("never sends the text of an unexpected error", () => {
    expect(toWireError(new Error(`boom ${SECRET}`), mask)).toEqual({ code: "INTERNAL", message: "internal error" });
  });

  it("masks secrets in the field messages of bad params", () => {
    const err = invalidParams("chat.send", [{ path: ["message"], message: `not ${SECRET}` }], mask);
    expect(err.message).toBe("invalid params: chat.send.message: not wire-s…6789");
    expect(JSON.stringify(err)).not.toContain(SECRET);
  });
});
