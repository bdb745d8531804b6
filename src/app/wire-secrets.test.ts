import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { AgentEvent, RunEvent } from "../agent/index.js";
import { resolvePaths } from "../config/index.js";
import { HoldfastError } from "../errors/index.js";
import { toWireError } from "../gateway/index.js";
import { Redactor, silentLogger } from "../logging/index.js";
import { SecretsRuntime, SecretsSnapshot, WITHHELD_NOTICE } from "../secrets/index.js";
import { privateTmp } from "../secrets/test-helpers.fixture.js";
import type { AgentStage } from "./agent-wiring.js";
import type { AppContext } from "./context.js";
import { wireSecrets } from "./wire-secrets.js";

const SECRET = "wire-secret-value-0123456789";

async function stage() {
  const dir = await privateTmp();
  const paths = resolvePaths({ HOLDFAST_STATE_DIR: dir });
  await writeFile(path.join(dir, "holdfast.json"), JSON.stringify({ gateway: { auth: { token: SECRET } } }), {
    mode: 0o600,
  });
  const secrets = new SecretsRuntime(new SecretsSnapshot(new Map([["gateway.auth.token", SECRET]])));
  const reloads: number[] = [];
  const ctx = {
    paths,
    env: {},
    log: silentLogger(),
    secrets,
    redactor: new Redactor({ secrets }),
  } as unknown as AppContext;
  const agent = { catalog: { reload: () => reloads.push(secrets.version) } } as unknown as AgentStage;
  return { dir, ctx, reloads, stage: wireSecrets(ctx, agent) };
}

const ev = (runId: string, event: AgentEvent, seq = 1): RunEvent => ({
  runId,
  agentId: "main",
  sessionKey: "agent:main:main",
  seq,
  event,
});

describe("wireSecrets", () => {
  it("streams only the safe part of a reply and replaces a leaking reply with the notice", async () => {
    const { stage: s } = await stage();
    const text = `token is ${SECRET}, done`;
    const out: (RunEvent | undefined)[] = [];
    for (const cut of [6, 12, 20, text.length])
      out.push(s.guardRunEvent(ev("r1", { type: "delta", text: "", accumulated: text.slice(0, cut) })));
    const published = out.flatMap((e) => (e?.event.type === "delta" ? [e.event.text] : [])).join("");
    expect(published).toBe("token is ");
    expect(s.guardRunEvent(ev("r1", { type: "final", text, stopReason: "stop" }))?.event).toMatchObject({
      type: "final",
      text: WITHHELD_NOTICE,
    });
    expect(s.guardRunEvent(ev("r2", { type: "final", text: "harmless", stopReason: "stop" }))?.event).toMatchObject({
      text: "harmless",
    });
    const err = s.guardRunEvent(
      ev("r3", { type: "error", message: `failed with ${SECRET}`, code: "HF_TOOL_FAILED" }),
    )?.event;
    expect(err?.type === "error" && err.message).not.toContain(SECRET);
    s.stop();
  });

  it("guards each model call's text of a run, and keeps a run blocked once a secret showed up", async () => {
    const { stage: s } = await stage();
    const texts = (events: (RunEvent | undefined)[]) =>
      events.flatMap((e) => (e?.event.type === "delta" ? [e.event.text] : []));
    const first = [s.guardRunEvent(ev("r4", { type: "delta", text: "", accumulated: "Let me look." }))];
    const second = ["Found", "Found it: ok"].map((a) =>
      s.guardRunEvent(ev("r4", { type: "delta", text: "", accumulated: a })),
    );
    expect(texts(first)).toEqual(["Let me look."]);
    expect(texts(second)).toEqual(["Found", " it: ok"]);
    expect(s.guardRunEvent(ev("r4", { type: "final", text: "Found it: ok", stopReason: "stop" }))?.event).toMatchObject(
      { text: "Found it: ok" },
    );
    s.guardRunEvent(ev("r5", { type: "delta", text: "", accumulated: `first call ${SECRET}` }));
    expect(s.guardRunEvent(ev("r5", { type: "delta", text: "", accumulated: "second call" }))).toBeUndefined();
    expect(s.guardRunEvent(ev("r5", { type: "final", text: "second call", stopReason: "stop" }))?.event).toMatchObject({
      text: WITHHELD_NOTICE,
    });
    s.stop();
  });

  it("redacts error messages sent to clients until stopped", async () => {
    const { stage: s } = await stage();
    expect(toWireError(new HoldfastError("HF_CLI_USAGE", `bad ${SECRET}`)).message).toBe("bad wire-s…6789");
    s.stop();
    expect(toWireError(new HoldfastError("HF_CLI_USAGE", `bad ${SECRET}`)).message).toContain(SECRET);
  });

  it("reloads from the config on disk, tells the catalog, and keeps the old snapshot on failure", async () => {
    const { dir, ctx, reloads, stage: s } = await stage();
    await writeFile(
      path.join(dir, "holdfast.json"),
      JSON.stringify({ gateway: { auth: { token: "$ROTATED_TOKEN" } } }),
    );
    await expect(s.reload()).rejects.toThrow(/gateway\.auth\.token SecretRef is unresolved/);
    expect(ctx.secrets.get("gateway.auth.token")).toBe(SECRET);
    await writeFile(
      path.join(dir, "holdfast.json"),
      JSON.stringify({ gateway: { auth: { token: "rotated-token-value-abcdef" } } }),
    );
    expect(await s.reload()).toMatchObject({ ok: true, changed: ["gateway.auth.token"] });
    expect(ctx.secrets.get("gateway.auth.token")).toBe("rotated-token-value-abcdef");
    expect(reloads).toEqual([1]);
    expect(ctx.redactor.redact(SECRET)).not.toContain(SECRET);
    s.stop();
  });
});
