import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  startFrameRecorder,
  type FrameRecorder,
  type RecordedConnection,
  type RecordedFrame,
} from "../../support/frame-recorder.js";
import {
  makeStateDir,
  mockModelConfig,
  REPO_ROOT,
  spawnGateway,
  type GatewayProcess,
} from "../../support/gateway-process.js";
import {
  echoScript,
  startMockModelServer,
  type MockModelServer,
  type MockScript,
} from "../../support/mock-model-server.js";
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

/** Credentials a client holds: never committed (the shared secret is replaced by `<token>`). */
const CREDENTIAL_FIELDS = new Set(["deviceToken"]);

/** Replaces secrets (the shared secret, issued device tokens) in recorded frames so they can be committed. */
export function sanitizeFrames(frames: readonly RecordedFrame[], secrets: readonly string[]): RecordedFrame[] {
  let text = JSON.stringify(frames, (k, v: unknown) =>
    CREDENTIAL_FIELDS.has(k) && typeof v === "string" ? "<device-token>" : v,
  );
  for (const s of secrets) if (s) text = text.split(s).join("<token>");
  return JSON.parse(text) as RecordedFrame[];
}

/** What a fixture holds: the client's name, its connections (path, Origin) and every frame in order. */
export interface CompatFixture {
  readonly client: string;
  readonly connections: readonly Pick<RecordedConnection, "conn" | "path" | "origin">[];
  readonly frames: readonly RecordedFrame[];
}

/**
 * Stores the frames of one client run: into test/fixtures/compat/<name>.json when
 * `HOLDFAST_COMPAT_RECORD=1` (the fixtures the replay test uses), else into a temp dir for a look
 * after a failure. Returns the path written.
 */
export async function saveFrames(
  name: string,
  recording: Pick<FrameRecorder, "frames" | "connections"> | undefined,
  secrets: readonly (string | undefined)[],
): Promise<string> {
  const dir =
    process.env.HOLDFAST_COMPAT_RECORD === "1"
      ? path.join(REPO_ROOT, "test/fixtures/compat")
      : path.join(os.tmpdir(), "holdfast-compat-frames");
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  const fixture: CompatFixture = {
    client: name,
    connections: (recording?.connections ?? []).map((c) => ({
      conn: c.conn,
      path: c.path,
      ...(c.origin ? { origin: c.origin } : {}),
    })),
    frames: sanitizeFrames(
      recording?.frames ?? [],
      secrets.filter((s): s is string => Boolean(s)),
    ),
  };
  await writeFile(file, `${JSON.stringify(fixture, null, 1)}\n`);
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
