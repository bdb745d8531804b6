// Runs inside a test network namespace: reads a plan of client actions (JSON on stdin), performs
// them one after the other against the gateway on the host side of the veth pair, and prints the
// results as JSON. Every action is bounded (count and timeout) by the test that sends the plan.
import { readFileSync } from "node:fs";
import http from "node:http";
import { Bonjour } from "bonjour-service";
import { GatewayClient, GatewayRequestError } from "../../src/client/index.js";
import type { DeviceIdentity } from "../../src/devices/index.js";

type Action =
  | {
      kind: "connect";
      url: string;
      token?: string;
      password?: string;
      deviceToken?: string;
      identityFile?: string;
      localAddress?: string;
      scopes?: string[];
      role?: "operator" | "node";
      tlsFingerprint?: string;
    }
  | { kind: "http"; url: string; headers?: Record<string, string>; localAddress?: string }
  | { kind: "browse"; type: string; interfaceAddress: string; waitMs: number }
  | { kind: "repeat"; times: number; action: Action };

async function connect(a: Extract<Action, { kind: "connect" }>): Promise<unknown> {
  const device = a.identityFile ? (JSON.parse(readFileSync(a.identityFile, "utf8")) as DeviceIdentity) : undefined;
  try {
    const client = await GatewayClient.connect({
      url: a.url,
      ...(a.token ? { token: a.token } : {}),
      ...(a.password ? { password: a.password } : {}),
      ...(a.deviceToken ? { deviceToken: a.deviceToken } : {}),
      ...(device ? { device } : {}),
      ...(a.scopes ? { scopes: a.scopes } : {}),
      ...(a.role ? { role: a.role } : {}),
      ...(a.tlsFingerprint ? { tlsFingerprint: a.tlsFingerprint } : {}),
      timeoutMs: 10_000,
      wsOptions: a.localAddress ? { localAddress: a.localAddress } : {},
    });
    const auth = client.hello?.auth;
    client.close();
    return { ok: true, auth };
  } catch (err) {
    if (err instanceof GatewayRequestError)
      return {
        ok: false,
        code: err.wireCode,
        message: err.message,
        details: err.wireDetails,
        retryAfterMs: err.retryAfterMs,
      };
    return { ok: false, code: (err as { code?: string }).code ?? "ERROR", message: (err as Error).message };
  }
}

function httpGet(a: Extract<Action, { kind: "http" }>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      a.url,
      { headers: a.headers ?? {}, ...(a.localAddress ? { localAddress: a.localAddress } : {}), timeout: 10_000 },
      (res) => {
        let body = "";
        res.on("data", (b: Buffer) => (body += b.toString()));
        res.on("end", () => resolve({ status: res.statusCode, retryAfter: res.headers["retry-after"], body }));
      },
    );
    req.on("error", reject);
  });
}

function browse(a: Extract<Action, { kind: "browse" }>): Promise<unknown> {
  return new Promise((resolve) => {
    const bonjour = new Bonjour({ interface: a.interfaceAddress, bind: "0.0.0.0" } as object);
    const seen: unknown[] = [];
    bonjour.find({ type: a.type }, (s) => seen.push({ name: s.name, port: s.port, host: s.host, txt: s.txt }));
    setTimeout(() => bonjour.destroy(() => resolve({ services: seen })), Math.min(a.waitMs, 15_000));
  });
}

async function perform(a: Action, out: unknown[]): Promise<void> {
  if (a.kind === "repeat") {
    for (let i = 0; i < Math.min(a.times, 50); i++) await perform(a.action, out);
    return;
  }
  out.push(a.kind === "connect" ? await connect(a) : a.kind === "http" ? await httpGet(a) : await browse(a));
}

const chunks: Buffer[] = [];
for await (const c of process.stdin) chunks.push(c as Buffer);
const plan = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { actions: Action[] };
const results: unknown[] = [];
for (const a of plan.actions.slice(0, 100)) await perform(a, results);
process.stdout.write(JSON.stringify(results));
