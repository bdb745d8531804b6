import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeDocker, type FakeDocker } from "../../test/support/fake-docker.js";
import { resolveSandbox, sandboxRunner, type SandboxSpec } from "./index.js";
import { DEFAULT_DOCKER_SETTINGS, DockerStreamDemux } from "./docker-payload.js";
import { DockerBackend } from "./docker.js";

describe("docker backend against a fake Docker Engine API (real dockerode)", () => {
  let fake: FakeDocker;
  let ws: string;
  let spec: SandboxSpec;
  const image = "holdfast-sandbox:bookworm-slim";

  beforeAll(async () => {
    fake = await startFakeDocker();
    fake.images.add(image);
    ws = await mkdtemp(path.join(os.tmpdir(), "holdfast-docker-ws-"));
    spec = {
      scopeKey: "session:agent:main:telegram:group:1",
      workspaceDir: ws,
      network: "none",
      limits: { memoryMb: 512, pids: 128, cpuSeconds: 60, fileSizeMb: 100 },
      user: { uid: 65534, gid: 65534 },
    };
  });

  afterAll(async () => {
    await fake?.close();
  });

  it("sends exactly the hardened create payload and runs the command", async () => {
    fake.setScript(() => ({ exitCode: 3, stdout: "out line\n", stderr: "err line\n" }));
    const backend = new DockerBackend(resolveSandbox({}, "main").docker, fake.socketPath);
    expect(await backend.availability()).toEqual({ ok: true });
    const r = await sandboxRunner(backend, spec).run({
      argv: ["/usr/bin/uname", "-n"],
      cwd: path.join(ws),
      env: { PATH: "/usr/bin:/bin", HOME: "/workspace" },
      timeoutMs: 5000,
      maxOutputBytes: 1000,
      signal: new AbortController().signal,
    });
    expect(r).toMatchObject({
      exitCode: 3,
      stdout: "out line\n",
      stderr: "err line\n",
      timedOut: false,
      truncated: false,
    });
    const c = fake.containers.at(-1);
    expect(c?.name).toMatch(/^holdfast-sbx-[0-9a-f]{12}$/);
    expect(c?.body).toEqual({
      Image: image,
      Cmd: ["/usr/bin/uname", "-n"],
      WorkingDir: "/workspace",
      Env: ["PATH=/usr/bin:/bin", "HOME=/workspace"],
      User: "65534:65534",
      Hostname: "holdfast-sandbox",
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      OpenStdin: false,
      Tty: false,
      NetworkDisabled: true,
      Labels: { "holdfast.sandbox": "1", "holdfast.scope": "session:agent:main:telegram:group:1" },
      HostConfig: {
        NetworkMode: "none",
        ReadonlyRootfs: true,
        CapDrop: ["ALL"],
        SecurityOpt: ["no-new-privileges"],
        Memory: 512 * 1024 * 1024,
        MemorySwap: 512 * 1024 * 1024,
        PidsLimit: 128,
        Ulimits: [
          { Name: "cpu", Soft: 60, Hard: 60 },
          { Name: "fsize", Soft: 100 * 1024 * 1024, Hard: 100 * 1024 * 1024 },
          { Name: "core", Soft: 0, Hard: 0 },
        ],
        Binds: [`${ws}:/workspace:rw`],
        Tmpfs: {
          "/tmp": "rw,nosuid,nodev,noexec,size=64m",
          "/var/tmp": "rw,nosuid,nodev,noexec,size=64m",
          "/run": "rw,nosuid,nodev,noexec,size=64m",
        },
        Init: true,
        AutoRemove: false,
        Privileged: false,
      },
    });
    expect(c?.removed).toBe(true);
    expect(fake.calls.filter((x) => x.includes(c?.id ?? "?")).map((x) => x.replace(c?.id ?? "?", "ID"))).toEqual([
      "POST /containers/ID/start",
      "POST /containers/ID/wait",
      "GET /containers/ID/logs",
      "DELETE /containers/ID",
    ]);
  });

  it("mounts the agent workspace read-only at /agent for workspaceAccess ro, and shell lines run via /bin/sh -c", async () => {
    fake.setScript(() => ({ exitCode: 0 }));
    const backend = new DockerBackend(DEFAULT_DOCKER_SETTINGS, fake.socketPath);
    await sandboxRunner(backend, { ...spec, agentWorkspaceDir: "/srv/agent" }).run({
      shellCommand: "'ls' | 'wc'",
      cwd: path.join(ws, "sub"),
      env: {},
      timeoutMs: 5000,
      maxOutputBytes: 100,
      signal: new AbortController().signal,
    });
    const body = fake.containers.at(-1)?.body as { Cmd: string[]; WorkingDir: string; HostConfig: { Binds: string[] } };
    expect(body.Cmd).toEqual(["/bin/sh", "-c", "'ls' | 'wc'"]);
    expect(body.WorkingDir).toBe("/workspace/sub");
    expect(body.HostConfig.Binds).toEqual([`${ws}:/workspace:rw`, "/srv/agent:/agent:ro"]);
  });

  it("runs the file helper in the container: node and the helper read-only, the request as a bound stdin file", async () => {
    // The fake "container" runs the command on the host with the bind sources, as the engine would inside.
    fake.setScript((body) => {
      const hc = body.HostConfig as { Binds: string[] };
      const source = (at: string) => hc.Binds.find((b) => b.split(":")[1] === at)?.split(":")[0] ?? "";
      const cmd = body.Cmd as string[];
      expect(cmd.slice(0, 4)).toEqual(["/bin/sh", "-c", 'exec "$@" < /run/holdfast-stdin', "sh"]);
      const r = spawnSync(source(cmd[4] as string), [source(cmd[5] as string)], {
        input: readFileSync(source("/run/holdfast-stdin")),
        encoding: "utf8",
      });
      return { exitCode: r.status ?? 1, stdout: r.stdout.replaceAll(ws, "/workspace"), stderr: r.stderr };
    });
    await writeFile(path.join(ws, "f.txt"), "in the container\n");
    const backend = new DockerBackend(DEFAULT_DOCKER_SETTINGS, fake.socketPath);
    const [res] = await backend.files(
      spec,
      {
        cwd: ws,
        roots: [{ path: ws, writable: true }],
        confine: true,
        ops: [{ op: "read", path: "f.txt", maxBytes: 100 }],
      },
      new AbortController().signal,
    );
    expect(Buffer.from((res as { data: string }).data, "base64").toString()).toBe("in the container\n");
    const body = fake.containers.at(-1)?.body as { HostConfig: { Binds: string[] } };
    expect(body.HostConfig.Binds).toEqual([
      `${ws}:/workspace:rw`,
      expect.stringMatching(/:\/run\/holdfast\/node:ro$/),
      expect.stringMatching(/jail-fileops\.mjs:\/run\/holdfast\/fileops\.mjs:ro$/),
      expect.stringMatching(/\/stdin:\/run\/holdfast-stdin:ro$/),
    ]);
  });

  it("kills and removes a container that runs past its timeout", async () => {
    fake.setScript(() => ({ hang: true }));
    const backend = new DockerBackend(DEFAULT_DOCKER_SETTINGS, fake.socketPath);
    const r = await sandboxRunner(backend, spec).run({
      argv: ["sleep", "100"],
      cwd: ws,
      env: {},
      timeoutMs: 200,
      maxOutputBytes: 100,
      signal: new AbortController().signal,
    });
    expect(r).toMatchObject({ timedOut: true, exitCode: null });
    expect(fake.containers.at(-1)).toMatchObject({ killed: true, removed: true });
  });

  it("caps output at maxOutputBytes", async () => {
    fake.setScript(() => ({ exitCode: 0, stdout: "x".repeat(5000) }));
    const r = await sandboxRunner(new DockerBackend(DEFAULT_DOCKER_SETTINGS, fake.socketPath), spec).run({
      argv: ["yes"],
      cwd: ws,
      env: {},
      timeoutMs: 5000,
      maxOutputBytes: 100,
      signal: new AbortController().signal,
    });
    expect(r.stdout).toHaveLength(100);
    expect(r.truncated).toBe(true);
  });

  it("is unavailable with a clear reason when the image is missing or the engine is unreachable", async () => {
    expect(
      await new DockerBackend({ ...DEFAULT_DOCKER_SETTINGS, image: "missing:1" }, fake.socketPath).availability(),
    ).toEqual({ ok: false, reason: "the sandbox image missing:1 is not present (build or pull it first)" });
    const gone = await new DockerBackend(DEFAULT_DOCKER_SETTINGS, path.join(ws, "no.sock")).availability();
    expect(gone).toEqual({ ok: false, reason: expect.stringContaining("cannot reach the Docker Engine") });
  });

  it("demultiplexes frames split across chunks", () => {
    const d = new DockerStreamDemux(100);
    const frame = Buffer.concat([
      Buffer.from([1, 0, 0, 0, 0, 0, 0, 5]),
      Buffer.from("hello"),
      Buffer.from([2, 0, 0, 0, 0, 0, 0, 3]),
      Buffer.from("err"),
    ]);
    d.push(frame.subarray(0, 6));
    d.push(frame.subarray(6, 15));
    d.push(frame.subarray(15));
    expect(Buffer.concat(d.out).toString()).toBe("hello");
    expect(Buffer.concat(d.err).toString()).toBe("err");
  });
});
