import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type Docker from "dockerode";
import { dockerCreateBody, DockerStreamDemux, type DockerSettings } from "./docker-payload.js";
import { helperMounts, runHelperOnce } from "./fileops/client.js";
import { homeEnv } from "./spawn-capture.js";
import type { FileOpResult, FileOpsRequest } from "./fileops/protocol.js";
import {
  SANDBOX_WORKDIR,
  type Availability,
  type ExecRequest,
  type ExecResult,
  type SandboxBackend,
  type SandboxSpec,
} from "./types.js";

/** Where a command's stdin (written by the gateway to a private temp file) is bound read-only in the container. */
const STDIN_IN_CONTAINER = "/run/holdfast-stdin";

/**
 * The Docker backend via `dockerode`: one short-lived container per command (create → start → wait
 * with timeout/abort → logs → remove). Available when the Engine answers `/_ping` and the image exists
 * locally (it is never pulled implicitly). A command with stdin gets it as a read-only bound file
 * (`/bin/sh` in the image redirects it), since one-shot containers are not attached.
 * Source: issue "Sandbox", reference §7.1.
 */
export class DockerBackend implements SandboxBackend {
  readonly kind = "docker" as const;
  private client: Promise<Docker> | undefined;

  constructor(
    private readonly settings: DockerSettings,
    private readonly socketPath = "/var/run/docker.sock",
  ) {}

  /** The dockerode client, loaded on first use (dockerode and its transports are heavy to load). */
  private get docker(): Promise<Docker> {
    this.client ??= import("dockerode").then((m) => new m.default({ socketPath: this.socketPath }));
    return this.client;
  }

  async availability(): Promise<Availability> {
    try {
      await (await this.docker).ping();
    } catch (err) {
      return {
        ok: false,
        reason: `cannot reach the Docker Engine at ${this.socketPath} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      };
    }
    try {
      await (await this.docker).getImage(this.settings.image).inspect();
      return { ok: true };
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      return {
        ok: false,
        reason:
          status === 404
            ? `the sandbox image ${this.settings.image} is not present (build or pull it first)`
            : `cannot inspect the sandbox image ${this.settings.image}`,
      };
    }
  }

  async run(spec: SandboxSpec, req: ExecRequest): Promise<ExecResult> {
    if (!req.stdin) return this.runContainer(spec, req);
    const dir = await mkdtemp(path.join(os.tmpdir(), "holdfast-docker-stdin-"));
    try {
      const file = path.join(dir, "stdin");
      await writeFile(file, req.stdin, { mode: 0o644 });
      await chmod(file, 0o644);
      const command = req.argv ? [...req.argv] : ["/bin/sh", "-c", req.shellCommand ?? ""];
      const withStdin: SandboxSpec = {
        ...spec,
        readOnlyMounts: [...(spec.readOnlyMounts ?? []), { source: file, at: STDIN_IN_CONTAINER }],
      };
      const { stdin: _stdin, shellCommand: _line, ...rest } = req;
      return await this.runContainer(withStdin, {
        ...rest,
        argv: ["/bin/sh", "-c", `exec "$@" < ${STDIN_IN_CONTAINER}`, "sh", ...command],
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** File operations by the one-shot helper in a container of their own (node and the helper mounted read-only). */
  files(spec: SandboxSpec, request: Omit<FileOpsRequest, "v">, signal: AbortSignal): Promise<FileOpResult[]> {
    const withHelper: SandboxSpec = {
      ...spec,
      readOnlyMounts: [...(spec.readOnlyMounts ?? []), ...helperMounts("fileops")],
    };
    return runHelperOnce((req) => this.run(withHelper, req), request, { cwd: SANDBOX_WORKDIR, signal });
  }

  private async runContainer(spec: SandboxSpec, req: ExecRequest): Promise<ExecResult> {
    const started = Date.now();
    const command = req.argv ? [...req.argv] : ["/bin/sh", "-c", req.shellCommand ?? ""];
    const name = `${this.settings.containerPrefix}${randomBytes(6).toString("hex")}`;
    // Each container has a fresh tmpfs /tmp: a private HOME there is empty by construction.
    const env = req.privateHome ? { ...req.env, ...homeEnv("/tmp") } : req.env;
    const body = dockerCreateBody(spec, this.settings, { command, cwd: req.cwd, env });
    const container = await (
      await this.docker
    ).createContainer({ _query: { name }, _body: body } as unknown as Docker.ContainerCreateOptions);
    try {
      await container.start();
      const ended = await this.waitBounded(container, req);
      const demux = await this.readLogs(container, req.maxOutputBytes);
      return {
        exitCode: ended.timedOut || ended.aborted ? null : ended.exitCode,
        signal: ended.timedOut || ended.aborted ? "SIGKILL" : null,
        stdout: Buffer.concat(demux.out).toString("utf8"),
        stderr: Buffer.concat(demux.err).toString("utf8"),
        truncated: demux.truncated,
        timedOut: ended.timedOut,
        durationMs: Date.now() - started,
      };
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
  }

  private async waitBounded(
    container: Docker.Container,
    req: ExecRequest,
  ): Promise<{ exitCode: number | null; timedOut: boolean; aborted: boolean }> {
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stop = new Promise<"timeout" | "abort">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), req.timeoutMs);
      onAbort = () => resolve("abort");
      req.signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      const r = await Promise.race([container.wait() as Promise<{ StatusCode: number }>, stop]);
      if (typeof r === "object") return { exitCode: r.StatusCode, timedOut: false, aborted: false };
      await container.kill().catch(() => undefined);
      return { exitCode: null, timedOut: r === "timeout", aborted: r === "abort" };
    } finally {
      clearTimeout(timer);
      if (onAbort) req.signal.removeEventListener("abort", onAbort);
    }
  }

  private async readLogs(container: Docker.Container, maxBytes: number): Promise<DockerStreamDemux> {
    const demux = new DockerStreamDemux(maxBytes);
    const stream = (await container.logs({ follow: true, stdout: true, stderr: true })) as NodeJS.ReadableStream & {
      destroy?: () => void;
    };
    await new Promise<void>((resolve, reject) => {
      stream.on("data", (chunk: Buffer) => {
        if (!demux.push(chunk)) {
          stream.destroy?.();
          resolve();
        }
      });
      stream.on("end", () => resolve());
      stream.on("close", () => resolve());
      stream.on("error", reject);
    });
    return demux;
  }
}
