import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Outbox, type OutboxEntry, type OutboxTransport, type SendAck } from "./outbox.js";

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(k: string) {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.items.set(k, v);
  }
}

const DROP = new Error("dropped");

/** A transport whose answers are scripted: "ok", "drop" (no answer), or "refuse". */
function scripted(outcomes: ("ok" | "drop" | "refuse")[]) {
  const sent: string[] = [];
  const transport: OutboxTransport = {
    async send(e: OutboxEntry): Promise<SendAck> {
      sent.push(e.idempotencyKey);
      const o = outcomes.shift() ?? "ok";
      if (o === "drop") throw DROP;
      if (o === "refuse") throw new Error("refused: storage full");
      return { runId: `run-${e.idempotencyKey}` };
    },
    isDisconnect: (err) => err === DROP,
  };
  return { sent, transport };
}

function outbox(storage: MemoryStorage, transport: OutboxTransport) {
  const acked: string[] = [];
  const box = new Outbox(storage, transport, { onChange: () => {}, onAck: (e) => acked.push(e.idempotencyKey) });
  return { box, acked };
}

const msg = (k: string) => ({ idempotencyKey: k, sessionKey: "agent:main:main", text: `text ${k}`, createdAt: 1 });

describe("outbox", () => {
  it("keeps a message pending when the connection drops and sends it again with the same key", async () => {
    const { sent, transport } = scripted(["drop", "ok"]);
    const { box, acked } = outbox(new MemoryStorage(), transport);
    box.add(msg("a"));
    await box.flush();
    expect(box.list().map((e) => e.state)).toEqual(["pending"]);
    await box.flush();
    expect(sent).toEqual(["a", "a"]);
    expect(acked).toEqual(["a"]);
    expect(box.list()).toEqual([]);
  });

  it("marks a refused message failed with the reason, and retries it with its original key", async () => {
    const { sent, transport } = scripted(["refuse", "ok"]);
    const { box, acked } = outbox(new MemoryStorage(), transport);
    box.add(msg("a"));
    await box.flush();
    expect(box.list()[0]).toMatchObject({ state: "failed", error: "refused: storage full" });
    box.retry("a");
    await box.flush();
    expect(sent).toEqual(["a", "a"]);
    expect(acked).toEqual(["a"]);
  });

  it("survives a reload: queued messages come back pending from storage", async () => {
    const storage = new MemoryStorage();
    const first = outbox(storage, scripted(["drop"]).transport);
    first.box.add(msg("a"));
    await first.box.flush();
    const { sent, transport } = scripted(["ok"]);
    const second = outbox(storage, transport);
    expect(second.box.list().map((e) => e.idempotencyKey)).toEqual(["a"]);
    await second.box.flush();
    expect(sent).toEqual(["a"]);
    expect(second.acked).toEqual(["a"]);
  });

  it("acknowledges each message exactly once, in order, whatever the drops (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.constantFrom<"ok" | "drop">("ok", "drop"), { maxLength: 30 }),
        async (n, outcomes) => {
          const { sent, transport } = scripted([...outcomes]);
          const { box, acked } = outbox(new MemoryStorage(), transport);
          const keys = Array.from({ length: n }, (_, i) => `k${i}`);
          for (const k of keys) box.add(msg(k));
          for (let i = 0; i < outcomes.length + n + 1 && box.list().length; i++) await box.flush();
          expect(acked).toEqual(keys);
          expect(new Set(sent)).toEqual(new Set(keys));
          // A key is sent again only after the previous attempt got no answer.
          expect(sent.length).toBe(n + sent.filter((_, i) => outcomes[i] === "drop").length);
        },
      ),
    );
  });
});
