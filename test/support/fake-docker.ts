import { randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import os from "node:os";
import path from "node:path";

/** What a fake container does when started. `hang` keeps it running until killed. */
export interface FakeRun {
  readonly exitCode?: number;
  readonly stdout?: string;
  readonly stderr?: string;
  readonly hang?: boolean;
}

/** A container as the fake saw it. */
export interface FakeContainer {
  readonly id: string;
  readonly name: string;
  readonly body: Record<string, unknown>;
  started: boolean;
  killed: boolean;
  removed: boolean;
  exitCode?: number;
  run?: FakeRun;
  exited?: Promise<void>;
  exit?: () => void;
}

/** A fake Docker Engine API on a unix socket. */
export interface FakeDocker {
  readonly socketPath: string;
  readonly containers: FakeContainer[];
  /** Every request as `METHOD path` (query string removed). */
  readonly calls: string[];
  readonly images: Set<string>;
  setScript(script: (body: Record<string, unknown>) => FakeRun): void;
  close(): Promise<void>;
}

/**
 * Starts a protocol-faithful subset of the Docker Engine API (the calls the docker backend makes):
 * `GET /_ping`, `GET /images/{name}/json`, `POST /containers/create?name=`, `POST
 * /containers/{id}/start|wait|kill`, `GET /containers/{id}/logs` (multiplexed stdout/stderr frames),
 * `DELETE /containers/{id}`. The real `dockerode` client drives it.
 */
export async function startFakeDocker(): Promise<FakeDocker> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "holdfast-fake-docker-"));
  const socketPath = path.join(dir, "docker.sock");
  const containers: FakeContainer[] = [];
  const calls: string[] = [];
  const images = new Set<string>();
  let script: (body: Record<string, unknown>) => FakeRun = () => ({ exitCode: 0 });
  const byId = (id: string) => containers.find((c) => c.id === id || c.name === id);
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => json(res, 500, { message: String(err) }));
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://docker");
    const p = url.pathname.replace(/^\/v[0-9.]+/, "");
    calls.push(`${req.method} ${p}`);
    const body = await readBody(req);
    if (req.method === "GET" && p === "/_ping") return text(res, 200, "OK");
    let m: RegExpExecArray | null;
    if (req.method === "GET" && (m = /^\/images\/(.+)\/json$/.exec(p))) {
      const name = decodeURIComponent(m[1] as string);
      return images.has(name)
        ? json(res, 200, { Id: `sha256:${name}`, RepoTags: [name] })
        : json(res, 404, { message: `No such image: ${name}` });
    }
    if (req.method === "POST" && p === "/containers/create") {
      const parsed = JSON.parse(body || "{}") as Record<string, unknown>;
      if (!images.has(String(parsed.Image)))
        return json(res, 404, { message: `No such image: ${String(parsed.Image)}` });
      const c: FakeContainer = {
        id: randomBytes(32).toString("hex"),
        name: url.searchParams.get("name") ?? "",
        body: parsed,
        started: false,
        killed: false,
        removed: false,
      };
      containers.push(c);
      return json(res, 201, { Id: c.id, Warnings: [] });
    }
    if ((m = /^\/containers\/([^/]+)(\/[a-z]+)?$/.exec(p))) {
      const c = byId(m[1] as string);
      if (!c) return json(res, 404, { message: "No such container" });
      return container(c, req.method ?? "", m[2] ?? "", res);
    }
    return json(res, 404, { message: "page not found" });
  }
  async function container(c: FakeContainer, method: string, action: string, res: ServerResponse): Promise<void> {
    if (method === "POST" && action === "/start") {
      c.started = true;
      c.run = script(c.body);
      c.exited = new Promise<void>((resolve) => (c.exit = resolve));
      if (!c.run.hang) {
        c.exitCode = c.run.exitCode ?? 0;
        c.exit?.();
      }
      return void res.writeHead(204).end();
    }
    if (method === "POST" && action === "/wait") {
      await c.exited;
      return json(res, 200, { StatusCode: c.exitCode ?? 0, Error: null });
    }
    if (method === "POST" && action === "/kill") {
      c.killed = true;
      c.exitCode = 137;
      c.exit?.();
      return void res.writeHead(204).end();
    }
    if (method === "GET" && action === "/logs") {
      res.writeHead(200, { "content-type": "application/vnd.docker.multiplexed-stream" });
      if (c.run?.stdout) res.write(frame(1, c.run.stdout));
      if (c.run?.stderr) res.write(frame(2, c.run.stderr));
      return void res.end();
    }
    if (method === "DELETE" && action === "") {
      c.removed = true;
      return void res.writeHead(204).end();
    }
    return json(res, 404, { message: "page not found" });
  }
  await new Promise<void>((r) => server.listen(socketPath, r));
  return {
    socketPath,
    containers,
    calls,
    images,
    setScript: (s) => (script = s),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

function frame(stream: 1 | 2, text: string): Buffer {
  const body = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function json(res: ServerResponse, status: number, v: unknown): void {
  text(res, status, JSON.stringify(v), "application/json");
}

function text(res: ServerResponse, status: number, body: string, type = "text/plain"): void {
  res.writeHead(status, { "content-type": type }).end(body);
}
