import { describe, expect, it } from "vitest";
import { ERROR_CATALOGUE, HoldfastError, type ErrorCode } from "../../errors/index.js";
import { invalidParams, toWireError } from "./wire-errors.js";

describe("wire errors", () => {
  it("sends a HoldfastError with the wire code its catalogue entry names and its code in details", () => {
    expect(toWireError(new HoldfastError("HF_SESSION_NOT_FOUND", "no session agent:main:x"))).toEqual({
      code: "NOT_FOUND",
      message: "no session agent:main:x",
      details: { code: "HF_SESSION_NOT_FOUND" },
    });
    for (const code of Object.keys(ERROR_CATALOGUE) as ErrorCode[]) {
      const wire = toWireError(new HoldfastError(code, "m"));
      expect([code, wire.code]).toEqual([code, ERROR_CATALOGUE[code].wire]);
    }
  });

  it("never sends the message of an unexpected error or a bug", () => {
    const internal = { code: "INTERNAL", message: "internal error" };
    expect(toWireError(new Error("ENOENT /home/u/.holdfast/secret"))).toEqual(internal);
    expect(toWireError(new HoldfastError("HF_INTERNAL", "gateway method x registered twice"))).toEqual(internal);
    expect(toWireError("thrown string")).toEqual(internal);
  });

  it("names each bad param under INVALID_REQUEST / INVALID_PARAMS", () => {
    expect(invalidParams("chat.send", [{ path: ["sessionKey"], message: "Required" }])).toEqual({
      code: "INVALID_REQUEST",
      message: "invalid params: chat.send.sessionKey: Required",
      details: { code: "INVALID_PARAMS", fields: ["chat.send.sessionKey: Required"] },
    });
  });

  const SECRET = "wire-secret-value-0123456789";
  const mask = (t: string) => t.replaceAll(SECRET, "wire-s…6789");

  it("masks secrets in a HoldfastError's message with the injected redactor and keeps its code", () => {
    expect(toWireError(new HoldfastError("HF_CLI_USAGE", `bad ${SECRET}`), mask)).toEqual({
      code: "INVALID_REQUEST",
      message: "bad wire-s…6789",
      details: { code: "HF_CLI_USAGE" },
    });
  });

  it("masks secrets in the field messages of bad params", () => {
    const err = invalidParams("chat.send", [{ path: ["message"], message: `not ${SECRET}` }], mask);
    expect(err.message).toBe("invalid params: chat.send.message: not wire-s…6789");
    expect(JSON.stringify(err)).not.toContain(SECRET);
  });
});
