import { describe, expect, it } from "vitest";
import { allow, deny, type Decision } from "./decision.js";

type MentionDecision = Decision<"mentioned" | "reply_to_bot", "mention_required">;

describe("decisions", () => {
  it("carry the reason and, for refusals, the detail", () => {
    expect(allow("mentioned")).toEqual({ allow: true, reason: "mentioned" });
    expect(deny("mention_required")).toEqual({ allow: false, reason: "mention_required" });
    expect(deny("mention_required", "groups.-100.requireMention")).toEqual({
      allow: false,
      reason: "mention_required",
      detail: "groups.-100.requireMention",
    });
  });

  it("keep allow reasons and deny reasons apart at compile time (checked by tsc)", () => {
    const decide = (mentioned: boolean): MentionDecision => (mentioned ? allow("mentioned") : deny("mention_required"));
    // @ts-expect-error mention_required is a reason to refuse, never to admit
    const admitted: MentionDecision = allow("mention_required");
    // @ts-expect-error mentioned is a reason to admit, never to refuse
    const refused: MentionDecision = deny("mentioned");
    // @ts-expect-error a reason the stage does not declare
    const unknown: MentionDecision = allow("open_sesame");
    const d = decide(false);
    if (!d.allow) {
      // @ts-expect-error a refusal's reason is a deny reason
      const reason: "mentioned" = d.reason;
      expect(reason).toBe("mention_required");
    }
    expect([decide(true).allow, admitted.allow, refused.allow, unknown.allow]).toEqual([true, true, false, true]);
  });
});
