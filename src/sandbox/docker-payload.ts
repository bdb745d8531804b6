import { SANDBOX_AGENT_DIR, SANDBOX_WORKDIR, type SandboxCommand, type SandboxSpec } from "./types.js";

/** Docker settings (`agents.defaults.sandbox.docker`, holdfast defaults applied). Source: reference §7.1. */
export interface DockerSettings {
  readonly image: string;
  readonly containerPrefix: string;
  /** Docker network; `none` (default) = no network. `host` and `container:*` are refused by config checks. */
  readonly network: string;
  readonly readOnlyRoot: boolean;
  readonly tmpfs: readonly string[];
  readonly capDrop: readonly string[];
  /** `uid:gid`; never root. Default: the owner of the sandbox workspace. */
  readonly user?: string;
  readonly cpus?: number;
  readonly memorySwapBytes?: number;
  readonly binds: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly seccompProfile?: string;
  readonly apparmorProfile?: string;
}

export const DEFAULT_DOCKER_SETTINGS: DockerSettings = {
  image: "holdfast-sandbox:bookworm-slim",
  containerPrefix: "holdfast-sbx-",
  network: "none",
  readOnlyRoot: true,
  tmpfs: ["/tmp", "/var/tmp", "/run"],
  capDrop: ["ALL"],
  binds: [],
  env: {},
};

/**
 * The exact `POST /containers/create` body for one sandboxed command: network none by default,
 * read-only root fs, `CapDrop: ALL` (always, plus any configured), `no-new-privileges`, memory and
 * pids limits, a non-root user, private tmpfs dirs, and only the sandbox workspace mounted (plus the
 * agent workspace read-only at /agent for `workspaceAccess: "ro"`, and the spec's read-only mounts:
 * inbound media, the file helper). Source: issue "Sandbox".
 */
export function dockerCreateBody(
  spec: SandboxSpec,
  s: DockerSettings,
  { command, cwd, env }: SandboxCommand,
): Record<string, unknown> {
  const memory = spec.limits.memoryMb * 1024 * 1024;
  const binds = [
    `${spec.workspaceDir}:${SANDBOX_WORKDIR}:rw`,
    ...(spec.agentWorkspaceDir !== undefined ? [`${spec.agentWorkspaceDir}:${SANDBOX_AGENT_DIR}:ro`] : []),
    ...(spec.readOnlyMounts ?? []).map((m) => `${m.source}:${m.at}:ro`),
    ...s.binds,
  ];
  const securityOpt = [
    "no-new-privileges",
    ...(s.seccompProfile ? [`seccomp=${s.seccompProfile}`] : []),
    ...(s.apparmorProfile ? [`apparmor=${s.apparmorProfile}`] : []),
  ];
  return {
    Image: s.image,
    Cmd: [...command],
    WorkingDir: cwd,
    Env: Object.entries({ ...s.env, ...env }).map(([k, v]) => `${k}=${v}`),
    User: s.user ?? `${spec.user.uid}:${spec.user.gid}`,
    Hostname: "holdfast-sandbox",
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    OpenStdin: false,
    Tty: false,
    NetworkDisabled: s.network === "none",
    Labels: { "holdfast.sandbox": "1", "holdfast.scope": spec.scopeKey },
    HostConfig: {
      NetworkMode: s.network,
      ReadonlyRootfs: s.readOnlyRoot,
      CapDrop: [...new Set(["ALL", ...s.capDrop])],
      SecurityOpt: securityOpt,
      Memory: memory,
      MemorySwap: s.memorySwapBytes ?? memory,
      PidsLimit: spec.limits.pids,
      ...(s.cpus !== undefined ? { NanoCpus: Math.round(s.cpus * 1e9) } : {}),
      Ulimits: [
        { Name: "cpu", Soft: spec.limits.cpuSeconds, Hard: spec.limits.cpuSeconds },
        { Name: "fsize", Soft: spec.limits.fileSizeMb * 1024 * 1024, Hard: spec.limits.fileSizeMb * 1024 * 1024 },
        { Name: "core", Soft: 0, Hard: 0 },
      ],
      Binds: binds,
      Tmpfs: Object.fromEntries(s.tmpfs.map((t) => [t, "rw,nosuid,nodev,noexec,size=64m"])),
      Init: true,
      AutoRemove: false,
      Privileged: false,
    },
  };
}

/** Splits Docker's multiplexed log stream (8-byte frame headers) into stdout/stderr, keeping at most `maxBytes`. */
export class DockerStreamDemux {
  private pending = Buffer.alloc(0);
  readonly out: Buffer[] = [];
  readonly err: Buffer[] = [];
  bytes = 0;
  truncated = false;

  constructor(private readonly maxBytes: number) {}

  /** Feeds a chunk; returns false once the cap is reached (stop reading). */
  push(chunk: Buffer): boolean {
    this.pending = Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      const kind = this.pending[0];
      const body = this.pending.subarray(8, 8 + size);
      this.pending = this.pending.subarray(8 + size);
      const room = this.maxBytes - this.bytes;
      const part = body.length > room ? body.subarray(0, Math.max(0, room)) : body;
      if (part.length < body.length) this.truncated = true;
      this.bytes += part.length;
      (kind === 2 ? this.err : this.out).push(part);
    }
    return !this.truncated;
  }
}
