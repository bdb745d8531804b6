import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import WebSocket from "ws";
import { generateDeviceIdentity, signConnect, type DeviceIdentity } from "../../src/devices/index.js";
import type { RecordedFrame } from "../support/frame-recorder.js";
import { REPO_ROOT } from "../support/gateway-process.js";

/** A recorded client session (test/fixtures/compat/<client>.json, written by `npm run test:compat`). */
export interface Fixture {
  readonly client: string;
  readonly connections?: readonly { conn: number; path: string; origin?: string }[];
  readonly frames: readonly RecordedFrame[];
}

const fixturePath = (client: string) => path.join(REPO_ROOT, "test/fixtures/compat", `${client}.json`);

export function loadFixture(client: string): Fixture {
  return JSON.parse(readFileSync(fixturePath(client), "utf8")) as Fixture;
}

export const fixtureExists = (client: string): boolean => existsSync(fixturePath(client));

type Frame = {
  type?: string;
  id?: string;
  method?: string;
  event?: string;
  ok?: boolean;
  params?: Record<string, unknown> | null;
  payload?: Record<string, unknown> & { status?: string; state?: string };
  error?: { code?: string; message?: string };
};

/** Events whose timing depends on the clock or other connections, not on the client's requests. */
const TIMED_EVENTS = new Set(["connect.challenge", "tick", "health", "presence", "sessions.changed"]);

/** An event's identity for matching a recording: the name plus the `state` of `chat` events. */
const eventKey = (f: Frame) => `${f.event}${f.payload?.state ? `:${f.payload.state}` : ""}`;

/**
 * Differences between a recorded payload and a live one: every field of `rec` must be in `live` with
 * the same JSON type; arrays are compared by their first elements when both have one. Values are not
 * compared (ids, times and counts differ between runs) — the client reads these fields, so a missing
 * one or a changed type breaks it.
 */
export function shapeDiff(rec: unknown, live: unknown, at = "$"): string[] {
  const kind = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);
  if (rec === null || rec === undefined) return [];
  if (kind(rec) !== kind(live)) return [`${at}: recorded ${kind(rec)}, got ${kind(live)}`];
  if (Array.isArray(rec)) {
    const [r0] = rec;
    const [l0] = live as unknown[];
    return r0 !== undefined && l0 !== undefined ? shapeDiff(r0, l0, `${at}[0]`) : [];
  }
  if (kind(rec) !== "object") return [];
  const l = live as Record<string, unknown>;
  return Object.entries(rec as Record<string, unknown>).flatMap(([k, v]) =>
    k in l ? shapeDiff(v, l[k], `${at}.${k}`) : [`${at}.${k}: missing`],
  );
}

/** What a replay found: one line per response or event that does not match the recording. */
export interface ReplayReport {
  readonly mismatches: string[];
  /** Requests replayed, by method. */
  readonly methods: string[];
  /** Live frames received, per recorded connection. */
  readonly received: Map<number, Frame[]>;
}

class LiveConnection {
  readonly frames: Frame[] = [];
  private waiters: (() => void)[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;

  constructor(url: string, origin: string | undefined) {
    this.ws = new WebSocket(url, origin ? { origin } : {});
    this.ws.on("message", (data) => {
      this.frames.push(JSON.parse(String(data)) as Frame);
      for (const w of this.waiters.splice(0)) w();
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once("open", () => resolve());
      this.ws.once("error", reject);
    });
  }

  /** Resolves with the first frame matching `pred` (seen or future), or undefined after `timeoutMs`. */
  async waitFor(pred: (f: Frame) => boolean, timeoutMs = 15_000): Promise<Frame | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.frames.find(pred);
      if (hit || Date.now() > deadline) return hit;
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  count(pred: (f: Frame) => boolean): number {
    return this.frames.filter(pred).length;
  }

  send(f: Frame): void {
    this.ws.send(JSON.stringify(f));
  }
}

/** Options of {@link replay}. */
export interface ReplayOptions {
  /** `ws://127.0.0.1:<port>` of the gateway. */
  readonly url: string;
  /** The gateway's shared secret (replaces `<token>` in the recording). */
  readonly token: string;
  /** Called for a live `node.invoke.request` on a node connection; answers it (default: the recording's answer). */
  readonly onInvoke?: (request: Record<string, unknown>, recorded: Frame | undefined) => Record<string, unknown>;
  /** Runs after the last frame, while the connections are still open (e.g. an operator invokes the node). */
  readonly beforeClose?: () => Promise<void>;
}

/**
 * Replays a client's recording against a live gateway, in the recorded order: every client frame is
 * sent on its connection (opened on its first frame, with the recorded Origin) once the events the
 * client had received before it have arrived; `connect` gets the live nonce, token and a fresh device
 * signature (one new key per recorded device, kept across its reconnects); each response is compared
 * with the recorded one (ok/error code and message, payload shape). A node's `node.invoke.result`
 * frames are not replayed as recorded: each live `node.invoke.request` is answered with the recorded
 * result for the same command.
 */
export async function replay(fixture: Fixture, opts: ReplayOptions): Promise<ReplayReport> {
  const mismatches: string[] = [];
  const methods: string[] = [];
  const live = new Map<number, LiveConnection>();
  const devices = new Map<string, DeviceIdentity>();
  const deviceTokens = new Map<string, string>();
  const recordedOut = (conn: number) => fixture.frames.filter((f) => f.conn === conn && f.dir === "out");
  const invokeAnswers = fixture.frames
    .filter((f) => f.dir === "in" && (f.frame as Frame).method === "node.invoke.result")
    .map((f) => f.frame as Frame);
  const invokeRequests = fixture.frames
    .filter((f) => f.dir === "out" && (f.frame as Frame).event === "node.invoke.request")
    .map((f) => f.frame as Frame);

  const open = async (conn: number): Promise<LiveConnection> => {
    const existing = live.get(conn);
    if (existing) return existing;
    const meta = fixture.connections?.find((c) => c.conn === conn);
    const c = new LiveConnection(`${opts.url}${meta?.path && meta.path !== "/" ? meta.path : ""}`, meta?.origin);
    live.set(conn, c);
    await c.opened;
    answerInvokes(c);
    return c;
  };

  const answerInvokes = (c: LiveConnection) => {
    let answered = 0;
    c.ws.on("message", (data) => {
      const f = JSON.parse(String(data)) as Frame;
      if (f.event !== "node.invoke.request" || !f.payload) return;
      const p = f.payload;
      const recReq =
        invokeRequests.find((r) => r.payload?.command === p.command && r.payload?.paramsJSON === p.paramsJSON) ??
        invokeRequests.find((r) => r.payload?.command === p.command);
      const recorded = invokeAnswers.find((a) => a.params?.id === recReq?.payload?.id);
      const params = opts.onInvoke
        ? opts.onInvoke(p, recorded)
        : { ...(recorded?.params ?? { ok: false, error: { code: "UNAVAILABLE", message: "not recorded" } }) };
      c.send({
        type: "req",
        id: `replay-invoke-${++answered}`,
        method: "node.invoke.result",
        params: { ...params, id: p.id, nodeId: p.nodeId },
      });
    });
  };

  for (const [i, rf] of fixture.frames.entries()) {
    if (rf.dir !== "in") continue;
    const f = rf.frame as Frame;
    if (f.method === "node.invoke.result") continue;
    const c = await open(rf.conn);
    // The events this client had received on this connection before sending the frame.
    const before = fixture.frames
      .slice(0, i)
      .filter((o) => o.conn === rf.conn && o.dir === "out" && (o.frame as Frame).type === "event")
      .map((o) => o.frame as Frame)
      .filter((e) => !TIMED_EVENTS.has(e.event ?? "") && e.event !== "node.invoke.request");
    for (const key of new Set(before.map(eventKey))) {
      // How a reply is cut into stream events depends on timing: one of those is enough, other events count.
      const streamed = key.endsWith(":delta") || key.startsWith("agent");
      const want = streamed ? 1 : before.filter((e) => eventKey(e) === key).length;
      const got = () => c.count((l) => l.type === "event" && eventKey(l) === key);
      await c.waitFor(() => got() >= want);
      if (got() < want)
        mismatches.push(`conn ${rf.conn}: event ${key}: recorded ${want} before ${f.method}, got ${got()}`);
    }
    const sent = f.method === "connect" ? await connectFrame(c, f) : f;
    methods.push(f.method ?? "?");
    c.send(sent);
    const recorded = recordedOut(rf.conn).filter(
      (o) => (o.frame as Frame).type === "res" && (o.frame as Frame).id === f.id,
    );
    const final = recorded.at(-1)?.frame as Frame | undefined;
    if (!final) continue;
    const got = await c.waitFor(
      (l) => l.type === "res" && l.id === f.id && (recorded.length === 1 || l.payload?.status !== "accepted"),
      30_000,
    );
    compare(`conn ${rf.conn} ${f.method}`, final, got);
    if (f.method === "connect" && got?.payload) rememberDeviceToken(f, got.payload);
  }
  await opts.beforeClose?.();
  for (const c of live.values()) c.ws.close();
  return { mismatches, methods, received: new Map([...live].map(([k, c]) => [k, c.frames])) };

  async function connectFrame(c: LiveConnection, f: Frame): Promise<Frame> {
    const challenge = await c.waitFor((l) => l.event === "connect.challenge");
    const nonce = String(challenge?.payload?.nonce ?? "");
    const params = JSON.parse(
      JSON.stringify(f.params ?? {})
        .split("<token>")
        .join(opts.token),
    ) as Record<string, unknown> & {
      auth?: Record<string, unknown>;
      device?: { id: string };
    };
    const recordedDevice = params.device?.id;
    if (recordedDevice) {
      const identity = devices.get(recordedDevice) ?? generateDeviceIdentity();
      devices.set(recordedDevice, identity);
      if (params.auth?.deviceToken !== undefined) {
        const issued = deviceTokens.get(recordedDevice);
        if (issued) params.auth.deviceToken = issued;
        else delete params.auth.deviceToken;
      }
      const { device: _recorded, ...unsigned } = params;
      params.device = signConnect(identity, unsigned as never, nonce, Date.now());
    }
    return { ...f, params };
  }

  function rememberDeviceToken(f: Frame, hello: Record<string, unknown>): void {
    const id = (f.params?.device as { id?: string } | undefined)?.id;
    const token = (hello.auth as { deviceToken?: unknown } | undefined)?.deviceToken;
    if (id && typeof token === "string") deviceTokens.set(id, token);
  }

  function compare(label: string, rec: Frame, got: Frame | undefined): void {
    if (!got) return void mismatches.push(`${label}: no response (recorded ok=${String(rec.ok)})`);
    if (rec.ok !== got.ok)
      return void mismatches.push(
        `${label}: recorded ok=${String(rec.ok)}, got ok=${String(got.ok)} ${JSON.stringify(got.error ?? {})}`,
      );
    if (!rec.ok) {
      if (rec.error?.code !== got.error?.code)
        mismatches.push(`${label}: error code ${rec.error?.code} → ${got.error?.code}`);
      const fixed = /^(unknown method|missing scope)/.test(rec.error?.message ?? "");
      if (fixed && rec.error?.message !== got.error?.message)
        mismatches.push(`${label}: error "${rec.error?.message}" → "${got.error?.message}"`);
      return;
    }
    mismatches.push(...shapeDiff(rec.payload, got.payload).map((d) => `${label}: ${d}`));
  }
}

/** The events of a recording a client received (not the timed ones), as `event[:state]`. */
export function recordedEvents(fixture: Fixture): Set<string> {
  return new Set(
    fixture.frames
      .filter((f) => f.dir === "out" && (f.frame as Frame).type === "event")
      .map((f) => f.frame as Frame)
      .filter((e) => !TIMED_EVENTS.has(e.event ?? ""))
      .map(eventKey),
  );
}

/** The live events received in a replay, as `event[:state]`. */
export function liveEvents(report: ReplayReport): Set<string> {
  return new Set(
    [...report.received.values()]
      .flat()
      .filter((f) => f.type === "event")
      .map(eventKey),
  );
}
