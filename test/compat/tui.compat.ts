import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientEnv, makeClientHome, startTerminal, type Terminal } from "./support/clients.js";
import { errorResponses, saveFrames, sentMethods, startCompatEnv, type CompatEnv } from "./support/compat-env.js";

describe("openclaw tui against holdfast (driven through tmux)", () => {
  let env: CompatEnv;
  let term: Terminal | undefined;

  beforeAll(async () => {
    env = await startCompatEnv();
  });

  afterAll(async () => {
    await term?.close();
    await saveFrames("tui", env?.recorder, [env?.token]);
    await env?.stop();
  });

  it("connects, subscribes to session events, and shows the model's reply to a typed message", async () => {
    const home = await makeClientHome("tui");
    const { clients } = env;
    term = await startTerminal(
      [clients.node, clients.openclaw, "tui", "--url", env.recorder.url, "--token", env.token],
      clientEnv(clients, home),
    );
    await term.waitFor(/connected \| idle/, 60_000);
    await term.type("hello from the tui");
    const screen = await term.waitFor(/echo: hello from the tui/, 60_000);
    expect(screen).toMatch(/hello from the tui/);
    const sent = sentMethods(env.recorder.frames);
    expect(sent).toContain("sessions.subscribe");
    expect(sent).toContain("chat.send");
    // Whatever else the TUI asked for was answered: nothing it needs is missing.
    const failed = errorResponses(env.recorder.frames).filter((e) =>
      ["sessions.subscribe", "chat.send", "chat.history", "agents.list", "sessions.list", "sessions.describe"].includes(
        e.method,
      ),
    );
    expect(failed).toEqual([]);
  });
});
