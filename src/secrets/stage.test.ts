import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, resolvePaths } from "../config/index.js";
import { GatewayHub } from "../gateway/index.js";
import { Redactor, silentLogger } from "../logging/index.js";
import { noSecurityTrail } from "../trail/index.js";
import { WITHHELD_NOTICE } from "./outbound.js";
import type { GuardedEvent, GuardedRunEvent } from "./run-guard.js";
import { SecretsRuntime } from "./runtime.js";
import { SecretsSnapshot } from "./snapshot.js";
import { createSecretsStage } from "./stage.js";
import { privateTmp } from "./test-helpers.fixture.js";

const SECRET = "wire-secret-value-0123456789";

async function stage() {
  const dir = await privateTmp();
  const paths = resolvePaths({ HOLDFAST_STATE_DIR: dir });
  await writeFile(path.join(dir, "holdfast.json"), JSON.stringify({ gateway: { auth: { token: SECRET } } }), {
    mode: 0o600,
  });
  const secrets = new SecretsRuntime(new SecretsSnapshot(new Map([["gateway.auth.token", SECRET]])));
  const reloads: number[] = [];
  secrets.onSwap(() => reloads.push(secrets.version));
  const redactor = new Redactor({ secrets });
  const hub = new GatewayHub();
  const stage = createSecretsStage({
    runtime: secrets,
    redact: (t) => redactor.redact(t),
    configPath: paths.configPath,
    loaded: await loadConfig(paths.configPath, {}),
    env: {},
    log: silentLogger(),
    gateway: hub,
    trail: noSecurityTrail,
  });
  return { dir, secrets, redactor, reloads, hub, stage };
}

const ev = (runId: string, event: GuardedEvent): GuardedRunEvent => ({ runId, sessionKey: "agent:main:main", event });

describe("secrets stage", () => {
  it("answers config.get read-only with every secret redacted, for operator.admin only", async () => {
    const { hub } = await stage();
    const def = hub.methods.get("config.get");
    expect(def?.scope).toBe("operator.admin");
    const out = (await def?.handler({}, {} as never)) as { raw: string; config: unknown; runtimeConfig: unknown };
    expect(out.config).toEqual({ gateway: { auth: { token: "__HOLDFAST_REDACTED__" } } });
    expect(out.runtimeConfig).toEqual(out.config);
    expect(JSON.stringify(out)).not.toContain(SECRET);
    expect(hub.methods.get("config.set")).toBeUndefined();
  });

  it("streams only the safe part of a reply and replaces a leaking reply with the notice", async () => {
    const { stage: s } = await stage();
    const text = `token is ${SECRET}, done`;
    const out: GuardedRunEvent[] = [];
    for (const cut of [6, 12, 20, text.length])
      out.push(...s.guardRunEvent(ev("r1", { type: "delta", text: "", accumulated: text.slice(0, cut) })));
    const published = out.flatMap((e) => (e.event.type === "delta" ? [e.event.text] : [])).join("");
    expect(published).toBe("token is ");
    expect(s.guardRunEvent(ev("r1", { type: "final", text })).map((e) => e.event)).toMatchObject([
      { type: "final", text: WITHHELD_NOTICE },
    ]);
    expect(s.guardRunEvent(ev("r2", { type: "final", text: "harmless" }))[0]?.event).toMatchObject({
      text: "harmless",
    });
    const err = s.guardRunEvent(ev("r3", { type: "error", message: `failed with ${SECRET}` }))[0]?.event;
    expect(err?.type === "error" && err.message).not.toContain(SECRET);
  });

  it("guards each model call's text of a run, and keeps a run blocked once a secret showed up", async () => {
    const { stage: s } = await stage();
    const texts = (events: readonly GuardedRunEvent[]) =>
      events.flatMap((e) => (e.event.type === "delta" ? [e.event.text] : []));
    const first = s.guardRunEvent(ev("r4", { type: "delta", text: "", accumulated: "Let me look." }));
    const second = ["Found", "Found it: ok"].flatMap((a) =>
      s.guardRunEvent(ev("r4", { type: "delta", text: "", accumulated: a })),
    );
    expect(texts(first)).toEqual(["Let me look."]);
    // A tail that could begin some form of the secret (plain, reversed, hex, base64) waits for the next chunk.
    expect(texts(second).join("")).toBe("Found it: ok");
    expect(s.guardRunEvent(ev("r4", { type: "final", text: "Found it: ok" })).at(-1)?.event).toMatchObject({
      text: "Found it: ok",
    });
    s.guardRunEvent(ev("r5", { type: "delta", text: "", accumulated: `first call ${SECRET}` }));
    expect(s.guardRunEvent(ev("r5", { type: "delta", text: "", accumulated: "second call" }))).toEqual([]);
    expect(s.guardRunEvent(ev("r5", { type: "final", text: "second call" })).map((e) => e.event)).toMatchObject([
      { text: WITHHELD_NOTICE },
    ]);
  });

  it("masks a tool step's arguments and withholds a result holding a secret", async () => {
    const { stage: s } = await stage();
    const start = s.guardRunEvent(ev("r6", { type: "tool", args: { command: `echo ${SECRET}`, n: 2 } }))[0]?.event;
    expect(start).toMatchObject({ type: "tool", args: { n: 2 } });
    expect(JSON.stringify(start)).not.toContain(SECRET);
    const end = s.guardRunEvent(ev("r6", { type: "tool", result: `printed ${SECRET}` }))[0]?.event;
    expect(end).toMatchObject({ type: "tool", result: WITHHELD_NOTICE });
    expect(s.guardRunEvent(ev("r6", { type: "tool", result: "plain" }))[0]?.event).toMatchObject({ result: "plain" });
  });

  it("sends the tail held back while streaming as a last delta, so the deltas add up to the final text", async () => {
    const { stage: s } = await stage();
    // Every prefix of the secret is held back: a reply ending with one streams short until its final.
    const text = `the answer is ${SECRET.slice(0, 5)}`;
    const seqd = (seq: number, event: GuardedEvent) => ({ ...ev("r7", event), seq });
    const sent = [
      ...s.guardRunEvent(seqd(1, { type: "delta", text: "", accumulated: "the answer" })),
      ...s.guardRunEvent(seqd(2, { type: "delta", text: "", accumulated: text })),
      ...s.guardRunEvent(seqd(3, { type: "delta", text: "", accumulated: text })),
      ...s.guardRunEvent(seqd(4, { type: "final", text })),
    ];
    const deltas = sent.flatMap((e) => (e.event.type === "delta" ? [e.event.text] : []));
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe(text);
    expect(sent.at(-1)?.event).toMatchObject({ type: "final", text });
    expect(sent.map((e) => e.seq)).toEqual(sent.map((_, i) => i + 1));
  });

  it("sends the held tail of a failed run's partial text too, unless it leaks", async () => {
    const { stage: s } = await stage();
    const partial = `half a reply ${SECRET.slice(0, 4)}`;
    const shown = [
      ...s.guardRunEvent(ev("r8", { type: "delta", text: "", accumulated: partial })),
      ...s.guardRunEvent(ev("r8", { type: "error", message: "stalled", partialText: partial })),
    ];
    expect(shown.flatMap((e) => (e.event.type === "delta" ? [e.event.text] : [])).join("")).toBe(partial);
    expect(shown.at(-1)?.event).toMatchObject({ type: "error", message: "stalled" });
    const leaking = `half a reply ${SECRET}`;
    s.guardRunEvent(ev("r9", { type: "delta", text: "", accumulated: "half a reply " }));
    const failed = s.guardRunEvent(ev("r9", { type: "error", message: "stalled", partialText: leaking }));
    expect(failed.map((e) => e.event.type)).toEqual(["error"]);
    expect(JSON.stringify(failed)).not.toContain(SECRET);
  });

  it("withholds a reply kept in a transcript the same way, without logging", async () => {
    const { stage: s } = await stage();
    expect(s.withholdReply(`the token is ${SECRET}`)).toBe(WITHHELD_NOTICE);
    expect(s.withholdReply("nothing to hide")).toBe("nothing to hide");
  });

  it("withholds a channel text holding a secret and passes others", async () => {
    const { stage: s } = await stage();
    expect(s.guardOutbound(`here: ${SECRET}`)).toBe(WITHHELD_NOTICE);
    expect(s.guardOutbound("harmless")).toBe("harmless");
  });

  it("registers secrets.reload with the gateway (admin scope)", async () => {
    const { hub } = await stage();
    expect(hub.methods.get("secrets.reload")?.scope).toBe("operator.admin");
  });

  it("reloads from the config on disk, tells the listeners, and keeps the old snapshot on failure", async () => {
    const { dir, secrets, redactor, reloads, stage: s } = await stage();
    await writeFile(
      path.join(dir, "holdfast.json"),
      JSON.stringify({ gateway: { auth: { token: "$ROTATED_TOKEN" } } }),
    );
    await expect(s.reload()).rejects.toThrow(/gateway\.auth\.token SecretRef is unresolved/);
    expect(secrets.get("gateway.auth.token")).toBe(SECRET);
    await writeFile(
      path.join(dir, "holdfast.json"),
      JSON.stringify({ gateway: { auth: { token: "rotated-token-value-abcdef" } } }),
    );
    expect(await s.reload()).toMatchObject({ ok: true, changed: ["gateway.auth.token"] });
    expect(secrets.get("gateway.auth.token")).toBe("rotated-token-value-abcdef");
    expect(reloads).toEqual([1]);
    expect(redactor.redact(SECRET)).not.toContain(SECRET);
  });
});
