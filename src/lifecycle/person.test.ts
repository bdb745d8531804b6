import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../sessions/index.js";
import { personMessages, resolvePerson } from "./person.js";

const user = (id: string, content: string): ChatMessage => ({
  role: "user",
  content,
  timestamp: 1,
  sender: { channel: "telegram", id },
});
const reply = (content: string): ChatMessage => ({ role: "assistant", content, timestamp: 2 });

describe("privacy: who a person is and which messages are theirs", () => {
  it("parses <channel>:<id> and follows session.identityLinks", () => {
    const p = resolvePerson("Telegram:42", { ann: ["telegram:42", "discord:7"], bob: ["telegram:9"] });
    expect(p).toEqual({
      sender: "telegram:42",
      canonical: "ann",
      identities: [
        { channel: "telegram", id: "42" },
        { channel: "discord", id: "7" },
      ],
    });
    expect(resolvePerson("telegram:9").identities).toEqual([{ channel: "telegram", id: "9" }]);
    expect(() => resolvePerson("42")).toThrow(expect.objectContaining({ code: "HF_CLI_USAGE" }));
  });

  it("marks their messages and the replies to them, nobody else's", () => {
    const p = resolvePerson("telegram:1");
    const msgs = [user("2", "b1"), reply("r-b1"), user("1", "a1"), reply("r-a1"), user("2", "b2"), reply("r-b2")];
    expect(personMessages(msgs, p)).toEqual([false, false, true, true, false, false]);
  });

  it("property: no message of another sender (or a reply to one) is ever marked", () => {
    const msgArb = fc.oneof(
      fc.constantFrom("1", "2", "3").map((id) => user(id, `from ${id}`)),
      fc.constant(reply("reply")),
    );
    fc.assert(
      fc.property(fc.array(msgArb, { maxLength: 30 }), (msgs) => {
        const marks = personMessages(msgs, resolvePerson("telegram:1"));
        let lastSender: string | undefined;
        msgs.forEach((m, i) => {
          if (m.role === "user") lastSender = m.sender?.id;
          expect(marks[i]).toBe(lastSender === "1");
        });
      }),
    );
  });
});
