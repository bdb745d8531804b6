import { describe, expect, it } from "vitest";
import { redactSecrets } from "./exec-audit.js";

describe("audit redaction", () => {
  it.each([
    ["curl -H 'Authorization: Bearer abcdefghijklmnop' x", "Bearer ***"],
    ["tool --password hunter2 --api-key=abc123", "--password *** --api-key=***"],
    ["GITHUB_TOKEN=ghp_aaaaaaaaaaaaaaaaaaaaaaaa run", "GITHUB_TOKEN=*** run"],
    ["echo sk-abcdefghijklmnopqrstuvwx", "echo ***"],
    ["git clone https://user:pw@host/r", "https://***@host/r"],
    ["echo supersecretvalue", "echo ***"],
  ])("masks %j", (input, expected) => {
    expect(redactSecrets(input, ["supersecretvalue"])).toContain(expected);
  });
});
