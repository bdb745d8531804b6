import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startFrameRecorder, type FrameRecorder, type RecordedFrame } from "../../support/frame-recorder.js";
import {
  makeStateDir,
  mockModelConfig,
  REPO_ROOT,
  spawnGateway,
  type GatewayProcess,
} from "../../support/gateway-process.js";
import { startMockModelServer, type MockModelServer, type MockScript } from "../../support/mock-model-server.js";
import { assertIsolatedNetwork, compatClients, serveStatic, type CompatClients, type StaticSite } from "./clients.js";

/** Everything one compat test file runs against. */
export interface CompatEnv {
  readonly clients: CompatClients;
  readonly mock: MockModelServer;
  readonly gw: GatewayProcess;
  readonly stateDir: string;
  readonly token: string;
  /** Recording proxy in front of the gateway; clients connect here. */
  readonly recorder: FrameRecorder;
  /** The Control UI build served from an origin listed in `gateway.controlUi.allowedOrigins`. */
  readonly controlUi: StaticSite;
  stop(): Promise<void>;
}

/** Default mock script: a short streamed echo, so every client sees deltas and a final. */
export const echoScript: MockScript = (req) => {
  const text = [...req.messages].reverse().find((m) => m.role === "user")?.content ?? "";
  return { text: `echo: ${text}`, chunkDelayMs: 15 };
};

/**
 * Starts the mock model, a real `holdfast gateway` (built from this checkout) with the mock as its
 * model and the Control UI's origin allowed, and the recording proxy. Checks first that the process
 * runs in the isolated compat namespace.
 */
export async function startCompatEnv(
  opts: { config?: Record<string, unknown>; env?: Record<string, string>; script?: MockScript } = {},
): Promise<CompatEnv> {
  await assertIsolatedNetwork();
  const clients = compatClients();
  const mock = await startMockModelServer({ script: opts.script ?? echoScript });
  const controlUi = await serveStatic(clients.controlUi);
  const gatewayConfig = (opts.config?.gateway as Record<string, unknown> | undefined) ?? {};
  const stateDir = await makeStateDir({
    ...mockModelConfig(mock.url),
    ...opts.config,
    gateway: { ...gatewayConfig, controlUi: { allowedOrigins: [controlUi.origin] } },
  });
  const gw = await spawnGateway(stateDir, { ...(opts.env ? { env: opts.env } : {}), timeoutMs: 30_000 });
  const recorder = await startFrameRecorder(gw.url);
  const token = await gw.token();
  return {
    clients,
    mock,
    gw,
    stateDir,
    token,
    recorder,
    controlUi,
    stop: async () => {
      await recorder.close();
      await gw.stop();
      await controlUi.close();
      await mock.close();
    },
  };
}

/** Replaces secrets and per-run identities in recorded frames so they can be committed. */
export function sanitizeFrames(frames: readonly RecordedFrame[], secrets: readonly string[]): RecordedFrame[] {
  let text = JSON.stringify(frames);
  for (const s of secrets) if (s) text = text.split(s).join("<token>");
  return JSON.parse(text) as RecordedFrame[];
}

/**
 * Stores the frames of one client run: into test/fixtures/compat/<name>.json when
 * `HOLDFAST_COMPAT_RECORD=1` (the fixtures the replay test uses), else into a temp dir for a look
 * after a failure. Returns the path written.
 */
export async function saveFrames(
  name: string,
  frames: readonly RecordedFrame[],
  secrets: readonly string[],
): Promise<string> {
  const dir =
    process.env.HOLDFAST_COMPAT_RECORD === "1"
      ? path.join(REPO_ROOT, "test/fixtures/compat")
      : path.join(os.tmpdir(), "holdfast-compat-frames");
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  await writeFile(file, `${JSON.stringify({ client: name, frames: sanitizeFrames(frames, secrets) }, null, 1)}\n`);
  return file;
}

/** Requests of a recording, by method (for assertions on what a client sent). */
export function sentMethods(frames: readonly RecordedFrame[]): string[] {
  return frames
    .filter((f) => f.dir === "in")
    .map((f) => (f.frame as { method?: string }).method)
    .filter((m): m is string => typeof m === "string");
}

/** Error responses of a recording, with the method they answered. */
export function errorResponses(frames: readonly RecordedFrame[]): { method: string; error: unknown }[] {
  const methods = new Map<string, string>();
  const out: { method: string; error: unknown }[] = [];
  for (const f of frames) {
    const fr = f.frame as { type?: string; id?: string | number; method?: string; ok?: boolean; error?: unknown };
    if (f.dir === "in" && fr.type === "req") methods.set(`${f.conn}:${String(fr.id)}`, fr.method ?? "?");
    if (f.dir === "out" && fr.type === "res" && fr.ok === false)
      out.push({ method: methods.get(`${f.conn}:${String(fr.id)}`) ?? "?", error: fr.error });
  }
  return out;
}
